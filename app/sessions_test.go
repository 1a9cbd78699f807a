package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// launchers are the transports sessions are tested on: the session API
// works the same over each (`firn serve --kernel local|local-tcp`).
var launchers = []kernel.Launcher{kernel.PipeLauncher{}, kernel.TCPLauncher{}}

// withLauncher makes a harness's kernels start with l.
func withLauncher(l kernel.Launcher) func(*Options) {
	return func(o *Options) { o.KernelOptions.Launcher = l }
}

func killProcess(t *testing.T, pid int) {
	t.Helper()
	p, err := os.FindProcess(pid)
	must(t, err)
	must(t, p.Kill())
}

func TestSessionExecutesAndStreams(t *testing.T) {
	h := newHarness(t, nil)
	id, c := h.ready("nb.ipynb")
	if again := h.openSession("./nb.ipynb"); again != id {
		t.Errorf("the same notebook got a second session %s (first %s)", again, id)
	}
	fs, reply := c.run("m1", "x := 40\nfmt.Println(\"hello\")\nx + 2")
	if reply.Status != "ok" || reply.ExecutionCount != 1 {
		t.Errorf("reply %+v", reply)
	}
	if got := output(fs, "m1"); got != "hello\n42" {
		t.Errorf("output %q", got)
	}
	kinds := map[string]bool{}
	for _, f := range fs {
		kinds[f.Type+":"+f.msgType()] = true
		if f.Type == "message" && f.CellID != "cell-m1" {
			t.Errorf("frame of another cell: %s", f.raw)
		}
	}
	for _, k := range []string{"queued:", "kernel:", "message:status", "message:execute_input", "message:stream", "message:execute_result", "message:execute_reply"} {
		if !kinds[k] {
			t.Errorf("no %s frame in %v", k, kinds)
		}
	}
	// Errors come with the cell's line.
	fs, reply = c.run("m2", "y := undefinedThing")
	if reply.Status != "error" || !strings.Contains(output(fs, "m2"), "undefined") {
		t.Errorf("error cell: %+v %q", reply, output(fs, "m2"))
	}
	// Completion and inspection answer with the client's msg_id.
	c.send(map[string]any{"type": "complete", "msg_id": "c1", "code": "fmt.Prin", "cursor_pos": 8})
	f := c.until(func(f frame) bool { return f.parent() == "c1" })
	var comp protocol.CompleteReplyContent
	if err := f[len(f)-1].Msg.Decode(&comp); err != nil || f[len(f)-1].msgType() != protocol.CompleteReply || !contains(comp.Matches, "Println") {
		t.Errorf("complete: %s %+v %v", f[len(f)-1].msgType(), comp, err)
	}
	c.send(map[string]any{"type": "inspect", "msg_id": "i1", "code": "fmt.Println", "cursor_pos": 5})
	f = c.until(func(f frame) bool { return f.parent() == "i1" })
	if f[len(f)-1].msgType() != protocol.InspectReply {
		t.Errorf("inspect: %s", f[len(f)-1].raw)
	}
	// The sessions API lists it; DELETE ends it and its clients.
	var list []struct {
		ID, Path string
		Kernel   struct {
			State          string
			ExecutionCount int `json:"execution_count"`
		}
	}
	h.doJSON("GET", "/api/sessions", nil, 200, &list)
	if len(list) != 1 || list[0].ID != id || list[0].Path != "nb.ipynb" || list[0].Kernel.ExecutionCount != 2 {
		t.Errorf("sessions: %+v", list)
	}
	h.doJSON("DELETE", "/api/sessions/"+id, nil, 204, nil)
	c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "dead" })
	if _, _, err := c.conn.ReadMessage(); err == nil {
		t.Error("the websocket stays open after the session ended")
	}
	h.doJSON("GET", "/api/sessions/"+id, nil, 404, nil)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Two clients of one session see the same frames, whoever sent the cell.
func TestSessionBroadcast(t *testing.T) {
	h := newHarness(t, nil)
	id, a := h.ready("shared.ipynb")
	b := h.dial(id, a.last)
	b.execute("from-b", "cb", `for i := range 3 { fmt.Println("line", i) }`)
	fa := a.until(replyTo("from-b"))
	fb := b.until(replyTo("from-b"))
	if len(fa) != len(fb) {
		t.Fatalf("a got %d frames, b %d", len(fa), len(fb))
	}
	for i := range fa {
		if fa[i].raw != fb[i].raw {
			t.Errorf("frame %d differs:\n%s\n%s", i, fa[i].raw, fb[i].raw)
		}
	}
	if got := output(fa, "from-b"); got != "line 0\nline 1\nline 2\n" {
		t.Errorf("output %q", got)
	}
}

