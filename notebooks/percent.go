package notebooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// The percent text form is Jupytext's "percent" format for Go. See doc.go
// for the format and its rules.

const (
	percentMarker = "// %%"
	headerFence   = "// ---"
)

// WritePercent writes nb in the percent text form: a header with the
// notebook metadata, then each cell after a "// %%" marker line, cells
// separated by one blank line. Outputs, execution counts and unknown
// fields (Extra) are left out.
func WritePercent(w io.Writer, nb *Notebook) error {
	var b bytes.Buffer
	meta := nb.Metadata
	if coding := codingOf(meta); coding != "" {
		// The coding line comes first, as Jupytext writes it, and not
		// again in the header.
		b.WriteString(coding + "\n")
		meta = withoutCoding(meta)
	}
	if err := writeHeader(&b, meta); err != nil {
		return fmt.Errorf("write percent: header: %w", err)
	}
	for i, c := range nb.Cells {
		if c == nil {
			return fmt.Errorf("write percent: cell %d is nil", i)
		}
		b.WriteByte('\n')
		b.WriteString(percentMarker)
		commented := false
		switch c.Type {
		case Code:
		case Markdown, Raw:
			b.WriteString(" [" + c.Type + "]")
			commented = true
		default:
			return fmt.Errorf("write percent: cell %d (id %q): unknown cell type %q", i, c.ID, c.Type)
		}
		opts, err := markerOptions(c)
		if err != nil {
			return fmt.Errorf("write percent: cell %d (id %q): %w", i, c.ID, err)
		}
		b.WriteString(opts)
		b.WriteByte('\n')
		if c.Source == "" {
			continue
		}
		for _, line := range strings.Split(c.Source, "\n") {
			if commented {
				if line == "" {
					line = "//"
				} else {
					line = "// " + line
				}
			}
			b.WriteString(escapeMarker(line))
			b.WriteByte('\n')
		}
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write percent: %w", err)
	}
	return nil
}

