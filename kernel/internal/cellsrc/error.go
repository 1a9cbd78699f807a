package cellsrc

import (
	"errors"
	"go/scanner"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Error is a problem in a cell, at a line and column of the cell's own
// source.
type Error struct {
	Line, Col  int    // 1-based; Col counts bytes as go/token does; 0 when unknown
	Msg        string // what is wrong, in the user's names
	SourceLine string // the text of line Line, without its newline
}

// Error formats the error as "line 3, column 5: message", followed by the
// source line and a caret under the column.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString("line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Col) + ": ")
	}
	b.WriteString(e.Msg)
	if e.Line > 0 && strings.TrimSpace(e.SourceLine) != "" {
		b.WriteString("\n    ")
		b.WriteString(e.SourceLine)
		b.WriteString("\n    ")
		// Keep tabs so the caret lines up however tabs are shown.
		for k, r := range e.SourceLine {
			if k >= e.Col-1 {
				break
			}
			if r == '\t' {
				b.WriteByte('\t')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('^')
	}
	return b.String()
}

// cellText is a cell's source with the offsets where its lines start.
type cellText struct {
	src   string
	lines []int
}

func newCellText(src string) *cellText {
	return &cellText{src: src, lines: lineStarts(src)}
}

func lineStarts(src string) []int {
	lines := []int{0}
	for k := 0; k < len(src); k++ {
		if src[k] == '\n' {
			lines = append(lines, k+1)
		}
	}
	return lines
}

// position returns the 1-based line and byte column of a cell offset.
func (c *cellText) position(off int) (line, col int) {
	off = max(0, min(off, len(c.src)))
	line = sort.Search(len(c.lines), func(k int) bool { return c.lines[k] > off })
	return line, off - c.lines[line-1] + 1
}

// lineText returns line (1-based) without its line ending.
func (c *cellText) lineText(line int) string {
	if line < 1 || line > len(c.lines) {
		return ""
	}
	end := len(c.src)
	if line < len(c.lines) {
		end = c.lines[line] - 1
	}
	return strings.TrimSuffix(c.src[c.lines[line-1]:end], "\r")
}

// errorAt builds an *Error at a cell offset.
func (c *cellText) errorAt(off int, msg string) *Error {
	line, col := c.position(off)
	return &Error{Line: line, Col: col, Msg: msg, SourceLine: c.lineText(line)}
}

func newError(src string, off int, msg string) *Error {
	return newCellText(src).errorAt(off, msg)
}

// renamed matches the internal names given to redefined types.
var renamed = regexp.MustCompile(`([\p{L}\p{N}_])` + typeMark + `[0-9]+`)

// unrename turns internal type names back into the user's.
func unrename(msg string) string {
	if !strings.Contains(msg, typeMark) {
		return msg
	}
	return renamed.ReplaceAllString(msg, "$1")
}

// yaegiPos matches the position yaegi puts before its messages: "3:7: " or,
// from go/parser, "_.go:3:7: ".
var yaegiPos = regexp.MustCompile(`^(?:[^\s:]*\.go:)?([0-9]+):([0-9]+): `)

// CellError turns an error that yaegi returned while evaluating p.Chunks[k]
// into an *Error at the cell's line and column, with the user's type names.
// Errors without a position (panics, for instance) get Line 0.
func (p *Plan) CellError(k int, err error) *Error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	msg := err.Error()
	var list scanner.ErrorList
	line, col := 0, 0
	if errors.As(err, &list) && len(list) > 0 {
		line, col, msg = list[0].Pos.Line, list[0].Pos.Column, list[0].Msg
	} else if m := yaegiPos.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		col, _ = strconv.Atoi(m[2])
		msg = msg[len(m[0]):]
	}
	if k >= 0 && k < len(p.Chunks) && (strings.Contains(msg, "constant definition loop") || strings.Contains(msg, "internal error of the Go interpreter")) {
		// yaegi's message for an undefined name in some initialisations;
		// an unimported package in a composite literal's type even makes
		// yaegi's compiler panic.
		if u := p.Chunks[k].eff.unknown; len(u) > 0 && !p.dotImport {
			return p.cell.errorAt(u[0].off, "undefined: "+u[0].name)
		}
	}
	e := &Error{Msg: p.Unrename(msg)}
	if line > 0 && k >= 0 && k < len(p.Chunks) {
		e.Line, e.Col = p.Chunks[k].CellPosition(line, col)
		e.SourceLine = p.cell.lineText(e.Line)
	}
	return e
}
