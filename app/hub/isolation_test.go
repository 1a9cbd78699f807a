package hub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIsolation: two students with real kernels. Every request of bob's
// for alice's files, sessions, websocket, kernels and downloads — under
// alice's URL, or alice's names and ids under his own — is refused
// (403 or 404), and bob's cells run in bob's folder and cannot write
// into alice's.
func TestIsolation(t *testing.T) {
	th := newTestHub(t, nil)
	alice, bob := th.aliceAndBob()

	aID := alice.openNotebook("alice", "secret.ipynb", "c1", `fmt.Println("alice's result")`)
	conn, st := alice.dial("/user/alice/api/sessions/" + aID + "/ws")
	if st != http.StatusSwitchingProtocols {
		t.Fatalf("alice's own websocket: %d", st)
	}
	execute(t, conn, "m1", "c1", `fmt.Println("alice's result")`)
	if out := textOf(until(t, conn, replyTo("m1"))); !strings.Contains(out, "alice's result") {
		t.Fatalf("alice's cell printed %q", out)
	}
	bID := bob.openNotebook("bob", "mine.ipynb", "b1", `1`)

	for _, c := range []struct{ method, path string }{
		{"GET", "/user/alice/"},
		{"GET", "/user/alice/api/files"},
		{"GET", "/user/alice/api/files/content?path=secret.ipynb"},
		{"GET", "/user/alice/api/files/download?path=secret.ipynb"},
		{"GET", "/user/alice/api/files/trash"},
		{"GET", "/user/alice/api/sessions"},
		{"GET", "/user/alice/api/sessions/" + aID},
		{"GET", "/user/alice/api/kernels"},
		{"POST", "/user/alice/api/sessions"},
		{"POST", "/user/alice/api/sessions/" + aID + "/interrupt"},
		{"POST", "/user/alice/api/sessions/" + aID + "/restart"},
		{"DELETE", "/user/alice/api/sessions/" + aID},
		{"PUT", "/user/alice/api/files/content?path=secret.ipynb"},
		{"POST", "/user/alice/api/files"},
		// alice's names and ids under bob's own URL
		{"GET", "/user/bob/api/sessions/" + aID},
		{"POST", "/user/bob/api/sessions/" + aID + "/interrupt"},
		{"DELETE", "/user/bob/api/sessions/" + aID},
		{"GET", "/user/bob/api/files/content?path=../alice/secret.ipynb"},
		{"GET", "/user/bob/api/files/download?path=../alice/secret.ipynb"},
		{"GET", "/user/bob/api/files/content?path=%2e%2e/alice/secret.ipynb"},
		{"GET", "/user/bob/api/files?path=.."},
		{"GET", "/user/bob/api/files/content?path=" + filepath.Join(th.hub.Workspace("alice"), "secret.ipynb")},
		{"GET", "/user/bob/../alice/api/files"},
		{"GET", "/user/bob/%2e%2e/alice/api/files"},
		{"GET", "/user/Alice/api/files"},
		{"GET", "/user/alice/api/quota"},
		{"POST", "/user/alice/api/graph"},
		// the teachers' and admins' pages, and publishing
		{"GET", "/hub/handins"},
		{"GET", "/hub/handins/1"},
		{"GET", "/hub/admin"},
		{"POST", "/hub/admin/stop"},
		{"POST", "/hub/publish"},
	} {
		var body any
		if c.method == "POST" || c.method == "PUT" {
			body = map[string]any{"path": "secret.ipynb", "op": "delete", "user": "alice", "session": aID, "class": "glac101", "folder": "../alice"}
		}
		st, resp := bob.do(c.method, c.path, body)
		// A path cleaned by the server redirects to alice's URL, which is
		// refused in turn (GET /user/alice/…, above).
		if st != http.StatusForbidden && st != http.StatusNotFound && (st < 300 || st > 308) {
			t.Errorf("bob: %s %s: %d %s, want 403 or 404", c.method, c.path, st, resp)
		}
		if strings.Contains(string(resp), "alice's result") {
			t.Errorf("bob: %s %s: the answer holds alice's output", c.method, c.path)
		}
	}
	for _, p := range []string{
		"/user/alice/api/sessions/" + aID + "/ws",
		"/user/bob/api/sessions/" + aID + "/ws",
	} {
		if _, st := bob.dial(p); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Errorf("bob: websocket %s: %d, want 403 or 404", p, st)
		}
	}
	// alice's session and file are untouched.
	if st, body := alice.do("GET", "/user/alice/api/sessions/"+aID, nil); st != 200 {
		t.Errorf("alice's session after bob's attempts: %d %s", st, body)
	}
	if _, err := os.Stat(filepath.Join(th.hub.Workspace("alice"), "secret.ipynb")); err != nil {
		t.Errorf("alice's notebook after bob's attempts: %v", err)
	}

	// bob's cells run in bob's folder; writing into alice's is refused.
	bconn, _ := bob.dial("/user/bob/api/sessions/" + bID + "/ws")
	execute(t, bconn, "b1", "b1", `wd, _ := os.Getwd(); fmt.Println("wd=" + wd)`)
	fs := until(t, bconn, replyTo("b1"))
	if out := textOf(fs); !strings.Contains(out, "wd="+th.hub.Workspace("bob")+"\n") {
		t.Errorf("bob's cell's working folder: %q, want %s", out, th.hub.Workspace("bob"))
	}
	execute(t, bconn, "b2", "b1", `err := os.WriteFile("../alice/planted.txt", []byte("x"), 0o644); fmt.Println("err:", err)`)
	fs = until(t, bconn, replyTo("b2"))
	if out := textOf(fs); !strings.Contains(out, "outside the workspace") {
		t.Errorf("bob's write into alice's folder: %q, want refused", out)
	}
	if _, err := os.Stat(filepath.Join(th.hub.Workspace("alice"), "planted.txt")); err == nil {
		t.Error("bob's cell wrote into alice's folder")
	}
	// Nor read it (Landlock confines the users' kernels' reads), nor
	// the hub's database.
	for _, path := range []string{"../alice/secret.ipynb", "../../hub.db"} {
		execute(t, bconn, "b3", "b1", fmt.Sprintf("_, err := os.ReadFile(%q); fmt.Println(\"read:\", err)", path))
		fs = until(t, bconn, replyTo("b3"))
		if out := textOf(fs); !strings.Contains(out, "permission denied") {
			t.Errorf("bob's cell reading %s: %q, want permission denied", path, out)
		}
	}
	var sessions []map[string]any
	if st, body := bob.do("GET", "/user/bob/api/sessions", nil); st == 200 {
		_ = json.Unmarshal(body, &sessions)
	}
	if len(sessions) != 1 || sessions[0]["id"] != bID {
		t.Errorf("bob's sessions: %v, want only his own", sessions)
	}
}