// markerOptions returns the " key=value" options of a cell's marker line:
// id, the metadata (one pair per key, or all of it as metadata={...} when
// a key is not a simple name or is one of id, metadata, attachments), and
// attachments.
func markerOptions(c *Cell) (string, error) {
	var b strings.Builder
	put := func(key string, v any) error {
		e := pyEncoder{oneLine: true}
		if err := e.value(v, 0); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		b.WriteString(" " + key + "=")
		b.Write(e.buf)
		return nil
	}
	if c.ID != "" {
		put("id", c.ID)
	}
	keys := make([]string, 0, len(c.Metadata))
	whole := false
	for k := range c.Metadata {
		keys = append(keys, k)
		if !isOptionKey(k) || k == "id" || k == "metadata" || k == "attachments" {
			whole = true
		}
	}
	slices.Sort(keys)
	if whole {
		if err := put("metadata", c.Metadata); err != nil {
			return "", err
		}
	} else {
		for _, k := range keys {
			if err := put(k, c.Metadata[k]); err != nil {
				return "", err
			}
		}
	}
	if c.Attachments != nil {
		att := make(map[string]any, len(c.Attachments))
		for k, v := range c.Attachments {
			att[k] = map[string]any(v)
		}
		if err := put("attachments", att); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// isOptionKey reports whether k can be written as key=value on a marker
// line: a letter or '_', then letters, digits and '_'.
func isOptionKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// escapeMarker escapes a cell line that would read as a marker: a line
// starting with "// ", any number of backslashes and "%%" gets one more
// backslash after "// ".
func escapeMarker(line string) string {
	if rest, ok := strings.CutPrefix(line, "// "); ok && strings.HasPrefix(strings.TrimLeft(rest, `\`), "%%") {
		return `// \` + rest
	}
	return line
}

// unescapeMarker undoes escapeMarker.
func unescapeMarker(line string) string {
	if rest, ok := strings.CutPrefix(line, `// \`); ok && strings.HasPrefix(strings.TrimLeft(rest, `\`), "%%") {
		return "// " + rest
	}
	return line
}

func isMarker(line string) bool {
	return line == percentMarker || strings.HasPrefix(line, percentMarker+" ")
}

// codingLine matches a coding comment on a file's first line, as Python
// (PEP 263) and Jupytext know it: "// -*- coding: utf-8 -*-".
var codingLine = regexp.MustCompile(`^[ \t\f]*//.*?coding[:=][ \t]*[-_.a-zA-Z0-9]+`)

// codingOf returns the coding line kept in metadata.jupytext.encoding, ""
// if there is none (or it is no "//" coding comment, which would not read
// back as one).
func codingOf(meta map[string]any) string {
	jt, _ := meta["jupytext"].(map[string]any)
	s, _ := jt["encoding"].(string)
	if !codingLine.MatchString(s) || strings.ContainsAny(s, "\r\n") {
		return ""
	}
	return s
}

// withoutCoding returns a copy of meta without jupytext.encoding (and
// without jupytext if nothing else is in it).
func withoutCoding(meta map[string]any) map[string]any {
	out := maps.Clone(meta)
	jt := maps.Clone(meta["jupytext"].(map[string]any))
	delete(jt, "encoding")
	if len(jt) == 0 {
		delete(out, "jupytext")
	} else {
		out["jupytext"] = jt
	}
	return out
}

// writeHeader writes the notebook metadata as the YAML header under the
// key "jupyter", as Jupytext does.
func writeHeader(b *bytes.Buffer, meta map[string]any) error {
	b.WriteString(headerFence + "\n")
	if len(meta) == 0 {
		b.WriteString("// jupyter: {}\n")
	} else {
		b.WriteString("// jupyter:\n")
		if err := writeYAML(b, meta, 2); err != nil {
			return err
		}
	}
	b.WriteString(headerFence + "\n")
	return nil
}

// writeYAML writes m as a YAML block mapping in comment lines: objects as
// nested blocks, strings plain when that is safe, quoted otherwise, and
// everything else as one-line JSON, which is YAML's flow style.
func writeYAML(b *bytes.Buffer, m map[string]any, indent int) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("//" + strings.Repeat(" ", indent+1))
		b.WriteString(yamlScalar(k))
		b.WriteByte(':')
		if sub, ok := m[k].(map[string]any); ok && len(sub) > 0 {
			b.WriteByte('\n')
			if err := writeYAML(b, sub, indent+2); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			continue
		}
		b.WriteByte(' ')
		if s, ok := m[k].(string); ok {
			b.WriteString(yamlScalar(s))
		} else {
			e := pyEncoder{oneLine: true}
			if err := e.value(m[k], 0); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			b.Write(yamlEscapeBreaks(e.buf))
		}
		b.WriteByte('\n')
	}
	return nil
}

// yamlScalar returns s as a plain YAML scalar if it reads back as the same
// string, or else double-quoted.
func yamlScalar(s string) string {
	plain := s != "" && s[len(s)-1] != ' '
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			i > 0 && ('0' <= c && c <= '9' || strings.IndexByte(" _-().,/+", c) >= 0)
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		plain = false
	}
	if plain {
		return s
	}
	e := pyEncoder{oneLine: true}
	e.str(s)
	return string(yamlEscapeBreaks(e.buf))
}

// yamlEscapeBreaks escapes the characters that YAML takes as line breaks
// but JSON leaves alone.
func yamlEscapeBreaks(b []byte) []byte {
	s := strings.NewReplacer("\u0085", `\u0085`, "\u2028", `\u2028`, "\u2029", `\u2029`).Replace(string(b))
	return []byte(s)
}

// ParsePercent reads a notebook in the percent text form; name is the
// file name used in errors. Cells without an id get a fresh one. As with
// Read, damage gives *ReadErrors (joined if several) with line numbers
// and, when the rest could be read, a partial notebook.
func ParsePercent(r io.Reader, name string) (*Notebook, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	pp := percentParser{name: name}
	nb := pp.parse(string(data))
	if len(pp.errs) == 1 {
		return nb, pp.errs[0]
	} else if len(pp.errs) > 1 {
		return nb, errors.Join(pp.errs...)
	}
	return nb, nil
}

type percentParser struct {
	name string
	errs []error
}

func (pp *percentParser) fail(line, cell int, id string, field string, err error) {
	pp.errs = append(pp.errs, &ReadError{File: pp.name, Line: line, Column: 1, Cell: cell, CellID: id, Field: field, Err: err})
}

// segment is the lines of one cell, from its marker (if any) on.
type segment struct {
	line   int // 1-based line of the marker, or of the first line
	marker string
	lines  []string
}

func (pp *percentParser) parse(text string) *Notebook {
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	nb := &Notebook{NBFormat: FormatMajor, NBFormatMinor: FormatMinor}
	i := 0
	coding := ""
	if len(lines) > 0 && codingLine.MatchString(lines[0]) {
		// "// -*- coding: utf-8 -*-": kept in metadata.jupytext.encoding,
		// as Jupytext does, not a cell.
		coding = lines[0]
		i = 1
		if i+1 < len(lines) && lines[i] == "" && lines[i+1] == headerFence {
			i++
		}
	}
	if i < len(lines) && lines[i] == headerFence {
		start := i
		end := slices.Index(lines[start+1:], headerFence) + start + 1
		if end == start {
			pp.fail(start+1, -1, "", "", errors.New(`header not closed: no "// ---" line after the opening one`))
			return nil
		}
		meta, err := parseHeader(lines[start+1 : end])
		if err != nil {
			var le *lineError
			line := start + 1
			if errors.As(err, &le) {
				line += le.line
			}
			pp.fail(line, -1, "", "header", err)
		}
		nb.Metadata = meta
		i = end + 1
		if i < len(lines) && lines[i] == "" {
			i++
		}
	} else {
		nb.Metadata = New().Metadata
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	if coding != "" {
		jt, _ := nb.Metadata["jupytext"].(map[string]any)
		jt = maps.Clone(jt)
		if jt == nil {
			jt = map[string]any{}
		}
		jt["encoding"] = coding
		nb.Metadata["jupytext"] = jt
	}
	var segs []segment
	cur := segment{line: i + 1}
	for ; i < len(lines); i++ {
		if isMarker(lines[i]) {
			segs = append(segs, cur)
			cur = segment{line: i + 1, marker: lines[i]}
			continue
		}
		cur.lines = append(cur.lines, lines[i])
	}
	segs = append(segs, cur)
	for k, s := range segs {
		if k < len(segs)-1 && len(s.lines) > 0 && s.lines[len(s.lines)-1] == "" {
			s.lines = s.lines[:len(s.lines)-1] // the blank line between cells
		}
		if s.marker == "" && strings.TrimSpace(strings.Join(s.lines, "")) == "" {
			continue
		}
		nb.Cells = append(nb.Cells, pp.cell(s, len(nb.Cells)))
	}
	nb.EnsureIDs()
	return nb
}

// cell makes the cell of segment s, the notebook's cell number index.
func (pp *percentParser) cell(s segment, index int) *Cell {
	c := &Cell{Type: Code, Metadata: map[string]any{}}
	if s.marker != "" {
		pp.marker(c, s, index)
	}
	commented := c.Type != Code
	src := make([]string, len(s.lines))
	for j, line := range s.lines {
		line = unescapeMarker(line)
		if commented {
			if line == "//" {
				line = ""
			} else if rest, ok := strings.CutPrefix(line, "// "); ok {
				line = rest
			}
		}
		src[j] = line
	}
	c.Source = strings.Join(src, "\n")
	return c
}

// marker reads the cell type and options of a marker line into c.
func (pp *percentParser) marker(c *Cell, s segment, index int) {
	rest := strings.TrimPrefix(s.marker, percentMarker)
	var title []string
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end > 0 {
				switch typ := rest[1:end]; typ {
				case "markdown", "md":
					c.Type = Markdown
				case "raw":
					c.Type = Raw
				default:
					pp.fail(s.line, index, c.ID, "cell_type", fmt.Errorf("unknown cell type [%s]; want [markdown] or [raw], or nothing for code", typ))
				}
				rest = rest[end+1:]
				continue
			}
		}
		if key, val, n, ok := option(rest); ok {
			rest = rest[n:]
			if err := setOption(c, key, val); err != nil {
				pp.fail(s.line, index, c.ID, key, err)
			}
			continue
		}
		word, after, _ := strings.Cut(rest, " ")
		title = append(title, word)
		rest = after
	}
	if len(title) > 0 {
		c.Metadata["title"] = strings.Join(title, " ")
	}
}

// option reads key=JSON at the start of s and returns the key, the value
// and the length read.
func option(s string) (key string, val any, n int, ok bool) {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 || !isOptionKey(s[:eq]) {
		return "", nil, 0, false
	}
	dec := json.NewDecoder(strings.NewReader(s[eq+1:]))
	dec.UseNumber()
	if err := dec.Decode(&val); err != nil {
		return "", nil, 0, false
	}
	n = eq + 1 + int(dec.InputOffset())
	if n < len(s) && s[n] != ' ' && s[n] != '\t' {
		return "", nil, 0, false
	}
	return s[:eq], val, n, true
}

func setOption(c *Cell, key string, val any) error {
	switch key {
	case "id":
		id, ok := val.(string)
		if !ok {
			return errors.New("cell id is not a string")
		}
		c.ID = id
	case "metadata":
		m, ok := val.(map[string]any)
		if !ok {
			return errors.New("not a JSON object")
		}
		for k, v := range m {
			c.Metadata[k] = v
		}
	case "attachments":
		m, ok := val.(map[string]any)
		if !ok {
			return errors.New("not a JSON object of attachment name → MIME bundle")
		}
		c.Attachments = make(map[string]MIMEBundle, len(m))
		for k, v := range m {
			b, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("attachment %q is not a MIME bundle", k)
			}
			c.Attachments[k] = MIMEBundle(b)
		}
	default:
		c.Metadata[key] = val
	}
	return nil
}

