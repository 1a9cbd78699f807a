package jupyter_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/jupyter"
	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/examples"
	"github.com/firnglacier/firn/notebooks/run"
)

// These tests drive the Firn kernel with Jupyter's own tools, Debian's
// (run by /usr/bin/python3: the python3 on PATH may be another without
// Jupyter). They fail, not skip, when the tools are missing:
// scripts/test.sh installs them.

const systemPython = "/usr/bin/python3"

// needJupyter fails the test unless Debian's Python imports modules.
func needJupyter(t *testing.T, modules ...string) {
	t.Helper()
	script := "import " + strings.Join(modules, ", ")
	if out, err := exec.Command(systemPython, "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("%s cannot %s; install Jupyter's tools with apt-get install -y --no-install-recommends "+
			"python3-jupyter-client jupyter-nbconvert jupyter-console python3-jupyter-kernel-test python3-ipykernel "+
			"(scripts/test.sh does): %v\n%s", systemPython, script, err, out)
	}
}

// jupyterHome makes a fresh HOME with a Jupyter data folder that holds
// the kernelspec "firn" (this test binary as the firn program) and
// returns the environment for Jupyter's tools and the data folder.
func jupyterHome(t *testing.T) (env []string, dataDir string) {
	t.Helper()
	home := t.TempDir()
	dataDir = filepath.Join(home, "data")
	spec := jupyter.Spec(os.Args[0])
	if _, err := jupyter.Install(dataDir, spec); err != nil {
		t.Fatal(err)
	}
	env = []string{
		"HOME=" + home,
		"PATH=/usr/bin:/bin:/usr/local/bin",
		"LANG=C.UTF-8",
		"JUPYTER_DATA_DIR=" + dataDir,
		"JUPYTER_CONFIG_DIR=" + filepath.Join(home, "config"),
		"JUPYTER_RUNTIME_DIR=" + filepath.Join(home, "runtime"),
		"JUPYTER_PATH=",
		"IPYTHONDIR=" + filepath.Join(home, "ipython"),
		"PYTHONDONTWRITEBYTECODE=1",
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
		"JUPYTER_PLATFORM_DIRS=0",
	}
	return env, dataDir
}

