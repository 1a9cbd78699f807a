package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// The test binary is also the kernel program: started with
// FIRN_KERNEL_CHILD=1 it runs kernel.Main, as `firn kernel` does.
func TestMain(m *testing.M) {
	if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
		os.Exit(kernel.Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

// testTimeout bounds every wait: a hung kernel fails the test, not the run.
const testTimeout = 60 * time.Second

const testToken = "test-token-0123456789"

// kernelOptions makes kernels re-execute the test binary.
func kernelOptions() kernel.Options {
	return kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}}
}

// harness is a server on 127.0.0.1 and a logged-in browser-like client.
type harness struct {
	t      testing.TB
	srv    *Server
	hs     *httptest.Server
	dir    string
	client *http.Client // with the cookies
	csrf   string
}

func newHarness(t testing.TB, mod func(*Options)) *harness {
	t.Helper()
	dir := t.TempDir()
	opts := Options{Workspace: dir, Token: testToken, KernelOptions: kernelOptions()}
	if testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		hs.Close()
	})
	h := &harness{t: t, srv: srv, hs: hs, dir: opts.Workspace, client: login(t, hs.URL)}
	u, _ := url.Parse(hs.URL)
	for _, c := range h.client.Jar.Cookies(u) {
		if c.Name == CSRFCookie {
			h.csrf = c.Value
		}
	}
	if h.csrf == "" {
		t.Fatal("no CSRF cookie after login")
	}
	return h
}

// login opens the token URL as a browser does and returns the client
// with the cookies.
func login(t testing.TB, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: testTimeout}
	resp, err := c.Get(base + "/?token=" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.RawQuery != "" {
		t.Fatalf("login: %s, ended at %s", resp.Status, resp.Request.URL)
	}
	return c
}

// do sends a request as the logged-in browser (with the CSRF header)
// and returns the status and body.
func (h *harness) do(method, path string, body any) (int, []byte) {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, h.hs.URL+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set(CSRFHeader, h.csrf)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// doJSON is do that wants status and decodes the answer into v.
func (h *harness) doJSON(method, path string, body any, want int, v any) {
	h.t.Helper()
	status, out := h.do(method, path, body)
	if status != want {
		h.t.Fatalf("%s %s: %d %s, want %d", method, path, status, out, want)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			h.t.Fatalf("%s %s: %v in %s", method, path, err, out)
		}
	}
}

// frame is a server→client frame as a test reads it.
type frame struct {
	Seq    int64             `json:"seq"`
	Type   string            `json:"type"`
	CellID string            `json:"cell_id"`
	MsgID  string            `json:"msg_id"`
	State  string            `json:"state"`
	Cause  string            `json:"cause"`
	Msg    *protocol.Message `json:"msg"`
	raw    string
}

// msgType is the Jupyter msg_type of a message frame ("" otherwise).
func (f frame) msgType() string {
	if f.Msg == nil {
		return ""
	}
	return f.Msg.Type()
}

// parent is the parent msg_id of a message frame.
func (f frame) parent() string {
	if f.Msg == nil {
		return ""
	}
	return f.Msg.Parent()
}

// text is the visible text of a message frame: stream text, text/plain
// of results, "ename: evalue" of errors.
func (f frame) text() string {
	switch f.msgType() {
	case protocol.Stream:
		var c protocol.StreamContent
		_ = f.Msg.Decode(&c)
		return c.Text
	case protocol.ExecuteResult, protocol.DisplayData:
		var c protocol.DisplayDataContent
		_ = f.Msg.Decode(&c)
		s, _ := c.Data["text/plain"].(string)
		return s
	case protocol.Error:
		var c protocol.ErrorContent
		_ = f.Msg.Decode(&c)
		return c.EName + ": " + c.EValue
	}
	return ""
}

// reply decodes an execute_reply frame.
func (f frame) reply() protocol.ExecuteReplyContent {
	var c protocol.ExecuteReplyContent
	if f.msgType() == protocol.ExecuteReply {
		_ = f.Msg.Decode(&c)
	}
	return c
}

// wsClient is a websocket connection to a session.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
	last int64 // seq of the last frame read
}

// dial connects to session id's websocket after seq since.
func (h *harness) dial(id string, since int64) *wsClient {
	h.t.Helper()
	u := "ws" + strings.TrimPrefix(h.hs.URL, "http") + "/api/sessions/" + id + "/ws"
	if since > 0 {
		u += "?since=" + jsonNumber(since)
	}
	d := websocket.Dialer{Jar: h.client.Jar, HandshakeTimeout: testTimeout}
	conn, resp, err := d.Dial(u, http.Header{"Origin": {h.hs.URL}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		h.t.Fatalf("dial %s: %v (HTTP %d)", u, err, status)
	}
	c := &wsClient{t: h.t, conn: conn, last: since}
	h.t.Cleanup(func() { conn.Close() })
	return c
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

// next reads the next frame; seqs must increase by one (a gap frame
// may jump).
func (c *wsClient) next() frame {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read frame after seq %d: %v", c.last, err)
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("bad frame %s: %v", data, err)
	}
	f.raw = string(data)
	if f.Type != "gap" && f.Seq != c.last+1 {
		c.t.Fatalf("frame seq %d after %d: %s", f.Seq, c.last, data)
	}
	c.last = f.Seq
	return f
}

// until reads frames up to and including the first that satisfies done.
func (c *wsClient) until(done func(frame) bool) []frame {
	c.t.Helper()
	var fs []frame
	for {
		f := c.next()
		fs = append(fs, f)
		if done(f) {
			return fs
		}
	}
}

// replyTo is a predicate for the execute_reply of msgID.
func replyTo(msgID string) func(frame) bool {
	return func(f frame) bool { return f.msgType() == protocol.ExecuteReply && f.parent() == msgID }
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

// execute sends an execute frame.
func (c *wsClient) execute(msgID, cellID, code string) {
	c.t.Helper()
	c.send(map[string]any{"type": "execute", "msg_id": msgID, "cell_id": cellID, "code": code})
}

// run executes code and returns the frames up to its execute_reply.
func (c *wsClient) run(msgID, code string) ([]frame, protocol.ExecuteReplyContent) {
	c.t.Helper()
	c.execute(msgID, "cell-"+msgID, code)
	fs := c.until(replyTo(msgID))
	return fs, fs[len(fs)-1].reply()
}

// output is the visible text of the message frames of msgID.
func output(fs []frame, msgID string) string {
	var b strings.Builder
	for _, f := range fs {
		if f.parent() == msgID {
			b.WriteString(f.text())
		}
	}
	return b.String()
}

// openSession starts (or finds) the session of path.
func (h *harness) openSession(path string) string {
	h.t.Helper()
	var info struct {
		ID string `json:"id"`
	}
	status, out := h.do("POST", "/api/sessions", map[string]string{"path": path})
	if status != http.StatusCreated && status != http.StatusOK {
		h.t.Fatalf("open session: %d %s", status, out)
	}
	if err := json.Unmarshal(out, &info); err != nil {
		h.t.Fatal(err)
	}
	return info.ID
}

// ready opens a session and a client and waits until the kernel is idle.
func (h *harness) ready(path string) (string, *wsClient) {
	h.t.Helper()
	id := h.openSession(path)
	c := h.dial(id, 0)
	c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "idle" })
	return id, c
}
