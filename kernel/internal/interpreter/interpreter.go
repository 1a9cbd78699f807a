package interpreter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/engine/edu"
	"github.com/firnglacier/firn/kernel/display"
	"github.com/firnglacier/firn/kernel/internal/cellsrc"
	"github.com/firnglacier/firn/kernel/internal/symbols"
)

// YaegiVersion is the version of the Go interpreter Firn embeds.
const YaegiVersion = "v0.16.1"

// Options configure an interpreter.
type Options struct {
	// Workspace is the only folder cells may write to (unless Trusted).
	Workspace string
	// Trusted lifts the sandbox (see kernel/internal/symbols).
	Trusted bool
	// Stdout and Stderr receive what cells print with fmt and log.
	Stdout, Stderr io.Writer
	// Publisher receives what cells show with package display.
	Publisher display.Publisher
	// LatePanic receives panics of goroutines whose cell has ended.
	LatePanic func(*Error)
}

// Interpreter runs notebook cells: one yaegi interpreter, the state of
// the cells so far, and the packages cells can import.
type Interpreter struct {
	opts    Options
	yaegi   *interp.Interpreter
	session cellsrc.Session // guarded by exec: used by Execute only
	exec    sync.Mutex      // one cell at a time
	exports interp.Exports
	catalog *symbols.Catalog
	cell    cellContext
	trace   *traceWriter
	line    *int             // cellsrc.LineVar: the marker of the statement that ran last
	display *display.Display // the cells' display, nil without a Publisher

	mu       sync.Mutex
	running  *run                    // the cell being executed, nil between cells
	globals  map[string]reflect.Type // variables after the last cell, for completion
	imported map[string]string       // package name → import path, after the last cell
	declared map[string]bool         // names declared by cells (functions and types too)
	cells    map[int]*cellRecord     // plan ID → its cell, for the sites of panics
}

// cellRecord is a cell as run: where a panic in its code points to.
type cellRecord struct {
	count int // execution count
	code  string
	sites []cellsrc.Site
}

// run is one cell being executed.
type run struct {
	cell   int
	cancel context.CancelCauseFunc
	panic  *Error // a panic in one of the cell's goroutines
}

// prelude is evaluated before the first cell, after cellsrc.Prelude
// (the runtime helpers, min and max): the common packages imported, and
// ctx, the running cell's context.
const prelude = `import (
	"fmt"
	"math"
	"os"
	"strings"

	"firn/display"
	"firn/engine/edu"
	"firn/plots"
)

var ctx = __firn.Context()
`

// noValue is what a cell's first global holds (cellsrc.Prelude declares
// it). yaegi returns the value of the frame's first slot for a call that
// returns nothing (measured: c.Add(g) at a cell's top level "returned"
// ctx), so that slot holds this marker, and a result that is the marker is
// no result.
type noValue struct{}

var theNoValue = &noValue{}

// processStdin reads the process's standard input.
type processStdin struct{}

func (processStdin) Read(p []byte) (int, error) { return os.Stdin.Read(p) }

// New returns an interpreter with the prelude run.
func New(opts Options) (*Interpreter, error) {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	in := &Interpreter{opts: opts, globals: map[string]reflect.Type{}, declared: map[string]bool{}, cells: map[int]*cellRecord{}}
	in.trace = &traceWriter{w: opts.Stderr}
	// Stdin, Stdout and Stderr are not *os.File, so that yaegi leaves
	// the cells' os.Stdin, os.Stdout and os.Stderr to Stdlib: duplicates
	// of the process's streams, which a cell may close without silencing
	// the kernel (symbols.PrepareStdio, before each cell). fmt.Scan,
	// Scanf and Scanln, which yaegi points at Stdin, read the process's
	// standard input as os.Stdin does (end of file in Firn's kernels;
	// what the user types in a kernel Jupyter started, kernel/jupyter).
	in.yaegi = interp.New(interp.Options{
		Stdin: processStdin{}, Stdout: struct{ io.Writer }{opts.Stdout}, Stderr: in.trace,
		GoPath: "/nonexistent", Env: os.Environ(), Unrestricted: opts.Trusted,
	})
	std, err := symbols.Stdlib(opts.Workspace, opts.Trusted)
	if err != nil {
		return nil, err
	}
	in.exports = interp.Exports{}
	// std after Firn's tables: in the sandbox it holds plots with its
	// figures confined to the workspace.
	for _, e := range []interp.Exports{symbols.Firn(), std, in.bindings(std)} {
		for k, v := range e {
			in.exports[k] = v
		}
	}
	if err := in.yaegi.Use(in.exports); err != nil {
		return nil, fmt.Errorf("interpreter: symbols: %w", err)
	}
	in.catalog = symbols.NewCatalog(in.exports)
	// cellsrc's prelude goes to yaegi as it is (the session knows it).
	if _, err := in.eval(context.Background(), cellsrc.Prelude); err != nil {
		return nil, fmt.Errorf("interpreter: prelude: %w", err)
	}
	lv, err := in.eval(context.Background(), "&"+cellsrc.LineVar)
	if err != nil {
		return nil, fmt.Errorf("interpreter: prelude: %w", err)
	}
	line, ok := valueInterface(lv).(*int)
	if !ok {
		return nil, fmt.Errorf("interpreter: prelude: %s is a %s", cellsrc.LineVar, lv.Type())
	}
	in.line = line
	if _, cerr := in.Execute(context.Background(), 0, prelude); cerr != nil {
		return nil, fmt.Errorf("interpreter: prelude: %s", strings.Join(cerr.Traceback, "\n"))
	}
	return in, nil
}

