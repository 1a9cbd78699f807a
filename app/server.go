package app

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/firnglacier/firn/app/internal/guard"
	"github.com/firnglacier/firn/app/internal/session"
	"github.com/firnglacier/firn/app/internal/workspace"
	"github.com/firnglacier/firn/kernel"
)

// Options configure a Server.
type Options struct {
	// Workspace is the folder the server serves (it must exist). Kernels
	// run in it.
	Workspace string
	// Token is the secret of the single user; required.
	Token string
	// Static is the built frontend (index.html at its root); nil serves
	// a placeholder page.
	Static fs.FS
	// KernelOptions start each session's kernel; Dir is set to the
	// workspace and Unsolicited to the session's. Launcher chooses where
	// kernels run and what carries their messages (the session API
	// shows it as the kernel's name and transport). With RunAs, the
	// workspace's files are also that account's: the server gives it
	// every file and folder it writes.
	KernelOptions kernel.Options
	// Kernels are the kernels a notebook can be switched to (GET
	// /api/kernels, the kernel picker); nil: DefaultKernels(). The default,
	// for a notebook without metadata.firn.kernel, is the one whose
	// launcher is KernelOptions.Launcher's.
	Kernels []KernelChoice
	// Logger receives structured logs (nil: none).
	Logger *slog.Logger
	// MaxReplayFrames and MaxReplayBytes bound each session's replay
	// buffer (zero: 200,000 frames and 64 MiB).
	MaxReplayFrames, MaxReplayBytes int
	// MaxUploadBytes bounds one upload request (zero: 1 GiB).
	MaxUploadBytes int64
	// WebsocketOrigins are origins, besides the server's own, whose pages
	// may open the sessions' websockets (they still need the token). The
	// desktop app lists its webview's origin (e.g. "wails://wails"): its
	// page comes from Wails' AssetServer, which carries no websockets, so
	// they go to a loopback listener of the same handler.
	WebsocketOrigins []string
	// Now is the clock of the sessions' idle times (CullIdle); nil:
	// time.Now.
	Now func() time.Time
	// Quota bounds the workspace (zero: none): saves, uploads, copies and
	// new files that would take it over are refused (507) with a message
	// that says what to do. A cell's own writes are not checked as they
	// happen; they count at the next write through the server.
	Quota Quota
	// MaxKernels bounds the notebooks with a running kernel (zero: no
	// bound). Opening one more stops the kernel idle the longest (its
	// outputs saved, its page told why); when none is idle, the new one
	// is refused (429).
	MaxKernels int
}

// Server is the notebook server: the HTTP API, the websockets of the
// sessions and the static frontend. See the package doc for the protocol.
type Server struct {
	opts     Options
	ws       *workspace.Workspace
	sessions *session.Manager
	logger   *slog.Logger
	csrf     string
	handler  http.Handler
	limiter  *guard.Limiter // wrong tokens per address
	kernels  kernelList

	ctx    context.Context // ends on Shutdown: websockets close
	cancel context.CancelFunc

	mu      sync.Mutex
	closing bool
	writes  sync.WaitGroup // saves and other writes under way
}

