// Package display shows rich output from notebook cells: Markdown, HTML,
// tables, plots, images, JSON and progress bars, with Jupyter's display
// semantics.
//
// Cells have it ready as display (its short path is "firn/display"; Go
// programs import github.com/firnglacier/firn/kernel/display) and show
// values:
//
//	display.Show(display.Markdown("## Hintereisferner\nArea $A = 8.0$ km²"))
//	display.Show(glaciers)   // a slice of structs: a table
//	display.Show(fig)        // a plot (plots.Figure): its SVG and PNG
//
// A value that is a cell's last expression is shown the same way, so fig
// alone on the last line of a cell shows the plot.
//
// # What is shown how
//
// Show renders any value with Render, which picks the best form: a plot's
// figure (any value with a MIME method) as an image, an error or a value
// with a String method as its text, a slice of structs as a table, and
// anything else as text, as a REPL shows it. To choose the form, pass a
// Bundle made by one of
//
//	display.Markdown("**bold**, $x^2$")      // math is typeset by the notebook
//	display.HTML("<b>bold</b>")              // sanitized
//	display.SVG(svg)                         // sanitized
//	display.PNG(png)
//	display.JSON(v)                          // a tree view of v encoded as JSON
//	display.Text("as it is")
//	display.Table(runs)                      // see Table for what it accepts
//	display.Rows([]string{"ELA (m)", "volume (km³)"}, [][]any{{2600, 0.5}, {2700, 0.3}})
//
// A struct field tagged `display:"Volume (km³)"` is a column of that name in
// a table; one tagged `display:"-"` is left out. (The interpreter that runs
// cells exports the unexported fields of a struct type declared in a cell
// as X<name>, so they show as columns too; tag them `display:"-"`.)
//
// # Updating output
//
// Show returns a Handle that replaces the output in place:
//
//	h := display.Show("starting")
//	h.Update(fig)
//
// A progress bar is one output that is updated as work goes on:
//
//	bar := display.Progress("spin-up", 1000)
//	for year := range 1000 {
//		step(year)
//		bar.Set(year + 1)
//	}
//	bar.Done()
//
// It publishes only when the whole percent changes, so calling Set on every
// iteration of a long loop costs little.
//
// # Widgets
//
// Controls bound to Go values: a cell makes one and shows it, and cells
// that read its value run again when the reader moves it (the notebook
// page works out which: the cells that use the control's variable, and
// the cells that use theirs, in dependency order; the control's own cell
// does not run again, so the control stays under the pointer):
//
//	ela := display.Slider("ELA (m)", 2500, 3500, 10, 3000) // label, min, max, step, start
//	years := display.NumberInput("years", 0, 1000, 10, 300)
//	year := display.Play("year", 0, 300, 10, 0)             // a slider with a play button
//	shape := display.Dropdown("valley", []string{"rectangular", "parabolic"}, "rectangular")
//	warm := display.Checkbox("warmer climate", false)
//	again := display.Button("new random climate")
//	// in other cells:
//	g := edu.NewGlacier(bed, edu.NewMassBalance(ela.Value(), 4))
//	if warm.Value() { … }; seed := again.Clicks()
//
// A control's label names it for the reader and identifies its value
// (two controls with one label share it). The value is the one the reader
// chose, which the page sends with each cell it runs (the kernel keeps it:
// SetWidgetValues) and saves in the notebook as nbformat's widget state
// (metadata.widgets), else the starting value; a number is kept within
// [min, max] and on a step. Each control's output has Firn's description
// (WidgetMIME), ipywidgets' view of it (JupyterWidgetViewMIME) and a line
// of text, so that GitHub and exports show the value still. Bad bounds
// panic with a message that names the control, which the notebook shows
// as the error of the cell's line.
//
// # Safety
//
// Output is shown in the notebook page, so HTML and SVG are sanitized
// before they leave the cell, by Firn's one sanitizing policy
// (internal/sanitize, whose policy.json the exported page and the
// notebook page use too). HTML keeps text formatting, tables, links and
// embedded images; scripts, event handlers, frames, forms, <style>,
// remote images and javascript: URLs go, and a style attribute keeps only
// colour, alignment, font weight and style, text decoration and white
// space, so an output can neither load anything from another host nor
// place itself over the notebook. SVG is not HTML, and an HTML sanitizer
// would remove all of it, so it gets its own pass over its XML tokens:
// only SVG's drawing elements are kept, which removes <script>,
// <foreignObject> (a way to embed HTML), <style>, the animation elements
// (which can rewrite a link) and any HTML element; attributes lose event
// handlers (on…), url(…) outside the document and references other than
// fragments, allowed links and embedded raster images. A figure from the
// plots package passes unchanged. A Bundle written by hand is not
// sanitized; the frontend sanitizes with the same policy.
//
// # In the kernel and outside it
//
// The package-level Show and Progress print text, to standard output and
// standard error: a program or test that uses this package outside a
// notebook still shows something useful. The kernel gives each notebook
// a Display made by New with its own Publisher, and binds the cells'
// display.Show and display.Progress to that Display's methods.
//
// All of Render, Show, Table and the constructors turn a panic or an error
// in the value shown into a text output that explains it: showing a value
// never stops a cell.
package display
