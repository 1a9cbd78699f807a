package notebooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
)

// This file encodes JSON exactly as Python's
//
//	json.dumps(v, sort_keys=True, indent=1, separators=(",", ": "), ensure_ascii=False)
//
// does, which is how Jupyter's nbformat writes notebooks. encoding/json
// cannot be used: it always escapes U+2028 and U+2029, escapes <, > and &
// by default, and formats floats differently.

// pyEncoder appends Python-style JSON to buf.
type pyEncoder struct {
	buf []byte
	// oneLine writes everything on one line, as json.dumps(v,
	// sort_keys=True, ensure_ascii=False) does: separators ", " and ": ".
	oneLine bool
}

// newline starts a new line at depth, or, on one line, separates items.
func (e *pyEncoder) newline(depth int, first bool) {
	if e.oneLine {
		if !first {
			e.buf = append(e.buf, ' ')
		}
		return
	}
	e.buf = append(e.buf, '\n')
	for i := 0; i < depth; i++ {
		e.buf = append(e.buf, ' ')
	}
}

// value encodes v at nesting depth depth. It knows the types that decoding
// with UseNumber produces, the Go types users commonly put in metadata,
// and falls back on encoding/json for anything else.
func (e *pyEncoder) value(v any, depth int) error {
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, v)
	case string:
		e.str(v)
	case json.Number:
		if v == "" {
			e.buf = append(e.buf, '0')
			break
		}
		if !json.Valid([]byte(v)) {
			return fmt.Errorf("invalid number %q", string(v))
		}
		e.buf = append(e.buf, v...)
	case float64:
		e.float(v)
	case float32:
		e.float(float64(v))
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, v, 10)
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, v, 10)
	case json.RawMessage:
		x, err := decodeValue(v)
		if err != nil {
			return err
		}
		return e.value(x, depth)
	case map[string]any:
		return e.object(v, depth)
	case MIMEBundle:
		return e.object(v, depth)
	case []any:
		return e.array(len(v), func(i int) any { return v[i] }, depth)
	case []string:
		return e.array(len(v), func(i int) any { return v[i] }, depth)
	default:
		return e.other(v, depth)
	}
	return nil
}

// other encodes a value of any other type through encoding/json.
func (e *pyEncoder) other(v any, depth int) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String && rv.Len() == 0 {
		e.buf = append(e.buf, "{}"...)
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	x, err := decodeValue(raw)
	if err != nil {
		return err
	}
	return e.value(x, depth)
}

func (e *pyEncoder) object(m map[string]any, depth int) error {
	if len(m) == 0 {
		e.buf = append(e.buf, "{}"...)
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Byte order of UTF-8 is code point order, Python's sort order.
	slices.Sort(keys)
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth+1, i == 0)
		e.str(k)
		e.buf = append(e.buf, ": "...)
		if err := e.value(m[k], depth+1); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	if !e.oneLine {
		e.newline(depth, false)
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *pyEncoder) array(n int, at func(int) any, depth int) error {
	if n == 0 {
		e.buf = append(e.buf, "[]"...)
		return nil
	}
	e.buf = append(e.buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth+1, i == 0)
		if err := e.value(at(i), depth+1); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	if !e.oneLine {
		e.newline(depth, false)
	}
	e.buf = append(e.buf, ']')
	return nil
}

// str encodes s as Python does with ensure_ascii=False: only ", \ and the
// control characters below U+0020 are escaped. Invalid UTF-8 becomes
// U+FFFD.
func (e *pyEncoder) str(s string) {
	const hexdigits = "0123456789abcdef"
	e.buf = append(e.buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				e.buf = append(e.buf, `\"`...)
			case c == '\\':
				e.buf = append(e.buf, `\\`...)
			case c == '\n':
				e.buf = append(e.buf, `\n`...)
			case c == '\r':
				e.buf = append(e.buf, `\r`...)
			case c == '\t':
				e.buf = append(e.buf, `\t`...)
			case c == '\b':
				e.buf = append(e.buf, `\b`...)
			case c == '\f':
				e.buf = append(e.buf, `\f`...)
			case c < 0x20:
				e.buf = append(e.buf, '\\', 'u', '0', '0', hexdigits[c>>4], hexdigits[c&0xf])
			default:
				e.buf = append(e.buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			e.buf = utf8.AppendRune(e.buf, utf8.RuneError)
		} else {
			e.buf = append(e.buf, s[i:i+size]...)
		}
		i += size
	}
	e.buf = append(e.buf, '"')
}

// float encodes f as Python's float.__repr__ does.
func (e *pyEncoder) float(f float64) {
	switch {
	case math.IsNaN(f):
		e.buf = append(e.buf, "NaN"...)
		return
	case math.IsInf(f, 1):
		e.buf = append(e.buf, "Infinity"...)
		return
	case math.IsInf(f, -1):
		e.buf = append(e.buf, "-Infinity"...)
		return
	}
	if f == 0 {
		if math.Signbit(f) {
			e.buf = append(e.buf, "-0.0"...)
		} else {
			e.buf = append(e.buf, "0.0"...)
		}
		return
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	// Log10 can be off by one near powers of ten; the 'e' form is exact.
	sci := strconv.FormatFloat(f, 'e', -1, 64)
	if i := bytes.IndexByte([]byte(sci), 'e'); i >= 0 {
		if x, err := strconv.Atoi(sci[i+1:]); err == nil {
			exp = x
		}
	}
	if exp < -4 || exp >= 16 {
		e.buf = append(e.buf, sci...) // Go's shortest 'e' form is Python's: 1e-07, 1.5e+16
		return
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	e.buf = append(e.buf, s...)
	if !bytes.ContainsAny([]byte(s), ".") {
		e.buf = append(e.buf, ".0"...)
	}
}

// decodeValue decodes one JSON value keeping numbers as json.Number.
func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// pySplitLines splits s after each line boundary, keeping the
// boundaries, as Python's str.splitlines(True) does. "" gives no lines.
func pySplitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		end := -1
		switch r {
		case '\r':
			end = i + 1
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			end = i + size
		}
		if end < 0 {
			i += size
			continue
		}
		lines = append(lines, s[start:end])
		start, i = end, end
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}
