package hub

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/firnglacier/firn/app/internal/guard"
)

// OIDCConfig is the sign-in with an OpenID Connect provider (`firn hub
// --oidc FILE`, a JSON object with these fields). See the package
// documentation, "Sign-in with an OpenID Connect provider".
type OIDCConfig struct {
	// Name is the provider's name on the login page ("Sign in with
	// NAME"); empty: the issuer's host.
	Name string `json:"name"`
	// Issuer is the provider's issuer URL (its discovery document is
	// ISSUER/.well-known/openid-configuration).
	Issuer string `json:"issuer"`
	// ClientID and ClientSecret are the hub's registration at the
	// provider; ClientSecretFile is a file holding the secret instead
	// (relative to the configuration file's folder).
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret"`
	ClientSecretFile string `json:"client_secret_file"`
	// RedirectURL is the hub's public address + /oauth/callback, as
	// registered at the provider.
	RedirectURL string `json:"redirect_url"`
	// Scopes asked for (empty: openid, profile, email; openid is always
	// asked for).
	Scopes []string `json:"scopes"`
	// UsernameClaim is the claim whose value, lower-cased, is the user's
	// name on the hub (empty: preferred_username).
	UsernameClaim string `json:"username_claim"`
	// GroupsClaim is the claim listing the user's groups or
	// organisations (empty: groups).
	GroupsClaim string `json:"groups_claim"`
	// AllowedGroups: one of them must be in the groups claim. Empty is
	// refused unless AllowAnyUser is true.
	AllowedGroups []string `json:"allowed_groups"`
	// AllowAnyUser lets everyone the provider signs in use the hub.
	AllowAnyUser bool `json:"allow_any_user"`
	// Roles maps a group to a role (admin or teacher); a user in no such
	// group is a student. It is applied at every sign-in.
	Roles map[string]string `json:"roles"`
	// Classes maps a group to a class of the hub: the user is added to
	// it at every sign-in (and never removed).
	Classes map[string]string `json:"classes"`
	// CreateUsers: a user the hub does not know yet gets an account at
	// their first sign-in (nil: true). If false, only users who signed
	// in before may.
	CreateUsers *bool `json:"create_users"`
}

// OAuth paths of the hub.
const (
	oidcLoginPath    = "/oauth/login"
	oidcCallbackPath = "/oauth/callback"
	// OIDCStateCookie holds a sign-in under way, for OIDCSignInTTL: its
	// state, PKCE verifier, nonce and expiry, sealed (AES-GCM) under a
	// key the hub makes at New. It binds the provider's answer to the
	// browser that asked, and the hub keeps nothing for a sign-in until
	// it is done.
	OIDCStateCookie = "firn_oidc"
	OIDCSignInTTL   = 10 * time.Minute
	// oidcPassword is the password column of an account made by a
	// sign-in: no password matches it, and `firn hub class add` does
	// not send it an invitation.
	oidcPassword = "!oidc"
)

// LoadOIDCConfig reads a sign-in configuration file (JSON) and checks it.
func LoadOIDCConfig(path string) (*OIDCConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sign-in configuration: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c OIDCConfig
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("sign-in configuration %s: %w", path, err)
	}
	if c.ClientSecretFile != "" {
		if c.ClientSecret != "" {
			return nil, fmt.Errorf("sign-in configuration %s: give client_secret or client_secret_file, not both", path)
		}
		f := c.ClientSecretFile
		if !filepath.IsAbs(f) {
			f = filepath.Join(filepath.Dir(path), f)
		}
		s, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("sign-in configuration %s: client_secret_file: %w", path, err)
		}
		c.ClientSecret = strings.TrimSpace(string(s))
		c.ClientSecretFile = ""
	}
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("sign-in configuration %s: %w", path, err)
	}
	return &c, nil
}

