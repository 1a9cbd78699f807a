package experiment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// kind is the type of a value in an experiment file, whatever its format.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindList
	kindMap
)

// node is one value of a parsed file with the line it starts on. Both
// formats are read into this tree, so that one decoder checks both.
type node struct {
	kind kind
	line int     // 1-based
	text string  // a string's value; a number or boolean as written
	num  float64 // a number's value
	// A list's items, or a mapping's values in file order.
	items []*node
	// A mapping's keys (kind string), parallel to items.
	keys []*node
}

// describe says what a value is, for "want …, got …" messages.
func (n *node) describe() string {
	switch n.kind {
	case kindNull:
		return "null (an empty value)"
	case kindBool:
		return "a boolean (" + n.text + ")"
	case kindNumber:
		return "a number (" + n.text + ")"
	case kindString:
		s := n.text
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return fmt.Sprintf("a string (%q)", s)
	case kindList:
		return fmt.Sprintf("a list of %d values", len(n.items))
	default:
		return "a mapping"
	}
}

// lineIndex converts byte offsets into 1-based line numbers.
type lineIndex []int // offsets of the line starts

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (idx lineIndex) line(offset int64) int {
	return sort.Search(len(idx), func(i int) bool { return int64(idx[i]) > offset })
}

// parseJSON reads a JSON document with encoding/json's tokenizer, which is
// strict JSON (no comments, no trailing commas) and tells where each token
// ends, so every value gets its line.
func parseJSON(data []byte) (*node, *Error) {
	p := jsonParser{data: data, lines: newLineIndex(data)}
	p.dec = json.NewDecoder(bytes.NewReader(data))
	p.dec.UseNumber()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	start := p.next()
	if _, terr := p.dec.Token(); terr != io.EOF {
		return nil, &Error{Line: p.lines.line(start), Msg: "invalid JSON: unexpected data after the top-level value"}
	}
	return n, nil
}

type jsonParser struct {
	dec   *json.Decoder
	data  []byte
	lines lineIndex
	depth int
}

// maxDepth bounds the nesting of a file; the format needs 5 levels.
const maxDepth = 100

// next returns the offset where the next token starts: the decoder's
// offset is the end of the last token, before any separator.
func (p *jsonParser) next() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *jsonParser) syntaxError(err error, start int64) *Error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset is just after the offending character, or at it (when
		// the tokenizer rejects the start of a token): take the first
		// character that is not white space from just before it.
		off := max(se.Offset-1, 0)
		for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n", p.data[off]) >= 0 {
			off++
		}
		return &Error{Line: p.lines.line(off), Msg: "invalid JSON: " + se.Error()}
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return &Error{Line: p.lines.line(int64(len(p.data))), Msg: "invalid JSON: unexpected end of file"}
	}
	return &Error{Line: p.lines.line(start), Msg: "invalid JSON: " + err.Error()}
}

func (p *jsonParser) value() (*node, *Error) {
	start := p.next()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxError(err, start)
	}
	n := &node{line: p.lines.line(start)}
	switch t := tok.(type) {
	case nil:
		n.kind, n.text = kindNull, "null"
	case bool:
		n.kind, n.text = kindBool, strconv.FormatBool(t)
	case string:
		n.kind, n.text = kindString, t
	case json.Number:
		n.kind, n.text = kindNumber, t.String()
		if n.num, err = strconv.ParseFloat(n.text, 64); err != nil {
			return nil, &Error{Line: n.line, Msg: fmt.Sprintf("number %s is out of range", n.text)}
		}
	case json.Delim:
		if p.depth++; p.depth > maxDepth {
			return nil, &Error{Line: n.line, Msg: "values are nested too deeply"}
		}
		defer func() { p.depth-- }()
		if t == '[' {
			n.kind = kindList
			for p.dec.More() {
				item, err := p.value()
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
		} else {
			n.kind = kindMap
			for p.dec.More() {
				key, err := p.value()
				if err != nil {
					return nil, err
				}
				val, err := p.value()
				if err != nil {
					return nil, err
				}
				n.keys, n.items = append(n.keys, key), append(n.items, val)
			}
		}
		end := p.next()
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.syntaxError(err, end)
		}
	}
	return n, nil
}

// parseYAML reads a single YAML document with go.yaml.in/yaml/v3.
func parseYAML(data []byte) (*node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &Error{Line: 1, Msg: "the file is empty"}
		}
		return nil, yamlError(err, data)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil:
		return nil, yamlError(err, data)
	default:
		return nil, &Error{Line: extra.Line, Msg: "the file holds more than one YAML document (a second one starts here)"}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{Line: 1, Msg: "the file is empty"}
	}
	return fromYAML(doc.Content[0], 0)
}

// yamlParserProblems are the messages of yaml.v3's parser (as opposed to
// its scanner) errors, for which v3.0.6 reports a 0-based line.
var yamlParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
var yamlAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// yamlError turns a yaml.v3 error into an Error with a 1-based line.
func yamlError(err error, data []byte) *Error {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line = newLineIndex(data).line(int64(i))
		}
		msg = fmt.Sprintf("alias *%s refers to no anchor &%s", m[1], m[1])
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	for _, p := range yamlParserProblems {
		if msg == p {
			line++
			break
		}
	}
	return &Error{Line: max(line, 1), Msg: "invalid YAML: " + msg}
}

// fromYAML converts a yaml.v3 node into the format-neutral tree.
func fromYAML(y *yaml.Node, depth int) (*node, *Error) {
	if depth > maxDepth {
		return nil, &Error{Line: y.Line, Msg: "values are nested too deeply"}
	}
	n := &node{line: y.Line}
	switch y.Kind {
	case yaml.AliasNode:
		return nil, &Error{Line: y.Line, Msg: fmt.Sprintf("YAML aliases (*%s) are not supported: write the value out", y.Value)}
	case yaml.SequenceNode:
		n.kind = kindList
		for _, c := range y.Content {
			item, err := fromYAML(c, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, item)
		}
	case yaml.MappingNode:
		n.kind = kindMap
		for i := 0; i+1 < len(y.Content); i += 2 {
			k := y.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
				return nil, &Error{Line: k.Line, Msg: "a key must be a name such as dx_m"}
			}
			if k.ShortTag() == "!!merge" {
				return nil, &Error{Line: k.Line, Msg: "YAML merge keys (<<) are not supported: write the keys out"}
			}
			val, err := fromYAML(y.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, &node{kind: kindString, line: k.Line, text: k.Value})
			n.items = append(n.items, val)
		}
	case yaml.ScalarNode:
		n.text = y.Value
		switch tag := y.ShortTag(); tag {
		case "!!null":
			n.kind = kindNull
		case "!!bool":
			n.kind = kindBool
		case "!!int", "!!float":
			n.kind = kindNumber
			if err := y.Decode(&n.num); err != nil {
				return nil, &Error{Line: y.Line, Msg: fmt.Sprintf("cannot read the number %s", y.Value)}
			}
		case "!!str", "!!timestamp":
			n.kind = kindString
		default:
			return nil, &Error{Line: y.Line, Msg: fmt.Sprintf("unsupported YAML tag %s", tag)}
		}
	default:
		return nil, &Error{Line: y.Line, Msg: "unexpected YAML content"}
	}
	return n, nil
}

// isFinite reports whether x is neither infinite nor NaN.
func isFinite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }
