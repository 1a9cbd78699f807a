package desktop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/firnglacier/firn/app"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks/examples"
)

// WebviewOrigins are the origins of the page in Wails' webview: the
// custom scheme on Linux and macOS, the virtual host on Windows.
var WebviewOrigins = []string{"wails://wails", "http://wails.localhost", "https://wails.localhost"}

// ConfigPath is where the page reads its desktop settings (served by
// AssetHandler only).
const ConfigPath = "/firn-desktop.json"

// Config configures Start.
type Config struct {
	// Dirs are the workspace and the settings folder (DefaultDirs).
	Dirs Dirs
	// Args are the command-line arguments after the program's name:
	// notebooks to open (the file manager passes one).
	Args []string
	// Static is the built frontend (frontend.Dist()).
	Static fs.FS
	// Token is the secret of the loopback listener; "" picks a random
	// one.
	Token string
	// KernelOptions start the kernels (default: this program with the
	// argument "kernel").
	KernelOptions kernel.Options
	// Logger receives the server's logs (nil: none).
	Logger *slog.Logger
	// WebKit is the version of the webview library, for About.
	WebKit string
}

// PageConfig is what the page reads from ConfigPath.
type PageConfig struct {
	// Websocket is the base URL of the loopback listener, ending in "/".
	Websocket string `json:"websocket"`
	// Token goes into the websocket URLs as ?token=.
	Token string `json:"token"`
	// Open is the workspace path of the notebook to open at start ("":
	// the start page).
	Open string `json:"open"`
	// Notice is a message to show at start ("" for none), e.g. where an
	// imported notebook was copied.
	Notice string `json:"notice"`
}

// App is the desktop app's server side: the notebook server, its
// loopback listener and the remembered state.
type App struct {
	cfg    Config
	srv    *app.Server
	hs     *http.Server
	ln     net.Listener
	token  string
	logger *slog.Logger
	served chan error

	mu     sync.Mutex
	state  State
	page   PageConfig
	closed bool
}

// Start seeds the workspace on first start, starts the notebook server
// and its loopback listener, and decides which notebook the window opens
// first: the first named in Args (each named is imported if it is
// outside the workspace, and listed in the recent files), on
// the first start the first lesson, else the notebook open when the app
// was last closed.
func Start(cfg Config) (*App, error) {
	if cfg.Dirs.Workspace == "" || cfg.Dirs.Config == "" {
		return nil, errNoDirs
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	st, err := LoadState(cfg.Dirs.Config)
	if err != nil {
		logger.Warn("settings", "err", err)
	}
	if err := app.SeedWorkspace(cfg.Dirs.Workspace); err != nil {
		return nil, fmt.Errorf("desktop: %w", err)
	}
	a := &App{cfg: cfg, logger: logger, state: st, token: cfg.Token, served: make(chan error, 1)}
	if a.token == "" {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("desktop: token: %w", err)
		}
		a.token = hex.EncodeToString(b[:])
	}
	a.page.Open, a.page.Notice = a.firstNotebook(cfg.Args)
	a.state.Seeded = true
	if err := a.state.Save(cfg.Dirs.Config); err != nil {
		logger.Warn("settings", "err", err)
	}

	kopts := cfg.KernelOptions
	if len(kopts.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("desktop: the program's path (kernels run it): %w", err)
		}
		kopts.Command = []string{exe, "kernel"}
	}
	a.srv, err = app.New(app.Options{
		Workspace: cfg.Dirs.Workspace, Token: a.token, Static: cfg.Static,
		KernelOptions: kopts, Logger: logger, WebsocketOrigins: WebviewOrigins,
	})
	if err != nil {
		return nil, fmt.Errorf("desktop: %w", err)
	}
	a.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = a.srv.Shutdown(context.Background())
		return nil, fmt.Errorf("desktop: listen on 127.0.0.1: %w", err)
	}
	a.page.Websocket = "ws://" + a.ln.Addr().String() + "/"
	a.page.Token = a.token
	a.hs = &http.Server{
		Handler:           app.HostCheck([]string{"localhost"}, webviewCORS(queryToken(a.srv.Handler()))),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() { a.served <- a.hs.Serve(a.ln) }()
	return a, nil
}