// Check says what is missing or wrong in c, naming the field.
func (c *OIDCConfig) Check() error {
	iss, err := url.Parse(c.Issuer)
	if c.Issuer == "" || err != nil || (iss.Scheme != "https" && iss.Scheme != "http") || iss.Host == "" {
		return fmt.Errorf("issuer %q: want the provider's URL, e.g. https://login.example.org", c.Issuer)
	}
	if c.ClientID == "" {
		return errors.New("client_id is empty")
	}
	if c.ClientSecret == "" {
		return errors.New("client_secret (or client_secret_file) is empty")
	}
	ru, err := url.Parse(c.RedirectURL)
	if err != nil || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" || ru.Path != oidcCallbackPath {
		return fmt.Errorf("redirect_url %q: want the hub's public address + %s, e.g. https://hub.example.org%s", c.RedirectURL, oidcCallbackPath, oidcCallbackPath)
	}
	if len(c.AllowedGroups) == 0 && !c.AllowAnyUser {
		return errors.New("allowed_groups is empty: list the groups (or organisations) whose members may sign in, or set allow_any_user to true")
	}
	for g, r := range c.Roles {
		if r != RoleAdmin && r != RoleTeacher && r != RoleStudent {
			return fmt.Errorf("roles[%q] = %q: use admin, teacher or student", g, r)
		}
	}
	for g, class := range c.Classes {
		if err := CheckName(fmt.Sprintf("classes[%q]", g), class); err != nil {
			return err
		}
	}
	return nil
}

func (c *OIDCConfig) displayName() string {
	if c.Name != "" {
		return c.Name
	}
	u, _ := url.Parse(c.Issuer)
	return u.Host
}

func (c *OIDCConfig) usernameClaim() string {
	if c.UsernameClaim == "" {
		return "preferred_username"
	}
	return c.UsernameClaim
}

func (c *OIDCConfig) groupsClaim() string {
	if c.GroupsClaim == "" {
		return "groups"
	}
	return c.GroupsClaim
}

func (c *OIDCConfig) scopes() []string {
	s := c.Scopes
	if len(s) == 0 {
		s = []string{"profile", "email"}
	}
	if !slices.Contains(s, oidc.ScopeOpenID) {
		s = append([]string{oidc.ScopeOpenID}, s...)
	}
	return s
}

// oidcAuth is the hub's side of the sign-in: the provider (found at
// the first sign-in, so that a provider down when the hub starts does
// not stop it) and the key that seals the sign-ins under way into their
// cookies. It keeps nothing per sign-in: an anonymous GET of
// /oauth/login costs the hub no memory, so no number of them can block
// the sign-ins of others.
type oidcAuth struct {
	cfg    OIDCConfig
	client *http.Client
	seal   cipher.AEAD   // AES-256-GCM under a random key of this hub
	sealed atomic.Uint64 // cookies sealed: the GCM nonce's counter

	mu       sync.Mutex
	provider *oidc.Provider
}

// pendingSignIn is a sign-in sent to the provider: its state, PKCE
// verifier and nonce, until expires. It travels sealed in the cookie
// firn_oidc.
type pendingSignIn struct {
	State    string `json:"s"`
	Verifier string `json:"v"`
	Nonce    string `json:"n"`
	Expires  int64  `json:"e"` // Unix seconds
}

func newOIDCAuth(c *OIDCConfig) (*oidcAuth, error) {
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("sign-in configuration: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("sign-in: a key for the state cookie: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sign-in: a key for the state cookie: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sign-in: a key for the state cookie: %w", err)
	}
	return &oidcAuth{cfg: *c, client: &http.Client{Timeout: 15 * time.Second}, seal: aead}, nil
}

// discover returns the provider, reading its discovery document the
// first time.
func (a *oidcAuth) discover(ctx context.Context) (*oidc.Provider, error) {
	a.mu.Lock()
	p := a.provider
	a.mu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, a.client), a.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.provider = p
	a.mu.Unlock()
	return p, nil
}

func (a *oidcAuth) oauth2(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: a.cfg.ClientID, ClientSecret: a.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: a.cfg.RedirectURL, Scopes: a.cfg.scopes()}
}

