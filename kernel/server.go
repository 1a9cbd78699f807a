package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/firnglacier/firn/kernel/display"
	"github.com/firnglacier/firn/kernel/internal/interpreter"
	"github.com/firnglacier/firn/kernel/protocol"
)

// ServerOptions configure the kernel side of the protocol.
type ServerOptions struct {
	// Workspace is the folder cells may write to (the working directory).
	Workspace string
	// Trusted lifts the sandbox (see kernel/internal/symbols).
	Trusted bool
	// Version is reported in kernel_info.
	Version string
	// Stdout and Stderr are the process's descriptors 1 and 2 (after
	// redirection) and the read ends of their pipes. Nil read ends mean
	// no capture (in-process use: cell output goes to Stdout/Stderr).
	Stdout, Stderr      *os.File
	StdoutPipe, ErrPipe io.Reader
	// Interrupts, when not nil, delivers interrupts from outside the
	// protocol (SIGINT).
	Interrupts <-chan os.Signal
	// MemoryLimit, when positive, is watched (see memory.go); Fatal ends
	// the process when the limit cannot be kept. LimitAddressSpace also
	// caps the process's address space once the interpreter is ready
	// (Linux, in a confined kernel process; see confine_linux.go).
	MemoryLimit       int64
	LimitAddressSpace bool
	Fatal             func(error)
	// ClientGone, when not nil, is called when the request channel ends
	// (the client closed it or died) while a cell may still be running:
	// the kernel process exits then, so that no orphaned kernel spins on
	// a cell nobody can interrupt.
	ClientGone func()
}

// server is one kernel: an interpreter served over a connection.
type server struct {
	conn    protocol.Transport
	session string
	opts    ServerOptions
	interp  *interpreter.Interpreter
	streams []*streamCapture

	parent atomic.Pointer[protocol.Header] // the request outputs belong to

	mu            sync.Mutex
	cancel        context.CancelCauseFunc // of the running cell
	queued        int                     // execute requests received, not yet started
	interruptNext bool                    // an interrupt came while a cell was queued
	count         int
	parents       map[int]*protocol.Header // execution count → request, for late output
	shutdown      chan struct{}
	closeOnce     sync.Once

	commMu sync.Mutex
	comms  map[string]*protocol.Widget // the widget models open as comms, by comm id (model id)
}

// errInterrupted is the cause of a cell cancelled by an interrupt.
var errInterrupted = errors.New("interrupted")

