package hub

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/firnglacier/firn/kernel"
)

// testIdP is a real OpenID Connect provider (zitadel's op package) on
// 127.0.0.1, with an in-memory op.Storage: one client (the hub), users
// with groups, RS256-signed ID tokens, PKCE, and a login form.
type testIdP struct {
	t       *testing.T
	srv     *httptest.Server
	issuer  string
	prov    *op.Provider
	key     *rsa.PrivateKey
	client  idpClient
	forgery *rsa.PrivateKey // signs ID tokens with a key not in the JWKS when set

	mu       sync.Mutex
	users    map[string]idpUser // by login name
	requests map[string]*idpRequest
	codes    map[string]string // code → request id
	badNonce bool              // the provider puts another nonce in the ID token
	pkce     []string          // the code challenge method of each request
	// groupsAtUserinfo: the groups are at the userinfo endpoint only,
	// not in the ID token.
	groupsAtUserinfo bool
	// noGroups: the provider gives no groups claim at all.
	noGroups bool
}

type idpUser struct {
	sub, login, password string
	groups               []string
}

type idpRequest struct {
	id, clientID, redirect, state, nonce string
	scopes                               []string
	challenge                            *oidc.CodeChallenge
	responseType                         oidc.ResponseType
	responseMode                         oidc.ResponseMode
	subject                              string
	authTime                             time.Time
	done                                 bool
}

func (r *idpRequest) GetID() string                         { return r.id }
func (r *idpRequest) GetACR() string                        { return "" }
func (r *idpRequest) GetAMR() []string                      { return []string{"pwd"} }
func (r *idpRequest) GetAudience() []string                 { return []string{r.clientID} }
func (r *idpRequest) GetAuthTime() time.Time                { return r.authTime }
func (r *idpRequest) GetClientID() string                   { return r.clientID }
func (r *idpRequest) GetCodeChallenge() *oidc.CodeChallenge { return r.challenge }
func (r *idpRequest) GetNonce() string                      { return r.nonce }
func (r *idpRequest) GetRedirectURI() string                { return r.redirect }
func (r *idpRequest) GetResponseType() oidc.ResponseType    { return r.responseType }
func (r *idpRequest) GetResponseMode() oidc.ResponseMode    { return r.responseMode }
func (r *idpRequest) GetScopes() []string                   { return r.scopes }
func (r *idpRequest) GetState() string                      { return r.state }
func (r *idpRequest) GetSubject() string                    { return r.subject }
func (r *idpRequest) Done() bool                            { return r.done }

// idpClient is the hub's registration at the provider: a confidential
// web client (DevMode: its redirect URL is http on 127.0.0.1).
type idpClient struct{ id, secret, redirect string }

func (c idpClient) GetID() string                       { return c.id }
func (c idpClient) RedirectURIs() []string              { return []string{c.redirect} }
func (c idpClient) PostLogoutRedirectURIs() []string    { return nil }
func (c idpClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c idpClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c idpClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c idpClient) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c idpClient) LoginURL(id string) string {
	return "/ui/login?authRequestID=" + url.QueryEscape(id)
}
func (c idpClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c idpClient) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c idpClient) DevMode() bool                        { return true }
func (c idpClient) IsScopeAllowed(scope string) bool     { return scope == "groups" }
func (c idpClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c idpClient) ClockSkew() time.Duration             { return 0 }
func (c idpClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c idpClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

type idpKey struct {
	id  string
	key any
}

func (k idpKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k idpKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k idpKey) Key() any                                    { return k.key }
func (k idpKey) ID() string                                  { return k.id }
func (k idpKey) Use() string                                 { return "sig" }

var errNotFound = errors.New("not found")

// op.Storage

func (p *testIdP) CreateAuthRequest(_ context.Context, ar *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &idpRequest{id: randomHex(8), clientID: ar.ClientID, redirect: ar.RedirectURI, state: ar.State, nonce: ar.Nonce,
		scopes: ar.Scopes, responseType: ar.ResponseType, responseMode: ar.ResponseMode}
	if p.badNonce {
		r.nonce = "not-the-hubs-nonce"
	}
	p.pkce = append(p.pkce, string(ar.CodeChallengeMethod))
	if ar.CodeChallenge != "" {
		r.challenge = &oidc.CodeChallenge{Challenge: ar.CodeChallenge, Method: ar.CodeChallengeMethod}
	}
	p.requests[r.id] = r
	return r, nil
}

func (p *testIdP) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.requests[id]; ok {
		return r, nil
	}
	return nil, errNotFound
}

func (p *testIdP) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	p.mu.Lock()
	id, ok := p.codes[code]
	p.mu.Unlock()
	if !ok {
		return nil, errNotFound
	}
	return p.AuthRequestByID(ctx, id)
}