// begin makes a new sign-in and the value of its cookie: the sign-in
// sealed. The GCM nonce is a counter under a key of this hub alone, so
// it never repeats however many sign-ins are started.
func (a *oidcAuth) begin(now time.Time) (pendingSignIn, string) {
	p := pendingSignIn{State: randomHex(24), Verifier: oauth2.GenerateVerifier(), Nonce: randomHex(24),
		Expires: now.Add(OIDCSignInTTL).Unix()}
	plain, _ := json.Marshal(p) // strings and a number: cannot fail
	nonce := make([]byte, a.seal.NonceSize())
	binary.BigEndian.PutUint64(nonce[len(nonce)-8:], a.sealed.Add(1))
	return p, base64.RawURLEncoding.EncodeToString(a.seal.Seal(nonce, nonce, plain, []byte(OIDCStateCookie)))
}

// open is the sign-in sealed in a cookie's value, if this hub sealed it
// and it has not expired.
func (a *oidcAuth) open(value string, now time.Time) (pendingSignIn, bool) {
	var p pendingSignIn
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(b) < a.seal.NonceSize() {
		return p, false
	}
	plain, err := a.seal.Open(nil, b[:a.seal.NonceSize()], b[a.seal.NonceSize():], []byte(OIDCStateCookie))
	if err != nil || json.Unmarshal(plain, &p) != nil || p.State == "" {
		return p, false
	}
	return p, now.Before(time.Unix(p.Expires, 0))
}

// oidcRoutes adds the sign-in's routes (they answer 404 without
// Options.OIDC).
func (h *Hub) oidcRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+oidcLoginPath, h.oidcLogin)
	mux.HandleFunc("GET "+oidcCallbackPath, h.oidcCallback)
}

// oidcName is the provider's name on the login page ("" without one).
func (h *Hub) oidcName() string {
	if h.oidc == nil {
		return ""
	}
	return h.oidc.cfg.displayName()
}

// stateCookie is the cookie firn_oidc, Secure as the session cookie is:
// when r came over HTTPS (or, with --behind-proxy, the proxy says so).
func (h *Hub) stateCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: OIDCStateCookie, Value: value, Path: "/oauth/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil,
		// Lax: the browser sends it on the provider's redirect back (a
		// top-level GET from another site); Strict would not.
		SameSite: http.SameSiteLaxMode}
}

