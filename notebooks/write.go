package notebooks

import (
	"fmt"
	"io"
	"strings"
)

// Write writes the notebook as .ipynb JSON exactly as Jupyter's
// nbformat.write does: keys sorted, one space of indent, non-ASCII text
// unescaped, multi-line text split into lists of lines, and a final
// newline. Unknown fields (Extra) and all metadata are written back;
// numbers keep their text. An output whose image is both a PNG and an SVG
// (a plot) is written with the PNG only, unless a form that Jupyter ranks
// above SVG (HTML, PDF, LaTeX) is there too: Jupyter's nbconvert (6.5, as
// Debian ships it) and GitHub would pick the SVG and sanitize it down to
// its text, a blank plot, while every renderer draws the PNG. (Firn shows
// the SVG while the session runs.) Like nbformat, Write leaves out the transient
// metadata "orig_nbformat", "orig_nbformat_minor" and "signature" of the
// notebook and "trusted" of cells.
//
// For nbformat 4.5 and later, Write first calls EnsureIDs, so cells
// without a valid unique id get one (in nb too, so that the ids stay the
// same on the next save). Before 4.5, cells have no ids and none are
// written; set NBFormatMinor to 5 to upgrade a notebook.
func (nb *Notebook) Write(w io.Writer) error {
	b, err := nb.marshal()
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write notebook: %w", err)
	}
	return nil
}

// marshal returns the notebook's .ipynb bytes.
func (nb *Notebook) marshal() ([]byte, error) {
	if nb.NBFormat == 0 { // the zero Notebook
		nb.NBFormat, nb.NBFormatMinor = FormatMajor, FormatMinor
	}
	withIDs := nb.NBFormat > 4 || nb.NBFormat == 4 && nb.NBFormatMinor >= 5
	if withIDs {
		nb.EnsureIDs()
	}
	top := extraMap(nb.Extra, 4)
	top["nbformat"] = nb.NBFormat
	top["nbformat_minor"] = nb.NBFormatMinor
	top["metadata"] = withoutKeys(nb.Metadata, "orig_nbformat", "orig_nbformat_minor", "signature")
	cells := make([]any, 0, len(nb.Cells))
	for i, c := range nb.Cells {
		if c == nil {
			return nil, fmt.Errorf("write notebook: cell %d is nil", i)
		}
		cells = append(cells, cellJSON(c, withIDs))
	}
	top["cells"] = cells
	e := pyEncoder{buf: make([]byte, 0, 4096)}
	if err := e.value(top, 0); err != nil {
		return nil, fmt.Errorf("write notebook: %w", err)
	}
	e.buf = append(e.buf, '\n')
	return e.buf, nil
}

func cellJSON(c *Cell, withID bool) map[string]any {
	m := extraMap(c.Extra, 8)
	m["cell_type"] = c.Type
	m["metadata"] = withoutKeys(c.Metadata, "trusted")
	m["source"] = pySplitLines(c.Source)
	if withID && c.ID != "" {
		m["id"] = c.ID
	}
	if c.Attachments != nil {
		att := make(map[string]any, len(c.Attachments))
		for name, b := range c.Attachments {
			att[name] = bundleJSON(b)
		}
		m["attachments"] = att
	}
	if c.Type == Code {
		m["execution_count"] = intOrNil(c.ExecutionCount)
		outs := make([]any, 0, len(c.Outputs))
		for _, o := range c.Outputs {
			if o != nil {
				outs = append(outs, outputJSON(o))
			}
		}
		m["outputs"] = outs
	}
	return m
}

func outputJSON(o *Output) map[string]any {
	m := extraMap(o.Extra, 6)
	m["output_type"] = o.Type
	switch o.Type {
	case Stream:
		m["name"] = o.Name
		m["text"] = pySplitLines(o.Text)
	case DisplayData, ExecuteResult:
		data, meta := o.Data, o.Metadata
		if svgWouldBeBlank(data) {
			data, meta = withoutKey(data, svgMIME), withoutKeys(meta, svgMIME)
		}
		m["data"] = bundleJSON(data)
		m["metadata"] = orEmpty(meta)
		if o.Type == ExecuteResult {
			m["execution_count"] = intOrNil(o.ExecutionCount)
		}
	case Error:
		m["ename"] = o.EName
		m["evalue"] = o.EValue
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["traceback"] = tb
	}
	return m
}

// MIME types of the two forms of a plot.
const (
	svgMIME = "image/svg+xml"
	pngMIME = "image/png"
)

// svgWouldBeBlank reports whether Jupyter's tools would show the bundle's
// SVG (their display priority puts text/html, application/pdf and
// text/latex before it) while it also has the same image as a PNG, which
// they would draw.
func svgWouldBeBlank(b MIMEBundle) bool {
	return b[svgMIME] != nil && b[pngMIME] != nil &&
		b["text/html"] == nil && b["application/pdf"] == nil && b["text/latex"] == nil
}

// withoutKey returns a copy of the bundle without key.
func withoutKey(b MIMEBundle, key string) MIMEBundle {
	c := make(MIMEBundle, len(b))
	for k, v := range b {
		if k != key {
			c[k] = v
		}
	}
	return c
}

// bundleJSON splits text values into lines as nbformat's split_lines
// does: values of text/* types, application/javascript and image/svg+xml.
func bundleJSON(b MIMEBundle) map[string]any {
	m := make(map[string]any, len(b))
	for k, v := range b {
		if s, ok := v.(string); ok && (strings.HasPrefix(k, "text/") || k == "application/javascript" || k == "image/svg+xml") {
			m[k] = pySplitLines(s)
			continue
		}
		m[k] = v
	}
	return m
}

// extraMap returns a new map holding the raw extra fields, with room for
// n more.
func extraMap[V any](extra map[string]V, n int) map[string]any {
	m := make(map[string]any, len(extra)+n)
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
