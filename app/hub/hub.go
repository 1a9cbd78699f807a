package hub

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/firnglacier/firn/app"
	"github.com/firnglacier/firn/app/internal/guard"
	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/cgroup"
	"github.com/firnglacier/firn/kernel"
)

// Cookie names of the hub. The CSRF cookie and header are the notebook
// server's (app.CSRFCookie, app.CSRFHeader), so that the frontend works
// under the hub unchanged.
const (
	SessionCookie = "firn_hub"
)

// Defaults of Options.
const (
	DefaultSessionTTL  = 12 * time.Hour
	DefaultCullEvery   = 600 * time.Second
	DefaultCullIdle    = 3600 * time.Second
	accountMaxFailures = 5
	addressMaxFailures = 50 // a class behind one NAT address
	failureWindow      = 15 * time.Minute
)

// Options configure a Hub.
type Options struct {
	// Data is the hub's folder: the database (hub.db) and users/NAME, each
	// user's workspace. A backup is a copy of it.
	Data string
	// Static is the built frontend (nil: a placeholder page).
	Static fs.FS
	// KernelOptions start every user's kernels (Dir is set to the user's
	// workspace).
	KernelOptions kernel.Options
	// SessionTTL is how long a login lasts (zero: DefaultSessionTTL).
	SessionTTL time.Duration
	// CullIdle is how long a kernel may be idle before it is stopped (zero:
	// DefaultCullIdle; negative: never). The sweep runs every CullEvery
	// (zero: DefaultCullEvery) once Run is called.
	CullIdle, CullEvery time.Duration
	// Limits bound each user (zero fields: no bound), and ClassLimits
	// by class, the profiles of classes that need more (a user in several
	// classes gets the most generous of theirs).
	Limits      Limits
	ClassLimits map[string]Limits
	// Now is the clock (nil: time.Now): sessions' expiry, the login limits,
	// idle culling.
	Now func() time.Time
	// Logger receives structured logs (nil: none).
	Logger *slog.Logger
	// OIDC is the sign-in with an OpenID Connect provider (nil: none;
	// see oidc.go and LoadOIDCConfig).
	OIDC *OIDCConfig
	// UnixUsers runs each user's kernels under a Unix account of their
	// own, UnixPrefix+NAME (zero: DefaultUnixPrefix), made the first time,
	// which also owns their workspace (see unix.go). It needs root.
	UnixUsers  bool
	UnixPrefix string
	// LiftSandbox runs the kernels without Firn's sandbox (network,
	// programs, reads and writes anywhere the account may): only with
	// UnixUsers, which then is what keeps users apart.
	LiftSandbox bool
	// Cgroups is the cgroup file system (normally /sys/fs/cgroup; ""
	// none): each user's kernels then share a control group of the
	// user's, CgroupName/NAME (zero: DefaultCgroupName), with an equal
	// CPU weight for every user and the caps of Limits.CPUs and
	// Limits.UserMemory (see internal/cgroup). It needs root.
	Cgroups    string
	CgroupName string
	// NoCompute gives the users' kernels no broker. By default the hub
	// runs one embedded NATS broker for compute.Attach (remote compute:
	// ensembles on local workers or a batch system), started with the
	// first user's server and storing under Data/compute, where a
	// Map's results survive a restart of the hub; each user has an
	// account of their own in it (compute.Broker.Account), whose URL and
	// token their kernels get ($FIRN_COMPUTE_URL, $FIRN_COMPUTE_TOKEN),
	// so that no one sees or collects another's tasks and results.
	NoCompute bool
	// ComputeStore bounds the bytes each user's account of the broker
	// keeps on disk (tasks and results; compute.BrokerOptions.AccountStore);
	// 0 is no bound. A job whose results outgrow it ends with a message
	// saying so.
	ComputeStore int64
}

// outOfMemory says, after one of user's kernels was killed, whether
// their group's memory cap did it (its OOM kills went up).
func outOfMemory(g *cgroup.Group, user string, limit int64) func() string {
	var mu sync.Mutex
	seen, _ := g.OOMKills()
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n, err := g.OOMKills()
		if err != nil || n <= seen {
			return ""
		}
		seen = n
		return fmt.Sprintf("the kernels of %s together passed their memory limit of %d MiB (a limit of this hub), and the system stopped this one", user, limit>>20)
	}
}

