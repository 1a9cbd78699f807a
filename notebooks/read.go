package notebooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A ReadError says what is wrong in a notebook file and where.
type ReadError struct {
	File   string // the name given to Read
	Line   int    // 1-based line of the damage, 0 if unknown
	Column int    // 1-based column in characters, 0 if unknown
	Offset int    // byte offset of the damage in the file
	Cell   int    // 0-based index in the file's cells array, -1 if not in a cell
	CellID string // the cell's id, if it was readable
	Field  string // the JSON field, relative to the cell if Cell >= 0: "source", "outputs[2].text", "nbformat"
	Err    error  // what is wrong
}

func (e *ReadError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d, column %d", e.Line, e.Column)
	}
	if e.Cell >= 0 {
		fmt.Fprintf(&b, ": cells[%d]", e.Cell)
		if e.CellID != "" {
			fmt.Fprintf(&b, " (id %q)", e.CellID)
		}
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ReadError) Unwrap() error { return e.Err }

// ErrVersion is wrapped by the error Read returns for a file that is not
// nbformat 4.
var ErrVersion = errors.New("unsupported nbformat")

// Read reads an nbformat 4.0–4.5 notebook in .ipynb JSON from r; name is
// the file name used in errors. Text stored as lists of lines is joined,
// JSON MIME types are kept as decoded values, numbers keep their text
// (json.Number), and every field Firn does not model is kept in Extra.
// The minor version stays as read: a 4.4 notebook is written back as 4.4,
// without cell ids. Newer minors (4.6 and up) are read like 4.5 and keep
// their number.
//
// On damage, Read returns errors (each a *ReadError, joined with
// errors.Join when there are several) that say where it is, and, when
// part of the notebook could be read, a partial notebook: a non-nil
// notebook together with a non-nil error means "partial". It holds the
// cells that were complete before JSON damage (a truncated file, say)
// and every readable cell besides the damaged ones; a damaged output
// is left out of its cell. A file that is not nbformat 4 (3, 5, or no
// nbformat at all) gives a nil notebook and an error wrapping ErrVersion.
func Read(r io.Reader, name string) (*Notebook, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	p := &parser{name: name, data: data}
	return p.notebook()
}

type parser struct {
	name string
	data []byte
	errs []error
}

// fail records an error at byte offset off of the file.
func (p *parser) fail(off, cell int, id, field string, err error) {
	line, col := lineCol(p.data, off)
	p.errs = append(p.errs, &ReadError{File: p.name, Line: line, Column: col, Offset: off,
		Cell: cell, CellID: id, Field: field, Err: err})
}

// syntaxFail records the first JSON syntax error of the file.
func (p *parser) syntaxFail(fallback error) {
	var raw json.RawMessage
	err := json.Unmarshal(p.data, &raw)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		p.fail(len(p.data), -1, "", "", fallback)
		return
	}
	off := int(se.Offset)
	msg := se.Error()
	if off >= len(p.data) && strings.Contains(msg, "end of JSON input") {
		off = len(p.data)
		msg = "unexpected end of file (truncated?)"
	} else if off > 0 {
		off-- // Offset counts the offending byte
	}
	p.fail(off, -1, "", "", errors.New(msg))
}

func (p *parser) result(nb *Notebook) (*Notebook, error) {
	switch len(p.errs) {
	case 0:
		return nb, nil
	case 1:
		return nb, p.errs[0]
	}
	return nb, errors.Join(p.errs...)
}

