package kernel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// Options configure a kernel started by the client.
type Options struct {
	// Command is the kernel program and its first arguments; the client
	// appends --workspace, --memory-limit, --temp and --trusted. Default: this
	// program with the argument "kernel" (`firn kernel`).
	Command []string
	// Dir is the workspace: the kernel's working directory and the only
	// folder its cells may write to. Default: the working directory.
	Dir string
	// Env is added to the kernel's environment (NAME=VALUE entries).
	// Of the client's own environment a kernel gets only HOME, USER,
	// LOGNAME, LANG, LC_*, TZ, PATH, TMPDIR and TERM (on Windows also
	// SYSTEMROOT, WINDIR, USERPROFILE, USERNAME, TEMP, TMP, APPDATA and
	// LOCALAPPDATA), and the variables PassEnv names.
	Env []string
	// PassEnv names more variables of the client's environment that the
	// kernel gets (`--kernel-env NAME`); a name ending in "*" is a prefix.
	PassEnv []string
	// MemoryLimit of the kernel process in bytes (default 2 GiB).
	MemoryLimit int64
	// Trusted lifts the sandbox (network, programs, writes anywhere).
	Trusted bool
	// InterruptGrace is how long an interrupted cell may take to stop
	// before the client kills and restarts the kernel (default 3 s).
	InterruptGrace time.Duration
	// NoAutoRestart keeps a dead kernel dead (Execute then fails until
	// Restart).
	NoAutoRestart bool
	// Unsolicited receives published messages that belong to no pending
	// request: output of goroutines whose cell has ended, status. It is
	// called from the client's reader goroutine and must not block.
	Unsolicited func(*protocol.Message)
}

// Event kinds.
const (
	EventDied      = "died"      // the kernel process ended unexpectedly; Cause says why
	EventRestarted = "restarted" // a fresh kernel process replaced it (its variables are gone)
)

// Event reports a change in the kernel's life.
type Event struct {
	Kind  string
	Cause string
	Time  time.Time
}

// DiedError is returned by requests pending when the kernel died.
type DiedError struct{ Cause string }

func (e *DiedError) Error() string { return "kernel died: " + e.Cause }

// ErrClosed is returned after Shutdown.
var ErrClosed = errors.New("kernel: shut down")

// Kernel is a kernel process and the client's connection to it. Its
// methods are safe for concurrent use. After a death it restarts itself
// (unless Options.NoAutoRestart): the *Kernel stays valid, the state of
// the cells is lost, and Events says so.
type Kernel struct {
	opts   Options
	events chan Event

	mu      sync.Mutex
	proc    *process
	pending map[string]*call
	info    protocol.KernelInfoReplyContent
	closed  bool
}

type call struct {
	proc    *process
	out     func(*protocol.Message)
	reply   chan *protocol.Message
	execute bool
	count   atomic.Int64 // of an execute_request, from its execute_input
}

// process is one kernel process.
type process struct {
	cmd      *exec.Cmd
	conn     *protocol.Conn
	session  string
	exited   chan struct{}
	readDone chan struct{} // all its messages have been dispatched
	tail     *tailBuffer
	reqW     *os.File

	mu          sync.Mutex
	killReason  string // why the client killed it, if it did
	cause       string // why it ended, once exited
	outOfMemory bool   // it ended for passing its memory limit
}

// Start starts a kernel process and waits until it answers.
func Start(ctx context.Context, opts Options) (*Kernel, error) {
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultMemoryLimit
	}
	if opts.InterruptGrace == 0 {
		opts.InterruptGrace = 3 * time.Second
	}
	if len(opts.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("kernel: find the firn program: %w", err)
		}
		opts.Command = []string{exe, "kernel"}
	}
	k := &Kernel{opts: opts, events: make(chan Event, 64), pending: map[string]*call{}}
	if err := k.launch(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// Events delivers deaths and restarts. Events are dropped when nobody
// reads them and 64 are waiting.
func (k *Kernel) Events() <-chan Event { return k.events }

// Info is the kernel_info of the running kernel process.
func (k *Kernel) Info() protocol.KernelInfoReplyContent {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.info
}

// Pid is the process id of the running kernel process (0 if none).
func (k *Kernel) Pid() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.proc == nil || k.proc.cmd.Process == nil {
		return 0
	}
	return k.proc.cmd.Process.Pid
}

func (k *Kernel) emit(e Event) {
	e.Time = time.Now()
	select {
	case k.events <- e:
	default:
	}
}