// DefaultCgroupName is the default of Options.CgroupName.
const DefaultCgroupName = "firn-hub"

// Hub is the multi-user server: logins, and each user's notebook server
// (app.Server, one per user, with its own workspace and kernels) under
// /user/NAME/.
type Hub struct {
	opts    Options
	store   *Store
	syncMu  sync.Mutex // one Sync at a time: publications to files
	logger  *slog.Logger
	now     func() time.Time
	byAcct  *guard.Limiter
	byAddr  *guard.Limiter
	handler http.Handler
	oidc    *oidcAuth         // nil without Options.OIDC
	cgroups *cgroup.Hierarchy // nil without Options.Cgroups

	mu       sync.Mutex
	broker   *compute.Broker // the users' broker, once started (see brokerEnv)
	noBroker bool            // it could not start: kernels get none
	users    map[string]*userServer
	live     map[*liveConn]struct{} // open websockets, with their login session
	closing  bool
}

// liveConn is an open websocket and the login session that opened it:
// the hub closes it when that session ends (logout, expiry, the user
// disabled).
type liveConn struct {
	net.Conn
	token string // the session cookie
	user  string // whose session it is
	h     *Hub
	once  sync.Once
}

func (c *liveConn) Close() error {
	c.once.Do(func() {
		c.h.mu.Lock()
		delete(c.h.live, c)
		c.h.mu.Unlock()
	})
	return c.Conn.Close()
}

// hijacker records the connection that a websocket upgrade takes.
type hijacker struct {
	http.ResponseWriter
	h     *Hub
	token string
	user  string
}

func (w *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	lc := &liveConn{Conn: conn, token: w.token, user: w.user, h: w.h}
	w.h.mu.Lock()
	w.h.live[lc] = struct{}{}
	w.h.mu.Unlock()
	return lc, rw, nil
}

