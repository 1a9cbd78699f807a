// Package export writes a notebook as a static HTML page or as Markdown,
// for `firn export NB --to html` and `--to markdown`.
//
//	nb, err := notebooks.ReadFile("spinup.ipynb")
//	if err != nil { … }
//	f, err := os.Create("spinup.html")
//	if err != nil { … }
//	defer f.Close()
//	err = export.HTML(f, nb, export.HTMLOptions{Name: "spinup.ipynb"})
//
//	// Markdown with images as files next to it, as nbconvert does:
//	err = export.Markdown(w, nb, export.MarkdownOptions{
//		Name: "spinup", // images in spinup_files/
//		WriteFile: func(name string, data []byte) error {
//			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
//				return err
//			}
//			return os.WriteFile(name, data, 0o644)
//		},
//	})
//
// # The HTML page
//
// HTML writes one file that needs nothing else: no network, no files
// beside it. It looks like the notebook: "In [n]:" and "Out[n]:" prompts,
// code highlighted by chroma (with CSS classes and a light theme), Markdown
// rendered by goldmark with GitHub's extensions (tables, strikethrough,
// autolinks, task lists) and cell attachments (attachment:NAME) as data:
// URIs. The layout is readable on a phone (prompts go above their cells)
// and on paper (scroll boxes open up, code wraps).
//
// Each output shows the richest MIME type of its bundle, in this order:
// a widget (display.WidgetMIME: a slider, dropdown… drawn as a still
// control with its label and the value the reader left: a slider's value
// as a <meter> bar between its bounds, a dropdown's choice among its
// options, a checkbox ticked or not), text/html (sanitized), image/svg+xml (sanitized), image/png, image/jpeg,
// image/gif (as data: URIs), text/markdown, text/latex, application/json
// (indented) and text/plain. Streams and error tracebacks keep their ANSI
// colours, as spans; carriage returns overwrite their line as on a
// terminal. Outputs are kept whole, however large; a stream of more than
// 40 lines scrolls in a box.
//
// Math in Markdown between $…$, $$…$$, \(…\) and \[…\] is kept from
// Markdown (an underscore in math is not emphasis) and typeset in the
// page by KaTeX 0.19.1, which is embedded in this package and put in the
// page only when the notebook has math: it adds about 646 kB (the script
// 273 kB, the style sheet with its 20 woff2 fonts inlined 369 kB,
// auto-render 3.5 kB). A page without math weighs about 11 kB plus its
// notebook's content; it has no script at all.
//
// # Safety
//
// Nothing in the page runs code from the notebook or fetches anything.
// HTML outputs, the HTML of Markdown and SVG go through Firn's one
// sanitizing policy (internal/sanitize, shared with the kernel and the
// notebook page): no scripts, event handlers, frames, forms, <style>,
// remote images, javascript: URLs, nor CSS other than colour, alignment
// and font styles; SVG keeps only drawing elements and attributes without
// event handlers or references outside the document, and is shown as an
// image (<img src="data:image/svg+xml…">), where browsers run no script
// anyway. Widgets are Firn's own markup with their text escaped, no form
// controls and no style attributes. Text is escaped. Each output and Markdown cell is contained
// (CSS contain: layout paint), so nothing in it is placed or painted
// outside its box. A Content-Security-Policy meta tag (default-src 'none';
// images and fonts only from data: URIs; only inline styles and scripts)
// makes the browser refuse any fetch that might be left.
//
// # Markdown
//
// Markdown writes code cells as fenced code (```go), streams, tracebacks
// (without ANSI escapes), text and JSON as fenced blocks, and images as
// files written through MarkdownOptions.WriteFile, named like nbconvert's
// (NAME_files/output_3_1.png for the second output of the fourth cell),
// or as data: URIs if WriteFile is nil. Markdown cells and text/markdown
// and text/latex outputs are written as they are when the policy would
// remove nothing from them, even next to the rest of the file (see
// safeMarkdown); otherwise, as the sanitized HTML they render to. HTML is
// written sanitized, in one HTML block with no blank line, so no part of
// it can be read as Markdown. Cell attachments (SVG included, which
// Jupyter stores as base64) become files beside the others.
//
// # What is written by hand, and why
//
// Two small pieces are written here rather than taken from a library:
//
//   - The goldmark math extension (math.go): goldmark has no maintained
//     math extension that keeps TeX verbatim without rendering it on the
//     server, and a separate pre-pass over the source would also change
//     code spans and code blocks. As an inline parser that runs before
//     goldmark's escapes and emphasis, it sees exactly the text Markdown
//     would otherwise parse, following Jupyter's and pandoc's rules for $.
//   - The ANSI to HTML converter (ansi.go): Go libraries for this emit
//     inline styles or unescaped text; Jupyter's class names (ansi-red-fg,
//     …) with a style sheet keep the page small and printable, and the
//     converter escapes everything it writes. It handles SGR colours
//     (16, 256 and 24-bit) and drops every other escape sequence.
//
// KaTeX's files in katex/ come from the npm registry; katex/fetch.go
// updates them (`cd katex && go run fetch.go`).
package export