func (p *testIdP) SaveAuthCode(_ context.Context, id, code string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once the code has been exchanged: the
// code works once.
func (p *testIdP) DeleteAuthRequest(_ context.Context, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.requests, id)
	for c, rid := range p.codes {
		if rid == id {
			delete(p.codes, c)
		}
	}
	return nil
}

func (p *testIdP) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return randomHex(8), time.Now().Add(5 * time.Minute), nil
}

func (p *testIdP) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("no refresh tokens")
}

func (p *testIdP) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}
func (p *testIdP) TerminateSession(context.Context, string, string) error { return nil }
func (p *testIdP) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return nil
}
func (p *testIdP) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (p *testIdP) SigningKey(context.Context) (op.SigningKey, error) {
	if p.forgery != nil {
		return idpKey{id: "k1", key: p.forgery}, nil
	}
	return idpKey{id: "k1", key: p.key}, nil
}

func (p *testIdP) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (p *testIdP) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{idpKey{id: "k1", key: &p.key.PublicKey}}, nil
}

func (p *testIdP) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != p.client.id {
		return nil, errNotFound
	}
	return p.client, nil
}

func (p *testIdP) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != p.client.id || secret != p.client.secret {
		return errors.New("wrong client secret")
	}
	return nil
}

func (p *testIdP) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest puts the user's login name and groups in the
// ID token.
func (p *testIdP) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	p.mu.Lock()
	if p.groupsAtUserinfo {
		scopes = slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == "groups" })
	}
	p.mu.Unlock()
	return p.userinfo(ui, r.GetSubject(), scopes)
}

func (p *testIdP) userinfo(ui *oidc.UserInfo, sub string, scopes []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.users {
		if u.sub == sub {
			ui.Subject = sub
			if slices.Contains(scopes, oidc.ScopeProfile) {
				ui.PreferredUsername = u.login
			}
			if slices.Contains(scopes, "groups") && !p.noGroups {
				ui.AppendClaims("groups", u.groups)
			}
			return nil
		}
	}
	return errNotFound
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (p *testIdP) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, _, subject, _ string) error {
	return p.userinfo(ui, subject, []string{oidc.ScopeProfile, "groups"})
}
func (p *testIdP) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("no introspection")
}
func (p *testIdP) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}
func (p *testIdP) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}
func (p *testIdP) ValidateJWTProfileScopes(_ context.Context, _ string, s []string) ([]string, error) {
	return s, nil
}
func (p *testIdP) Health(context.Context) error { return nil }

var idpLoginTmpl = template.Must(template.New("l").Parse(`<!doctype html><title>Test IdP</title>
<form method="post" action="/ui/login"><input type="hidden" name="id" value="{{.}}">
<input name="username"><input name="password" type="password"><button>Sign in</button></form>`))

