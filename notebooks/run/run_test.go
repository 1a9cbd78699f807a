package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks"
)

// The test binary is also the kernel: started with FIRN_KERNEL_CHILD=1 it
// runs `firn kernel`.
func TestMain(m *testing.M) {
	if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
		os.Exit(kernel.Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

func kernelOptions(t *testing.T) kernel.Options {
	return kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: t.TempDir()}
}

// notebook builds a notebook from cells: "md:" starts a markdown cell,
// "params:" a code cell tagged parameters.
func notebook(cells ...string) *notebooks.Notebook {
	nb := notebooks.New()
	for _, src := range cells {
		c := nb.AddCell(notebooks.NewCell(notebooks.Code, src))
		if s, ok := strings.CutPrefix(src, "md:"); ok {
			c.Type, c.Source = notebooks.Markdown, s
		} else if s, ok := strings.CutPrefix(src, "params:"); ok {
			c.Source, c.Metadata = s, map[string]any{"tags": []any{ParametersTag}}
		}
	}
	return nb
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// text is the plain text of a cell's outputs, one line per output.
func text(c *notebooks.Cell) string {
	var b strings.Builder
	for _, o := range c.Outputs {
		switch o.Type {
		case notebooks.Stream:
			b.WriteString(o.Name + ":" + o.Text)
		case notebooks.ExecuteResult, notebooks.DisplayData:
			s, _ := o.Data["text/plain"].(string)
			b.WriteString(o.Type + ":" + s + "\n")
		case notebooks.Error:
			b.WriteString("error:" + o.EName + ": " + o.EValue + "\n")
		}
	}
	return b.String()
}

func TestRunStoresOutputsAndCounts(t *testing.T) {
	nb := notebook(
		"md:# A lesson",
		"x := 40\nfmt.Println(\"hello\")\nfmt.Println(\"again\")",
		"bar := display.Progress(\"work\", 3)\nfor range 3 { bar.Add(1) }\nbar.Done()\nx + 2",
		`fmt.Fprintln(os.Stderr, "careful")`,
	)
	var seen []Progress
	err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Name: "a.ipynb", Version: "v1.2.3",
		Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if nb.Cells[0].Outputs != nil || nb.Cells[0].ExecutionCount != nil {
		t.Errorf("the markdown cell got outputs")
	}
	want := []string{"", "stdout:hello\nagain\n", "", "stderr:careful\n"}
	for i, w := range want {
		if i == 2 {
			continue
		}
		if got := text(nb.Cells[i]); got != w {
			t.Errorf("cell %d outputs %q, want %q", i+1, got, w)
		}
	}
	// the progress bar is one display, updated in place to its end
	c := nb.Cells[2]
	if len(c.Outputs) != 2 || c.Outputs[0].Type != notebooks.DisplayData || c.Outputs[1].Type != notebooks.ExecuteResult {
		t.Fatalf("cell 3 outputs: %s", text(c))
	}
	if s, _ := c.Outputs[0].Data["text/plain"].(string); !strings.Contains(s, "3/3") {
		t.Errorf("the progress bar shows %q, want its final state 3/3", s)
	}
	if s := c.Outputs[1].Data["text/plain"]; s != "42" {
		t.Errorf("result %v, want 42", s)
	}
	for i, n := range map[int]int{1: 1, 2: 2, 3: 3} {
		if got := nb.Cells[i].ExecutionCount; got == nil || *got != n {
			t.Errorf("cell %d execution count %v, want %d", i+1, got, n)
		}
	}
	if len(seen) != 4 || seen[0].Cell != 2 || seen[0].Total != 3 || seen[3].Done != 3 {
		t.Errorf("progress reports %+v", seen)
	}
	if v := nb.Metadata["firn"].(map[string]any)["version"]; v != "v1.2.3" {
		t.Errorf("metadata.firn.version = %v", v)
	}
}

func TestParameters(t *testing.T) {
	cells := []string{"md:# Parameters", "params:ela := 3000.0\nyears := 300\nname := \"HEF\"\nvar warm bool = false", "fmt.Println(ela, years, name, warm)"}
	tests := []struct {
		name    string
		params  []string
		want    string // printed by the last cell
		wantErr string
	}{
		{"defaults", nil, "3000 300 HEF false\n", ""},
		{"typed as the defaults", []string{"ela=3100", "years=500", "name=Kesselwand ferner", "warm=true"}, "3100 500 Kesselwand ferner true\n", ""},
		{"an integer default refuses a float", []string{"years=5e2"}, "", "cell 2 (id "},
		{"an unknown name lists the declared ones", []string{"elevation=3"}, "", "declares: ela, years, name, warm"},
		{"a bool default refuses text", []string{"warm=yes"}, "", "true or false"},
		{"a float default refuses Inf, which is no Go literal", []string{"ela=Inf"}, "", "the default is a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb := notebook(cells...)
			var params []Parameter
			for _, s := range tc.params {
				p, err := ParseParameter(s)
				if err != nil {
					t.Fatal(err)
				}
				params = append(params, p)
			}
			err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Parameters: params, Name: "p.ipynb"})
			if tc.wantErr != "" {
				var pe *ParameterError
				if !errors.As(err, &pe) {
					t.Errorf("error %T, want a *ParameterError", err)
				}
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "p.ipynb") {
					t.Fatalf("error %v, want one naming the file and containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			last := nb.Cells[len(nb.Cells)-1]
			if got := text(last); got != "stdout:"+tc.want {
				t.Errorf("printed %q, want %q", got, tc.want)
			}
			if len(tc.params) == 0 {
				if len(nb.Cells) != 3 {
					t.Errorf("%d cells: no parameters must inject no cell", len(nb.Cells))
				}
				return
			}
			if len(nb.Cells) != 4 || !nb.Cells[2].HasTag(InjectedParametersTag) {
				t.Fatalf("no injected cell after the parameters cell")
			}
			// a second run replaces the injected cell
			if err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Parameters: params[:1]}); err != nil {
				t.Fatal(err)
			}
			if len(nb.Cells) != 4 || strings.Count(nb.Cells[2].Source, "=") != 1 {
				t.Errorf("second run: %d cells, injected %q", len(nb.Cells), nb.Cells[2].Source)
			}
			got := nb.Metadata["firn"].(map[string]any)["parameters"].(map[string]any)
			if len(got) != 1 || got["ela"] != json.Number("3100.0") {
				t.Errorf("metadata.firn.parameters = %v", got)
			}
		})
	}
}