func (w *hijacker) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Revalidate closes the open websockets whose login session has ended
// (expired, or its user disabled, also by another process such as
// `firn hub user disable`). Run calls it every RevalidateEvery.
func (h *Hub) Revalidate(ctx context.Context) int {
	h.mu.Lock()
	conns := make([]*liveConn, 0, len(h.live))
	for c := range h.live {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	closed := 0
	valid := map[string]bool{}
	for _, c := range conns {
		ok, seen := valid[c.token]
		if !seen {
			var err error
			if _, _, ok, err = h.store.session(ctx, c.token, h.now()); err != nil {
				// The database did not answer (busy under load): the
				// session is not known to have ended, and its websockets
				// stay; the next sweep asks again.
				h.logger.Warn("revalidating a login session", "user", c.user, "err", err)
				ok = true
			}
			valid[c.token] = ok
		}
		if !ok {
			c.Close()
			closed++
		}
	}
	return closed
}

// closeSession closes the open websockets of a login session.
func (h *Hub) closeSession(token string) {
	h.mu.Lock()
	var conns []*liveConn
	for c := range h.live {
		if c.token == token {
			conns = append(conns, c)
		}
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// userServer is one user's notebook server and the secret the hub gives
// it on every request (never sent to a browser).
type userServer struct {
	srv   *app.Server
	token string
	group *cgroup.Group // the user's control group (nil: none)
}

// New opens the hub's database in opts.Data (creating and migrating it).
func New(opts Options) (*Hub, error) {
	if opts.Data == "" {
		return nil, errors.New("hub: Options.Data is empty: the hub needs a data folder")
	}
	dir, err := filepath.Abs(opts.Data)
	if err != nil {
		return nil, fmt.Errorf("hub: data folder: %w", err)
	}
	opts.Data = dir
	store, err := OpenStore(dir)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.CullIdle == 0 {
		opts.CullIdle = DefaultCullIdle
	}
	if opts.CullEvery <= 0 {
		opts.CullEvery = DefaultCullEvery
	}
	if opts.LiftSandbox && !opts.UnixUsers {
		store.Close()
		return nil, errors.New("hub: kernels without the sandbox (--trusted-kernels) need Unix accounts per user (--unix-users): otherwise nothing keeps one user's cells out of another's files")
	}
	if opts.UnixUsers {
		if opts.UnixPrefix == "" {
			opts.UnixPrefix = DefaultUnixPrefix
		}
		if err := errors.Join(checkUnixUsers(opts), openData(dir)); err != nil {
			store.Close()
			return nil, err
		}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Hub{
		opts: opts, store: store, logger: logger, now: opts.Now,
		byAcct: guard.NewLimiter(accountMaxFailures, failureWindow, opts.Now),
		byAddr: guard.NewLimiter(addressMaxFailures, failureWindow, opts.Now),
		users:  map[string]*userServer{}, live: map[*liveConn]struct{}{},
	}
	if opts.OIDC != nil {
		if h.oidc, err = newOIDCAuth(opts.OIDC); err != nil {
			store.Close()
			return nil, fmt.Errorf("hub: %w", err)
		}
	}
	if opts.Cgroups != "" {
		if h.opts.CgroupName == "" {
			h.opts.CgroupName = DefaultCgroupName
		}
		if h.cgroups, err = cgroup.Detect(opts.Cgroups); err != nil {
			store.Close()
			return nil, fmt.Errorf("hub: a CPU share per user (--cgroups): %w", err)
		}
	}
	h.handler = h.routes()
	return h, nil
}

// Store is the hub's database.
func (h *Hub) Store() *Store { return h.store }

// Handler is the hub's HTTP handler.
func (h *Hub) Handler() http.Handler { return h.handler }

// Shutdown stops every user's kernels (their saves finish) and closes
// the database.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	users := h.users
	h.users = map[string]*userServer{}
	h.mu.Unlock()
	var errs []error
	for name, u := range users {
		if err := u.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("user %s: %w", name, err))
		}
		if u.group != nil {
			// Empty once the user's kernels have ended; a group still
			// in use stays (and is reused at the next start).
			if err := u.group.Remove(); err != nil {
				h.logger.Warn("control group not removed", "user", name, "err", err)
			}
		}
	}
	h.mu.Lock()
	if h.broker != nil {
		h.broker.Close()
		h.broker = nil
	}
	h.mu.Unlock()
	return errors.Join(append(errs, h.store.Close())...)
}

// brokerEnv is what user name's kernels get to reach their account of
// the hub's broker (see Options.NoCompute), starting the broker the
// first time; nil without one. h.mu is held.
func (h *Hub) brokerEnv(name string) []string {
	if h.opts.NoCompute || h.noBroker {
		return nil
	}
	if h.broker == nil {
		b, err := compute.StartBroker(compute.BrokerOptions{Dir: filepath.Join(h.opts.Data, "compute"), AccountStore: h.opts.ComputeStore})
		if err != nil {
			h.noBroker = true
			h.logger.Warn("no broker for the users' remote compute: compute.Attach in a notebook starts one of its own", "err", err)
			return nil
		}
		h.broker = b
	}
	auth, err := h.broker.Account(name)
	if err != nil {
		h.logger.Warn("no broker account", "user", name, "err", err)
		return nil
	}
	return []string{compute.BrokerURLEnv + "=" + h.broker.URL(), compute.BrokerTokenEnv + "=" + auth.Token}
}

// Workspace is the folder of user name's files.
func (h *Hub) Workspace(name string) string { return filepath.Join(h.opts.Data, "users", name) }

// server returns name's notebook server, started the first time.
func (h *Hub) server(name string) (*userServer, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil, errors.New("the hub is shutting down")
	}
	if u := h.users[name]; u != nil {
		return u, nil
	}
	if err := CheckName("user name", name); err != nil {
		return nil, err // never a path out of users/
	}
	dir := h.Workspace(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("workspace of %s: %w", name, err)
	}
	acct, err := h.account(name)
	if err != nil {
		return nil, err
	}
	token := randomHex(32)
	// Each user's cells read only their own workspace and the system's
	// folders (kernel.Options.ConfineReads: Landlock), not the other
	// users' workspaces or the hub's database.
	kopts := h.opts.KernelOptions
	kopts.ConfineReads = true
	kopts.Env = append(append([]string(nil), kopts.Env...), h.brokerEnv(name)...)
	if acct != nil {
		// Their kernels run as their account, which owns their files.
		if err := giveTree(dir, acct); err != nil {
			return nil, fmt.Errorf("workspace of %s: giving it to %s: %w", name, acct.Name, err)
		}
		kopts.RunAs = acct
		kopts.Env = append(append([]string(nil), kopts.Env...), "HOME="+dir, "USER="+acct.Name, "LOGNAME="+acct.Name)
		if h.opts.LiftSandbox {
			kopts.Trusted, kopts.ConfineReads = true, false
		}
	}
	classes, err := h.store.userClasses(context.Background(), name)
	if err != nil {
		return nil, fmt.Errorf("classes of %s: %w", name, err)
	}
	aopts := app.Options{
		Workspace: dir, Token: token, Static: h.opts.Static, KernelOptions: kopts,
		Logger: h.logger.With("user", name), Now: h.now,
	}
	limits := h.limitsFor(classes)
	limits.apply(&aopts)
	var group *cgroup.Group
	if h.cgroups != nil {
		// All of the user's kernels share one group: one CPU share per
		// user, however many kernels they run, within their caps.
		group, err = h.cgroups.Group(h.opts.CgroupName+"/"+name, cgroup.Limits{Weight: 100, CPUs: limits.CPUs, Memory: limits.UserMemory})
		if err != nil {
			return nil, fmt.Errorf("control group of %s: %w", name, err)
		}
		aopts.KernelOptions.Cgroups = group.Procs()
		if limits.UserMemory > 0 {
			aopts.KernelOptions.OutOfMemory = outOfMemory(group, name, limits.UserMemory)
		}
	}
	srv, err := app.New(aopts)
	if err != nil {
		return nil, fmt.Errorf("notebook server of %s: %w", name, err)
	}
	u := &userServer{srv: srv, token: token, group: group}
	h.users[name] = u
	return u, nil
}