// Serve runs a kernel on the transport conn until a shutdown request, the
// end of the connection or ctx. It is the body of `firn kernel`; tests
// call it too.
func Serve(ctx context.Context, conn protocol.Transport, opts ServerOptions) error {
	s := &server{conn: conn, session: protocol.NewID(), opts: opts, parents: map[int]*protocol.Header{}, shutdown: make(chan struct{}),
		comms: map[string]*protocol.Widget{}}
	if opts.Version == "" {
		s.opts.Version = "dev"
	}
	stdout, stderr := io.Writer(os.Stdout), io.Writer(os.Stderr)
	if opts.Stdout != nil {
		stdout = opts.Stdout
	}
	if opts.Stderr != nil {
		stderr = opts.Stderr
	}
	if opts.StdoutPipe != nil {
		s.streams = append(s.streams, newStreamCapture("stdout", opts.Stdout, opts.StdoutPipe, s.emitStream))
	}
	if opts.ErrPipe != nil {
		s.streams = append(s.streams, newStreamCapture("stderr", opts.Stderr, opts.ErrPipe, s.emitStream))
	}
	s.publish(nil, protocol.Status, protocol.StatusContent{ExecutionState: protocol.Starting})
	// The interpreter takes most of a start (its prelude, the symbol
	// tables): it is made while the kernel already answers kernel_info,
	// the request a client waits for before it shows the kernel as
	// started. Requests that need it wait for ready: cells queue as
	// usual, completions and inspections wait in goroutines of their own.
	ready := make(chan struct{})
	var startErr error
	go func() {
		defer close(ready)
		in, err := interpreter.New(interpreter.Options{
			Workspace: opts.Workspace,
			Trusted:   opts.Trusted,
			Stdout:    stdout,
			Stderr:    stderr,
			Publisher: (*publisher)(s),
			LatePanic: s.latePanic,
		})
		if err != nil {
			startErr = fmt.Errorf("kernel: start interpreter: %w", err)
			return
		}
		s.interp = in // before close(ready), which publishes it
		s.publish(nil, protocol.Status, protocol.StatusContent{ExecutionState: protocol.Idle})
	}()

	shell := make(chan *protocol.Message, 1024)
	readErr := make(chan error, 1)
	go func() {
		defer close(shell)
		for {
			m, err := conn.Receive()
			if err != nil {
				if opts.ClientGone != nil {
					opts.ClientGone()
				}
				readErr <- err
				return
			}
			switch m.Type() {
			case protocol.InterruptRequest:
				s.interrupt()
				s.reply(m, protocol.InterruptReply, protocol.StatusOnly{Status: "ok"})
			case protocol.ShutdownRequest:
				var c protocol.ShutdownContent
				_ = m.Decode(&c)
				s.interrupt()
				s.reply(m, protocol.ShutdownReply, protocol.ShutdownContent{Status: "ok", Restart: c.Restart})
				s.closeOnce.Do(func() { close(s.shutdown) })
				return
			case protocol.KernelInfoRequest:
				// Answered at once, even while a cell runs or the
				// interpreter is being made.
				s.handleQuery(m)
			case protocol.CompleteRequest, protocol.InspectRequest:
				// Read-only: answered at once, even while a cell runs;
				// during the start, once the interpreter is ready.
				select {
				case <-ready:
					s.handleQuery(m)
				default:
					go func() {
						<-ready
						if s.interp != nil {
							s.handleQuery(m)
						}
					}()
				}
			default:
				if m.Type() == protocol.ExecuteRequest {
					s.mu.Lock()
					s.queued++
					s.mu.Unlock()
				}
				shell <- m
			}
		}
	}()
	go func() {
		for {
			select {
			case <-opts.Interrupts:
				s.interrupt()
			case <-s.shutdown:
				return
			}
		}
	}()

	select {
	case <-ready:
		if startErr != nil {
			return startErr
		}
	case <-ctx.Done():
		return ctx.Err()
	case <-s.shutdown:
		return nil
	}
	if opts.MemoryLimit > 0 && opts.Fatal != nil {
		defer watchMemory(opts.MemoryLimit, opts.LimitAddressSpace, s.overMemory, s.exitIdle)()
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.shutdown:
			s.syncStreams()
			return nil
		case m, ok := <-shell:
			select {
			case <-s.shutdown: // a shutdown wins over requests queued before it
				s.syncStreams()
				return nil
			default:
			}
			if !ok {
				err := <-readErr
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			s.handleShell(ctx, m, shell)
		}
	}
}

func (s *server) handleShell(ctx context.Context, m *protocol.Message, queue chan *protocol.Message) {
	s.parent.Store(&m.Header)
	s.publish(&m.Header, protocol.Status, protocol.StatusContent{ExecutionState: protocol.Busy})
	defer s.publish(&m.Header, protocol.Status, protocol.StatusContent{ExecutionState: protocol.Idle})
	switch m.Type() {
	case protocol.ExecuteRequest:
		var req protocol.ExecuteRequestContent
		if err := m.Decode(&req); err != nil {
			s.mu.Lock()
			s.queued--
			s.mu.Unlock()
			s.reply(m, protocol.ExecuteReply, protocol.ExecuteReplyContent{Status: "error", EName: "ProtocolError", EValue: err.Error()})
			return
		}
		reply := s.execute(ctx, m, req)
		var aborted []*protocol.Message
		if reply.Status == "error" && req.StopOnError {
			aborted = s.takeQueued(ctx, queue)
		}
		s.reply(m, protocol.ExecuteReply, reply)
		for _, a := range aborted {
			s.publish(&a.Header, protocol.Status, protocol.StatusContent{ExecutionState: protocol.Busy})
			s.reply(a, protocol.ExecuteReply, protocol.ExecuteReplyContent{Status: "aborted", ExecutionCount: reply.ExecutionCount})
			s.publish(&a.Header, protocol.Status, protocol.StatusContent{ExecutionState: protocol.Idle})
		}
	case protocol.CommOpen:
		// The kernel has no comm targets of its own (its widgets are
		// opened by the kernel): a front end's comm is closed at once, as
		// the messaging spec asks.
		var c protocol.CommOpenContent
		_ = m.Decode(&c)
		s.publish(&m.Header, protocol.CommClose, protocol.CommMsgContent{CommID: c.CommID, Data: map[string]any{}})
	case protocol.CommMsg:
		var c protocol.CommMsgContent
		_ = m.Decode(&c)
		s.commMsg(&m.Header, c)
	case protocol.CommClose:
		var c protocol.CommMsgContent
		_ = m.Decode(&c)
		s.commMu.Lock()
		delete(s.comms, c.CommID)
		s.commMu.Unlock()
	case protocol.CommInfoRequest:
		var c protocol.CommInfoRequestContent
		_ = m.Decode(&c)
		comms := map[string]protocol.CommInfo{}
		if c.TargetName == "" || c.TargetName == protocol.WidgetTarget {
			s.commMu.Lock()
			for id := range s.comms {
				comms[id] = protocol.CommInfo{TargetName: protocol.WidgetTarget}
			}
			s.commMu.Unlock()
		}
		s.reply(m, protocol.CommInfoReply, protocol.CommInfoReplyContent{Status: "ok", Comms: comms})
	default:
		s.reply(m, m.Header.MsgType+"_reply", protocol.StatusOnly{Status: "error"})
	}
}

