package display

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// mimer is a value that renders itself, such as a plot's figure
// (github.com/firnglacier/firn/plots.Figure): MIME type → raw bytes.
type mimer interface {
	MIME() (map[string][]byte, error)
}

// quickMIMEr is a value with a faster rendering for a page while a
// reader moves a widget (a figure without its PNG).
type quickMIMEr interface {
	QuickMIME() (map[string][]byte, error)
}

// RenderQuick is Render for a page while a reader moves a widget: a
// value with a QuickMIME method (a plot's figure: SVG without the PNG)
// renders with it; anything else as Render does.
func RenderQuick(v any) (b Bundle) {
	q, ok := v.(quickMIMEr)
	if !ok {
		return Render(v)
	}
	defer func() {
		if r := recover(); r != nil {
			b = errorBundle("display: cannot show a %s: it panicked: %v", typeName(v), r)
		}
	}()
	if rv := reflect.ValueOf(v); isNil(rv) {
		return Text("nil")
	}
	m, err := q.QuickMIME()
	if err != nil {
		return errorBundle("display: cannot show a %s: %v", typeName(v), err)
	}
	return fromMIME(v, m)
}

// Render returns the best bundle for any value:
//
//   - a Bundle or *Bundle as it is (one without data as an empty text);
//   - a value with a MIME() (map[string][]byte, error) method, such as a
//     plot's figure, converted: image/svg+xml and text/html sanitized,
//     image/png and other binary images base64-encoded, JSON types decoded,
//     other text types kept; other types (application/javascript and
//     text/javascript among them) are dropped;
//   - an error as its message, a fmt.Stringer as its String();
//   - an image.Image as a PNG;
//   - a slice or array of structs, or of pointers to structs, as a Table
//     (unless the struct has a String or Error method, or no exported
//     field);
//   - a string as itself;
//   - anything else as text, as a REPL shows it: structs with field names,
//     maps with sorted keys, slices and maps of more than 10 elements
//     elided ("… 990 more"), floats in %g, nil pointers as "nil".
//
// Render never panics: a panic in a method of v becomes a text bundle that
// explains it.
func Render(v any) (b Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = errorBundle("display: cannot show a %s: it panicked: %v", typeName(v), r)
		}
	}()
	switch v := v.(type) {
	case nil:
		return Text("nil")
	case Bundle:
		return orEmpty(v)
	case *Bundle:
		if v == nil {
			return Text("nil")
		}
		return orEmpty(*v)
	case string:
		return Text(v)
	}
	rv := reflect.ValueOf(v)
	if isNil(rv) {
		return Text("nil")
	}
	switch v := v.(type) {
	case mimer:
		m, err := v.MIME()
		if err != nil {
			return errorBundle("display: cannot show a %s: %v", typeName(v), err)
		}
		return fromMIME(v, m)
	case error:
		return Text(v.Error())
	case fmt.Stringer:
		return Text(v.String())
	case image.Image:
		var buf bytes.Buffer
		if err := png.Encode(&buf, v); err != nil {
			return errorBundle("display: cannot encode a %s as PNG: %v", typeName(v), err)
		}
		return PNG(buf.Bytes())
	}
	if isTableRows(rv.Type()) {
		return Table(v)
	}
	return Text(textForm(rv))
}

// orEmpty is b, or an empty text when b has no data (Jupyter wants a
// data object).
func orEmpty(b Bundle) Bundle {
	if len(b.Data) == 0 {
		return Bundle{Data: map[string]any{mimeText: ""}, Metadata: b.Metadata}
	}
	return b
}

// typeName names the dynamic type of v for messages.
func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// isNil reports whether v is a nil pointer, interface, map, slice, func
// or channel.
func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}

var (
	stringerType = reflect.TypeFor[fmt.Stringer]()
	errorType    = reflect.TypeFor[error]()
)

// isTableRows reports whether t is a slice or array of structs or of
// pointers to structs that Render shows as a table: structs with exported
// fields and without a String or Error method, which says how they read.
func isTableRows(t reflect.Type) bool {
	if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
		return false
	}
	e := t.Elem()
	if e.Kind() == reflect.Pointer {
		e = e.Elem()
	}
	if e.Kind() != reflect.Struct {
		return false
	}
	for _, m := range []reflect.Type{e, reflect.PointerTo(e)} {
		if m.Implements(stringerType) || m.Implements(errorType) {
			return false
		}
	}
	return len(columns(e)) > 0
}

