package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// Kernel states, as in kernel frames and Info.
const (
	Starting   = "starting"
	Idle       = "idle"
	Busy       = "busy"
	Dead       = "dead"
	Restarting = "restarting"
)

// Options configure a session.
type Options struct {
	// Path of the notebook, relative to the workspace (for listing and
	// for finding the session of a notebook again).
	Path string
	// Kernel starts the session's kernel; Dir is the workspace, Launcher
	// where it runs and what carries its messages (default:
	// kernel.DefaultLauncher()). The session sets Unsolicited.
	Kernel kernel.Options
	// KernelName names the kernel in the server's list of kernels
	// (Info's kernel.spec): "local", "local-tcp". Switch changes it.
	KernelName string
	// Bounds of the replay buffer (zero: DefaultMaxFrames, DefaultMaxBytes).
	MaxFrames, MaxBytes int
	Logger              *slog.Logger
	// Now is the clock of LastActive (nil: time.Now).
	Now func() time.Time
}

// Info describes a session, as the sessions API returns it.
type Info struct {
	ID     string     `json:"id"`
	Path   string     `json:"path"`
	Kernel KernelInfo `json:"kernel"`
	// Seq is the seq of the session's last frame when Info was made: a
	// client that connects with since=0 knows that frames up to Seq are
	// a replay of what it has not seen run.
	Seq int64 `json:"seq"`
	// ETag is the etag of the version of the notebook file that the
	// session's frames belong to: the file's when the session started,
	// then that of each save (Saved). A file with another etag was
	// changed by someone else: the frames up to Seq are outputs of other
	// code, not to be replayed onto it. "" when not known.
	ETag string `json:"etag,omitempty"`
}

// KernelInfo is the state of a session's kernel.
type KernelInfo struct {
	State          string `json:"state"`
	ExecutionCount int    `json:"execution_count"`
	// Pid is the kernel's process id (0 while there is no process, or
	// for a kernel that is no process of this machine).
	Pid int `json:"pid"`
	// Name and Transport (JSON "name", "transport") say where the
	// kernel runs and what carries its messages: "local" and "pipe", or
	// "local" and "tcp".
	kernel.LauncherInfo
	// Spec is the kernel's name in the server's list of kernels (what
	// the picker shows and metadata.firn.kernel holds): "local",
	// "local-tcp"; "" when the server gave none.
	Spec string `json:"spec,omitempty"`
}

// Kernel is what a session needs of its kernel client: *kernel.Kernel,
// over any launcher, is one.
type Kernel interface {
	// Request sends a request and returns its reply; out receives the
	// published messages that belong to it.
	Request(ctx context.Context, channel, msgType string, content any, out func(*protocol.Message)) (*protocol.Message, error)
	// Interrupt asks the running cell to stop.
	Interrupt() error
	// Restart replaces the kernel with a fresh one.
	Restart(ctx context.Context) error
	// Shutdown ends the kernel and the client.
	Shutdown(ctx context.Context) error
	// Kill ends the kernel process at once and the client; the request
	// under way fails with a *kernel.DiedError that gives cause.
	Kill(cause string)
	// Events reports the kernel's deaths and restarts.
	Events() <-chan kernel.Event
}

// ExecuteOptions go with an execute request (Jupyter's content has no
// place for them: Firn's own fields of protocol.ExecuteRequestContent).
type ExecuteOptions struct {
	// Widgets are the reader's values of the notebook's widgets, by label.
	Widgets map[string]any
	// Live marks a run the page makes while a widget moves: the kernel
	// renders figures for the page only (SVG, no PNG), for speed.
	Live bool
}

// request is one execute request of a client.
type request struct {
	msgID, cellID, code string
	widgets             map[string]any // the reader's widget values, sent with the request
	live                bool           // a widget's re-run: figures for the page only
	count               atomic.Int64   // the execution count its execute_input gave (0: none yet)
}

