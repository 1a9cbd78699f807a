package display

import (
	"fmt"
	"html"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of a table.
const (
	maxRows      = 1000 // rows shown; the rest are counted in a "… N more rows" line
	maxCell      = 500  // bytes (about) of a cell's text
	maxTextCell  = 60   // runes of a cell in the plain-text table
	noRows       = "(no rows)"
	moreRowsNote = "… %d more rows"
)

// table is a table ready to be written in its three forms.
type table struct {
	header []string
	rows   [][]cell
	more   int    // rows left out
	right  []bool // columns of numbers, aligned right
}

// cell is the text of one table cell.
type cell struct {
	text string
	num  bool // a number, aligned right
}

// Table returns a bundle that shows v as a table, as HTML, Markdown and
// aligned plain text. v may be
//
//   - a slice or array of structs or of pointers to structs: a row per
//     element, a column per exported field (a field tagged `display:"Name"`
//     is headed Name, one tagged `display:"-"` is left out; the fields of
//     embedded structs are columns too);
//   - a slice or array of maps: a column per key, in sorted order;
//   - a slice or array of anything else: one column;
//   - a map: key and value columns, sorted by key;
//   - a struct: field and value columns.
//
// Numbers are aligned right, floats written in %g. Only the first 1000 rows
// are shown, followed by a line "… N more rows". Any other value gives a
// text bundle that says what Table accepts.
func Table(v any) (b Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = errorBundle("display.Table: cannot make a table of a %s: it panicked: %v", typeName(v), r)
		}
	}()
	t, err := tableOf(reflect.ValueOf(v))
	if err != nil {
		return errorBundle("display.Table: %v", err)
	}
	return t.bundle()
}

// Rows returns a bundle that shows a table with the given header and rows
// (see Table for its forms). Rows may differ in length: short rows are
// padded with empty cells, and columns beyond the header have an empty
// heading. A nil cell is empty.
func Rows(header []string, rows [][]any) (b Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = errorBundle("display.Rows: it panicked: %v", r)
		}
	}()
	ncol := len(header)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	t := table{header: make([]string, ncol)}
	copy(t.header, header)
	n := min(len(rows), maxRows)
	t.more = len(rows) - n
	t.rows = make([][]cell, n)
	for i, r := range rows[:n] {
		row := make([]cell, ncol)
		for j, x := range r {
			row[j] = cellOf(reflect.ValueOf(x))
		}
		t.rows[i] = row
	}
	return t.bundle()
}

// tableOf makes the table of v.
func tableOf(v reflect.Value) (table, error) {
	want := "want a slice of structs or maps, a map or a struct"
	if !v.IsValid() {
		return table{}, fmt.Errorf("cannot make a table of nil; %s", want)
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return table{}, fmt.Errorf("cannot make a table of a nil %s; %s", v.Type(), want)
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Map:
		keys := sortedKeys(v)
		t := table{header: []string{"key", "value"}}
		n := min(len(keys), maxRows)
		t.more = len(keys) - n
		for _, k := range keys[:n] {
			t.rows = append(t.rows, []cell{cellOf(k), cellOf(v.MapIndex(k))})
		}
		return t, nil
	case reflect.Struct:
		cols := columns(v.Type())
		t := table{header: []string{"field", "value"}}
		for _, c := range cols {
			t.rows = append(t.rows, []cell{{text: c.name}, fieldCell(v, c.index)})
		}
		return t, nil
	case reflect.Slice, reflect.Array:
	default:
		return table{}, fmt.Errorf("cannot make a table of a %s; %s", v.Type(), want)
	}
	n := min(v.Len(), maxRows)
	t := table{more: v.Len() - n, rows: make([][]cell, n)}
	elem := v.Type().Elem()
	if elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	switch elem.Kind() {
	case reflect.Struct:
		cols := columns(elem)
		if len(cols) == 0 {
			return table{}, fmt.Errorf("cannot make a table of a %s: %s has no exported fields", v.Type(), elem)
		}
		for _, c := range cols {
			t.header = append(t.header, c.name)
		}
		for i := range n {
			e := v.Index(i)
			row := make([]cell, len(cols))
			if e.Kind() == reflect.Pointer && e.IsNil() {
				row[0] = cell{text: "nil"}
			} else {
				e = reflect.Indirect(e)
				for j, c := range cols {
					row[j] = fieldCell(e, c.index)
				}
			}
			t.rows[i] = row
		}
	case reflect.Map:
		// A column per key found in any row, in sorted order.
		union := reflect.MakeMap(reflect.MapOf(elem.Key(), reflect.TypeFor[bool]()))
		for i := range n {
			if e := reflect.Indirect(v.Index(i)); e.IsValid() {
				for _, k := range e.MapKeys() {
					union.SetMapIndex(k, reflect.ValueOf(true))
				}
			}
		}
		keys := sortedKeys(union)
		for _, k := range keys {
			t.header = append(t.header, cellOf(k).text)
		}
		for i := range n {
			e := reflect.Indirect(v.Index(i))
			row := make([]cell, len(keys))
			if e.IsValid() {
				for j, k := range keys {
					if x := e.MapIndex(k); x.IsValid() {
						row[j] = cellOf(x)
					}
				}
			}
			t.rows[i] = row
		}
	default:
		t.header = []string{"value"}
		for i := range n {
			t.rows[i] = []cell{cellOf(v.Index(i))}
		}
	}
	return t, nil
}