// fromMIME converts what a MIME method returned into a bundle.
func fromMIME(v any, m map[string][]byte) Bundle {
	b := Bundle{Data: make(map[string]any, len(m))}
	var dropped []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		raw := m[k]
		switch {
		case k == mimeSVG:
			clean, _, _, err := sanitizeSVG(string(raw))
			if err != nil {
				dropped = append(dropped, fmt.Sprintf("%s (%v)", k, err))
				continue
			}
			b.Data[k] = clean
		case k == mimeHTML:
			b.Data[k] = sanitizeHTML(string(raw))
		case k == mimePNG:
			w, h, err := pngSize(raw)
			if err != nil {
				dropped = append(dropped, fmt.Sprintf("%s (%v)", k, err))
				continue
			}
			b.Data[k] = base64.StdEncoding.EncodeToString(raw)
			b.Metadata = map[string]any{mimePNG: map[string]any{"width": w, "height": h}}
		case isBase64Type(k):
			b.Data[k] = base64.StdEncoding.EncodeToString(raw)
		case isJSONType(k):
			val, err := decodeJSON(raw)
			if err != nil {
				dropped = append(dropped, fmt.Sprintf("%s (%v)", k, err))
				continue
			}
			b.Data[k] = val
		case strings.HasPrefix(k, "text/") && !strings.Contains(k, "script"):
			b.Data[k] = string(raw)
		default:
			dropped = append(dropped, k)
		}
	}
	if _, ok := b.Data[mimeText]; !ok {
		text := typeName(v)
		if s, ok := v.(fmt.Stringer); ok {
			text = s.String()
		}
		b.Data[mimeText] = text
	}
	if len(dropped) > 0 {
		b.Data[mimeText] = b.Data[mimeText].(string) + "\n(not shown: " + strings.Join(dropped, "; ") + ")"
	}
	return b
}

// Limits of the text form of a value.
const (
	maxItems  = 10    // elements of a slice, array or map shown before "… N more"
	maxDepth  = 6     // levels of nesting shown; deeper values are "…"
	maxString = 200   // runes of a string inside another value
	maxText   = 10000 // bytes of a whole text form (about)
	wideLine  = 80    // a struct whose one-line form is longer gets a line per field
)

// textForm is the REPL-like text of a value. A struct whose one-line form
// is longer than wideLine shows a field per line.
func textForm(v reflect.Value) string {
	line := oneLine(v, 0, maxText)
	s := v
	prefix := ""
	if s.Kind() == reflect.Pointer {
		s, prefix = s.Elem(), "&"
	}
	if s.Kind() != reflect.Struct || s.NumField() < 2 || utf8.RuneCountInString(line) <= wideLine {
		return line
	}
	var b strings.Builder
	b.WriteString(prefix + "{\n")
	for i := range s.NumField() {
		if b.Len() > maxText {
			b.WriteString("  …\n")
			break
		}
		b.WriteString("  " + s.Type().Field(i).Name + ": " + oneLine(s.Field(i), 1, maxText) + "\n")
	}
	b.WriteString("}")
	return b.String()
}

// oneLine is the one-line text form of v at a depth of nesting, cut after
// about limit bytes.
func oneLine(v reflect.Value, depth, limit int) string {
	p := printer{limit: limit}
	p.value(v, depth)
	if p.full() {
		return p.b.String() + " …"
	}
	return p.b.String()
}

// printer writes the one-line text form of values, like fmt's %+v but
// with strings quoted, pointers followed, map keys sorted, long slices,
// maps and strings elided, and a bound on depth and length. Once limit
// bytes are written it writes nothing more.
type printer struct {
	b     strings.Builder
	limit int
	seen  map[uintptr]bool // pointers being printed, to cut cycles
}

func (p *printer) full() bool { return p.b.Len() >= p.limit }

func (p *printer) write(s string) {
	if !p.full() {
		p.b.WriteString(s)
	}
}