// Session is a kernel and what its clients share: the queue of cells to
// run and the log of frames. It outlives its clients.
type Session struct {
	// beforeTail, when set (tests), runs after a cell's request has
	// returned and before the session takes its lock to finish the cell.
	beforeTail func()

	id     string
	opts   Options
	log    *Log
	logger *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	pathMu sync.Mutex // guards opts.Path, which a rename changes, and etag
	etag   string

	mu       sync.Mutex
	k        Kernel
	life     string // Starting, Idle (alive), Dead, Restarting
	running  bool
	count    int
	queue    []*request
	wake     chan struct{} // signals the worker (buffered 1)
	parents  map[string]*request
	order    []string // keys of parents, oldest first
	lastSent string   // last state sent in a kernel frame
	closed   bool
	died     int           // the kernel process whose death was reported last (kernel.Event.Process)
	unwatch  chan struct{} // closed to stop watching the kernel that Switch replaces
	active   time.Time     // the last request or change of state
}

// maxParents bounds how many kernel requests the session remembers to
// route late output (goroutines of ended cells) to its cell.
const maxParents = 4096

// Start makes a session and starts its kernel in the background: the
// session is usable at once (executes wait in the queue) and its first
// frame says "starting".
func Start(id string, opts Options) *Session {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Kernel.Launcher == nil {
		opts.Kernel.Launcher = kernel.DefaultLauncher()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{
		id: id, opts: opts, log: NewLog(opts.MaxFrames, opts.MaxBytes),
		logger: opts.Logger.With("session", id, "path", opts.Path),
		ctx:    ctx, cancel: cancel, life: Starting,
		wake: make(chan struct{}, 1), parents: map[string]*request{},
	}
	s.mu.Lock()
	s.stateChanged("")
	s.mu.Unlock()
	s.wg.Add(1)
	go s.worker()
	return s
}

// Idle says whether the session's kernel is idle (alive, no cell running
// or queued) and since when nothing happened in it: the last request
// (execute, complete, inspect) or change of the kernel's state.
func (s *Session) Idle() (idle bool, since time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state() == Idle && len(s.queue) == 0 && !s.closed, s.active
}

// ID is the session's id.
func (s *Session) ID() string { return s.id }

// Path is the notebook's path (it follows renames: SetPath).
func (s *Session) Path() string {
	s.pathMu.Lock()
	defer s.pathMu.Unlock()
	return s.opts.Path
}

// SetPath moves the session to the notebook's new path after a rename
// and tells its clients with a "renamed" frame: the kernel, its
// variables and a run under way go on.
func (s *Session) SetPath(path string) {
	s.pathMu.Lock()
	s.opts.Path = path
	s.pathMu.Unlock()
	s.emit(renamedFrame{Type: "renamed", Path: path})
}

// Log is the session's frames.
func (s *Session) Log() *Log { return s.log }

// Info describes the session now.
func (s *Session) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pathMu.Lock()
	etag := s.etag
	s.pathMu.Unlock()
	return Info{ID: s.id, Path: s.Path(), Kernel: KernelInfo{
		State: s.state(), ExecutionCount: s.count, Pid: pid(s.k), LauncherInfo: s.opts.Kernel.Launcher.Info(),
		Spec: s.opts.KernelName,
	}, Seq: s.log.LastSeq(), ETag: etag}
}

// pid is the process id of a kernel that is a process of this machine.
func pid(k Kernel) int {
	if p, ok := k.(interface{ Pid() int }); ok {
		return p.Pid()
	}
	return 0
}

// SetETag records the etag of the notebook file the session works on
// (read when it started), if none is known yet.
func (s *Session) SetETag(etag string) {
	s.pathMu.Lock()
	defer s.pathMu.Unlock()
	if s.etag == "" {
		s.etag = etag
	}
}

// state is the state clients see. s.mu is held.
func (s *Session) state() string {
	if s.life == Idle && s.running {
		return Busy
	}
	return s.life
}