func (p *parser) notebook() (*Notebook, error) {
	if len(bytes.TrimSpace(p.data)) == 0 {
		p.fail(0, -1, "", "", errors.New("empty file, not a notebook"))
		return p.result(nil)
	}
	dec := json.NewDecoder(bytes.NewReader(p.data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil {
		p.syntaxFail(err)
		return p.result(nil)
	} else if tok != json.Delim('{') {
		p.fail(skipSpace(p.data, 0), -1, "", "", errors.New("a notebook is a JSON object ({...})"))
		return p.result(nil)
	}
	nb := &Notebook{NBFormat: FormatMajor, NBFormatMinor: FormatMinor}
	var (
		haveCells, haveMajor, haveMinor bool
		majorOff, minorOff              int
		damaged                         bool
	)
	for dec.More() && !damaged {
		tok, err := dec.Token()
		if err != nil {
			p.syntaxFail(err)
			damaged = true
			break
		}
		key, _ := tok.(string)
		valOff := skipSep(p.data, int(dec.InputOffset()))
		if key == "cells" {
			haveCells = true
			damaged = !p.cells(dec, nb, valOff)
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			p.syntaxFail(err)
			damaged = true
			break
		}
		switch key {
		case "metadata":
			m, err := decodeObject(raw)
			if err != nil {
				p.fail(valOff, -1, "", "metadata", err)
				break
			}
			nb.Metadata = m
		case "nbformat":
			haveMajor, majorOff = true, valOff
			nb.NBFormat, err = decodeInt(raw)
			if err != nil {
				p.fail(valOff, -1, "", key, err)
				return p.result(nil)
			}
		case "nbformat_minor":
			haveMinor, minorOff = true, valOff
			nb.NBFormatMinor, err = decodeInt(raw)
			if err != nil {
				p.fail(valOff, -1, "", key, err)
				nb.NBFormatMinor = FormatMinor
			}
		default:
			if nb.Extra == nil {
				nb.Extra = make(map[string]json.RawMessage)
			}
			nb.Extra[key] = raw
		}
	}
	if !damaged {
		if _, err := dec.Token(); err != nil {
			p.syntaxFail(err)
			damaged = true
		} else if _, err := dec.Token(); err != io.EOF {
			p.fail(skipSpace(p.data, int(dec.InputOffset())), -1, "", "",
				errors.New("unexpected data after the notebook's closing }"))
		}
	}
	// The version decides whether anything else makes sense.
	switch {
	case haveMajor && nb.NBFormat != 4:
		p.errs = p.errs[:0]
		hint := "convert it with: jupyter nbconvert --to notebook --nbformat 4 " + p.name
		if nb.NBFormat > 4 {
			hint = "it is newer than this version of Firn knows"
		}
		p.fail(majorOff, -1, "", "nbformat", fmt.Errorf("%w %d: Firn reads nbformat 4 (4.0 to 4.5); %s", ErrVersion, nb.NBFormat, hint))
		return p.result(nil)
	case !haveMajor && !damaged:
		p.fail(0, -1, "", "nbformat", fmt.Errorf("%w: field missing; a Jupyter notebook has \"nbformat\": 4", ErrVersion))
		if !haveCells {
			return p.result(nil)
		}
	case haveMinor && nb.NBFormatMinor < 0:
		p.fail(minorOff, -1, "", "nbformat_minor", fmt.Errorf("%w 4.%d", ErrVersion, nb.NBFormatMinor))
		nb.NBFormatMinor = FormatMinor
	case haveMajor && !haveMinor && !damaged:
		p.fail(0, -1, "", "nbformat_minor", errors.New("field missing; nbformat 4 notebooks have \"nbformat_minor\": 0 to 5"))
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	return p.result(nb)
}

// cells reads the cells array into nb and reports whether the JSON was
// intact. Cells that decode as JSON but are not valid cells are reported
// and left out.
func (p *parser) cells(dec *json.Decoder, nb *Notebook, off int) bool {
	tok, err := dec.Token()
	if err != nil {
		p.syntaxFail(err)
		return false
	}
	if tok != json.Delim('[') {
		p.fail(off, -1, "", "cells", errors.New("not a list of cells"))
		// Skip the value; the decoder has consumed one token of it.
		if d, ok := tok.(json.Delim); ok && (d == '{') {
			var rest json.RawMessage
			for dec.More() {
				if _, err := dec.Token(); err != nil {
					p.syntaxFail(err)
					return false
				}
				if err := dec.Decode(&rest); err != nil {
					p.syntaxFail(err)
					return false
				}
			}
			if _, err := dec.Token(); err != nil {
				p.syntaxFail(err)
				return false
			}
		}
		return true
	}
	for i := 0; dec.More(); i++ {
		start := skipSep(p.data, int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			p.syntaxFail(err)
			return false
		}
		cp := cellParser{p: p, raw: raw, start: start, index: i}
		if c := cp.cell(); c != nil {
			nb.Cells = append(nb.Cells, c)
		}
	}
	if _, err := dec.Token(); err != nil {
		p.syntaxFail(err)
		return false
	}
	return true
}

// cellParser reads one cell whose JSON is intact.
type cellParser struct {
	p     *parser
	raw   []byte
	start int // offset of raw in the file
	index int
	id    string
}

// fail records an error at path (field names and array indexes) in the
// cell.
func (cp *cellParser) fail(path []any, err error) {
	off := cp.start + locate(cp.raw, path)
	cp.p.fail(off, cp.index, cp.id, pathString(path), err)
}

func (cp *cellParser) cell() *Cell {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(cp.raw, &fields); err != nil || fields == nil {
		cp.fail(nil, errors.New("a cell is a JSON object ({...})"))
		return nil
	}
	c := &Cell{}
	if raw, ok := fields["id"]; ok {
		if err := json.Unmarshal(raw, &c.ID); err != nil {
			cp.fail([]any{"id"}, errors.New("not a string"))
			return nil
		}
		cp.id = c.ID
	}
	ok := true
	bad := func(path []any, err error) {
		cp.fail(path, err)
		ok = false
	}
	raw, have := fields["cell_type"]
	switch err := json.Unmarshal(raw, &c.Type); {
	case !have:
		bad([]any{"cell_type"}, errors.New(`field missing; want "code", "markdown" or "raw"`))
	case err != nil:
		bad([]any{"cell_type"}, errors.New(`not a string; want "code", "markdown" or "raw"`))
	case c.Type != Code && c.Type != Markdown && c.Type != Raw:
		bad([]any{"cell_type"}, fmt.Errorf(`unknown cell type %q; want "code", "markdown" or "raw"`, c.Type))
	}
	if raw, have := fields["source"]; !have {
		bad([]any{"source"}, errors.New("field missing; a cell has a source (a string or a list of strings)"))
	} else if s, err := decodeText(raw); err != nil {
		bad([]any{"source"}, err)
	} else {
		c.Source = s
	}
	if raw, have := fields["metadata"]; have {
		m, err := decodeObject(raw)
		if err != nil {
			bad([]any{"metadata"}, err)
		}
		c.Metadata = m
	} else {
		c.Metadata = map[string]any{}
	}
	if raw, have := fields["attachments"]; have {
		c.Attachments = cp.attachments(raw, bad)
	}
	known := map[string]bool{"id": true, "cell_type": true, "source": true, "metadata": true, "attachments": true}
	if c.Type == Code {
		known["execution_count"], known["outputs"] = true, true
		if raw, have := fields["execution_count"]; have {
			n, err := decodeOptInt(raw)
			if err != nil {
				bad([]any{"execution_count"}, err)
			}
			c.ExecutionCount = n
		}
		if raw, have := fields["outputs"]; have {
			var outs []json.RawMessage
			if err := json.Unmarshal(raw, &outs); err != nil {
				bad([]any{"outputs"}, errors.New("not a list of outputs"))
			}
			for j, o := range outs {
				if out := cp.output(j, o); out != nil {
					c.Outputs = append(c.Outputs, out)
				}
			}
		}
	}
	for k, v := range fields {
		if !known[k] {
			if c.Extra == nil {
				c.Extra = make(map[string]json.RawMessage)
			}
			c.Extra[k] = v
		}
	}
	if !ok {
		return nil
	}
	return c
}

func (cp *cellParser) attachments(raw json.RawMessage, bad func([]any, error)) map[string]MIMEBundle {
	var atts map[string]json.RawMessage
	if err := json.Unmarshal(raw, &atts); err != nil || atts == nil {
		bad([]any{"attachments"}, errors.New("not an object of attachment name → MIME bundle"))
		return nil
	}
	out := make(map[string]MIMEBundle, len(atts))
	for name, braw := range atts {
		b, err := decodeBundle(braw)
		if err != nil {
			bad([]any{"attachments", name}, err)
			continue
		}
		out[name] = b
	}
	return out
}

// output reads output j of the cell; on damage it records an error and
// returns nil, and the cell is kept without it.
func (cp *cellParser) output(j int, raw json.RawMessage) *Output {
	at := func(field string) []any {
		if field == "" {
			return []any{"outputs", j}
		}
		return []any{"outputs", j, field}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		cp.fail(at(""), errors.New("an output is a JSON object ({...})"))
		return nil
	}
	o := &Output{}
	ok := true
	bad := func(field string, err error) {
		cp.fail(at(field), err)
		ok = false
	}
	str := func(field string, dst *string) {
		raw, have := fields[field]
		if !have {
			bad(field, fmt.Errorf("field missing in %s output", o.Type))
		} else if err := json.Unmarshal(raw, dst); err != nil {
			bad(field, errors.New("not a string"))
		}
	}
	known := map[string]bool{"output_type": true}
	str("output_type", &o.Type)
	if !ok {
		return nil
	}
	switch o.Type {
	case Stream:
		known["name"], known["text"] = true, true
		str("name", &o.Name)
		if raw, have := fields["text"]; !have {
			bad("text", errors.New("field missing in stream output"))
		} else if s, err := decodeText(raw); err != nil {
			bad("text", err)
		} else {
			o.Text = s
		}
	case DisplayData, ExecuteResult:
		known["data"], known["metadata"] = true, true
		if raw, have := fields["data"]; !have {
			bad("data", fmt.Errorf("field missing in %s output", o.Type))
		} else if b, err := decodeBundle(raw); err != nil {
			bad("data", err)
		} else {
			o.Data = b
		}
		if raw, have := fields["metadata"]; have {
			m, err := decodeObject(raw)
			if err != nil {
				bad("metadata", err)
			}
			o.Metadata = m
		}
		if o.Type == ExecuteResult {
			known["execution_count"] = true
			if raw, have := fields["execution_count"]; have {
				n, err := decodeOptInt(raw)
				if err != nil {
					bad("execution_count", err)
				}
				o.ExecutionCount = n
			}
		}
	case Error:
		known["ename"], known["evalue"], known["traceback"] = true, true, true
		str("ename", &o.EName)
		str("evalue", &o.EValue)
		if raw, have := fields["traceback"]; !have {
			bad("traceback", errors.New("field missing in error output"))
		} else if err := json.Unmarshal(raw, &o.Traceback); err != nil {
			bad("traceback", errors.New("not a list of strings"))
		}
	}
	for k, v := range fields {
		if !known[k] {
			if o.Extra == nil {
				o.Extra = make(map[string]json.RawMessage)
			}
			o.Extra[k] = v
		}
	}
	if !ok {
		return nil
	}
	return o
}

// decodeText decodes a string or a list of strings, which it joins.
func decodeText(raw []byte) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", errors.New("not a string or a list of strings")
	}
	return strings.Join(lines, ""), nil
}

// decodeObject decodes a JSON object with numbers as json.Number.
func decodeObject(raw []byte) (map[string]any, error) {
	v, err := decodeValue(raw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object ({...})")
	}
	return m, nil
}

// decodeBundle decodes a MIME bundle, joining lists of strings of non-JSON
// types as nbformat's rejoin_lines does.
func decodeBundle(raw []byte) (MIMEBundle, error) {
	m, err := decodeObject(raw)
	if err != nil {
		return nil, errors.New("not a MIME bundle (an object of MIME type → data)")
	}
	for k, v := range m {
		lines, ok := v.([]any)
		if !ok || isJSONMIME(k) || !allStrings(lines) {
			continue
		}
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(l.(string))
		}
		m[k] = b.String()
	}
	return MIMEBundle(m), nil
}