// launch starts a kernel process and waits for its kernel_info.
func (k *Kernel) launch(ctx context.Context) error {
	args := append([]string(nil), k.opts.Command[1:]...)
	args = append(args, "--memory-limit", strconv.FormatInt(k.opts.MemoryLimit, 10))
	dir := k.opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return fmt.Errorf("kernel: workspace: %w", err)
		}
	}
	args = append(args, "--workspace", dir)
	if k.opts.Trusted {
		args = append(args, "--trusted")
	}
	// The kernel's temporary folder, its TMPDIR: the one place outside
	// the workspace where compiled code run by a sandboxed cell may
	// write (gonum's PDF fonts, mime/multipart), gone with the kernel.
	tmp, err := os.MkdirTemp("", "firn-kernel-")
	if err != nil {
		return fmt.Errorf("kernel: temporary folder: %w", err)
	}
	args = append(args, "--temp", tmp)
	cmd := exec.Command(k.opts.Command[0], args...)
	cmd.Dir = dir
	cmd.Env = kernelEnv(os.Environ(), k.opts.PassEnv, k.opts.Env, runtime.GOOS)
	setProcessGroup(cmd)
	reqR, reqW, err := os.Pipe()
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("kernel: pipe: %w", err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		os.RemoveAll(tmp)
		return fmt.Errorf("kernel: pipe: %w", err)
	}
	cmd.ExtraFiles = []*os.File{reqR, repW} // descriptors 3 and 4
	p := &process{cmd: cmd, exited: make(chan struct{}), readDone: make(chan struct{}), tail: &tailBuffer{max: 16 << 10}, reqW: reqW}
	cmd.Stdout = p.tail
	cmd.Stderr = p.tail
	if err := cmd.Start(); err != nil {
		reqR.Close()
		reqW.Close()
		repR.Close()
		repW.Close()
		os.RemoveAll(tmp)
		return fmt.Errorf("kernel: start %s: %w", k.opts.Command[0], err)
	}
	go func() {
		<-p.exited
		os.RemoveAll(tmp)
	}()
	reqR.Close()
	repW.Close()
	p.conn = protocol.NewConn(repR, reqW)
	p.session = protocol.NewID()

	k.mu.Lock()
	k.proc = p
	k.mu.Unlock()
	go k.read(p, repR)
	go k.wait(p)

	reply, err := k.request(ctx, p, protocol.Shell, protocol.KernelInfoRequest, struct{}{}, nil, false)
	if err != nil {
		return fmt.Errorf("kernel: start: %w", err)
	}
	var info protocol.KernelInfoReplyContent
	if err := reply.Decode(&info); err != nil {
		return err
	}
	k.mu.Lock()
	k.info = info
	k.mu.Unlock()
	return nil
}

// read dispatches the messages of one kernel process.
func (k *Kernel) read(p *process, r *os.File) {
	defer close(p.readDone)
	defer r.Close()
	for {
		m, err := p.conn.Receive()
		if err != nil {
			return
		}
		k.mu.Lock()
		c := k.pending[m.Parent()]
		if c != nil && m.Channel != protocol.IOPub {
			delete(k.pending, m.Parent())
		}
		k.mu.Unlock()
		switch {
		case c == nil:
			if k.opts.Unsolicited != nil {
				k.opts.Unsolicited(m)
			}
		case m.Channel == protocol.IOPub:
			if m.Type() == protocol.ExecuteInput {
				var in protocol.ExecuteInputContent
				if m.Decode(&in) == nil {
					c.count.Store(int64(in.ExecutionCount))
				}
			}
			if c.out != nil && (!c.execute || (m.Type() != protocol.Status && m.Type() != protocol.ExecuteInput)) {
				c.out(m)
			}
		default:
			c.reply <- m
		}
	}
}

// wait notices the end of a kernel process, fails its pending requests
// and, unless the kernel was shut down, restarts it.
func (k *Kernel) wait(p *process) {
	err := p.cmd.Wait()
	p.reqW.Close()
	p.mu.Lock()
	tail := p.tail.String()
	p.cause = deathCause(p.killReason, err, tail)
	if p.killReason == "" && memoryDeath(tail) {
		p.outOfMemory = true
		p.cause = "it passed its memory limit of " + bytesText(k.opts.MemoryLimit) + ": " + p.cause
	}
	cause := p.cause
	p.mu.Unlock()
	close(p.exited)

	k.mu.Lock()
	for id, c := range k.pending {
		if c.proc == p {
			delete(k.pending, id)
			close(c.reply)
		}
	}
	current := k.proc == p
	restart := current && !k.closed && !k.opts.NoAutoRestart
	closed := k.closed
	k.mu.Unlock()
	if !current || closed {
		return
	}
	k.emit(Event{Kind: EventDied, Cause: cause})
	if restart {
		if err := k.launch(context.Background()); err != nil {
			k.emit(Event{Kind: EventDied, Cause: "restart failed: " + err.Error()})
			return
		}
		k.emit(Event{Kind: EventRestarted, Cause: cause})
	}
}

