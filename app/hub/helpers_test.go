package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/firnglacier/firn/internal/testworker"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// The test binary is also the kernel program (as `firn kernel`), and the
// workers a kernel attaches (as `firn worker`).
func TestMain(m *testing.M) {
	if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
		if len(os.Args) > 1 && os.Args[1] == "worker" {
			os.Exit(testworker.Main(os.Args[2:])) // a kernel's compute.Local
		}
		os.Exit(kernel.Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

const testTimeout = 60 * time.Second

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testHub is a hub on 127.0.0.1 with a settable clock.
type testHub struct {
	t     *testing.T
	hub   *Hub
	hs    *httptest.Server
	clock *clock
}

func newTestHub(t *testing.T, mod func(*Options)) *testHub {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	opts := Options{Data: t.TempDir(), Now: c.now,
		KernelOptions: kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}}}
	if mod != nil {
		mod(&opts)
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h.Handler())
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return &testHub{t: t, hub: h, hs: hs, clock: c}
}

func (th *testHub) addUser(name, password string) {
	th.t.Helper()
	if err := th.hub.Store().AddUser(context.Background(), name, RoleStudent, password, "glac101", th.clock.now()); err != nil {
		th.t.Fatal(err)
	}
}

// aliceAndBob adds two students, alice and bob, and returns their
// browsers, logged in.
func (th *testHub) aliceAndBob() (alice, bob *browser) {
	th.t.Helper()
	th.addUser("alice", "moraine-2026")
	th.addUser("bob", "drumlin-2026")
	alice, bob = th.browser(), th.browser()
	alice.mustLogin("alice", "moraine-2026")
	bob.mustLogin("bob", "drumlin-2026")
	return alice, bob
}

// browser is one person's browser: a cookie jar, no redirects followed.
type browser struct {
	th     *testHub
	client *http.Client
}

func (th *testHub) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{th: th, client: &http.Client{Jar: jar, Timeout: testTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login posts the login form and returns the response (body read).
func (b *browser) login(name, password string) *http.Response {
	b.th.t.Helper()
	form := url.Values{"name": {name}, "password": {password}}
	req, _ := http.NewRequest("POST", b.th.hs.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.th.hs.URL)
	resp, err := b.client.Do(req)
	if err != nil {
		b.th.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (b *browser) mustLogin(name, password string) {
	b.th.t.Helper()
	if r := b.login(name, password); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/user/"+name+"/" {
		b.th.t.Fatalf("login %s: %d to %q, want 303 to /user/%s/", name, r.StatusCode, r.Header.Get("Location"), name)
	}
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.th.hs.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// do sends a request as the page would (CSRF header from the cookie,
// the hub's Origin on state changes) and returns status and body.
func (b *browser) do(method, path string, body any) (int, []byte) {
	b.th.t.Helper()
	var r io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, b.th.hs.URL+path, r)
	if method != "GET" {
		req.Header.Set("X-Firn-CSRF", b.cookie("firn_csrf"))
		req.Header.Set("Origin", b.th.hs.URL)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.th.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func (b *browser) logout() {
	b.th.t.Helper()
	if st, body := b.do("POST", "/logout", nil); st != http.StatusSeeOther {
		b.th.t.Fatalf("logout: %d %s", st, body)
	}
}

// dial opens a websocket as the page would; status is the HTTP status
// when refused.
func (b *browser) dial(path string) (*websocket.Conn, int) {
	u := "ws" + strings.TrimPrefix(b.th.hs.URL, "http") + path
	d := websocket.Dialer{Jar: b.client.Jar, HandshakeTimeout: testTimeout}
	conn, resp, err := d.Dial(u, http.Header{"Origin": {b.th.hs.URL}})
	if err != nil {
		if resp != nil {
			return nil, resp.StatusCode
		}
		b.th.t.Fatalf("dial %s: %v", u, err)
	}
	b.th.t.Cleanup(func() { conn.Close() })
	return conn, http.StatusSwitchingProtocols
}

// frame is a websocket frame of a session.
type frame struct {
	Seq    int64             `json:"seq"`
	Type   string            `json:"type"`
	CellID string            `json:"cell_id"`
	Msg    *protocol.Message `json:"msg"`
}

func (f frame) text() string {
	if f.Msg == nil || f.Msg.Type() != protocol.Stream {
		return ""
	}
	var c protocol.StreamContent
	_ = f.Msg.Decode(&c)
	return c.Text
}

// until reads frames until done says so.
func until(t *testing.T, conn *websocket.Conn, done func(frame) bool) []frame {
	t.Helper()
	var fs []frame
	for {
		_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
		_, data, err := conn.ReadMessage()
		if err != nil {
			var seen []string
			for _, f := range fs {
				if f.Msg != nil {
					seen = append(seen, f.Msg.Type()+" "+string(f.Msg.Content))
				} else {
					seen = append(seen, f.Type)
				}
			}
			t.Fatalf("read frame: %v; frames so far:\n%s", err, strings.Join(seen, "\n"))
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
		if done(f) {
			return fs
		}
	}
}

func replyTo(msgID string) func(frame) bool {
	return func(f frame) bool {
		return f.Msg != nil && f.Msg.Type() == protocol.ExecuteReply && f.Msg.Parent() == msgID
	}
}

func textOf(fs []frame) string {
	var sb strings.Builder
	for _, f := range fs {
		sb.WriteString(f.text())
	}
	return sb.String()
}

// notebook is an nbformat notebook with one code cell of id cellID.
func notebook(cellID, code string) map[string]any {
	return map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		"cells":    []any{map[string]any{"cell_type": "code", "id": cellID, "source": code, "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}},
	}
}

// openNotebook writes a notebook at path in name's workspace and opens
// its session; it returns the session id.
func (b *browser) openNotebook(name, path, cellID, code string) string {
	b.th.t.Helper()
	base := "/user/" + name + "/api"
	if st, body := b.do("PUT", base+"/files/content?path="+path, map[string]any{"notebook": notebook(cellID, code), "etag": ""}); st != 200 {
		b.th.t.Fatalf("PUT %s: %d %s", path, st, body)
	}
	st, body := b.do("POST", base+"/sessions", map[string]any{"path": path})
	if st != 201 && st != 200 {
		b.th.t.Fatalf("POST sessions: %d %s", st, body)
	}
	var s struct{ ID string }
	_ = json.Unmarshal(body, &s)
	return s.ID
}

func execute(t *testing.T, conn *websocket.Conn, msgID, cellID, code string) {
	t.Helper()
	if err := conn.WriteJSON(map[string]any{"type": "execute", "msg_id": msgID, "cell_id": cellID, "code": code}); err != nil {
		t.Fatal(err)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