func allStrings(v []any) bool {
	for _, x := range v {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

// isJSONMIME reports whether data of this MIME type is a JSON value
// (application/json or application/*+json), as in nbformat.
func isJSONMIME(mime string) bool {
	return mime == "application/json" || strings.HasPrefix(mime, "application/") && strings.HasSuffix(mime, "+json")
}

func decodeInt(raw []byte) (int, error) {
	if i, err := strconv.Atoi(string(raw)); err == nil {
		return i, nil
	}
	return 0, fmt.Errorf("%s is not an integer", raw)
}

func decodeOptInt(raw []byte) (*int, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	n, err := decodeInt(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is not an integer or null", raw)
	}
	return &n, nil
}

// lineCol returns the 1-based line and column (in characters) of byte
// offset off in data.
func lineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(data[lineStart:off])
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipSep skips white space and the separators ':' and ','.
func skipSep(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r', ':', ',':
			i++
		default:
			return i
		}
	}
	return i
}

// locate returns the offset in raw of the value at path (field names and
// array indexes), or of the deepest value on the path that exists.
func locate(raw []byte, path []any) int {
	off := skipSpace(raw, 0)
	for _, step := range path {
		dec := json.NewDecoder(bytes.NewReader(raw[off:]))
		tok, err := dec.Token()
		if err != nil {
			return off
		}
		found := false
		var skip json.RawMessage
		switch s := step.(type) {
		case string:
			if tok != json.Delim('{') {
				return off
			}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return off
				}
				if k == s {
					off += skipSep(raw[off:], int(dec.InputOffset()))
					found = true
					break
				}
				if dec.Decode(&skip) != nil {
					return off
				}
			}
		case int:
			if tok != json.Delim('[') {
				return off
			}
			for j := 0; dec.More(); j++ {
				if j == s {
					off += skipSep(raw[off:], int(dec.InputOffset()))
					found = true
					break
				}
				if dec.Decode(&skip) != nil {
					return off
				}
			}
		}
		if !found {
			return off
		}
	}
	return off
}

// pathString formats a path as outputs[2].text.
func pathString(path []any) string {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		}
	}
	return b.String()
}