// deathCause says why a kernel process ended, from the client's reason
// for killing it, the exit status and the end of its own stderr (where
// the Go runtime writes fatal errors and uncaught panics).
func deathCause(killReason string, waitErr error, tail string) string {
	var parts []string
	if killReason != "" {
		parts = append(parts, killReason)
	}
	status := "exited normally"
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		status = ee.String() // "exit status 2", "signal: killed"
	} else if waitErr != nil {
		status = waitErr.Error()
	}
	parts = append(parts, "kernel process "+status)
	if msg := crashMessage(tail); msg != "" {
		parts = append(parts, msg)
	}
	return strings.Join(parts, ": ")
}

// crashMessage picks the meaningful lines of a kernel's stderr: from the
// first "panic:", "fatal error:" or "firn kernel:" line, a few lines.
func crashMessage(tail string) string {
	lines := strings.Split(strings.TrimSpace(tail), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "firn kernel:") {
			end := min(len(lines), i+4)
			var keep []string
			for _, x := range lines[i:end] {
				if strings.HasPrefix(x, "goroutine ") || strings.HasPrefix(x, "runtime stack:") {
					break
				}
				if x = strings.TrimSpace(x); x != "" {
					keep = append(keep, x)
				}
			}
			return strings.Join(keep, " ")
		}
	}
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.TrimSpace(strings.Join(lines, " "))
}

// request sends a request to process p (the current one if nil) and waits
// for its reply; out receives the published messages that belong to it.
func (k *Kernel) request(ctx context.Context, p *process, channel, msgType string, content any, out func(*protocol.Message), execute bool) (*protocol.Message, error) {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil, ErrClosed
	}
	if p == nil {
		p = k.proc
	}
	if p == nil {
		k.mu.Unlock()
		return nil, errors.New("kernel: no kernel process (a restart failed or is under way)")
	}
	m, err := protocol.New(p.session, channel, msgType, nil, content)
	if err != nil {
		k.mu.Unlock()
		return nil, err
	}
	c := &call{proc: p, out: out, reply: make(chan *protocol.Message, 1), execute: execute}
	k.pending[m.Header.MsgID] = c
	k.mu.Unlock()
	select {
	case <-p.exited:
		return nil, p.died()
	default:
	}
	if err := p.conn.Send(m); err != nil {
		k.forget(m.Header.MsgID)
		select {
		case <-p.exited:
			return nil, p.died()
		default:
			return nil, err
		}
	}
	select {
	case r, ok := <-c.reply:
		if !ok {
			if msgType == protocol.ExecuteRequest {
				if r := k.memoryLimitReply(p, c, m); r != nil {
					return r, nil
				}
			}
			return nil, p.died()
		}
		return r, nil
	case <-ctx.Done():
		k.forget(m.Header.MsgID)
		return nil, ctx.Err()
	}
}

func (k *Kernel) forget(id string) {
	k.mu.Lock()
	delete(k.pending, id)
	k.mu.Unlock()
}

// died waits for the process's cause of death (it has exited or is
// exiting) and returns it as an error.
func (p *process) died() error {
	<-p.exited
	p.mu.Lock()
	defer p.mu.Unlock()
	return &DiedError{Cause: p.cause}
}

// Execute runs code as one cell. out receives the cell's published
// messages in order (stream, display_data, update_display_data,
// execute_result, error). It returns the execute_reply; err is non-nil
// only when the kernel died during the cell (a *DiedError) or ctx ended.
// A kernel that dies for passing its memory limit fails the cell that
// was running with the error MemoryLimit, as the kernel would (an error
// message to out and an error reply, see memoryLimitReply), and then
// restarts.
func (k *Kernel) Execute(ctx context.Context, code string, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error) {
	return k.ExecuteRequest(ctx, protocol.ExecuteRequestContent{Code: code, StoreHistory: true, StopOnError: true}, out)
}

// ExecuteRequest is Execute with all of Jupyter's execute options.
func (k *Kernel) ExecuteRequest(ctx context.Context, req protocol.ExecuteRequestContent, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error) {
	var reply protocol.ExecuteReplyContent
	m, err := k.request(ctx, nil, protocol.Shell, protocol.ExecuteRequest, req, out, true)
	if err != nil {
		return reply, err
	}
	return reply, m.Decode(&reply)
}

// Complete asks for completions of the code at the cursor (in code
// points).
func (k *Kernel) Complete(ctx context.Context, code string, cursorPos int) (protocol.CompleteReplyContent, error) {
	var reply protocol.CompleteReplyContent
	m, err := k.request(ctx, nil, protocol.Shell, protocol.CompleteRequest, protocol.CompleteRequestContent{Code: code, CursorPos: cursorPos}, nil, false)
	if err != nil {
		return reply, err
	}
	return reply, m.Decode(&reply)
}

