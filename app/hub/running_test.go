package hub

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogoutKeepsRunning: a cell running when its user logs out keeps
// running; logged in again, she gets its output (the session's frames,
// from the start) and the session is the same.
func TestLogoutKeepsRunning(t *testing.T) {
	th := newTestHub(t, nil)
	th.addUser("alice", "moraine-2026")
	b := th.browser()
	b.mustLogin("alice", "moraine-2026")
	id := b.openNotebook("alice", "long.ipynb", "c1", "")
	conn, _ := b.dial("/user/alice/api/sessions/" + id + "/ws")
	// The cell waits for a file that the test writes once alice is
	// logged out: it cannot have finished before.
	execute(t, conn, "m1", "c1", `import "time"
fmt.Println("started")
for { if _, err := os.Stat("go-on"); err == nil { break }; time.Sleep(20 * time.Millisecond) }
fmt.Println("finished")`)
	until(t, conn, func(f frame) bool { return strings.Contains(f.text(), "started") })
	b.logout()
	conn.Close()
	if st, _ := b.do("GET", "/user/alice/api/sessions", nil); st != 401 {
		t.Fatalf("after logout: %d, want 401", st)
	}
	if err := os.WriteFile(filepath.Join(th.hub.Workspace("alice"), "go-on"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.mustLogin("alice", "moraine-2026")
	st, body := b.do("POST", "/user/alice/api/sessions", map[string]any{"path": "long.ipynb"})
	var s struct{ ID string }
	_ = json.Unmarshal(body, &s)
	if st != 200 || s.ID != id {
		t.Fatalf("the notebook's session after logging in again: %d %s, want 200 and session %s", st, body, id)
	}
	conn, _ = b.dial("/user/alice/api/sessions/" + id + "/ws")
	fs := until(t, conn, replyTo("m1"))
	if out := textOf(fs); out != "started\nfinished\n" {
		t.Errorf("outputs seen after logging in again: %q, want started and finished", out)
	}
}

// TestCullIdle: a kernel idle longer than the timeout is stopped, its
// notebook saved first with the outputs of a cell that ran while nobody
// was connected; a busy kernel, and one idle for less, are left.
func TestCullIdle(t *testing.T) {
	th := newTestHub(t, func(o *Options) { o.CullIdle = time.Hour })
	alice, bob := th.aliceAndBob()

	idleID := alice.openNotebook("alice", "idle.ipynb", "c1", `fmt.Println("kept")`)
	conn, _ := alice.dial("/user/alice/api/sessions/" + idleID + "/ws")
	execute(t, conn, "m1", "c1", `fmt.Println("kept")`)
	until(t, conn, replyTo("m1"))
	conn.Close() // the browser is gone; the file has no outputs

	busyID := bob.openNotebook("bob", "busy.ipynb", "b1", "")
	bconn, _ := bob.dial("/user/bob/api/sessions/" + busyID + "/ws")
	execute(t, bconn, "m2", "b1", `import "time"
fmt.Println("working")
for { if _, err := os.Stat("stop"); err == nil { break }; time.Sleep(20 * time.Millisecond) }`)
	until(t, bconn, func(f frame) bool { return strings.Contains(f.text(), "working") })

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	th.clock.add(59 * time.Minute)
	if got, err := th.hub.Cull(ctx); err != nil || len(got) != 0 {
		t.Fatalf("cull after 59 min: %v %v, want nothing stopped", got, err)
	}
	th.clock.add(2 * time.Minute)
	got, err := th.hub.Cull(ctx)
	if err != nil || len(got) != 1 || len(got["alice"]) != 1 || got["alice"][0] != "idle.ipynb" {
		t.Fatalf("cull after 61 min: %v %v, want alice's idle.ipynb only", got, err)
	}
	raw, err := os.ReadFile(filepath.Join(th.hub.Workspace("alice"), "idle.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Metadata struct {
			Firn struct {
				KernelStopped struct{ Cause, At string } `json:"kernel_stopped"`
			} `json:"firn"`
		} `json:"metadata"`
		Cells []struct {
			ExecutionCount *int `json:"execution_count"`
			Outputs        []struct {
				Text []string `json:"text"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 1 || nb.Cells[0].ExecutionCount == nil || *nb.Cells[0].ExecutionCount != 1 ||
		len(nb.Cells[0].Outputs) != 1 || strings.Join(nb.Cells[0].Outputs[0].Text, "") != "kept\n" {
		t.Errorf("the culled notebook on disk: %s, want the cell's output \"kept\" and count 1", raw)
	}
	// The notebook says why its kernel went, for the page to tell alice.
	if ks := nb.Metadata.Firn.KernelStopped; ks.Cause != "stopped after 1h0m0s idle (outputs saved)" || ks.At != "2026-12-04T10:01:00Z" {
		t.Errorf("metadata.firn.kernel_stopped of the culled notebook: %+v, want why and when", ks)
	}
	if st, body := alice.do("GET", "/user/alice/api/sessions", nil); st != 200 || strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("alice's sessions after the cull: %d %s, want none", st, body)
	}
	if st, _ := bob.do("GET", "/user/bob/api/sessions/"+busyID, nil); st != 200 {
		t.Errorf("bob's busy session after the cull: %d, want it running", st)
	}
	if err := os.WriteFile(filepath.Join(th.hub.Workspace("bob"), "stop"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	until(t, bconn, replyTo("m2"))
}
