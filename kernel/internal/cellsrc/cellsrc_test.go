package cellsrc

import (
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// squeeze shows a chunk compactly: each non-blank line with its runs of
// spaces made single.
// markers matches the statement markers (see Plan.Sites), which squeeze
// leaves out: tests of other rewrites read better without them.
var markers = regexp.MustCompile(LineVar + ` = [0-9]+; `)

func squeeze(src string) string {
	var lines []string
	for _, l := range strings.Split(markers.ReplaceAllString(src, ""), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines = append(lines, strings.Join(f, " "))
		}
	}
	return strings.Join(lines, "\n")
}

func shift(k ChunkKind) int {
	if k == Statements {
		return stmtShift
	}
	return declShift
}

// checkPlan checks what every plan must satisfy: each chunk has the cell's
// lines, its text outside rewrites is the cell's (or blank), and
// CellPosition maps every position of a chunk, as yaegi reports it, back to
// the same line and, outside rewrites, the same byte of the cell.
func checkPlan(t *testing.T, src string, p *Plan) {
	t.Helper()
	lines := strings.Count(src, "\n")
	cell := newCellText(src)
	for n, c := range p.Chunks {
		// yaegi picks how to read a chunk from its first token.
		var sc scanner.Scanner
		fset := token.NewFileSet()
		sc.Init(fset.AddFile("", fset.Base(), len(c.Src)), []byte(c.Src), nil, 0)
		_, first, _ := sc.Scan()
		decl := first == token.IMPORT || first == token.FUNC || first == token.VAR || first == token.CONST || first == token.TYPE
		if decl != (c.Kind != Statements) || first == token.PACKAGE {
			t.Fatalf("chunk %d (%v) starts with %v:\n%s", n, c.Kind, first, c.Src)
		}
		if got := strings.Count(c.Src, "\n"); got != lines {
			t.Fatalf("chunk %d has %d newlines, the cell %d:\n%s", n, got, lines, c.Src)
		}
		inEdit := make([]bool, len(c.Src))
		delta := 0
		for _, e := range c.edit {
			for k := e.start + delta; k < e.start+delta+len(e.text); k++ {
				inEdit[k] = true
			}
			delta += len(e.text) - (e.end - e.start)
		}
		line, lineStart := 1, 0
		for off := 0; off < len(c.Src); off++ {
			if off > 0 && c.Src[off-1] == '\n' {
				line, lineStart = line+1, off
			}
			col := off - lineStart + 1
			if line == 1 {
				col += shift(c.Kind)
			}
			gotLine, gotCol := c.CellPosition(line, col)
			if gotLine != line {
				t.Fatalf("chunk %d: %d:%d maps to line %d", n, line, col, gotLine)
			}
			b := c.Src[off]
			if inEdit[off] || b == ' ' || b == ';' {
				continue
			}
			cellOff := cell.lines[gotLine-1] + gotCol - 1
			if cellOff >= len(src) || src[cellOff] != b {
				t.Fatalf("chunk %d: byte %q at %d:%d maps to %d:%d", n, b, line, col, gotLine, gotCol)
			}
		}
	}
}

func prepare(t *testing.T, s *Session, src string) *Plan {
	t.Helper()
	p, err := s.Prepare(src)
	if err != nil {
		t.Fatalf("Prepare(%q): %v", src, err)
	}
	checkPlan(t, src, p)
	return p
}