// bindings are the symbols that depend on this interpreter: display
// bound to the publisher, glaciers bound to the running cell's context,
// pools of package compute that show their progress as a display, and
// the runtime helpers cellsrc's rewrites call. std is the standard
// library's tables (the sandbox's, which change some of Firn's).
func (in *Interpreter) bindings(std interp.Exports) interp.Exports {
	e := interp.Exports{}
	var d *display.Display
	if in.opts.Publisher != nil {
		d = display.New(in.opts.Publisher)
		disp := map[string]reflect.Value{}
		for k, v := range symbols.Firn()["firn/display/display"] {
			disp[k] = v
		}
		disp["Show"] = reflect.ValueOf(d.Show)
		disp["Progress"] = reflect.ValueOf(d.Progress)
		disp["Slider"] = reflect.ValueOf(d.Slider)
		disp["NumberInput"] = reflect.ValueOf(d.NumberInput)
		disp["Play"] = reflect.ValueOf(d.Play)
		disp["Dropdown"] = reflect.ValueOf(d.Dropdown)
		disp["Checkbox"] = reflect.ValueOf(d.Checkbox)
		disp["Button"] = reflect.ValueOf(d.Button)
		e["firn/display/display"] = disp
		in.display = d
	}
	eduSyms := map[string]reflect.Value{}
	for k, v := range symbols.Firn()["firn/engine/edu/edu"] {
		eduSyms[k] = v
	}
	eduSyms["NewGlacier"] = reflect.ValueOf(func(bed *edu.Bed, mb *edu.MassBalance) *edu.Glacier {
		return edu.NewGlacier(bed, mb).SetContext(&in.cell)
	})
	eduSyms["NewSurgingGlacier"] = reflect.ValueOf(func(bed *edu.Bed, mb *edu.MassBalance) *edu.SurgingGlacier {
		g := edu.NewSurgingGlacier(bed, mb)
		g.SetContext(&in.cell)
		return g
	})
	bindReal := func(g *edu.RealGlacier, err error) (*edu.RealGlacier, error) {
		if g != nil {
			g.SetContext(&in.cell)
		}
		return g, err
	}
	eduSyms["Hintereisferner"] = reflect.ValueOf(func() (*edu.RealGlacier, error) {
		return bindReal(edu.Hintereisferner())
	})
	eduSyms["PrepareGlacier"] = reflect.ValueOf(func(outlineFile, id, demFile, climateFile, mbObsFile string) (*edu.RealGlacier, error) {
		return bindReal(edu.PrepareGlacier(outlineFile, id, demFile, climateFile, mbObsFile))
	})
	eduSyms["LoadGlacier"] = reflect.ValueOf(func(dir string) (*edu.RealGlacier, error) {
		return bindReal(edu.LoadGlacier(dir))
	})
	e["firn/engine/edu/edu"] = eduSyms
	const computeKey = "firn/compute/compute"
	computeTable := std[computeKey]
	if computeTable == nil {
		computeTable = symbols.Firn()[computeKey]
	}
	computeSyms := map[string]reflect.Value{}
	for k, v := range computeTable {
		computeSyms[k] = v
	}
	computeSyms["Attach"] = reflect.ValueOf(func(ctx context.Context, l compute.Launcher) (*compute.Pool, error) {
		p, err := compute.Attach(ctx, l)
		if p != nil && d != nil {
			p.ShowProgress(func(first compute.Progress) compute.ProgressView {
				return progressView{d.Show(first)}
			})
		}
		return p, err
	})
	e[computeKey] = computeSyms
	e[cellsrc.RuntimePath+"/"+path.Base(cellsrc.RuntimePath)] = map[string]reflect.Value{
		"Go":      reflect.ValueOf(in.goStatement),
		"Clear":   reflect.ValueOf(clearValue),
		"Context": reflect.ValueOf(func() context.Context { return &in.cell }),
		"NoValue": reflect.ValueOf(func() any { return theNoValue }),
	}
	return e
}

