package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/firnglacier/firn/app/internal/workspace"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks/examples"
)

// DefaultAddr is where `firn serve` listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8888"

// ServeOptions configure Serve: `firn serve [DIR] [--addr HOST:PORT]
// [--no-browser] [--token T]`.
type ServeOptions struct {
	// Dir is the workspace; "" means DefaultWorkspace. It is created
	// if missing and, the first time (no lessons folder in it), seeded
	// with the lessons in Dir/lessons.
	Dir string
	// NoLessons leaves the lessons out of a new workspace.
	NoLessons bool
	// Addr to listen on (default DefaultAddr; port 0 picks a free one).
	Addr string
	// NoBrowser leaves the browser closed.
	NoBrowser bool
	// App is a notebook to show as an app (outputs and widgets, the
	// code hidden), run from the top when the page opens: `firn serve
	// --app NOTEBOOK`. Without Dir its folder is the workspace (and no
	// lessons are put in it); with Dir it is a path inside Dir (relative
	// to Dir, or absolute), e.g. lessons/13-glacier-simulator.ipynb.
	App string
	// Token is the login secret (default: a random one); at least
	// MinTokenLength characters.
	Token string
	// AllowHosts are host names, besides localhost (and the machine's
	// name when the address is not loopback), that browsers may use to
	// reach the server (the Host header); IP addresses always may.
	AllowHosts []string
	// Static is the built frontend (nil: a placeholder page).
	Static fs.FS
	// KernelOptions start the kernels (see Options).
	KernelOptions kernel.Options
	// Kernels are the choices of the kernel picker (nil: DefaultKernels;
	// see Options.Kernels and ReadKernelProfiles).
	Kernels []KernelChoice
	// CullIdle stops kernels idle for longer than this (their outputs
	// saved first, their pages told why): a Slurm kernel's job then ends
	// and frees its node. Zero: never.
	CullIdle time.Duration
	// Logger (nil: text logs of level Info to Stderr).
	Logger *slog.Logger
	// Stderr receives the URL to open (nil: os.Stderr).
	Stderr io.Writer
	// Ready, if set, is called with the URL (token included) once the
	// server accepts connections.
	Ready func(url string)
}

// Serve runs the notebook server until ctx ends, then stops it: open
// requests get a few seconds, kernels are shut down, saves finish.
func Serve(ctx context.Context, opts ServeOptions) error {
	stderr := opts.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	dir := opts.Dir
	appFile := opts.App
	if appFile != "" && dir == "" {
		dir = filepath.Dir(appFile)
		opts.NoLessons = true
	} else if appFile != "" && !filepath.IsAbs(appFile) {
		appFile = filepath.Join(dir, appFile)
	}
	if dir == "" {
		d, err := DefaultWorkspace()
		if err != nil {
			return err
		}
		dir = d
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "Firn creates the workspace %s\n", dir)
	}
	if opts.NoLessons {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("serve: workspace: %w", err)
		}
	} else if err := SeedWorkspace(dir); err != nil {
		return err
	}
	appPath := ""
	if appFile != "" {
		rel, err := appNotebook(dir, appFile)
		if err != nil {
			return err
		}
		appPath = rel
	}
	token := opts.Token
	if token == "" {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("serve: token: %w", err)
		}
		token = hex.EncodeToString(b[:])
	}
	srv, err := New(Options{Workspace: dir, Token: token, Static: opts.Static, KernelOptions: opts.KernelOptions, Kernels: opts.Kernels, Logger: logger})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	addr := opts.Addr
	ln, err := listen(addr)
	if addr == "" {
		addr = DefaultAddr
	}
	if err != nil {
		_ = srv.Shutdown(context.Background())
		return fmt.Errorf("serve: listen on %s: %w (use --addr HOST:PORT for another)", addr, err)
	}
	hs := &http.Server{Handler: HostCheck(hostNames(ln.Addr(), opts.AllowHosts), srv.Handler()), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	urls := listenURLs(ln.Addr())
	url := urls[0] + "?token=" + token
	if appPath != "" {
		// The page shows the notebook as an app (?app=1) and runs it.
		url += "&app=1#" + (&neturl.URL{Path: appPath}).EscapedPath()
	}
	fmt.Fprintf(stderr, "Firn serves %s\nOpen this URL in a browser (it holds your login token):\n\n    %s\n\n", dir, url)
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(stderr, "Firn listens on %s, beyond this machine: whoever can reach it and has the token\n"+
			"can run programs as you. The token is the only protection, and without TLS it\n"+
			"travels in clear text.\n\n", ln.Addr())
		if len(urls) > 1 {
			fmt.Fprintln(stderr, "From other machines:")
			for _, u := range urls[1:] {
				fmt.Fprintf(stderr, "    %s?token=%s\n", u, token)
			}
			fmt.Fprintln(stderr)
		}
	}
	logger.Info("serving", "workspace", dir, "addr", ln.Addr().String())
	if !opts.NoBrowser {
		openBrowser(url, func(err error) {
			fmt.Fprintf(stderr, "Firn could not open a browser (%v): open the URL above in one.\n", err)
		})
	}
	if opts.Ready != nil {
		opts.Ready(url)
	}
	if opts.CullIdle > 0 {
		go cullLoop(ctx, srv, opts.CullIdle, logger)
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		_ = srv.Shutdown(context.Background())
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx) // closes the listener, waits for requests (not websockets)
	err = errors.Join(err, srv.Shutdown(sctx))
	if e := <-served; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	if err != nil {
		return fmt.Errorf("serve: stop: %w", err)
	}
	return nil
}

