package cellsrc

import (
	"errors"
	"strings"
	"testing"
)

// FuzzPrepare checks that Prepare never panics, that its chunks always have
// the cell's lines and map back to it, and that its errors point into the
// cell. Run it with: go test -fuzz FuzzPrepare ./kernel/internal/cellsrc
func FuzzPrepare(f *testing.F) {
	for _, seed := range []string{
		"",
		"x := 1",
		`import "strings"; x := strings.ToUpper("a")`,
		"var a = []int{1}; a[0] = 5",
		"y := 2; func twice(a int) int { return 2 * a }",
		"import (\n\t\"fmt\"\n\tm \"math\"\n)\nfmt.Println(m.Pi)",
		"for i := range 10 {\n\ts += i\n}\nfor i = range n {}\nfor range len(xs) {}",
		"go func(k int) { panic(k) }(7)\ngo f(a, b...)\ngo println()",
		"min(1, a)\nmax(2.5, 3)\nmin('a', 1)\nclear(m)",
		"type P struct{ B int }\nfunc (p *P) M() P { return P{B: 1} }\nvar q P",
		"func() int { return 4 }()",
		"switch v := x.(type) {\ncase int:\n\tfor range v {}\n}",
		"select {\ncase v := <-ch:\n\t_ = v\n}",
		"L:\n\tfor {\n\t\tbreak L\n\t}",
		"type L[T any] []T\nfunc (l L[T]) Len() int { return len(l) }",
		"x := `raw\r\nstring`\ny := \"é\" // ü",
		"if x {",
		"func f( {\n}",
		"}}}{{{",
		"package main",
		"import",
		"func",
		"go",
		"for _, _ = range xs {}",
		"\xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var s Session
		if p, err := s.Prepare("type P int\nn := 3\nimport \"fmt\""); err == nil {
			s.Commit(p, len(p.Chunks))
		}
		s.SetIntegerGlobals("k")
		p, err := s.Prepare(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			if e.Line < 1 || e.Line > strings.Count(src, "\n")+1 || e.Col < 1 {
				t.Fatalf("error at %d:%d outside the cell: %v", e.Line, e.Col, e)
			}
			_ = e.Error()
			return
		}
		checkPlan(t, src, p)
		for k, c := range p.Chunks {
			for _, pos := range [][2]int{{0, 0}, {1, 1}, {1, 1000}, {1000, 1}, {-1, -1}} {
				if line, _ := c.CellPosition(pos[0], pos[1]); line < 1 || line > strings.Count(src, "\n")+1 {
					t.Fatalf("CellPosition(%d, %d) = line %d", pos[0], pos[1], line)
				}
			}
			_ = p.CellError(k, errors.New("1:1: constant definition loop"))
		}
		s.Commit(p, len(p.Chunks)/2)
	})
}