// Frames. Their JSON is what clients receive (with "seq" in front).
type (
	messageFrame struct {
		Type   string            `json:"type"`
		CellID string            `json:"cell_id"`
		Msg    *protocol.Message `json:"msg"`
	}
	kernelFrame struct {
		Type           string `json:"type"`
		State          string `json:"state"`
		Cause          string `json:"cause,omitempty"`
		ExecutionCount int    `json:"execution_count"`
		// Ended marks the last frame of a closed session: its kernel
		// does not come back.
		Ended bool `json:"ended,omitempty"`
	}
	renamedFrame struct {
		Type string `json:"type"`
		Path string `json:"path"`
	}
	savedFrame struct {
		Type string `json:"type"`
		Path string `json:"path"`
		ETag string `json:"etag"`
	}
	queuedFrame struct {
		Type   string `json:"type"`
		CellID string `json:"cell_id"`
		MsgID  string `json:"msg_id"`
	}
	switchedFrame struct {
		Type    string            `json:"type"`
		Spec    string            `json:"spec"`
		Options map[string]string `json:"options,omitempty"`
		kernel.LauncherInfo
	}
)

func (s *Session) emit(frame any) {
	b, err := json.Marshal(frame)
	if err != nil {
		s.logger.Error("encode frame", "err", err)
		return
	}
	s.log.Append(b)
}

// Saved tells the session's clients that the notebook was written and
// has etag now, so that another tab showing it can take the new etag
// instead of meeting a conflict on its next save.
func (s *Session) Saved(etag string) {
	s.pathMu.Lock()
	s.etag = etag
	s.pathMu.Unlock()
	s.emit(savedFrame{Type: "saved", Path: s.Path(), ETag: etag})
}

// launchStatus tells the clients how a kernel start that waits goes (a
// Slurm kernel's place in the queue), as the cause of a kernel frame.
func (s *Session) launchStatus(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.stateChanged(msg)
	}
}

// stateChanged sends a kernel frame if the state changed or there is a
// cause to tell. s.mu is held (so frames keep the order of the changes).
func (s *Session) stateChanged(cause string) {
	s.active = s.opts.Now()
	st := s.state()
	if st == s.lastSent && cause == "" {
		return
	}
	s.lastSent = st
	s.emit(kernelFrame{Type: "kernel", State: st, Cause: cause, ExecutionCount: s.count})
}

// relay sends a kernel message as a message frame of req's cell, with
// the parent msg_id the client gave.
func (s *Session) relay(m *protocol.Message, req *request) {
	cell := ""
	if req != nil {
		cell = req.cellID
		c := *m
		if m.ParentHeader != nil {
			ph := *m.ParentHeader
			ph.MsgID = req.msgID
			c.ParentHeader = &ph
		}
		m = &c
	}
	s.emit(messageFrame{Type: "message", CellID: cell, Msg: m})
}

// remember routes later messages answering kernel request id to req.
func (s *Session) remember(id string, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.parents[id]; ok || id == "" {
		return
	}
	s.parents[id] = req
	s.order = append(s.order, id)
	if len(s.order) > maxParents {
		delete(s.parents, s.order[0])
		s.order = s.order[1:]
	}
}

// unsolicited handles published messages of no pending request: late
// output of a cell's goroutines, the status after a reply.
func (s *Session) unsolicited(m *protocol.Message) {
	s.mu.Lock()
	req := s.parents[m.Parent()]
	s.mu.Unlock()
	if req == nil && m.Type() == protocol.Status {
		return // of a complete or inspect request, or of the kernel's start
	}
	s.relay(m, req)
}

// synthetic sends a message the kernel could not send itself (a cell
// aborted or lost with its kernel) as if it had.
func (s *Session) synthetic(req *request, channel, msgType string, content any) {
	m, err := protocol.New("", channel, msgType, &protocol.Header{MsgID: req.msgID, MsgType: protocol.ExecuteRequest, Version: protocol.Version}, content)
	if err != nil {
		s.logger.Error("synthetic message", "err", err)
		return
	}
	s.emit(messageFrame{Type: "message", CellID: req.cellID, Msg: m})
}

