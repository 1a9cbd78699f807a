package repl

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The end-to-end tests drive `firn repl` with the real kernel, as a person
// would: in a terminal (tmux) and through a pipe, with the firn program
// built from this checkout (or FIRN_BINARY).

// waitTimeout bounds each wait for the screen to show something. It is a
// safety net, not a speed check: the waits end when the screen shows what
// they wait for, and a loaded machine (the whole suite with both cores
// busy) has taken more than 20 s to start a REPL and its kernel.
const waitTimeout = 90 * time.Second

// builtFirn is the firn program TestMain built for the end-to-end tests.
var builtFirn string

func TestMain(m *testing.M) {
	if bin := os.Getenv("FIRN_BINARY"); bin != "" {
		builtFirn = bin
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "firn-repl-")
	if err != nil {
		panic(err)
	}
	builtFirn = filepath.Join(dir, "firn")
	if out, err := exec.Command("go", "build", "-o", builtFirn, "github.com/firnglacier/firn/cmd/firn").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// firnBinary is the firn program under test: FIRN_BINARY if set, else
// the one TestMain built from this checkout.
func firnBinary(t *testing.T) string {
	t.Helper()
	bin := builtFirn
	if !filepath.IsAbs(bin) {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		bin = abs
	}
	return bin
}

// userEnv is an environment whose home and XDG folders are in home, so a
// test reads and writes no file of the person running it.
func userEnv(home string) []string {
	env := []string{"HOME=" + home, "TERM=xterm-256color", "LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache")}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH", "TMPDIR", "GOROOT", "GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS":
			env = append(env, kv)
		}
	}
	return env
}

// tmuxTerm is a 120×40 terminal in a private tmux server running one
// command.
type tmuxTerm struct {
	t    *testing.T
	sock string
}

func startTmux(t *testing.T, dir string, env []string, command string) *tmuxTerm {
	t.Helper()
	tmp, err := os.MkdirTemp("", "firn-tmux") // short: socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(tmp, "tmux.conf")
	// remain-on-exit keeps the pane after the program ends, to read its
	// exit status
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g history-limit 10000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	x := &tmuxTerm{t: t, sock: filepath.Join(tmp, "s")}
	t.Cleanup(func() {
		exec.Command("tmux", "-S", x.sock, "kill-server").Run()
		os.RemoveAll(tmp)
	})
	cmd := exec.Command("tmux", "-S", x.sock, "-f", conf, "new-session", "-d", "-x", "120", "-y", "40",
		"-s", "firn", "-c", dir, command)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	return x
}

func (x *tmuxTerm) tmux(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// typeText types text literally (no Enter).
func (x *tmuxTerm) typeText(text string) { x.tmux("send-keys", "-t", "firn", "-l", text) }

// press presses keys by tmux name: Enter, Tab, Up, C-c, C-d.
func (x *tmuxTerm) press(keys ...string) {
	x.tmux(append([]string{"send-keys", "-t", "firn"}, keys...)...)
}

// enter types a line and presses Enter.
func (x *tmuxTerm) enter(line string) {
	x.typeText(line)
	x.press("Enter")
}

// screen is the pane's text, scrollback included, wrapped lines joined.
func (x *tmuxTerm) screen() string {
	return x.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "firn")
}

// waitFor polls the screen until ok accepts it.
func (x *tmuxTerm) waitFor(what string, ok func(screen []string) bool) {
	x.t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(waitTimeout)
	for {
		s := x.screen()
		if ok(strings.Split(strings.TrimRight(s, "\n"), "\n")) {
			return
		}
		select {
		case <-deadline:
			x.t.Fatalf("after %s the terminal shows no %s:\n%s", waitTimeout, what, s)
		case <-tick.C:
		}
	}
}

// after returns the lines after the last line that is marker (trailing
// spaces aside).
func after(lines []string, marker string) ([]string, bool) {
	marker = strings.TrimRight(marker, " ")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimRight(lines[i], " ") == marker {
			return lines[i+1:], true
		}
	}
	return nil, false
}