// progressView shows a Map's progress as one display, updated in place.
type progressView struct{ h *display.Handle }

func (v progressView) Update(p compute.Progress) { v.h.Update(p) }

// SetWidgetValues sets the values the reader chose for the cells'
// widgets (display.Slider and the others), by label, before a cell runs.
func (in *Interpreter) SetWidgetValues(values map[string]any) {
	in.display.SetWidgetValues(values)
}

// SetQuick makes the cells' figures render for a page only (SVG without
// PNG) while a reader moves a widget (display.RenderQuick).
func (in *Interpreter) SetQuick(quick bool) { in.display.SetQuick(quick) }

// Execute runs one cell (cell is its execution count, used in messages).
// It returns the bundle of the cell's last expression when the cell ends
// with one worth showing, or the cell's error.
func (in *Interpreter) Execute(ctx context.Context, cell int, code string) (*display.Bundle, *Error) {
	in.exec.Lock()
	defer in.exec.Unlock()
	symbols.PrepareStdio(in.exports)
	plan, err := in.session.Prepare(code)
	if err != nil {
		return nil, syntaxError(cell, code, err)
	}
	cellCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{cell: cell, cancel: cancel}
	in.mu.Lock()
	in.running = r
	in.cells[plan.ID] = &cellRecord{count: cell, code: code, sites: plan.Sites}
	in.mu.Unlock()
	in.cell.set(cellCtx)
	in.trace.start()
	defer func() {
		in.cell.reset()
		in.mu.Lock()
		in.running = nil
		in.mu.Unlock()
	}()

	var last reflect.Value
	for i, chunk := range plan.Chunks {
		*in.line = 0 // a panic before the chunk's first statement has no site
		v, err := in.eval(cellCtx, chunk.Src)
		if err != nil {
			in.mu.Lock()
			gp := r.panic
			in.mu.Unlock()
			if gp != nil {
				return nil, gp
			}
			if ctx.Err() == nil && cellCtx.Err() != nil {
				return nil, goroutinePanicLost(cell)
			}
			if cellCtx.Err() != nil {
				return nil, &Error{Cell: cell, Name: "Interrupted", Message: "interrupted", Traceback: []string{"Interrupted: the cell was stopped; variables keep the values they had"}}
			}
			in.session.Commit(plan, i)
			in.afterCell(plan.Declared)
			return nil, in.cellError(cell, code, plan, i, *in.line, err)
		}
		last = v
	}
	in.session.Commit(plan, len(plan.Chunks))
	in.afterCell(plan.Declared)
	if !plan.ShowResult || !last.IsValid() {
		return nil, nil
	}
	if last.Kind() == reflect.Interface && last.IsNil() {
		return nil, nil
	}
	x := valueInterface(last)
	if x == any(theNoValue) {
		return nil, nil
	}
	if err, ok := x.(error); ok {
		if e := errorValue(cell, err); e != nil {
			return nil, e
		}
	}
	render := display.Render
	if in.display.Quick() {
		render = display.RenderQuick
	}
	b := render(x)
	if last.Kind() == reflect.String {
		// A result that is a string shows as a Go literal, as in a Go
		// REPL, so that it reads differently from printed text.
		b.Data["text/plain"] = strconv.Quote(last.String())
	}
	return &b, nil
}