// A client that leaves while a cell runs and comes back with since gets
// every frame made meanwhile, once, in order; the cell went on without it.
func TestSessionReconnectSince(t *testing.T) {
	h := newHarness(t, nil)
	id, a := h.ready("long.ipynb")
	watcher := h.dial(id, a.last) // stays connected: tells the test when the cell is done
	a.run("def", "func fileExists(name string) bool {\n\t_, err := os.Stat(name)\n\treturn err == nil\n}")
	a.execute("long", "c-long", `fmt.Println("started")
for !fileExists("go-on") {
}
for i := range 50 {
	fmt.Println("after", i)
}
"done"`)
	a.until(func(f frame) bool { return f.text() == "started\n" })
	seen := a.last
	a.conn.Close()
	// The browser is gone; the cell goes on.
	must(t, os.WriteFile(filepath.Join(h.dir, "go-on"), nil, 0o644))
	all := watcher.until(replyTo("long"))
	back := h.dial(id, seen)
	got := back.until(replyTo("long")) // next() checks seq = previous + 1: no gap, no duplicate
	if got[0].Seq != seen+1 {
		t.Errorf("replay starts at %d, want %d", got[0].Seq, seen+1)
	}
	var want []frame
	for _, f := range all {
		if f.Seq > seen {
			want = append(want, f)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("replayed %d frames, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].raw != want[i].raw {
			t.Errorf("frame %d: %s, want %s", i, got[i].raw, want[i].raw)
		}
	}
	var text strings.Builder
	for _, f := range got {
		text.WriteString(f.text())
	}
	for i := range 50 {
		if !strings.Contains(text.String(), fmt.Sprintf("after %d\n", i)) {
			t.Fatalf("replay lacks line %d:\n%s", i, text.String())
		}
	}
	if !strings.HasSuffix(text.String(), `"done"`) {
		t.Errorf("replay lacks the result: %q", text.String())
	}
}

// With a small replay buffer, a client asking for frames that are gone
// gets a gap frame first.
func TestSessionReplayGap(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.MaxReplayFrames = 8 })
	id, c := h.ready("gap.ipynb")
	for i := range 5 {
		c.run(fmt.Sprint("m", i), fmt.Sprint(i))
	}
	late := h.dial(id, 1)
	f := late.next()
	if f.Type != "gap" || f.Seq <= 1 {
		t.Fatalf("first frame %s, want a gap", f.raw)
	}
	if n := late.next(); n.Seq != f.Seq+1 {
		t.Errorf("after the gap %d comes %d", f.Seq, n.Seq)
	}
}

// An error cancels the cells queued after it; cells sent later run.
func TestSessionStopOnError(t *testing.T) {
	h := newHarness(t, nil)
	_, c := h.ready("errors.ipynb")
	c.execute("ok1", "a", "1")
	c.execute("bad", "b", `panic("boom")`)
	c.execute("skipped1", "c", `fmt.Println("must not run")`)
	c.execute("skipped2", "d", `fmt.Println("must not run")`)
	fs := c.until(replyTo("skipped2"))
	status := map[string]string{}
	for _, f := range fs {
		if f.msgType() == protocol.ExecuteReply {
			status[f.parent()] = f.reply().Status
			if f.CellID == "" {
				t.Errorf("reply without cell id: %s", f.raw)
			}
		}
		if strings.Contains(f.text(), "must not run") {
			t.Errorf("a cancelled cell ran: %s", f.raw)
		}
	}
	want := map[string]string{"ok1": "ok", "bad": "error", "skipped1": "aborted", "skipped2": "aborted"}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("%s: status %q, want %q (all: %v)", k, status[k], v, status)
		}
	}
	if _, reply := c.run("after", "2"); reply.Status != "ok" {
		t.Errorf("after the error: %+v", reply)
	}
}

// An interrupt (a message to the kernel, on every transport) stops the
// running cell and aborts the queued ones; the kernel keeps its state.
func TestSessionInterrupt(t *testing.T) {
	for _, l := range launchers {
		t.Run(l.Info().Transport, func(t *testing.T) { testSessionInterrupt(t, l) })
	}
}

