package notebooks

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
)

// Cell types of nbformat 4.
const (
	Code     = "code"
	Markdown = "markdown"
	Raw      = "raw"
)

// Output types of nbformat 4.
const (
	Stream        = "stream"
	DisplayData   = "display_data"
	ExecuteResult = "execute_result"
	Error         = "error"
)

// The nbformat version that New creates and that Firn writes by default.
const (
	FormatMajor = 4
	FormatMinor = 5
)

// A Notebook is an nbformat 4 document. Fields that Firn does not model
// (at any level) are kept in Extra, raw, and written back unchanged.
type Notebook struct {
	NBFormat      int // 4
	NBFormatMinor int // 0–5; from 5 on, cells have ids
	// Metadata is the notebook's metadata object (kernelspec,
	// language_info, firn, and anything else) as decoded JSON values:
	// objects are map[string]any, arrays []any, numbers json.Number
	// (which keeps the number's text, so 1.0 stays 1.0).
	Metadata map[string]any
	Cells    []*Cell
	// Extra holds the notebook's top-level fields that Firn does not
	// model, keyed by field name.
	Extra map[string]json.RawMessage
}

// A Cell is one markdown, code or raw cell.
type Cell struct {
	ID       string // nbformat 4.5 cell id: [a-zA-Z0-9-_]{1,64}, unique in the notebook
	Type     string // Code, Markdown or Raw
	Source   string // the text, lines joined
	Metadata map[string]any
	// Code cells only.
	ExecutionCount *int
	Outputs        []*Output
	// Markdown and raw cells: attachment name → MIME bundle. A nil map is
	// left out of the file; a non-nil empty map is written as {}.
	Attachments map[string]MIMEBundle
	Extra       map[string]json.RawMessage
}

// A MIMEBundle maps a MIME type to its data: a string for text types and
// base64 images (multi-line strings are joined), a decoded JSON value for
// application/json and other application/*+json types.
type MIMEBundle map[string]any

// An Output is one output of a code cell.
type Output struct {
	Type string // Stream, DisplayData, ExecuteResult or Error
	// Stream.
	Name string // "stdout" or "stderr"
	Text string
	// DisplayData and ExecuteResult.
	Data     MIMEBundle
	Metadata map[string]any
	// ExecuteResult.
	ExecutionCount *int
	// Error.
	EName     string
	EValue    string
	Traceback []string
	Extra     map[string]json.RawMessage
}

// New returns an empty nbformat 4.5 notebook for the Firn kernel: its
// metadata holds the kernelspec {"name": "firn", "display_name":
// "Go (Firn)", "language": "go"} and Go's language_info.
func New() *Notebook {
	return &Notebook{
		NBFormat:      FormatMajor,
		NBFormatMinor: FormatMinor,
		Metadata: map[string]any{
			"kernelspec": map[string]any{
				"name":         "firn",
				"display_name": "Go (Firn)",
				"language":     "go",
			},
			"language_info": map[string]any{
				"name":            "go",
				"file_extension":  ".go",
				"mimetype":        "text/x-go",
				"pygments_lexer":  "go",
				"codemirror_mode": "go",
			},
		},
	}
}

// NewCell returns a cell of type typ (Code, Markdown or Raw) with the
// given source, empty metadata and a fresh random id. The id is unique
// with high probability; AddCell or EnsureIDs make sure it is unique in
// a notebook.
func NewCell(typ, source string) *Cell {
	return &Cell{ID: newID(), Type: typ, Source: source, Metadata: map[string]any{}}
}

// AddCell appends c to the notebook, giving it a new id if its id is
// empty, invalid or already used by another cell, and returns c.
func (nb *Notebook) AddCell(c *Cell) *Cell {
	nb.Cells = append(nb.Cells, c)
	used := make(map[string]bool, len(nb.Cells))
	for _, o := range nb.Cells[:len(nb.Cells)-1] {
		used[o.ID] = true
	}
	for !ValidID(c.ID) || used[c.ID] {
		c.ID = newID()
	}
	return c
}

// EnsureIDs gives a fresh id to every cell whose id is empty, not valid
// (see ValidID) or the same as an earlier cell's, as Jupyter's nbformat
// repairs duplicate ids. Write calls it for notebooks of nbformat 4.5 and
// later. It reports whether it changed any id.
func (nb *Notebook) EnsureIDs() bool {
	changed := false
	used := make(map[string]bool, len(nb.Cells))
	for _, c := range nb.Cells {
		if c == nil {
			continue
		}
		for !ValidID(c.ID) || used[c.ID] {
			c.ID = newID()
			changed = true
		}
		used[c.ID] = true
	}
	return changed
}

// ValidID reports whether id is a valid nbformat cell id: 1 to 64 of the
// characters a-z, A-Z, 0-9, '-' and '_'.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// newID returns 8 random hex digits, the form of nbformat's random_cell_id.
func newID() string {
	var b [4]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// AppendStream adds text to the cell's outputs as a stream output named
// name ("stdout" or "stderr"). As in Jupyter, text that follows a stream
// output of the same name is merged into it instead of starting a new
// output. Carriage returns are kept as they are.
func (c *Cell) AppendStream(name, text string) {
	if n := len(c.Outputs); n > 0 {
		if last := c.Outputs[n-1]; last != nil && last.Type == Stream && last.Name == name {
			last.Text += text
			return
		}
	}
	c.Outputs = append(c.Outputs, &Output{Type: Stream, Name: name, Text: text})
}

// ClearOutputs removes the cell's outputs and its execution count, as
// Jupyter's "Clear Outputs" does.
func (c *Cell) ClearOutputs() {
	c.Outputs = nil
	c.ExecutionCount = nil
}

// Tags returns the cell's tags (metadata "tags"), skipping any entry that
// is not a string. Changing the result does not change the cell.
func (c *Cell) Tags() []string {
	var tags []string
	switch t := c.Metadata["tags"].(type) {
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok {
				tags = append(tags, s)
			}
		}
	case []string:
		tags = append(tags, t...)
	}
	return tags
}

// HasTag reports whether the cell has the tag.
func (c *Cell) HasTag(tag string) bool {
	for _, t := range c.Tags() {
		if t == tag {
			return true
		}
	}
	return false
}
