package repl

import (
	"reflect"
	"strings"
	"testing"
)

func TestAnalyzeContinuation(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		incomplete bool
		hasCode    bool
	}{
		{"empty", "", false, false},
		{"blank", "   \t", false, false},
		{"comment", "// just a note", false, false},
		{"expression", "x + 2", false, true},
		{"assignment", "x := 40", false, true},
		{"open brace", "func double(v int) int {", true, true},
		{"open paren", "fmt.Println(1,", true, true},
		{"open bracket", "a := []int{1, 2,", true, true},
		{"nested closed", "f(g(h[1]), map[string]int{\"a\": 1})", false, true},
		{"closed over lines", "func f() {\n\treturn\n}", false, true},
		{"brace in string", `s := "{"`, false, true},
		{"paren in rune", `r := '('`, false, true},
		{"brace in comment", "x := 1 // {", false, true},
		{"brace in block comment", "x := 1 /* { */", false, true},
		{"raw string open", "s := `line one", true, true},
		{"raw string closed", "s := `one\ntwo`", false, true},
		{"brace in raw string", "s := `{`", false, true},
		{"block comment open", "x := 1 /* a", true, true},
		{"block comment open only", "/* note", true, false},
		{"block comment closed", "/* a\n b */", false, false},
		{"trailing plus", "x := 1 +", true, true},
		{"trailing comma", "f(1,\n2,", true, true},
		{"trailing dot", "g.", true, true},
		{"trailing andand", "ok := a &&", true, true},
		{"trailing assign", "x =", true, true},
		{"trailing define", "x :=", true, true},
		{"trailing arrow", "ch <-", true, true},
		{"trailing colon label", "outer:", true, true},
		{"trailing else", "if x { a() } else", true, true},
		{"trailing func keyword", "f := func", true, true},
		{"operator then comment", "x := 1 + // more below", true, true},
		{"increment", "i++", false, true},
		{"return", "return", false, true},
		{"explicit semicolon", "x := 1;", false, true},
		{"closed after continuation", "x := 1 +\n2", false, true},
		{"stray closing brace", "}", false, true},
		{"stray then open", ") {", false, true},
		{"unterminated string", `s := "abc`, false, true},
		{"illegal char", "x := 1 ?", false, true},
		{"unicode ident", "δ := 1", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := analyze(tt.src)
			if st.incomplete != tt.incomplete || st.hasCode != tt.hasCode {
				t.Errorf("analyze(%q) = incomplete %v, hasCode %v; want %v, %v", tt.src, st.incomplete, st.hasCode, tt.incomplete, tt.hasCode)
			}
		})
	}
}

func TestIsDecl(t *testing.T) {
	tests := []struct {
		src  string
		decl bool
	}{
		{`import "fmt"`, true},
		{"import (\n\"fmt\"\n)", true},
		{"const g = 9.81", true},
		{"var x = 1", true},
		{"type T struct{ a int }", true},
		{"func f() {}", true},
		{"func (t T) M() int { return 1 }", true},
		{"func (t *T) M() {}", true},
		{"func() { fmt.Println(1) }()", false},
		{"func(a int) int { return a }(2)", false},
		{"x := 1", false},
		{"f()", false},
		{"// comment\nfunc f() {}", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := analyze(tt.src).decl; got != tt.decl {
			t.Errorf("analyze(%q).decl = %v, want %v", tt.src, got, tt.decl)
		}
	}
}

func TestSplitCells(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []cell
	}{
		{"one expression", "1+1\n", []cell{{"1+1", 1}}},
		{"no trailing newline", "x := 1\nx", []cell{{"x := 1", 1}, {"x", 2}}},
		{"blank and comments dropped", "\n// setup\n\nx := 40\n\n// answer\nx + 2\n// end\n",
			[]cell{{"x := 40", 4}, {"x + 2", 7}}},
		{"multi-line statement", "fmt.Println(1,\n\t2)\nx := 3\n",
			[]cell{{"fmt.Println(1,\n\t2)", 1}, {"x := 3", 3}}},
		{"blank line inside a block", "for i := 0; i < 3; i++ {\n\n\tfmt.Println(i)\n}\n",
			[]cell{{"for i := 0; i < 3; i++ {\n\n\tfmt.Println(i)\n}", 1}}},
		{"declarations grouped", "import \"fmt\"\n\nfunc b() int { return a() }\n\n// a is used by b\nfunc a() int { return 1 }\nfmt.Println(b())\n",
			[]cell{{"import \"fmt\"\n\nfunc b() int { return a() }\n\n// a is used by b\nfunc a() int { return 1 }", 1}, {"fmt.Println(b())", 7}}},
		{"declarations at the end", "x := 1\nfunc f() {}\n// bye\n",
			[]cell{{"x := 1", 1}, {"func f() {}", 2}}},
		{"func literal is a statement", "func() {\n\tfmt.Println(1)\n}()\nfunc g() {}\n",
			[]cell{{"func() {\n\tfmt.Println(1)\n}()", 1}, {"func g() {}", 4}}},
		{"raw string with blank lines", "s := `a\n\nb`\ns\n",
			[]cell{{"s := `a\n\nb`", 1}, {"s", 4}}},
		{"unfinished end", "x := 1\nfunc f() {\n\treturn\n", []cell{{"x := 1", 1}, {"func f() {\n\treturn", 2}}},
		{"crlf", "x := 1\r\nx\r\n", []cell{{"x := 1", 1}, {"x", 2}}},
		{"two statements on a line", "a := 1; b := 2\n", []cell{{"a := 1; b := 2", 1}}},
		{"only comments", "// nothing\n/* at\nall */\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitCells(tt.script)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitCells(%+v)\n got %+v\nwant %+v", tt.script, got, tt.want)
			}
		})
	}
}

// A script's cells come out as soon as their lines are in, so a program
// feeding a REPL through a pipe sees each answer before sending more.
func TestSplitterStreams(t *testing.T) {
	var sp splitter
	steps := []struct {
		line string
		want []string
	}{
		{"x := 1", []string{"x := 1"}},
		{"func f() int {", nil},
		{"\treturn x", nil},
		{"}", nil}, // a declaration waits: the next may belong to its group
		{"f()", []string{"func f() int {\n\treturn x\n}", "f()"}},
	}
	for _, s := range steps {
		var got []string
		for _, c := range sp.add(s.line) {
			got = append(got, c.Code)
		}
		if strings.Join(got, "|") != strings.Join(s.want, "|") {
			t.Errorf("after %q: cells %q, want %q", s.line, got, s.want)
		}
	}
	if rest := sp.end(); len(rest) != 0 {
		t.Errorf("end: %+v, want nothing", rest)
	}
}