// waitOutput waits until the lines after the input line `firn> input`
// hold a line equal to want and then a fresh prompt.
func (x *tmuxTerm) waitOutput(input string, want func(line string) bool, what string) {
	x.t.Helper()
	x.waitFor(what+" after "+input, func(lines []string) bool {
		rest, ok := after(lines, prompt+input)
		if !ok {
			return false
		}
		for i, l := range rest {
			if want(l) {
				for _, p := range rest[i+1:] {
					if strings.TrimRight(p, " ") == bare {
						return true
					}
				}
			}
		}
		return false
	})
}

func equals(s string) func(string) bool {
	return func(l string) bool { return strings.TrimSpace(l) == s }
}

// lastLine is the last non-blank line of the screen, without trailing
// spaces.
func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			return strings.TrimRight(lines[i], " ")
		}
	}
	return ""
}

// bare is the prompt as the screen shows it when nothing is typed.
var bare = strings.TrimRight(prompt, " ")

// exitStatus waits for the program in the pane to end and returns its
// exit status.
//
// tmux learns the status when it reaps the program on SIGCHLD. A tmux
// built with libutempter (Debian's and Ubuntu's are) runs the utempter
// helper when it closes a dead pane's terminal, and meanwhile sets
// SIGCHLD to SIG_DFL: when the program's SIGCHLD comes in that window,
// the kernel discards it and tmux never reaps the program. The pane is
// then dead (#{pane_dead} is 1) but #{pane_dead_status} stays empty for
// good, the program a zombie (https://github.com/tmux/tmux/issues/311).
// So while the pane is dead without a status, the test sends the tmux
// server a SIGCHLD of its own, on which the server reaps its exited
// children and records the status.
func (x *tmuxTerm) exitStatus() string {
	x.t.Helper()
	var status string
	x.waitFor("end of the program", func([]string) bool {
		f := strings.Split(strings.TrimSpace(x.tmux("display-message", "-p", "-t", "firn", "#{pane_dead}|#{pane_dead_status}|#{pid}")), "|")
		if len(f) != 3 || f[0] != "1" {
			return false
		}
		if f[1] != "" {
			status = f[1]
			return true
		}
		// f[2] is the pid of this test's own tmux server
		if out, err := exec.Command("kill", "-s", "CHLD", f[2]).CombinedOutput(); err != nil {
			x.t.Logf("kill -s CHLD %s: %v: %s", f[2], err, out)
		}
		return false
	})
	return status
}

func TestTmuxREPL(t *testing.T) {
	bin := firnBinary(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("the terminal tests need tmux (apt-get install tmux)")
	}
	home, work := t.TempDir(), t.TempDir()
	env := userEnv(home)
	x := startTmux(t, work, env, bin+" repl")

	x.waitFor("banner and prompt", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "Firn ") && lastLine(lines) == bare
	})

	// state lives from cell to cell
	x.enter("x := 40")
	x.enter("x + 2")
	x.waitOutput("x + 2", equals("42"), "42")

	// a function over several lines: the prompt continues while { is open
	x.enter("func double(v int) int {")
	x.waitFor("continuation prompt", func(lines []string) bool {
		rest, ok := after(lines, prompt+"func double(v int) int {")
		return ok && len(rest) > 0 && strings.HasPrefix(rest[0], strings.TrimRight(continuation, " "))
	})
	x.enter("return 2 * v")
	x.enter("}")
	x.enter("double(x)")
	x.waitOutput("double(x)", equals("80"), "80")

	// Ctrl-C stops an endless cell; the session and its state stay
	x.enter("for {}")
	// the cursor leaves the input line when the REPL has read the Enter:
	// from then on Ctrl-C is a signal, not a key of the line editor
	x.waitFor("the running cell", func(lines []string) bool {
		return lastLine(lines) == prompt+"for {}" &&
			strings.TrimSpace(x.tmux("display-message", "-p", "-t", "firn", "#{cursor_x}")) == "0"
	})
	x.press("C-c")
	x.waitOutput("for {}", func(l string) bool { return strings.Contains(strings.ToLower(l), "interrupt") }, "interruption message")
	x.enter("x")
	x.waitOutput("x", equals("40"), "40 (x survived the interrupt)")

	// Tab completes; a second Tab lists the choices
	x.typeText("fmt.Print")
	x.press("Tab")
	x.press("Tab")
	x.waitFor("completions of fmt.Print", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "Println")
	})
	// Ctrl-C at the prompt drops the typed text
	x.press("C-c")
	x.waitFor("a fresh prompt after Ctrl-C", func(lines []string) bool {
		return lastLine(lines) == bare && strings.Contains(strings.Join(lines, "\n"), "^C")
	})

	// Ctrl-D on an empty line quits with status 0
	x.press("C-d")
	if status := x.exitStatus(); status != "0" {
		t.Errorf("firn repl exited with status %s, want 0:\n%s", status, x.screen())
	}

	// the history was written under the test's home, and a new session
	// brings it back with Up
	if !historyHas(t, home, "x := 40") {
		t.Errorf("no history file under %s holds the typed lines", home)
	}
	y := startTmux(t, work, env, bin+" repl")
	y.waitFor("prompt of the second session", func(lines []string) bool { return lastLine(lines) == bare })
	y.press("Up")
	y.waitFor("the last line typed in the first session", func(lines []string) bool { return lastLine(lines) == prompt+"x" })
	y.press("C-c")
	y.press("C-d")
	if status := y.exitStatus(); status != "0" {
		t.Errorf("second session exited with status %s, want 0", status)
	}
}