// newTestIdP starts the provider with the hub's redirect URL registered.
func newTestIdP(t *testing.T, redirect string) *testIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testIdP{t: t, key: key, client: idpClient{id: "firn-hub", secret: "s3cret-of-the-hub", redirect: redirect},
		users: map[string]idpUser{}, requests: map[string]*idpRequest{}, codes: map[string]string{}}
	p.srv = httptest.NewUnstartedServer(nil)
	p.issuer = "http://" + p.srv.Listener.Addr().String()
	var ck [32]byte
	_, _ = rand.Read(ck[:])
	p.prov, err = op.NewProvider(&op.Config{CryptoKey: ck, CodeMethodS256: true}, p, op.StaticIssuer(p.issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ui/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = idpLoginTmpl.Execute(w, r.URL.Query().Get("authRequestID"))
	})
	mux.HandleFunc("POST /ui/login", op.NewIssuerInterceptor(p.prov.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id := r.PostForm.Get("id")
		p.mu.Lock()
		u, ok := p.users[r.PostForm.Get("username")]
		req := p.requests[id]
		if !ok || u.password != r.PostForm.Get("password") || req == nil {
			p.mu.Unlock()
			http.Error(w, "wrong username or password", http.StatusUnauthorized)
			return
		}
		req.subject, req.done, req.authTime = u.sub, true, time.Now()
		p.mu.Unlock()
		http.Redirect(w, r, op.AuthCallbackURL(p.prov)(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", p.prov)
	p.srv.Config.Handler = mux
	p.srv.Start()
	t.Cleanup(p.srv.Close)
	return p
}

func (p *testIdP) addUser(login, password string, groups ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[login] = idpUser{sub: "sub-" + randomHex(6), login: login, password: password, groups: groups}
}

// newOIDCHub starts a hub that signs in with a new test provider.
func newOIDCHub(t *testing.T, mod func(*OIDCConfig)) (*testHub, *testIdP) {
	t.Helper()
	th, idp, _ := newOIDCHubLog(t, mod)
	return th, idp
}

// logBuffer is a hub's log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newOIDCHubLog is newOIDCHub, and the hub's log.
func newOIDCHubLog(t *testing.T, mod func(*OIDCConfig)) (*testHub, *testIdP, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	idp := newTestIdP(t, base+"/oauth/callback")
	cfg := &OIDCConfig{Name: "Test IdP", Issuer: idp.issuer, ClientID: idp.client.id, ClientSecret: idp.client.secret,
		RedirectURL: base + "/oauth/callback", Scopes: []string{"openid", "profile", "groups"},
		AllowedGroups: []string{"glac-2026", "staff"}, Roles: map[string]string{"staff": RoleTeacher},
		Classes: map[string]string{"glac-2026": "glac101"}}
	if mod != nil {
		mod(cfg)
	}
	c := &clock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	h, err := New(Options{Data: t.TempDir(), Now: c.now, OIDC: cfg, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		KernelOptions: kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}}})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = h.Handler()
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return &testHub{t: t, hub: h, hs: hs, clock: c}, idp, logs
}

// get fetches u (relative to base) in b without following redirects.
func (b *browser) get(base, u string) (*http.Response, string) {
	b.th.t.Helper()
	ref, err := url.Parse(u)
	if err != nil {
		b.th.t.Fatal(err)
	}
	resp, err := b.client.Get(mustURL(base).ResolveReference(ref).String())
	if err != nil {
		b.th.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var hiddenID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// toCallback does what a browser does from the hub's "Sign in with"
// link to the provider's redirect back: follows the redirects, fills in
// and posts the provider's login form. It returns the URL of the hub's
// callback (code and state), not yet visited.
func (b *browser) toCallback(idp *testIdP, login, password string) string {
	t := b.th.t
	t.Helper()
	cur := b.th.hs.URL + "/oauth/login"
	for range 10 {
		resp, body := b.get(cur, cur)
		switch {
		case resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther:
			next := mustURL(cur).ResolveReference(mustURL(resp.Header.Get("Location"))).String()
			if strings.HasPrefix(next, b.th.hs.URL+"/oauth/callback") {
				return next
			}
			cur = next
		case resp.StatusCode == http.StatusOK && strings.Contains(body, `action="/ui/login"`):
			m := hiddenID.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("the provider's login form has no id: %s", body)
			}
			form := url.Values{"id": {m[1]}, "username": {login}, "password": {password}}
			pr, err := b.client.PostForm(idp.issuer+"/ui/login", form)
			if err != nil {
				t.Fatal(err)
			}
			pb, _ := io.ReadAll(pr.Body)
			pr.Body.Close()
			if pr.StatusCode != http.StatusFound {
				t.Fatalf("provider login as %s: %d %s", login, pr.StatusCode, pb)
			}
			cur = mustURL(idp.issuer + "/ui/login").ResolveReference(mustURL(pr.Header.Get("Location"))).String()
		default:
			t.Fatalf("sign-in at %s: %d %s", cur, resp.StatusCode, body)
		}
	}
	t.Fatal("sign-in: too many redirects")
	return ""
}

var refreshURL = regexp.MustCompile(`http-equiv="refresh" content="0; url=([^"]+)"`)

// callback visits the hub's callback URL: status and page.
func (b *browser) callback(u string) (int, string) {
	resp, body := b.get(b.th.hs.URL, u)
	return resp.StatusCode, body
}

// signIn signs in through the provider and follows the hub's page to
// the notebooks, as a browser does; it returns the path it lands on.
func (b *browser) signIn(idp *testIdP, login, password string) string {
	t := b.th.t
	t.Helper()
	st, body := b.callback(b.toCallback(idp, login, password))
	if st != http.StatusOK {
		t.Fatalf("sign-in of %s: %d %s", login, st, body)
	}
	m := refreshURL.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("sign-in of %s: the page goes nowhere: %s", login, body)
	}
	resp, page := b.get(b.th.hs.URL, m[1])
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s after the sign-in of %s: %d %s", m[1], login, resp.StatusCode, page)
	}
	return m[1]
}

func (b *browser) me() (int, map[string]string) {
	st, body := b.do("GET", "/hub/me", nil)
	var me map[string]string
	_ = json.Unmarshal(body, &me)
	return st, me
}

