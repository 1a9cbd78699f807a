package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/testslurm"
	"github.com/firnglacier/firn/internal/testsshd"
	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/examples"
)

// writeText writes a notebook in the text form and returns its path.
func writeText(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const paramsNotebook = `// %% [markdown]
// # A parameterised run

// %% tags=["parameters"]
ela := 3000.0
years := 50

// %%
g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(ela, 4))
g.ProgressToYear(float64(years))
fmt.Printf("ELA %.0f, year %.0f\n", ela, g.Year())
`

func TestRunConvertExport(t *testing.T) {
	dir := t.TempDir()
	src := writeText(t, dir, "p.go", paramsNotebook)

	// the text form runs, with parameters typed as their defaults
	r := firn(t, "", "run", src, "-p", "ela=3100", "-p", "years=20")
	if r.code != 0 {
		t.Fatalf("firn run: status %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "cell 1 of 3") || !strings.Contains(r.stderr, "wrote "+filepath.Join(dir, "p.ipynb")) {
		t.Errorf("progress on stderr:\n%s", r.stderr)
	}
	nb, err := notebooks.ReadFile(filepath.Join(dir, "p.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	last := nb.Cells[len(nb.Cells)-1]
	if len(last.Outputs) != 1 || last.Outputs[0].Text != "ELA 3100, year 20\n" {
		t.Errorf("last cell outputs %+v", last.Outputs)
	}
	params := nb.Metadata["firn"].(map[string]any)["parameters"].(map[string]any)
	if params["ela"] != json.Number("3100.0") || params["years"] != json.Number("20") {
		t.Errorf("metadata.firn.parameters = %v", params)
	}

	// convert to the text form and back: only outputs are lost
	r = firn(t, "", "convert", filepath.Join(dir, "p.ipynb"), "-o", filepath.Join(dir, "q.go"))
	if r.code != 0 {
		t.Fatalf("firn convert: %s", r.stderr)
	}
	r = firn(t, "", "convert", filepath.Join(dir, "q.go"))
	if r.code != 0 {
		t.Fatalf("firn convert back: %s", r.stderr)
	}
	back, err := notebooks.ReadFile(filepath.Join(dir, "q.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range nb.Cells {
		if b := back.Cells[i]; b.Source != c.Source || b.ID != c.ID || b.Type != c.Type || len(b.Outputs) != 0 {
			t.Errorf("cell %d after the round trip: %+v", i+1, b)
		}
	}

	// export
	for _, tc := range []struct{ to, file, want string }{
		{"html", "p.html", "<html"},
		{"markdown", "p.md", "```go"},
	} {
		r = firn(t, "", "export", filepath.Join(dir, "p.ipynb"), "--to", tc.to)
		if r.code != 0 {
			t.Fatalf("firn export --to %s: %s", tc.to, r.stderr)
		}
		b, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil || !strings.Contains(string(b), tc.want) || !strings.Contains(string(b), "ELA 3100, year 20") {
			t.Errorf("export to %s: %v\n%.500s", tc.to, err, b)
		}
	}
}

func TestRunFailures(t *testing.T) {
	dir := t.TempDir()
	src := writeText(t, dir, "p.go", paramsNotebook)
	tests := []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"an unknown parameter", []string{"-p", "elevation=3"}, 2, "parameter elevation is not declared in the parameters cell, which declares: ela, years"},
		{"a parameter of the wrong type", []string{"-p", "years=ten"}, 2, "the default is an integer"},
		{"a missing file", []string{"nope.ipynb"}, 2, "nope.ipynb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run"}, tc.args...)
			if !strings.HasSuffix(tc.args[0], ".ipynb") {
				args = append([]string{"run", src}, tc.args...)
			}
			r := firn(t, "", args...)
			if r.code != tc.status || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("status %d, stderr:\n%s\nwant status %d and %q", r.code, r.stderr, tc.status, tc.want)
			}
		})
	}

	// a failing cell: status 1, the message names the cell, its id and
	// the line, and the notebook is written with the error in it
	bad := writeText(t, dir, "bad.go", "// %% id=\"first\"\nx := 1\n\n// %% id=\"second\"\ny := x +\n\tnothing\n\n// %% id=\"third\"\nfmt.Println(\"after\")\n")
	r := firn(t, "", "run", bad, "-o", filepath.Join(dir, "bad.ipynb"))
	if r.code != 1 || !strings.Contains(r.stderr, "cell 2 (id second), line 2: CompileError") || !strings.Contains(r.stderr, "nothing") {
		t.Errorf("status %d, stderr:\n%s", r.code, r.stderr)
	}
	nb, err := notebooks.ReadFile(filepath.Join(dir, "bad.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells[1].Outputs) != 1 || nb.Cells[1].Outputs[0].Type != notebooks.Error || len(nb.Cells[2].Outputs) != 0 {
		t.Errorf("outputs after a failure: %+v / %+v", nb.Cells[1].Outputs, nb.Cells[2].Outputs)
	}
	// a broken notebook file names the file and the place
	broken := writeText(t, dir, "broken.ipynb", `{"cells": [{"cell_type": "code", "source": "x"`)
	r = firn(t, "", "run", broken)
	if r.code != 2 || !strings.Contains(r.stderr, "broken.ipynb: line 1") {
		t.Errorf("status %d, stderr:\n%s", r.code, r.stderr)
	}
	// what a truncated notebook still holds can be saved
	truncated := writeText(t, dir, "cut.ipynb", `{"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "source": "x := 1", "outputs": [], "execution_count": null}, {"cell_type": "markdown", "id": "b", "metadata": {}, "source": "# Lost`)
	r = firn(t, "", "convert", truncated)
	if r.code != 2 || !strings.Contains(r.stderr, "--recover") {
		t.Errorf("convert of a damaged file: status %d, stderr:\n%s", r.code, r.stderr)
	}
	r = firn(t, "", "convert", truncated, "--recover", "-o", filepath.Join(dir, "cut.go"))
	if r.code != 0 || !strings.Contains(r.stderr, "cut.ipynb: line 1") {
		t.Fatalf("convert --recover: status %d, stderr:\n%s", r.code, r.stderr)
	}
	if got, err := notebooks.ReadFile(filepath.Join(dir, "cut.go")); err != nil || len(got.Cells) != 1 || got.Cells[0].Source != "x := 1" {
		t.Errorf("recovered %+v, %v; want the one complete cell", got, err)
	}
}

// `firn run` executes every bundled lesson from a copy, as a teacher
// would.
func TestRunTheLessons(t *testing.T) {
	dir := t.TempDir()
	if err := examples.CopyTo(dir); err != nil {
		t.Fatal(err)
	}
	for _, l := range examples.List() {
		r := firn(t, "", "run", "--quiet", filepath.Join(dir, l.File))
		if r.code != 0 {
			t.Errorf("%s: status %d\n%s", l.File, r.code, r.stderr)
		}
	}
}

// Ctrl-C during `firn run` interrupts the running cell, writes the
// outputs so far and exits 130. The signal is sent once the progress says
// the endless cell is next: the test waits on an event, not on time.
func TestRunInterrupt(t *testing.T) {
	dir := t.TempDir()
	src := writeText(t, dir, "loop.go", "// %%\nfmt.Println(\"first\")\n\n// %%\nfor {}\n")
	rest := interruptAt(t, exec.Command(firnBin, "run", src), func(line string) bool { return strings.Contains(line, "cell 2 of 2") })
	if !strings.Contains(rest, "interrupted; the outputs so far are in") {
		t.Errorf("stderr %q", rest)
	}
	nb, err := notebooks.ReadFile(filepath.Join(dir, "loop.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells[0].Outputs) != 1 || nb.Cells[0].Outputs[0].Text != "first\n" {
		t.Errorf("the first cell's output was not kept: %+v", nb.Cells[0].Outputs)
	}
}

// TestRunOtherKernel: firn run refuses a notebook for another kernel
// (exit 2) and leaves its file as it was.
func TestRunOtherKernel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "py.ipynb")
	src := `{"cells": [{"cell_type": "code", "execution_count": 1, "id": "a1", "metadata": {}, "outputs": [{"name": "stdout", "output_type": "stream", "text": ["hello\n"]}], "source": ["print('hello')"]}], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
`
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := firn(t, "", "run", p)
	if r.code != 2 || !strings.Contains(r.stderr, "This notebook is for Python 3 (kernel python3); Firn runs Go") {
		t.Errorf("firn run of a Python notebook: %d %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(p); string(b) != src {
		t.Errorf("the file changed:\n%s", b)
	}
}

