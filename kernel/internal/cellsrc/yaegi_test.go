package cellsrc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/firnglacier/firn/kernel/internal/cellsrc"
)

// runtime is a test version of the compiled helpers the kernel exposes at
// cellsrc.RuntimePath: Go reports how each goroutine ended on a channel, so
// tests wait for it without sleeping.
type runtime struct {
	ended chan any // the recovered panic value, or nil
}

func (r *runtime) Go(f any, args ...any) {
	fv := reflect.ValueOf(f)
	ft := fv.Type()
	in := make([]reflect.Value, len(args))
	for k, a := range args {
		if a != nil {
			in[k] = reflect.ValueOf(a)
			continue
		}
		t := ft.In(min(k, ft.NumIn()-1))
		if ft.IsVariadic() && k >= ft.NumIn()-1 {
			t = t.Elem()
		}
		in[k] = reflect.Zero(t)
	}
	go func() {
		defer func() { r.ended <- recover() }()
		fv.Call(in)
	}()
}

func clearValue(x any) {
	v := reflect.ValueOf(x)
	if k := v.Kind(); k == reflect.Map || k == reflect.Slice {
		v.Clear()
	}
}

// kernel drives a real yaegi interpreter the way Firn's kernel does.
type kernel struct {
	i  *interp.Interpreter
	s  cellsrc.Session
	rt *runtime
}

func newKernel(t *testing.T) *kernel {
	t.Helper()
	// yaegi reports panics on Stderr too: keep the test output clean.
	k := &kernel{i: interp.New(interp.Options{Stderr: io.Discard}), rt: &runtime{ended: make(chan any, 8)}}
	if err := k.i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := k.i.Use(interp.Exports{cellsrc.RuntimePath + "/rt": {
		"Go":      reflect.ValueOf(k.rt.Go),
		"Clear":   reflect.ValueOf(clearValue),
		"NoValue": reflect.ValueOf(func() any { return nil }),
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eval(k.i, cellsrc.Prelude); err != nil {
		t.Fatalf("prelude: %v", err)
	}
	return k
}

// eval calls yaegi, turning its panics into errors.
func eval(i *interp.Interpreter, src string) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaegi panicked: %v", r)
		}
	}()
	return i.EvalWithContext(context.Background(), src)
}

// run prepares, evaluates and commits one cell. It returns the value to
// show (as text, "" when there is none) and the cell's error.
func (k *kernel) run(src string) (string, error) {
	p, err := k.s.Prepare(src)
	if err != nil {
		return "", err
	}
	var v reflect.Value
	for n, c := range p.Chunks {
		v, err = eval(k.i, c.Src)
		if err != nil {
			k.s.Commit(p, n)
			return "", p.CellError(n, err)
		}
	}
	k.s.Commit(p, len(p.Chunks))
	if !p.ShowResult || !v.IsValid() {
		return "", nil
	}
	return fmt.Sprint(v.Interface()), nil
}

