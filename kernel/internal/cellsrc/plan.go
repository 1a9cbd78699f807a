package cellsrc

// ChunkKind says how yaegi reads a chunk: it looks at the chunk's first
// token and either parses the chunk as file-level declarations or wraps it
// in a function body.
type ChunkKind int

const (
	// Imports is one import of the cell (yaegi gives no way to undo a
	// partly failed import block, so each import is a chunk of its own).
	Imports ChunkKind = iota + 1
	// Declarations are func, var, const and type declarations, which yaegi
	// parses at file level.
	Declarations
	// Statements are run as the body of a function; their top-level :=
	// variables become globals.
	Statements
)

func (k ChunkKind) String() string {
	switch k {
	case Imports:
		return "Imports"
	case Declarations:
		return "Declarations"
	case Statements:
		return "Statements"
	}
	return "ChunkKind(?)"
}

// Columns yaegi shifts line 1 by when it wraps a chunk: it prepends
// "package main;" to declarations and "package main; func main() {" to
// statements, on the same line.
const (
	declShift = len("package main;")
	stmtShift = len("package main; func main() {")
)

// A Chunk is a piece of a cell that yaegi can evaluate on its own.
type Chunk struct {
	Kind ChunkKind
	// Src is the text to give yaegi: the cell with everything outside this
	// chunk blanked (spaces, newlines kept) and the chunk's rewrites
	// applied. It has the cell's lines; columns are the cell's except after
	// a rewrite on the same line (CellPosition undoes both).
	Src string

	cell  *cellText
	lines []int     // where Src's lines start
	edit  offsetMap // the rewrites in Src, in cell offsets
	eff   effects   // what the chunk declares, for Session.Commit
}

// CellPosition maps a line and column that yaegi reported for this chunk
// (1-based, as in "3:7: undefined: x") to the cell's own line and column:
// it undoes yaegi's wrapping of line 1 and the column shifts of rewrites.
func (c Chunk) CellPosition(line, col int) (int, int) {
	if c.cell == nil || len(c.lines) == 0 {
		return line, col
	}
	if line == 1 {
		switch c.Kind {
		case Statements:
			col -= stmtShift
		default:
			col -= declShift
		}
	}
	lines := c.lines
	line = max(1, min(line, len(lines)))
	end := len(c.Src)
	if line < len(lines) {
		end = lines[line] - 1
	}
	off := max(lines[line-1], min(lines[line-1]+col-1, end))
	return c.cell.position(c.edit.cellOffset(off))
}

// A Plan is a cell made ready for yaegi: its chunks, in evaluation order,
// and what the cell declares.
type Plan struct {
	// Chunks are to be evaluated in order; stop at the first error and pass
	// the number that succeeded to Session.Commit.
	Chunks []Chunk
	// ShowResult reports that the cell ends with an expression whose value
	// a notebook should show: the value yaegi returns for the last chunk.
	// It is false when the last top-level statement is a declaration, an
	// assignment or another statement, or a call known to return nothing:
	// fmt.Print*, fmt.Fprint*, log.*, display.Show*, the builtins print,
	// println, panic, close, delete, clear and copy, and functions declared
	// without results.
	ShowResult bool
	// Declared lists the top-level names the cell declares, in source
	// order: variables (including :=), constants, types and functions, but
	// not methods.
	Declared []string
	// ID numbers the plans of a session (from 1); markers carry it.
	ID int
	// Sites are the statements of the cell, in source order: before it
	// runs, each sets LineVar to its marker, ID<<20 | (index+1) (see
	// [SiteOf]). Statements of blocks and function bodies are sites;
	// declarations at the cell's top level (var x = f()) are not.
	Sites []Site

	cell      *cellText
	dotImport bool // names may come from a dot import: no undefined names
}

// Unrename turns the internal names of redefined types in msg (an error
// from yaegi, say) back into the names the user wrote.
func (p *Plan) Unrename(msg string) string {
	return unrename(msg)
}

// Unrename turns the internal names of redefined types in msg back into
// the names the user wrote (a panic's message, say).
func Unrename(msg string) string { return unrename(msg) }

// markerBits is the width of a site's index in a marker.
const markerBits = 20

// A Site is where a statement of a cell starts.
type Site struct {
	Line, Col int // 1-based, in the cell; Col counts bytes
	// Func is the function the statement is in, as yaegi names it in the
	// frames it prints while a panic unwinds: "main" for the cell's top
	// level, "main.f" for a function or method f, "main.func" and
	// "main.f.func" for function literals at the top level and in f.
	Func string
}

// SiteOf splits a marker (the value of LineVar) into the ID of the plan
// whose statement set it and the index of that statement in the plan's
// Sites; ok is false for 0 (no statement has run) and other values no
// plan makes.
func SiteOf(marker int) (plan, index int, ok bool) {
	plan, index = marker>>markerBits, marker&(1<<markerBits-1)-1
	return plan, index, plan > 0 && index >= 0
}
