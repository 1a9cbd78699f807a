package jupyter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/firnglacier/firn/kernel/protocol"
)

// Stdin is the channel of input_request and input_reply (Jupyter's stdin
// socket); package protocol names the other three.
const Stdin = "stdin"

// Message types the carrier answers itself or adds to the kernel's.
const (
	InputRequest    = "input_request"
	InputReply      = "input_reply"
	IsCompleteReq   = "is_complete_request"
	IsCompleteReply = "is_complete_reply"
	HistoryRequest  = "history_request"
	HistoryReply    = "history_reply"
	CommInfoRequest = protocol.CommInfoRequest
	CommInfoReply   = protocol.CommInfoReply
	CommOpen        = protocol.CommOpen
	CommMsg         = protocol.CommMsg
	CommClose       = protocol.CommClose
	ConnectRequest  = "connect_request"
	ConnectReply    = "connect_reply"
)

// served are the requests the kernel (kernel.Serve) answers; the carrier
// answers the others it knows, and drops the rest.
var served = map[string]bool{
	protocol.ExecuteRequest: true, protocol.CompleteRequest: true, protocol.InspectRequest: true,
	protocol.KernelInfoRequest: true, protocol.InterruptRequest: true, protocol.ShutdownRequest: true,
	CommOpen: true, CommMsg: true, CommClose: true, CommInfoRequest: true,
}

// kernelStatus are the requests whose busy and idle the kernel publishes
// itself (it handles them in order with the cells).
var kernelStatus = map[string]bool{
	protocol.ExecuteRequest: true, CommOpen: true, CommMsg: true, CommClose: true, CommInfoRequest: true,
}

// Options configure a Carrier.
type Options struct {
	// Log receives the carrier's warnings (refused messages, clients
	// gone); nil: os.Stderr.
	Log io.Writer
	// Stdin makes the process's standard input Jupyter's: a cell that
	// reads os.Stdin gets what the user types in answer to an
	// input_request (Linux; elsewhere it reads end of file). Only for a
	// kernel process of its own: it replaces descriptor 0.
	Stdin bool
	// WatchParent ends the carrier (Receive returns io.EOF) when the
	// process that started the kernel exits, as ipykernel does when
	// jupyter_client sets JPY_PARENT_PID.
	WatchParent bool
}

// Carrier is the kernel's side of Jupyter's wire protocol: the five
// ZeroMQ sockets of a connection file, bound, carrying the messages of
// package protocol. It is a protocol.Transport: kernel.Serve runs a
// kernel over it.
type Carrier struct {
	info *ConnectionInfo
	sign *signer
	opts Options

	shell, control, stdin zmq4.Socket // ROUTER
	iopub                 zmq4.Socket // PUB
	hb                    zmq4.Socket // REP

	requests chan request // from shell
	controls chan request // from control, served first
	inputs   chan *protocol.Message
	closed   chan struct{}
	once     sync.Once

	mu        sync.Mutex
	replays   replays
	routes    map[string]*route // request msg_id → where its reply goes
	order     []string          // msg_ids of routes, oldest first
	session   string            // the kernel's session (from its messages)
	executing int               // execute requests received and not answered
	running   *route            // the execute request running now
	stopWatch chan struct{}     // ends the stdin watch of running
	history   history

	in *stdinBridge // nil: no input from Jupyter
}

// request is a message received on a ROUTER socket.
type request struct {
	m *protocol.Message
	r *route
}

// route is where the replies and published messages of a request go.
type route struct {
	id      string
	channel string
	ids     [][]byte // the client's routing identities
	header  []byte   // the request's header, as it came: the parent of every answer
	wrapped bool     // the carrier publishes the request's busy and idle
	exec    *execState
}

// execState is what the carrier keeps of an execute request.
type execState struct {
	code         string
	silent       bool
	storeHistory bool
	allowStdin   bool
	userExprs    []string
	result       *string // text/plain of its execute_result
}

// routeMemory bounds the requests remembered for late outputs.
const routeMemory = 4096

