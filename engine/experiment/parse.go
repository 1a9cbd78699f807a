package experiment

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Error is a problem in an experiment: a file that cannot be read as JSON
// or YAML, a key, type or list length that the format does not allow, or a
// value out of range. Its text is "file:line: path: message", the parts
// that are known, for example
//
//	exp.yaml:7: flowlines[0].width_m: want a number or a list of 200 numbers, got a string ("wide")
type Error struct {
	// File is the name given to Parse or Load; empty for a Spec built in
	// code.
	File string
	// Line is the 1-based line the problem is on; 0 if unknown (a Spec
	// built in code).
	Line int
	// Path is the key path of the value, such as flowlines[0].width_m[12]
	// or flowlines[1].flows_to.flowline; empty for a syntax error.
	Path string
	// Msg says what is wrong and what would be right.
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// format is the syntax of an experiment file.
type format uint8

const (
	formatGuess format = iota // from the content
	formatJSON
	formatYAML
)

// Parse reads an experiment from data, in JSON or YAML, and checks it
// completely: every key, type and list length, every value's range, and
// that the flowlines form a glacier. name is used in error messages and
// chooses the format by its extension (.json, .yaml or .yml); with any
// other name, or "-" for standard input, the content decides (a file whose
// first character is '{' or '[' is read as JSON, and as YAML if that fails).
//
// Every error is an *Error.
func Parse(data []byte, name string) (*Spec, error) {
	display := name
	if name == "-" {
		display = "<stdin>"
	}
	fail := func(e *Error) error {
		e.File = display
		return e
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(&Error{Line: 1, Msg: "the file is empty; an experiment needs at least flowlines, mass_balance and years"})
	}
	var (
		root *node
		perr *Error
	)
	switch formatOf(name) {
	case formatJSON:
		root, perr = parseJSON(data)
	case formatYAML:
		root, perr = parseYAML(data)
	default:
		if c := bytes.TrimSpace(data)[0]; c == '{' || c == '[' {
			root, perr = parseJSON(data)
			if perr != nil {
				if r, yerr := parseYAML(data); yerr == nil {
					root, perr = r, nil
				}
			}
		} else {
			root, perr = parseYAML(data)
		}
	}
	if perr != nil {
		return nil, fail(perr)
	}
	d := &decoder{src: &source{file: display, lines: map[string]int{}, scalar: map[string]bool{}}}
	s, err := d.spec(root)
	if err != nil {
		return nil, fail(err)
	}
	s.src = d.src
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

// formatOf chooses the format from a file name's extension.
func formatOf(name string) format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return formatJSON
	case ".yaml", ".yml":
		return formatYAML
	}
	return formatGuess
}

// Load reads and parses the experiment file at path; "-" reads standard
// input. See Parse.
func Load(path string) (*Spec, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading experiment: %w", err)
	}
	return Parse(data, path)
}

// source remembers where each value of a parsed Spec came from, so that
// checks made after decoding (and by Spec.Glacier) name the line.
type source struct {
	file string
	// lines maps a key path to the line it is on.
	lines map[string]int
	// scalar holds the paths of per-point keys given as one number.
	scalar map[string]bool
}

// errAt returns an Error for the value at path, with the line of that
// value or of the nearest enclosing one the file has.
func (src *source) errAt(path, format string, args ...any) *Error {
	e := &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	if src == nil {
		return e
	}
	e.File = src.file
	for p := path; ; p = parent(p) {
		if l, ok := src.lines[p]; ok {
			e.Line = l
			break
		}
		if p == "" {
			break
		}
	}
	return e
}

// pointPath returns the path of point i of a per-point key: key[i], or key
// itself if the file gave one number for all points.
func (src *source) pointPath(key string, i int) string {
	if src != nil && src.scalar[key] {
		return key
	}
	return key + "[" + strconv.Itoa(i) + "]"
}

// parent strips the last element of a key path: a.b[3] → a.b → a → "".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
