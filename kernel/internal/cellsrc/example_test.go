package cellsrc_test

import (
	"fmt"
	"strings"

	"github.com/firnglacier/firn/kernel/internal/cellsrc"
)

// A cell that mixes imports, declarations and statements becomes chunks
// yaegi can evaluate in order, each with the cell's line numbers.
func Example() {
	var s cellsrc.Session
	cell := `import "strings"; name := strings.ToUpper("hintereisferner")
type Glacier struct{ Name string }
n := 0
for i := range 3 { n += i }
Glacier{Name: name}`

	p, err := s.Prepare(cell)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range p.Chunks {
		fmt.Println(c.Kind)
		for _, line := range strings.Split(c.Src, "\n") {
			fmt.Println(strings.TrimRight("  | "+line, " "))
		}
	}
	fmt.Println("show:", p.ShowResult, "declared:", p.Declared)

	// Each statement that might panic first sets __firnL to its marker
	// (plan 1, statement k: 1<<20 | k), which says where a panic happened
	// (p.Sites); n := 0 and n += i cannot panic and have none.
	//
	// The kernel has evaluated the chunks: record them. A later cell that
	// defines Glacier again gets a new type under an internal name.
	s.Commit(p, len(p.Chunks))
	p, _ = s.Prepare("type Glacier struct{ Name string; Length float64 }")
	fmt.Println(strings.TrimSpace(p.Chunks[0].Src))
	fmt.Println(p.Unrename("unknown field Area in struct literal of type Glacierʹ1"))

	// Output:
	// Imports
	//   | import "strings"
	//   |
	//   |
	//   |
	//   |
	// Statements
	//   |                   __firnL = 1048577; name := strings.ToUpper("hintereisferner")
	//   |
	//   |
	//   |
	//   |
	// Declarations
	//   |
	//   | type Glacier struct{ Name string }
	//   |
	//   |
	//   |
	// Statements
	//   |
	//   |
	//   | n := 0
	//   | __firnL = 1048578; for i := range make([]struct{}, 3) { n += i }
	//   | __firnL = 1048579; Glacier{Name: name}
	// show: true declared: [name Glacier n]
	// type Glacierʹ1 struct{ Name string; Length float64 }
	// unknown field Area in struct literal of type Glacier
}