func (h *Hub) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("GET /invite/{token}", h.invitePage)
	mux.HandleFunc("POST /invite/{token}", h.invite)
	mux.HandleFunc("GET /logout", h.logoutPage)
	mux.HandleFunc("POST /logout", h.logout)
	h.oidcRoutes(mux)
	mux.HandleFunc("GET /hub/me", func(w http.ResponseWriter, r *http.Request) {
		u, ok := h.checked(w, r)
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"name": u.Name, "role": u.Role})
	})
	mux.HandleFunc("GET /hub/admin", h.adminPage)
	mux.HandleFunc("POST /hub/admin/stop", h.adminStop)
	mux.HandleFunc("POST /hub/publish", h.publishRequest)
	mux.HandleFunc("POST /hub/handin", h.handIn)
	mux.HandleFunc("POST /hub/share", h.shareRequest)
	mux.HandleFunc("DELETE /hub/share", h.shareRequest)
	mux.HandleFunc("GET /share/{token}", h.sharedView)
	mux.HandleFunc("GET /hub/handins", h.handinsPage)
	mux.HandleFunc("GET /hub/handins/{id}", h.handinView)
	mux.HandleFunc("/user/{name}/", h.userRequest)
	mux.HandleFunc("/user/{name}", func(w http.ResponseWriter, r *http.Request) {
		if CheckName("user name", r.PathValue("name")) != nil {
			writeError(w, http.StatusNotFound, "no page "+r.URL.Path+" on this hub")
			return
		}
		http.Redirect(w, r, "/user/"+r.PathValue("name")+"/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if u, _, ok := h.authenticated(r); ok {
			http.Redirect(w, r, "/user/"+u.Name+"/", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no page "+r.URL.Path+" on this hub")
	})
	return mux
}

// authenticated is the user of r's login session, with the session's
// CSRF value.
func (h *Hub) authenticated(r *http.Request) (User, string, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return User{}, "", false
	}
	u, csrf, ok, err := h.store.session(r.Context(), c.Value, h.now())
	if err != nil {
		h.logger.Error("login session lookup", "err", err)
		return User{}, "", false
	}
	return u, csrf, ok
}