// oidcLogin sends the browser to the provider, with a new state (also
// in the cookie firn_oidc), nonce and PKCE challenge.
func (h *Hub) oidcLogin(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		writeError(w, http.StatusNotFound, "no page "+r.URL.Path+" on this hub: it has no sign-in provider (firn hub --oidc FILE)")
		return
	}
	name := h.oidc.cfg.displayName()
	p, err := h.oidc.discover(r.Context())
	if err != nil {
		h.logger.Error("sign-in provider discovery", "issuer", h.oidc.cfg.Issuer, "err", err)
		h.renderSignIn(w, http.StatusBadGateway, fmt.Sprintf("%s (%s) cannot be reached: %v. Try again later, or log in with a password if you have one.", name, h.oidc.cfg.Issuer, err))
		return
	}
	q, sealed := h.oidc.begin(h.now())
	http.SetCookie(w, h.stateCookie(r, sealed, int(OIDCSignInTTL/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, h.oidc.oauth2(p).AuthCodeURL(q.State, oidc.Nonce(q.Nonce), oauth2.S256ChallengeOption(q.Verifier)), http.StatusFound)
}

// oidcCallback is where the provider sends the browser back: it checks
// the state against the browser's cookie (one use), exchanges the code
// with the PKCE verifier, verifies the ID token and its nonce, checks
// the groups, maps the name, and starts a session as a password login
// does.
func (h *Hub) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		writeError(w, http.StatusNotFound, "no page "+r.URL.Path+" on this hub: it has no sign-in provider (firn hub --oidc FILE)")
		return
	}
	cfg := &h.oidc.cfg
	prov := cfg.displayName()
	// The cookie is cleared whatever comes next: a sign-in is tried once.
	http.SetCookie(w, h.stateCookie(r, "", -1))
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(OIDCStateCookie)
	if err != nil || c.Value == "" {
		h.renderSignIn(w, http.StatusBadRequest, fmt.Sprintf("No sign-in with %s is under way in this browser (or it took longer than %d minutes, or was already used): start again.", prov, int(OIDCSignInTTL/time.Minute)))
		return
	}
	pend, ok := h.oidc.open(c.Value, h.now())
	if !ok {
		h.renderSignIn(w, http.StatusBadRequest, fmt.Sprintf("This sign-in with %s is unknown, used already or older than %d minutes: start again.", prov, int(OIDCSignInTTL/time.Minute)))
		return
	}
	if state == "" || !guard.Equal(state, pend.State) {
		h.logger.Warn("sign-in with a wrong state", "remote", guard.ClientIP(r))
		h.renderSignIn(w, http.StatusBadRequest, "The answer from "+prov+" is not for the sign-in this browser started (wrong state): start again.")
		return
	}
	if e := q.Get("error"); e != "" {
		msg := prov + " did not sign you in: " + e
		if d := q.Get("error_description"); d != "" {
			msg += " (" + d + ")"
		}
		h.renderSignIn(w, http.StatusForbidden, msg+".")
		return
	}
	code := q.Get("code")
	if code == "" {
		h.renderSignIn(w, http.StatusBadRequest, prov+" sent no code back: start again.")
		return
	}
	p, err := h.oidc.discover(r.Context())
	if err != nil {
		h.renderSignIn(w, http.StatusBadGateway, fmt.Sprintf("%s (%s) cannot be reached: %v. Try again later.", prov, cfg.Issuer, err))
		return
	}
	ctx := oidc.ClientContext(r.Context(), h.oidc.client)
	tok, err := h.oidc.oauth2(p).Exchange(ctx, code, oauth2.VerifierOption(pend.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			h.logger.Warn("sign-in code refused", "issuer", cfg.Issuer, "error", re.ErrorCode, "description", re.ErrorDescription)
			h.renderSignIn(w, http.StatusBadRequest, fmt.Sprintf("%s refused the sign-in code (%s%s): it may have been used already or expired. Start again.", prov, re.ErrorCode, describe(re.ErrorDescription)))
			return
		}
		h.renderSignIn(w, http.StatusBadGateway, fmt.Sprintf("%s (%s) cannot be reached to finish the sign-in: %v. Try again later.", prov, cfg.Issuer, err))
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		h.renderSignIn(w, http.StatusBadGateway, prov+" sent no ID token: is it an OpenID Connect provider, and is the scope openid granted?")
		return
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		h.logger.Warn("ID token refused", "issuer", cfg.Issuer, "err", err)
		h.renderSignIn(w, http.StatusUnauthorized, fmt.Sprintf("The ID token from %s failed verification: %v.", prov, err))
		return
	}
	if !guard.Equal(idt.Nonce, pend.Nonce) {
		h.renderSignIn(w, http.StatusUnauthorized, fmt.Sprintf("The ID token from %s is not for this sign-in (wrong nonce): start again.", prov))
		return
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		h.renderSignIn(w, http.StatusBadGateway, fmt.Sprintf("The ID token from %s could not be read: %v.", prov, err))
		return
	}
	// The groups decide something when some are allowed, or map to
	// roles or classes.
	groupsUsed := len(cfg.AllowedGroups) > 0 || len(cfg.Roles) > 0 || len(cfg.Classes) > 0
	if _, ok := claims[cfg.usernameClaim()]; !ok || (claims[cfg.groupsClaim()] == nil && groupsUsed) {
		// Some providers give these claims at the userinfo endpoint only.
		if p.UserInfoEndpoint() != "" {
			ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			more := map[string]any{}
			switch {
			case err != nil:
				h.logger.Warn("sign-in: the userinfo endpoint failed", "issuer", cfg.Issuer, "subject", idt.Subject, "err", err)
			case ui.Subject != idt.Subject:
				h.logger.Warn("sign-in: the userinfo endpoint answered for another subject", "issuer", cfg.Issuer, "subject", idt.Subject, "userinfo_subject", ui.Subject)
			case ui.Claims(&more) != nil:
				h.logger.Warn("sign-in: the userinfo endpoint's claims could not be read", "issuer", cfg.Issuer, "subject", idt.Subject)
			}
			for k, v := range more {
				if _, ok := claims[k]; !ok {
					claims[k] = v
				}
			}
		}
	}
	// Groups the provider did not give (neither in the ID token nor at
	// the userinfo endpoint) are unknown, not none: they admit no one,
	// and change no one's role.
	groupsKnown := claims[cfg.groupsClaim()] != nil
	groups := stringList(claims[cfg.groupsClaim()])
	if !cfg.AllowAnyUser && !slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(cfg.AllowedGroups, g) }) {
		h.logger.Warn("sign-in of a user in no allowed group", "subject", idt.Subject, "groups", groups)
		h.renderSignIn(w, http.StatusForbidden, fmt.Sprintf("Your account at %s is not in a group allowed on this hub: it admits members of %s (claim %s). Ask your teacher to add you.", prov, strings.Join(cfg.AllowedGroups, ", "), cfg.groupsClaim()))
		return
	}
	rawName, _ := claims[cfg.usernameClaim()].(string)
	if rawName == "" {
		h.renderSignIn(w, http.StatusForbidden, fmt.Sprintf("%s gave no %s claim to name you by on this hub: the hub's admin may need another username_claim.", prov, cfg.usernameClaim()))
		return
	}
	name := strings.ToLower(strings.TrimSpace(rawName))
	if err := CheckName("user name", name); err != nil {
		h.renderSignIn(w, http.StatusForbidden, fmt.Sprintf("Your name at %s (claim %s), %q, cannot be a user name on this hub: it must be 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter. Ask the hub's admin.", prov, cfg.usernameClaim(), rawName))
		return
	}
	role, classes := cfg.mapGroups(groups)
	setRole := len(cfg.Roles) > 0
	if setRole && !groupsKnown {
		setRole = false
		h.logger.Warn("sign-in without groups: the provider gave no groups claim, so the role is left as it is (a new account is a student)",
			"user", name, "subject", idt.Subject, "claim", cfg.groupsClaim())
	}
	create := cfg.CreateUsers == nil || *cfg.CreateUsers
	user, err := h.store.signIn(r.Context(), idt.Issuer, idt.Subject, name, role, setRole, classes, create, h.now())
	if err != nil {
		status, msg := http.StatusForbidden, ""
		switch {
		case errors.Is(err, errNameTaken):
			msg = fmt.Sprintf("The name %s belongs to another account of this hub (a local one, or another person's at %s): ask the hub's admin.", name, prov)
		case errors.Is(err, errNoAccount):
			msg = fmt.Sprintf("%s has no account on this hub, and this hub makes none at sign-in: ask your teacher.", name)
		case errors.Is(err, errDisabled):
			msg = fmt.Sprintf("The account %s is disabled on this hub.", name)
		default:
			status = http.StatusInternalServerError
			h.logger.Error("sign-in", "user", name, "err", err)
			msg = "the hub could not record the sign-in"
		}
		h.renderSignIn(w, status, msg)
		return
	}
	if err := h.startSession(w, r, user); err != nil {
		h.logger.Error("new login session", "user", user, "err", err)
		h.renderSignIn(w, http.StatusInternalServerError, "the hub could not start a session")
		return
	}
	h.logger.Info("sign-in", "user", user, "issuer", cfg.Issuer, "remote", guard.ClientIP(r))
	// A page, not a redirect: the session cookie is SameSite=Strict, and
	// a browser does not send it on a redirect in a chain that another
	// site (the provider) started; this page's own navigation is
	// same-site.
	pageHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	_ = signedInTmpl.Execute(w, struct{ Name string }{user})
}

