package app

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

func TestLoginSetsCookiesAndDropsToken(t *testing.T) {
	h := newHarness(t, nil)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(h.hs.URL + "/notebook?x=1&token=" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notebook?x=1" {
		t.Fatalf("login: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	cookies := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		cookies[c.Name] = c
	}
	if c := cookies[TokenCookie]; c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Value != testToken {
		t.Errorf("token cookie %+v", c)
	}
	if c := cookies[CSRFCookie]; c == nil || c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Value == "" || c.Value == testToken {
		t.Errorf("csrf cookie %+v", c)
	}
	resp, err = noRedirect.Get(h.hs.URL + "/?token=wrong")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Errorf("wrong token: %s, cookies %v", resp.Status, resp.Cookies())
	}
}

func TestAuthAndCSRF(t *testing.T) {
	h := newHarness(t, nil)
	body := `{"op":"mkdir","path":"d"}`
	n := 0
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
		cookie map[string]string
		want   int
	}{
		{"no credentials", "GET", nil, nil, 401},
		{"wrong cookie", "GET", nil, map[string]string{TokenCookie: "nope"}, 401},
		{"cookie", "GET", nil, map[string]string{TokenCookie: testToken}, 200},
		{"header", "GET", map[string]string{"Authorization": "token " + testToken}, nil, 200},
		{"wrong header", "GET", map[string]string{"Authorization": "token nope"}, nil, 401},
		{"bearer is not the scheme", "GET", map[string]string{"Authorization": "Bearer " + testToken}, nil, 401},
		{"post without credentials", "POST", nil, nil, 401},
		{"post with cookie, no csrf", "POST", nil, map[string]string{TokenCookie: testToken, CSRFCookie: h.csrf}, 403},
		{"post, csrf header without cookie", "POST", map[string]string{CSRFHeader: h.csrf}, map[string]string{TokenCookie: testToken}, 403},
		{"post, csrf mismatch", "POST", map[string]string{CSRFHeader: "forged"}, map[string]string{TokenCookie: testToken, CSRFCookie: h.csrf}, 403},
		{"post, forged pair", "POST", map[string]string{CSRFHeader: "forged"}, map[string]string{TokenCookie: testToken, CSRFCookie: "forged"}, 403},
		{"post, csrf ok", "POST", map[string]string{CSRFHeader: h.csrf}, map[string]string{TokenCookie: testToken, CSRFCookie: h.csrf}, 201},
		{"post with header token, no csrf needed", "POST", map[string]string{"Authorization": "token " + testToken}, nil, 201},
		{"delete without csrf", "DELETE", nil, map[string]string{TokenCookie: testToken, CSRFCookie: h.csrf}, 403},
		{"put without csrf", "PUT", nil, map[string]string{TokenCookie: testToken, CSRFCookie: h.csrf}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/api/files"
			var req *http.Request
			var err error
			switch tc.method {
			case "POST":
				n++
				req, err = http.NewRequest("POST", h.hs.URL+path, strings.NewReader(strings.Replace(body, `"d"`, `"d`+string(rune('a'+n))+`"`, 1)))
			case "PUT":
				req, err = http.NewRequest("PUT", h.hs.URL+"/api/files/content?path=a.ipynb", strings.NewReader(`{}`))
			case "DELETE":
				req, err = http.NewRequest("DELETE", h.hs.URL+"/api/sessions/x", nil)
			default:
				req, err = http.NewRequest(tc.method, h.hs.URL+path, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			for k, v := range tc.cookie {
				req.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("error without JSON: %s", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestWebsocketOrigin(t *testing.T) {
	h := newHarness(t, nil)
	id := h.openSession("o.ipynb")
	u := "ws" + strings.TrimPrefix(h.hs.URL, "http") + "/api/sessions/" + id + "/ws"
	host := strings.TrimPrefix(h.hs.URL, "http://")
	for _, tc := range []struct {
		name   string
		header http.Header
		jar    bool
		want   int
	}{
		{"same origin", http.Header{"Origin": {h.hs.URL}}, true, 101},
		{"other site", http.Header{"Origin": {"http://evil.example"}}, true, 403},
		{"other port", http.Header{"Origin": {"http://127.0.0.1:1"}}, true, 403},
		{"https scheme", http.Header{"Origin": {"https://" + host}}, true, 403},
		{"origin null", http.Header{"Origin": {"null"}}, true, 403},
		{"no origin, cookie", nil, true, 403},
		{"no origin, token header", http.Header{"Authorization": {"token " + testToken}}, false, 101},
		{"same origin, no cookie", http.Header{"Origin": {h.hs.URL}}, false, 401},
		{"desktop origin not listed", http.Header{"Origin": {"wails://wails"}, "Authorization": {"token " + testToken}}, false, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := websocket.Dialer{HandshakeTimeout: testTimeout}
			if tc.jar {
				d.Jar = h.client.Jar
			} else {
				d.Jar, _ = cookiejar.New(nil)
			}
			wantUpgrade(t, d, u, tc.header, tc.want)
		})
	}
}

// wantUpgrade dials the websocket u with header and checks the status
// of the answer (101: upgraded).
func wantUpgrade(t *testing.T, d websocket.Dialer, u string, header http.Header, want int) {
	t.Helper()
	conn, resp, err := d.Dial(u, header)
	if conn != nil {
		conn.Close()
	}
	if resp == nil {
		t.Fatalf("no response: %v", err)
	}
	if resp.StatusCode != want {
		t.Errorf("status %d, want %d (%v)", resp.StatusCode, want, err)
	}
}

// TestWebsocketExtraOrigins: an origin in Options.WebsocketOrigins (the
// desktop app's webview) may open a session's websocket with the token;
// others still may not, and the token is still needed.
func TestWebsocketExtraOrigins(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.WebsocketOrigins = []string{"wails://wails"} })
	id := h.openSession("o.ipynb")
	u := "ws" + strings.TrimPrefix(h.hs.URL, "http") + "/api/sessions/" + id + "/ws"
	auth := "token " + testToken
	for _, tc := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"listed origin, token header", http.Header{"Origin": {"wails://wails"}, "Authorization": {auth}}, 101},
		{"listed origin, other case", http.Header{"Origin": {"WAILS://wails"}, "Authorization": {auth}}, 101},
		{"listed origin, no token", http.Header{"Origin": {"wails://wails"}}, 401},
		{"listed origin, wrong token", http.Header{"Origin": {"wails://wails"}, "Authorization": {"token nope"}}, 401},
		{"other origin, token header", http.Header{"Origin": {"wails://evil"}, "Authorization": {auth}}, 403},
		{"own origin still works", http.Header{"Origin": {h.hs.URL}, "Authorization": {auth}}, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := websocket.Dialer{HandshakeTimeout: testTimeout}
			wantUpgrade(t, d, u, tc.header, tc.want)
		})
	}
}