// userRequest passes a request for /user/NAME/… to NAME's notebook
// server, if r carries a login session of NAME, the CSRF header on state
// changes and the hub's own Origin on websockets and state changes.
func (h *Hub) userRequest(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	rest := strings.TrimPrefix(r.URL.Path, "/user/"+name)
	api := strings.HasPrefix(rest, "/api/")
	if dotted(rest) {
		writeError(w, http.StatusNotFound, "no page "+r.URL.Path+": a path with . or .. elements")
		return
	}
	u, csrf, ok := h.authenticated(r)
	if !ok {
		if !api && r.Method == http.MethodGet {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		writeError(w, http.StatusUnauthorized, "not logged in: log in at /login")
		return
	}
	if u.Name != name {
		writeError(w, http.StatusForbidden, fmt.Sprintf("/user/%s/ is not yours (you are logged in as %s)", name, u.Name))
		return
	}
	websocket := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
	if guard.Unsafe(r.Method) {
		if !guard.CSRF(r, app.CSRFCookie, app.CSRFHeader, csrf) {
			writeError(w, http.StatusForbidden, "missing or wrong "+app.CSRFHeader+" header (it must equal the "+app.CSRFCookie+" cookie)")
			return
		}
		if !guard.SameOrigin(r, nil, true) {
			writeError(w, http.StatusForbidden, "request from another origin: "+r.Header.Get("Origin"))
			return
		}
	}
	if websocket && !guard.SameOrigin(r, nil, false) {
		writeError(w, http.StatusForbidden, "websocket from another origin: "+r.Header.Get("Origin"))
		return
	}
	us, err := h.server(name)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	if r.Method == http.MethodGet && rest == "/" {
		// Opening the notebooks brings what was published to the
		// user's classes since the last time.
		if _, err := h.Sync(r.Context(), name); err != nil {
			h.logger.Error("sync", "user", name, "err", err)
		}
	}
	// The notebook server sees the hub's secret for this user, never the
	// browser's cookies; the hub has checked CSRF and Origin.
	r2 := r.Clone(r.Context())
	r2.Header.Del("Cookie")
	r2.Header.Set("Authorization", "token "+us.token)
	r2.Header.Del("Origin")
	if q := r2.URL.Query(); q.Has("token") {
		q.Del("token")
		r2.URL.RawQuery = q.Encode()
	}
	if websocket {
		c, _ := r.Cookie(SessionCookie)
		w = &hijacker{ResponseWriter: w, h: h, token: c.Value, user: name}
	}
	http.StripPrefix("/user/"+name, us.srv.Handler()).ServeHTTP(w, r2)
}

// dotted says whether p has a "." or ".." element: the hub passes no
// such path to a user's server.
func dotted(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == "." || e == ".." {
			return true
		}
	}
	return false
}

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firn hub: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.4rem 1.2rem}.error{color:#a00}</style></head>
<body><h1>Firn</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<label for="name">Name</label><input id="name" name="name" autocomplete="username" value="{{.Name}}" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>{{if .OIDC}}
<p><a href="/oauth/login">Sign in with {{.OIDC}}</a></p>{{end}}</body></html>
`))

var logoutTmpl = template.Must(template.New("logout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firn hub: log out</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>Firn</h1><p>Logged in as {{.Name}}. Your kernels keep running after you log out.</p>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit">Log out</button></form>
<p><a href="/user/{{.Name}}/">Back to your notebooks</a></p></body></html>
`))

// pageHeaders are those of the hub's own pages (login, logout,
// invitations): HTML with no scripts, inline styles, forms to the hub
// only, never framed.
func pageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
}

func (h *Hub) renderLogin(w http.ResponseWriter, status int, name, msg string) {
	pageHeaders(w)
	w.WriteHeader(status)
	_ = loginTmpl.Execute(w, struct{ Name, Error, OIDC string }{name, msg, h.oidcName()})
}

func (h *Hub) loginPage(w http.ResponseWriter, r *http.Request) {
	h.renderLogin(w, http.StatusOK, "", "")
}

