package interpreter

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/firnglacier/firn/kernel/internal/cellsrc"
	"github.com/firnglacier/firn/kernel/internal/symbols"
)

// Error is a failed cell: what went wrong, where, and a traceback for
// the notebook (Jupyter's ename, evalue and traceback).
type Error struct {
	// Cell is the execution count of the cell.
	Cell int
	// Name is the kind: "SyntaxError", "CompileError", "panic",
	// "Interrupted", "MemoryLimit", "KernelDied"; for a cell whose value
	// is an error, the error's type ("*errors.errorString").
	Name string
	// Message is one line: what went wrong.
	Message string
	// Line and Column locate it in the cell (1-based; 0 if unknown).
	Line, Column int
	// Traceback is the message, the cell's offending line with a caret,
	// and for panics the calls that led there.
	Traceback []string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("cell [%d], line %d: %s", e.Cell, e.Line, e.Message)
	}
	return fmt.Sprintf("cell [%d]: %s", e.Cell, e.Message)
}

// Stopped is the error of a cell stopped for a reason of the kernel's
// (an interrupt, the memory limit).
func Stopped(cell int, cause error, err *Error) *Error {
	if err != nil && err.Name == "panic" {
		return err
	}
	name, msg := "Interrupted", fmt.Sprintf("cell [%d] was interrupted", cell)
	if !strings.Contains(cause.Error(), "interrupt") {
		name, msg = "MemoryLimit", fmt.Sprintf("cell [%d] was stopped: %v", cell, cause)
	}
	return &Error{Cell: cell, Name: name, Message: msg, Traceback: []string{
		name + ": " + msg,
		"The kernel is still running: variables keep the values they had when the cell stopped.",
	}}
}

// panicError is the error of a panic in a cell (or in a goroutine that
// the cell started): msg is the panic's value, marker the value of
// cellsrc.LineVar after it (the statement that ran last) and frames the
// functions it unwound, innermost first.
func (in *Interpreter) panicError(cell int, msg string, marker int, frames []frame, goroutine bool) *Error {
	msg = explainPanic(cellsrc.Unrename(msg))
	e := &Error{Cell: cell, Name: "panic", Message: msg}
	head := fmt.Sprintf("panic: cell [%d]", cell)
	if goroutine {
		e.Message = "panic in a goroutine: " + msg
		head = fmt.Sprintf("panic in a goroutine started by cell [%d]", cell)
	}
	var where []string
	if site, rec, ok := in.site(marker, frames); ok {
		if rec.count == cell {
			e.Line, e.Column = site.Line, site.Col
			head += fmt.Sprintf(", line %d, column %d", site.Line, site.Col)
		} else {
			where = append(where, fmt.Sprintf("  at line %d, column %d of cell [%d]:", site.Line, site.Col, rec.count))
		}
		where = append(where, sourceLines(rec.code, site.Line, site.Col)...)
	}
	e.Traceback = append([]string{head + ": " + msg}, where...)
	for k, f := range frames {
		if k == maxShownFrames {
			e.Traceback = append(e.Traceback, fmt.Sprintf("  … and %d more calls", len(frames)-k))
			break
		}
		e.Traceback = append(e.Traceback, "  in "+funcName(f.fn))
	}
	return e
}

// maxShownFrames is how many calls a traceback lists.
const maxShownFrames = 20

// site finds the statement that a marker names, if the innermost frame
// of the panic is the function that statement is in (else the marker was
// set by another goroutine, or by a function that returned before the
// panic, and says nothing about it).
func (in *Interpreter) site(marker int, frames []frame) (cellsrc.Site, *cellRecord, bool) {
	id, k, ok := cellsrc.SiteOf(marker)
	if !ok || len(frames) == 0 {
		return cellsrc.Site{}, nil, false
	}
	in.mu.Lock()
	rec := in.cells[id]
	in.mu.Unlock()
	if rec == nil || k >= len(rec.sites) || rec.sites[k].Func != frames[0].fn {
		return cellsrc.Site{}, nil, false
	}
	return rec.sites[k], rec, true
}

// funcName says which function a frame is: "main" is the cell's top
// level, "main.f" the function f, "main.func" a function literal.
func funcName(fn string) string {
	name, lits := strings.TrimPrefix(fn, "main"), 0
	for strings.HasSuffix(name, ".func") {
		name, lits = strings.TrimSuffix(name, ".func"), lits+1
	}
	name = strings.TrimPrefix(name, ".")
	switch {
	case lits == 0 && name == "":
		return "the cell"
	case lits == 0:
		return name
	case name == "":
		return "a function literal"
	}
	return "a function literal in " + name
}

// yaegiPrefix is a position yaegi puts before some panics' messages, in
// the coordinates of the source it compiled.
var yaegiPrefix = regexp.MustCompile(`^\d+:\d+: `)

// explainPanic words the panics of yaegi, which come from package
// reflect, as Go words them.
func explainPanic(msg string) string {
	msg = yaegiPrefix.ReplaceAllString(msg, "")
	const nilDeref = "runtime error: invalid memory address or nil pointer dereference"
	switch {
	case strings.HasPrefix(msg, "reflect: ") && strings.HasSuffix(msg, " index out of range"):
		return "runtime error: index out of range"
	case strings.HasPrefix(msg, "reflect: call of reflect.Value.") && strings.HasSuffix(msg, " on zero Value"):
		return nilDeref
	case msg == "reflect: Method on nil interface value":
		return nilDeref + " (a method of a nil interface value)"
	case msg == "reflect.Value.Call: call of nil function":
		return nilDeref + " (a call of a nil function)"
	}
	return msg
}