// command runs a program in dir with env and returns its output; it
// fails the test when the program fails.
func command(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// TestKernelspecList: the installed kernelspec is what `jupyter
// kernelspec list` shows, with its files.
func TestKernelspecList(t *testing.T) {
	needJupyter(t, "jupyter_client")
	env, dataDir := jupyterHome(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	out := command(t, ctx, t.TempDir(), env, "/usr/bin/jupyter", "kernelspec", "list")
	want := filepath.Join(dataDir, "kernels", "firn")
	if !regexp.MustCompile(`(?m)^\s*firn\s+` + regexp.QuoteMeta(want) + `\s*$`).MatchString(out) {
		t.Errorf("jupyter kernelspec list shows no firn at %s:\n%s", want, out)
	}
	out = command(t, ctx, t.TempDir(), env, "/usr/bin/jupyter", "kernelspec", "list", "--json")
	for _, s := range []string{`"display_name": "Go (Firn)"`, `"language": "go"`, `"interrupt_mode": "message"`, `"{connection_file}"`} {
		if !strings.Contains(out, s) {
			t.Errorf("jupyter kernelspec list --json lacks %s:\n%s", s, out)
		}
	}
	for _, f := range []string{"kernel.json", "logo-32x32.png", "logo-64x64.png"} {
		if _, err := os.Stat(filepath.Join(want, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestInputReplyJupyterClient: a cell that reads standard input gets
// what jupyter_client's KernelClient.input sends (testdata/input_reply.py),
// an input_reply without a parent header, as jupyter console and nbclient
// send it.
func TestInputReplyJupyterClient(t *testing.T) {
	needJupyter(t, "jupyter_client")
	env, _ := jupyterHome(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("testdata", "input_reply.py"))
	if err != nil {
		t.Fatal(err)
	}
	out := command(t, ctx, t.TempDir(), env, systemPython, script)
	want := "status ok\nstream 'name? '\nstream 'hello, glacier\\n'\n"
	if !strings.Contains(out, want) {
		t.Errorf("jupyter_client saw:\n%s\nwant it to show:\n%s", out, want)
	}
}

// TestControlJupyterClient drives the Firn kernel with jupyter_client
// (testdata/control.py): an endless loop interrupted with an
// interrupt_request on the control socket (the kernelspec's
// interrupt_mode message), is_complete, history, comm_info, a restart (a
// shutdown_request with restart: the old process ends by itself and a
// new one, without the old one's variables, answers) and a shutdown.
func TestControlJupyterClient(t *testing.T) {
	needJupyter(t, "jupyter_client")
	env, _ := jupyterHome(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*testTimeout)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("testdata", "control.py"))
	if err != nil {
		t.Fatal(err)
	}
	out := command(t, ctx, t.TempDir(), env, systemPython, script)
	want := `interrupt_mode message
interrupted error Interrupted
after the interrupt ok
is_complete incomplete
is_complete complete
history ok [['x := 1\nfmt.Println("looping")\nfor {\n\tx = x + 0\n}', None], ['x + 41', '42']]
comm_info ok {}
restarted True True old exit 0
after the restart error CompileError
a new kernel ok
shut down True exit 0
`
	if !strings.Contains(out, want) {
		t.Errorf("jupyter_client saw:\n%s\nwant:\n%s", out, want)
	}
}

// TestWidgetsJupyterClient drives the widgets of a Firn cell as
// JupyterLab's widget front end does, with jupyter_client
// (testdata/widgets.py): a slider cell opens the slider's model as a comm
// (target jupyter.widget, ipywidgets' state) before the display_data
// that shows it, comm_info lists it, a comm_msg update moves it with no
// reply and the next cell prints the new value, request_state answers
// the whole state, and a front end's comm to an unknown target is closed.
func TestWidgetsJupyterClient(t *testing.T) {
	needJupyter(t, "jupyter_client")
	env, _ := jupyterHome(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("testdata", "widgets.py"))
	if err != nil {
		t.Fatal(err)
	}
	out := command(t, ctx, t.TempDir(), env, systemPython, script)
	want := `slider cell ok ['execute_input', 'comm_open', 'display_data']
comm_open jupyter.widget version 2.1.0 buffer_paths []
state {'_model_module': '@jupyter-widgets/controls', '_model_module_version': '2.0.0', '_model_name': 'FloatSliderModel', '_view_module': '@jupyter-widgets/controls', '_view_module_version': '2.0.0', '_view_name': 'FloatSliderView'}
state {'description': 'ELA (m)', 'value': 3000, 'min': 2500, 'max': 3500, 'step': 10}
view True ELA (m) = 3000 (slider from 2500 to 3500)
comm_info ok True
comm_msg update ['busy', 'idle']
reading cell ok ['2800\n']
request_state ['comm_msg'] True update 2800
front end's comm_open ['comm_close'] ['c0ffee']
`
	if !strings.Contains(out, want) {
		t.Errorf("jupyter_client saw:\n%s\nwant:\n%s", out, want)
	}
}

// TestJupyterKernelTest runs Jupyter's conformance suite for kernels,
// jupyter_kernel_test, on the Firn kernel (testdata/test_firn_kernel.py):
// every test passes but the two that do not apply to Go (pager,
// clear_output), which it skips.
func TestJupyterKernelTest(t *testing.T) {
	needJupyter(t, "jupyter_client", "jupyter_kernel_test")
	env, _ := jupyterHome(t)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "test_firn_kernel.py"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "test_firn_kernel.py"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*testTimeout)
	defer cancel()
	out := command(t, ctx, dir, env, systemPython, "-m", "unittest", "-v", "test_firn_kernel")
	t.Logf("jupyter_kernel_test:\n%s", out)
	if !regexp.MustCompile(`(?m)^OK \(skipped=2\)$`).MatchString(out) {
		t.Errorf("want every test passed but the 2 that do not apply (OK (skipped=2)):\n%s", out)
	}
	for _, skipped := range regexp.MustCompile(`(?m)^(test_\w+) .*\.\.\. skipped`).FindAllStringSubmatch(out, -1) {
		if skipped[1] != "test_pager" && skipped[1] != "test_clear_output" {
			t.Errorf("%s was skipped", skipped[1])
		}
	}
}

// TestNbconvertLessons executes the eleven lessons with `jupyter nbconvert
// --to notebook --execute` on the Firn kernel: the outputs are `firn
// run`'s (the same text, a plot where firn run has one).
func TestNbconvertLessons(t *testing.T) {
	needJupyter(t, "jupyter_client", "nbconvert")
	env, _ := jupyterHome(t)
	lessons := examples.List()
	if len(lessons) != 11 {
		t.Fatalf("%d lessons, want 11", len(lessons))
	}
	for _, l := range lessons {
		t.Run(strings.TrimSuffix(l.File, ".ipynb"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*testTimeout)
			defer cancel()
			dir := t.TempDir()
			nb, err := examples.Read(l.File)
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, l.File)
			if err := notebooks.WriteFile(in, nb); err != nil {
				t.Fatal(err)
			}
			command(t, ctx, dir, env, "/usr/bin/jupyter", "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.timeout=600", "--output", "jupyter.ipynb", l.File)
			viaJupyter, err := notebooks.ReadFile(filepath.Join(dir, "jupyter.ipynb"))
			if err != nil {
				t.Fatal(err)
			}

			ran, err := examples.Read(l.File)
			if err != nil {
				t.Fatal(err)
			}
			firnDir := t.TempDir()
			if err := run.Notebook(ctx, ran, run.Options{Name: l.File, Kernel: kernel.Options{Command: []string{os.Args[0], "kernel"}, Dir: firnDir}}); err != nil {
				t.Fatalf("firn run: %v", err)
			}
			if len(viaJupyter.Cells) != len(ran.Cells) {
				t.Fatalf("nbconvert wrote %d cells, firn run %d", len(viaJupyter.Cells), len(ran.Cells))
			}
			images, code := 0, 0
			for i, c := range ran.Cells {
				if c.Type != notebooks.Code {
					continue
				}
				code++
				got, want := summary(viaJupyter.Cells[i]), summary(c)
				if got != want {
					t.Errorf("cell %d (id %s):\nnbconvert:\n%s\nfirn run:\n%s", i+1, c.ID, got, want)
				}
				images += strings.Count(want, "[image]")
			}
			if images == 0 {
				t.Errorf("no plot in %s: the comparison saw nothing", l.File)
			}
			t.Logf("%d code cells alike, %d plots", code, images)
		})
	}
}

// summary is what a cell shows: its streams' text, the text/plain of its
// results and displays, its errors, and "[image]" for a display with an
// image (PNG or SVG), whatever the image's bytes.
func summary(c *notebooks.Cell) string {
	var b strings.Builder
	for _, o := range c.Outputs {
		switch o.Type {
		case notebooks.Stream:
			fmt.Fprintf(&b, "[%s] %s\n", o.Name, o.Text)
		case notebooks.ExecuteResult, notebooks.DisplayData:
			var kinds []string
			for mime := range o.Data {
				kinds = append(kinds, mime)
			}
			sort.Strings(kinds)
			text, _ := o.Data["text/plain"].(string)
			fmt.Fprintf(&b, "[%s %s] %s\n", o.Type, strings.Join(kinds, ","), text)
			if o.Data["image/png"] != nil || o.Data["image/svg+xml"] != nil {
				b.WriteString("[image]\n")
			}
		case notebooks.Error:
			fmt.Fprintf(&b, "[error] %s: %s\n", o.EName, o.EValue)
		}
	}
	return b.String()
}

// TestJupyterConsole runs `jupyter console --kernel firn` in a terminal
// (tmux): a cell's answer is on the screen, a cell that reads standard
// input gets what is typed at the console's input prompt, and an open
// brace makes the console ask for more lines (is_complete).
func TestJupyterConsole(t *testing.T) {
	needJupyter(t, "jupyter_console")
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is needed (apt-get install tmux): %v", err)
	}
	env, _ := jupyterHome(t)
	env = append(env, "TERM=xterm-256color")
	x := startTmux(t, t.TempDir(), env, "/usr/bin/jupyter console --kernel firn --no-confirm-exit")
	x.waitFor("the first prompt", func(s string) bool { return strings.Contains(s, "In [1]:") })

	x.enter(`fmt.Println("answer", 6*7)`)
	x.waitFor("the answer", func(s string) bool {
		return regexp.MustCompile(`(?m)^answer 42\s*$`).MatchString(s) && strings.Contains(s, "In [2]:")
	})

	// A person types the next line when the console shows its prompt.
	x.enter("func twice(n int) int {")
	x.waitFor("a continuation prompt", func(s string) bool { return strings.Count(s, "...:") == 1 })
	x.enter("return 2 * n")
	x.waitFor("a second continuation prompt", func(s string) bool { return strings.Count(s, "...:") == 2 })
	x.enter("}") // complete: the console runs the cell
	x.waitFor("the prompt after the function", func(s string) bool { return strings.Contains(s, "In [3]:") })
	x.enter("twice(21)")
	x.waitFor("the result", func(s string) bool { return strings.Contains(s, "Out[3]: 42") && strings.Contains(s, "In [4]:") })

	x.enter(`fmt.Print("name? "); var name string; fmt.Scanln(&name); fmt.Println("hello,", name)`)
	x.waitFor("the cell's question", func(s string) bool { return regexp.MustCompile(`(?m)^name\? `).MatchString(s) })
	x.enter("glacier")
	x.waitFor("the line read", func(s string) bool {
		return regexp.MustCompile(`(?m)^hello, glacier\s*$`).MatchString(s) && strings.Contains(s, "In [5]:")
	})

	x.press("C-d")
	x.waitFor("the console's end", func(string) bool { return x.dead() })
}

// tmuxTerm is a terminal (a private tmux server) running one command.
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
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g history-limit 10000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	x := &tmuxTerm{t: t, sock: filepath.Join(tmp, "s")}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the terminal:\n%s", x.screen())
		}
		exec.Command("tmux", "-S", x.sock, "kill-server").Run()
		os.RemoveAll(tmp)
	})
	cmd := exec.Command("tmux", "-S", x.sock, "-f", conf, "new-session", "-d", "-x", "120", "-y", "40", "-s", "firn", "-c", dir, command)
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