func TestOIDCSignIn(t *testing.T) {
	th, idp := newOIDCHub(t, nil)
	idp.addUser("alice", "pw-alice", "glac-2026")
	idp.addUser("Hans", "pw-hans", "staff", "glac-2026")
	idp.addUser("bob", "pw-bob", "geology")
	idp.addUser("ünal.k", "pw-unal", "glac-2026")

	// The login page offers the provider, and the password form still.
	resp, page := th.browser().get(th.hs.URL, "/login")
	if resp.StatusCode != 200 || !strings.Contains(page, `<a href="/oauth/login">Sign in with Test IdP</a>`) || !strings.Contains(page, `name="password"`) {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}

	for _, c := range []struct{ login, name, role string }{
		{"alice", "alice", RoleStudent},
		{"Hans", "hans", RoleTeacher}, // lower-cased; staff → teacher
	} {
		b := th.browser()
		if got := b.signIn(idp, c.login, "pw-"+c.name); got != "/user/"+c.name+"/" {
			t.Errorf("%s landed on %s, want /user/%s/", c.login, got, c.name)
		}
		if b.cookie(SessionCookie) == "" || b.cookie("firn_csrf") == "" {
			t.Errorf("%s: no session cookies", c.login)
		}
		if b.stateCookie() != "" {
			t.Errorf("%s: the state cookie is left", c.login)
		}
		if st, me := b.me(); st != 200 || me["name"] != c.name || me["role"] != c.role {
			t.Errorf("%s: /hub/me %d %v, want %s %s", c.login, st, me, c.name, c.role)
		}
		if fi, err := os.Stat(th.hub.Workspace(c.name)); err != nil || !fi.IsDir() {
			t.Errorf("%s: no workspace: %v", c.name, err)
		}
		// The account has no password that logs in.
		if st := b.login(c.name, "pw-"+c.name).StatusCode; st != http.StatusUnauthorized {
			t.Errorf("%s: a password login got %d, want 401", c.name, st)
		}
	}
	// Each sign-in asked with a PKCE challenge (S256).
	idp.mu.Lock()
	if len(idp.pkce) != 2 || slices.ContainsFunc(idp.pkce, func(m string) bool { return m != "S256" }) {
		t.Errorf("code challenge methods %q, want S256 for each sign-in", idp.pkce)
	}
	idp.mu.Unlock()
	users, err := th.hub.Store().Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, fmt.Sprintf("%s %s %v", u.Name, u.Role, u.Groups))
	}
	if want := []string{"alice student [glac101]", "hans teacher [glac101]"}; !slices.Equal(got, want) {
		t.Errorf("users %q, want %q", got, want)
	}

	// A second sign-in is the same account; the role follows the groups.
	idp.mu.Lock()
	u := idp.users["Hans"]
	u.groups = []string{"glac-2026"}
	idp.users["Hans"] = u
	idp.mu.Unlock()
	b := th.browser()
	b.signIn(idp, "Hans", "pw-hans")
	if _, me := b.me(); me["name"] != "hans" || me["role"] != RoleStudent {
		t.Errorf("hans out of staff: /hub/me %v, want student", me)
	}

	for _, c := range []struct {
		login, password, want string
	}{
		{"bob", "pw-bob", "not in a group allowed on this hub: it admits members of glac-2026, staff"},
		{"ünal.k", "pw-unal", `Your name at Test IdP (claim preferred_username), "ünal.k", cannot be a user name on this hub`},
	} {
		b := th.browser()
		st, body := b.callback(b.toCallback(idp, c.login, c.password))
		if st != http.StatusForbidden || !strings.Contains(body, template.HTMLEscapeString(c.want)) {
			t.Errorf("%s: %d %s, want 403 with %q", c.login, st, body, c.want)
		}
		if b.cookie(SessionCookie) != "" {
			t.Errorf("%s has a session", c.login)
		}
		if st, _ := b.me(); st != http.StatusUnauthorized {
			t.Errorf("%s: /hub/me %d, want 401", c.login, st)
		}
	}
	if users, _ := th.hub.Store().Users(context.Background()); len(users) != 2 {
		t.Errorf("%d users after refused sign-ins, want 2", len(users))
	}
}

