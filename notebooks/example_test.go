package notebooks_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/firnglacier/firn/notebooks"
)

func Example() {
	nb := notebooks.New()
	nb.AddCell(notebooks.NewCell(notebooks.Markdown, "# A glacier\n\nOn a linear bed."))
	params := nb.AddCell(notebooks.NewCell(notebooks.Code, "years := 300"))
	params.Metadata["tags"] = []any{"parameters"}
	run := nb.AddCell(notebooks.NewCell(notebooks.Code, "g.Run(years)"))
	run.AppendStream("stdout", "year 100\n")
	run.AppendStream("stdout", "year 200\n") // merged into the first stream output

	fmt.Println(len(nb.Cells), "cells;", len(run.Outputs), "output:", strings.TrimSpace(run.Outputs[0].Text))
	fmt.Println("parameters cell:", params.HasTag("parameters"))

	// The percent text form, without the ids (they are random).
	for c := range nb.Cells {
		nb.Cells[c].ID = ""
	}
	if err := notebooks.WritePercent(os.Stdout, nb); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 3 cells; 1 output: year 100
	// year 200
	// parameters cell: true
	// // ---
	// // jupyter:
	// //   kernelspec:
	// //     display_name: Go (Firn)
	// //     language: go
	// //     name: firn
	// //   language_info:
	// //     codemirror_mode: go
	// //     file_extension: ".go"
	// //     mimetype: text/x-go
	// //     name: go
	// //     pygments_lexer: go
	// // ---
	//
	// // %% [markdown]
	// // # A glacier
	// //
	// // On a linear bed.
	//
	// // %% tags=["parameters"]
	// years := 300
	//
	// // %%
	// g.Run(years)
}

func ExampleRead() {
	// A file cut short: the complete cells are still there.
	damaged := `{"cells": [
 {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Title"]},
 {"cell_type": "code", "id": "run", "metadata": {}, "outputs": [], "source": ["g.Ru`
	nb, err := notebooks.Read(strings.NewReader(damaged), "glacier.ipynb")
	fmt.Println(err)
	if nb != nil {
		fmt.Printf("recovered %d cell: %q\n", len(nb.Cells), nb.Cells[0].Source)
	}
	// Output:
	// glacier.ipynb: line 3, column 84: unexpected end of file (truncated?)
	// recovered 1 cell: "# Title"
}