// afterCell refreshes what completion knows and tells cellsrc which
// globals are integers (for range-over-int).
func (in *Interpreter) afterCell(declared []string) {
	g, ok := in.safeGlobals()
	if !ok {
		// yaegi v0.16.1's Globals panics after some failed cells (its frame
		// is shorter than its scope): keep what was known.
		in.mu.Lock()
		for _, d := range declared {
			in.declared[d] = true
		}
		in.mu.Unlock()
		return
	}
	types := make(map[string]reflect.Type, len(g))
	var ints []string
	for name, v := range g {
		if !v.IsValid() {
			continue
		}
		types[name] = v.Type()
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			ints = append(ints, name)
		}
	}
	in.session.SetIntegerGlobals(ints...)
	imported := in.session.Imports()
	in.mu.Lock()
	in.globals = types
	in.imported = imported
	for _, d := range declared {
		in.declared[d] = true
	}
	in.mu.Unlock()
}

// safeGlobals is yaegi's Globals, which can panic.
func (in *Interpreter) safeGlobals() (g map[string]reflect.Value, ok bool) {
	defer func() {
		if recover() != nil {
			g, ok = nil, false
		}
	}()
	return in.yaegi.Globals(), true
}

// imports is the package name → path map of the last cell (mu held).
func (in *Interpreter) imports() map[string]string { return in.imported }

// eval runs one chunk; internal panics of yaegi become errors.
func (in *Interpreter) eval(ctx context.Context, src string) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error of the Go interpreter: %v", r)
		}
	}()
	return in.yaegi.EvalWithContext(ctx, src)
}

// valueInterface is v's value, or a description if it cannot be had.
func valueInterface(v reflect.Value) (x any) {
	defer func() {
		if r := recover(); r != nil {
			x = fmt.Sprintf("<%s value>", v.Type())
		}
	}()
	if !v.CanInterface() {
		return fmt.Sprintf("<%s value>", v.Type())
	}
	return v.Interface()
}

// goStatement is what cellsrc turns `go f(args)` into: f runs in a
// goroutine whose panic becomes an error of the cell that started it,
// instead of killing the kernel.
func (in *Interpreter) goStatement(f any, args ...any) {
	in.mu.Lock()
	cell := 0
	if in.running != nil {
		cell = in.running.cell
	}
	in.mu.Unlock()
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func {
		panic(fmt.Sprintf("go: %T is not a function", f))
	}
	in.checkArgs(fv, args)
	go func() {
		first := in.trace.next()
		defer func() {
			if r := recover(); r != nil {
				in.goroutinePanicked(cell, r, *in.line, in.trace.since(first))
			}
		}()
		fv.Call(callArgs(fv.Type(), args))
	}()
}

// checkArgs panics (in the calling cell, where it is reported) when args
// cannot be passed to f.
func (in *Interpreter) checkArgs(fv reflect.Value, args []any) {
	t := fv.Type()
	n := t.NumIn()
	if (!t.IsVariadic() && len(args) != n) || (t.IsVariadic() && len(args) < n-1) {
		panic(fmt.Sprintf("go: %s called with %d arguments", t, len(args)))
	}
}

// callArgs converts untyped-constant arguments (an int where a float64
// is wanted) as the compiler would have.
func callArgs(t reflect.Type, args []any) []reflect.Value {
	out := make([]reflect.Value, len(args))
	for i, a := range args {
		var want reflect.Type
		if t.IsVariadic() && i >= t.NumIn()-1 {
			want = t.In(t.NumIn() - 1).Elem()
		} else {
			want = t.In(i)
		}
		if a == nil {
			out[i] = reflect.Zero(want)
			continue
		}
		v := reflect.ValueOf(a)
		if !v.Type().AssignableTo(want) && v.Type().ConvertibleTo(want) {
			v = v.Convert(want)
		}
		out[i] = v
	}
	return out
}

// goroutinePanicked reports the panic r of a goroutine started by cell:
// marker is the statement that ran last, frames those yaegi printed as
// the goroutine unwound.
func (in *Interpreter) goroutinePanicked(cell int, r any, marker int, frames []frame) {
	e := in.panicError(cell, fmt.Sprint(r), marker, frames, true)
	in.mu.Lock()
	running := in.running
	in.mu.Unlock()
	if running != nil && running.cell == cell {
		in.mu.Lock()
		if running.panic == nil {
			running.panic = e
		}
		in.mu.Unlock()
		running.cancel(errors.New(e.Message))
		return
	}
	if in.opts.LatePanic != nil {
		in.opts.LatePanic(e)
	}
}

