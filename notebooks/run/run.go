package run

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
	"github.com/firnglacier/firn/kernel/reactive"
	"github.com/firnglacier/firn/notebooks"
)

// Options configure a run.
type Options struct {
	// Kernel starts the kernel; set its Dir to the notebook's folder so
	// that cells find files beside it, and its Launcher to choose where
	// the kernel runs and what carries its messages.
	Kernel kernel.Options
	// Parameters are injected after the cell tagged "parameters".
	Parameters []Parameter
	// CellTimeout bounds each cell (0: none). A cell that passes it is
	// interrupted and fails the run.
	CellTimeout time.Duration
	// AllowErrors runs on after a failing cell; Notebook then returns the
	// first cell error after running every cell.
	AllowErrors bool
	// Progress, if set, is called before each code cell and once at the
	// end.
	Progress func(Progress)
	// Name names the notebook in errors (its file name).
	Name string
	// Version is the Firn version recorded in metadata.firn.version.
	Version string
}

// kernelClient is what a run needs of its kernel: *kernel.Kernel, over
// any launcher, is one.
type kernelClient interface {
	ExecuteRequest(ctx context.Context, req protocol.ExecuteRequestContent, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error)
	Interrupt() error
	Shutdown(ctx context.Context) error
}

// Progress reports where a run is.
type Progress struct {
	Done, Total int    // code cells executed so far, and in all
	Cell        int    // the cell about to run: 1-based position among all cells (0 at the end)
	ID          string // its id
	Elapsed     time.Duration
}

// ParameterError is a notebook that cannot be run as asked: one for
// another kernel (Python, R…), or a parameter that cannot be set (no
// parameters cell, an undeclared name, a value of the wrong kind).
// Nothing was run and the notebook is unchanged.
type ParameterError struct{ Err error }

func (e *ParameterError) Error() string { return e.Err.Error() }
func (e *ParameterError) Unwrap() error { return e.Err }

// CellError is a cell that failed.
type CellError struct {
	File    string
	Cell    int    // 1-based position among all cells
	ID      string // the cell's id
	Line    int    // line in the cell (0 when unknown)
	Name    string // the error's name: CompileError, panic, Interrupted, Timeout…
	Message string
}

func (e *CellError) Error() string {
	where := fmt.Sprintf("cell %d (id %s)", e.Cell, e.ID)
	if e.File != "" {
		where = e.File + ": " + where
	}
	if e.Line > 0 {
		where += fmt.Sprintf(", line %d", e.Line)
	}
	return fmt.Sprintf("%s: %s: %s", where, e.Name, e.Message)
}

// Notebook executes every code cell of nb in a fresh kernel, in order,
// replacing their outputs and execution counts (see the package doc).
func Notebook(ctx context.Context, nb *notebooks.Notebook, opts Options) error {
	if m := nb.KernelSpec().Mismatch(); m != "" {
		// Go code is not what this notebook holds: run nothing, change
		// nothing (its outputs are the other kernel's).
		return &ParameterError{Err: fmt.Errorf("%s: %s", opts.Name, m)}
	}
	recorded, err := inject(nb, opts.Parameters, opts.Name)
	if err != nil {
		return &ParameterError{Err: err}
	}
	record(nb, opts.Version, recorded)

	var code []int
	for i, c := range nb.Cells {
		if c.Type == notebooks.Code {
			code = append(code, i)
		}
	}
	if reactiveNotebook(nb) {
		// Cells run in dependency order, not the page's.
		if code, err = reactiveOrder(nb, code); err != nil {
			return &ParameterError{Err: fmt.Errorf("%s: %w", opts.Name, err)}
		}
	}
	for _, i := range code {
		nb.Cells[i].Outputs = nil
		nb.Cells[i].ExecutionCount = nil
	}
	if len(code) == 0 {
		return nil
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(Progress) {}
	}
	start := time.Now()

	var k kernelClient
	k, err = kernel.Start(ctx, opts.Kernel)
	if err != nil {
		return fmt.Errorf("%s: starting the kernel: %w", opts.Name, err)
	}
	defer k.Shutdown(context.WithoutCancel(ctx))

	// The values the reader left on the notebook's widgets (its saved
	// widget state, by label), which the cells' widgets read as in the
	// notebook page.
	widgets := protocol.WidgetValues(nb.Metadata["widgets"])

	var first *CellError
	for n, i := range code {
		cell := nb.Cells[i]
		progress(Progress{Done: n, Total: len(code), Cell: i + 1, ID: cell.ID, Elapsed: time.Since(start)})
		cerr, err := execute(ctx, k, cell, widgets, opts)
		if err != nil {
			return fmt.Errorf("%s: cell %d (id %s): %w", opts.Name, i+1, cell.ID, err)
		}
		if cerr != nil {
			cerr.File, cerr.Cell, cerr.ID = opts.Name, i+1, cell.ID
			if first == nil {
				first = cerr
			}
			if !opts.AllowErrors {
				break
			}
		}
	}
	progress(Progress{Done: len(code), Total: len(code), Elapsed: time.Since(start)})
	if first != nil {
		return first
	}
	return nil
}