// historyHas reports whether a file under home holds line as a line.
func historyHas(t *testing.T, home, line string) bool {
	t.Helper()
	found := false
	filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if l == line {
					found = true
				}
			}
		}
		return nil
	})
	return found
}

func TestPipedREPL(t *testing.T) {
	bin := firnBinary(t)
	tests := []struct {
		name   string
		script string
		status int
		stdout string
		stderr string // a part of standard error
	}{
		{"println", "fmt.Println(1+1)\n", 0, "2\n", ""},
		{"expression", "1+1\n", 0, "2\n", ""},
		{"cells in order", "x := 40\nfunc double(v int) int {\n\treturn 2 * v\n}\n\nfmt.Println(x + 2)\ndouble(x)\n", 0, "42\n80\n", ""},
		{"stops at the first error", "fmt.Println(1)\nundefinedName + 1\nfmt.Println(3)\n", 1, "1\n", "undefinedName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "repl")
			cmd.Dir = t.TempDir()
			cmd.Env = userEnv(t.TempDir())
			cmd.Stdin = strings.NewReader(tt.script)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			status := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tt.status || out.String() != tt.stdout || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
					status, out.String(), errb.String(), tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}

// :doc NAME and NAME? show a name's documentation, from the kernel's doc
// index and its variables, in a real terminal.
func TestTmuxDoc(t *testing.T) {
	bin := firnBinary(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("the terminal tests need tmux (apt-get install tmux)")
	}
	home, work := t.TempDir(), t.TempDir()
	x := startTmux(t, work, userEnv(home), bin+" repl")
	x.waitFor("banner and prompt", func(lines []string) bool { return lastLine(lines) == bare })

	for _, tc := range []struct{ input, first, doc string }{
		{":doc edu.NewGlacier", "func NewGlacier(", "NewGlacier"},
		{"strings.ToUpper?", "func ToUpper(s string) string", "ToUpper returns s with all Unicode letters mapped to their upper case."},
		{"g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))", "", ""},
		{"g.ProgressToYear?", "func (g *Glacier) ProgressToYear(year float64) error", "ProgressToYear"},
	} {
		x.enter(tc.input)
		if tc.first == "" {
			continue
		}
		x.waitOutput(tc.input, func(l string) bool { return strings.Contains(l, tc.doc) }, "the documentation of "+tc.input)
		rest, _ := after(strings.Split(x.screen(), "\n"), prompt+tc.input)
		if len(rest) == 0 || !strings.HasPrefix(strings.TrimSpace(rest[0]), tc.first) {
			t.Errorf("%s shows first %q, want %q", tc.input, rest, tc.first)
		}
	}
	x.enter(":doc nosuchthing")
	x.waitOutput(":doc nosuchthing", func(l string) bool { return strings.Contains(l, "no documentation for nosuchthing") }, "the message for an unknown name")
	x.press("C-d")
	if status := x.exitStatus(); status != "0" {
		t.Errorf("firn repl exited with status %s, want 0", status)
	}
}