// cullLoop stops the kernels idle for longer than idle, looking every
// quarter of it (at most every minute), until ctx ends.
func cullLoop(ctx context.Context, srv *Server, idle time.Duration, logger *slog.Logger) {
	t := time.NewTicker(min(max(idle/4, 100*time.Millisecond), time.Minute))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := srv.CullIdle(ctx, idle); err != nil {
				logger.Error("idle kernels", "err", err)
			}
		}
	}
}

// listen listens on addr; with no addr, on DefaultAddr or, when that port
// is taken (another Firn, a Jupyter), on the next free one of the ten
// after it, as Jupyter does, and then on any free port.
func listen(addr string) (net.Listener, error) {
	if addr != "" {
		return net.Listen("tcp", addr)
	}
	host, port, _ := net.SplitHostPort(DefaultAddr)
	first, _ := strconv.Atoi(port)
	var firstErr error
	for p := first; p <= first+10; p++ {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return ln, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if ln, err := net.Listen("tcp", net.JoinHostPort(host, "0")); err == nil {
		return ln, nil
	}
	return nil, firstErr
}

// DefaultWorkspace is the workspace of `firn serve` without a folder:
// on Linux and other Unix systems $XDG_DATA_HOME/firn/workspace, or
// ~/.local/share/firn/workspace without XDG_DATA_HOME (next to
// os.UserConfigDir's ~/.config); on macOS and Windows, where users look
// for their files in Documents, ~/Documents/Firn.
func DefaultWorkspace() (string, error) {
	home, err := os.UserHomeDir()
	switch runtime.GOOS {
	case "darwin", "windows", "ios":
		if err != nil {
			return "", fmt.Errorf("serve: default workspace: %w", err)
		}
		return filepath.Join(home, "Documents", "Firn"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "firn", "workspace"), nil
	}
	if err != nil {
		return "", fmt.Errorf("serve: default workspace: %w", err)
	}
	return filepath.Join(home, ".local", "share", "firn", "workspace"), nil
}

// SeedWorkspace creates dir if needed and, the first time (when it has no
// lessons folder), copies the bundled lessons into dir/lessons.
func SeedWorkspace(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("serve: workspace: %w", err)
	}
	lessons := filepath.Join(dir, LessonsDir)
	if _, err := os.Stat(lessons); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("serve: workspace: %w", err)
	}
	if err := examples.CopyTo(lessons); err != nil {
		return fmt.Errorf("serve: seed the workspace with the lessons: %w", err)
	}
	return nil
}

// openBrowser opens url in the user's browser; failed is called (at once
// or when the opener exits) with the reason when it cannot.
func openBrowser(url string, failed func(error)) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			failed(errors.New("no display here"))
			return
		}
		cmd = exec.Command("xdg-open", url)
	}
	var msg bytes.Buffer
	cmd.Stderr = &msg
	if err := cmd.Start(); err != nil {
		failed(err)
		return
	}
	go func() {
		if err := cmd.Wait(); err != nil {
			if m := strings.TrimSpace(msg.String()); m != "" {
				err = fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, firstLine(m))
			}
			failed(err)
		}
	}()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// appNotebook is the notebook of `firn serve --app`, relative to the
// workspace dir (slash-separated): it must be a notebook file inside dir.
func appNotebook(dir, notebook string) (string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("serve: --app: %w", err)
	}
	abs, err := filepath.Abs(notebook)
	if err != nil {
		return "", fmt.Errorf("serve: --app: %w", err)
	}
	rel, err := filepath.Rel(absDir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("serve: --app %s: the notebook is not inside the workspace %s", notebook, dir)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("serve: --app: %w", err)
	}
	if fi.IsDir() || !workspace.IsNotebook(rel) {
		return "", fmt.Errorf("serve: --app %s: not a notebook (.ipynb or .go)", notebook)
	}
	return filepath.ToSlash(rel), nil
}