// firstNotebook is the notebook to open at start and a notice to show.
func (a *App) firstNotebook(args []string) (path, notice string) {
	// Every notebook named is imported and listed in Open recent (a
	// file manager passes all the files selected); the first one opens.
	var opened, notes []string
	for _, arg := range args {
		if strings.HasPrefix(arg, "-") {
			continue
		}
		rel, note, err := a.Import(arg)
		if err != nil {
			notes = append(notes, err.Error())
			continue
		}
		if len(opened) == 0 && note != "" {
			notes = append([]string{note}, notes...)
		}
		opened = append(opened, rel)
	}
	for i := len(opened) - 1; i >= 0; i-- {
		a.state.AddRecent(opened[i])
	}
	if len(opened) > 1 {
		notes = append(notes, fmt.Sprintf("%d more notebooks are in File › Open recent.", len(opened)-1))
	}
	if len(opened) > 0 || len(notes) > 0 {
		first := ""
		if len(opened) > 0 {
			first = opened[0]
		}
		return first, strings.Join(notes, " ")
	}
	if !a.state.Seeded {
		if l := examples.List(); len(l) > 0 {
			return app.LessonsDir + "/" + l[0].File, ""
		}
	}
	for _, p := range a.state.Recent {
		if _, err := os.Stat(filepath.Join(a.cfg.Dirs.Workspace, filepath.FromSlash(p))); err == nil {
			return p, ""
		}
	}
	return "", ""
}

// Addr is the loopback listener's address (host:port).
func (a *App) Addr() string { return a.ln.Addr().String() }

// Token is the secret of the loopback listener.
func (a *App) Token() string { return a.token }

// Logger is the app's logger (Config.Logger).
func (a *App) Logger() *slog.Logger { return a.logger }

// Workspace is the workspace folder.
func (a *App) Workspace() string { return a.cfg.Dirs.Workspace }

// Page is what the page reads from ConfigPath.
func (a *App) Page() PageConfig {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.page
}

// State is a copy of the remembered state.
func (a *App) State() State {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.state
	st.Recent = append([]string(nil), st.Recent...)
	return st
}

// Opened records that the window opened the notebook at path (workspace
// relative): it goes first in the recent files. It says whether the list
// changed (the menu is then rebuilt).
func (a *App) Opened(path string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if path == "" || (len(a.state.Recent) > 0 && a.state.Recent[0] == path) {
		return false
	}
	a.state.AddRecent(path)
	if err := a.state.Save(a.cfg.Dirs.Config); err != nil {
		a.logger.Warn("settings", "err", err)
	}
	return true
}

// SaveWindow remembers the window's geometry (when it closes).
func (a *App) SaveWindow(w Window) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.state.Window = w.sane()
	return a.state.Save(a.cfg.Dirs.Config)
}

// AssetHandler is the handler of Wails' AssetServer: the server's
// handler, with the token added to every request (they come from the
// app's own webview only), and ConfigPath.
func (a *App) AssetHandler() http.Handler {
	h := a.srv.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ConfigPath {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_ = json.NewEncoder(w).Encode(a.Page())
			return
		}
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "token "+a.token)
		h.ServeHTTP(w, r)
	})
}

// Do serves one request with the handler as the window would: the
// menu's actions use it to create files through the server.
func (a *App) Do(r *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	a.AssetHandler().ServeHTTP(rec, r)
	return rec.Result()
}

// webviewCORS lets the window's page (origin WebviewOrigins) call the
// loopback listener: it sends its requests that carry a body there, as
// WebKitGTK's custom-scheme requests with a body sometimes never get
// their response through Wails' AssetServer (seen under load: the
// handler ran, the page waited forever). The page sends the token in the
// Authorization header, which no other site knows; other origins get no
// CORS headers, so browsers keep their pages from reading the answers.
func webviewCORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if !slices.Contains(WebviewOrigins, origin) {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Firn-CSRF")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// queryToken lets websocket upgrades carry the token as ?token=T (a
// page's WebSocket cannot set headers): it moves it into the
// Authorization header. Other requests keep their query as it is.
func queryToken(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") && q.Has("token") && r.Header.Get("Authorization") == "" {
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "token "+q.Get("token"))
			q.Del("token")
			r.URL.RawQuery = q.Encode()
		}
		h.ServeHTTP(w, r)
	})
}

// Close stops the listener and the server: kernels shut down, saves
// under way finish (or ctx ends).
func (a *App) Close(ctx context.Context) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	err := a.hs.Shutdown(ctx)
	err = errors.Join(err, a.srv.Shutdown(ctx))
	if e := <-a.served; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	if err != nil {
		return fmt.Errorf("desktop: close: %w", err)
	}
	return nil
}
