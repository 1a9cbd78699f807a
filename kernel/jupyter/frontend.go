package jupyter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/firnglacier/firn/kernel/protocol"
)

// StartOptions say how to start a kernel process.
type StartOptions struct {
	// Argv is the kernel's command line, as a kernelspec's argv: the
	// word "{connection_file}" is replaced by the connection file's path
	// (for Firn: [firn, kernel, --connection-file, {connection_file}]).
	Argv []string
	// Dir is the kernel's working directory ("": this process's).
	Dir string
	// Env is the kernel's environment (nil: this process's).
	Env []string
	// Stderr receives the kernel's standard error (nil: kept, and told
	// in the error when the kernel fails to start).
	Stderr io.Writer
}

// Kernel is a kernel process started with a connection file and spoken
// to over ZeroMQ: a small frontend, for tests and benchmarks, and for
// driving Firn's shared table of cells over Jupyter's wire protocol.
// Execute has the shape of kernel.Kernel's.
type Kernel struct {
	Client *Client
	Info   *ConnectionInfo

	cmd     *exec.Cmd
	dir     string // holds the connection file
	stderr  *bytes.Buffer
	exited  chan struct{}
	session string

	mu      sync.Mutex
	pending map[string]*pendingRequest
	readErr error
	done    chan struct{}
}

// pendingRequest collects what answers one request.
type pendingRequest struct {
	reply chan *protocol.Message
	idle  chan struct{}
	out   func(*protocol.Message)
	input func(prompt string, password bool) string
	seen  bool // status idle arrived
}

// Start writes a connection file with free loopback ports, starts the
// kernel and waits until it answers kernel_info (ctx bounds the wait).
func Start(ctx context.Context, opts StartOptions) (*Kernel, error) {
	info, err := NewConnectionInfo()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "firn-jupyter-")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "kernel.json")
	if err := info.WriteFile(file); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	argv := make([]string, len(opts.Argv))
	for i, a := range opts.Argv {
		argv[i] = strings.ReplaceAll(a, "{connection_file}", file)
	}
	if len(argv) == 0 {
		os.RemoveAll(dir)
		return nil, errors.New("jupyter: no kernel command")
	}
	k := &Kernel{Info: info, dir: dir, exited: make(chan struct{}), session: protocol.NewID(), pending: map[string]*pendingRequest{}, done: make(chan struct{})}
	k.cmd = exec.Command(argv[0], argv[1:]...)
	k.cmd.Dir, k.cmd.Env = opts.Dir, opts.Env
	if opts.Stderr != nil {
		k.cmd.Stderr = opts.Stderr
	} else {
		k.stderr = &bytes.Buffer{}
		k.cmd.Stderr = &lockedWriter{w: k.stderr}
	}
	if err := k.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("jupyter: start %s: %w", argv[0], err)
	}
	go func() { _ = k.cmd.Wait(); close(k.exited) }()
	dialCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	dialed := make(chan error, 1)
	go func() {
		var err error
		k.Client, err = Dial(dialCtx, info)
		dialed <- err
	}()
	select {
	case err = <-dialed:
	case <-k.exited:
		cancel()
		<-dialed
		err = fmt.Errorf("jupyter: the kernel exited before it listened%s", k.diagnosis())
	}
	if err != nil {
		k.Kill()
		return nil, err
	}
	go k.dispatch()
	// The kernel binds its sockets when it is ready; requests sent
	// before are queued by ZeroMQ and delivered once it connects. Any
	// kernel's reply will do (ipykernel's has fields Firn's has not).
	if _, err := k.Request(ctx, protocol.Shell, protocol.KernelInfoRequest, map[string]any{}, false, nil); err != nil {
		k.Kill()
		return nil, err
	}
	return k, nil
}