// lineError is a header error at a line (1-based) of the header body.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

// yamlLine is one line of the header body without its comment prefix.
type yamlLine struct {
	n      int // 1-based line in the header body
	indent int
	text   string
}

// parseHeader reads the header body (the lines between the "// ---"
// fences) and returns the metadata under "jupyter". It understands the
// YAML that writeYAML writes and that Jupytext writes for usual metadata:
// block mappings, block sequences of scalars, plain, single- and
// double-quoted scalars, and JSON values.
func parseHeader(body []string) (map[string]any, error) {
	var ls []yamlLine
	for j, raw := range body {
		text, ok := strings.CutPrefix(raw, "//")
		if !ok {
			return nil, &lineError{j + 1, fmt.Errorf("header line %q is not a // comment", raw)}
		}
		text = strings.TrimPrefix(text, " ")
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ls = append(ls, yamlLine{n: j + 1, indent: len(text) - len(trimmed), text: strings.TrimRight(trimmed, " ")})
	}
	top, rest, err := parseYAMLMap(ls, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, &lineError{rest[0].n, fmt.Errorf("unexpected indentation at %q", rest[0].text)}
	}
	switch j := top["jupyter"].(type) {
	case map[string]any:
		return j, nil
	case nil:
		return map[string]any{}, nil
	default:
		return nil, &lineError{1, errors.New(`"jupyter" in the header is not a mapping`)}
	}
}