// record writes the run's version and parameters into metadata.firn,
// and the parameters where papermill writes them too
// (metadata.papermill.parameters), keeping other keys there.
func record(nb *notebooks.Notebook, version string, params map[string]any) {
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	firn, _ := nb.Metadata["firn"].(map[string]any)
	if firn == nil {
		firn = map[string]any{}
	}
	if version != "" {
		firn["version"] = version
	}
	pm, _ := nb.Metadata["papermill"].(map[string]any)
	if params != nil {
		firn["parameters"] = params
		if pm == nil {
			pm = map[string]any{}
		}
		pm["parameters"] = maps.Clone(params)
	} else {
		delete(firn, "parameters")
		delete(pm, "parameters")
	}
	nb.Metadata["firn"] = firn
	switch {
	case len(pm) > 0:
		nb.Metadata["papermill"] = pm
	case pm != nil:
		delete(nb.Metadata, "papermill") // only the parameters of an earlier run were there
	}
}

// execute runs one cell, storing its outputs. It returns the cell's
// failure, or an error when the run cannot go on (ctx cancelled, kernel
// gone).
func execute(ctx context.Context, k kernelClient, cell *notebooks.Cell, widgets map[string]any, opts Options) (*CellError, error) {
	cellCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	timedOut := make(chan struct{})
	if opts.CellTimeout > 0 {
		t := time.AfterFunc(opts.CellTimeout, func() {
			close(timedOut)
			k.Interrupt()
		})
		defer t.Stop()
	}
	stop := context.AfterFunc(ctx, func() { k.Interrupt() })
	defer stop()

	out := &collector{cell: cell, displays: map[string][]*notebooks.Output{}}
	reply, err := k.ExecuteRequest(cellCtx, protocol.ExecuteRequestContent{Code: cell.Source, StoreHistory: true, StopOnError: true, Widgets: widgets}, out.add)
	if reply.ExecutionCount > 0 {
		n := reply.ExecutionCount
		cell.ExecutionCount = &n
	}
	if out.err != nil {
		return nil, out.err
	}
	select {
	case <-timedOut:
		msg := fmt.Sprintf("the cell did not finish within %s and was interrupted", opts.CellTimeout)
		cell.Outputs = append(cell.Outputs, &notebooks.Output{Type: notebooks.Error, EName: "Timeout", EValue: msg, Traceback: []string{msg}})
		return &CellError{Name: "Timeout", Message: msg, Line: errorLine(reply.Traceback)}, nil
	default:
	}
	var died *kernel.DiedError
	switch {
	case ctx.Err() != nil:
		return nil, context.Cause(ctx)
	case errors.As(err, &died):
		// The kernel restarts by itself; the next cell waits for it.
		msg, name := died.Cause, died.Name
		if name == "" {
			name = "KernelDied"
		}
		cell.Outputs = append(cell.Outputs, &notebooks.Output{Type: notebooks.Error, EName: name, EValue: msg, Traceback: []string{"the kernel died: " + msg, "A fresh kernel was started: the variables of earlier cells are gone."}})
		return &CellError{Name: name, Message: msg}, nil
	case err != nil:
		return nil, err
	}
	if reply.Status != "ok" {
		return &CellError{Name: reply.EName, Message: reply.EValue, Line: errorLine(reply.Traceback)}, nil
	}
	return nil, nil
}