// The cells of each case run in order in one interpreter; all but the last
// must succeed, and the last shows want (or fails with an error containing
// wantErr at wantLine).
func TestCellsRunInYaegi(t *testing.T) {
	tests := []struct {
		name     string
		cells    []string
		want     string
		wantErr  string
		wantLine int
	}{
		{name: "import then statement on one line",
			cells: []string{`import "strings"; x := strings.ToUpper("a")`, `x`}, want: "A"},
		{name: "var then statement on one line",
			cells: []string{`var a = []int{1}; a[0] = 5`, `a`}, want: "[5]"},
		{name: "statement then func on one line",
			cells: []string{`y := 2; func twice(a int) int { return 2 * a }`, `twice(y)`}, want: "4"},
		{name: "imports anywhere, declarations between statements",
			cells: []string{"n := 3\nimport \"strings\"\ntype pair struct{ a, b int }\np := pair{n, 4}\nimport \"fmt\"\nfmt.Sprint(p.a+p.b, strings.Repeat(\"!\", 2))"},
			want:  "7!!"},
		{name: "a re-run cell does not import twice",
			cells: []string{`import "fmt"`, "import (\n\t\"fmt\"\n\t\"strings\"\n)\nfmt.Sprint(strings.ToLower(\"X\"))"}, want: "x"},
		{name: "leading function literal keeps its value",
			cells: []string{"\n\nfunc() int { return 4 }()"}, want: "4"},
		{name: "range over an int literal",
			cells: []string{"s := 0\nfor i := range 10 {\n\ts += i\n}\ns"}, want: "45"},
		{name: "range over int without variables and with assignment",
			cells: []string{"n, c := 4, 0\nfor range n { c++ }\nvar i int\nfor i = range n + 1 {}\nc*10 + i"}, want: "44"},
		{name: "range over a constant, len, a conversion and a function result",
			cells: []string{"const N = 3\nfunc three() int { return 3 }\nf := 2.0\nt := 0\nfor range N { t++ }\nfor range len(\"ab\") { t++ }\nfor range int(f) { t++ }\nfor range three() { t++ }\nt"}, want: "10"},
		{name: "range over an integer declared by an earlier cell",
			cells: []string{"n := 5", "t := 0\nfor i := range n { t += i }\nt"}, want: "10"},
		{name: "range over an integer type of an earlier cell",
			cells: []string{"type count int\nvar c count = 3", "t := 0\nfor range c { t++ }\nt"}, want: "3"},
		{name: "range with assignment over a slice and a map",
			cells: []string{"import \"fmt\"\nxs := []string{\"a\", \"b\", \"c\"}\nvar i int\nvar v string\nfor i, v = range xs {}\nm := map[string]int{\"k\": 7}\nvar mk string\nvar mv int\nfor mk, mv = range m {}\nfor _, mv = range m { mv++ }\nfmt.Sprintf(\"%d %s %s %d\", i, v, mk, mv)"},
			want:  "2 c k 8"},
		{name: "range over a slice is not rewritten",
			cells: []string{"xs := []int{4, 5}\ns := 0\nfor i, x := range xs { s += 10*i + x }\ns"}, want: "19"},
		{name: "range over a string and a map are not rewritten",
			cells: []string{"s := \"hé\"\nm := map[string]int{\"a\": 2}\nt := 0\nfor i := range s { t += i }\nfor _, v := range m { t += v }\nt"}, want: "3"},
		{name: "a local string shadows an integer global",
			cells: []string{"n := 2", "func f() int {\n\tn := \"abc\"\n\tt := 0\n\tfor i := range n { t += i }\n\treturn t\n}\nf()"}, want: "3"},
		{name: "min with an untyped constant first",
			cells: []string{"a := 2.5\nmin(1, a)"}, want: "1"},
		{name: "max with several constants first",
			cells: []string{"a := 2.5\nmax(-1, 7, a)"}, want: "7"},
		{name: "min of an int and a float constant",
			cells: []string{"min(3, 2.5)"}, want: "2.5"},
		{name: "min of float constants",
			cells: []string{"min(2.5, 3.5)"}, want: "2.5"},
		{name: "max of runes",
			cells: []string{"string(max('a', 'c', 'b'))"}, want: "c"},
		{name: "min with a float constant first",
			cells: []string{"a := 2.5\nmin(1.5, a)"}, want: "1.5"},
		{name: "min inside min",
			cells: []string{"a := 2.5\nmin(0.5, min(3, a))"}, want: "0.5"},
		{name: "clear a map and a slice",
			cells: []string{"m := map[string]int{\"a\": 1}\nxs := []int{1, 2}\nclear(m)\nclear(xs)\nlen(m) + xs[0] + xs[1]"}, want: "0"},
		{name: "a user's own min is left alone",
			cells: []string{"func min(a, b string) string { return a }", "min(\"x\", \"y\")"}, want: "x"},
		{name: "type redefined with other fields",
			cells: []string{"type P struct{ A int }", "type P struct{ B int }\nq := P{B: 1}", "q.B + P{B: 2}.B"}, want: "3"},
		{name: "type redefined with a method",
			cells: []string{"type P struct{ A int }\nfunc (p P) Get() int { return p.A }", "type P struct{ A, B int }\nfunc (p P) Get() int { return p.A + p.B }", "P{A: 1, B: 2}.Get()"}, want: "3"},
		{name: "a method added to a type of an earlier cell",
			cells: []string{"type P struct{ A int }", "func (p *P) Inc() { p.A++ }\np := &P{}\np.Inc()\np.A"}, want: "1"},
		{name: "a type redefined after its cell failed",
			cells: []string{"type P struct{ A int }\nfunc bad() { undefinedFunc() }", "type P struct{ A, B int }\nP{B: 2}.B"}, want: "2"},
		{name: "a type of a later cell refers to a redefined one",
			cells: []string{"type P struct{ A int }", "type P struct{ A, B int }", "type Q struct{ p P }\nQ{P{B: 5}}.p.B"}, want: "5"},
		{name: "redefining a method of an earlier cell's type is refused",
			cells:   []string{"type P struct{}", "func (P) M() int { return 1 }", "func (P) M() int { return 2 }"},
			wantErr: "method P.M is already defined by an earlier cell", wantLine: 1},
		{name: "importing another package under a used name",
			cells: []string{`import "math/rand"`, "x := 1\nimport \"math/rand/v2\""}, wantErr: `rand already names "math/rand"`, wantLine: 2},
		{name: "an error on line 3 of a mixed cell",
			cells: []string{"x := 1\nfunc f() int { return x }\ny := undefinedThing + 1"}, wantLine: 3},
		{name: "an error on line 1 of a statement chunk",
			cells: []string{"x := 1; var z int = \"s\""}, wantErr: "cannot", wantLine: 1},
		{name: "two values from one call inside a loop",
			cells: []string{"import \"strconv\"\nk := 0\nfor i := 0; i < 3; i++ {\n\tif v, err := strconv.Atoi(\"4\"); err == nil {\n\t\tk += v\n\t}\n}\nk"}, want: "12"},
		{name: "comma-ok forms in a block, a labeled loop and a select",
			cells: []string{"m := map[string]int{\"a\": 2}\nvar x any = 3\nc := make(chan int, 1)\nc <- 4\nt := 0\n{\n\tv, ok := m[\"a\"]\n\tif ok { t += v }\n}\nouter:\nfor range 2 {\n\tfor {\n\t\tif n, ok := x.(int); ok { t += n }\n\t\tcontinue outer\n\t}\n}\nselect {\ncase v, ok := <-c:\n\tif ok { t += v }\n}\nvar p, q = func() (int, int) { return 1, 2 }()\nt + p + q"}, want: "15"},
		{name: "an error inside a wrapped loop keeps its line and column",
			cells: []string{"x := 0\nfor i := 0; i < 1; i++ { a, b := nothing(); x = a + b }"}, wantErr: "undefined: nothing", wantLine: 2},
		{name: "an error in a redefined type names the user's type",
			cells: []string{"type P struct{ A int }", "type P struct{ B int }\nP{C: 1}"}, wantErr: "unknown field C", wantLine: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t)
			for n, cell := range tc.cells[:len(tc.cells)-1] {
				if _, err := k.run(cell); err != nil {
					if !strings.Contains(cell, "bad()") {
						t.Fatalf("cell %d: %v", n, err)
					}
				}
			}
			got, err := k.run(tc.cells[len(tc.cells)-1])
			if tc.wantErr == "" && tc.wantLine == 0 {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if got != tc.want {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
				return
			}
			var ce *cellsrc.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %q, %v; want a *cellsrc.Error", got, err)
			}
			if !strings.Contains(ce.Msg, tc.wantErr) || ce.Line != tc.wantLine {
				t.Fatalf("error %v; want %q on line %d", ce, tc.wantErr, tc.wantLine)
			}
			if strings.Contains(ce.Error(), "ʹ") {
				t.Fatalf("error shows an internal name: %v", ce)
			}
		})
	}
}