// TestRunRecordsParametersAsPapermill runs a notebook with parameters in
// both forms (-p NAME=VALUE and papermill's -p NAME VALUE) and reads the
// file it wrote with Python's json, as papermill-aware tools do: the
// parameters are in metadata.papermill.parameters with their types, and
// the injected cell is tagged "injected-parameters".
func TestRunRecordsParametersAsPapermill(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	dir := t.TempDir()
	src := writeText(t, dir, "p.go", `// %% tags=["parameters"]
ela := 3000.0
years := 50
name := "HEF"
warm := false

// %%
fmt.Println(ela, years, name, warm)
`)
	out := filepath.Join(dir, "out.ipynb")
	r := firn(t, "", "run", src, "-p", "years", "3200", "-p", "ela=3100.5", "-p", "name", "3200", "-p", "warm", "true", "-o", out, "--quiet")
	if r.code != 0 {
		t.Fatalf("firn run: status %d\n%s", r.code, r.stderr)
	}
	script := `
import json, sys
nb = json.load(open(sys.argv[1]))
p = nb["metadata"]["papermill"]["parameters"]
print(" ".join(k + ":" + type(p[k]).__name__ + ":" + json.dumps(p[k]) for k in sorted(p)))
f = nb["metadata"]["firn"]["parameters"]
print(" ".join(k + ":" + type(f[k]).__name__ for k in sorted(f)))
inj = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
print(len(inj), "".join(inj[0]["source"]).replace("\n", "|"))
print("".join(nb["cells"][-1]["outputs"][0]["text"]).strip())
`
	py, err := exec.Command("python3", "-c", script, out).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, py)
	}
	want := `ela:float:3100.5 name:str:"3200" warm:bool:true years:int:3200
ela:float name:str warm:bool years:int
1 // Parameters injected by firn run|years = 3200|ela = 3100.5|name = "3200"|warm = true
3100.5 3200 3200 true
`
	if string(py) != want {
		t.Errorf("read with Python's json:\n%s\nwant:\n%s", py, want)
	}
}

// TestRunLessonOnSlurm: `firn run --kernel slurm:…` runs the first lesson
// in a kernel that is a job of a real single-node Slurm (started by the
// test), over NATS through the broker firn embeds; every cell's outputs
// (text, tables and the plots' images) are those of the same lesson run
// by a local kernel; the job's script and output are in
// $XDG_STATE_HOME/firn/slurm, not in the workspace; and the job is gone
// from the queue when firn has ended.
func TestRunLessonOnSlurm(t *testing.T) {
	testslurm.Start(t)
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	remote := runLessonOn(t, "slurm:partition=debug,time=10,mem=600M")
	logs, _ := filepath.Glob(filepath.Join(state, "firn", "slurm", "*", "job-*.out"))
	if len(logs) != 1 {
		t.Errorf("job outputs in the state folder: %q, want one", logs)
	}
	if junk, _ := filepath.Glob(filepath.Join(remote, ".firn-slurm*")); len(junk) > 0 {
		t.Errorf("Slurm files in the workspace: %q", junk)
	}
	testslurm.WaitFor(t, "squeue to forget the kernel's job", func() bool {
		out, err := exec.Command("squeue", "-h").Output()
		return err == nil && strings.TrimSpace(string(out)) == ""
	})
}

// TestRunLessonOverSSH: `firn run --kernel ssh://…` runs the first
// lesson in a kernel on a host reached over SSH (Debian's sshd on
// loopback, started by the test: the host is this machine, the firn
// program the one under test), in a folder of its own there, its broker
// forwarded through the SSH connection; every cell's outputs are those
// of the same lesson run by a local kernel, and no kernel is left on the
// host.
func TestRunLessonOverSSH(t *testing.T) {
	s := testsshd.Start(t)
	hostDir := filepath.Join(t.TempDir(), "on-the-host")
	runLessonOn(t, fmt.Sprintf("ssh://%s@127.0.0.1:%d/%s?key=%s&known_hosts=%s&firn=%s", s.User, s.Port, hostDir, s.UserKey, s.KnownHosts, firnBin))
	if fi, err := os.Stat(hostDir); err != nil || !fi.IsDir() {
		t.Errorf("the kernel's folder on the host: %v", err)
	}
	if out, _ := exec.Command("pgrep", "-f", regexp.QuoteMeta(firnBin)+" kernel .*--transport nats").Output(); len(out) > 0 {
		t.Errorf("kernel processes left on the host: %s", out)
	}
}