// Inspect asks for the documentation of the name at the cursor.
func (k *Kernel) Inspect(ctx context.Context, code string, cursorPos int) (protocol.InspectReplyContent, error) {
	var reply protocol.InspectReplyContent
	m, err := k.request(ctx, nil, protocol.Shell, protocol.InspectRequest, protocol.InspectRequestContent{Code: code, CursorPos: cursorPos}, nil, false)
	if err != nil {
		return reply, err
	}
	return reply, m.Decode(&reply)
}

// Request sends any request message type with its content and returns
// the reply; out receives every published message that belongs to it
// (status included). The notebook server relays the browser's requests
// with it.
func (k *Kernel) Request(ctx context.Context, channel, msgType string, content any, out func(*protocol.Message)) (*protocol.Message, error) {
	return k.request(ctx, nil, channel, msgType, content, out, false)
}

// Interrupt asks the running cell to stop. If a cell is still running
// InterruptGrace later, the client kills the kernel process and starts a
// fresh one (Events reports it, and the cell's Execute returns a
// *DiedError saying so).
func (k *Kernel) Interrupt() error {
	k.mu.Lock()
	p := k.proc
	running := false
	for _, c := range k.pending {
		running = running || (c.execute && c.proc == p)
	}
	closed := k.closed
	k.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if p == nil {
		return nil
	}
	m, err := protocol.New(p.session, protocol.Control, protocol.InterruptRequest, nil, struct{}{})
	if err != nil {
		return err
	}
	if err := p.conn.Send(m); err != nil {
		return fmt.Errorf("kernel: interrupt: %w", err)
	}
	if running {
		go k.enforceInterrupt(p)
	}
	return nil
}

// enforceInterrupt kills p if it still runs a cell after the grace time.
func (k *Kernel) enforceInterrupt(p *process) {
	t := time.NewTimer(k.opts.InterruptGrace)
	defer t.Stop()
	for {
		select {
		case <-p.exited:
			return
		case <-t.C:
			k.mu.Lock()
			running := false
			for _, c := range k.pending {
				running = running || (c.execute && c.proc == p)
			}
			k.mu.Unlock()
			if running {
				p.kill(fmt.Sprintf("the cell did not stop within %s of the interrupt, so the kernel was restarted", k.opts.InterruptGrace))
			}
			return
		}
	}
}

func (p *process) kill(reason string) {
	p.mu.Lock()
	if p.killReason == "" {
		p.killReason = reason
	}
	p.mu.Unlock()
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

// Restart replaces the kernel process with a fresh one.
func (k *Kernel) Restart(ctx context.Context) error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return ErrClosed
	}
	old := k.proc
	k.proc = nil // the old process's death is not reported as unexpected
	k.mu.Unlock()
	if old != nil { // nil after a failed automatic restart: just start one
		old.kill("restarted by the user")
		<-old.exited
	}
	if err := k.launch(ctx); err != nil {
		return err
	}
	k.emit(Event{Kind: EventRestarted, Cause: "restarted by the user"})
	return nil
}

// Shutdown asks the kernel to end, waits until it has (or kills it when
// ctx ends first, or when it has not ended InterruptGrace after
// answering), and closes the client.
func (k *Kernel) Shutdown(ctx context.Context) error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil
	}
	p := k.proc
	k.mu.Unlock()
	if p != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := k.request(sctx, p, protocol.Control, protocol.ShutdownRequest, protocol.ShutdownContent{}, nil, false)
		cancel()
		k.mu.Lock()
		k.closed = true
		k.mu.Unlock()
		if err != nil {
			p.kill("shut down")
		}
		// A kernel that answered but does not end (a cell that ignores
		// its interrupt) is killed after the interrupt grace.
		grace := time.NewTimer(k.opts.InterruptGrace + time.Second)
		defer grace.Stop()
		select {
		case <-p.exited:
		case <-grace.C:
			p.kill("shut down: the kernel did not end after answering the shutdown request")
			<-p.exited
		case <-ctx.Done():
			p.kill("shut down")
			<-p.exited
		}
	}
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	return nil
}

// tailBuffer keeps the first headMax and the last max bytes written to
// it: a kernel writes nothing to its stderr until it crashes, and then
// the runtime's message ("fatal error: out of memory") comes first and
// the stacks of all goroutines after it.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	head, b []byte
	skipped bool // bytes between head and b were dropped
}

// headMax is how much of the start of a kernel's stderr is kept.
const headMax = 4 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if room := headMax - len(t.head); room > 0 {
		k := min(room, len(p))
		t.head = append(t.head, p[:k]...)
		p = p[k:]
	}
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
		t.skipped = true
	}
	return n, nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.skipped {
		return string(t.head) + "\n…\n" + string(t.b)
	}
	return string(t.head) + string(t.b)
}
