package symbols_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/firnglacier/firn/kernel/internal/symbols"
	"github.com/traefik/yaegi/interp"
)

// A kernel's interpreter: the sandboxed standard library and Firn's
// packages; a cell grows a glacier and another tries the network.
func Example() {
	workspace, err := os.MkdirTemp("", "firn-ws")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(workspace)

	std, err := symbols.Stdlib(workspace, false)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	i := interp.New(interp.Options{Stdout: &out, Stderr: &out})
	// Firn's tables first: the sandbox's std holds plots with its figures
	// confined to the workspace.
	if err := i.Use(symbols.Firn()); err != nil {
		panic(err)
	}
	if err := i.Use(std); err != nil {
		panic(err)
	}

	ctx := context.Background()
	for _, cell := range []string{
		`import (
	"fmt"

	"firn/engine/edu"
)`,
		`g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
g.ProgressToYear(300)
fmt.Printf("%.0f m long after %g years\n", g.Diagnostics().Length, g.Year())`,
		`import "net/http"`,
	} {
		_, err := i.EvalWithContext(ctx, cell)
		fmt.Print(out.String())
		out.Reset()
		if err != nil {
			fmt.Println(symbols.Explain(err))
		}
	}
	// Output:
	// 9500 m long after 300 years
	// 1:21: import "net/http": not available in Firn's sandbox (it reaches the network); start the kernel with --trusted to allow
}

// Completion and inspection.
func ExampleCatalog() {
	cat := symbols.NewCatalog(symbols.Firn())
	m, _ := cat.Lookup("firn/engine/edu", "NewBed")
	fmt.Println(m.Kind, m.Signature)

	e, _ := symbols.Doc("firn/engine/edu.Glacier.ProgressToYear")
	fmt.Println(e.Signature)
	// Output:
	// func func(float64, float64, float64) *edu.Bed
	// func (g *Glacier) ProgressToYear(year float64) error
}