// commMsg handles a front end's message on a widget's comm (ipywidgets'
// protocol): an update of the widget's state sets the value its cells
// read, by label; request_state is answered with the whole state; a
// button's click counts. Messages on comms the kernel does not have open
// are dropped, as Jupyter's kernels do.
func (s *server) commMsg(parent *protocol.Header, c protocol.CommMsgContent) {
	s.commMu.Lock()
	w := s.comms[c.CommID]
	var value any
	changed := false
	method, _ := c.Data["method"].(string)
	if w != nil {
		switch method {
		case "update":
			state, _ := c.Data["state"].(map[string]any)
			value, changed = w.ValueOf(state)
		case "custom":
			content, _ := c.Data["content"].(map[string]any)
			if w.Kind == "button" && content["event"] == "click" {
				n, _ := w.Value.(float64)
				value, changed = n+1, true
			}
		}
		if changed {
			w.Value = value
		}
	}
	var state map[string]any
	if w != nil {
		state = w.State()
	}
	s.commMu.Unlock()
	switch {
	case w == nil:
	case changed:
		s.interp.SetWidgetValues(map[string]any{w.Label: value})
	case method == "request_state":
		s.publish(parent, protocol.CommMsg, protocol.CommMsgContent{CommID: c.CommID, Data: map[string]any{
			"method": "update", "state": state, "buffer_paths": []any{},
		}})
	}
}

// execute runs one cell and returns its reply.
func (s *server) execute(ctx context.Context, m *protocol.Message, req protocol.ExecuteRequestContent) protocol.ExecuteReplyContent {
	s.mu.Lock()
	s.queued--
	if !req.Silent {
		s.count++
	}
	count := s.count
	s.parents[count] = &m.Header
	delete(s.parents, count-100)
	cellCtx, cancel := context.WithCancelCause(ctx)
	s.cancel = cancel
	if s.interruptNext {
		// Interrupted before it started (a Ctrl-C right after Enter).
		s.interruptNext = false
		cancel(errInterrupted)
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		cancel(nil)
	}()
	if !req.Silent {
		s.publish(&m.Header, protocol.ExecuteInput, protocol.ExecuteInputContent{Code: req.Code, ExecutionCount: count})
	}
	if len(req.Widgets) > 0 {
		s.interp.SetWidgetValues(req.Widgets)
	}
	s.interp.SetQuick(req.Live)
	result, cellErr := s.interp.Execute(cellCtx, count, req.Code)
	if cellErr != nil && context.Cause(cellCtx) != nil && !errors.Is(context.Cause(cellCtx), context.Canceled) {
		cellErr = interpreter.Stopped(count, context.Cause(cellCtx), cellErr)
	}
	s.syncStreams()
	if cellErr != nil {
		content := protocol.ErrorContent{EName: cellErr.Name, EValue: cellErr.Message, Traceback: cellErr.Traceback}
		s.publish(&m.Header, protocol.Error, content)
		return protocol.ExecuteReplyContent{
			Status: "error", ExecutionCount: count, EName: content.EName, EValue: content.EValue, Traceback: content.Traceback,
		}
	}
	if result != nil && !req.Silent {
		s.publish(&m.Header, protocol.ExecuteResult, protocol.ExecuteResultContent{
			ExecutionCount: count, Data: protocol.Bundle(result.Data), Metadata: orEmpty(result.Metadata),
		})
	}
	return protocol.ExecuteReplyContent{Status: "ok", ExecutionCount: count}
}