// parseYAMLMap reads a block mapping whose keys are at indent.
func parseYAMLMap(ls []yamlLine, indent int) (map[string]any, []yamlLine, error) {
	m := map[string]any{}
	for len(ls) > 0 && ls[0].indent == indent {
		l := ls[0]
		key, val, err := splitYAMLKey(l.text)
		if err != nil {
			return nil, nil, &lineError{l.n, err}
		}
		ls = ls[1:]
		switch {
		case val != "":
			v, err := yamlValue(val)
			if err != nil {
				return nil, nil, &lineError{l.n, err}
			}
			m[key] = v
		case len(ls) > 0 && ls[0].indent >= indent && strings.HasPrefix(ls[0].text, "- ") || len(ls) > 0 && ls[0].text == "-":
			seqIndent := ls[0].indent
			var seq []any
			for len(ls) > 0 && ls[0].indent == seqIndent && (strings.HasPrefix(ls[0].text, "- ") || ls[0].text == "-") {
				v, err := yamlValue(strings.TrimSpace(strings.TrimPrefix(ls[0].text, "-")))
				if err != nil {
					return nil, nil, &lineError{ls[0].n, err}
				}
				seq = append(seq, v)
				ls = ls[1:]
			}
			m[key] = seq
		case len(ls) > 0 && ls[0].indent > indent:
			sub, rest, err := parseYAMLMap(ls, ls[0].indent)
			if err != nil {
				return nil, nil, err
			}
			m[key], ls = sub, rest
		default:
			m[key] = nil
		}
	}
	if len(ls) > 0 && ls[0].indent > indent {
		return nil, nil, &lineError{ls[0].n, fmt.Errorf("unexpected indentation at %q", ls[0].text)}
	}
	return m, ls, nil
}

// splitYAMLKey splits "key: value" or "key:".
func splitYAMLKey(text string) (key, val string, err error) {
	if strings.HasPrefix(text, `"`) {
		dec := json.NewDecoder(strings.NewReader(text))
		if err := dec.Decode(&key); err != nil {
			return "", "", fmt.Errorf("bad quoted key in %q", text)
		}
		rest := text[dec.InputOffset():]
		if rest == ":" || strings.HasPrefix(rest, ": ") {
			return key, strings.TrimSpace(rest[1:]), nil
		}
		return "", "", fmt.Errorf(`want "key: value" in %q`, text)
	}
	if k, v, ok := strings.Cut(text, ": "); ok {
		return k, strings.TrimSpace(v), nil
	}
	if k, ok := strings.CutSuffix(text, ":"); ok {
		return k, "", nil
	}
	return "", "", fmt.Errorf(`want "key: value" in %q`, text)
}

// yamlValue reads a scalar or a JSON (flow) value.
func yamlValue(s string) (any, error) {
	switch {
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("bad double-quoted string %s", s)
		}
		return v, nil
	case strings.HasPrefix(s, "'"):
		if len(s) < 2 || !strings.HasSuffix(s, "'") {
			return nil, fmt.Errorf("bad single-quoted string %s", s)
		}
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	case s == "~":
		return nil, nil
	case json.Valid([]byte(s)):
		return decodeValue([]byte(s))
	}
	return s, nil
}
