package hub

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/firnglacier/firn/app"
)

// DefaultAddr is where `firn hub` listens by default.
const DefaultAddr = "127.0.0.1:8000"

// ServeOptions are those of `firn hub`.
type ServeOptions struct {
	Options
	// Addr is HOST:PORT (empty: DefaultAddr).
	Addr string
	// AllowHosts are names browsers may use besides IP addresses,
	// localhost and (beyond loopback) the machine's name.
	AllowHosts []string
	// Stderr receives the URL and the log (nil: os.Stderr).
	Stderr io.Writer
	// TLSCert and TLSKey are PEM files of the hub's certificate (its
	// chain) and key: the hub serves HTTPS, and its cookies are Secure.
	TLSCert, TLSKey string
	// BehindProxy trusts X-Forwarded-Proto: https from a reverse proxy
	// that ends TLS in front of the hub (and passes the Host header on):
	// such a request counts as HTTPS for the Origin check and the
	// cookies. The hub must then listen on loopback, where only the proxy
	// reaches it.
	BehindProxy bool
}

// forwardedHTTPS marks requests that a trusted reverse proxy received
// over HTTPS (X-Forwarded-Proto: https) as TLS requests.
func forwardedHTTPS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") && r.TLS == nil {
			r = r.Clone(r.Context())
			r.TLS = &tls.ConnectionState{}
		}
		next.ServeHTTP(w, r)
	})
}

// Serve runs the hub until ctx ends: it listens on opts.Addr, prints the
// URL, sweeps idle kernels, and on the end stops the kernels (saves under
// way finish).
func Serve(ctx context.Context, opts ServeOptions) error {
	stderr := opts.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	if (opts.TLSCert == "") != (opts.TLSKey == "") {
		return errors.New("firn hub: --tls-cert and --tls-key go together")
	}
	if opts.TLSCert != "" && opts.BehindProxy {
		return errors.New("firn hub: --behind-proxy is for a proxy that ends TLS: not with --tls-cert")
	}
	var cert tls.Certificate
	if opts.TLSCert != "" {
		c, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey)
		if err != nil {
			return fmt.Errorf("firn hub: --tls-cert %s, --tls-key %s: %w", opts.TLSCert, opts.TLSKey, err)
		}
		cert = c
	}
	h, err := New(opts.Options)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = h.Shutdown(context.Background())
		return fmt.Errorf("firn hub: %w", err)
	}
	loopback := false
	if ta, ok := ln.Addr().(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		loopback = true
	}
	if opts.BehindProxy && !loopback {
		ln.Close()
		_ = h.Shutdown(context.Background())
		return fmt.Errorf("firn hub: --behind-proxy: listen on loopback (--addr 127.0.0.1:PORT), where only the proxy reaches the hub, not on %s: anyone could claim HTTPS there", ln.Addr())
	}
	scheme := "http"
	if opts.TLSCert != "" {
		scheme = "https"
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	names := append([]string{"localhost"}, opts.AllowHosts...)
	if !loopback {
		if hn, err := os.Hostname(); err == nil {
			names = append(names, hn)
		}
	}
	handler := app.HostCheck(names, h.Handler())
	if opts.BehindProxy {
		handler = forwardedHTTPS(handler)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
	users, _ := h.Store().Users(ctx)
	fmt.Fprintf(stderr, "Firn hub on %s://%s/ (data %s, %d users)\n", scheme, ln.Addr(), h.opts.Data, len(users))
	if opts.BehindProxy {
		fmt.Fprintln(stderr, "Behind a reverse proxy: requests it marks X-Forwarded-Proto: https count as HTTPS")
	}
	if len(users) == 0 {
		fmt.Fprintf(stderr, "No users yet: add one with  firn hub user add NAME --role admin --data %s\n", h.opts.Data)
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go h.Run(rctx)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	stop() // the sweeps end before the database closes
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	err = errors.Join(err, hs.Shutdown(sctx), h.Shutdown(sctx))
	return err
}
