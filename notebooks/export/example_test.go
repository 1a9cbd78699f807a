package export_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/export"
)

func Example() {
	one := 1
	nb := notebooks.New()
	nb.Cells = []*notebooks.Cell{
		{ID: "intro", Type: notebooks.Markdown, Source: "# Mass balance\n\nThe ELA is where $b(z_{ELA}) = 0$."},
		{ID: "run", Type: notebooks.Code, ExecutionCount: &one, Source: `fmt.Println("ELA", 2900)`,
			Outputs: []*notebooks.Output{{Type: notebooks.Stream, Name: "stdout", Text: "ELA 2900\n"}}},
	}

	// A static page: the title is the first heading, math is typeset by
	// KaTeX in the page.
	var page bytes.Buffer
	if err := export.HTML(&page, nb, export.HTMLOptions{Name: "mb.ipynb"}); err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(page.String(), "\n") {
		if strings.HasPrefix(line, "<title>") {
			fmt.Println(line)
		}
	}

	// Markdown, to standard output.
	if err := export.Markdown(os.Stdout, nb, export.MarkdownOptions{Name: "mb"}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <title>Mass balance</title>
	// # Mass balance
	//
	// The ELA is where $b(z_{ELA}) = 0$.
	//
	// ```go
	// fmt.Println("ELA", 2900)
	// ```
	//
	// ```
	// ELA 2900
	// ```
}