func TestNoParametersCell(t *testing.T) {
	nb := notebook("x := 1")
	err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Parameters: []Parameter{{"x", "2"}}, Name: "n.ipynb"})
	if err == nil || !strings.Contains(err.Error(), `n.ipynb: no code cell is tagged "parameters"`) {
		t.Fatalf("error %v", err)
	}
}

func TestFailingCell(t *testing.T) {
	cells := []string{"md:intro", "x := 1", "y := x +\n\tundefinedThing", "fmt.Println(\"after\")"}
	t.Run("stops the run", func(t *testing.T) {
		nb := notebook(cells...)
		nb.Cells[3].Outputs = []*notebooks.Output{{Type: notebooks.Stream, Name: "stdout", Text: "stale\n"}}
		err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Name: "f.ipynb"})
		var ce *CellError
		if !errors.As(err, &ce) {
			t.Fatalf("error %v, want a *CellError", err)
		}
		if ce.Cell != 3 || ce.ID != nb.Cells[2].ID || ce.Line != 2 || !strings.Contains(ce.Message, "undefinedThing") {
			t.Errorf("cell error %+v", ce)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "f.ipynb: cell 3 (id "+ce.ID+"), line 2: ") {
			t.Errorf("message %q", msg)
		}
		if !strings.Contains(text(nb.Cells[2]), "error:") {
			t.Errorf("the failed cell stores no error output: %q", text(nb.Cells[2]))
		}
		if nb.Cells[3].Outputs != nil || nb.Cells[3].ExecutionCount != nil {
			t.Errorf("the cell after the failure kept outputs or ran: %q", text(nb.Cells[3]))
		}
	})
	t.Run("allow errors", func(t *testing.T) {
		nb := notebook(cells...)
		err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), AllowErrors: true})
		var ce *CellError
		if !errors.As(err, &ce) || ce.Cell != 3 {
			t.Fatalf("error %v, want the cell error of cell 3", err)
		}
		if got := text(nb.Cells[3]); got != "stdout:after\n" {
			t.Errorf("the cell after the failure printed %q", got)
		}
	})
	t.Run("a panic", func(t *testing.T) {
		nb := notebook("var m map[string]int\nm[\"a\"] = 1")
		err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t)})
		var ce *CellError
		if !errors.As(err, &ce) || ce.Line != 2 {
			t.Fatalf("error %v, want a cell error on line 2", err)
		}
	})
}