// column is a struct field shown as a table column.
type column struct {
	name  string
	index []int // for FieldByIndexErr
}

// columns lists the exported fields of struct type t, promoted fields of
// embedded structs included, renamed or left out by their display tag.
func columns(t reflect.Type) []column {
	var cols []column
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && ft.Kind() == reflect.Struct {
			continue // its fields are columns
		}
		name := f.Name
		switch tag := f.Tag.Get("display"); tag {
		case "-":
			continue
		case "":
		default:
			name = tag
		}
		cols = append(cols, column{name: name, index: f.Index})
	}
	return cols
}

// fieldCell is the cell of the field at index of struct v; a field
// promoted through a nil embedded pointer is empty.
func fieldCell(v reflect.Value, index []int) cell {
	f, err := v.FieldByIndexErr(index)
	if err != nil {
		return cell{}
	}
	return cellOf(f)
}

// cellOf is the cell of a value: numbers (not those with a String method)
// aligned right, strings unquoted, errors and Stringers by their method,
// anything else in its one-line text form.
func cellOf(v reflect.Value) cell {
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			return cell{}
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return cell{}
	}
	if t := v.Type(); (t.Implements(errorType) || t.Implements(stringerType)) && v.CanInterface() && !isNil(v) {
		switch x := v.Interface().(type) {
		case error:
			s, err := call(x.Error)
			if err != nil {
				s = "<" + err.Error() + ">"
			}
			return cell{text: truncate(s, maxCell)}
		case fmt.Stringer:
			s, err := call(x.String)
			if err != nil {
				s = "<" + err.Error() + ">"
			}
			return cell{text: truncate(s, maxCell)}
		}
	}
	switch k := v.Kind(); {
	case isInt(k):
		return cell{text: strconv.FormatInt(v.Int(), 10), num: true}
	case isUint(k):
		return cell{text: strconv.FormatUint(v.Uint(), 10), num: true}
	case k == reflect.Float32:
		return cell{text: strconv.FormatFloat(v.Float(), 'g', -1, 32), num: true}
	case k == reflect.Float64:
		return cell{text: strconv.FormatFloat(v.Float(), 'g', -1, 64), num: true}
	case k == reflect.String:
		return cell{text: truncate(v.String(), maxCell)}
	}
	return cell{text: oneLine(v, 1, maxCell)}
}

// bundle writes the table as HTML, Markdown and plain text.
func (t *table) bundle() Bundle {
	if len(t.header) == 0 {
		return Text(fmt.Sprintf("(empty table: %d rows without columns)", len(t.rows)+t.more))
	}
	// A column is right-aligned when it holds numbers and nothing else.
	t.right = make([]bool, len(t.header))
	for j := range t.header {
		num, other := false, false
		for _, r := range t.rows {
			switch {
			case r[j].text == "":
			case r[j].num:
				num = true
			default:
				other = true
			}
		}
		t.right[j] = num && !other
	}
	return Bundle{Data: map[string]any{
		mimeHTML:     t.html(),
		mimeMarkdown: t.markdown(),
		mimeText:     t.text(),
	}}
}