// TestOIDCStateAndReplay: the provider's answer counts only in the
// browser that started the sign-in, with the state it was given, once;
// the provider itself refuses a used code.
func TestOIDCStateAndReplay(t *testing.T) {
	th, idp := newOIDCHub(t, nil)
	idp.addUser("alice", "pw-alice", "glac-2026")

	// A tampered state.
	b := th.browser()
	cb := b.toCallback(idp, "alice", "pw-alice")
	u := mustURL(cb)
	q := u.Query()
	q.Set("state", randomHex(24))
	u.RawQuery = q.Encode()
	if st, body := b.callback(u.String()); st != http.StatusBadRequest || !strings.Contains(body, "wrong state") {
		t.Errorf("tampered state: %d %s", st, body)
	}
	if b.cookie(SessionCookie) != "" {
		t.Error("a tampered state gave a session")
	}

	// Another browser (an attacker's link) with a good state and code.
	b = th.browser()
	cb = b.toCallback(idp, "alice", "pw-alice")
	other := th.browser()
	if st, body := other.callback(cb); st != http.StatusBadRequest || !strings.Contains(body, "No sign-in with Test IdP is under way in this browser") {
		t.Errorf("callback in another browser: %d %s", st, body)
	}
	if other.cookie(SessionCookie) != "" {
		t.Error("another browser got a session")
	}

	// The callback works once; replayed, it is refused, also with the
	// state cookie put back: the state in clear (the cookie is not the
	// state), or the sealed sign-in the browser had (the provider
	// refuses a code used already).
	b = th.browser()
	cb = b.toCallback(idp, "alice", "pw-alice")
	state := mustURL(cb).Query().Get("state")
	sealed := b.stateCookie()
	if raw, _ := base64.RawURLEncoding.DecodeString(sealed); sealed == "" || strings.Contains(sealed, state) || strings.Contains(string(raw), state) {
		t.Errorf("state cookie %q: want the sign-in sealed, without its state %s in clear", sealed, state)
	}
	if st, body := b.callback(cb); st != http.StatusOK {
		t.Fatalf("sign-in: %d %s", st, body)
	}
	if b.stateCookie() != "" {
		t.Error("the state cookie is left after the sign-in")
	}
	replay := th.browser()
	if st, body := replay.callback(cb); st != http.StatusBadRequest {
		t.Errorf("replayed callback: %d %s", st, body)
	}
	replay.client.Jar.SetCookies(mustURL(th.hs.URL+"/oauth/"), []*http.Cookie{{Name: OIDCStateCookie, Value: state, Path: "/oauth/"}})
	if st, body := replay.callback(cb); st != http.StatusBadRequest || !strings.Contains(body, "This sign-in with Test IdP is unknown, used already") {
		t.Errorf("replayed callback with the state cookie: %d %s", st, body)
	}
	if replay.cookie(SessionCookie) != "" {
		t.Error("a replayed callback gave a session")
	}
	replay.client.Jar.SetCookies(mustURL(th.hs.URL+"/oauth/"), []*http.Cookie{{Name: OIDCStateCookie, Value: sealed, Path: "/oauth/"}})
	if st, body := replay.callback(cb); st != http.StatusBadRequest || !strings.Contains(body, "Test IdP refused the sign-in code") {
		t.Errorf("replayed callback with the sealed state cookie: %d %s", st, body)
	}
	if replay.cookie(SessionCookie) != "" {
		t.Error("a replayed callback with the sealed state cookie gave a session")
	}

	// The used code with a new sign-in's state: the provider refuses it.
	code := mustURL(cb).Query().Get("code")
	b2 := th.browser()
	cb2 := mustURL(b2.toCallback(idp, "alice", "pw-alice"))
	q = cb2.Query()
	q.Set("code", code)
	cb2.RawQuery = q.Encode()
	if st, body := b2.callback(cb2.String()); st != http.StatusBadRequest || !strings.Contains(body, "Test IdP refused the sign-in code") {
		t.Errorf("used code: %d %s", st, body)
	}
	if b2.cookie(SessionCookie) != "" {
		t.Error("a used code gave a session")
	}
}

// stateCookie is the browser's cookie firn_oidc (Path /oauth/).
func (b *browser) stateCookie() string {
	for _, c := range b.client.Jar.Cookies(mustURL(b.th.hs.URL + "/oauth/")) {
		if c.Name == OIDCStateCookie {
			return c.Value
		}
	}
	return ""
}