func testSessionInterrupt(t *testing.T, l kernel.Launcher) {
	h := newHarness(t, withLauncher(l))
	id, c := h.ready("spin.ipynb")
	if got := h.srv.sessions.Get(id).Info().Kernel.LauncherInfo; got != l.Info() {
		t.Errorf("session kernel %+v, want %+v", got, l.Info())
	}
	c.run("keep", "keep := 11")
	c.execute("spin", "s", "fmt.Println(\"started\")\nfor {}")
	c.execute("queued", "q", "keep + 1")
	c.until(func(f frame) bool { return f.text() == "started\n" })
	c.send(map[string]string{"type": "interrupt"})
	fs := c.until(replyTo("queued"))
	var spin protocol.ExecuteReplyContent
	for _, f := range fs {
		if f.parent() == "spin" && f.msgType() == protocol.ExecuteReply {
			spin = f.reply()
		}
	}
	if spin.Status != "error" || spin.EName != "Interrupted" {
		t.Errorf("interrupted cell: %+v", spin)
	}
	if r := fs[len(fs)-1].reply(); r.Status != "aborted" {
		t.Errorf("queued cell: %+v", r)
	}
	if fs, _ := c.run("after", "keep"); output(fs, "after") != "11" {
		t.Errorf("the kernel lost its state: %q", output(fs, "after"))
	}
	// The REST form works too.
	c.execute("spin2", "s", "fmt.Println(\"started\")\nfor {}")
	c.until(func(f frame) bool { return f.text() == "started\n" && f.parent() == "spin2" })
	h.doJSON("POST", "/api/sessions/"+id+"/interrupt", nil, 200, nil)
	if fs := c.until(replyTo("spin2")); fs[len(fs)-1].reply().EName != "Interrupted" {
		t.Errorf("REST interrupt: %s", fs[len(fs)-1].raw)
	}
}

// Killing the kernel process shows as dead (with the cause), restarting
// and idle; the running cell ends with a KernelDied error.
func TestSessionKernelKilled(t *testing.T) {
	for _, l := range launchers {
		t.Run(l.Info().Transport, func(t *testing.T) { testSessionKernelKilled(t, l) })
	}
}

func testSessionKernelKilled(t *testing.T, l kernel.Launcher) {
	h := newHarness(t, withLauncher(l))
	id, c := h.ready("kill.ipynb")
	c.run("x", "x := 1")
	pid := h.srv.sessions.Get(id).Info().Kernel.Pid
	if pid == 0 {
		t.Fatal("no kernel pid")
	}
	c.execute("wait", "w", "fmt.Println(\"started\")\n<-make(chan int)")
	c.until(func(f frame) bool { return f.text() == "started\n" })
	killProcess(t, pid)
	var dead, restarting frame
	var cellErr string
	replyCount := -1
	sawDead := false
	fs := c.until(func(f frame) bool {
		sawDead = sawDead || (f.Type == "kernel" && f.State == "dead")
		return sawDead && f.Type == "kernel" && f.State == "idle"
	})
	for _, f := range fs {
		switch {
		case f.Type == "kernel" && f.State == "dead":
			dead = f
		case f.Type == "kernel" && f.State == "restarting":
			restarting = f
		case f.parent() == "wait" && f.msgType() == protocol.Error:
			cellErr = f.text()
		case f.parent() == "wait" && f.msgType() == protocol.ExecuteReply:
			replyCount = f.reply().ExecutionCount
		}
	}
	// The cell that died keeps the count it started with ([2]), as in Jupyter.
	if replyCount != 2 {
		t.Errorf("the died cell's execute_reply has execution_count %d, want 2 (its execute_input's)", replyCount)
	}
	if !strings.Contains(dead.Cause, "killed") {
		t.Errorf("dead frame %s", dead.raw)
	}
	if restarting.Seq < dead.Seq {
		t.Errorf("no restarting frame after the death")
	}
	if !strings.HasPrefix(cellErr, "KernelDied: ") || !strings.Contains(cellErr, "killed") {
		t.Errorf("the running cell's error: %q", cellErr)
	}
	if fs, reply := c.run("fresh", "x"); reply.Status != "error" || !strings.Contains(output(fs, "fresh"), "undefined: x") {
		t.Errorf("a fresh kernel should not know x: %q", output(fs, "fresh"))
	}
	if h.srv.sessions.Get(id).Info().Kernel.Pid == pid {
		t.Error("same pid after the restart")
	}
	// A restart asked for by the user.
	c.send(map[string]string{"type": "restart"})
	c.until(func(f frame) bool {
		return f.Type == "kernel" && f.State == "restarting" && f.Cause == "restarted by the user"
	})
	c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "idle" })
	h.doJSON("POST", "/api/sessions/"+id+"/restart", nil, 200, nil)
}

// A session keeps its kernel with no client connected, and Shutdown ends
// it.
func TestShutdownStopsKernels(t *testing.T) {
	h := newHarness(t, nil)
	id, c := h.ready("a.ipynb")
	c.run("v", "v := 5")
	c.conn.Close()
	c2 := h.dial(id, 0)
	if fs := c2.until(replyTo("v")); len(fs) == 0 {
		t.Fatal("no replay")
	}
	if fs, _ := c2.run("v2", "v"); output(fs, "v2") != "5" {
		t.Errorf("state after reconnect: %q", output(fs, "v2"))
	}
	pid := h.srv.sessions.Get(id).Info().Kernel.Pid
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	must(t, h.srv.Shutdown(ctx))
	if processRuns(pid) {
		t.Errorf("kernel %d still runs after Shutdown", pid)
	}
	if status, _ := h.do("POST", "/api/files", map[string]string{"op": "mkdir", "path": "late"}); status != http.StatusServiceUnavailable {
		t.Errorf("write after shutdown: %d", status)
	}
}