// A panic in a goroutine started by a cell is recovered by the runtime's Go
// instead of killing the process.
func TestGoroutinePanicIsCaught(t *testing.T) {
	tests := []struct {
		name string
		cell string
		want any
	}{
		{"function literal", "go func(k int) { panic(fmt.Sprint(\"boom \", k)) }(7)", "boom 7"},
		{"named function", "func boom(s string) { panic(s) }\ngo boom(\"named\")", "named"},
		{"method value", "type T struct{ s string }\nfunc (t T) Boom() { panic(t.s) }\ngo T{\"method\"}.Boom()", "method"},
		{"no panic", "ch := make(chan int, 1)\ngo func() { ch <- 1 }()", nil},
		{"nil argument", "go func(err error) { if err != nil { panic(err) } }(nil)", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t)
			if _, err := k.run(`import "fmt"`); err != nil {
				t.Fatal(err)
			}
			if _, err := k.run(tc.cell); err != nil {
				t.Fatal(err)
			}
			if got := <-k.rt.ended; fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("goroutine ended with %v, want %v", got, tc.want)
			}
		})
	}
}

// Two sessions with their own interpreters do not see each other's types.
func TestSessionsAreIndependent(t *testing.T) {
	a, b := newKernel(t), newKernel(t)
	for _, step := range []struct {
		k    *kernel
		cell string
		want string
	}{
		{a, "type P struct{ A int }\nP{A: 1}", "{1}"},
		{b, "type P struct{ B string }\nP{B: \"b\"}", "{b}"},
		{a, "type P struct{ A, C int }\nP{C: 2}", "{0 2}"},
		{b, "P{B: \"still b\"}", "{still b}"},
		{a, "type P struct{ D int }\nP{D: 3}", "{3}"},
	} {
		got, err := step.k.run(step.cell)
		if err != nil || got != step.want {
			t.Fatalf("%q: got %q, %v; want %q", step.cell, got, err, step.want)
		}
	}
}

// The kernel can pass integer globals it found with reflect.
func TestSetIntegerGlobals(t *testing.T) {
	k := newKernel(t)
	// A global whose kind the analysis cannot see from the source.
	if _, err := k.run("import \"strconv\"\nn, _ := strconv.Atoi(\"4\")"); err != nil {
		t.Fatal(err)
	}
	p, err := k.s.Prepare("for range n {}")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Chunks[0].Src, "make(") {
		t.Fatalf("rewritten without a hint: %q", p.Chunks[0].Src)
	}
	k.s.SetIntegerGlobals("n")
	got, err := k.run("t := 0\nfor i := range n { t += i }\nt")
	if err != nil || got != "6" {
		t.Fatalf("got %q, %v; want 6", got, err)
	}
}