// Execute queues code of cell cellID; msgID is the client's id of the
// request (made up if empty), the parent msg_id of its messages. It
// returns msgID. opts carry the values the reader chose for the
// notebook's widgets, which the kernel takes before the cell runs, and
// whether the run is live (a widget moving: figures drawn for the page
// only, without their PNG).
func (s *Session) Execute(msgID, cellID, code string, opts ExecuteOptions) string {
	if msgID == "" {
		msgID = protocol.NewID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return msgID
	}
	req := &request{msgID: msgID, cellID: cellID, code: code, widgets: opts.Widgets, live: opts.Live}
	s.active = s.opts.Now()
	s.queue = append(s.queue, req)
	s.emit(queuedFrame{Type: "queued", CellID: cellID, MsgID: msgID})
	s.wakeWorker()
	return msgID
}

// abortQueue cancels the queued cells: each gets an execute_reply with
// status "aborted", as Jupyter's stop_on_error does. s.mu is held.
func (s *Session) abortQueue() {
	for _, req := range s.queue {
		s.synthetic(req, protocol.Shell, protocol.ExecuteReply, protocol.ExecuteReplyContent{Status: "aborted", ExecutionCount: s.count})
	}
	s.queue = nil
}

// worker starts the kernel and then runs the queue, one cell at a time.
func (s *Session) worker() {
	defer s.wg.Done()
	s.startKernel("")
	for {
		s.mu.Lock()
		var req *request
		// A kernel being switched to is not there yet: its cells wait
		// for it (startKernel wakes the worker), and get an error only
		// if it does not start.
		if len(s.queue) > 0 && (s.k != nil || s.life == Dead) {
			req = s.queue[0]
			s.queue = s.queue[1:]
			s.running = true
			s.stateChanged("")
		}
		s.mu.Unlock()
		if req == nil {
			select {
			case <-s.wake:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		s.run(req)
	}
}

// wakeWorker tells the worker to look at the queue again.
func (s *Session) wakeWorker() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// startKernel starts a kernel process for the session; cause is that of
// the kernel frame that says it is idle.
func (s *Session) startKernel(cause string) {
	s.mu.Lock()
	opts := s.opts.Kernel
	s.mu.Unlock()
	opts.Unsolicited = s.unsolicited
	opts.Status = s.launchStatus
	k, err := kernel.Start(s.ctx, opts)
	s.mu.Lock()
	if err == nil && s.closed {
		// Closed while it started: it ends before this returns, so that
		// Close (which waits for the worker) leaves no kernel running.
		s.mu.Unlock()
		_ = k.Shutdown(context.Background())
		return
	}
	defer s.mu.Unlock()
	if err != nil {
		if s.ctx.Err() == nil {
			s.logger.Error("kernel did not start", "err", err)
		}
		s.life = Dead
		s.stateChanged(err.Error())
		s.wakeWorker() // the queued cells get the error
		return
	}
	s.k = k
	s.life = Idle
	s.logger.Info("kernel started", "pid", k.Pid(), "transport", k.Launcher().Transport)
	s.stateChanged(cause)
	s.wakeWorker() // cells queued while it started
	s.unwatch = make(chan struct{})
	s.wg.Add(1)
	go s.watch(k, s.unwatch)
}

// watch turns the kernel's deaths and restarts into kernel frames, until
// the session ends or unwatch is closed (Switch replaced the kernel).
func (s *Session) watch(k Kernel, unwatch <-chan struct{}) {
	defer s.wg.Done()
	for {
		select {
		case <-unwatch:
			return
		case e := <-k.Events():
			s.mu.Lock()
			switch e.Kind {
			case kernel.EventDied:
				if strings.HasPrefix(e.Cause, "restart failed") {
					s.logger.Warn("kernel restart failed", "cause", e.Cause)
					s.life = Dead
					s.stateChanged(e.Cause)
					// The client has no process left; Restart starts a
					// new kernel (kernel.Restart needs a process).
					s.k = nil
					s.mu.Unlock()
					_ = k.Shutdown(context.Background())
					return
				}
				s.kernelDied(e.Cause, e.Process)
			case kernel.EventRestarted:
				s.logger.Info("kernel restarted", "cause", e.Cause, "pid", pid(k))
				s.life = Idle
				s.count = 0
				s.stateChanged(e.Cause)
			}
			s.mu.Unlock()
		case <-s.ctx.Done():
			return
		}
	}
}

// kernelDied tells the clients that kernel process proc died (dead, then
// restarting unless the kernel stays dead), once: both the running
// cell's request and the kernel's event report a death, in either order,
// and the first one tells. The cell's error and reply come after, so a
// client never sees the kernel idle between a cell and its kernel's
// death. s.mu is held.
func (s *Session) kernelDied(cause string, proc int) {
	if proc <= s.died {
		return
	}
	s.died = proc
	s.logger.Warn("kernel died", "cause", cause)
	s.life = Dead
	s.stateChanged(cause)
	if !s.opts.Kernel.NoAutoRestart {
		s.life = Restarting
		s.stateChanged(cause)
	}
}

// run executes one cell and relays its messages.
func (s *Session) run(req *request) {
	s.mu.Lock()
	k := s.k
	s.mu.Unlock()
	var reply protocol.ExecuteReplyContent
	var replyMsg *protocol.Message // the kernel's reply, relayed below
	var err error
	if k == nil {
		err = errors.New("the kernel is not running (restart it)")
	} else {
		var m *protocol.Message
		content := protocol.ExecuteRequestContent{Code: req.code, StoreHistory: true, StopOnError: true, Widgets: req.widgets, Live: req.live}
		m, err = k.Request(s.ctx, protocol.Shell, protocol.ExecuteRequest, content, func(m *protocol.Message) {
			s.remember(m.Parent(), req)
			if m.Type() == protocol.ExecuteInput {
				var in protocol.ExecuteInputContent
				if m.Decode(&in) == nil {
					req.count.Store(int64(in.ExecutionCount))
				}
			}
			s.relay(m, req)
		})
		if err == nil {
			s.remember(m.Parent(), req)
			if err = m.Decode(&reply); err == nil {
				replyMsg = m
			}
		}
	}
	if s.beforeTail != nil {
		s.beforeTail()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	// Switch replaced the kernel while the cell ran: its end is no death
	// to report, and the queue belongs to the new kernel.
	switched := k != nil && s.k != k && s.life != Dead
	if err != nil {
		name, cause := "KernelError", err.Error()
		var died *kernel.DiedError
		if errors.As(err, &died) {
			name, cause = died.Name, died.Cause
			if name == "" {
				name = "KernelDied"
			}
			if switched {
				name, cause = "KernelDied", "the notebook was switched to the kernel "+s.opts.KernelName
			} else {
				s.kernelDied(died.Cause, died.Process)
			}
		}
		s.synthetic(req, protocol.IOPub, protocol.Error, protocol.ErrorContent{EName: name, EValue: cause, Traceback: []string{name + ": " + cause}})
		// The count the cell got when it started (as Jupyter shows a
		// cell that died), else the kernel's last.
		count := s.count
		if n := req.count.Load(); n > 0 {
			count = int(n)
		}
		reply = protocol.ExecuteReplyContent{Status: "error", ExecutionCount: count, EName: name, EValue: cause}
		s.synthetic(req, protocol.Shell, protocol.ExecuteReply, reply)
	}
	// The reply goes out with the queue's abort, under s.mu: a cell its
	// client sends once it has seen a failed cell's reply is queued
	// after the abort, and runs.
	if replyMsg != nil {
		s.relay(replyMsg, req)
	}
	if reply.ExecutionCount > 0 && !switched {
		s.count = reply.ExecutionCount
	}
	if reply.Status == "error" && !switched {
		s.abortQueue()
	}
	s.running = false
	s.stateChanged("")
}

// Query sends a complete_request or inspect_request (msgType) with
// content and relays its reply as a message frame whose parent msg_id is
// msgID. It does not wait in the queue: completion works while a cell
// runs.
func (s *Session) Query(msgID, msgType string, content any) {
	req := &request{msgID: msgID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.active = s.opts.Now()
	k := s.k
	if k == nil {
		s.synthetic(req, protocol.Shell, msgType[:len(msgType)-len("_request")]+"_reply", protocol.StatusOnly{Status: "error"})
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		m, err := k.Request(s.ctx, protocol.Shell, msgType, content, nil)
		if err != nil {
			s.logger.Debug("query failed", "type", msgType, "err", err)
			s.synthetic(req, protocol.Shell, msgType[:len(msgType)-len("_request")]+"_reply", protocol.StatusOnly{Status: "error"})
			return
		}
		s.relay(m, req)
	}()
}

// Interrupt asks the running cell to stop; its error stops the queue.
func (s *Session) Interrupt() error {
	s.mu.Lock()
	k := s.k
	s.mu.Unlock()
	if k == nil {
		return nil
	}
	if err := k.Interrupt(); err != nil {
		return fmt.Errorf("interrupt: %w", err)
	}
	return nil
}

// Restart replaces the kernel with a fresh one (its variables are lost)
// and cancels the queued cells; the running one ends with a KernelDied
// error.
func (s *Session) Restart(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("restart: the session is closed")
	}
	if s.life == Starting || s.life == Restarting {
		s.mu.Unlock()
		return fmt.Errorf("restart: the kernel is %s already", s.life)
	}
	k := s.k
	s.abortQueue()
	s.life = Restarting
	s.stateChanged("restarted by the user")
	s.mu.Unlock()
	if k == nil {
		s.startKernel("restarted by the user")
		return nil
	}
	if err := k.Restart(ctx); err != nil {
		s.mu.Lock()
		s.life = Dead
		s.stateChanged("restart failed: " + err.Error())
		s.mu.Unlock()
		return fmt.Errorf("restart: %w", err)
	}
	return nil
}

// Switch replaces the kernel with a fresh one that launcher l starts,
// named spec in the server's list of kernels (Info's kernel.spec) and
// started with the profile options chosen (nil for none): a restart on
// another kernel, so its variables are lost, the queued cells are
// cancelled and the running one ends with a KernelDied error; cells
// queued while the new kernel starts wait for it. Clients get a
// "switched" frame with spec and options, then kernel frames
// "restarting" and "idle" with the cause "switched to the kernel SPEC by
// the user" (or "dead" with why the new kernel did not start).
func (s *Session) Switch(ctx context.Context, spec string, options map[string]string, l kernel.Launcher) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("switch kernel: the session is closed")
	}
	if s.life == Starting || s.life == Restarting {
		s.mu.Unlock()
		return fmt.Errorf("switch kernel: the kernel is %s; switch when it has started", s.life)
	}
	old, unwatch := s.k, s.unwatch
	s.k, s.unwatch = nil, nil
	s.abortQueue()
	s.opts.Kernel.Launcher, s.opts.KernelName = l, spec
	s.count, s.died = 0, 0
	s.life = Restarting
	cause := "switched to the kernel " + spec + " by the user"
	s.emit(switchedFrame{Type: "switched", Spec: spec, Options: options, LauncherInfo: l.Info()})
	s.stateChanged(cause)
	s.mu.Unlock()
	s.logger.Info("switching kernel", "kernel", spec, "transport", l.Info().Transport)
	if unwatch != nil {
		close(unwatch)
	}
	if old != nil {
		// Killed, not shut down: the running cell ends with KernelDied
		// and the cause, not as an interrupt that keeps its variables.
		old.Kill(cause)
	}
	s.startKernel(cause)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.k == nil && !s.closed {
		return fmt.Errorf("switch kernel: the kernel %s did not start (see the kernel frame)", spec)
	}
	return nil
}

// Close shuts the kernel down, ends the log (clients are disconnected)
// and waits for the session's goroutines. The last kernel frame says
// "dead" with the cause "session closed".
func (s *Session) Close(ctx context.Context) error {
	return s.CloseFor(ctx, "session closed")
}

// CloseFor is Close with the cause the last kernel frame gives (e.g.
// "the notebook was deleted").
func (s *Session) CloseFor(ctx context.Context, cause string) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.abortQueue()
	s.life = Dead
	s.lastSent = Dead
	s.emit(kernelFrame{Type: "kernel", State: Dead, Cause: cause, ExecutionCount: s.count, Ended: true})
	s.closed = true
	k := s.k
	s.mu.Unlock()
	var err error
	if k != nil {
		err = k.Shutdown(ctx)
	}
	s.cancel()
	s.wg.Wait()
	s.log.Close()
	s.logger.Info("session closed")
	return err
}
