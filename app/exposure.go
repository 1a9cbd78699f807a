package app

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/firnglacier/firn/app/internal/guard"
)

// MinTokenLength is the shortest login token the server takes: the token
// is the only thing between the network and running code as the user.
const MinTokenLength = 16

// Wrong tokens from one address: after maxFailures within failureWindow,
// every login attempt from it gets 429 until the window has passed.
const (
	maxFailures   = 10
	failureWindow = time.Minute
)

func newLoginLimiter() *guard.Limiter { return guard.NewLimiter(maxFailures, failureWindow, time.Now) }

func clientIP(r *http.Request) string { return guard.ClientIP(r) }

// tooManyAttempts answers 429 if r's address has used up its attempts.
func (s *Server) tooManyAttempts(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.limiter.Blocked(clientIP(r))
	if !ok {
		return false
	}
	secs := int(wait.Seconds()) + 1
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many wrong tokens from %s: try again in %d s", clientIP(r), secs))
	return true
}

// HostCheck refuses (403) requests whose Host header names a host that is
// neither an IP address nor one of names: a page of another site whose
// name an attacker points at this machine (DNS rebinding) sends its own
// name, and must not reach the server. Names are compared without port
// and case.
func HostCheck(names []string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hst, _, err := net.SplitHostPort(host); err == nil {
			host = hst
		}
		host = strings.Trim(host, "[]")
		if net.ParseIP(host) == nil && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, host) }) {
			writeError(w, http.StatusForbidden, fmt.Sprintf("the Host %q is not a name of this server (refused against DNS rebinding); start firn with --allow-host %s if it is", r.Host, host))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hostNames are the names a server bound to addr answers to: localhost,
// and for an address beyond loopback the machine's host name.
func hostNames(addr net.Addr, extra []string) []string {
	names := append([]string{"localhost"}, extra...)
	if !isLoopback(addr) {
		if h, err := os.Hostname(); err == nil {
			names = append(names, h)
		}
	}
	return names
}

func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// listenURLs are the URLs by which a server on addr is reached: the
// loopback one, and for a wildcard address one per address of the
// machine's interfaces (the address itself for a specific one).
func listenURLs(addr net.Addr) []string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return []string{"http://" + addr.String() + "/"}
	}
	port := fmt.Sprint(ta.Port)
	if !ta.IP.IsUnspecified() {
		return []string{"http://" + net.JoinHostPort(ta.IP.String(), port) + "/"}
	}
	urls := []string{"http://" + net.JoinHostPort("127.0.0.1", port) + "/"}
	ifaddrs, _ := net.InterfaceAddrs()
	for _, a := range ifaddrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		if ta.IP.To4() != nil && ipn.IP.To4() == nil {
			continue // a 0.0.0.0 listener takes IPv4 only
		}
		urls = append(urls, "http://"+net.JoinHostPort(ipn.IP.String(), port)+"/")
	}
	return urls
}