func (t *table) html() string {
	var b strings.Builder
	b.Grow(64 * (len(t.rows) + 1) * (len(t.header) + 1))
	b.WriteString("<table>\n")
	if t.hasHeader() {
		b.WriteString("<thead><tr>")
		for j, h := range t.header {
			b.WriteString(t.td("th", j))
			b.WriteString(html.EscapeString(h))
			b.WriteString("</th>")
		}
		b.WriteString("</tr></thead>\n")
	}
	b.WriteString("<tbody>\n")
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for j, c := range r {
			b.WriteString(t.td("td", j))
			b.WriteString(html.EscapeString(c.text))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	if note := t.note(); note != "" {
		fmt.Fprintf(&b, "<tr><td colspan=\"%d\"><em>%s</em></td></tr>\n", len(t.header), html.EscapeString(note))
	}
	b.WriteString("</tbody>\n</table>")
	return b.String()
}

// hasHeader reports whether any column has a heading; a table without
// one has no header row in HTML and plain text (Markdown needs one).
func (t *table) hasHeader() bool {
	for _, h := range t.header {
		if h != "" {
			return true
		}
	}
	return false
}

// td opens a cell of column j.
func (t *table) td(tag string, j int) string {
	if t.right[j] {
		return "<" + tag + ` style="text-align: right">`
	}
	return "<" + tag + ">"
}

// note is the line below the rows: how many were left out, or that there
// are none.
func (t *table) note() string {
	switch {
	case t.more > 0:
		return fmt.Sprintf(moreRowsNote, t.more)
	case len(t.rows) == 0:
		return noRows
	}
	return ""
}

func (t *table) markdown() string {
	var b strings.Builder
	b.Grow(32 * (len(t.rows) + 2) * (len(t.header) + 1))
	b.WriteByte('|')
	for _, h := range t.header {
		b.WriteString(" " + mdEscape(h) + " |")
	}
	b.WriteString("\n|")
	for j := range t.header {
		if t.right[j] {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteByte('\n')
	for _, r := range t.rows {
		b.WriteByte('|')
		for _, c := range r {
			b.WriteByte(' ')
			b.WriteString(mdEscape(c.text))
			b.WriteString(" |")
		}
		b.WriteByte('\n')
	}
	if note := t.note(); note != "" {
		b.WriteString("\n" + note + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// mdEscape makes s safe in a Markdown table cell: pipes, backslashes and
// the characters that start inline markup or HTML are escaped, line breaks
// become spaces.
func mdEscape(s string) string {
	if !strings.ContainsAny(s, "|\\`*_[]<>&\n\r") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '|', '\\', '`', '*', '_', '[', ']':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (t *table) text() string {
	// Cells are cut to maxTextCell runes, control characters become spaces.
	texts := make([][]string, len(t.rows)+1)
	width := make([]int, len(t.header))
	row := func(cells []string) []string {
		for j, c := range cells {
			c = textCell(c)
			cells[j] = c
			width[j] = max(width[j], utf8.RuneCountInString(c))
		}
		return cells
	}
	texts[0] = row(append([]string(nil), t.header...))
	for i, r := range t.rows {
		cells := make([]string, len(r))
		for j, c := range r {
			cells[j] = c.text
		}
		texts[i+1] = row(cells)
	}
	var (
		b  strings.Builder
		lb []byte
	)
	line := func(cells []string) {
		lb = lb[:0]
		for j, c := range cells {
			if j > 0 {
				lb = append(lb, "  "...)
			}
			pad := width[j] - utf8.RuneCountInString(c)
			if !t.right[j] {
				lb = append(lb, c...)
			}
			for range pad {
				lb = append(lb, ' ')
			}
			if t.right[j] {
				lb = append(lb, c...)
			}
		}
		for len(lb) > 0 && lb[len(lb)-1] == ' ' {
			lb = lb[:len(lb)-1]
		}
		b.Write(lb)
		b.WriteByte('\n')
	}
	b.Grow(len(texts) * (len(width)*2 + sum(width) + 1))
	if t.hasHeader() {
		line(texts[0])
		rule := make([]string, len(width))
		for j, w := range width {
			rule[j] = strings.Repeat("-", max(w, 1))
		}
		line(rule)
	}
	for _, r := range texts[1:] {
		line(r)
	}
	if note := t.note(); note != "" {
		b.WriteString(note + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// textCell is a cell of the plain-text table: one line of at most
// maxTextCell runes.
func textCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return truncate(s, maxTextCell)
}
