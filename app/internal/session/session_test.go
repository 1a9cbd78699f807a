package session

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// The test binary is also the kernel program: started with
// FIRN_KERNEL_CHILD=1 it runs `firn kernel`.
func TestMain(m *testing.M) {
	if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
		os.Exit(kernel.Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

func startSession(t *testing.T) *Session {
	t.Helper()
	s := Start("s1", Options{Path: "nb.ipynb", Kernel: kernel.Options{
		Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: t.TempDir(),
	}})
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// testFrame is what a frame of the log says, in short.
type testFrame struct {
	Type   string            `json:"type"`
	State  string            `json:"state"`
	Cause  string            `json:"cause"`
	CellID string            `json:"cell_id"`
	Msg    *protocol.Message `json:"msg"`
	// Spec and Options are a "switched" frame's.
	Spec    string            `json:"spec"`
	Options map[string]string `json:"options"`
}

// readUntil reads the session's frames from since until done says so
// (or the test times out); it returns them and the last seq.
func readUntil(t *testing.T, s *Session, since int64, done func(testFrame) bool) ([]testFrame, int64) {
	t.Helper()
	timeout := time.After(time.Minute)
	var out []testFrame
	for {
		b, wait, closed := s.Log().Read(since, 256)
		first := b.Last - int64(len(b.Frames)) + 1
		for i, raw := range b.Frames {
			var f testFrame
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
			since = first + int64(i)
			if done(f) {
				return out, since
			}
		}
		if len(b.Frames) == 0 {
			if closed {
				t.Fatal("the log closed")
			}
			select {
			case <-wait:
			case <-timeout:
				t.Fatalf("timed out; frames so far: %+v", out)
			}
		}
	}
}

// states lists the kernel frames' states, in order.
func states(fs []testFrame) []string {
	var out []string
	for _, f := range fs {
		if f.Type == "kernel" {
			out = append(out, f.State)
		}
	}
	return out
}

// When a cell kills the kernel, the clients see it die and restart before
// the kernel is idle again: busy, dead, restarting, idle; never idle
// between busy and dead (which made the browser think the kernel was
// ready). The next cell runs on the new kernel. (Before the fix the order
// depended on which of two goroutines ran first, so the test kills the
// kernel several times.)
func TestSessionStatusOrderAtDeath(t *testing.T) {
	s := startSession(t)
	_, since := readUntil(t, s, 0, func(f testFrame) bool { return f.Type == "kernel" && f.State == Idle })
	for round := range 12 {
		kill, next := fmt.Sprintf("kill-%d", round), fmt.Sprintf("next-%d", round)
		s.Execute(kill, "c1", "import \"time\"\ntime.AfterFunc(0, func() { panic(\"the end\") })\nselect {}", ExecuteOptions{})
		fs, seq := readUntil(t, s, since, func(f testFrame) bool {
			return f.Type == "message" && f.Msg.Type() == protocol.ExecuteReply && f.Msg.Parent() == kill
		})
		s.Execute(next, "c2", "1 + 1", ExecuteOptions{})
		more, seq := readUntil(t, s, seq, func(f testFrame) bool {
			return f.Type == "message" && f.Msg.Type() == protocol.ExecuteReply && f.Msg.Parent() == next
		})
		since = seq
		fs = append(fs, more...)
		// After the restart the kernel is idle, or busy at once with the
		// next cell.
		// (The idle after the previous round's last reply may come first.)
		got := strings.TrimPrefix(strings.Join(states(fs), " "), "idle ")
		if !strings.HasPrefix(got, "busy dead restarting idle") && !strings.HasPrefix(got, "busy dead restarting busy") {
			t.Fatalf("round %d: kernel states %q, want busy dead restarting, then idle or busy", round, got)
		}
		var died, result string
		for _, f := range fs {
			switch {
			case f.Type == "kernel" && f.State == Dead:
				died = f.Cause
			case f.Type == "message" && f.Msg.Parent() == next && f.Msg.Type() == protocol.ExecuteResult:
				var r protocol.ExecuteResultContent
				_ = f.Msg.Decode(&r)
				result, _ = r.Data["text/plain"].(string)
			}
		}
		if !strings.Contains(died, "the end") {
			t.Errorf("round %d: the dead frame's cause %q", round, died)
		}
		if result != "2" {
			t.Errorf("round %d: the cell after the death showed %q, want 2", round, result)
		}
	}
}

// A cell that a client sends once it has seen a failed cell's reply
// runs: the failed cell's stop_on_error aborts only what was queued
// before its reply went out. The test sends the next cell at the worst
// moment, between the kernel's reply and the session's lock that ends
// the cell (beforeTail), if the reply is out by then. (It was: the reply
// was relayed before that lock, so a cell sent in between was aborted
// too; under load, TestSwitchKernel's cell after an error came back
// "aborted".)
func TestCellAfterFailedCellRuns(t *testing.T) {
	s := startSession(t)
	since := s.Log().LastSeq()
	replyOf := func(msgID string) func(testFrame) bool {
		return func(f testFrame) bool {
			return f.Msg != nil && f.Msg.Type() == protocol.ExecuteReply && f.Msg.Parent() == msgID
		}
	}
	out := func(msgID string) bool { // is msgID's reply in the log?
		b, _, _ := s.Log().Read(since, 1<<20)
		for _, raw := range b.Frames {
			var f testFrame
			if json.Unmarshal(raw, &f) == nil && replyOf(msgID)(f) {
				return true
			}
		}
		return false
	}
	sent := false
	s.beforeTail = func() {
		if !sent && out("fail") {
			s.Execute("next", "c2", `1`, ExecuteOptions{})
			sent = true
		}
	}
	s.Execute("fail", "c1", `panic("no")`, ExecuteOptions{})
	fs, seq := readUntil(t, s, since, replyOf("fail"))
	var c protocol.ExecuteReplyContent
	if err := fs[len(fs)-1].Msg.Decode(&c); err != nil || c.Status != "error" {
		t.Fatalf("the failing cell: %+v %v", c, err)
	}
	if !sent {
		s.Execute("next", "c2", `1`, ExecuteOptions{})
	}
	fs, _ = readUntil(t, s, seq, replyOf("next"))
	c = protocol.ExecuteReplyContent{}
	if err := fs[len(fs)-1].Msg.Decode(&c); err != nil || c.Status != "ok" {
		t.Errorf("the cell sent after the failed cell's reply: %+v %v, want ok", c, err)
	}
}

// gatedLauncher starts kernels with Launcher once gate is closed.
type gatedLauncher struct {
	kernel.Launcher
	gate chan struct{}
}

func (g gatedLauncher) Launch(ctx context.Context, spec kernel.Spec) (kernel.Process, error) {
	<-g.gate
	return g.Launcher.Launch(ctx, spec)
}

// A cell run while the notebook switches kernels (a Slurm job in the
// queue, say) waits for the new kernel and runs there; it used to fail at
// once with "the kernel is not running" (TestBrowserKernelProfile, under
// load, ran its cell as the switch began).
func TestCellWaitsForSwitchedKernel(t *testing.T) {
	s := startSession(t)
	since := s.Log().LastSeq()
	_, since = readUntil(t, s, since, func(f testFrame) bool { return f.Type == "kernel" && f.State == "idle" })
	l := gatedLauncher{kernel.DefaultLauncher(), make(chan struct{})}
	switched := make(chan error, 1)
	go func() { switched <- s.Switch(context.Background(), "gated", map[string]string{"time": "20"}, l) }()
	fs, since := readUntil(t, s, since, func(f testFrame) bool { return f.Type == "kernel" && f.State == "restarting" })
	// The switched frame names the kernel and the options chosen, which
	// the pages keep in the notebook's metadata (their next save would
	// drop them otherwise: TestBrowserKernelProfile).
	if sw := fs[0]; sw.Type != "switched" || sw.Spec != "gated" || len(sw.Options) != 1 || sw.Options["time"] != "20" {
		t.Errorf("the first frame of the switch: %+v, want switched to gated with time 20", sw)
	}
	s.Execute("during", "c1", `1 + 1`, ExecuteOptions{})
	_, since = readUntil(t, s, since, func(f testFrame) bool { return f.Type == "queued" })
	close(l.gate) // the new kernel starts
	if err := <-switched; err != nil {
		t.Fatal(err)
	}
	fs, _ = readUntil(t, s, since, func(f testFrame) bool {
		return f.Msg != nil && f.Msg.Type() == protocol.ExecuteReply && f.Msg.Parent() == "during"
	})
	var c protocol.ExecuteReplyContent
	if err := fs[len(fs)-1].Msg.Decode(&c); err != nil || c.Status != "ok" {
		t.Fatalf("the cell run during the switch: %+v %v, want ok on the new kernel", c, err)
	}
	result := ""
	for _, f := range fs {
		if f.Msg != nil && f.Msg.Type() == protocol.ExecuteResult && f.Msg.Parent() == "during" {
			var r protocol.ExecuteResultContent
			_ = f.Msg.Decode(&r)
			result = fmt.Sprint(r.Data["text/plain"])
		}
	}
	if result != "2" {
		t.Errorf("its result: %q, want 2", result)
	}
}