// A cell that passes the timeout is interrupted (by a message to the
// kernel, on every transport); the kernel and its variables live on.
func TestTimeoutInterruptsTheCell(t *testing.T) {
	for _, l := range []kernel.Launcher{kernel.PipeLauncher{}, kernel.TCPLauncher{}} {
		t.Run(l.Info().Transport, func(t *testing.T) {
			nb := notebook("x := 1", "for {}", "x")
			opts := kernelOptions(t)
			opts.Launcher = l
			err := Notebook(testContext(t), nb, Options{Kernel: opts, CellTimeout: 300 * time.Millisecond, AllowErrors: true})
			var ce *CellError
			if !errors.As(err, &ce) || ce.Name != "Timeout" || ce.Cell != 2 {
				t.Fatalf("error %v, want a timeout of cell 2", err)
			}
			if !strings.Contains(text(nb.Cells[1]), "error:Timeout") {
				t.Errorf("cell 2 outputs %q", text(nb.Cells[1]))
			}
			if got := text(nb.Cells[2]); got != "execute_result:1\n" {
				t.Errorf("cell 3 outputs %q, want x of cell 1", got)
			}
		})
	}
}

func TestCancelStopsTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(testContext(t))
	nb := notebook("x := 1", "for {}", "x")
	err := Notebook(ctx, nb, Options{Kernel: kernelOptions(t), Progress: func(p Progress) {
		if p.Cell == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if nb.Cells[0].ExecutionCount == nil || nb.Cells[2].ExecutionCount != nil {
		t.Errorf("cell 1 must have run and cell 3 not")
	}
}

func TestRunsAreReproducible(t *testing.T) {
	cells := []string{"md:# Same twice", "params:years := 20", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(float64(years))\nfmt.Println(g.Year())", "plots.Glacier(g)"}
	var files [2]bytes.Buffer
	for i := range files {
		nb := notebook(cells...)
		for k, c := range nb.Cells { // the same ids, as when one file is run twice
			c.ID = fmt.Sprintf("cell-%d", k)
		}
		if err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Parameters: []Parameter{{"years", "30"}}, Version: "v0"}); err != nil {
			t.Fatal(err)
		}
		if err := nb.Write(&files[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(files[0].Bytes(), files[1].Bytes()) {
		a, b := strings.Split(files[0].String(), "\n"), strings.Split(files[1].String(), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("two runs of one notebook differ at line %d:\n%.300s\n---\n%.300s", i+1, a[i], b[i])
			}
		}
		t.Errorf("two runs of one notebook differ in length: %d and %d lines", len(a), len(b))
	}
	if s := files[0].String(); !strings.Contains(s, `"image/png"`) || !strings.Contains(s, `"30\n"`) {
		t.Errorf("the run lacks the plot or the parameter's effect:\n%.2000s", s)
	}
}

// A cell whose value is an error is stored as an error output (its type
// and message), as Jupyter stores a failure, in the file written after
// the run.
func TestErrorValueStoredAsError(t *testing.T) {
	nb := notebook("import \"errors\"\nerrors.New(\"boom\")", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(5)\ng.ProgressToYear(-1)", "fmt.Println(\"after\")")
	err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), AllowErrors: true, Name: "e.ipynb"})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Cell != 1 || ce.Name != "*errors.errorString" || ce.Message != "boom" {
		t.Fatalf("error %v, want cell 1's error value", err)
	}
	path := filepath.Join(t.TempDir(), "e.ipynb")
	var buf bytes.Buffer
	if err := nb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cells []struct {
			Outputs []map[string]any `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	for i, want := range []map[string]any{
		{"output_type": "error", "ename": "*errors.errorString", "evalue": "boom"},
		{"output_type": "error", "ename": "*errors.errorString", "evalue": "glacier is at year 5 already: it cannot go back to -1 (use Reset or Copy)"},
		{"output_type": "stream", "text": "after\n"},
	} {
		outs := file.Cells[i].Outputs
		if len(outs) != 1 {
			t.Errorf("cell %d: %d outputs in the file, want 1: %v", i+1, len(outs), outs)
			continue
		}
		for k, v := range want {
			got := outs[0][k]
			if lines, ok := got.([]any); ok { // multiline text, as Jupyter writes it
				got = fmt.Sprint(lines...)
			}
			if got != v {
				t.Errorf("cell %d: %s = %q in the file, want %q", i+1, k, got, v)
			}
		}
	}
}

// With AllowErrors, the cells after one that kills the kernel run on the
// fresh kernel that replaces it, and their outputs are stored.
func TestAllowErrorsAfterKernelDeath(t *testing.T) {
	nb := notebook(
		"x := 1",
		"import \"time\"\ntime.AfterFunc(0, func() { panic(\"the end\") })\nselect {}",
		"y := 2\nfmt.Println(\"after\", y)",
		"func f(n int) int { return f(n+1) }\nf(0)",
		"z := 21\nz * 2",
	)
	err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), AllowErrors: true, Name: "k.ipynb"})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Cell != 2 || ce.Name != "KernelDied" {
		t.Fatalf("error %v, want the death of cell 2", err)
	}
	for i, want := range []string{
		"",
		"error:KernelDied: kernel process exit status 2: panic: the end",
		"stdout:after 2\n",
		"error:StackOverflow: stack overflow in cell [2]: ",
		"execute_result:42\n",
	} {
		// (the Go runtime's own lines about the overflow may come first,
		// as the cell's stderr, when they get out before the kernel ends)
		if got := text(nb.Cells[i]); !strings.Contains(got, want) || (want == "") != (got == "") {
			t.Errorf("cell %d outputs %q, want %q", i+1, got, want)
		}
	}
}

// TestOtherKernelNotRun: a notebook for Python is not run as Go, and its
// stored outputs stay.
func TestOtherKernelNotRun(t *testing.T) {
	nb := notebook("print('hello')")
	nb.Metadata["kernelspec"] = map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"}
	nb.Cells[0].Outputs = []*notebooks.Output{{Type: notebooks.Stream, Name: "stdout", Text: "hello\n"}}
	err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Name: "py.ipynb"})
	var pe *ParameterError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "py.ipynb: This notebook is for Python 3 (kernel python3); Firn runs Go") {
		t.Fatalf("error %v, want a ParameterError naming the file and the kernel", err)
	}
	if o := nb.Cells[0].Outputs; len(o) != 1 || o[0].Text != "hello\n" {
		t.Errorf("the Python outputs changed: %+v", o)
	}
}

// TestRunUsesSavedWidgetValues runs a notebook file whose slider starts
// at 3000 in its code and whose saved widget state (metadata.widgets, as
// the notebook page saves it) holds 2800, and whose dropdown the reader
// set to its second option: the run computes with the reader's values,
// and the widget outputs show them.
func TestRunUsesSavedWidgetValues(t *testing.T) {
	nb, err := notebooks.ReadFile(filepath.Join("testdata", "widgets.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Notebook(testContext(t), nb, Options{Kernel: kernelOptions(t), Name: "widgets.ipynb"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"", // the markdown cell
		"display_data:ELA (m) = 2800 (slider from 2500 to 3500)\ndisplay_data:climate = warming (one of steady, warming, cooling)\n",
		"stdout:running with ELA 2800 m and a warming climate\n",
	}
	for i, c := range nb.Cells {
		if got := text(c); got != want[i] {
			t.Errorf("cell %d shows %q, want %q", i+1, got, want[i])
		}
	}
	// The run leaves the saved values as they were.
	if got := nb.Metadata["widgets"]; got == nil {
		t.Error("the run dropped the notebook's widget state")
	}
}
