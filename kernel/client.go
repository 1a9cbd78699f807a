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
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// Options configure a kernel started by the client.
type Options struct {
	// Command is the kernel program and its first arguments; the client
	// appends --workspace, --memory-limit and --trusted, and the launcher
	// --temp and its transport's flags. Default: this program with the
	// argument "kernel" (`firn kernel`).
	Command []string
	// Launcher starts the kernel processes and connects to them
	// (default: DefaultLauncher(), over pipes; over loopback TCP on
	// Windows).
	Launcher Launcher
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
	// CPULimit is the CPU time a kernel process may use, summed over its
	// life (zero: no limit; whole seconds, at least one): at the limit the
	// system ends it (RLIMIT_CPU, on Unix), and the death says so. It
	// keeps a runaway cell from holding a shared machine's cores for good.
	CPULimit time.Duration
	// Trusted lifts the sandbox (network, programs, writes anywhere).
	Trusted bool
	// RunAs, when not nil, runs the kernel processes under that Unix
	// account: its user and group ids, and the owner of its temporary
	// folder. `firn hub`, run as root, gives each of its users one, so
	// that the system keeps one user's cells out of another's files
	// even with the sandbox lifted. Local launchers only (the Slurm one
	// refuses it); not on Windows.
	RunAs *Account
	// Cgroups are cgroup.procs files the kernel process is written into
	// as soon as it has started (`firn hub`'s group of the user, with
	// its CPU share and caps: see internal/cgroup). A process that
	// cannot join is stopped. Local launchers only.
	Cgroups []string
	// OutOfMemory, when not nil, is asked after a kernel process was
	// killed by the system (SIGKILL, not the client's doing) whether a
	// memory limit outside the process did it (a cgroup's: it reads the
	// group's OOM kills); a non-empty answer says which, and the death is
	// then reported as a MemoryLimit one.
	OutOfMemory func() string
	// ConfineReads also confines the cells' reading, with Landlock, to
	// the workspace and the system's folders (`firn kernel
	// --confine-reads`): what `firn hub` asks for, so that one user's
	// cells cannot read another user's files. Without Landlock (Linux
	// 5.13 and later) such a kernel does not start.
	ConfineReads bool
	// InterruptGrace is how long an interrupted cell may take to stop
	// before the client kills and restarts the kernel (default 3 s).
	InterruptGrace time.Duration
	// NoAutoRestart keeps a dead kernel dead (Execute then fails until
	// Restart).
	NoAutoRestart bool
	// Status, when not nil, hears how a start or restart that waits goes
	// (a Slurm kernel's place in the queue: see Spec.Status). It is
	// called from the goroutine that starts the kernel.
	Status func(string)
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
	// Process numbers the kernel process the event is about: 1 for the
	// first, counting restarts (EventDied: the one that died;
	// EventRestarted: the new one).
	Process int
}

// DiedError is returned by requests pending when the kernel died.
type DiedError struct {
	// Cause says why, as EventDied does.
	Cause string
	// Name is the kind of death, an ename for an error output:
	// "StackOverflow" (a cell recursed without end: the Go runtime
	// ended the process), or "KernelDied".
	Name string
	// Process numbers the process that died (see Event.Process).
	Process int
}

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
	proc    *instance
	pending map[string]*call
	info    protocol.KernelInfoReplyContent
	closed  bool
	procs   int // processes launched
	// restarting is closed when the restart under way ends (nil when
	// none is): requests for the current process wait for it.
	restarting chan struct{}
}

type call struct {
	proc    *instance
	out     func(*protocol.Message)
	reply   chan *protocol.Message
	execute bool
	cell    int // execution count of a running cell (its execute_input); k.mu
}

