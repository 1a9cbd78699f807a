package repl_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/firnglacier/firn/kernel/protocol"
	"github.com/firnglacier/firn/kernel/repl"
)

// cellPrinter is a Backend that runs nothing: it prints each cell it gets,
// to show how a script is cut into cells. The real Backend is
// *kernel.Kernel.
type cellPrinter struct{ n int }

func (c *cellPrinter) Execute(_ context.Context, code string, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error) {
	c.n++
	m, err := protocol.New("example", protocol.IOPub, protocol.Stream, nil,
		protocol.StreamContent{Name: "stdout", Text: fmt.Sprintf("cell %d: %q\n", c.n, code)})
	if err != nil {
		return protocol.ExecuteReplyContent{}, err
	}
	out(m)
	return protocol.ExecuteReplyContent{Status: "ok", ExecutionCount: c.n}, nil
}

func (c *cellPrinter) Interrupt() error { return nil }

func (c *cellPrinter) Complete(context.Context, string, int) (protocol.CompleteReplyContent, error) {
	return protocol.CompleteReplyContent{Status: "ok"}, nil
}

func (c *cellPrinter) Inspect(context.Context, string, int) (protocol.InspectReplyContent, error) {
	return protocol.InspectReplyContent{Status: "ok"}, nil
}

// Run on a script (not a terminal): each complete statement is a cell,
// consecutive declarations are one, comments between cells are dropped.
func ExampleRun() {
	script := `import "fmt"

// quadruple uses twice before its declaration, as in a Go file.
func quadruple(v int) int { return twice(twice(v)) }
func twice(v int) int { return 2 * v }

x := 10
fmt.Println(x,
	quadruple(x))
`
	err := repl.Run(context.Background(), &cellPrinter{}, repl.Options{
		In:  strings.NewReader(script),
		Out: os.Stdout,
	})
	fmt.Println("error:", err)
	// Output:
	// cell 1: "import \"fmt\"\n\n// quadruple uses twice before its declaration, as in a Go file.\nfunc quadruple(v int) int { return twice(twice(v)) }\nfunc twice(v int) int { return 2 * v }"
	// cell 2: "x := 10"
	// cell 3: "fmt.Println(x,\n\tquadruple(x))"
	// error: <nil>
}