func chunks(p *Plan) []string {
	var out []string
	for _, c := range p.Chunks {
		out = append(out, c.Kind.String()+": "+squeeze(c.Src))
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"statements", "x := 1\ny := x + 1", []string{"Statements: x := 1\ny := x + 1"}},
		{"import and statement on one line", `import "strings"; x := strings.ToUpper("a")`,
			[]string{`Imports: import "strings"`, `Statements: x := strings.ToUpper("a")`}},
		{"var then statement", "var a = []int{1}; a[0] = 5",
			[]string{"Declarations: var a = []int{1}", "Statements: a[0] = 5"}},
		{"statement then func", "y := 2; func twice(a int) int { return 2 * a }",
			[]string{"Statements: y := 2", "Declarations: func twice(a int) int { return 2 * a }"}},
		{"imports first, one chunk each", "x := 1\nimport (\n\t\"fmt\"\n\tm \"math\"\n)\nimport \"os\"",
			[]string{"Imports: import (\n\"fmt\"\n)", "Imports: import (\nm \"math\"\n)", `Imports: import "os"`, "Statements: x := 1"}},
		{"declarations merge, statements merge", "type T int\nvar v T\nfunc f() {}\nx := 1\nx++\nconst c = 2",
			[]string{"Declarations: type T int\nvar v T\nfunc f() {}", "Statements: x := 1\nx++", "Declarations: const c = 2"}},
		{"statements on one line keep a separator", "x := 1; var y = 2; z := 3; w := 4",
			[]string{"Statements: x := 1", "Declarations: var y = 2", "Statements: z := 3; w := 4"}},
		{"method declaration", "func (p *P) M() int { return 1 }\np.M()",
			[]string{"Declarations: func (p *P) M() int { return 1 }", "Statements: p.M()"}},
		{"generic function", "func Map[T any](xs []T) []T { return xs }",
			[]string{"Declarations: func Map[T any](xs []T) []T { return xs }"}},
		{"function literal is a statement", "func() { x := 1; _ = x }()",
			[]string{"Statements: (func() { x := 1; _ = x })()"}},
		{"function literal returning a type", "func(a int) int { return a }(3)",
			[]string{"Statements: (func(a int) int { return a })(3)"}},
		{"function type conversion", "func()(f)()",
			[]string{"Statements: (func()(f))()"}}, // a func type with result (f), converted
		{"for clause semicolons", "for i := 0; i < 3; i++ {}\nfunc f() {}",
			[]string{"Statements: for i := 0; i < 3; i++ {}", "Declarations: func f() {}"}},
		{"comments are blanked between units", "x := 1 // one\n/* two */ func f() {}",
			[]string{"Statements: x := 1", "Declarations: func f() {}"}},
		{"func in a struct type result", "func f() struct{ A int } { return struct{ A int }{} }\nf()",
			[]string{"Declarations: func f() struct{ A int } { return struct{ A int }{} }", "Statements: f()"}},
		{"empty cell", "", nil},
		{"only comments", "// nothing\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Session
			got := chunks(prepare(t, &s, tc.src))
			if strings.Join(got, "\n---\n") != strings.Join(tc.want, "\n---\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n---\n"), strings.Join(tc.want, "\n---\n"))
			}
		})
	}
}

// rewrite prepares the last cell after committing the others and returns
// its chunks' text.
func rewrite(t *testing.T, cells ...string) string {
	t.Helper()
	var s Session
	var p *Plan
	for _, c := range cells {
		p = prepare(t, &s, c)
		s.Commit(p, len(p.Chunks))
	}
	var out []string
	for _, c := range p.Chunks {
		out = append(out, squeeze(c.Src))
	}
	return strings.Join(out, "\n")
}