// errorValue is the error of a cell whose last expression is a non-nil
// error: the cell ran, but what it computed is a failure, shown as one
// (Name is the error's type, Message its text). A nil pointer, and an
// error whose Error method panics, are no error value (nil): the display
// shows them.
func errorValue(cell int, err error) (e *Error) {
	if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	defer func() {
		if recover() != nil {
			e = nil
		}
	}()
	typ := cellsrc.Unrename(fmt.Sprintf("%T", err))
	msg := cellsrc.Unrename(err.Error())
	return &Error{Cell: cell, Name: typ, Message: msg, Traceback: []string{
		typ + ": " + msg,
		fmt.Sprintf("(the value of cell [%d] is this error)", cell),
	}}
}

func goroutinePanicLost(cell int) *Error {
	return &Error{Cell: cell, Name: "panic", Message: "a goroutine panicked", Traceback: []string{fmt.Sprintf("panic in a goroutine started by cell [%d]", cell)}}
}

// syntaxError reports a cell that does not parse.
func syntaxError(cell int, code string, err error) *Error {
	var se *cellsrc.Error
	if errors.As(err, &se) {
		return located(cell, "SyntaxError", code, se.Line, se.Col, se.Msg)
	}
	return &Error{Cell: cell, Name: "SyntaxError", Message: err.Error(), Traceback: []string{"SyntaxError: " + err.Error()}}
}

// cellError turns an error of yaegi in one chunk into a cell error;
// marker is the value of cellsrc.LineVar when the chunk stopped.
func (in *Interpreter) cellError(cell int, code string, plan *cellsrc.Plan, k int, marker int, err error) *Error {
	var p interp.Panic
	if errors.As(err, &p) {
		frames := in.trace.frames()
		if len(frames) == 0 {
			// No interpreted code ran: yaegi's compiler itself panicked,
			// which an undefined name (an unimported package in a
			// composite literal's type) makes it do.
			if ce := plan.CellError(k, errors.New("internal error of the Go interpreter")); strings.HasPrefix(ce.Msg, "undefined: ") && ce.Line > 0 {
				return located(cell, "CompileError", code, ce.Line, ce.Col, ce.Msg)
			}
		}
		return in.panicError(cell, fmt.Sprint(p.Value), marker, frames, false)
	}
	ce := plan.CellError(k, symbols.Explain(err))
	if ce.Line > 0 {
		msg := explain(ce.Msg)
		if strings.Contains(ce.Msg, "constant definition loop") {
			msg = explainElement(ce.Msg, lineOf(code, ce.Line))
		}
		return located(cell, "CompileError", code, ce.Line, ce.Col, msg)
	}
	return &Error{Cell: cell, Name: "CompileError", Message: explain(ce.Msg), Traceback: []string{"CompileError: " + explain(ce.Msg)}}
}

// explain rewords yaegi's least helpful messages.
func explain(msg string) string {
	switch {
	case strings.Contains(msg, "constant definition loop"):
		return msg + " (yaegi says this when a name used on that line is undefined)"
	case msg == "nil type" || strings.HasSuffix(msg, ": nil type"):
		return msg + " (the Go interpreter could not type this; range over an integer it cannot see is one cause: write for i := 0; i < n; i++)"
	}
	return msg
}

// elementDefine matches a top-level `x := a.B[i]` or `var x = a.B[i]`.
var elementDefine = regexp.MustCompile(`^\s*(?:var\s+)?([\pL_][\pL\pN_]*)\s*(?::=|=)\s*([^=].*\].*)$`)

// explainElement explains "constant definition loop" on a line that
// declares a variable from an element of a slice or map: yaegi v0.16.1
// cannot type a cell-level variable from an element of a slice that a
// compiled Firn value holds (x := c.Glaciers[0]), although it runs the
// same code with the type given or inside a function.
func explainElement(msg, line string) string {
	m := elementDefine.FindStringSubmatch(line)
	if m == nil {
		return explain(msg)
	}
	return fmt.Sprintf("the Go interpreter cannot work out the type of %s here (yaegi says %q): give its type, as in var %s *edu.Glacier = %s (with the type of the element), or use the element where you need it (%s.Name) or in a for range loop; if a name on this line is undefined, define it first",
		m[1], strings.TrimSpace(msg), m[1], strings.TrimSpace(m[2]), strings.TrimSpace(m[2]))
}

// lineOf is line n (1-based) of code.
func lineOf(code string, n int) string {
	lines := strings.Split(code, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// located is an error at a line and column of the cell, with the line
// and a caret in the traceback.
func located(cell int, name, code string, line, col int, msg string) *Error {
	e := &Error{Cell: cell, Name: name, Message: msg, Line: line, Column: col}
	e.Traceback = append([]string{fmt.Sprintf("%s: cell [%d], line %d, column %d: %s", name, cell, line, col, msg)}, sourceLines(code, line, col)...)
	return e
}

// sourceLines is the cell's line and a caret under the column.
func sourceLines(code string, line, col int) []string {
	lines := strings.Split(code, "\n")
	if line < 1 || line > len(lines) {
		return nil
	}
	src := strings.ReplaceAll(lines[line-1], "\t", "    ")
	// Columns count bytes; the caret counts characters after tab expansion.
	prefix := lines[line-1]
	if col-1 <= len(prefix) && col > 0 {
		prefix = prefix[:col-1]
	}
	width := len([]rune(strings.ReplaceAll(prefix, "\t", "    ")))
	return []string{"    " + src, "    " + strings.Repeat(" ", width) + "^"}
}
