// Package run executes notebooks headless: every code cell, in order, in a
// fresh kernel process, storing outputs and execution counts in the
// notebook, as `firn run` and graders' scripts need.
//
//	nb, err := notebooks.ReadFile("lesson.ipynb")
//	…
//	err = run.Notebook(ctx, nb, run.Options{
//		Parameters: []run.Parameter{{Name: "ela", Value: "3100"}},
//		CellTimeout: 10 * time.Minute,
//		Progress: func(p run.Progress) { fmt.Fprintf(os.Stderr, "cell %d of %d\n", p.Done+1, p.Total) },
//	})
//	var cellErr *run.CellError // a cell failed: which, where, why
//	if errors.As(err, &cellErr) { … }
//	err = notebooks.WriteFile("lesson.out.ipynb", nb)
//
// # Reactive notebooks
//
// A notebook with metadata.firn.reactive true runs in dependency order
// (package kernel/reactive): each cell after the cells whose names it
// uses, otherwise in the page's order. Two cells defining one name, a
// cycle or a cell that cannot be read refuse the run with a
// *ParameterError naming the cells, before anything runs.
//
// # Widgets
//
// The values a reader left on the notebook's widgets (display.Slider,
// Dropdown…), saved in its metadata as nbformat's widget state
// (metadata.widgets["application/vnd.jupyter.widget-state+json"], as the
// notebook page writes it), go with every cell to the kernel, by the
// widget's label (protocol.WidgetValues): a headless run computes with
// the values the reader chose, not the defaults in the code.
//
// # Parameters
//
// As in papermill: the first code cell tagged "parameters" holds the
// defaults. Given parameters are injected in a new code cell right after
// it, tagged "injected-parameters" (replacing one from an earlier run),
// that assigns the given values, typed as the defaults are: a default
// `years := 300` makes -p years=500 the integer 500 and -p years=5e2 an
// error; a string default takes the text as it is; float64, bool and
// typed declarations (var ela float64 = 3000) work alike. A name the
// parameters cell does not declare is an error that lists the names it
// does. The parameters are recorded in the notebook's metadata with
// their types, where papermill records them (metadata.papermill.parameters:
// -p years=3200 is the number 3200, -p warm=true the bool true, a string
// default's value a string) and in metadata.firn.parameters, with the Firn
// version (metadata.firn.version), so papermill-aware tools read Firn's
// runs. `firn run` takes papermill's form -p NAME VALUE as well as
// -p NAME=VALUE.
//
// # Errors and reproducibility
//
// A failing cell stops the run (unless Options.AllowErrors): its error
// output is stored, later cells keep no stale outputs, and the returned
// *CellError names the cell by position (1-based, counting every cell as
// the notebook shows them) and id, with the line in the cell. A cell that
// passes Options.CellTimeout is interrupted and fails the same way. When
// ctx is cancelled the running cell is interrupted and Notebook returns
// ctx's error, with the outputs so far stored.
//
// Each run starts from a fresh kernel and records no timestamps, so the
// same notebook and parameters give the same file (cells that print times
// or random numbers aside).
package run