// runLessonOn runs the first lesson with a local kernel and with
// `--kernel kernel`, each in a workspace of its own, and checks that
// every cell's outputs are the same; it returns the second workspace.
func runLessonOn(t *testing.T, kernel string) string {
	t.Helper()
	local, remote := t.TempDir(), t.TempDir()
	for _, d := range []string{local, remote} {
		if err := examples.CopyTo(d); err != nil {
			t.Fatal(err)
		}
	}
	lesson := examples.List()[0].File
	if r := firn(t, "", "run", "--quiet", filepath.Join(local, lesson)); r.code != 0 {
		t.Fatalf("local run: %d\n%s", r.code, r.stderr)
	}
	if r := firn(t, "", "run", "--quiet", "--kernel", kernel, filepath.Join(remote, lesson)); r.code != 0 {
		t.Fatalf("run with --kernel %s: %d\n%s", kernel, r.code, r.stderr)
	}
	want, err := notebooks.ReadFile(filepath.Join(local, lesson))
	if err != nil {
		t.Fatal(err)
	}
	got, err := notebooks.ReadFile(filepath.Join(remote, lesson))
	if err != nil {
		t.Fatal(err)
	}
	outputs := 0
	for i, c := range want.Cells {
		if !reflect.DeepEqual(got.Cells[i].Outputs, c.Outputs) {
			t.Errorf("cell %d: the outputs with --kernel %s differ from the local kernel's", i+1, kernel)
		}
		outputs += len(c.Outputs)
	}
	if outputs < 10 {
		t.Errorf("the lesson gave only %d outputs", outputs)
	}
	return remote
}

// TestRunReactive: a notebook whose cells use names defined further down
// fails run top to bottom, and with metadata.firn.reactive on runs each
// cell after the cells it uses (the definitions first), writing every
// output; a reactive notebook with two cells defining one name, or a
// cycle, is refused (exit 2) naming the cells, and its file is left as
// it was.
func TestRunReactive(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, reactive bool, sources ...string) string {
		nb := notebooks.New()
		for i, src := range sources {
			c := nb.AddCell(notebooks.NewCell(notebooks.Code, src))
			c.ID = fmt.Sprintf("c%d", i+1)
		}
		if reactive {
			nb.Metadata["firn"] = map[string]any{"reactive": true}
		}
		p := filepath.Join(dir, name)
		if err := notebooks.WriteFile(p, nb); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cells := []string{
		`fmt.Printf("ELA %.0f m: %.3f km³ after %.0f years\n", ela, g.Diagnostics().Volume/1e9, g.Year())`,
		"g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(ela, 4))\ng.ProgressToYear(100)",
		"ela := 3000.0",
	}
	plain := write("plain.ipynb", false, cells...)
	if r := firn(t, "", "run", "--quiet", plain); r.code != 1 || !strings.Contains(r.stderr, "cell 1 (id c1)") || !strings.Contains(r.stderr, "undefined: ela") {
		t.Errorf("top to bottom: %d %q, want cell 1 failing on ela", r.code, r.stderr)
	}
	reactive := write("reactive.ipynb", true, cells...)
	if r := firn(t, "", "run", "--quiet", reactive); r.code != 0 {
		t.Fatalf("reactive: %d %s", r.code, r.stderr)
	}
	nb, err := notebooks.ReadFile(reactive)
	if err != nil {
		t.Fatal(err)
	}
	if out := nb.Cells[0].Outputs; len(out) != 1 || !strings.HasPrefix(out[0].Text, "ELA 3000 m: ") || !strings.Contains(out[0].Text, "after 100 years") {
		t.Errorf("the first cell's output: %+v", out)
	}
	var counts []int
	for _, c := range nb.Cells {
		if c.ExecutionCount == nil {
			t.Fatalf("cell %s did not run", c.ID)
		}
		counts = append(counts, *c.ExecutionCount)
	}
	if fmt.Sprint(counts) != "[3 2 1]" {
		t.Errorf("execution counts %v, want [3 2 1]: the definitions first", counts)
	}
	for _, c := range []struct {
		name    string
		sources []string
		want    []string
	}{
		{"twice.ipynb", []string{"x := 1", "x := 2", "fmt.Println(x)"}, []string{"cell c1: x is also defined by cell c2", "cell c2: x is also defined by cell c1"}},
		{"cycle.ipynb", []string{"a := b + 1", "b := a + 1"}, []string{"cell c1: is in a cycle of cells c1, c2: it uses b of cell c2", "cell c2: is in a cycle"}},
	} {
		p := write(c.name, true, c.sources...)
		before, _ := os.ReadFile(p)
		r := firn(t, "", "run", p)
		if r.code != 2 || !strings.Contains(r.stderr, c.name) || !strings.Contains(r.stderr, "metadata.firn.reactive is on") {
			t.Errorf("%s: %d %q", c.name, r.code, r.stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: %q does not say %q", c.name, r.stderr, w)
			}
		}
		if after, _ := os.ReadFile(p); string(after) != string(before) {
			t.Errorf("%s changed", c.name)
		}
	}
}