// lockedWriter serializes writes to a buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// dispatch hands each message from the kernel to the request it answers.
func (k *Kernel) dispatch() {
	defer close(k.done)
	for {
		m, err := k.Client.Receive()
		if err != nil {
			k.mu.Lock()
			k.readErr = err
			k.mu.Unlock()
			return
		}
		k.mu.Lock()
		p := k.pending[m.Parent()]
		k.mu.Unlock()
		if p == nil {
			continue
		}
		switch m.Channel {
		case protocol.Shell, protocol.Control:
			select {
			case p.reply <- m:
			default:
			}
		case Stdin:
			if m.Type() == InputRequest {
				go k.answerInput(m, p)
			}
		case protocol.IOPub:
			if m.Type() == protocol.Status {
				var s protocol.StatusContent
				_ = m.Decode(&s)
				if s.ExecutionState == protocol.Idle {
					k.mu.Lock()
					if !p.seen {
						p.seen = true
						close(p.idle)
					}
					k.mu.Unlock()
				}
				continue
			}
			if p.out != nil {
				p.out(m)
			}
		}
	}
}

func (k *Kernel) answerInput(m *protocol.Message, p *pendingRequest) {
	var req struct {
		Prompt   string `json:"prompt"`
		Password bool   `json:"password"`
	}
	_ = m.Decode(&req)
	value := ""
	if p.input != nil {
		value = p.input(req.Prompt, req.Password)
	}
	reply, err := protocol.New(k.session, Stdin, InputReply, &m.Header, map[string]any{"value": value})
	if err == nil {
		_ = k.Client.Send(reply)
	}
}

// Request sends a request on channel (shell or control) and returns its
// reply; out receives the messages published for it. With waitIdle it
// also waits for the request's status idle, after which all of its
// published messages have arrived.
func (k *Kernel) Request(ctx context.Context, channel, msgType string, content any, waitIdle bool, out func(*protocol.Message)) (*protocol.Message, error) {
	return k.request(ctx, channel, msgType, content, waitIdle, out, nil)
}

func (k *Kernel) request(ctx context.Context, channel, msgType string, content any, waitIdle bool, out func(*protocol.Message), input func(string, bool) string) (*protocol.Message, error) {
	m, err := protocol.New(k.session, channel, msgType, nil, content)
	if err != nil {
		return nil, err
	}
	p := &pendingRequest{reply: make(chan *protocol.Message, 1), idle: make(chan struct{}), out: out, input: input}
	k.mu.Lock()
	k.pending[m.Header.MsgID] = p
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		delete(k.pending, m.Header.MsgID)
		k.mu.Unlock()
	}()
	if err := k.Client.Send(m); err != nil {
		return nil, err
	}
	var reply *protocol.Message
	select {
	case reply = <-p.reply:
	case <-ctx.Done():
		return nil, fmt.Errorf("jupyter: %s: %w%s", msgType, ctx.Err(), k.diagnosis())
	case <-k.exited:
		return nil, fmt.Errorf("jupyter: %s: the kernel exited%s", msgType, k.diagnosis())
	case <-k.done:
		return nil, fmt.Errorf("jupyter: %s: %v", msgType, k.readErr)
	}
	if waitIdle {
		select {
		case <-p.idle:
		case <-ctx.Done():
			return reply, fmt.Errorf("jupyter: %s: waiting for idle: %w", msgType, ctx.Err())
		case <-k.exited:
		}
	}
	return reply, nil
}

// diagnosis is the kernel's standard error, when kept, for errors.
func (k *Kernel) diagnosis() string {
	if k.stderr == nil {
		return ""
	}
	lw := k.cmd.Stderr.(*lockedWriter)
	lw.mu.Lock()
	defer lw.mu.Unlock()
	s := strings.TrimSpace(k.stderr.String())
	if s == "" {
		return ""
	}
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return "; its standard error:\n" + s
}

// KernelInfo asks for the kernel's kernel_info_reply.
func (k *Kernel) KernelInfo(ctx context.Context) (protocol.KernelInfoReplyContent, error) {
	var info protocol.KernelInfoReplyContent
	reply, err := k.Request(ctx, protocol.Shell, protocol.KernelInfoRequest, map[string]any{}, false, nil)
	if err != nil {
		return info, err
	}
	return info, reply.Decode(&info)
}