func describe(d string) string {
	if d == "" {
		return ""
	}
	return ": " + d
}

// stringList reads a claim that is a list of strings or one string.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// mapGroups is the role (the highest the groups give; student without
// one) and the classes of a user in groups.
func (c *OIDCConfig) mapGroups(groups []string) (role string, classes []string) {
	rank := map[string]int{RoleStudent: 0, RoleTeacher: 1, RoleAdmin: 2}
	role = RoleStudent
	for _, g := range groups {
		if r, ok := c.Roles[g]; ok && rank[r] > rank[role] {
			role = r
		}
		if cl, ok := c.Classes[g]; ok && !slices.Contains(classes, cl) {
			classes = append(classes, cl)
		}
	}
	sort.Strings(classes)
	return role, classes
}

var signedInTmpl = template.Must(template.New("signedin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firn hub: signed in</title>
<meta http-equiv="refresh" content="0; url=/user/{{.Name}}/">
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>Firn</h1><p>Signed in as {{.Name}}. <a href="/user/{{.Name}}/">Open your notebooks</a>.</p></body></html>
`))

var signInErrorTmpl = template.Must(template.New("signinerror").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firn hub: sign-in failed</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}.error{color:#a00}</style></head>
<body><h1>Firn</h1><p class="error" role="alert">{{.}}</p><p><a href="/login">Back to the login page</a></p></body></html>
`))