// takeQueued removes the execute requests already queued behind a
// failed cell, to be answered "aborted" (Jupyter's stop_on_error); other
// requests are handled on the way.
func (s *server) takeQueued(ctx context.Context, queue chan *protocol.Message) []*protocol.Message {
	var out []*protocol.Message
	for {
		select {
		case m, ok := <-queue:
			if !ok {
				return out
			}
			if m.Type() != protocol.ExecuteRequest {
				s.handleShell(ctx, m, queue)
				continue
			}
			s.mu.Lock()
			s.queued--
			s.mu.Unlock()
			out = append(out, m)
		default:
			return out
		}
	}
}

func (s *server) handleQuery(m *protocol.Message) {
	switch m.Type() {
	case protocol.KernelInfoRequest:
		s.reply(m, protocol.KernelInfoReply, s.kernelInfo())
	case protocol.CompleteRequest:
		var req protocol.CompleteRequestContent
		_ = m.Decode(&req)
		cs, start, end := s.interp.Completions(req.Code, req.CursorPos)
		matches := []string{}
		types := []map[string]any{}
		for _, c := range cs {
			matches = append(matches, c.Text)
			t := map[string]any{"start": start, "end": end, "text": c.Text, "type": c.Type, "signature": c.Signature}
			if c.Doc != "" {
				t["doc"] = c.Doc
			}
			types = append(types, t)
		}
		s.reply(m, protocol.CompleteReply, protocol.CompleteReplyContent{
			Status: "ok", Matches: matches, CursorStart: start, CursorEnd: end,
			Metadata: map[string]any{protocol.CompletionTypesKey: types},
		})
	case protocol.InspectRequest:
		var req protocol.InspectRequestContent
		_ = m.Decode(&req)
		b, found := s.interp.Inspect(req.Code, req.CursorPos)
		s.reply(m, protocol.InspectReply, protocol.InspectReplyContent{
			Status: "ok", Found: found, Data: protocol.Bundle(orEmpty(b.Data)), Metadata: orEmpty(b.Metadata),
		})
	}
}

func (s *server) kernelInfo() protocol.KernelInfoReplyContent {
	return protocol.KernelInfoReplyContent{
		Status:                "ok",
		ProtocolVersion:       protocol.Version,
		Implementation:        "firn",
		ImplementationVersion: s.opts.Version,
		LanguageInfo: protocol.LanguageInfo{
			Name: "go", Version: strings.TrimPrefix(runtime.Version(), "go"), MIMEType: "text/x-go",
			FileExtension: ".go", PygmentsLexer: "go", CodemirrorMode: "go",
		},
		Banner: "Firn " + s.opts.Version + " — Go cells on yaegi " + interpreter.YaegiVersion + ", with Firn's glacier engine, plots and display",
		HelpLinks: []protocol.HelpLink{
			{Text: "Firn", URL: "https://github.com/firnglacier/firn"},
			{Text: "Go", URL: "https://go.dev/doc/"},
		},
	}
}

// interrupt stops the running cell, if any.
func (s *server) interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel(errInterrupted)
	} else if s.queued > 0 {
		s.interruptNext = true
	}
}

// overMemory stops the running cell because the process uses more memory
// than allowed.
func (s *server) overMemory(cause error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel == nil {
		return false
	}
	s.cancel(cause)
	return true
}

// exitIdle ends the kernel (opts.Fatal) for cause unless a cell is
// running. It holds the lock that starting a cell takes, so that no cell
// starts, and no client sees one start, before the kernel is gone: the
// client must not blame a cell that did not use the memory.
func (s *server) exitIdle(cause error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return false
	}
	s.opts.Fatal(cause)
	return true
}