// The session JSON carries the kernel's pid, where it runs and what
// carries its messages, and the seq of the last frame; a save of the notebook is announced to its clients with the new
// etag (so that another tab adopts it rather than meeting a conflict).
func TestSessionInfoAndSavedFrame(t *testing.T) {
	h := newHarness(t, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": "saved.ipynb"}, 201, nil)
	id, c := h.ready("saved.ipynb")
	_, _ = c.run("m1", "1+1")
	var info struct {
		Seq    int64 `json:"seq"`
		Kernel struct {
			Pid       int    `json:"pid"`
			Name      string `json:"name"`
			Transport string `json:"transport"`
		} `json:"kernel"`
	}
	h.doJSON("GET", "/api/sessions/"+id, nil, 200, &info)
	if info.Kernel.Pid <= 0 || info.Kernel.Name != "local" || info.Kernel.Transport != "pipe" {
		t.Errorf("session JSON without the kernel's pid, name local and transport pipe: %+v", info)
	}
	last := h.srv.sessions.Get(id).Log().LastSeq()
	if info.Seq != last {
		t.Errorf("session seq %d, the log's last seq %d", info.Seq, last)
	}
	var doc struct {
		ETag     string          `json:"etag"`
		Notebook json.RawMessage `json:"notebook"`
	}
	h.doJSON("GET", "/api/files/content?path=saved.ipynb", nil, 200, &doc)
	var saved struct {
		ETag string `json:"etag"`
	}
	h.doJSON("PUT", "/api/files/content?path=./saved.ipynb", map[string]any{"notebook": doc.Notebook, "etag": doc.ETag}, 200, &saved)
	fs := c.until(func(f frame) bool { return f.Type == "saved" })
	var got struct {
		Seq        int64
		Path, ETag string
	}
	must(t, json.Unmarshal([]byte(fs[len(fs)-1].raw), &got))
	if got.Path != "saved.ipynb" || got.ETag != saved.ETag || got.Seq <= last {
		t.Errorf("saved frame %s, want path saved.ipynb, etag %s, seq > %d", fs[len(fs)-1].raw, saved.ETag, last)
	}
}

// TestRenameKeepsTheSession: renaming an open notebook, or its folder,
// moves its session (same kernel, same variables) to the new path and
// tells its clients; a notebook opened later at the old path gets a
// new session.
func TestRenameKeepsTheSession(t *testing.T) {
	tests := []struct {
		name, from, to, open, want string
	}{
		{"the notebook", "a.ipynb", "b.ipynb", "a.ipynb", "b.ipynb"},
		{"its folder", "course", "course-2025", "course/w1.ipynb", "course-2025/w1.ipynb"},
		{"with ./ in the request", "./c.ipynb", "d.ipynb", "c.ipynb", "d.ipynb"},
	}
	h := newHarness(t, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "mkdir", "path": "course"}, 201, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": tc.open}, 201, nil)
			id, c := h.ready(tc.open)
			_, _ = c.run("m1", "x := 41")
			pid := h.srv.sessions.Get(id).Info().Kernel.Pid
			h.doJSON("POST", "/api/files", map[string]string{"op": "rename", "path": tc.from, "to": tc.to}, 200, nil)
			fs := c.until(func(f frame) bool { return f.Type == "renamed" })
			var renamed struct{ Path string }
			must(t, json.Unmarshal([]byte(fs[len(fs)-1].raw), &renamed))
			if renamed.Path != tc.want {
				t.Errorf("renamed frame %s, want path %s", fs[len(fs)-1].raw, tc.want)
			}
			var info struct {
				ID     string `json:"id"`
				Path   string `json:"path"`
				Kernel struct {
					Pid int `json:"pid"`
				} `json:"kernel"`
			}
			h.doJSON("POST", "/api/sessions", map[string]string{"path": tc.want}, 200, &info)
			if info.ID != id || info.Path != tc.want || info.Kernel.Pid != pid {
				t.Errorf("session at the new path %+v, want id %s, pid %d", info, id, pid)
			}
			if fs, reply := c.run("m2", "x + 1"); reply.Status != "ok" || !strings.Contains(output(fs, "m2"), "42") {
				t.Errorf("the variables did not survive the rename: %+v %q", reply, output(fs, "m2"))
			}
			if h.srv.sessions.ByPath(tc.open) != nil {
				t.Errorf("a session is still at the old path %s", tc.open)
			}
		})
	}
}