// login checks a name and password (form fields name, password). Wrong
// ones count against the account and the address: after
// accountMaxFailures (or addressMaxFailures) within failureWindow, every
// attempt — the right password too — gets 429 with Retry-After until
// the window has passed.
func (h *Hub) login(w http.ResponseWriter, r *http.Request) {
	if !guard.SameOrigin(r, nil, true) {
		writeError(w, http.StatusForbidden, "login from another origin: "+r.Header.Get("Origin"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.renderLogin(w, http.StatusBadRequest, "", "the form could not be read")
		return
	}
	name, password := strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("password")
	if name == "" || password == "" {
		field := "name"
		if name != "" {
			field = "password"
		}
		h.renderLogin(w, http.StatusBadRequest, name, "the "+field+" is empty")
		return
	}
	ip := guard.ClientIP(r)
	blockedA, waitA := h.byAcct.Blocked("user:" + name)
	blockedB, waitB := h.byAddr.Blocked(ip)
	if blockedA || blockedB {
		wait := max(waitA, waitB)
		secs := int(wait/time.Second) + 1
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		who := "for " + name
		if blockedB {
			who = "from " + ip
		}
		h.renderLogin(w, http.StatusTooManyRequests, name, fmt.Sprintf("Too many wrong passwords %s: try again in %d s.", who, secs))
		return
	}
	u, err := h.store.checkLogin(r.Context(), name, password)
	if err != nil {
		h.logger.Error("login", "user", name, "err", err)
		h.renderLogin(w, http.StatusInternalServerError, name, "the hub could not check the password")
		return
	}
	if u == nil {
		h.byAcct.Fail("user:" + name)
		h.byAddr.Fail(ip)
		h.logger.Warn("wrong login", "user", name, "remote", ip)
		h.renderLogin(w, http.StatusUnauthorized, name, "Wrong name or password (or the account is disabled).")
		return
	}
	h.byAcct.Reset("user:" + name)
	if err := h.startSession(w, r, u.Name); err != nil {
		h.logger.Error("new login session", "user", name, "err", err)
		h.renderLogin(w, http.StatusInternalServerError, name, "the hub could not start a session")
		return
	}
	h.logger.Info("login", "user", name, "remote", ip)
	http.Redirect(w, r, "/user/"+u.Name+"/", http.StatusSeeOther)
}

// startSession records a login session of name and sets its cookies.
func (h *Hub) startSession(w http.ResponseWriter, r *http.Request, name string) error {
	now := h.now()
	token, csrf, err := h.store.newSession(r.Context(), name, now, now.Add(h.opts.SessionTTL))
	if err != nil {
		return err
	}
	secure := r.TLS != nil
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: int(h.opts.SessionTTL / time.Second), HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: app.CSRFCookie, Value: csrf, Path: "/", MaxAge: int(h.opts.SessionTTL / time.Second), Secure: secure, SameSite: http.SameSiteStrictMode})
	return nil
}