// TestOIDCStateCookie: the sign-in sealed in the cookie firn_oidc
// counts only unaltered and for 10 minutes; the cookie is Secure
// exactly when the session cookie is (the request came over HTTPS),
// whatever the scheme of redirect_url.
func TestOIDCStateCookie(t *testing.T) {
	t.Run("altered", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.addUser("alice", "pw-alice", "glac-2026")
		b := th.browser()
		cb := b.toCallback(idp, "alice", "pw-alice")
		v := []byte(b.stateCookie())
		i := len(v) / 2
		if v[i] == 'A' {
			v[i] = 'B'
		} else {
			v[i] = 'A'
		}
		b.client.Jar.SetCookies(mustURL(th.hs.URL+"/oauth/"), []*http.Cookie{{Name: OIDCStateCookie, Value: string(v), Path: "/oauth/"}})
		if st, body := b.callback(cb); st != http.StatusBadRequest || !strings.Contains(body, "This sign-in with Test IdP is unknown, used already or older than 10 minutes") {
			t.Errorf("altered state cookie: %d %s", st, body)
		}
		if b.cookie(SessionCookie) != "" {
			t.Error("an altered state cookie gave a session")
		}
	})
	t.Run("expired", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.addUser("alice", "pw-alice", "glac-2026")
		b := th.browser()
		cb := b.toCallback(idp, "alice", "pw-alice")
		th.clock.add(OIDCSignInTTL)
		if st, body := b.callback(cb); st != http.StatusBadRequest || !strings.Contains(body, "older than 10 minutes") {
			t.Errorf("sign-in after 10 minutes: %d %s", st, body)
		}
		if b.cookie(SessionCookie) != "" {
			t.Error("an expired sign-in gave a session")
		}
	})
	for _, c := range []struct {
		redirect string
		tls      bool
	}{
		{"http", false}, {"http", true}, {"https", false}, {"https", true},
	} {
		t.Run(fmt.Sprintf("secure %s redirect, TLS %v", c.redirect, c.tls), func(t *testing.T) {
			th, _ := newOIDCHub(t, func(o *OIDCConfig) {
				if c.redirect == "https" {
					o.RedirectURL = "https://hub.example.org/oauth/callback"
				}
			})
			th.addUser("tess", "local-password-1")
			serve := func(req *http.Request) map[string]*http.Cookie {
				if c.tls {
					req.TLS = &tls.ConnectionState{}
				}
				rec := httptest.NewRecorder()
				th.hub.Handler().ServeHTTP(rec, req)
				got := map[string]*http.Cookie{}
				for _, ck := range rec.Result().Cookies() {
					got[ck.Name] = ck
				}
				return got
			}
			state := serve(httptest.NewRequest("GET", "http://hub.example.org/oauth/login", nil))[OIDCStateCookie]
			login := httptest.NewRequest("POST", "http://hub.example.org/login", strings.NewReader(url.Values{"name": {"tess"}, "password": {"local-password-1"}}.Encode()))
			login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			login.Header.Set("Origin", map[bool]string{false: "http", true: "https"}[c.tls]+"://hub.example.org")
			session := serve(login)[SessionCookie]
			if state == nil || session == nil {
				t.Fatalf("no cookie firn_oidc (%v) or no session cookie (%v)", state, session)
			}
			if state.Secure != c.tls || session.Secure != c.tls {
				t.Errorf("Secure: firn_oidc %v, session cookie %v; want both %v", state.Secure, session.Secure, c.tls)
			}
		})
	}
}

// TestOIDCRefused: an ID token signed with a key the provider does not
// publish, a wrong nonce, a provider that is down, a name taken by a
// local account, a disabled account, no accounts made at sign-in.
func TestOIDCRefused(t *testing.T) {
	ctx := context.Background()
	t.Run("forged ID token", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.addUser("alice", "pw-alice", "glac-2026")
		forged, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		idp.forgery = forged
		b := th.browser()
		st, body := b.callback(b.toCallback(idp, "alice", "pw-alice"))
		if st != http.StatusUnauthorized || !strings.Contains(body, "The ID token from Test IdP failed verification") {
			t.Errorf("forged ID token: %d %s", st, body)
		}
		if b.cookie(SessionCookie) != "" {
			t.Error("a forged ID token gave a session")
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.addUser("alice", "pw-alice", "glac-2026")
		idp.badNonce = true
		b := th.browser()
		st, body := b.callback(b.toCallback(idp, "alice", "pw-alice"))
		if st != http.StatusUnauthorized || !strings.Contains(body, "wrong nonce") {
			t.Errorf("wrong nonce: %d %s", st, body)
		}
	})
	t.Run("groups at the userinfo endpoint", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.addUser("alice", "pw-alice", "glac-2026")
		idp.addUser("bob", "pw-bob", "geology")
		idp.groupsAtUserinfo = true
		b := th.browser()
		if got := b.signIn(idp, "alice", "pw-alice"); got != "/user/alice/" {
			t.Errorf("alice landed on %s", got)
		}
		b = th.browser()
		if st, body := b.callback(b.toCallback(idp, "bob", "pw-bob")); st != http.StatusForbidden || !strings.Contains(body, "not in a group allowed") {
			t.Errorf("bob: %d %s", st, body)
		}
	})
	t.Run("refused at the provider", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.addUser("alice", "pw-alice", "glac-2026")
		b := th.browser()
		cb := mustURL(b.toCallback(idp, "alice", "pw-alice"))
		cb.RawQuery = url.Values{"state": {cb.Query().Get("state")}, "error": {"access_denied"}, "error_description": {"the user said no"}}.Encode()
		if st, body := b.callback(cb.String()); st != http.StatusForbidden || !strings.Contains(body, "Test IdP did not sign you in: access_denied (the user said no)") {
			t.Errorf("access_denied: %d %s", st, body)
		}
	})
	t.Run("provider down", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.srv.Close()
		resp, body := th.browser().get(th.hs.URL, "/oauth/login")
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "Test IdP ("+idp.issuer+") cannot be reached") {
			t.Errorf("provider down: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("name of a local account", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		th.addUser("alice", "local-password-1")
		idp.addUser("alice", "pw-alice", "glac-2026")
		b := th.browser()
		st, body := b.callback(b.toCallback(idp, "alice", "pw-alice"))
		if st != http.StatusForbidden || !strings.Contains(body, "The name alice belongs to another account of this hub") {
			t.Errorf("local name: %d %s", st, body)
		}
		if b.cookie(SessionCookie) != "" {
			t.Error("signed in as the local account")
		}
	})
	t.Run("disabled", func(t *testing.T) {
		th, idp := newOIDCHub(t, nil)
		idp.addUser("alice", "pw-alice", "glac-2026")
		th.browser().signIn(idp, "alice", "pw-alice")
		if err := th.hub.Store().SetDisabled(ctx, "alice", true); err != nil {
			t.Fatal(err)
		}
		b := th.browser()
		st, body := b.callback(b.toCallback(idp, "alice", "pw-alice"))
		if st != http.StatusForbidden || !strings.Contains(body, "The account alice is disabled") {
			t.Errorf("disabled: %d %s", st, body)
		}
	})
	t.Run("no accounts made", func(t *testing.T) {
		th, idp := newOIDCHub(t, func(c *OIDCConfig) { no := false; c.CreateUsers = &no })
		idp.addUser("alice", "pw-alice", "glac-2026")
		b := th.browser()
		st, body := b.callback(b.toCallback(idp, "alice", "pw-alice"))
		if st != http.StatusForbidden || !strings.Contains(body, "alice has no account on this hub") {
			t.Errorf("create_users false: %d %s", st, body)
		}
	})
}

func TestLoadOIDCConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := `"issuer": "https://login.example.org", "client_id": "hub", "redirect_url": "https://hub.example.org/oauth/callback", "allowed_groups": ["glac"]`
	for _, c := range []struct{ name, json, want string }{
		{"secret file", `{` + good + `, "client_secret_file": "secret"}`, ""},
		{"no secret", `{` + good + `}`, "client_secret (or client_secret_file) is empty"},
		{"both secrets", `{` + good + `, "client_secret": "x", "client_secret_file": "secret"}`, "give client_secret or client_secret_file, not both"},
		{"missing secret file", `{` + good + `, "client_secret_file": "nope"}`, "client_secret_file: open"},
		{"unknown field", `{` + good + `, "client_secret": "x", "allowed_group": ["x"]}`, `unknown field "allowed_group"`},
		{"redirect path", `{"issuer": "https://login.example.org", "client_id": "hub", "client_secret": "x", "redirect_url": "https://hub.example.org/callback", "allowed_groups": ["g"]}`, "want the hub's public address + /oauth/callback"},
		{"no issuer", `{"client_id": "hub", "client_secret": "x", "redirect_url": "https://hub.example.org/oauth/callback", "allowed_groups": ["g"]}`, `issuer "": want the provider's URL`},
		{"no groups", `{"issuer": "https://login.example.org", "client_id": "hub", "client_secret": "x", "redirect_url": "https://hub.example.org/oauth/callback"}`, "allowed_groups is empty"},
		{"any user", `{"issuer": "https://login.example.org", "client_id": "hub", "client_secret": "x", "redirect_url": "https://hub.example.org/oauth/callback", "allow_any_user": true}`, ""},
		{"bad role", `{` + good + `, "client_secret": "x", "roles": {"staff": "boss"}}`, `roles["staff"] = "boss": use admin, teacher or student`},
		{"bad class", `{` + good + `, "client_secret": "x", "classes": {"glac": "Glac 101"}}`, `classes["glac"] "Glac 101"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "oidc.json")
			if err := os.WriteFile(path, []byte(c.json), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadOIDCConfig(path)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.name == "secret file" && cfg.ClientSecret != "from-a-file" {
					t.Errorf("secret %q", cfg.ClientSecret)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s with %q", err, path, c.want)
			}
		})
	}
}

// TestOIDCPendingFlood: GETs of /oauth/login from a client that keeps
// no cookies cost the hub nothing it could run out of: after 10,000 of
// them (the size of the table of sign-ins under way that the hub once
// kept, and then answered 503 to everyone for 10 minutes), each answered
// with the redirect to the provider, alice still signs in.
func TestOIDCPendingFlood(t *testing.T) {
	const flood = 10000
	th, idp := newOIDCHub(t, nil)
	idp.addUser("alice", "pw-alice", "glac-2026")
	attacker := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range flood {
		resp, err := attacker.Get(th.hs.URL + "/oauth/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Errorf("anonymous GET %d of /oauth/login: %d %s, want 302 to the provider", i+1, resp.StatusCode, strings.TrimSpace(string(body)))
			break
		}
	}
	b := th.browser()
	if got := b.signIn(idp, "alice", "pw-alice"); got != "/user/alice/" {
		t.Errorf("after %d anonymous GETs of /oauth/login, alice landed on %s, want /user/alice/", flood, got)
	}
}

// TestOIDCAnyUserRolesFromUserinfo: with allow_any_user and roles
// whose groups the provider gives at the userinfo endpoint only, the hub
// asks the userinfo endpoint for them (it once did only for
// allowed_groups, and made a staff member a student at each sign-in);
// a change of groups there still changes the role.
func TestOIDCAnyUserRolesFromUserinfo(t *testing.T) {
	th, idp := newOIDCHub(t, func(c *OIDCConfig) { c.AllowAnyUser = true; c.AllowedGroups = nil })
	idp.addUser("hans", "pw-hans", "staff", "glac-2026")
	idp.groupsAtUserinfo = true
	b := th.browser()
	b.signIn(idp, "hans", "pw-hans")
	if _, me := b.me(); me["role"] != RoleTeacher {
		t.Errorf("hans (group staff → teacher, groups at userinfo): /hub/me %v, want role teacher", me)
	}
	idp.mu.Lock()
	u := idp.users["hans"]
	u.groups = []string{"glac-2026"}
	idp.users["hans"] = u
	idp.mu.Unlock()
	b = th.browser()
	b.signIn(idp, "hans", "pw-hans")
	if _, me := b.me(); me["role"] != RoleStudent {
		t.Errorf("hans out of staff (groups at userinfo): /hub/me %v, want role student", me)
	}
}

// TestOIDCRoleKeptWithoutGroups: with allow_any_user and roles, a
// sign-in whose groups the provider does not give at all (neither in the
// ID token nor at the userinfo endpoint) leaves the role as it is, and
// the hub's log says why.
func TestOIDCRoleKeptWithoutGroups(t *testing.T) {
	th, idp, logs := newOIDCHubLog(t, func(c *OIDCConfig) { c.AllowAnyUser = true; c.AllowedGroups = nil })
	idp.addUser("hans", "pw-hans", "staff", "glac-2026")
	b := th.browser()
	b.signIn(idp, "hans", "pw-hans")
	if _, me := b.me(); me["role"] != RoleTeacher {
		t.Fatalf("hans (group staff → teacher): /hub/me %v, want role teacher", me)
	}
	idp.mu.Lock()
	idp.noGroups = true
	idp.mu.Unlock()
	b = th.browser()
	b.signIn(idp, "hans", "pw-hans")
	if _, me := b.me(); me["role"] != RoleTeacher {
		t.Errorf("hans, signed in without groups: /hub/me %v, want role teacher (unchanged)", me)
	}
	if l := logs.String(); !strings.Contains(l, "the provider gave no groups claim, so the role is left as it is") || !strings.Contains(l, "user=hans") {
		t.Errorf("the hub's log does not say why hans's role was left:\n%s", l)
	}
}

// TestOIDCFirstSignInRace: first sign-ins that start at once with the
// same name: of different people, one gets the account and the others
// the clear "name belongs to another account" (errNameTaken, not a
// failed write, which was a 500 page); of one person (two tabs), all are
// that one account.
func TestOIDCFirstSignInRace(t *testing.T) {
	const racers, rounds = 8, 10
	for _, c := range []struct {
		name       string
		samePerson bool
	}{
		{"different people", false},
		{"one person", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := OpenStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
			for round := range rounds {
				name := fmt.Sprintf("user%d", round)
				errs := make([]error, racers)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range racers {
					subject := fmt.Sprintf("sub-%d-%d", round, i)
					if c.samePerson {
						subject = fmt.Sprintf("sub-%d", round)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						var got string
						got, errs[i] = s.signIn(context.Background(), "https://idp.example", subject, name, RoleStudent, false, []string{"glac101"}, true, now)
						if errs[i] == nil && got != name {
							errs[i] = fmt.Errorf("signed in as %s", got)
						}
					}()
				}
				close(start)
				wg.Wait()
				ok, taken, other := 0, 0, []error(nil)
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case errors.Is(err, errNameTaken):
						taken++
					default:
						other = append(other, err)
					}
				}
				if want := map[bool]int{false: 1, true: racers}[c.samePerson]; ok != want || taken != racers-want {
					t.Fatalf("%s: %d sign-ins made or found the account, %d were told the name is taken and %d failed (%v), want %d, %d and 0",
						name, ok, taken, len(other), errors.Join(other...), want, racers-want)
				}
			}
			users, err := s.Users(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != rounds {
				t.Errorf("%d accounts after %d rounds, want one a round", len(users), rounds)
			}
		})
	}
}