// New returns a server for opts.
func New(opts Options) (*Server, error) {
	if opts.Token == "" {
		return nil, errors.New("app: Options.Token is empty; the server needs a token")
	}
	if len(opts.Token) < MinTokenLength {
		return nil, fmt.Errorf("the token is %d characters; a token of at least %d is needed (a short one can be guessed)", len(opts.Token), MinTokenLength)
	}
	if opts.Workspace == "" {
		return nil, errors.New("app: Options.Workspace is empty")
	}
	dir, err := filepath.Abs(opts.Workspace)
	if err != nil {
		return nil, fmt.Errorf("app: workspace: %w", err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("app: workspace: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("app: workspace %s is not a folder", dir)
	}
	// Kernels under an account of their own (firn hub as root) get the
	// workspace's files as that account's, whoever writes them.
	open := workspace.Open
	if as := opts.KernelOptions.RunAs; as != nil {
		open = func(dir string) (*workspace.Workspace, error) {
			return workspace.OpenOwned(dir, int(as.UID), int(as.GID))
		}
	}
	ws, err := open(dir)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = 1 << 30
	}
	kopts := opts.KernelOptions
	kopts.Dir = dir
	mac := hmac.New(sha256.New, []byte(opts.Token))
	mac.Write([]byte("firn csrf v1"))
	s := &Server{
		opts: opts, ws: ws, logger: logger,
		csrf: hex.EncodeToString(mac.Sum(nil)), limiter: newLoginLimiter(),
		kernels: newKernelList(opts.Kernels, kopts.Launcher),
		sessions: session.NewManager(session.Options{
			Kernel: kopts, MaxFrames: opts.MaxReplayFrames, MaxBytes: opts.MaxReplayBytes, Logger: logger, Now: opts.Now,
		}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.handler = s.routes()
	return s, nil
}

func (s *Server) now() time.Time { return s.opts.Now() }

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Shutdown writes what the kernels ran into their notebooks (as idle
// culling does; a cell still running ends with a KernelStopped error
// after its output so far, so that its user is told when they open it
// again), then closes the websockets, shuts every kernel down and waits
// for the saves under way (or until ctx ends). New writes are refused
// from then on. Kernels are not adopted by the next server: they end
// with it.
func (s *Server) Shutdown(ctx context.Context) error {
	// What the kernels ran is written into the notebooks first: a cell
	// still running ends there, saying so (KernelStopped).
	for _, x := range s.sessions.List() {
		if done, ok := s.startWrite(); ok {
			if err := s.saveOutputs(x, "the server stopped"); err != nil && !errors.Is(err, fs.ErrNotExist) {
				s.logger.Warn("shutdown: outputs not saved", "path", x.Path(), "err", err)
			}
			done()
		}
	}
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.cancel()
	err := s.sessions.CloseAll(ctx)
	done := make(chan struct{})
	go func() { s.writes.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("app: shutdown: saves still under way: %w", ctx.Err())
	}
	return errors.Join(err, s.ws.Close())
}

// startWrite registers a write; it fails once Shutdown has begun.
func (s *Server) startWrite() (done func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, false
	}
	s.writes.Add(1)
	return s.writes.Done, true
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.requireAuth(h)) }
	api("GET /api/files", s.listFiles)
	api("GET /api/files/content", s.getContent)
	api("PUT /api/files/content", s.writing(s.putContent))
	api("POST /api/files", s.writing(s.fileOp))
	api("POST /api/files/upload", s.writing(s.upload))
	api("GET /api/files/download", s.download)
	api("GET /api/files/trash", s.listTrash)
	api("GET /api/lessons", s.listLessons)
	api("POST /api/lessons/open", s.writing(s.openLesson))
	api("POST /api/lessons/reset", s.writing(s.resetLesson))
	api("GET /api/sessions", s.listSessions)
	api("POST /api/sessions", s.createSession)
	api("GET /api/sessions/{id}", s.getSession)
	api("DELETE /api/sessions/{id}", s.deleteSession)
	api("POST /api/sessions/{id}/interrupt", s.interruptSession)
	api("POST /api/sessions/{id}/restart", s.restartSession)
	api("POST /api/sessions/{id}/kernel", s.switchKernel)
	api("GET /api/kernels", s.listKernels)
	api("POST /api/graph", s.graph)
	api("GET /api/quota", s.getQuota)
	api("GET /api/sessions/{id}/ws", s.serveWebsocket)
	api("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no API %s %s", r.Method, r.URL.Path))
	})
	mux.Handle("/", s.tokenLogin(s.static()))
	return s.logRequests(mux)
}

// writing wraps handlers that change files so that Shutdown waits for
// them.
func (s *Server) writing(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		done, ok := s.startWrite()
		if !ok {
			writeError(w, http.StatusServiceUnavailable, "the server is shutting down")
			return
		}
		defer done()
		h(w, r)
	}
}

// statusWriter records the status of a response for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack lets the websocket upgrade take the connection.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("app: the connection cannot be taken over")
	}
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return h.Hijack()
}

// Unwrap lets http.ResponseController (and the websocket upgrade) reach
// the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs each request (its path without the query, which may
// hold the token).
func (s *Server) logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		} else if sw.status >= 400 {
			level = slog.LevelInfo
		}
		s.logger.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start))
	})
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError sends {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// fail sends err with the status its kind calls for.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		conflict *workspace.ConflictError
		damaged  *workspace.DamagedError
	)
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &conflict):
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error(), "etag": conflict.ETag})
		return
	case errors.As(err, &damaged):
		writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error(), "etag": damaged.ETag, "damage": damaged.Damage})
		return
	case errors.Is(err, workspace.ErrOutside), errors.Is(err, workspace.ErrReadOnly), errors.Is(err, fs.ErrPermission):
		status = http.StatusForbidden
	case errors.Is(err, fs.ErrNotExist):
		status = http.StatusNotFound
	case errors.Is(err, fs.ErrExist):
		status = http.StatusConflict
	case errors.Is(err, workspace.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, ErrQuota):
		status = http.StatusInsufficientStorage
	case errors.Is(err, ErrTooManyKernels):
		status = http.StatusTooManyRequests
	case errors.Is(err, syscall.ENOTDIR):
		status = http.StatusBadRequest
		err = fmt.Errorf("%w (a file is not a folder)", err)
	case errors.Is(err, syscall.ENAMETOOLONG):
		status = http.StatusBadRequest
		err = fmt.Errorf("%w: a name or path is too long for the file system", err)
	}
	if status == http.StatusInternalServerError {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, status, err.Error())
}

// decodeJSON reads a JSON request body of at most max bytes into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON request body: "+err.Error())
		return false
	}
	return true
}
