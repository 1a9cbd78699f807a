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

// TestNbconvertLessons executes the six lessons with `jupyter nbconvert
// --to notebook --execute` on the Firn kernel: the outputs are `firn
// run`'s (the same text, a plot where firn run has one).
func TestNbconvertLessons(t *testing.T) {
	needJupyter(t, "jupyter_client", "nbconvert")
	env, _ := jupyterHome(t)
	lessons := examples.List()
	if len(lessons) != 6 {
		t.Fatalf("%d lessons, want 6", len(lessons))
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
			images := 0
			for i, c := range ran.Cells {
				if c.Type != notebooks.Code {
					continue
				}
				got, want := summary(viaJupyter.Cells[i]), summary(c)
				if got != want {
					t.Errorf("cell %d (id %s):\nnbconvert:\n%s\nfirn run:\n%s", i+1, c.ID, got, want)
				}
				images += strings.Count(want, "[image]")
			}
			t.Logf("%d code cells alike, %d plots", len(ran.Cells), images)
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