// instance is one kernel process and what the client knows of it.
type instance struct {
	conn     Process
	session  string
	exited   chan struct{}
	readDone chan struct{} // all its messages have been dispatched
	tail     *tailBuffer

	n int // its number (Event.Process)

	mu          sync.Mutex
	killReason  string // why the client killed it, if it did
	cause       string // why it ended, once exited
	name        string // the kind of death (DiedError.Name), once exited
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
	if opts.Launcher == nil {
		opts.Launcher = DefaultLauncher()
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

// Launcher says where the kernel runs and what carries its messages.
func (k *Kernel) Launcher() LauncherInfo { return k.opts.Launcher.Info() }

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
	if k.proc == nil {
		return 0
	}
	if p, ok := k.proc.conn.(interface{ Pid() int }); ok {
		return p.Pid()
	}
	return 0
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
	args := append([]string(nil), k.opts.Command...)
	args = append(args, "--memory-limit", strconv.FormatInt(k.opts.MemoryLimit, 10))
	if k.opts.CPULimit > 0 {
		args = append(args, "--cpu-limit", strconv.FormatInt(max(1, int64(k.opts.CPULimit/time.Second)), 10)+"s")
	}
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
	if k.opts.ConfineReads {
		args = append(args, "--confine-reads")
	}
	tail := &tailBuffer{max: 16 << 10}
	conn, err := k.opts.Launcher.Launch(ctx, Spec{
		Command: args, Dir: dir, Stderr: tail, Status: k.opts.Status, RunAs: k.opts.RunAs, Cgroups: k.opts.Cgroups,
		Env: kernelEnv(os.Environ(), k.opts.PassEnv, k.opts.Env, runtime.GOOS),
	})
	if err != nil {
		if msg := crashMessage(tail.Notes(), tail.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	p := &instance{conn: conn, session: protocol.NewID(), exited: make(chan struct{}), readDone: make(chan struct{}), tail: tail}

	k.mu.Lock()
	k.procs++
	p.n = k.procs
	k.proc = p
	k.mu.Unlock()
	go k.read(p)
	go k.wait(p)

	reply, err := k.request(ctx, p, protocol.Shell, protocol.KernelInfoRequest, struct{}{}, nil, false)
	var info protocol.KernelInfoReplyContent
	if err == nil {
		err = reply.Decode(&info)
	}
	if err != nil {
		k.abandon(p)
		return fmt.Errorf("kernel: start: %w", err)
	}
	k.mu.Lock()
	k.info = info
	k.mu.Unlock()
	return nil
}

// abandon ends process p, started but not answering its kernel_info
// request (ctx ended, or it died), and returns once it has ended: a kernel
// whose start was given up must not outlive it (a server shutting down
// while a kernel starts would leave it running, or a Slurm job queued). It
// is no longer the current process, so its end is not reported as a death
// and starts no automatic restart.
func (k *Kernel) abandon(p *instance) {
	k.mu.Lock()
	if k.proc == p {
		k.proc = nil
	}
	k.mu.Unlock()
	p.kill("its start was given up")
	<-p.exited
}

// read dispatches the messages of one kernel process.
func (k *Kernel) read(p *instance) {
	defer close(p.readDone)
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
		if c != nil && c.execute && m.Type() == protocol.ExecuteInput {
			var in protocol.ExecuteInputContent
			if m.Decode(&in) == nil {
				c.cell = in.ExecutionCount
			}
		}
		k.mu.Unlock()
		switch {
		case c == nil:
			if k.opts.Unsolicited != nil {
				k.opts.Unsolicited(m)
			}
		case m.Channel == protocol.IOPub:
			if c.out != nil && (!c.execute || (m.Type() != protocol.Status && m.Type() != protocol.ExecuteInput)) {
				c.out(m)
			}
		default:
			c.reply <- m
		}
	}
}

// wait notices the end of a kernel process, reports it and fails its
// pending requests (in that order: a client that learns of the death
// from a request has had the event), and, unless the kernel was shut
// down, restarts it. Requests for the current process that come during
// the restart wait for the new process.
func (k *Kernel) wait(p *instance) {
	err := p.conn.Wait()
	// The messages still on their way (the cell's execute_input) first.
	// A program that a trusted cell started may hold a pipe open: then
	// not for long.
	select {
	case <-p.readDone:
	case <-time.After(2 * time.Second):
	}
	p.conn.Close()

	k.mu.Lock()
	cell := 0
	var failed []*call
	for id, c := range k.pending {
		if c.proc == p {
			delete(k.pending, id)
			failed = append(failed, c)
			if c.execute && c.cell > 0 {
				cell = c.cell
			}
		}
	}
	current := k.proc == p
	closed := k.closed
	// A process that dies while a restart is under way is the new one,
	// failing at its start: launch reports that.
	report := current && !closed && k.restarting == nil
	restart := report && !k.opts.NoAutoRestart
	if restart {
		k.restarting = make(chan struct{})
	}
	k.mu.Unlock()

	p.mu.Lock()
	notes, tail := p.tail.Notes(), p.tail.String()
	p.name, p.cause = deathCause(p.killReason, err, notes, tail, cell)
	status := ""
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		status = ee.String()
	}
	if k.opts.CPULimit > 0 && cpuLimitDeath(notes, status) {
		p.name = "CPULimit"
		p.cause = fmt.Sprintf("it used up its CPU time, %s (a limit of this server; a restart gives it a fresh budget): %s", k.opts.CPULimit.Round(time.Second), p.cause)
	}
	if p.killReason == "" && memoryDeath(strings.Join(notes, "\n")+"\n"+tail) {
		p.outOfMemory, p.name = true, "MemoryLimit"
		p.cause = "it passed its memory limit of " + bytesText(k.opts.MemoryLimit) + ": " + p.cause
	} else if p.killReason == "" && k.opts.OutOfMemory != nil && strings.HasSuffix(status, "signal: killed") {
		if why := k.opts.OutOfMemory(); why != "" {
			p.outOfMemory, p.name = true, "MemoryLimit"
			p.cause = why + ": " + p.cause
		}
	}
	cause := p.cause
	p.mu.Unlock()
	if report {
		k.emit(Event{Kind: EventDied, Cause: cause, Process: p.n})
	}
	close(p.exited)
	for _, c := range failed {
		close(c.reply)
	}
	if !restart {
		return
	}
	err = k.launch(context.Background())
	k.mu.Lock()
	done := k.restarting
	k.restarting = nil
	if err != nil {
		k.proc = nil
	}
	n := k.procs
	k.mu.Unlock()
	close(done)
	if err != nil {
		k.emit(Event{Kind: EventDied, Cause: "restart failed: " + err.Error(), Process: n})
		return
	}
	k.emit(Event{Kind: EventRestarted, Cause: cause, Process: n})
}

// deathCause says why a kernel process ended, from the client's reason
// for killing it, the exit status and the end of its own stderr (where
// the Go runtime writes fatal errors and uncaught panics): the kind of
// death (DiedError.Name) and a sentence. cell is the execution count of
// the cell that was running (0: none).
func deathCause(killReason string, waitErr error, notes []string, tail string, cell int) (name, cause string) {
	var parts []string
	name = "KernelDied"
	if stackOverflow(notes) {
		name = "StackOverflow"
		what := "stack overflow"
		if cell > 0 {
			what += fmt.Sprintf(" in cell [%d]", cell)
		}
		parts = append(parts, what+": a function called itself too deeply (a recursion without end?), and the Go runtime ended the kernel")
	}
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
	if name == "KernelDied" {
		if msg := crashMessage(notes, tail); msg != "" {
			parts = append(parts, msg)
		}
	}
	return name, strings.Join(parts, ": ")
}

// stackOverflow reports whether a crash report is the Go runtime's end
// of a goroutine whose stack outgrew its limit: "fatal error: stack
// overflow", or, in the crash output, a throw from runtime.newstack.
func stackOverflow(notes []string) bool {
	thrown := false
	for _, l := range notes {
		switch {
		case strings.HasPrefix(l, "fatal error: stack overflow"), strings.HasPrefix(l, "runtime: goroutine stack exceeds"):
			return true
		case strings.HasPrefix(l, "runtime.throw("):
			thrown = true
		case thrown && strings.HasPrefix(l, "runtime.newstack("):
			return true
		}
	}
	return false
}

// crashMessage picks the meaningful lines of a kernel's stderr: the
// noted lines from the first "panic:", "fatal error:" or "firn kernel:"
// on (a few lines), else the last lines.
func crashMessage(notes []string, tail string) string {
	for i, l := range notes {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "firn kernel:") {
			var keep []string
			for _, x := range notes[i:min(len(notes), i+4)] {
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
	lines := strings.Split(strings.TrimSpace(tail), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.TrimSpace(strings.Join(lines, " "))
}

// request sends a request to process p and waits for its reply; out
// receives the published messages that belong to it. With p nil the
// request is for the current process: during a restart it waits for the
// new one, and a request the dead process never received goes to it.
func (k *Kernel) request(ctx context.Context, p *instance, channel, msgType string, content any, out func(*protocol.Message), execute bool) (*protocol.Message, error) {
	current := p == nil
	for {
		k.mu.Lock()
		if k.closed {
			k.mu.Unlock()
			return nil, ErrClosed
		}
		if current {
			if done := k.restarting; done != nil {
				k.mu.Unlock()
				select {
				case <-done:
					continue
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			p = k.proc
		}
		if p == nil {
			k.mu.Unlock()
			return nil, errors.New("kernel: no kernel process (a restart failed: restart the kernel)")
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
			k.forget(m.Header.MsgID)
			if current && k.replaced(p) {
				continue // not sent: to the new process
			}
			return nil, p.died()
		default:
		}
		if err := p.conn.Send(m); err != nil {
			k.forget(m.Header.MsgID)
			// The process is gone (its end of the pipe is closed): wait
			// until the client has noticed, then send to the new one.
			select {
			case <-p.exited:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if current && k.replaced(p) {
				continue
			}
			return nil, p.died()
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
}

// replaced reports whether the exited process p has been, or is being,
// replaced by a new one.
func (k *Kernel) replaced(p *instance) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.restarting != nil || (k.proc != nil && k.proc != p)
}

func (k *Kernel) forget(id string) {
	k.mu.Lock()
	delete(k.pending, id)
	k.mu.Unlock()
}

// died waits for the process's cause of death (it has exited or is
// exiting) and returns it as an error.
func (p *instance) died() error {
	<-p.exited
	p.mu.Lock()
	defer p.mu.Unlock()
	return &DiedError{Cause: p.cause, Name: p.name, Process: p.n}
}

// Execute runs code as one cell. out receives the cell's published
// messages in order (stream, display_data, update_display_data,
// execute_result, error). It returns the execute_reply; err is non-nil
// only when the kernel died during the cell (a *DiedError) or ctx ended.
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
func (k *Kernel) enforceInterrupt(p *instance) {
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

func (p *instance) kill(reason string) {
	p.mu.Lock()
	if p.killReason == "" {
		p.killReason = reason
	}
	p.mu.Unlock()
	_ = p.conn.Kill()
}

// Restart replaces the kernel process with a fresh one.
func (k *Kernel) Restart(ctx context.Context) error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return ErrClosed
	}
	if k.restarting != nil {
		k.mu.Unlock()
		return errors.New("kernel: a restart is under way")
	}
	old := k.proc
	k.proc = nil // the old process's death is not reported as unexpected
	done := make(chan struct{})
	k.restarting = done // requests wait for the new process
	k.mu.Unlock()
	if old != nil { // nil after a failed automatic restart: just start one
		old.kill("restarted by the user")
		<-old.exited
	}
	err := k.launch(ctx)
	k.mu.Lock()
	k.restarting = nil
	if err != nil {
		k.proc = nil
	}
	n := k.procs
	k.mu.Unlock()
	close(done)
	if err != nil {
		return err
	}
	k.emit(Event{Kind: EventRestarted, Cause: "restarted by the user", Process: n})
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

// Kill ends the kernel process at once and closes the client: a request
// under way fails with a *DiedError that gives cause (e.g. "switched to
// the kernel local-tcp by the user"). It is for a kernel being replaced,
// whose running cell must not end as merely interrupted, as it would
// under Shutdown: its variables go with the process.
func (k *Kernel) Kill(cause string) {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return
	}
	k.closed = true
	p := k.proc
	k.mu.Unlock()
	if p != nil {
		p.kill(cause)
		<-p.exited
	}
}

// tailBuffer keeps the last max bytes written to it, and apart from
// them the first lines that say why a process ended (a fatal error's
// first lines come before a goroutine dump that can be far longer than
// max: a stack overflow's is).
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	b     []byte
	line  []byte   // the line being written, up to maxLine bytes
	notes []string // lines that start a crash report, and the lines after them
	after int      // lines still to note after the last start
}

const (
	maxLine  = 512 // bytes of a line kept for a note
	maxNotes = 12  // lines noted
)

// crashStarts begin the lines of a crash report worth keeping. A fatal
// error's first lines ("runtime: goroutine stack exceeds 1000000000-byte
// limit", "fatal error: stack overflow") go to the process's descriptor 2
// only, which a kernel captures as cell output and may not send before it
// dies; its crash output (debug.SetCrashOutput), which the client reads,
// starts at "runtime stack:", whose first frames name the failing check.
var crashStarts = []string{"panic:", "fatal error:", "runtime: goroutine stack exceeds", "firn kernel:", "runtime stack:"}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	for _, c := range p {
		if c != '\n' {
			if len(t.line) < maxLine {
				t.line = append(t.line, c)
			}
			continue
		}
		t.noteLine(strings.TrimRight(string(t.line), "\r"))
		t.line = t.line[:0]
	}
	return len(p), nil
}

// noteLine keeps l if it starts a crash report or follows one closely.
func (t *tailBuffer) noteLine(l string) {
	if len(t.notes) >= maxNotes {
		return
	}
	for _, s := range crashStarts {
		if strings.HasPrefix(l, s) {
			t.notes = append(t.notes, l)
			t.after = 5
			return
		}
	}
	if t.after > 0 {
		t.after--
		if strings.HasPrefix(l, "goroutine ") {
			t.after = 0
			return
		}
		if strings.TrimSpace(l) != "" {
			t.notes = append(t.notes, l)
		}
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// Notes are the noted lines of a crash report (see noteLine).
func (t *tailBuffer) Notes() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.notes...)
}