func (p *printer) value(v reflect.Value, depth int) {
	if p.full() {
		return
	}
	if !v.IsValid() || isNil(v) {
		switch {
		case !v.IsValid():
			p.write("nil")
		case v.Kind() == reflect.Slice:
			p.write("[]")
		case v.Kind() == reflect.Map:
			p.write("map[]")
		default:
			p.write("nil")
		}
		return
	}
	if t := v.Type(); depth > 0 && (t.Implements(errorType) || t.Implements(stringerType)) && v.CanInterface() {
		switch x := v.Interface().(type) {
		case error:
			p.str(x.Error)
			return
		case fmt.Stringer:
			p.str(x.String)
			return
		}
	}
	switch v.Kind() {
	case reflect.Bool:
		p.write(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.write(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.write(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32:
		p.write(strconv.FormatFloat(v.Float(), 'g', -1, 32))
	case reflect.Float64:
		p.write(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Complex64:
		p.write(strconv.FormatComplex(v.Complex(), 'g', -1, 64))
	case reflect.Complex128:
		p.write(strconv.FormatComplex(v.Complex(), 'g', -1, 128))
	case reflect.String:
		p.write(strconv.Quote(truncate(v.String(), maxString)))
	case reflect.Interface:
		p.value(v.Elem(), depth)
	case reflect.Pointer:
		ptr := v.Pointer()
		if p.seen[ptr] {
			p.write("<cycle>")
			return
		}
		if p.seen == nil {
			p.seen = map[uintptr]bool{}
		}
		p.seen[ptr] = true
		p.write("&")
		p.value(v.Elem(), depth) // a pointer adds no level
		delete(p.seen, ptr)
	case reflect.Struct:
		if depth >= maxDepth {
			p.write("{…}")
			return
		}
		p.write("{")
		t := v.Type()
		for i := range v.NumField() {
			if i > 0 {
				p.write(" ")
			}
			p.write(t.Field(i).Name + ":")
			p.value(v.Field(i), depth+1)
		}
		p.write("}")
	case reflect.Slice, reflect.Array:
		if depth >= maxDepth {
			p.write("[…]")
			return
		}
		p.write("[")
		n := v.Len()
		for i := range min(n, maxItems) {
			if i > 0 {
				p.write(" ")
			}
			p.value(v.Index(i), depth+1)
		}
		p.more(n)
		p.write("]")
	case reflect.Map:
		if depth >= maxDepth {
			p.write("map[…]")
			return
		}
		p.write("map[")
		keys := sortedKeys(v)
		for i, k := range keys[:min(len(keys), maxItems)] {
			if i > 0 {
				p.write(" ")
			}
			p.value(k, depth+1)
			p.write(":")
			p.value(v.MapIndex(k), depth+1)
		}
		p.more(len(keys))
		p.write("]")
	default: // func, chan, unsafe.Pointer
		p.write(v.Type().String())
	}
}

// more writes " … N more" after the first maxItems of n elements.
func (p *printer) more(n int) {
	if n > maxItems && !p.full() {
		p.b.WriteString(" … ")
		p.b.WriteString(strconv.Itoa(n - maxItems))
		p.b.WriteString(" more")
	}
}

// str writes the result of a String or Error method; a panic in it is
// written in its place.
func (p *printer) str(f func() string) {
	s, err := call(f)
	if err != nil {
		p.write("<" + err.Error() + ">")
		return
	}
	p.write(truncate(s, maxString))
}

// call calls f, turning a panic into an error.
func call(f func() string) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f(), nil
}

// truncate shortens s to n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// sortedKeys returns the keys of map m, numbers in numeric order, strings
// in byte order, and other keys, or keys of mixed kinds, in the order of
// their text.
func sortedKeys(m reflect.Value) []reflect.Value {
	type key struct {
		v    reflect.Value // the key, out of any interface
		text string        // its text form, for keys other than numbers and strings
		i    int           // its index in keys
	}
	keys := m.MapKeys()
	ks := make([]key, len(keys))
	for i, k := range keys {
		e := k
		for e.Kind() == reflect.Interface && !e.IsNil() {
			e = e.Elem()
		}
		ks[i] = key{v: e, i: i}
		if e.Kind() != reflect.String && !isInt(e.Kind()) && !isUint(e.Kind()) && !isFloat(e.Kind()) {
			ks[i].text = oneLine(e, maxDepth-1, maxString)
		}
	}
	slices.SortStableFunc(ks, func(a, b key) int {
		ak, bk := a.v.Kind(), b.v.Kind()
		switch {
		case isInt(ak) && isInt(bk):
			return cmp.Compare(a.v.Int(), b.v.Int())
		case isUint(ak) && isUint(bk):
			return cmp.Compare(a.v.Uint(), b.v.Uint())
		case isFloat(ak) && isFloat(bk):
			return cmp.Compare(a.v.Float(), b.v.Float())
		case ak == reflect.String && bk == reflect.String:
			return strings.Compare(a.v.String(), b.v.String())
		}
		return strings.Compare(keyText(a.v, a.text), keyText(b.v, b.text))
	})
	out := make([]reflect.Value, len(ks))
	for i, k := range ks {
		out[i] = keys[k.i]
	}
	return out
}

// keyText is the text of a map key for sorting keys of mixed kinds.
func keyText(v reflect.Value, text string) string {
	if text != "" || !v.IsValid() {
		return text
	}
	return oneLine(v, maxDepth-1, maxString)
}

func isInt(k reflect.Kind) bool  { return k >= reflect.Int && k <= reflect.Int64 }
func isUint(k reflect.Kind) bool { return k >= reflect.Uint && k <= reflect.Uintptr }
func isFloat(k reflect.Kind) bool {
	return k == reflect.Float32 || k == reflect.Float64
}
