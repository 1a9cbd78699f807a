package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firnglacier/firn/internal/testworker"
	"github.com/firnglacier/firn/kernel/protocol"
)

// The test binary is also the kernel program: started with
// FIRN_KERNEL_CHILD=1 it runs Main, exactly as `firn kernel` does (and,
// with the argument "worker", a compute worker, as `firn worker` does).
func TestMain(m *testing.M) {
	if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
		if len(os.Args) > 1 && os.Args[1] == "worker" {
			os.Exit(testworker.Main(os.Args[2:]))
		}
		os.Exit(Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

// testTimeout bounds every wait in these tests: a hung kernel fails the
// test instead of the whole run.
const testTimeout = 60 * time.Second

func startKernel(t testing.TB, opts Options) (*Kernel, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	if opts.Command == nil {
		opts.Command = []string{os.Args[0]}
	}
	opts.Env = append(opts.Env, "FIRN_KERNEL_CHILD=1")
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	k, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Shutdown(context.Background()) })
	return k, ctx
}

// outputs collects a cell's messages.
type outputs struct {
	mu   sync.Mutex
	msgs []*protocol.Message
}

func (o *outputs) add(m *protocol.Message) {
	o.mu.Lock()
	o.msgs = append(o.msgs, m)
	o.mu.Unlock()
}

// text is the cell's visible output: streams, the text/plain of results
// and displays, and errors, in order.
func (o *outputs) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, m := range o.msgs {
		b.WriteString(messageText(m))
	}
	return b.String()
}

func messageText(m *protocol.Message) string {
	switch m.Type() {
	case protocol.Stream:
		var c protocol.StreamContent
		_ = m.Decode(&c)
		return c.Text
	case protocol.ExecuteResult, protocol.DisplayData, protocol.UpdateDisplayData:
		var c protocol.DisplayDataContent
		_ = m.Decode(&c)
		s, _ := c.Data["text/plain"].(string)
		return "[" + m.Type() + "] " + s + "\n"
	case protocol.Error:
		var c protocol.ErrorContent
		_ = m.Decode(&c)
		return "[error] " + c.EName + ": " + c.EValue + "\n" + strings.Join(c.Traceback, "\n") + "\n"
	}
	return ""
}

func run(t testing.TB, ctx context.Context, k *Kernel, code string) (protocol.ExecuteReplyContent, string) {
	t.Helper()
	var o outputs
	reply, err := k.Execute(ctx, code, o.add)
	if err != nil {
		t.Fatalf("execute %q: %v", code, err)
	}
	return reply, o.text()
}

func TestKernelCells(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	if info := k.Info(); info.Implementation != "firn" || info.LanguageInfo.Name != "go" || info.ProtocolVersion != protocol.Version {
		t.Errorf("kernel_info = %+v", info)
	}
	for _, tc := range []struct {
		name, code, want string
		status           string
	}{
		{"expression", "1+1", "[execute_result] 2\n", "ok"},
		{"print", `fmt.Println("hello")`, "hello\n", "ok"},
		{"os.Stdout directly", `os.Stdout.WriteString("direct\n")`, "direct\n[execute_result] 7\n", "ok"},
		{"os.Stderr directly", `fmt.Fprintln(os.Stderr, "to stderr")`, "to stderr\n", "ok"},
		{"state survives", "x := 40", "", "ok"},
		{"state read", "x + 2", "[execute_result] 42\n", "ok"},
		{"mixed cell", "import \"strconv\"\ny := strconv.Itoa(x)\nfunc twice(s string) string { return s + s }\ntwice(y)", `[execute_result] "4040"` + "\n", "ok"},
		{"redefine func", "func twice(s string) string { return s + \"!\" }\ntwice(\"a\")", `[execute_result] "a!"` + "\n", "ok"},
		{"builtins", "min(3, 1, 2) + max(1, 5)", "[execute_result] 6\n", "ok"},
		{"range over int", "s := 0\nfor i := range 10 { s += i }\ns", "[execute_result] 45\n", "ok"},
		{"type", "type P struct{ A int }\nP{A: 1}", "[execute_result] {A:1}\n", "ok"},
		{"type redefined", "type P struct{ B string }\nP{B: \"b\"}", `[execute_result] {B:"b"}` + "\n", "ok"},
		{"generics", "func Sum[T int | float64](xs []T) T { var s T; for _, x := range xs { s += x }; return s }\nSum([]float64{1.5, 2})", "[execute_result] 3.5\n", "ok"},
		{"glacier", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(50)\ng.Year()", "[execute_result] 50\n", "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reply, out := run(t, ctx, k, tc.code)
			if reply.Status != tc.status || out != tc.want {
				t.Errorf("status %s, output:\n%s\nwant status %s, output:\n%s", reply.Status, out, tc.status, tc.want)
			}
		})
	}
}

