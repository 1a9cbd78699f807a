package repl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/firnglacier/firn/kernel/protocol"
	"github.com/peterh/liner"
)

func plainEnv(k string) string {
	if k == "NO_COLOR" {
		return "1"
	}
	return ""
}

func TestScript(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		out, err string
		line     int // line of the failed cell (0: none)
		plots    []string
	}{
		{name: "echo 1+1", script: "1+1\n", out: "2\n"},
		{name: "println", script: "fmt.Println(1+1)", out: "2\n"},
		{name: "state between cells", script: "x := 40\nx + 2\n", out: "42\n"},
		{name: "multi-line function", script: "x := 40\nfunc double(v int) int {\n\treturn 2 * v\n}\n\ndouble(x)\n", out: "80\n"},
		{name: "partial line output", script: "fmt.Print(\"a\")\nfmt.Print(\"b\")\n", out: "ab"},
		{name: "stderr", script: "println(\"careful\")\n1\n", out: "1\n", err: "careful\n"},
		{name: "first error stops", script: "x := 1\ny + 1\nfmt.Println(3)\n", err: "CompileError: undefined: y\ncell 2\n", line: 2},
		{name: "syntax error", script: "x := 1\nx := )\nx\n", line: 2,
			err: "SyntaxError: 3:6: expected operand, found ')' (and 1 more errors)\ncell 2\n"},
		{name: "panic", script: "\n\n// go\npanic(\"boom\")\n", err: "panic: boom\ncell 1\n", line: 4},
		{name: "unfinished at the end", script: "x := 1\nfunc f() {\n", line: 2,
			err: "SyntaxError: 3:6: expected '(', found f (and 1 more errors)\ncell 2\n"},
		{name: "progress final state", script: "progress(3)\nfmt.Println(\"done\")\n", out: "progress 3/3\ndone\n"},
		{name: "plot", script: "plot()\n", out: "plot written to PLOTS/plot-001.png\nplot written to PLOTS/plot-001.svg\n",
			plots: []string{"plot-001.png", "plot-001.svg"}},
		{name: "comments only", script: "// nothing to do\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var out, errb bytes.Buffer
			err := Run(context.Background(), newCalcKernel(), Options{In: strings.NewReader(tt.script), Out: &out, Err: &errb,
				PlotDir: dir, Getenv: plainEnv})
			var ce *CellError
			switch {
			case tt.line == 0 && err != nil:
				t.Errorf("Run: %v", err)
			case tt.line != 0 && !errors.As(err, &ce):
				t.Errorf("Run returned %v, want a *CellError", err)
			case tt.line != 0 && ce.Line != tt.line:
				t.Errorf("failed cell at line %d, want %d (%v)", ce.Line, tt.line, err)
			}
			if got := strings.ReplaceAll(out.String(), dir, "PLOTS"); got != tt.out {
				t.Errorf("out %q, want %q", got, tt.out)
			}
			if errb.String() != tt.err {
				t.Errorf("err %q, want %q", errb.String(), tt.err)
			}
			for _, p := range tt.plots {
				if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestCellErrorMessage(t *testing.T) {
	err := &CellError{Line: 12, Status: "error", EName: "CompileError", EValue: "undefined: y"}
	if want := "input line 12: the cell failed (CompileError: undefined: y); stopped there"; err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}

// fakeSignals delivers the test's Ctrl-C presses.
type fakeSignals struct {
	mu sync.Mutex
	c  chan<- os.Signal
}

func (f *fakeSignals) Notify(c chan<- os.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.c = c
}
func (f *fakeSignals) Stop(chan<- os.Signal) {}

func (f *fakeSignals) press() {
	f.mu.Lock()
	c := f.c
	f.mu.Unlock()
	c <- os.Interrupt
}

// key is what a scripted prompt returns: a line, or an error (io.EOF for
// Ctrl-D, liner.ErrPromptAborted for Ctrl-C); before, when set, runs
// first (to wait for an effect of the previous cell).
type key struct {
	line   string
	err    error
	before func()
}

var (
	ctrlC = key{err: liner.ErrPromptAborted}
	ctrlD = key{err: io.EOF}
)

// scriptedEditor plays keys at the prompt and records the prompts shown.
type scriptedEditor struct {
	keys    []key
	prompts []string
	history []string
}

func (e *scriptedEditor) Prompt(p string) (string, error) {
	e.prompts = append(e.prompts, p)
	if len(e.keys) == 0 {
		return "", io.EOF
	}
	k := e.keys[0]
	e.keys = e.keys[1:]
	if k.before != nil {
		k.before()
	}
	return k.line, k.err
}

func (e *scriptedEditor) AppendHistory(line string) { e.history = append(e.history, line) }

func lines(ls ...string) []key {
	keys := make([]key, len(ls))
	for i, l := range ls {
		keys[i] = key{line: l}
	}
	return keys
}

func join(groups ...[]key) []key {
	var all []key
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

type interactiveRun struct {
	out, err string
	prompts  []string
	ed       *scriptedEditor
	runErr   error
}

func runInteractive(t *testing.T, b Backend, sigs *fakeSignals, opts Options, keys []key) interactiveRun {
	t.Helper()
	var out, errb bytes.Buffer
	opts.Out, opts.Err, opts.Interactive = &out, &errb, true
	if opts.Getenv == nil {
		opts.Getenv = plainEnv
	}
	if opts.PlotDir == "" {
		opts.PlotDir = t.TempDir()
	}
	s, err := newSession(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sigs == nil {
		sigs = &fakeSignals{}
	}
	ed := &scriptedEditor{keys: keys}
	runErr := s.run(context.Background(), ed, sigs)
	return interactiveRun{out: out.String(), err: errb.String(), prompts: ed.prompts, ed: ed, runErr: runErr}
}

const banner = "Firn v1 — Go cells on yaegi. :help for help, Ctrl-D to quit.\n"

func TestInteractive(t *testing.T) {
	tests := []struct {
		name     string
		keys     []key
		out, err string
		prompts  []string
	}{
		{name: "quit at once", keys: []key{ctrlD}, out: banner + "\n", prompts: []string{"firn> "}},
		{name: "expressions", keys: join(lines("x := 40", "x + 2"), []key{ctrlD}), out: banner + "42\n\n",
			prompts: []string{"firn> ", "firn> ", "firn> "}},
		{name: "multi-line function", keys: join(lines("x := 40", "func double(v int) int {", "\treturn 2 * v", "}", "double(x)", ":q")),
			out: banner + "80\n", prompts: []string{"firn> ", "firn> ", "  ... ", "  ... ", "firn> ", "firn> "}},
		{name: "blank line inside a block", keys: join(lines("fmt.Println(1,", "", "2)", ":quit")),
			out: banner + "1 2\n", prompts: []string{"firn> ", "  ... ", "  ... ", "firn> "}},
		{name: "two blank lines run an unfinished input", keys: join(lines("fmt.Println(1,", "", "", ":exit")),
			out: banner, err: "SyntaxError: 6:1: expected operand, found '}'\ncell 1\n",
			prompts: []string{"firn> ", "  ... ", "  ... ", "firn> "}},
		{name: "ctrl-c drops the input", keys: join(lines("x := 1", "func f() {"), []key{ctrlC}, lines("x"), []key{ctrlD}),
			out: banner + "1\n\n", prompts: []string{"firn> ", "firn> ", "  ... ", "firn> ", "firn> "}},
		{name: "ctrl-c at the prompt", keys: []key{ctrlC, ctrlC, ctrlD}, out: banner + "\n", prompts: []string{"firn> ", "firn> ", "firn> "}},
		{name: "ctrl-d in a continuation runs it", keys: join(lines("fmt.Println(1,", "2"), []key{ctrlD, ctrlD}),
			out: banner + "\n\n", err: "SyntaxError: 4:2: missing ',' before newline in argument list (and 1 more errors)\ncell 1\n",
			prompts: []string{"firn> ", "  ... ", "  ... ", "firn> "}},
		{name: "errors keep the session", keys: join(lines("y", "panic(\"no\")", "3"), []key{ctrlD}),
			out: banner + "3\n\n", err: "CompileError: undefined: y\ncell 1\npanic: no\ncell 2\n"},
		{name: "comment and blank lines run nothing", keys: join(lines("", "// note", "   "), []key{ctrlD}), out: banner + "\n"},
		{name: "help", keys: lines(":help", ":quit"), out: banner + helpText},
		{name: "unknown command", keys: lines(":reset", ":q"), out: banner, err: "firn: unknown command :reset; :help lists the commands\n"},
		{name: "progress on the terminal", keys: lines("progress(2)", ":q"), out: banner + "progress 0/2\r\x1b[Jprogress 1/2\r\x1b[Jprogress 2/2\n"},
		{name: "end of input", keys: lines("1"), out: banner + "1\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runInteractive(t, newCalcKernel(), nil, Options{Version: "v1"}, tt.keys)
			if r.runErr != nil {
				t.Errorf("run: %v", r.runErr)
			}
			if r.out != tt.out {
				t.Errorf("out:\n got %q\nwant %q", r.out, tt.out)
			}
			if r.err != tt.err {
				t.Errorf("err:\n got %q\nwant %q", r.err, tt.err)
			}
			if tt.prompts != nil && !reflect.DeepEqual(r.prompts, tt.prompts) {
				t.Errorf("prompts %q, want %q", r.prompts, tt.prompts)
			}
		})
	}
}

// :doc NAME and NAME? show the kernel's documentation of a name.
func TestDoc(t *testing.T) {
	r := runInteractive(t, newCalcKernel(), nil, Options{Version: "v1"}, lines("x := 40", ":doc x", "  x?  ", ":doc nothing", ":doc", "x"))
	if want := banner + "var x = 40\n\nA calculator variable.\nvar x = 40\n\nA calculator variable.\n40\n\n"; r.out != want {
		t.Errorf("out:\n got %q\nwant %q", r.out, want)
	}
	for _, w := range []string{"no documentation for nothing", "usage: :doc NAME"} {
		if !strings.Contains(r.err, w) {
			t.Errorf("err %q lacks %q", r.err, w)
		}
	}
}

func TestInteractivePlots(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my plots")
	r := runInteractive(t, newCalcKernel(), nil, Options{PlotDir: dir}, lines("plot()", ":plots", "plot()", ":q"))
	want := banner[:5] + "(devel)" + banner[7:] +
		"plot written to " + dir + "/plot-001.png\nplot written to " + dir + "/plot-001.svg\n" +
		"plots are written to " + dir + "\n" +
		"plot written to " + dir + "/plot-002.png\nplot written to " + dir + "/plot-002.svg\n"
	if r.out != want {
		t.Errorf("out:\n got %q\nwant %q", r.out, want)
	}
}

func TestInteractiveHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "repl_history")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("old := 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runInteractive(t, newCalcKernel(), nil, Options{HistoryFile: path},
		join(lines("x := 40", "func f() int {", "\treturn x", "}", "", "x", "x"), []key{ctrlC, ctrlD}))
	wantEd := []string{"old := 1", "x := 40", "func f() int {", "\treturn x", "}", "x"}
	if !reflect.DeepEqual(r.ed.history, wantEd) {
		t.Errorf("editor history %q, want %q", r.ed.history, wantEd)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(wantEd, "\n") + "\n"; string(b) != want {
		t.Errorf("history file %q, want %q", b, want)
	}
}

func TestInteractiveHistoryUnwritable(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runInteractive(t, newCalcKernel(), nil, Options{HistoryFile: filepath.Join(blocker, "history")},
		join(lines("1", "2"), []key{ctrlD}))
	if r.out != banner[:5]+"(devel)"+banner[7:]+"1\n2\n\n" {
		t.Errorf("out %q", r.out)
	}
	if !strings.HasPrefix(r.err, "firn: history: ") || strings.Count(r.err, "\n") != 1 ||
		!strings.HasSuffix(r.err, "(history is kept for this session only)\n") {
		t.Errorf("err %q, want one notice about the history", r.err)
	}
	if !reflect.DeepEqual(r.ed.history, []string{"1", "2"}) {
		t.Errorf("the session lost its history: %q", r.ed.history)
	}
}

// stubborn is a backend whose cells ignore interrupts.
type stubborn struct{ *calcKernel }

func (stubborn) Interrupt() error { return nil }

// Ctrl-C while a cell runs interrupts it and the session goes on with its
// state; a cell that ignores interrupts is given up at the third press.
func TestInterrupt(t *testing.T) {
	tests := []struct {
		name    string
		b       func(k *calcKernel) Backend
		presses int
		err     string
	}{
		{"one press stops the loop", func(k *calcKernel) Backend { return k }, 1,
			"Interrupted: the cell was interrupted\ncell 2\n"},
		{"three presses stop waiting", func(k *calcKernel) Backend { return stubborn{k} }, 3,
			"firn: interrupting; press Ctrl-C again to stop waiting for the cell\n" +
				"firn: stopped waiting for the cell; the kernel may still be running it\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newCalcKernel()
			sigs := &fakeSignals{}
			// The loop cell announces itself on k.looping; the presses come
			// then, from this goroutine, while Execute waits.
			pressed := make(chan struct{})
			go func() {
				defer close(pressed)
				<-k.looping
				for range tt.presses {
					sigs.press()
				}
			}()
			r := runInteractive(t, tt.b(k), sigs, Options{Version: "v1"}, []key{
				{line: "x := 40"},
				{line: "for {}"},
				{line: "x", before: func() { <-pressed }},
				ctrlD,
			})
			if r.runErr != nil {
				t.Fatal(r.runErr)
			}
			if want := banner + "40\n\n"; r.out != want {
				t.Errorf("out %q, want %q", r.out, want)
			}
			if r.err != tt.err {
				t.Errorf("err:\n got %q\nwant %q", r.err, tt.err)
			}
		})
	}
}

// A Ctrl-C at the prompt (a SIGINT while no cell runs) is ignored. (The
// press waits until the REPL has taken it, as a person's Enter comes
// after it: otherwise the signal could reach the REPL only after the
// next line, as if pressed after Enter, which TestSignalAfterEnter
// covers.)
func TestSignalBetweenCells(t *testing.T) {
	sigs := &fakeSignals{}
	var out, errb bytes.Buffer
	s, err := newSession(newCalcKernel(), Options{Out: &out, Err: &errb, Interactive: true, Getenv: plainEnv, PlotDir: t.TempDir(), Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	pressAtPrompt := func() {
		sigs.press()
		for !s.intr.requested() { // until the REPL has taken the signal
			runtime.Gosched()
		}
	}
	ed := &scriptedEditor{keys: []key{{line: "1"}, {line: "2", before: pressAtPrompt}, ctrlD}}
	runErr := s.run(context.Background(), ed, sigs)
	if want := banner + "1\n2\n\n"; out.String() != want || errb.String() != "" || runErr != nil {
		t.Errorf("out %q err %q run %v; want %q", out.String(), errb.String(), runErr, want)
	}
}

// historyHook is a scripted editor that runs a function when a line is
// added to the history: after Enter, before the cell starts.
type historyHook struct {
	*scriptedEditor
	on func(line string)
}

func (h historyHook) AppendHistory(line string) {
	h.scriptedEditor.AppendHistory(line)
	h.on(line)
}

// A Ctrl-C after Enter but before the cell has started (the REPL still
// writing the history, say) interrupts that cell: it does not run, and
// the session goes on. (It was ignored as one at the prompt, and the
// cell then ran on: an endless loop could not be stopped by that press.)
func TestSignalAfterEnter(t *testing.T) {
	k := newCalcKernel()
	sigs := &fakeSignals{}
	var out, errb bytes.Buffer
	s, err := newSession(k, Options{Out: &out, Err: &errb, Interactive: true, Getenv: plainEnv, PlotDir: t.TempDir(), Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	ed := historyHook{&scriptedEditor{keys: lines("x := 40", "for {}", "x")}, func(line string) {
		if line != "for {}" {
			return
		}
		sigs.press()
		for { // until the REPL has taken the signal
			s.intr.mu.Lock()
			early := s.intr.early
			s.intr.mu.Unlock()
			if early {
				return
			}
			runtime.Gosched()
		}
	}}
	if err := s.run(context.Background(), ed, sigs); err != nil {
		t.Fatal(err)
	}
	if want := banner + "40\n\n"; out.String() != want {
		t.Errorf("out %q, want %q", out.String(), want)
	}
	if want := "Interrupted: the cell was interrupted before it started\n"; errb.String() != want {
		t.Errorf("err %q, want %q", errb.String(), want)
	}
}

// Ctrl-C during a script interrupts the cell and stops the script.
func TestScriptInterrupt(t *testing.T) {
	k := newCalcKernel()
	sigs := &fakeSignals{}
	go func() {
		<-k.looping
		sigs.press()
	}()
	var out, errb bytes.Buffer
	s, err := newSession(k, Options{In: strings.NewReader("fmt.Println(1)\nfor {\n}\nfmt.Println(2)\n"), Out: &out, Err: &errb, Getenv: plainEnv})
	if err != nil {
		t.Fatal(err)
	}
	err = s.run(context.Background(), nil, sigs)
	if !errors.Is(err, ErrInterrupted) || !strings.HasPrefix(err.Error(), "input line 2: ") {
		t.Errorf("run returned %v, want input line 2: interrupted", err)
	}
	if out.String() != "1\n" {
		t.Errorf("out %q, want only the first cell's", out.String())
	}
}

// A script ends when ctx ends, even while a cell runs.
func TestScriptContext(t *testing.T) {
	k := newCalcKernel()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-k.looping
		cancel()
	}()
	err := Run(ctx, k, Options{In: strings.NewReader("for {}\n"), Out: io.Discard, Err: io.Discard})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

// A kernel that dies is reported; a script stops, a session goes on.
type dying struct{ *calcKernel }

func (dying) Execute(context.Context, string, func(*protocol.Message)) (protocol.ExecuteReplyContent, error) {
	return protocol.ExecuteReplyContent{}, errors.New("kernel died: out of memory (the kernel was restarted)")
}

func TestKernelDied(t *testing.T) {
	err := Run(context.Background(), dying{newCalcKernel()}, Options{In: strings.NewReader("\n\nx := 1\n"), Out: io.Discard, Err: io.Discard})
	if err == nil || err.Error() != "input line 3: kernel died: out of memory (the kernel was restarted)" {
		t.Errorf("Run returned %v", err)
	}
	r := runInteractive(t, dying{newCalcKernel()}, nil, Options{}, join(lines("1", "2"), []key{ctrlD}))
	if want := strings.Repeat("firn: kernel died: out of memory (the kernel was restarted)\n", 2); r.err != want || r.runErr != nil {
		t.Errorf("err %q (run %v), want %q", r.err, r.runErr, want)
	}
}

func TestRunOptions(t *testing.T) {
	if err := Run(context.Background(), nil, Options{}); err == nil {
		t.Error("no error without a backend")
	}
	if err := Run(context.Background(), newCalcKernel(), Options{Images: "ascii", In: strings.NewReader("")}); err == nil {
		t.Error("no error for an unknown image mode")
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		name    string
		pending []string
		line    string
		pos     int
		head    string
		matches []string
		tail    string
	}{
		{"package member", nil, "fmt.Print", 9, "", []string{"fmt.Print", "fmt.Printf", "fmt.Println"}, ""},
		{"one match", nil, "x := fmt.Printl", 15, "x := ", []string{"fmt.Println"}, ""},
		{"text after the cursor", nil, "fmt.Prin(1)", 8, "", []string{"fmt.Print", "fmt.Printf", "fmt.Println"}, "(1)"},
		{"in a continuation line", []string{"func f() {"}, "\tfmt.Printl", 11, "\t", []string{"fmt.Println"}, ""},
		{"variable", nil, "1 + vol", 7, "1 + ", []string{"volume"}, ""},
		{"nothing", nil, "zzz", 3, "zzz", nil, ""},
		{"indent at the start", nil, "", 0, "", []string{indent}, ""},
		{"indent in leading space", []string{"if x {"}, "\t", 1, "\t", []string{indent}, ""},
		{"unicode before", nil, "δ := fmt.Printl", 15, "δ := ", []string{"fmt.Println"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newCalcKernel()
			k.vars["volume"] = nil
			s, err := newSession(k, Options{Getenv: plainEnv})
			if err != nil {
				t.Fatal(err)
			}
			s.pending = tt.pending
			head, matches, tail := s.complete(context.Background(), tt.line, tt.pos)
			if head != tt.head || !reflect.DeepEqual(matches, tt.matches) || tail != tt.tail {
				t.Errorf("complete(%q, %d) = %q, %q, %q; want %q, %q, %q", tt.line, tt.pos, head, matches, tail, tt.head, tt.matches, tt.tail)
			}
		})
	}
}

func TestApplyCompletion(t *testing.T) {
	line := []rune("a := fmt.Pr")
	tests := []struct {
		name  string
		off   int
		reply protocol.CompleteReplyContent
		ok    bool
		head  string
	}{
		{"fits", 0, protocol.CompleteReplyContent{Matches: []string{"fmt.Print", "fmt.Print"}, CursorStart: 5, CursorEnd: 11}, true, "a := "},
		{"offset", 10, protocol.CompleteReplyContent{Matches: []string{"fmt.Print"}, CursorStart: 15, CursorEnd: 21}, true, "a := "},
		{"starts on an earlier line", 10, protocol.CompleteReplyContent{Matches: []string{"x"}, CursorStart: 3, CursorEnd: 21}, false, ""},
		{"past the end", 0, protocol.CompleteReplyContent{Matches: []string{"x"}, CursorStart: 5, CursorEnd: 40}, false, ""},
		{"reversed", 0, protocol.CompleteReplyContent{Matches: []string{"x"}, CursorStart: 8, CursorEnd: 5}, false, ""},
		{"no matches", 0, protocol.CompleteReplyContent{CursorStart: 5, CursorEnd: 11}, false, ""},
		{"empty match", 0, protocol.CompleteReplyContent{Matches: []string{""}, CursorStart: 5, CursorEnd: 11}, false, ""},
	}
	for _, tt := range tests {
		head, matches, _, ok := applyCompletion(line, tt.off, tt.reply)
		if ok != tt.ok || (ok && (head != tt.head || len(matches) != 1)) {
			t.Errorf("%s: got %q %q %v; want head %q ok %v", tt.name, head, matches, ok, tt.head, tt.ok)
		}
	}
}