// errorLine finds the line in the cell that the kernel's traceback names
// ("…: cell [3], line 2, column 5: …").
func errorLine(traceback []string) int {
	for _, l := range traceback {
		if m := lineRE.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

var lineRE = regexp.MustCompile(`cell \[\d+\], line (\d+)`)

// collector turns a cell's published messages into its outputs.
type collector struct {
	cell     *notebooks.Cell
	displays map[string][]*notebooks.Output // display id → outputs showing it
	err      error
}

func (c *collector) add(m *protocol.Message) {
	if c.err != nil {
		return
	}
	fail := func(err error) { c.err = fmt.Errorf("reading the kernel's %s message: %w", m.Type(), err) }
	switch m.Type() {
	case protocol.Stream:
		var s protocol.StreamContent
		if err := m.Decode(&s); err != nil {
			fail(err)
			return
		}
		c.cell.AppendStream(s.Name, s.Text)
	case protocol.DisplayData, protocol.UpdateDisplayData:
		var d protocol.DisplayDataContent
		if err := m.Decode(&d); err != nil {
			fail(err)
			return
		}
		id := ""
		if d.Transient != nil {
			id = d.Transient.DisplayID
		}
		if m.Type() == protocol.UpdateDisplayData {
			for _, o := range c.displays[id] {
				o.Data, o.Metadata = notebooks.MIMEBundle(d.Data), metadata(d.Metadata)
			}
			return
		}
		o := &notebooks.Output{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle(d.Data), Metadata: metadata(d.Metadata)}
		c.cell.Outputs = append(c.cell.Outputs, o)
		if id != "" {
			c.displays[id] = append(c.displays[id], o)
		}
	case protocol.ExecuteResult:
		var r protocol.ExecuteResultContent
		if err := m.Decode(&r); err != nil {
			fail(err)
			return
		}
		n := r.ExecutionCount
		c.cell.Outputs = append(c.cell.Outputs, &notebooks.Output{Type: notebooks.ExecuteResult, ExecutionCount: &n,
			Data: notebooks.MIMEBundle(r.Data), Metadata: metadata(r.Metadata)})
	case protocol.Error:
		var e protocol.ErrorContent
		if err := m.Decode(&e); err != nil {
			fail(err)
			return
		}
		c.cell.Outputs = append(c.cell.Outputs, &notebooks.Output{Type: notebooks.Error, EName: e.EName, EValue: e.EValue, Traceback: e.Traceback})
	}
}

func metadata(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// reactiveNotebook reports whether the notebook asks for reactive
// execution (metadata.firn.reactive: true).
func reactiveNotebook(nb *notebooks.Notebook) bool {
	firn, _ := nb.Metadata["firn"].(map[string]any)
	on, _ := firn["reactive"].(bool)
	return on
}

// reactiveOrder orders the code cells (indices into nb.Cells) so that
// each runs after the cells whose names it uses (kernel/reactive), or
// says which cells keep it from running so.
func reactiveOrder(nb *notebooks.Notebook, code []int) ([]int, error) {
	cells := make([]reactive.Cell, len(code))
	at := map[string]int{}
	for k, i := range code {
		c := nb.Cells[i]
		id := c.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		cells[k] = reactive.Cell{ID: id, Source: c.Source}
		at[id] = i
	}
	order, err := reactive.Build(cells).Order()
	if err != nil {
		return nil, fmt.Errorf("metadata.firn.reactive is on, but %w", err)
	}
	out := make([]int, len(order))
	for k, id := range order {
		out[k] = at[id]
	}
	return out, nil
}