var inviteTmpl = template.Must(template.New("invite").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firn hub: welcome</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.4rem 1.2rem}.error{color:#a00}</style></head>
<body><h1>Firn</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Name}}<p>Welcome, <strong>{{.Name}}</strong>. Choose a password (at least {{.Min}} characters) to log in with from now on.</p>
<form method="post">
<input type="hidden" name="name" autocomplete="username" value="{{.Name}}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="{{.Min}}" required autofocus>
<label for="again">Password again</label><input id="again" name="again" type="password" autocomplete="new-password" required>
<button type="submit">Start</button>
</form>{{else}}<p><a href="/login">Log in</a></p>{{end}}</body></html>
`))

func (h *Hub) renderInvite(w http.ResponseWriter, status int, name, msg string) {
	pageHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	// The link's token never leaves in a Referer (the page links only
	// to the hub); "no-referrer" would make the form's Origin "null",
	// which the same-origin check refuses.
	w.Header().Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_ = inviteTmpl.Execute(w, struct {
		Name, Error string
		Min         int
	}{name, msg, MinPasswordLength})
}

// invitePage is an invitation link (firn hub class add): the student's
// name and a form to choose a password, or why the link does not work.
func (h *Hub) invitePage(w http.ResponseWriter, r *http.Request) {
	name, err := h.store.invitee(r.Context(), r.PathValue("token"), h.now())
	if err != nil {
		h.renderInvite(w, http.StatusNotFound, "", inviteError(err))
		return
	}
	h.renderInvite(w, http.StatusOK, name, "")
}

// invite sets the invited student's password (fields password, again),
// spends the link and logs the student in.
func (h *Hub) invite(w http.ResponseWriter, r *http.Request) {
	if !guard.SameOrigin(r, nil, true) {
		writeError(w, http.StatusForbidden, "invitation from another origin: "+r.Header.Get("Origin"))
		return
	}
	token := r.PathValue("token")
	name, err := h.store.invitee(r.Context(), token, h.now())
	if err != nil {
		h.renderInvite(w, http.StatusNotFound, "", inviteError(err))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.renderInvite(w, http.StatusBadRequest, name, "the form could not be read")
		return
	}
	password := r.PostForm.Get("password")
	if password != r.PostForm.Get("again") {
		h.renderInvite(w, http.StatusBadRequest, name, "The two passwords differ.")
		return
	}
	if _, err := h.store.redeem(r.Context(), token, password, h.now()); err != nil {
		status, msg := http.StatusBadRequest, err.Error()
		if errors.Is(err, ErrInvitation) {
			status, msg, name = http.StatusNotFound, inviteError(err), ""
		}
		h.renderInvite(w, status, name, msg)
		return
	}
	if err := h.startSession(w, r, name); err != nil {
		h.logger.Error("new login session", "user", name, "err", err)
		h.renderLogin(w, http.StatusInternalServerError, name, "Your password is set, but the hub could not start a session: log in.")
		return
	}
	h.logger.Info("invitation used", "user", name, "remote", guard.ClientIP(r))
	http.Redirect(w, r, "/user/"+name+"/", http.StatusSeeOther)
}

func inviteError(err error) string {
	if errors.Is(err, ErrInvitation) {
		return "This invitation link is unknown, used or expired: ask your teacher for a new one."
	}
	return "the hub could not read the invitation"
}

func (h *Hub) logoutPage(w http.ResponseWriter, r *http.Request) {
	u, csrf, ok := h.authenticated(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	pageHeaders(w)
	_ = logoutTmpl.Execute(w, struct{ Name, CSRF string }{u.Name, csrf})
}

// logout revokes the login session (CSRF value in the header or the form
// field csrf). The user's kernels keep running.
func (h *Hub) logout(w http.ResponseWriter, r *http.Request) {
	_, csrf, ok := h.authenticated(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	given := r.Header.Get(app.CSRFHeader)
	if given == "" {
		_ = r.ParseForm()
		given = r.PostForm.Get("csrf")
	}
	if given == "" || !guard.Equal(given, csrf) || !guard.SameOrigin(r, nil, true) {
		writeError(w, http.StatusForbidden, "missing or wrong CSRF value for /logout")
		return
	}
	c, _ := r.Cookie(SessionCookie)
	if err := h.store.endSession(r.Context(), c.Value); err != nil {
		writeError(w, http.StatusInternalServerError, "logout: "+err.Error())
		return
	}
	h.closeSession(c.Value)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: app.CSRFCookie, Value: "", Path: "/", MaxAge: -1, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"error": msg})
	_, _ = w.Write(append(b, '\n'))
}

// Cull stops, in every user's notebook server, the kernels idle for
// longer than Options.CullIdle, their notebooks' outputs saved first
// (app.Server.CullIdle). It returns the notebooks whose kernels it
// stopped, by user.
func (h *Hub) Cull(ctx context.Context) (map[string][]string, error) {
	if h.opts.CullIdle < 0 {
		return nil, nil
	}
	h.mu.Lock()
	users := make(map[string]*userServer, len(h.users))
	for n, u := range h.users {
		users[n] = u
	}
	h.mu.Unlock()
	out := map[string][]string{}
	var errs []error
	for name, u := range users {
		paths, err := u.srv.CullIdle(ctx, h.opts.CullIdle)
		if err != nil {
			errs = append(errs, fmt.Errorf("user %s: %w", name, err))
		}
		if len(paths) > 0 {
			out[name] = paths
			h.logger.Info("idle kernels stopped", "user", name, "notebooks", paths)
		}
	}
	return out, errors.Join(errs...)
}

// RevalidateEvery is how often Run closes the websockets of ended login
// sessions (a logout closes its own at once).
const RevalidateEvery = 10 * time.Second

// Run sweeps for idle kernels every Options.CullEvery, and for websockets
// of ended login sessions every RevalidateEvery, until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	go func() {
		t := time.NewTicker(RevalidateEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				h.Revalidate(ctx)
			}
		}
	}()
	t := time.NewTicker(h.opts.CullEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if h.opts.CullIdle < 0 {
				continue
			}
			if _, err := h.Cull(ctx); err != nil {
				h.logger.Error("idle culling", "err", err)
			}
		}
	}
}
