package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
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
	h, err := New(opts.Options)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = h.Shutdown(context.Background())
		return fmt.Errorf("firn hub: %w", err)
	}
	names := append([]string{"localhost"}, opts.AllowHosts...)
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		if hn, err := os.Hostname(); err == nil {
			names = append(names, hn)
		}
	}
	hs := &http.Server{Handler: app.HostCheck(names, h.Handler()), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
	users, _ := h.Store().Users(ctx)
	fmt.Fprintf(stderr, "Firn hub on http://%s/ (data %s, %d users)\n", ln.Addr(), h.opts.Data, len(users))
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