// ListenFile reads a connection file and binds its sockets (Listen).
func ListenFile(ctx context.Context, path string, opts Options) (*Carrier, error) {
	info, err := ReadConnectionFile(path)
	if err != nil {
		return nil, err
	}
	return Listen(ctx, info, opts)
}

// Listen binds the five sockets of info and starts serving the heartbeat.
func Listen(ctx context.Context, info *ConnectionInfo, opts Options) (*Carrier, error) {
	if err := info.check(); err != nil {
		return nil, fmt.Errorf("jupyter: %w", err)
	}
	s, err := newSigner(info)
	if err != nil {
		return nil, fmt.Errorf("jupyter: %w", err)
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	c := &Carrier{
		info: info, sign: s, opts: opts,
		requests: make(chan request, 64), controls: make(chan request, 16), inputs: make(chan *protocol.Message, 4),
		closed: make(chan struct{}), routes: map[string]*route{},
	}
	c.shell = zmq4.NewRouter(ctx, zmq4.WithLogger(c.zmqLog()))
	c.control = zmq4.NewRouter(ctx, zmq4.WithLogger(c.zmqLog()))
	c.stdin = zmq4.NewRouter(ctx, zmq4.WithLogger(c.zmqLog()))
	c.iopub = zmq4.NewPub(ctx, zmq4.WithLogger(c.zmqLog()))
	c.hb = zmq4.NewRep(ctx, zmq4.WithLogger(c.zmqLog()))
	for _, b := range []struct {
		name string
		s    zmq4.Socket
		port int
	}{
		{"shell", c.shell, info.ShellPort}, {"iopub", c.iopub, info.IOPubPort}, {"stdin", c.stdin, info.StdinPort},
		{"control", c.control, info.ControlPort}, {"heartbeat", c.hb, info.HBPort},
	} {
		if err := b.s.Listen(info.endpoint(b.port)); err != nil {
			c.closeSockets()
			return nil, fmt.Errorf("jupyter: %s socket: %w", b.name, err)
		}
	}
	if opts.Stdin {
		in, err := newStdinBridge()
		if err != nil && !errors.Is(err, errors.ErrUnsupported) {
			c.logf("standard input: %v; cells that read it get end of file", err)
		}
		c.in = in
	}
	go c.heartbeat()
	go c.read(c.shell, protocol.Shell, c.requests)
	go c.read(c.control, protocol.Control, c.controls)
	go c.read(c.stdin, Stdin, nil)
	if opts.WatchParent {
		go c.watchParent()
	}
	return c, nil
}

// Info is the connection the carrier listens on.
func (c *Carrier) Info() *ConnectionInfo { return c.info }

func (c *Carrier) zmqLog() *log.Logger { return log.New(c.opts.Log, "warning: jupyter: ", 0) }

func (c *Carrier) logf(format string, args ...any) {
	fmt.Fprintf(c.opts.Log, "warning: jupyter: "+format+"\n", args...)
}

// heartbeat echoes the clients' pings.
func (c *Carrier) heartbeat() {
	for {
		m, err := c.hb.Recv()
		if err != nil {
			return
		}
		if err := c.hb.Send(m); err != nil {
			return
		}
	}
}

// read receives the messages of one ROUTER socket, checks them and
// queues them (on stdin: hands input replies to the watch).
func (c *Carrier) read(s zmq4.Socket, channel string, out chan request) {
	for {
		raw, err := s.Recv()
		if err != nil {
			select {
			case <-c.closed:
				return
			default:
			}
			if errors.Is(err, context.Canceled) {
				return
			}
			continue
		}
		f, err := parseFrames(raw.Frames)
		if err != nil {
			c.logf("refused a message on %s: %v", channel, err)
			continue
		}
		if !c.sign.verify(f.sig, f.header, f.parent, f.metadata, f.content) {
			c.logf("refused a message on %s: its signature is wrong (not signed with the connection file's key)", channel)
			continue
		}
		c.mu.Lock()
		fresh := c.replays.fresh(f.sig)
		c.mu.Unlock()
		if !fresh {
			c.logf("refused a message on %s: its signature was used before (a replay)", channel)
			continue
		}
		m, err := f.message(channel)
		if err != nil {
			c.logf("refused a message on %s: %v", channel, err)
			continue
		}
		if channel == Stdin {
			if m.Type() == InputReply {
				select {
				case c.inputs <- m:
				default:
				}
			}
			continue
		}
		r := &route{id: m.Header.MsgID, channel: channel, ids: f.ids, header: f.header}
		select {
		case out <- request{m, r}:
		case <-c.closed:
			return
		}
	}
}

// Receive returns the next request for the kernel: control requests
// first, then shell requests in order. Requests the kernel does not
// handle (is_complete, history, connect) are answered here.
func (c *Carrier) Receive() (*protocol.Message, error) {
	for {
		var q request
		select {
		case q = <-c.controls:
		default:
			select {
			case q = <-c.controls:
			case q = <-c.requests:
			case <-c.closed:
				return nil, io.EOF
			}
		}
		if m := c.accept(q); m != nil {
			return m, nil
		}
	}
}

// accept records a request's route and answers what the carrier
// answers; it returns the message for the kernel, or nil.
func (c *Carrier) accept(q request) *protocol.Message {
	m, r := q.m, q.r
	c.mu.Lock()
	c.remember(r)
	idle := c.executing == 0
	if m.Type() == protocol.ExecuteRequest {
		var req struct {
			protocol.ExecuteRequestContent
			StoreHistory    *bool          `json:"store_history"`
			UserExpressions map[string]any `json:"user_expressions"`
		}
		_ = m.Decode(&req)
		e := &execState{code: req.Code, silent: req.Silent, allowStdin: req.AllowStdin, storeHistory: !req.Silent}
		if req.StoreHistory != nil {
			e.storeHistory = *req.StoreHistory && !req.Silent
		}
		for k := range req.UserExpressions {
			e.userExprs = append(e.userExprs, k)
		}
		r.exec = e
		c.executing++
	}
	// Busy and idle around every request, as Jupyter asks, but not while
	// a cell runs: an idle then would tell frontends the kernel is idle.
	r.wrapped = !kernelStatus[m.Type()] && idle
	c.mu.Unlock()

	if r.wrapped {
		c.status(r, protocol.Busy)
	}
	if served[m.Type()] {
		return m
	}
	switch m.Type() {
	case IsCompleteReq:
		var req struct {
			Code string `json:"code"`
		}
		_ = m.Decode(&req)
		status, indent := isComplete(req.Code)
		content := map[string]any{"status": status}
		if status == "incomplete" {
			content["indent"] = indent
		}
		c.answer(r, IsCompleteReply, content)
	case HistoryRequest:
		var req historyRequest
		_ = m.Decode(&req)
		c.mu.Lock()
		h := c.history.reply(req)
		c.mu.Unlock()
		c.answer(r, HistoryReply, map[string]any{"status": "ok", "history": h})
	case ConnectRequest:
		i := c.info
		c.answer(r, ConnectReply, map[string]any{"status": "ok", "shell_port": i.ShellPort, "iopub_port": i.IOPubPort,
			"stdin_port": i.StdinPort, "hb_port": i.HBPort, "control_port": i.ControlPort})
	default:
		c.logf("no handler for %s on %s; not answered", m.Type(), r.channel)
	}
	if r.wrapped {
		c.status(r, protocol.Idle)
	}
	return nil
}

// remember records a route (c.mu held), forgetting the oldest beyond
// routeMemory.
func (c *Carrier) remember(r *route) {
	if _, ok := c.routes[r.id]; !ok {
		c.order = append(c.order, r.id)
	}
	c.routes[r.id] = r
	if len(c.order) > routeMemory {
		delete(c.routes, c.order[0])
		c.order = c.order[1:]
	}
}

// Send carries a message of the kernel: iopub messages to every
// subscriber, replies to the client that made the request. A client that
// has gone is not an error (another may still be there): only a closed
// carrier is.
func (c *Carrier) Send(m *protocol.Message) error {
	select {
	case <-c.closed:
		return errClosed
	default:
	}
	c.mu.Lock()
	if m.Header.Session != "" {
		c.session = m.Header.Session
	}
	r := c.routes[m.Parent()]
	c.mu.Unlock()

	if m.Channel == protocol.IOPub {
		c.observe(m, r)
		return c.sendIOPub(m, r)
	}
	if r == nil {
		c.logf("%s answers no request the carrier knows (parent %q); dropped", m.Type(), m.Parent())
		return nil
	}
	if m.Type() == protocol.ExecuteReply {
		m = c.finishExecute(m, r)
	}
	c.sendTo(r, m)
	if r.wrapped {
		c.status(r, protocol.Idle)
	}
	return nil
}

// observe follows the kernel's published messages: the start of a cell
// (its busy status) starts the watch on standard input; a result is kept
// for the history.
func (c *Carrier) observe(m *protocol.Message, r *route) {
	if r == nil || r.exec == nil {
		return
	}
	switch m.Type() {
	case protocol.Status:
		var s protocol.StatusContent
		_ = m.Decode(&s)
		if s.ExecutionState != protocol.Busy {
			return
		}
		c.mu.Lock()
		c.stopStdinWatch()
		c.running = r
		if c.in != nil {
			c.stopWatch = make(chan struct{})
			go c.watchStdin(r, c.stopWatch)
		}
		c.mu.Unlock()
	case protocol.ExecuteResult:
		var res protocol.ExecuteResultContent
		_ = m.Decode(&res)
		if text, ok := res.Data["text/plain"].(string); ok {
			c.mu.Lock()
			r.exec.result = &text
			c.mu.Unlock()
		}
	}
}

// stopStdinWatch ends the watch of the running cell (c.mu held).
func (c *Carrier) stopStdinWatch() {
	if c.stopWatch != nil {
		close(c.stopWatch)
		c.stopWatch = nil
	}
	c.running = nil
}

// finishExecute completes an execute_reply as Jupyter's clients expect
// it (payload and user_expressions when ok) and records the cell in the
// history.
func (c *Carrier) finishExecute(m *protocol.Message, r *route) *protocol.Message {
	var reply map[string]json.RawMessage
	if err := json.Unmarshal(m.Content, &reply); err != nil {
		return m
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running == r {
		c.stopStdinWatch()
	}
	if r.exec == nil {
		return m
	}
	c.executing--
	var status string
	_ = json.Unmarshal(reply["status"], &status)
	var count int
	_ = json.Unmarshal(reply["execution_count"], &count)
	if r.exec.storeHistory && status != "aborted" {
		c.history.add(count, r.exec.code, r.exec.result)
	}
	if status != "ok" {
		r.exec = nil
		return m
	}
	exprs := map[string]any{}
	for _, k := range r.exec.userExprs {
		exprs[k] = map[string]any{
			"status": "error", "ename": "NotSupported", "evalue": "the Firn kernel does not evaluate user_expressions",
			"traceback": []string{},
		}
	}
	r.exec = nil
	reply["user_expressions"], _ = json.Marshal(exprs)
	if _, ok := reply["payload"]; !ok {
		reply["payload"] = json.RawMessage("[]")
	}
	content, err := json.Marshal(reply)
	if err != nil {
		return m
	}
	out := *m
	out.Content = content
	return &out
}

// sendTo sends m to the client of route r, on r's socket (or m's
// channel when that is stdin).
func (c *Carrier) sendTo(r *route, m *protocol.Message) {
	f, err := encode(m, r.header)
	if err != nil {
		c.logf("%s: %v", m.Type(), err)
		return
	}
	f.ids = r.ids
	s := c.shell
	switch {
	case m.Channel == Stdin:
		s = c.stdin
	case r.channel == protocol.Control:
		s = c.control
	}
	if err := s.SendMulti(zmq4.NewMsgFrom(f.signed(c.sign).list()...)); err != nil {
		select {
		case <-c.closed:
		default:
			c.logf("%s to a client: %v", m.Type(), err)
		}
	}
}

// sendIOPub publishes m, with the header of its request as its parent.
func (c *Carrier) sendIOPub(m *protocol.Message, r *route) error {
	var parent []byte
	if r != nil {
		parent = r.header
	}
	f, err := encode(m, parent)
	if err != nil {
		c.logf("%s: %v", m.Type(), err)
		return nil
	}
	f.ids = [][]byte{[]byte("kernel." + m.Header.Session + "." + m.Type())}
	if err := c.iopub.SendMulti(zmq4.NewMsgFrom(f.signed(c.sign).list()...)); err != nil {
		select {
		case <-c.closed:
			return errClosed
		default:
		}
		c.logf("publish %s: %v", m.Type(), err)
	}
	return nil
}

// newMessage makes a message of the kernel's session answering r.
func (c *Carrier) newMessage(r *route, channel, msgType string, content any) (*protocol.Message, error) {
	c.mu.Lock()
	session := c.session
	c.mu.Unlock()
	if session == "" {
		session = protocol.NewID()
		c.mu.Lock()
		c.session = session
		c.mu.Unlock()
	}
	var parent *protocol.Header
	if r != nil {
		parent = &protocol.Header{MsgID: r.id}
	}
	return protocol.New(session, channel, msgType, parent, content)
}

// publish publishes a message of the carrier's own on iopub.
func (c *Carrier) publish(r *route, msgType string, content any) {
	m, err := c.newMessage(r, protocol.IOPub, msgType, content)
	if err != nil {
		c.logf("%s: %v", msgType, err)
		return
	}
	_ = c.sendIOPub(m, r)
}

// status publishes the kernel's state while it handles r.
func (c *Carrier) status(r *route, state string) {
	c.publish(r, protocol.Status, protocol.StatusContent{ExecutionState: state})
}

// answer sends the carrier's own reply to r.
func (c *Carrier) answer(r *route, msgType string, content any) {
	m, err := c.newMessage(r, r.channel, msgType, content)
	if err != nil {
		c.logf("%s: %v", msgType, err)
		return
	}
	c.sendTo(r, m)
}

var errClosed = errors.New("jupyter: the carrier is closed")

// Close closes the sockets; Receive then returns io.EOF. Messages
// published just before get a moment (linger) to leave.
func (c *Carrier) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.mu.Lock()
		c.stopStdinWatch()
		c.mu.Unlock()
		time.Sleep(linger)
		c.closeSockets()
	})
	return nil
}

// linger is how long Close lets published messages leave: the PUB
// socket sends from a queue of its own, which it drops when closed.
const linger = 50 * time.Millisecond

func (c *Carrier) closeSockets() {
	for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub, c.hb} {
		if s != nil {
			s.Close()
		}
	}
}

// watchParent closes the carrier when the process that started the
// kernel has gone (the kernel is then a child of another process).
func (c *Carrier) watchParent() {
	ppid := os.Getppid()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-t.C:
			if os.Getppid() != ppid {
				c.logf("the process that started this kernel (%d) has gone; ending", ppid)
				go c.Close()
				return
			}
		}
	}
}

// ListenKernel opens the carrier of a kernel process that Jupyter
// started with a connection file, as `firn kernel --connection-file
// FILE` does (it is a kernel.Listener): the process's standard input
// becomes Jupyter's (input_request), and the kernel ends with the
// process that started it when that is jupyter_client (JPY_PARENT_PID).
func ListenKernel(ctx context.Context, connectionFile string) (protocol.Transport, error) {
	return ListenFile(ctx, connectionFile, Options{Stdin: true, WatchParent: os.Getenv("JPY_PARENT_PID") != ""})
}