func (h *Hub) renderSignIn(w http.ResponseWriter, status int, msg string) {
	pageHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = signInErrorTmpl.Execute(w, msg)
}

var (
	errNameTaken = errors.New("the name belongs to another account")
	errNoAccount = errors.New("no account, and none is made at sign-in")
	errDisabled  = errors.New("the account is disabled")
)

// signIn finds (or, if create, makes) the account of the provider's
// user (issuer, subject), named name when made, and returns its name.
// The role is set if setRole; the user is added to the classes.
//
// Its transaction, on a connection of its own, takes SQLite's write
// lock at its start (BEGIN IMMEDIATE; other writers wait, under
// busy_timeout): sign-ins that
// start at once run one after the other, each reading what the one
// before wrote. In a deferred transaction, two first sign-ins with one
// name both read that the name was free, and the second failed to write
// (SQLITE_BUSY, a stale snapshot under WAL) rather than being told the
// name is taken, or finding the account its own other tab had just made.
func (s *Store) signIn(ctx context.Context, issuer, subject, name, role string, setRole bool, classes []string, create bool, now time.Time) (string, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return "", err
	}
	done := false
	defer func() {
		if done {
			return
		}
		// Even if ctx has ended: the connection goes back to the pool.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`); err != nil {
			// Still in the transaction, perhaps: not back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	stamp := now.UTC().Format(time.RFC3339)
	var uid int64
	var disabled bool
	err = conn.QueryRowContext(ctx, `SELECT u.id, u.name, u.disabled FROM identities i JOIN users u ON u.id = i.user_id
		WHERE i.issuer = ? AND i.subject = ?`, issuer, subject).Scan(&uid, &name, &disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE name = ?`, name).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			return "", errNameTaken
		}
		if !create {
			return "", errNoAccount
		}
		res, err := conn.ExecContext(ctx, `INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)`, name, role, oidcPassword, stamp)
		if err != nil {
			return "", fmt.Errorf("user %s: %w", name, err)
		}
		uid, _ = res.LastInsertId()
		if _, err := conn.ExecContext(ctx, `INSERT INTO identities (issuer, subject, user_id, created) VALUES (?, ?, ?, ?)`, issuer, subject, uid, stamp); err != nil {
			return "", fmt.Errorf("user %s: %w", name, err)
		}
	case err != nil:
		return "", err
	case disabled:
		return "", errDisabled
	case setRole:
		if _, err := conn.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, role, uid); err != nil {
			return "", err
		}
	}
	for _, class := range classes {
		if _, err := conn.ExecContext(ctx, `INSERT INTO groups (name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING`, class, stamp); err != nil {
			return "", fmt.Errorf("class %s: %w", class, err)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO members (group_id, user_id) SELECT id, ? FROM groups WHERE name = ? ON CONFLICT DO NOTHING`, uid, class); err != nil {
			return "", fmt.Errorf("class %s: %w", class, err)
		}
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return "", err
	}
	done = true
	return name, nil
}
