package guard

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Equal compares two secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// ClientIP is the address r came from (without port).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SameOrigin says whether r's Origin is the server's own (scheme, host
// and port of the request) or one of extra. A request without Origin is
// accepted only when allowMissing (a program that proved itself
// otherwise: browsers always send Origin on websockets and POSTs).
func SameOrigin(r *http.Request, extra []string, allowMissing bool) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return allowMissing
	}
	for _, o := range extra {
		if o != "" && strings.EqualFold(origin, o) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return u.Scheme == scheme && strings.EqualFold(u.Host, r.Host) && u.Path == "" && u.User == nil
}

// CSRF is the double-submit check: the header named header must equal
// the cookie named cookie, and both the server's value want. A page of
// another site can neither read the cookie nor set the header.
func CSRF(r *http.Request, cookie, header, want string) bool {
	c, err := r.Cookie(cookie)
	hv := r.Header.Get(header)
	return err == nil && hv != "" && want != "" && Equal(hv, c.Value) && Equal(hv, want)
}

// Unsafe says whether method changes state (anything but GET, HEAD and
// OPTIONS).
func Unsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// Limiter counts failures per key (an address, an account): after Max
// failures within Window, the key is blocked until the oldest of them
// is Window old.
type Limiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time // recent failures, oldest first
}

// NewLimiter returns a limiter of max failures per window, reading the
// time from now (time.Now if nil).
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{max: max, window: window, now: now, failures: map[string][]time.Time{}}
}

// SetClock replaces the limiter's clock (tests).
func (l *Limiter) SetClock(now func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = now
}

// recent drops the failures of key older than the window and returns
// the rest. The caller holds l.mu.
func (l *Limiter) recent(key string) []time.Time {
	cut := l.now().Add(-l.window)
	f := l.failures[key]
	i := 0
	for i < len(f) && !f[i].After(cut) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = f
	}
	return f
}

// Blocked reports whether key has used up its attempts, and how long
// until it may try again.
func (l *Limiter) Blocked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.recent(key)
	if len(f) < l.max {
		return false, 0
	}
	return true, f[len(f)-l.max].Add(l.window).Sub(l.now())
}

// Fail records a failure of key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[key] = append(l.recent(key), l.now())
}

// Reset forgets the failures of key (after a success).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}