func TestRangeOverInt(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string
	}{
		{"literal", []string{"for i := range 10 {}"}, "for i := range make([]struct{}, 10) {}"},
		{"no variables", []string{"for range 3 {}"}, "for range make([]struct{}, 3) {}"},
		{"assignment", []string{"var i int\nfor i = range 3 {}"},
			"var i int\nfor __firnK := range make([]struct{}, 3) { i = __firnK;}"},
		{"len and arithmetic", []string{"for i := range len(xs)/2 + 1 {}"}, "for i := range make([]struct{}, len(xs)/2 + 1) {}"},
		{"conversion", []string{"for i := range int(f) {}"}, "for i := range make([]struct{}, int(f)) {}"},
		{"cell variable", []string{"n := 4\nfor range n {}"}, "n := 4\nfor range make([]struct{}, n) {}"},
		{"typed var", []string{"var n int64\nfor range n {}"}, "var n int64\nfor range make([]struct{}, n) {}"},
		{"const group with iota", []string{"const (\n\tA = iota\n\tB\n)\nfor range B {}"},
			"const (\nA = iota\nB\n)\nfor range make([]struct{}, B) {}"},
		{"earlier cell", []string{"n := len(\"abc\")", "for range n {}"}, "for range make([]struct{}, n) {}"},
		{"earlier cell's int type", []string{"type C int\nconst c C = 2", "for range c * 2 {}"}, "for range make([]struct{}, c * 2) {}"},
		{"function result", []string{"func n() int { return 1 }", "for range n() {}"}, "for range make([]struct{}, n()) {}"},
		{"parameter", []string{"func f(n int) { for range n {} }"}, "func f(n int) { for range make([]struct{}, n) {} }"},
		{"range key over int", []string{"for i := range 3 { for range i {} }"},
			"for i := range make([]struct{}, 3) { for range make([]struct{}, i) {} }"},
		{"type switch case", []string{"switch v := x.(type) {\ncase int:\n\tfor range v {}\n}"},
			"switch v := x.(type) {\ncase int:\nfor range make([]struct{}, v) {}\n}"},
		{"min of ints", []string{"for range min(n, 3) {}"}, "for range min(n, 3) {}"},
		{"slice", []string{"xs := []int{1}\nfor i := range xs {}"}, "xs := []int{1}\nfor i := range xs {}"},
		{"string", []string{"for i := range \"abc\" {}"}, "for i := range \"abc\" {}"},
		{"unknown", []string{"for i := range things {}"}, "for i := range things {}"},
		{"float constant", []string{"for i := range 1e3 {}"}, "for i := range 1e3 {}"},
		{"float variable", []string{"f := 2.0\nfor range f {}"}, "f := 2.0\nfor range f {}"},
		{"function value", []string{"f := func(yield func() bool) {}\nfor range f {}"}, "f := func(yield func() bool) {}\nfor range f {}"},
		{"map index", []string{"m := map[string]int{}\nfor range m[\"a\"] {}"}, "m := map[string]int{}\nfor range m[\"a\"] {}"},
		{"shadowed by a local slice", []string{"n := 3", "func f() { n := []int{}; for range n {} }"}, "func f() { n := []int{}; for range n {} }"},
		{"shadowed by a parameter", []string{"n := 3", "func f(n []int) { for range n {} }"}, "func f(n []int) { for range n {} }"},
		{"redeclared by a later cell", []string{"n := 3", "n := \"abc\"", "for range n {}"}, "for range n {}"},
		{"len redefined", []string{"func len(x any) []int { return nil }", "for range len(1) {}"}, "for range len(1) {}"},
		{"assignment over a slice", []string{"for k, v = range xs {}"}, "for __firnK, __firnV := range xs { k, v = __firnK, __firnV;}"},
		{"assignment of the value only", []string{"for _, v = range xs { f(v) }"}, "for _, __firnV := range xs { v = __firnV; f(v) }"},
		{"assignment of blanks", []string{"for _, _ = range xs {}"}, "for range xs {}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rewrite(t, tc.cells...); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestGoStatements(t *testing.T) {
	tests := []struct{ src, want string }{
		{"go f(a, b)", "__firn.Go( f, a, b)"},
		{"go f()", "__firn.Go( f)"},
		{"go func(k int) { panic(k) }(7)", "__firn.Go( func(k int) { panic(k) }, 7)"},
		{"go obj.Method(x)", "__firn.Go( obj.Method, x)"},
		{"go f(a)(b)", "__firn.Go( f(a), b)"},
		{"go f(\n\ta,\n\tb,\n)", "__firn.Go( f,\na,\nb,\n)"},
		{"go func() {\n\tgo g()\n}()", "__firn.Go( func() {\n__firn.Go( g)\n})"},
		{"go println(\"x\")", "go println(\"x\")"},
		{"go f(xs...)", "go f(xs...)"},
		{"defer f()", "defer f()"},
	}
	for _, tc := range tests {
		if got := rewrite(t, tc.src); got != tc.want {
			t.Errorf("%q: got\n%s\nwant\n%s", tc.src, got, tc.want)
		}
	}
}

func TestMinMaxClear(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string
	}{
		{"literal first", []string{"min(1, a)"}, "min(a, 1)"},
		{"negative literal first", []string{"max(-1, a, b)"}, "max(a, -1, b)"},
		{"several literals first", []string{"max(0, 2.5, a)"}, "max(a, 2.5, 0)"},
		{"variable first", []string{"min(a, 1)"}, "min(a, 1)"},
		{"all ints", []string{"min(3, 2)"}, "min(3, 2)"},
		{"all literals with a float", []string{"min(3, 2.5)"}, "min(float64(2.5), 3)"},
		{"float first", []string{"min(2.5, 3.5)"}, "min(float64(2.5), 3.5)"},
		{"runes", []string{"max('a', 'b')"}, "max(rune('a'), 'b')"},
		{"strings", []string{`min("b", "a")`}, `min("b", "a")`},
		{"nested", []string{"min(1, max(0, x))"}, "min(max(x, 0), 1)"},
		{"spread", []string{"min(1, xs...)"}, "min(1, xs...)"},
		{"across lines", []string{"min(1,\n\tf(\n\t\tx))"}, "min(1,\nf(\nx))"},
		{"user's min", []string{"func min(a, b int) int { return a }", "min(1, a)"}, "min(1, a)"},
		{"local min", []string{"func f(min func(int, int) int) { min(1, a) }"}, "func f(min func(int, int) int) { min(1, a) }"},
		{"clear", []string{"clear(m)"}, "__firn.Clear(m)"},
		{"user's clear", []string{"clear := func(x any) {}\nclear(m)"}, "clear := func(x any) {}\nclear(m)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rewrite(t, tc.cells...); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestTypeRenames(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string
	}{
		{"first definition keeps its name", []string{"type P struct{ A int }"}, "type P struct{ A int }"},
		{"redefinition gets a fresh name",
			[]string{"type P struct{ A int }", "type P struct {\n\tB int\n}\nfunc (p P) M() P { return P{B: 1} }\nvar q *P"},
			"type Pʹ1 struct {\nB int\n}\nfunc (p Pʹ1) M() Pʹ1 { return Pʹ1{B: 1} }\nvar q *Pʹ1"},
		{"later cells use the new name",
			[]string{"type P struct{ A int }", "type P struct{ B int }", "x := []P{{B: 1}}\nvar m map[string]P\nf := func(p P) {}"},
			"x := []Pʹ1{{B: 1}}\nvar m map[string]Pʹ1\nf := func(p Pʹ1) {}"},
		{"selectors, field names and keys keep theirs",
			[]string{"type P struct{ A int }", "type P struct{ P int }", "type Q struct{ P int }\nv := Q{P: 1}\nv.P = 2\nw := x.P"},
			"type Q struct{ P int }\nv := Q{P: 1}\nv.P = 2\nw := x.P"},
		{"a local declaration shadows",
			[]string{"type P struct{ A int }", "type P struct{ B int }", "func f() { type P int; var x P; _ = x }"},
			"func f() { type P int; var x P; _ = x }"},
		{"a local variable shadows",
			[]string{"type P struct{ A int }", "type P struct{ B int }", "func f(P int) int { return P }"},
			"func f(P int) int { return P }"},
		{"a third definition",
			[]string{"type P int", "type P string", "type P bool"}, "type Pʹ2 bool"},
		{"a variable replaces the type",
			[]string{"type P int", "type P string", "P := 3", "P + 1"}, "P + 1"},
		{"recursive type",
			[]string{"type N struct{}", "type N struct{ next *N }"}, "type Nʹ1 struct{ next *Nʹ1 }"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rewrite(t, tc.cells...); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestUnrename(t *testing.T) {
	p := &Plan{}
	for in, want := range map[string]string{
		"cannot use main.Pʹ12 as main.P":   "cannot use main.P as main.P",
		"unknown field B in Pointʹ3":       "unknown field B in Point",
		"nothing to do":                    "nothing to do",
		"ʹ1 alone is not a name":           "ʹ1 alone is not a name",
		"map[string]Tʹ1{} and []*Tʹ2(nil)": "map[string]T{} and []*T(nil)",
	} {
		if got := p.Unrename(in); got != want {
			t.Errorf("Unrename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShowResultAndDeclared(t *testing.T) {
	tests := []struct {
		src      string
		show     bool
		declared string
	}{
		{"x", true, ""},
		{"x := 1\nx + 1", true, "x"},
		{"x := 1", false, "x"},
		{"a, b := 1, 2", false, "a b"},
		{"x = 2", false, ""},
		{"var v, w = 1, 2\nconst c = 3\ntype T int\nfunc f() {}\nfunc (T) M() {}", false, "v w c T f"},
		{"f(1)", true, ""},
		{"func f() {}\nf()", false, "f"},
		{"func f() int { return 1 }\nf()", true, "f"},
		{"import \"fmt\"\nfmt.Println(1)", false, ""},
		{"import \"fmt\"\nfmt.Fprintf(w, \"x\")", false, ""},
		{"import \"fmt\"\nfmt.Sprint(1)", true, ""},
		{"import f \"fmt\"\nf.Printf(\"x\")", false, ""},
		{"import \"log\"\nlog.Print(1)", false, ""},
		{"display.ShowPlot(p)", false, ""},
		{"display.Width(p)", true, ""},
		{"fmt.Println(1)", false, ""},
		{"fmt := obj\nfmt.Println(1)", true, "fmt"},
		{"println(1)", false, ""},
		{"panic(1)", false, ""},
		{"len(xs)", true, ""},
		{"for {}", false, ""},
		{"x\nfunc f() {}", false, "f"},
		{"<-ch", true, ""},
		{"go f()", false, ""},
		{"for i := 0; i < 3; i++ { y := i }", false, ""},
	}
	for _, tc := range tests {
		var s Session
		p := prepare(t, &s, tc.src)
		if p.ShowResult != tc.show || strings.Join(p.Declared, " ") != tc.declared {
			t.Errorf("%q: ShowResult %v, Declared %q; want %v, %q", tc.src, p.ShowResult, p.Declared, tc.show, tc.declared)
		}
	}
}

func TestImports(t *testing.T) {
	tests := []struct {
		name     string
		cells    []string
		want     string // the last cell's chunks
		wantErr  string
		wantLine int
	}{
		{"repeat in a later cell is dropped", []string{`import "fmt"`, "import \"fmt\"\nx := 1"}, "Statements: x := 1", "", 0},
		{"repeat in a group", []string{`import "fmt"`, "import (\n\t\"fmt\"\n\t\"os\"\n)"}, "Imports: import (\n\"os\"\n)", "", 0},
		{"repeat in the same cell", []string{"import \"fmt\"\nimport \"fmt\""}, `Imports: import "fmt"`, "", 0},
		{"same path, other name", []string{`import "fmt"`, `import f "fmt"`}, `Imports: import f "fmt"`, "", 0},
		{"blank imports", []string{`import _ "embed"`, "import _ \"embed\"\nimport _ \"image/png\""}, `Imports: import _ "image/png"`, "", 0},
		{"major version", []string{`import "math/rand"`, "x := 1\n\nimport \"math/rand/v2\""}, "", `rand already names "math/rand" (imported by an earlier cell)`, 3},
		{"same cell", []string{"import (\n\t\"math/rand\"\n\trand \"crypto/rand\"\n)"}, "", `rand already names "math/rand" (imported by this cell)`, 3},
		{"runtime name", []string{`import __firn "os"`}, "", "__firn already names", 1},
		{"renamed import avoids the clash", []string{`import "math/rand"`, `import rand2 "math/rand/v2"`}, `Imports: import rand2 "math/rand/v2"`, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Session
			for _, c := range tc.cells[:len(tc.cells)-1] {
				p := prepare(t, &s, c)
				s.Commit(p, len(p.Chunks))
			}
			p, err := s.Prepare(tc.cells[len(tc.cells)-1])
			if tc.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) || !strings.Contains(e.Msg, tc.wantErr) || e.Line != tc.wantLine {
					t.Fatalf("got %v; want %q on line %d", err, tc.wantErr, tc.wantLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(chunks(p), "\n---\n"); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestImportName(t *testing.T) {
	for path, want := range map[string]string{
		"fmt": "fmt", "math/rand": "rand", "math/rand/v2": "rand", "gopkg.in/yaml.v3": "yaml",
		"github.com/mattn/go-sixel": "sixel", "go.yaml.in/yaml/v3": "yaml", "gonum.org/v1/plot": "plot",
	} {
		if got := importName(path); got != want {
			t.Errorf("importName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"x := 1\ny := \nz := 3", 3, 3, "expected ';', found ':='"},
		{"x := 1\nfunc f( {\n}", 2, 9, "expected"},
		{"import fmt", 1, 11, "missing import path"},
		{"x := 1\n\nif x {", 3, 7, "expected '}'"},
		{"package main\nx := 1", 1, 1, "package clause"},
		{"x := 'ab'", 1, 6, "rune literal"},
		{"var = 3", 1, 5, "expected 'IDENT'"},
		{"x := \"abc", 1, 6, "string literal not terminated"},
		{"\tfoo bar", 1, 6, "expected"},
	}
	for _, tc := range tests {
		var s Session
		_, err := s.Prepare(tc.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: got %v, want an *Error", tc.src, err)
			continue
		}
		if e.Line != tc.line || e.Col != tc.col || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%q: got %d:%d %q; want %d:%d %q", tc.src, e.Line, e.Col, e.Msg, tc.line, tc.col, tc.msg)
		}
		if want := strings.Split(tc.src, "\n")[e.Line-1]; e.SourceLine != want {
			t.Errorf("%q: SourceLine %q, want %q", tc.src, e.SourceLine, want)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Line: 3, Col: 5, Msg: "expected ';', found x", SourceLine: "\ty = x x"}
	want := "line 3, column 5: expected ';', found x\n    \ty = x x\n    \t   ^"
	if got := e.Error(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := (&Error{Msg: "boom"}).Error(); got != "boom" {
		t.Fatalf("got %q", got)
	}
}

// Positions yaegi reports (with its wrapping of line 1) map back to the
// cell, through rewrites that lengthen a line.
func TestCellPosition(t *testing.T) {
	// Every statement starts with its marker (of the first cell of a
	// session: plan 1, statement 1 or 2).
	mk := len(LineVar + " = 1048577; ")
	tests := []struct {
		name           string
		cells          []string
		chunk          int
		line, col      int // as yaegi reports them
		wantLine, want int
	}{
		{"statement on line 1", []string{"x := 1; var z int = \"s\""}, 0, 1, 27 + 1, 1, 1},
		{"declaration on line 1", []string{"x := 1; var z int = \"s\""}, 1, 1, 13 + 21, 1, 21},
		{"line 3 of a mixed cell", []string{"x := 1\nfunc f() {}\ny := bad + 1"}, 2, 3, 6, 3, 6}, // cannot panic: no marker
		{"after a range rewrite", []string{"for i := range 10 { x }"}, 0, 1, 27 + mk + 39, 1, 21},
		{"inside a rewrite", []string{"for i := range 10 { x }"}, 0, 1, 27 + mk + 17, 1, 16},
		{"inside a marker", []string{"for i := range 10 { x }"}, 0, 1, 27 + 5, 1, 1},
		{"after a renamed type", []string{"type P int", "type P bool\nvar p P = 3"}, 0, 2, 14, 2, 11},
		{"in yaegi's wrapper", []string{"x := 1"}, 0, 1, 3, 1, 1},
		{"past the end", []string{"x := 1\ny"}, 0, 4, 1, 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Session
			var p *Plan
			for _, c := range tc.cells {
				p = prepare(t, &s, c)
				s.Commit(p, len(p.Chunks))
			}
			line, col := p.Chunks[tc.chunk].CellPosition(tc.line, tc.col)
			if line != tc.wantLine || col != tc.want {
				t.Fatalf("got %d:%d, want %d:%d (chunk %q)", line, col, tc.wantLine, tc.want, p.Chunks[tc.chunk].Src)
			}
		})
	}
}

// A failed cell leaves only safe traces (see Commit).
func TestCommitAfterFailure(t *testing.T) {
	var s Session
	p := prepare(t, &s, "import \"os\"\nimport \"fmt\"\nn := 3\ntype P struct{}\nfunc (P) M() {}\nm := 4")
	// Chunks: os, fmt, n := 3, type P + method, m := 4. The type chunk failed.
	s.Commit(p, 3)
	if s.imports["os"] != "os" || s.imports["fmt"] != "fmt" {
		t.Fatalf("imports not recorded: %v", s.imports)
	}
	if s.names["n"].kind != kInt {
		t.Fatalf("n: %v", s.names["n"])
	}
	if _, ok := s.names["m"]; ok {
		t.Fatal("m recorded though its chunk did not run")
	}
	// P may exist in the interpreter: the next definition gets a fresh name;
	// its method stays broken in yaegi, so a new one for that name is refused.
	if got := rewrite2(t, &s, "type P struct{ A int }"); got != "type Pʹ1 struct{ A int }" {
		t.Fatalf("got %q", got)
	}
	if _, err := s.Prepare("func (P) M() { println() }"); err != nil {
		t.Fatalf("a method of the new P: %v", err)
	}
	// A type whose cell failed with its method: both get fresh names.
	p = prepare(t, &s, "type Q int\nfunc (Q) M() {}")
	s.Commit(p, 0)
	if _, err := s.Prepare("type Q int\nfunc (Q) M() {}"); err != nil {
		t.Fatalf("a method of a new Q: %v", err)
	}
	// A method whose cell failed cannot be fixed without a new type.
	p = prepare(t, &s, "type R int")
	s.Commit(p, 1)
	p = prepare(t, &s, "func (R) M() { undefinedThing() }")
	s.Commit(p, 0)
	if _, err := s.Prepare("func (R) M() {}"); err == nil {
		t.Fatal("redefining a failed method of an earlier cell's type was not refused")
	}
}

func rewrite2(t *testing.T, s *Session, src string) string {
	t.Helper()
	p := prepare(t, s, src)
	s.Commit(p, len(p.Chunks))
	return squeeze(p.Chunks[0].Src)
}

func TestCellErrorUndefined(t *testing.T) {
	var s Session
	p := prepare(t, &s, "x := 1\n\ny := undefinedThing + 1")
	e := p.CellError(0, errors.New("3:1: constant definition loop"))
	if e.Line != 3 || e.Col != 6 || e.Msg != "undefined: undefinedThing" {
		t.Fatalf("got %v", e)
	}
	e = p.CellError(0, errors.New("reflect: slice index out of range"))
	if e.Line != 0 || e.Msg != "reflect: slice index out of range" {
		t.Fatalf("got %v", e)
	}
}

// Every statement of a block is a site, named by the function yaegi
// would name in a panic; its marker, set before it runs, leads back to it.
func TestSites(t *testing.T) {
	var s Session
	prepare(t, &s, "x := 1") // plan 1
	src := "func f(n int) int {\n\tif n > 0 {\n\t\treturn n\n\t}\n\tg := func() int { return 2 }\n\treturn g()\n}\nvar v = func() int { return 3 }()\nouter:\nfor i := 0; i < 2; i++ { continue outer }\ny := f(1); z := y"
	p := prepare(t, &s, src)
	if p.ID != 2 {
		t.Fatalf("plan ID %d, want 2", p.ID)
	}
	var got []string
	for _, st := range p.Sites {
		got = append(got, fmt.Sprintf("%d:%d %s", st.Line, st.Col, st.Func))
	}
	want := []string{
		"2:2 main.f", "3:3 main.f", "5:2 main.f", "5:20 main.f.func", "6:2 main.f",
		"9:1 main", "10:26 main", "11:1 main", // z := y cannot panic: no site
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sites:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Each marker is in the chunks once, and names its site.
	all := ""
	for _, c := range p.Chunks {
		all += c.Src
	}
	for k := range p.Sites {
		m := 2<<markerBits | (k + 1)
		if n := strings.Count(all, LineVar+" = "+strconv.Itoa(m)+"; "); n != 1 {
			t.Errorf("marker %d occurs %d times", m, n)
		}
		if plan, index, ok := SiteOf(m); !ok || plan != 2 || index != k {
			t.Errorf("SiteOf(%d) = %d, %d, %v", m, plan, index, ok)
		}
	}
	if _, _, ok := SiteOf(0); ok {
		t.Error("SiteOf(0) names a site")
	}
	// The labeled loop keeps its label right before it.
	if !strings.Contains(all, "; outer:") {
		t.Errorf("label moved:\n%s", all)
	}
}

// Statements that cannot panic get no marker (they run in loops at full
// speed); those that might, do.
func TestSitesOnlyWherePanics(t *testing.T) {
	for _, tc := range []struct {
		stmt   string
		marked bool
	}{
		{"s = s*0.5 + float64(k)", false},
		{"k++", false},
		{"ok := k < 3 && !done", false},
		{"v := math.Pi * 2", false},
		{"s += float64(k) - 1", false},
		{"q := k / 2", true},
		{"q := k % 2", true},
		{"q := 1 << k", true},
		{"k /= 2", true},
		{"same := a == b", true},
		{"xs[k] = 1", true},
		{"p.x = 1", true},
		{"v := xs[k]", true},
		{"v := *p", true},
		{"v := <-ch", true},
		{"v := f(k)", true},
		{"v := m.x", true},
		{"v := i.(int)", true},
		{"f(k)", true},
	} {
		var s Session
		p := prepare(t, &s, "import \"math\"\nvar s float64\nvar k, q int\nvar done bool\n"+tc.stmt)
		if got := len(p.Sites) > 0; got != tc.marked {
			t.Errorf("%s: marked %v, want %v", tc.stmt, got, tc.marked)
		}
	}
}