// dead reports whether the command has ended (the pane stays, dead).
func (x *tmuxTerm) dead() bool {
	return strings.TrimSpace(x.tmux("display-message", "-p", "-t", "firn", "#{pane_dead}")) == "1"
}

// enter types a line and presses Enter.
func (x *tmuxTerm) enter(line string) {
	if line != "" {
		x.tmux("send-keys", "-t", "firn", "-l", line)
	}
	x.press("Enter")
}

func (x *tmuxTerm) press(keys ...string) {
	x.tmux(append([]string{"send-keys", "-t", "firn"}, keys...)...)
}

// screen is the pane's text, scrollback included, wrapped lines joined.
func (x *tmuxTerm) screen() string {
	out, _ := exec.Command("tmux", "-S", x.sock, "capture-pane", "-p", "-J", "-S", "-", "-t", "firn").CombinedOutput()
	return string(out)
}

// waitFor polls the screen until ok accepts it (a safety net of
// testTimeout, not a speed check).
func (x *tmuxTerm) waitFor(what string, ok func(screen string) bool) {
	x.t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(testTimeout)
	for {
		s := x.screen()
		if ok(s) {
			return
		}
		select {
		case <-deadline:
			x.t.Fatalf("after %s the terminal shows no %s:\n%s", testTimeout, what, s)
		case <-tick.C:
		}
	}
}