// latePanic reports a panic in a goroutine whose cell has ended: an
// error output on that cell.
func (s *server) latePanic(e *interpreter.Error) {
	s.mu.Lock()
	parent := s.parents[e.Cell]
	s.mu.Unlock()
	if parent == nil {
		parent = s.parent.Load()
	}
	s.syncStreams()
	s.publish(parent, protocol.Error, protocol.ErrorContent{EName: e.Name, EValue: e.Message, Traceback: e.Traceback})
}

func (s *server) syncStreams() {
	for _, c := range s.streams {
		if err := c.sync(); err != nil {
			return
		}
	}
}

func (s *server) emitStream(name, text string) {
	s.publish(s.parent.Load(), protocol.Stream, protocol.StreamContent{Name: name, Text: text})
}

func (s *server) publish(parent *protocol.Header, msgType string, content any) {
	s.publishMeta(parent, msgType, content, nil)
}

// publishMeta publishes a message with metadata (nil: none).
func (s *server) publishMeta(parent *protocol.Header, msgType string, content any, metadata map[string]any) {
	m, err := protocol.New(s.session, protocol.IOPub, msgType, parent, content)
	if err == nil && metadata != nil {
		m.Metadata = metadata
	}
	if err == nil {
		err = s.conn.Send(m)
	}
	if err != nil {
		s.lost(err)
	}
}

func (s *server) reply(req *protocol.Message, msgType string, content any) {
	m, err := protocol.New(s.session, req.Channel, msgType, &req.Header, content)
	if err == nil {
		err = s.conn.Send(m)
	}
	if err != nil {
		s.lost(err)
	}
}

// lost ends the kernel when the client is gone: nobody can see its
// output any more.
func (s *server) lost(error) {
	s.interrupt()
	s.closeOnce.Do(func() { close(s.shutdown) })
}

// publisher is the server seen by the display package.
type publisher server

// Publish shows a new display (display_data) after the cell's earlier
// stream output.
func (p *publisher) Publish(id string, b display.Bundle) {
	s := (*server)(p)
	s.syncStreams()
	s.publish(s.parent.Load(), protocol.DisplayData, displayContent(id, b))
}

// Update replaces the display with that id (update_display_data).
func (p *publisher) Update(id string, b display.Bundle) {
	s := (*server)(p)
	s.syncStreams()
	s.publish(s.parent.Load(), protocol.UpdateDisplayData, displayContent(id, b))
}

// OpenWidget opens the widget's model as a comm (comm_open, target
// jupyter.widget, its full ipywidgets state) before the cell shows it,
// so that a Jupyter front end with ipywidgets draws it as a live control.
// A model already open (the same label shown again) gets its new state
// as an update instead: every output of it stays live.
func (p *publisher) OpenWidget(desc map[string]any) {
	s := (*server)(p)
	w, err := protocol.ParseWidget(desc)
	if err != nil {
		return // not a widget of package display: no model to open
	}
	s.syncStreams()
	s.commMu.Lock()
	old := s.comms[w.ModelID]
	s.comms[w.ModelID] = &w
	s.commMu.Unlock()
	parent := s.parent.Load()
	data := map[string]any{"state": w.State(), "buffer_paths": []any{}}
	if old != nil && old.Kind == w.Kind {
		data["method"] = "update"
		s.publish(parent, protocol.CommMsg, protocol.CommMsgContent{CommID: w.ModelID, Data: data})
		return
	}
	if old != nil {
		// The label now names a control of another kind: a new model.
		s.publish(parent, protocol.CommClose, protocol.CommMsgContent{CommID: w.ModelID, Data: map[string]any{}})
	}
	s.publishMeta(parent, protocol.CommOpen, protocol.CommOpenContent{CommID: w.ModelID, TargetName: protocol.WidgetTarget, Data: data},
		map[string]any{"version": protocol.WidgetProtocolVersion})
}

func displayContent(id string, b display.Bundle) protocol.DisplayDataContent {
	c := protocol.DisplayDataContent{Data: protocol.Bundle(b.Data), Metadata: orEmpty(b.Metadata)}
	if id != "" {
		c.Transient = &protocol.Transient{DisplayID: id}
	}
	return c
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