// ExecuteRequest is an execute_request with the frontend's answer to
// input requests.
type ExecuteRequest struct {
	Code        string
	Silent      bool
	StopOnError bool
	// Input, when not nil, allows stdin: it answers each input_request.
	Input func(prompt string, password bool) string
}

// Execute runs code (store_history, no stdin) and returns its reply once
// every message it published has arrived; out gets them (streams,
// displays, results, errors), as kernel.Kernel's Execute does.
func (k *Kernel) Execute(ctx context.Context, code string, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error) {
	return k.ExecuteRequest(ctx, ExecuteRequest{Code: code}, out)
}

// ExecuteRequest runs a request (see Execute).
func (k *Kernel) ExecuteRequest(ctx context.Context, req ExecuteRequest, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error) {
	var reply protocol.ExecuteReplyContent
	content := map[string]any{
		"code": req.Code, "silent": req.Silent, "store_history": !req.Silent, "user_expressions": map[string]any{},
		"allow_stdin": req.Input != nil, "stop_on_error": req.StopOnError,
	}
	filter := func(m *protocol.Message) {
		if out != nil && m.Type() != protocol.ExecuteInput {
			out(m)
		}
	}
	m, err := k.request(ctx, protocol.Shell, protocol.ExecuteRequest, content, true, filter, req.Input)
	if err != nil {
		return reply, err
	}
	return reply, m.Decode(&reply)
}

// Complete asks for the completions of code at cursorPos (a
// complete_request).
func (k *Kernel) Complete(ctx context.Context, code string, cursorPos int) (protocol.CompleteReplyContent, error) {
	var reply protocol.CompleteReplyContent
	m, err := k.Request(ctx, protocol.Shell, protocol.CompleteRequest, protocol.CompleteRequestContent{Code: code, CursorPos: cursorPos}, false, nil)
	if err != nil {
		return reply, err
	}
	return reply, m.Decode(&reply)
}

// Inspect asks what the name at cursorPos in code is (an
// inspect_request, detail level 0).
func (k *Kernel) Inspect(ctx context.Context, code string, cursorPos int) (protocol.InspectReplyContent, error) {
	var reply protocol.InspectReplyContent
	m, err := k.Request(ctx, protocol.Shell, protocol.InspectRequest, protocol.InspectRequestContent{Code: code, CursorPos: cursorPos}, false, nil)
	if err != nil {
		return reply, err
	}
	return reply, m.Decode(&reply)
}

// Interrupt sends an interrupt_request on the control channel.
func (k *Kernel) Interrupt(ctx context.Context) error {
	_, err := k.Request(ctx, protocol.Control, protocol.InterruptRequest, map[string]any{}, false, nil)
	return err
}

// Shutdown asks the kernel to end (shutdown_request on control) and waits
// for its process; past ctx it kills it. The connection file is removed.
func (k *Kernel) Shutdown(ctx context.Context) error {
	_, err := k.Request(ctx, protocol.Control, protocol.ShutdownRequest, map[string]any{"restart": false}, false, nil)
	if err == nil {
		select {
		case <-k.exited:
		case <-ctx.Done():
			err = fmt.Errorf("jupyter: the kernel did not exit after shutdown: %w", ctx.Err())
		}
	}
	k.Kill()
	return err
}

// Exited is closed when the kernel process has exited.
func (k *Kernel) Exited() <-chan struct{} { return k.exited }

// Pid is the kernel process's id.
func (k *Kernel) Pid() int { return k.cmd.Process.Pid }

// Kill ends the kernel process at once and closes the client.
func (k *Kernel) Kill() {
	if k.cmd.Process != nil {
		_ = k.cmd.Process.Kill()
		<-k.exited
	}
	if k.Client != nil {
		k.Client.Close()
	}
	os.RemoveAll(k.dir)
}
