// Package notebooks reads and writes Jupyter notebooks: the nbformat 4
// .ipynb document model that Firn's workbench, exporter and runner share,
// and a text form of it for git.
//
// # Use
//
//	nb, err := notebooks.ReadFile("glacier.ipynb")
//	if err != nil {
//		return err // nb may still hold what was readable; see Damage
//	}
//	for _, c := range nb.Cells {
//		if c.Type == notebooks.Code && !c.HasTag("skip") {
//			c.ClearOutputs()
//			c.AppendStream("stdout", "ELA 3000 m\n")
//		}
//	}
//	nb.AddCell(notebooks.NewCell(notebooks.Markdown, "# Results"))
//	return notebooks.WriteFile("glacier.ipynb", nb) // atomic
//
// The API:
//
//	New() *Notebook                        // nbformat 4.5 for the Firn kernel
//	NewCell(typ, source string) *Cell      // fresh id
//	(*Notebook).AddCell(c *Cell) *Cell     // appends, makes the id unique
//	(*Notebook).EnsureIDs() bool           // repairs missing, invalid, duplicate ids
//	ValidID(id string) bool
//	Read(r io.Reader, name string) (*Notebook, error)
//	(*Notebook).Write(w io.Writer) error
//	ParsePercent(r io.Reader, name string) (*Notebook, error)
//	WritePercent(w io.Writer, nb *Notebook) error
//	ReadFile(path string) (*Notebook, error)     // .ipynb or .go (percent)
//	WriteFile(path string, nb *Notebook) error   // .ipynb or .go, atomic
//	(*Cell).AppendStream(name, text string)
//	(*Cell).ClearOutputs()
//	(*Cell).Tags() []string
//	(*Cell).HasTag(tag string) bool
//	(*Notebook).KernelSpec() KernelSpec    // the kernel it was written for
//	KernelSpec.ForFirn() bool; KernelSpec.Mismatch() string
//
// # The model
//
// A Notebook holds nbformat 4 as Go values. Text that files store as
// lists of lines (sources, stream text, text/* MIME data) is joined into
// one string. Metadata is decoded JSON: objects are map[string]any,
// arrays []any and numbers json.Number, which keeps the number's text so
// that 1.0 and 1e-07 come back as they were. JSON MIME types
// (application/json, application/*+json) hold decoded JSON values.
// Fields that Firn does not model, at the notebook, cell and output
// level, are kept raw in Extra.
//
// # Files
//
// Write produces what Jupyter's nbformat.write produces,
// json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) and a
// final newline, with multi-line strings split into lists of lines
// after each line break (Python's splitlines(True)), so a notebook
// written by Jupyter reads and writes back byte for byte. Firn writes
// its own JSON for this: unlike encoding/json it leaves <, >, & and the
// line separators U+2028 and U+2029 unescaped, as Python does. Like
// nbformat, Write drops the transient metadata orig_nbformat,
// orig_nbformat_minor, signature (notebook) and trusted (cells).
//
// Read accepts nbformat 4.0 to 4.5 and keeps the minor version: a 4.4
// file is written back as 4.4 without cell ids. For 4.5, Write first
// gives every cell without a valid, unique id a fresh one (EnsureIDs);
// set NBFormatMinor to 5 to upgrade an older notebook.
//
// # Damage
//
// Read reports damage as *ReadError values (joined with errors.Join if
// there are several) that name the file, the line and column (in
// characters, computed from the byte offset), the cell index and id and
// the field. A non-nil notebook together with an error is a partial
// notebook: for truncated or otherwise broken JSON it holds the cells
// that were complete before the damage; a cell that is valid JSON but
// not a valid cell (no source, unknown cell_type, ...) is left out and
// the other cells are kept; a damaged output is left out of its cell.
// A file that is not nbformat 4 gives a nil notebook and an error that
// wraps ErrVersion.
//
// # The percent text form
//
// For git, a notebook can be kept as a .go file in Jupytext's "percent"
// format:
//
//	// ---
//	// jupyter:
//	//   kernelspec:
//	//     display_name: Go (Firn)
//	//     language: go
//	//     name: firn
//	// ---
//
//	// %% [markdown] id="a1b2c3d4"
//	// # Title
//	//
//	// Text with $math$.
//
//	// %% id="e5f6a7b8"
//	g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
//
//	// %% id="c9d0e1f2" tags=["parameters"]
//	years := 300
//
// Rules:
//
//   - The header between "// ---" lines holds all notebook metadata as
//     YAML under "jupyter": objects as nested blocks, strings plain or
//     double-quoted, everything else as one-line JSON (which is YAML's
//     flow style), so Jupytext reads it too. The header is always
//     written; a file without one gets New's metadata.
//   - A cell starts at a marker line: "// %%" for code, "// %% [markdown]"
//     or "// %% [raw]". Markdown and raw lines are commented with "// "
//     (an empty line with "//"); code lines are as they are. Cells are
//     separated by one blank line, which is not part of any source; all
//     other blank lines are, so sources round-trip exactly.
//   - After the marker come options key=JSON: id="..." for the cell id
//     (Jupytext ignores ids; Firn keeps them so that converting back and
//     forth does not change them), then one option per metadata key, as
//     Jupytext writes tags=["parameters"]. If a metadata key is not a
//     simple name or is id, metadata or attachments, the whole metadata
//     is written as metadata={...}. Attachments are written as
//     attachments={...}. Words that are not options are a cell title,
//     kept in metadata "title" as Jupytext does.
//   - A line of any cell that starts with "// " and then "%%", after any
//     number of backslashes, would read as a marker; it is written with
//     one more backslash after "// " ("// \%% x") and read back without.
//     Markers are recognized only as written: "// %%" at the very start
//     of a line, followed by a space or the end of the line.
//   - A coding comment on the first line ("// -*- coding: utf-8 -*-",
//     which Jupytext writes for some files) is no cell: it is kept in
//     metadata.jupytext.encoding, as Jupytext keeps it, and written back
//     as the first line, before the header.
//   - Text before the first marker is a code cell; a file without
//     markers is one code cell (Jupytext does the same).
//
// Converting .ipynb to the percent form and back loses outputs,
// execution counts, unknown fields (Extra) and the minor version (the
// result is 4.5); cell types, sources, ids, metadata and attachments
// survive.
//
// # Writing files
//
// WriteFile is atomic: it writes a temporary file in the target's
// directory, syncs it, renames it over the target and syncs the
// directory, keeping the old file's permission bits. A failed write
// leaves the old file and no temporary file.
package notebooks
