package interpreter

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/firnglacier/firn/kernel/display"
)

type recorder struct {
	mu    sync.Mutex
	shown []string
}

func (r *recorder) Publish(id string, b display.Bundle) { r.add("show", b) }
func (r *recorder) Update(id string, b display.Bundle)  { r.add("update", b) }
func (r *recorder) add(kind string, b display.Bundle) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, _ := b.Data["text/plain"].(string)
	r.shown = append(r.shown, kind+": "+s)
}

func newInterpreter(t *testing.T) (*Interpreter, *bytes.Buffer, *recorder) {
	t.Helper()
	var out bytes.Buffer
	rec := &recorder{}
	in, err := New(Options{Workspace: t.TempDir(), Stdout: &out, Stderr: &out, Publisher: rec})
	if err != nil {
		t.Fatal(err)
	}
	return in, &out, rec
}

// Go as a notebook user writes it: each case is a sequence of cells in
// one interpreter; want is the last cell's result (text/plain) or, when
// it starts with "out:", what the cells printed.
func TestCellsOfToday(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []string
		want  string
	}{
		{"expression", []string{"1 + 1"}, "2"},
		{"string result", []string{`"a" + "b"`}, `"ab"`},
		{"variables survive", []string{"x := 2", "y := x * 21", "y"}, "42"},
		{"variable redeclared with another type", []string{"v := 1", `v := "s"`, "v"}, `"s"`},
		{"function redefined", []string{"func f() int { return 1 }", "func f() int { return 2 }", "f()"}, "2"},
		{"mixed cell", []string{"import \"strconv\"\nn := 7\nfunc twice(k int) int { return 2 * k }\nstrconv.Itoa(twice(n))"}, `"14"`},
		{"imports again", []string{`import "strings"`, "import \"strings\"\nstrings.Repeat(\"ab\", 2)"}, `"abab"`},
		{"min and max", []string{"a := 2.5", "min(1, a) + max(a, 4)"}, "5"},
		// yaegi puts a generic's type parameters in the global scope: a
		// variable T in a block panicked, and one at the top level broke
		// min and max, while the Prelude's were named T.
		{"a variable named T", []string{"if true {\n\tT := 273.15\n\t_ = T\n}", "T := 273.15", "min(300, T) + max(T, 200)"}, "546.3"},
		{"clear", []string{"m := map[string]int{\"a\": 1}\nclear(m)\nlen(m)"}, "0"},
		{"range over int", []string{"n := 5", "s := 0\nfor i := range n { s += i }\ns"}, "10"},
		{"range over int literal", []string{"s := 0\nfor range 3 { s++ }\ns"}, "3"},
		{"range over a slice stays", []string{"xs := []int{4, 5}", "s := 0\nfor i := range xs { s += i }\ns"}, "1"},
		{"type redefined", []string{"type P struct{ A int }", "type P struct{ B, C int }", "P{B: 1, C: 2}"}, "{B:1 C:2}"},
		{"generics", []string{"type Number interface{ ~int | ~float64 }\nfunc Sum[T Number](xs []T) T { var s T; for _, x := range xs { s += x }; return s }", "Sum([]float64{1.5, 2.5})"}, "4"},
		{"closures", []string{"func counter() func() int { c := 0; return func() int { c++; return c } }", "next := counter()\nnext()\nnext()\nnext()"}, "3"},
		{"goroutines and channels", []string{"ch := make(chan int)\nfor i := 0; i < 4; i++ { go func(k int) { ch <- k * k }(i) }\ns := 0\nfor i := 0; i < 4; i++ { s += <-ch }\ns"}, "14"},
		{"methods", []string{"type T struct{ n int }\nfunc (t T) Double() int { return 2 * t.n }", "T{n: 21}.Double()"}, "42"},
		{"multiple results in a nested block", []string{"import \"strconv\"", "k := 0\nfor i := 0; i < 3; i++ {\n\tif v, err := strconv.Atoi(\"4\"); err == nil {\n\t\tk += v\n\t}\n}\nk"}, "12"},
		{"print", []string{`fmt.Println("hi")`}, "out:hi\n"},
		{"glacier", []string{"g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))", "g.ProgressToYear(20)\ng.Year()"}, "20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, out, _ := newInterpreter(t)
			var b *display.Bundle
			for i, c := range tc.cells {
				var err *Error
				if b, err = in.Execute(context.Background(), i+1, c); err != nil {
					t.Fatalf("cell %d %q: %v\n%s", i+1, c, err, strings.Join(err.Traceback, "\n"))
				}
			}
			if want, ok := strings.CutPrefix(tc.want, "out:"); ok {
				if out.String() != want || b != nil {
					t.Errorf("printed %q, result %v; want printed %q", out.String(), b, want)
				}
				return
			}
			if b == nil {
				t.Fatalf("no result, want %q", tc.want)
			}
			if got := b.Data["text/plain"]; got != tc.want {
				t.Errorf("result %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCellErrors(t *testing.T) {
	for _, tc := range []struct {
		name, code  string
		ename       string
		line        int
		inTraceback string
	}{
		{"syntax", "a := 1\nb := (a +\n", "SyntaxError", 3, ""},
		{"undefined", "a := 1\n\nb := a + missing", "CompileError", 3, "b := a + missing"},
		{"type mismatch", "var s string = 1", "CompileError", 1, "var s string = 1"},
		{"panic", "xs := []int{}\n_ = xs[2]", "panic", 0, "index out of range"},
		{"an unimported package in a composite literal", "x := 1\nms := []massbalance.Model{}", "CompileError", 2, "undefined: massbalance"},
		{"a variable from an element of a compiled slice", "c := edu.NewCollection()\nc.Add(edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4)))\nx := c.Glaciers[0]", "CompileError", 3, "give its type, as in var x *edu.Glacier = c.Glaciers[0]"},
		{"goroutine panic", "done := make(chan int)\ngo func() { panic(\"oops\") }()\n<-done", "panic", 0, "oops"},
		{"sandboxed import", `import "net/http"`, "CompileError", 1, "sandbox"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _, _ := newInterpreter(t)
			_, err := in.Execute(context.Background(), 7, tc.code)
			if err == nil {
				t.Fatal("no error")
			}
			tb := strings.Join(err.Traceback, "\n")
			if err.Name != tc.ename || (tc.line > 0 && err.Line != tc.line) || !strings.Contains(tb, tc.inTraceback) || err.Cell != 7 {
				t.Errorf("got %s at line %d of cell %d: %s\n%s\nwant %s at line %d with %q", err.Name, err.Line, err.Cell, err.Message, tb, tc.ename, tc.line, tc.inTraceback)
			}
			// The interpreter goes on.
			if b, err := in.Execute(context.Background(), 8, "40 + 2"); err != nil || b.Data["text/plain"] != "42" {
				t.Errorf("after the error: %v %v", b, err)
			}
		})
	}
}

func TestDisplayFromCells(t *testing.T) {
	in, _, rec := newInterpreter(t)
	code := "display.Show(display.Markdown(\"# hi\"))\nh := display.Show(\"one\")\nh.Update(\"two\")\nbar := display.Progress(\"steps\", 2)\nbar.Add(1)\nbar.Add(1)\nbar.Done()"
	if _, err := in.Execute(context.Background(), 1, code); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rec.shown, "\n")
	for _, w := range []string{"show: # hi", "show: one", "update: two", "show: steps", "update: steps"} {
		if !strings.Contains(got, w) {
			t.Errorf("published:\n%s\nlacks %q", got, w)
		}
	}
	b, err := in.Execute(context.Background(), 2, "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(10)\nplots.Glacier(g)")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Data["image/svg+xml"]; !ok {
		t.Errorf("a figure as the last expression shows as %v", b.Data["text/plain"])
	}
}

func TestCompleteAndInspect(t *testing.T) {
	in, _, _ := newInterpreter(t)
	if _, err := in.Execute(context.Background(), 1, "glacier := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\nimport \"strconv\""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code       string
		want       string
		start, end int
	}{
		{"fmt.Sprin", "Sprintf", 4, 9},
		{"x := strconv.Ato", "Atoi", 13, 16},
		{"glac", "glacier", 0, 4},
		{"glacier.Progress", "ProgressToEquilibrium", 8, 16},
		{"edu.NewMass", "NewMassBalance", 4, 11},
		{"ran", "range", 0, 3},
	} {
		m, s, e := in.Complete(tc.code, len([]rune(tc.code)))
		if !contains(m, tc.want) || s != tc.start || e != tc.end {
			t.Errorf("Complete(%q) = %v [%d:%d], want %q [%d:%d]", tc.code, m, s, e, tc.want, tc.start, tc.end)
		}
	}
	for _, tc := range []struct {
		code   string
		cursor int
		want   string
	}{
		{"edu.NewGlacier(bed, mb)", 6, "func NewGlacier"},
		{"glacier.ProgressToYear(10)", 10, "ProgressToYear"},
		{"fmt.Println", 5, "Println"},
		{"glacier", 3, "*edu.Glacier"},
	} {
		b, ok := in.Inspect(tc.code, tc.cursor)
		if txt, _ := b.Data["text/plain"].(string); !ok || !strings.Contains(txt, tc.want) {
			t.Errorf("Inspect(%q, %d) = %q, %v; want %q", tc.code, tc.cursor, txt, ok, tc.want)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// A call of a compiled function that returns nothing shows no result
// (yaegi v0.16.1 returns a stale frame value for it).
func TestVoidCallShowsNothing(t *testing.T) {
	in, _, _ := newInterpreter(t)
	for i, c := range []string{"c := edu.NewCollection()\ng := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))", "c.Add(g)", "c.Add(g, g)"} {
		b, err := in.Execute(context.Background(), i+1, c)
		if err != nil {
			t.Fatalf("cell %q: %v", c, err)
		}
		if b != nil {
			t.Errorf("cell %q shows %v, want nothing", c, b.Data["text/plain"])
		}
	}
	b, err := in.Execute(context.Background(), 4, "len(c.Glaciers)")
	if err != nil || b == nil || b.Data["text/plain"] != "3" {
		t.Errorf("len(c.Glaciers) = %v, %v; want 3", b, err)
	}
}

// BenchmarkInterpretedLoop measures an interpreted loop of 100 000
// iterations in a function declared in a cell: each statement of the
// body sets the statement marker (cellsrc.LineVar) before it runs, so
// this shows what the marker costs (compare with the marker removed).
func BenchmarkInterpretedLoop(b *testing.B) {
	in, err := New(Options{Workspace: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if _, cerr := in.Execute(context.Background(), 1, "func loop() float64 {\n\ts := 0.0\n\tfor k := 0; k < 100000; k++ {\n\t\ts = s*0.5 + float64(k)\n\t}\n\treturn s\n}"); cerr != nil {
		b.Fatal(cerr)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, cerr := in.Execute(context.Background(), i+2, "loop()"); cerr != nil {
			b.Fatal(cerr)
		}
	}
}