func TestKernelErrors(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	for _, tc := range []struct {
		name, code string
		ename      string
		want       []string // in the error output
	}{
		{"syntax", "x := 1\ny := (2 +\n", "SyntaxError", []string{"line 3"}},
		{"undefined", "a := 1\nb := a + nothing\n", "CompileError", []string{"line 2", "b := a + nothing", "^"}},
		{"panic", "func f(xs []int) int { return xs[3] }\nf(nil)", "panic", []string{"index out of range"}},
		{"explicit panic", "panic(\"boom\")", "panic", []string{"boom"}},
		{"goroutine panic", "done := make(chan bool)\ngo func() { panic(\"in goroutine\") }()\n<-done", "panic", []string{"panic in a goroutine", "in goroutine"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reply, out := run(t, ctx, k, tc.code)
			if reply.Status != "error" || reply.EName != tc.ename {
				t.Errorf("status %s %s, want error %s; output:\n%s", reply.Status, reply.EName, tc.ename, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	// The kernel is alive and has its state after all of that.
	if _, out := run(t, ctx, k, "a := 7\na * 6"); out != "[execute_result] 42\n" {
		t.Errorf("after the errors: %q", out)
	}
}

// A panic is reported at the line of the statement that panicked, with
// that line and a caret under the statement in the traceback, whatever
// ran before it in the cell.
func TestKernelPanicLines(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	for _, tc := range []struct {
		name, code string
		line       int
		text       string // the line shown, without its indentation
		message    string
	}{
		{"index out of range", "var s []float64\nfmt.Println(\"before\")\ns[5] = 1", 3, "s[5] = 1", "index out of range"},
		{"nil map write", "var m map[string]int\nfmt.Println(\"before\")\nm[\"a\"] = 1", 3, `m["a"] = 1`, "assignment to entry in nil map"},
		{"nil pointer dereference", "type P struct{ A int }\nvar p *P\nfmt.Println(\"before\")\np.A = 1", 4, "p.A = 1", "nil pointer dereference"},
		{"explicit panic", "fmt.Println(\"before\")\nx := 2\npanic(\"boom\")\nfmt.Println(x)", 3, `panic("boom")`, "boom"},
		{"integer division by zero", "a, b := 1, 0\nfmt.Println(\"before\")\nc := a / b\nfmt.Println(c)", 3, "c := a / b", "integer divide by zero"},
		{"in a function of the cell", "func third(xs []int) int {\n\tfmt.Println(\"in third\")\n\treturn xs[3]\n}\nfmt.Println(\"before\")\nthird(nil)", 3, "return xs[3]", "index out of range"},
		{"in a goroutine", "done := make(chan bool)\ngo func() {\n\tfmt.Println(\"in the goroutine\")\n\tvar m map[int]int\n\tm[1] = 2\n\tdone <- true\n}()\n<-done", 5, "m[1] = 2", "panic in a goroutine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o outputs
			reply, err := k.Execute(ctx, tc.code, o.add)
			if err != nil {
				t.Fatal(err)
			}
			if reply.Status != "error" || reply.EName != "panic" || !strings.Contains(reply.EValue, tc.message) {
				t.Fatalf("reply %s %s %q, want a panic with %q; output:\n%s", reply.Status, reply.EName, reply.EValue, tc.message, o.text())
			}
			tb := reply.Traceback
			if len(tb) < 3 || !strings.Contains(tb[0], fmt.Sprintf(", line %d, column ", tc.line)) {
				t.Fatalf("traceback does not start at line %d:\n%s", tc.line, strings.Join(tb, "\n"))
			}
			// The line, then a caret under the start of its statement.
			src, caret := tb[1], tb[2]
			if strings.TrimSpace(src) != tc.text || strings.TrimSpace(caret) != "^" || len(caret) != len(src)-len(strings.TrimLeft(src, " "))+1 {
				t.Errorf("traceback shows\n%s\n%s\nwant %q with a caret under its start", src, caret, tc.text)
			}
		})
	}
}

// A cell whose value is an error shows it as an error output: its type
// and its message; a nil error shows nothing.
func TestKernelErrorValue(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	run(t, ctx, k, "import \"errors\"\ng := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(10)")
	for _, tc := range []struct {
		name, code   string
		ename, value string
	}{
		{"errors.New", `errors.New("boom")`, "*errors.errorString", "boom"},
		{"an engine call that fails", "g.ProgressToYear(-1)", "*errors.errorString", "it cannot go back to -1"},
		{"a wrapped error", `fmt.Errorf("reading: %w", errors.New("no file"))`, "*fmt.wrapError", "reading: no file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errs []protocol.ErrorContent
			var others []string
			reply, err := k.Execute(ctx, tc.code, func(m *protocol.Message) {
				if m.Type() == protocol.Error {
					var c protocol.ErrorContent
					_ = m.Decode(&c)
					errs = append(errs, c)
				} else {
					others = append(others, messageText(m))
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != 1 || len(others) != 0 || errs[0].EName != tc.ename || !strings.Contains(errs[0].EValue, tc.value) {
				t.Fatalf("outputs: errors %+v, others %q; want one error %s: %q", errs, others, tc.ename, tc.value)
			}
			if reply.Status != "error" || reply.EName != tc.ename {
				t.Errorf("reply %s %s, want error %s", reply.Status, reply.EName, tc.ename)
			}
		})
	}
	if reply, out := run(t, ctx, k, "g.ProgressToYear(20)"); reply.Status != "ok" || out != "" {
		t.Errorf("a nil error: %s %q, want nothing shown", reply.Status, out)
	}
}

// Output is streamed while the cell runs: the cell waits for a file the
// test creates only when the first line has arrived.
func TestKernelStreamsWhileRunning(t *testing.T) {
	dir := t.TempDir()
	k, ctx := startKernel(t, Options{Dir: dir})
	var o outputs
	run(t, ctx, k, "func fileExists(name string) bool {\n\t_, err := os.Stat(name)\n\treturn err == nil\n}")
	reply, err := k.Execute(ctx, `fmt.Println("first")
for {
	if fileExists("go-on") {
		break
	}
}
fmt.Fprintln(os.Stderr, "second")`, func(m *protocol.Message) {
		o.add(m)
		if strings.Contains(messageText(m), "first") {
			if err := os.WriteFile(filepath.Join(dir, "go-on"), nil, 0o644); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil || reply.Status != "ok" {
		t.Fatalf("reply %+v, %v", reply, err)
	}
	if got := o.text(); got != "first\nsecond\n" {
		t.Errorf("output %q", got)
	}
}

// Streams, displays and results arrive in the order the cell made them.
func TestKernelOutputOrder(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	_, out := run(t, ctx, k, `fmt.Println("one")
display.Show(display.Markdown("two"))
fmt.Println("three")
bar := display.Progress("run", 4)
for i := 0; i < 4; i++ { bar.Add(1) }
bar.Done()
"four"`)
	for i, w := range []string{"one\n", "[display_data] two", "three\n", "[update_display_data] run", `[execute_result] "four"`} {
		j := strings.Index(out, w)
		if j < 0 {
			t.Fatalf("output lacks %d %q:\n%s", i, w, out)
		}
		out = out[j+len(w):]
	}
}

// cellStarted runs code (which prints "started" first) and calls then()
// once that line has arrived; it returns the reply.
func cellStarted(t *testing.T, ctx context.Context, k *Kernel, code string, then func()) (protocol.ExecuteReplyContent, string, error) {
	var o outputs
	var once sync.Once
	reply, err := k.Execute(ctx, code, func(m *protocol.Message) {
		o.add(m)
		if strings.Contains(messageText(m), "started") {
			once.Do(then)
		}
	})
	return reply, o.text(), err
}

func TestKernelInterrupt(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	run(t, ctx, k, "keep := 11")
	for _, tc := range []struct{ name, code string }{
		{"endless loop", "fmt.Println(\"started\")\nfor {}"},
		{"loop in a function", "func spin() { for { keep = keep + 0 } }\nfmt.Println(\"started\")\nspin()"},
		{"engine run", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\nfmt.Println(\"started\")\ng.ProgressToYear(1e7)"},
		{"real glacier run", "hef, _ := edu.Hintereisferner()\nfmt.Println(\"started\")\nhef.ProgressToYear(1e7)"},
		{"blocked on a channel", "fmt.Println(\"started\")\n<-make(chan int)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reply, out, err := cellStarted(t, ctx, k, tc.code, func() {
				if err := k.Interrupt(); err != nil {
					t.Error(err)
				}
			})
			if err != nil || reply.Status != "error" || reply.EName != "Interrupted" {
				t.Fatalf("reply %+v, err %v, output:\n%s", reply, err, out)
			}
			if _, out := run(t, ctx, k, "keep"); out != "[execute_result] 11\n" {
				t.Errorf("after the interrupt: %q", out)
			}
		})
	}
	// The engine stopped too: the glacier is far from year 1e7, and it
	// does not move on in the background.
	_, y1 := run(t, ctx, k, "g.Year()")
	_, y2 := run(t, ctx, k, "g.Year()")
	if y1 != y2 || strings.Contains(y1, "1e+07") {
		t.Errorf("glacier year after the interrupt: %q then %q", y1, y2)
	}
	_, y1 = run(t, ctx, k, "hef.Year()")
	_, y2 = run(t, ctx, k, "hef.Year()")
	if y1 != y2 || strings.Contains(y1, "1e+07") {
		t.Errorf("real glacier year after the interrupt: %q then %q", y1, y2)
	}
	select {
	case e := <-k.Events():
		t.Errorf("unexpected event %+v", e)
	default:
	}
}

func waitEvent(t *testing.T, k *Kernel, kind string) Event {
	t.Helper()
	timeout := time.After(testTimeout)
	for {
		select {
		case e := <-k.Events():
			if e.Kind == kind {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event", kind)
		}
	}
}

func TestKernelDeathReported(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	// A function that compiled code calls in a goroutine of its own
	// (time.AfterFunc) panics: nothing can recover that, the process dies.
	_, err := k.Execute(ctx, "import \"time\"\ntime.AfterFunc(0, func() { panic(\"the end\") })\nselect {}", nil)
	var died *DiedError
	if !errors.As(err, &died) || !strings.Contains(died.Cause, "the end") {
		t.Fatalf("err = %v, want a *DiedError with the panic", err)
	}
	e := waitEvent(t, k, EventDied)
	if !strings.Contains(e.Cause, "panic: the end") {
		t.Errorf("death cause %q", e.Cause)
	}
	waitEvent(t, k, EventRestarted)
	if _, out := run(t, ctx, k, "1+1"); out != "[execute_result] 2\n" {
		t.Errorf("after restart: %q", out)
	}
}

// A recursion without end overflows the stack: the Go runtime ends the
// kernel, and the client says so (not a fragment of the goroutine dump),
// names the cell, and restarts the kernel.
func TestKernelStackOverflow(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	run(t, ctx, k, "x := 1")
	_, err := k.Execute(ctx, "func f(n int) int { return f(n+1) }\nfmt.Println(\"deep\")\nf(0)", nil)
	var died *DiedError
	if !errors.As(err, &died) || died.Name != "StackOverflow" || !strings.HasPrefix(died.Cause, "stack overflow in cell [2]: ") {
		t.Fatalf("err = %#v, want a StackOverflow *DiedError in cell [2]", err)
	}
	if e := waitEvent(t, k, EventDied); e.Cause != died.Cause || e.Process != died.Process {
		t.Errorf("death event %+v, want the cause and process of %+v", e, died)
	}
	if e := waitEvent(t, k, EventRestarted); e.Process != died.Process+1 {
		t.Errorf("restart event %+v", e)
	}
	if _, out := run(t, ctx, k, "1+1"); out != "[execute_result] 2\n" {
		t.Errorf("after restart: %q", out)
	}
}

// A request made while the kernel restarts after a death waits for the
// new kernel and runs there (it used to fail at once with the old
// kernel's death).
func TestKernelRequestDuringRestart(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	_, err := k.Execute(ctx, "import \"time\"\ntime.AfterFunc(0, func() { panic(\"the end\") })\nselect {}", nil)
	var died *DiedError
	if !errors.As(err, &died) || died.Name != "KernelDied" {
		t.Fatalf("err = %v, want a *DiedError", err)
	}
	// the restart is under way now: the client knew of the death before
	// it failed the cell
	select {
	case e := <-k.Events():
		if e.Kind != EventDied {
			t.Errorf("first event %+v, want the death", e)
		}
	default:
		t.Error("the cell failed before the death was reported")
	}
	reply, out := run(t, ctx, k, "1+1")
	if reply.Status != "ok" || out != "[execute_result] 2\n" || reply.ExecutionCount != 1 {
		t.Errorf("the request made during the restart: %+v %q, want 2 from a fresh kernel", reply, out)
	}
}

func TestKernelMemoryLimit(t *testing.T) {
	k, ctx := startKernel(t, Options{MemoryLimit: 300 << 20})
	reply, out := run(t, ctx, k, `var keep [][]byte
for {
	b := make([]byte, 16<<20)
	for i := 0; i < len(b); i += 4096 { b[i] = 1 }
	keep = append(keep, b)
}`)
	if reply.Status != "error" || reply.EName != "MemoryLimit" || !strings.Contains(out, "limit of 300 MiB") {
		t.Fatalf("reply %+v, output:\n%s", reply, out)
	}
	// keep still holds the memory: the kernel cannot get under its limit
	// and ends; the client restarts it and reports why.
	e := waitEvent(t, k, EventDied)
	if !strings.Contains(e.Cause, "memory limit") {
		t.Errorf("death cause %q", e.Cause)
	}
	waitEvent(t, k, EventRestarted)
	if _, out := run(t, ctx, k, "1+1"); out != "[execute_result] 2\n" {
		t.Errorf("after restart: %q", out)
	}
}

// A panic in a goroutine whose cell has ended is reported on that cell.
func TestKernelLatePanic(t *testing.T) {
	dir := t.TempDir()
	late := make(chan *protocol.Message, 8)
	k, ctx := startKernel(t, Options{Dir: dir, Unsolicited: func(m *protocol.Message) {
		if m.Type() == protocol.Error {
			late <- m
		}
	}})
	run(t, ctx, k, "func fileExists(name string) bool {\n\t_, err := os.Stat(name)\n\treturn err == nil\n}")
	var o outputs
	cellReply, err := k.Execute(ctx, `go func() {
	for {
		if fileExists("now") {
			panic("late")
		}
	}
}()`, o.add)
	if err != nil || cellReply.Status != "ok" {
		t.Fatal(cellReply, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "now"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-late:
		if txt := messageText(m); !strings.Contains(txt, "late") || !strings.Contains(txt, "cell [2]") {
			t.Errorf("late panic message %q", txt)
		}
	case <-ctx.Done():
		t.Fatal("no late panic reported")
	}
	if _, out := run(t, ctx, k, "1+1"); out != "[execute_result] 2\n" {
		t.Errorf("after the late panic: %q", out)
	}
}

func TestKernelSandbox(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	k, ctx := startKernel(t, Options{Dir: dir})
	reply, out := run(t, ctx, k, fmt.Sprintf("err := os.WriteFile(%q, []byte(\"x\"), 0o644)\nerr", filepath.Join(outside, "f")))
	// the cell's value is the error: shown as one
	if reply.Status != "error" || !strings.Contains(out, "outside the workspace") {
		t.Errorf("write outside: %s %q", reply.Status, out)
	}
	if _, err := os.Stat(filepath.Join(outside, "f")); err == nil {
		t.Error("the file outside the workspace was written")
	}
	if reply, out := run(t, ctx, k, "os.WriteFile(\"inside.txt\", []byte(\"x\"), 0o644)"); reply.Status != "ok" {
		t.Errorf("write inside: %s %q", reply.Status, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "inside.txt")); err != nil {
		t.Error(err)
	}
	if reply, _ := run(t, ctx, k, "import \"net/http\""); reply.Status != "error" {
		t.Error("net/http imported in the sandbox")
	}
}

func TestKernelCompleteInspect(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	run(t, ctx, k, "glacier := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))")
	for _, tc := range []struct {
		code string
		want string
	}{
		{"fmt.Printl", "Println"},
		{"edu.NewGl", "NewGlacier"},
		{"glac", "glacier"},
		{"glacier.ProgressTo", "ProgressToYear"},
		{"x := strings.ToUp", "ToUpper"},
	} {
		reply, err := k.Complete(ctx, tc.code, len([]rune(tc.code)))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range reply.Matches {
			found = found || m == tc.want
		}
		if !found || reply.CursorEnd != len([]rune(tc.code)) {
			t.Errorf("complete %q: %+v, want %q", tc.code, reply, tc.want)
		}
	}
	reply, err := k.Inspect(ctx, "edu.NewGlacier(bed, mb)", 6)
	if err != nil {
		t.Fatal(err)
	}
	if txt, _ := reply.Data["text/plain"].(string); !reply.Found || !strings.Contains(txt, "NewGlacier") {
		t.Errorf("inspect: %+v", reply)
	}
}

// A complete_reply describes each match: its kind, its signature and
// the first sentence of its doc comment (IPython's completion types, as
// completion popups show them).
func TestKernelCompletionMetadata(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	run(t, ctx, k, "glacier := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))")
	for _, tc := range []struct {
		code, text, typ string
		signature, doc  string // contained
	}{
		{"fmt.Printl", "Println", "function", "func Println(a ...any) (n int, err error)", "Println formats using the default formats"},
		{"glacier.ProgressTo", "ProgressToYear", "method", "ProgressToYear(year float64) error", "ProgressToYear"},
		{"edu.NewMass", "NewMassBalance", "function", "func NewMassBalance(", "NewMassBalance"},
		{"glac", "glacier", "variable", "*edu.Glacier", ""},
		{"ran", "range", "keyword", "", ""},
	} {
		reply, err := k.Complete(ctx, tc.code, len([]rune(tc.code)))
		if err != nil {
			t.Fatal(err)
		}
		// as a client gets it: JSON
		b, err := json.Marshal(reply.Metadata[protocol.CompletionTypesKey])
		if err != nil {
			t.Fatal(err)
		}
		var types []struct {
			Start, End            int
			Text, Type, Signature string
			Doc                   string
		}
		if err := json.Unmarshal(b, &types); err != nil || len(types) != len(reply.Matches) {
			t.Fatalf("complete %q: metadata %s (%v), want one entry per match of %v", tc.code, b, err, reply.Matches)
		}
		found := false
		for _, ty := range types {
			if ty.Text != tc.text {
				continue
			}
			found = true
			if ty.Type != tc.typ || !strings.Contains(ty.Signature, tc.signature) || !strings.Contains(ty.Doc, tc.doc) ||
				ty.Start != reply.CursorStart || ty.End != reply.CursorEnd || strings.Contains(ty.Doc, "\n") {
				t.Errorf("complete %q: %s is %+v, want type %s, signature with %q, a one-line doc with %q", tc.code, tc.text, ty, tc.typ, tc.signature, tc.doc)
			}
		}
		if !found {
			t.Errorf("complete %q: no %s in %s", tc.code, tc.text, b)
		}
	}
}

// After an automatic restart that failed, Restart starts a fresh kernel.
func TestKernelRestartAfterFailedRestart(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	good := k.opts.Command
	k.mu.Lock()
	k.opts.Command = []string{filepath.Join(t.TempDir(), "no-such-program")}
	k.mu.Unlock()
	if p, err := os.FindProcess(k.Pid()); err == nil {
		p.Kill()
	}
	waitEvent(t, k, EventDied) // the kill
	if e := waitEvent(t, k, EventDied); !strings.Contains(e.Cause, "restart failed") {
		t.Fatalf("second death %q, want the failed restart", e.Cause)
	}
	// a restart the user asks for fails too; the next one works
	if err := k.Restart(ctx); err == nil {
		t.Fatal("Restart with a missing program succeeded")
	}
	k.mu.Lock()
	k.opts.Command = good
	k.mu.Unlock()
	if err := k.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if _, out := run(t, ctx, k, "1+1"); out != "[execute_result] 2\n" {
		t.Errorf("after Restart: %q", out)
	}
}

// A kernel whose client is gone (its request pipe closed, as when the
// client process dies) ends, even while a cell spins.
func TestKernelEndsWithoutItsClient(t *testing.T) {
	k, ctx := startKernel(t, Options{NoAutoRestart: true})
	done := make(chan struct{})
	running := make(chan struct{}, 1)
	go func() {
		// the cell prints before it spins: its output says it runs
		k.Execute(ctx, "fmt.Println(\"spinning\")\nfor {}", func(m *protocol.Message) {
			if m.Type() == protocol.Stream {
				select {
				case running <- struct{}{}:
				default:
				}
			}
		})
		close(done)
	}()
	<-running
	k.mu.Lock()
	p := k.proc
	k.mu.Unlock()
	p.conn.Close()
	select {
	case <-p.exited:
	case <-ctx.Done():
		t.Fatal("the kernel kept running after its client went away")
	}
	<-done
}

// cancelAfterLaunch launches with Launcher, then ends the start's context
// (a server shutting down, a user giving up) before the kernel answers
// its kernel_info request; ended is closed once the process's Wait
// returned.
type cancelAfterLaunch struct {
	Launcher
	cancel context.CancelFunc
	ended  chan struct{}
}

func (c cancelAfterLaunch) Launch(ctx context.Context, spec Spec) (Process, error) {
	p, err := c.Launcher.Launch(ctx, spec)
	c.cancel()
	return endedProcess{p, c.ended}, err
}

type endedProcess struct {
	Process
	ended chan struct{}
}

func (p endedProcess) Wait() error {
	defer close(p.ended)
	return p.Process.Wait()
}

// A kernel whose start is given up after its process started ends with
// the start: Start returns once the process has ended, and no death or
// automatic restart follows (a server shut down while a kernel started
// left the process running: TestBrowserHubCulled's userdel found it).
func TestKernelStartGivenUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := cancelAfterLaunch{DefaultLauncher(), cancel, make(chan struct{})}
	k, err := Start(ctx, Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: t.TempDir(), Launcher: l})
	if err == nil {
		_ = k.Shutdown(context.Background())
		t.Fatal("Start succeeded with its context ended before the kernel answered")
	}
	select {
	case <-l.ended:
	default:
		t.Fatalf("Start returned (%v) while the kernel process still ran", err)
	}
	if !strings.Contains(err.Error(), "kernel: start:") || !errors.Is(err, context.Canceled) {
		t.Errorf("Start: %v, want the start's context canceled", err)
	}
}