// clearValue is the builtin clear for yaegi: it deletes a map's entries
// or zeroes a slice's elements.
func clearValue(x any) {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Map:
		v.Clear()
	case reflect.Slice:
		v.Clear()
	case reflect.Invalid:
	default:
		panic(fmt.Sprintf("invalid argument: clear(%s): argument must be a map or a slice", v.Type()))
	}
}

// cellContext is the context of whichever cell is running: glaciers and
// ctx in cells hold it, so that an interrupt stops the engine in any
// cell. Between cells it is a cancelled context (see reset).
//
// Unlike an ordinary context, its Done channel changes between cells:
// Done, Err, Deadline and Value answer for the cell running at the moment
// of the call. A glacier is made in one cell and progressed in later ones,
// so it cannot hold one cell's context; it holds this one, and each
// progress call reads Done once, when it starts, and keeps that channel
// (edu.Glacier.SetContext). A call that an interrupted cell's abandoned
// goroutine makes, or is still in, therefore stops with its own cell even
// after the next cell has begun. Code that derives a context from this one
// (context.WithCancel) should do so within one cell.
type cellContext struct {
	mu  sync.Mutex
	ctx context.Context
}

func (c *cellContext) set(ctx context.Context) {
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
}

// errCellEnded is the cause of the context between cells.
var errCellEnded = errors.New("the cell has ended")

// reset leaves no cell running: until the next cell the context is a
// cancelled one, so that an engine call that an interrupted cell's
// abandoned goroutine makes after the cell has ended stops at once
// instead of running on under no cell. (Work a cell starts in the
// background ends with the cell, as its context does.)
func (c *cellContext) reset() {
	ended, cancel := context.WithCancelCause(context.Background())
	cancel(errCellEnded)
	c.mu.Lock()
	c.ctx = ended
	c.mu.Unlock()
}

func (c *cellContext) current() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

func (c *cellContext) Deadline() (deadline time.Time, ok bool) { return c.current().Deadline() }
func (c *cellContext) Done() <-chan struct{}                   { return c.current().Done() }
func (c *cellContext) Err() error                              { return c.current().Err() }
func (c *cellContext) Value(key any) any                       { return c.current().Value(key) }
func (c *cellContext) String() string                          { return "the running cell's context" }

// traceWriter is yaegi's stderr: it keeps the "L:C: panic: f(...)"
// frames yaegi prints while a panic unwinds (innermost first; for the
// cell's traceback) and passes everything else (log output) on.
type traceWriter struct {
	w     io.Writer
	mu    sync.Mutex
	kept  []frame // frames since the cell started, at most maxFrames
	first int     // the number of kept[0]
	total int     // frames seen so far
}

// A frame is one function a panic unwound, as yaegi prints it: the
// function's name ("main", "main.f", "main.func") and the position, in
// the source the function came from, of its first statement (yaegi
// v0.16.1 does not say where in the function the panic was).
type frame struct {
	line, col int
	fn        string
}

// maxFrames bounds the frames kept for one cell (an endless recursion
// prints millions): the innermost come first and are kept.
const maxFrames = 1000

var panicFrame = regexp.MustCompile(`^(\d+):(\d+): panic: (.*)$`)

func (t *traceWriter) Write(p []byte) (int, error) {
	if m := panicFrame.FindSubmatch(bytesTrimNL(p)); m != nil {
		l, _ := strconv.Atoi(string(m[1]))
		c, _ := strconv.Atoi(string(m[2]))
		t.mu.Lock()
		if len(t.kept) < maxFrames {
			t.kept = append(t.kept, frame{line: l, col: c, fn: strings.TrimSuffix(string(m[3]), "(...)")})
		}
		t.total++
		t.mu.Unlock()
		return len(p), nil
	}
	return t.w.Write(p)
}

// start forgets the frames of earlier cells.
func (t *traceWriter) start() {
	t.mu.Lock()
	t.kept, t.first = nil, t.total
	t.mu.Unlock()
}

// frames are the frames printed since the cell started.
func (t *traceWriter) frames() []frame {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]frame(nil), t.kept...)
}

// next is the number the next frame printed will have.
func (t *traceWriter) next() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// since are the kept frames numbered n and later.
func (t *traceWriter) since(n int) []frame {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := max(0, n-t.first)
	if k >= len(t.kept) {
		return nil
	}
	return append([]frame(nil), t.kept[k:]...)
}

func bytesTrimNL(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}
