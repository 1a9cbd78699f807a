package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/firnglacier/firn/kernel/protocol"
	"github.com/peterh/liner"
)

// Backend runs cells: *kernel.Kernel, over any transport, is one.
type Backend interface {
	// Execute runs code as one cell; out receives the cell's iopub
	// messages in order. It returns when the cell finished (reply.Status
	// "ok", "error" or "aborted") or ctx ends; err is non-nil when the
	// kernel died or was restarted (its message says why).
	Execute(ctx context.Context, code string, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error)
	// Interrupt asks the running cell to stop (safe to call any time).
	Interrupt() error
	// Complete lists completions of code at cursorPos (in code points).
	Complete(ctx context.Context, code string, cursorPos int) (protocol.CompleteReplyContent, error)
	// Inspect documents the name at cursorPos (in code points).
	Inspect(ctx context.Context, code string, cursorPos int) (protocol.InspectReplyContent, error)
}

// Options configure Run. The zero value reads a script from standard
// input and writes to standard output and error.
type Options struct {
	// In is the script read when not Interactive (nil: os.Stdin). An
	// interactive session edits lines on the process's terminal
	// (os.Stdin and os.Stdout), whatever In is.
	In io.Reader
	// Out receives the cells' standard output, results and plot paths,
	// Err their standard error, errors and the REPL's notices (nil:
	// os.Stdout and os.Stderr).
	Out, Err io.Writer
	// Interactive selects the prompt with line editing, history and
	// Ctrl-C handling; the caller sets it when standard input and output
	// are terminals (term.IsTerminal). It also enables colour, progress
	// displays rewritten in place and inline images.
	Interactive bool
	// HistoryFile keeps the lines typed at the prompt ("": no file; see
	// DefaultHistoryFile).
	HistoryFile string
	// PlotDir is where images are written as plot-001.png, plot-001.svg,
	// ... ("": "plots" in the working folder).
	PlotDir string
	// Images draws plots in the terminal too: ImagesAuto (""), ImagesKitty,
	// ImagesSixel or ImagesNone.
	Images string
	// Version is shown in the banner ("": "(devel)").
	Version string
	// Getenv reads the environment (nil: os.Getenv): TERM, KITTY_WINDOW_ID,
	// TERM_PROGRAM, TMUX, FIRN_IMAGES and NO_COLOR.
	Getenv func(string) string
}

// ErrInterrupted is returned (wrapped) by Run when Ctrl-C stopped a script.
var ErrInterrupted = errors.New("interrupted")

// CellError is returned by Run when a cell of a script failed: the script
// stops there.
type CellError struct {
	Line   int    // line of the script where the cell starts
	Status string // the execute reply's status: "error" or "aborted"
	EName  string // kind of error, as in the kernel's error message
	EValue string // one-line message
}

func (e *CellError) Error() string {
	what := strings.TrimSpace(e.EName + ": " + e.EValue)
	switch {
	case e.EName == "" && e.EValue == "":
		what = e.Status
	case e.EName == "":
		what = e.EValue
	case e.EValue == "":
		what = e.EName
	}
	return fmt.Sprintf("input line %d: the cell failed (%s); stopped there", e.Line, what)
}

const (
	prompt       = "firn> "
	continuation = "  ... "
	// completeTimeout bounds the wait for completions, so that a busy
	// kernel cannot freeze the prompt.
	completeTimeout = 3 * time.Second
	// indent is what Tab inserts where there is nothing to complete.
	indent = "    "
)

// Run runs a REPL on b until the input ends (Ctrl-D, :quit or the end of
// a script) or ctx ends. An interactive session returns nil when the user
// quits; a script returns a *CellError for the first failed cell (after
// which nothing more runs), an error wrapping ErrInterrupted after Ctrl-C,
// and the Backend's error when the kernel died.
func Run(ctx context.Context, b Backend, opts Options) error {
	s, err := newSession(b, opts)
	if err != nil {
		return err
	}
	if !opts.Interactive {
		return s.run(ctx, nil, osSignals{})
	}
	ed := liner.NewLiner()
	defer ed.Close()
	ed.SetCtrlCAborts(true)
	ed.SetTabCompletionStyle(liner.TabPrints)
	ed.SetWordCompleter(func(line string, pos int) (string, []string, string) {
		return s.complete(ctx, line, pos)
	})
	return s.run(ctx, ed, osSignals{})
}

// run runs a script (ed nil) or the prompt loop on ed, with SIGINT from
// sigs.
func (s *session) run(ctx context.Context, ed lineEditor, sigs signalSource) error {
	stop := s.watchSignals(sigs)
	defer stop()
	if ed == nil {
		return s.script(ctx, s.in)
	}
	h, err := loadHistory(s.opts.HistoryFile)
	for _, e := range h.entries {
		ed.AppendHistory(e)
	}
	s.hist = h
	if err != nil {
		s.r.notice("%v (history is kept for this session only)", err)
	}
	return s.interactive(ctx, ed)
}

// session is one run of the REPL.
type session struct {
	b     Backend
	in    io.Reader
	out   io.Writer
	r     *renderer
	opts  Options
	intr  interrupter
	hist  *history
	histW bool // a history write failure was reported

	pending []string // lines of the cell being typed (for completion)
}

func newSession(b Backend, opts Options) (*session, error) {
	if b == nil {
		return nil, errors.New("repl: no backend")
	}
	if opts.In == nil {
		opts.In = os.Stdin
	}
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Err == nil {
		opts.Err = os.Stderr
	}
	if opts.PlotDir == "" {
		opts.PlotDir = "plots"
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Version == "" {
		opts.Version = "(devel)"
	}
	images, err := imageMode(opts.Images, opts.Interactive, opts.Getenv)
	if err != nil {
		return nil, err
	}
	color := opts.Interactive && opts.Getenv("NO_COLOR") == "" && opts.Getenv("TERM") != "dumb"
	s := &session{b: b, in: opts.In, out: opts.Out, opts: opts,
		r:    newRenderer(opts.Out, opts.Err, opts.Interactive, color, images, opts.PlotDir),
		hist: &history{}}
	s.intr.b, s.intr.r = b, s.r
	return s, nil
}

// lineEditor reads lines at a prompt: *liner.State, or a script in tests.
type lineEditor interface {
	// Prompt returns a typed line; io.EOF for Ctrl-D on an empty line,
	// liner.ErrPromptAborted for Ctrl-C.
	Prompt(prompt string) (string, error)
	AppendHistory(line string)
}

// errQuit ends an interactive session (:quit).
var errQuit = errors.New("quit")

// interactive runs the prompt loop.
func (s *session) interactive(ctx context.Context, ed lineEditor) error {
	s.r.print(fmt.Sprintf("Firn %s — Go cells on yaegi. :help for help, Ctrl-D to quit.\n", s.opts.Version))
	for {
		code, err := s.readCell(ctx, ed)
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			continue // Ctrl-C at the prompt: the input is dropped
		case errors.Is(err, io.EOF):
			io.WriteString(s.out, "\n") // the cursor is after the prompt
			return nil
		case err != nil:
			return err
		}
		if strings.HasPrefix(code, ":") {
			if err := s.command(code); err != nil {
				return nil // :quit
			}
			continue
		}
		if code == "" {
			continue
		}
		if _, err := s.runCell(ctx, code); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// prompt reads a line, giving up when ctx ends (the terminal read goes
// on in the background until a key is pressed or the process exits).
func (s *session) prompt(ctx context.Context, ed lineEditor, p string) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := ed.Prompt(p)
		ch <- result{line, err}
	}()
	select {
	case res := <-ch:
		return res.line, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// readCell reads the lines of one cell: until the Go source is complete
// (see analyze), or two blank lines in a row, or Ctrl-D on an empty
// continuation line. A line starting with ':' at the prompt is a command.
func (s *session) readCell(ctx context.Context, ed lineEditor) (string, error) {
	s.pending = nil
	blanks := 0
	for {
		p := prompt
		if len(s.pending) > 0 {
			p = continuation
		}
		s.intr.disarm() // at the prompt, Ctrl-C is liner's
		line, err := s.prompt(ctx, ed, p)
		// From here on a Ctrl-C is a SIGINT: one before the cell starts
		// (while the history is written, say) interrupts it.
		s.intr.arm()
		switch {
		case errors.Is(err, io.EOF) && len(s.pending) > 0:
			io.WriteString(s.out, "\n")
			return strings.Join(s.pending, "\n"), nil // run what was typed
		case err != nil:
			s.pending = nil
			return "", err
		}
		s.remember(ed, line)
		if len(s.pending) == 0 && strings.HasPrefix(strings.TrimSpace(line), ":") {
			return strings.TrimSpace(line), nil
		}
		if m := docQuery.FindStringSubmatch(line); m != nil && len(s.pending) == 0 {
			return ":doc " + m[1], nil // NAME? as in IPython
		}
		s.pending = append(s.pending, line)
		src := strings.Join(s.pending, "\n")
		st := analyze(src)
		if !st.incomplete {
			if !st.hasCode {
				return "", nil
			}
			return src, nil
		}
		if strings.TrimSpace(line) == "" {
			if blanks++; blanks >= 2 {
				return src, nil // let the kernel say what is missing
			}
		} else {
			blanks = 0
		}
	}
}

// remember adds a typed line to the history (file and editor).
func (s *session) remember(ed lineEditor, line string) {
	added, err := s.hist.add(line)
	if added {
		ed.AppendHistory(line)
	}
	if err != nil && !s.histW {
		s.histW = true
		s.r.notice("%v (history is kept for this session only)", err)
	}
}

const helpText = `Type Go statements, expressions and declarations; each complete input runs
as a cell in the kernel, and the value of a last expression is printed.

Keys:
  Enter          run the input, or go on to the next line ("  ... ") while
                 brackets, a raw string or a /* comment are open, or the line
                 ends with an operator, comma, dot or colon
  Enter Enter    two blank lines run an unfinished input as it is
  Ctrl-C         at the prompt: drop the input; while a cell runs: interrupt it
                 (three times: stop waiting for it)
  Ctrl-D         on an empty line: quit
  Tab            complete a name (twice: list the choices); at the start of
                 a line: indent
  Up, Down       previous/next line from the history; Ctrl-R searches it

Commands:
  :doc NAME      the documentation of a package, function, type, method or
                 variable (also NAME?): :doc edu.NewGlacier, g.ProgressToYear?
  :help          this text
  :plots         the folder where plots are written
  :quit          quit (also :q, :exit)

Plots are written to the plot folder as plot-001.png, plot-001.svg, ... and
drawn in the terminal when it speaks the kitty graphics protocol or sixel
(FIRN_IMAGES=kitty, sixel or none chooses).
`

// command runs a ':' command; it returns errQuit to end the session.
func (s *session) command(line string) error {
	name := strings.Fields(line)[0]
	switch name {
	case ":help", ":h", ":?":
		s.r.print(helpText)
	case ":quit", ":q", ":exit":
		return errQuit
	case ":doc", ":d":
		s.doc(strings.TrimSpace(strings.TrimPrefix(line, name)))
	case ":plots":
		dir := s.opts.PlotDir
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		s.r.print("plots are written to " + dir + "\n")
	default:
		s.r.notice("unknown command %s; :help lists the commands", name)
	}
	return nil
}

// docQuery is NAME? (IPython's way to ask for a name's documentation).
var docQuery = regexp.MustCompile(`^\s*([\pL_][\pL\pN_]*(?:\.[\pL_][\pL\pN_]*)*)\?\s*$`)

// doc shows the documentation of a name (the kernel's inspect_reply).
func (s *session) doc(name string) {
	if name == "" {
		s.r.notice("usage: :doc NAME (a package, a function, a type, a method, a variable), or NAME?")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	reply, err := s.b.Inspect(ctx, name, utf8.RuneCountInString(name))
	switch {
	case err != nil:
		s.r.notice("no documentation for %s: %v", name, err)
		return
	case !reply.Found:
		s.r.notice("no documentation for %s (is it imported or declared? :doc fmt.Println, :doc edu.NewGlacier, :doc g.ProgressToYear)", name)
		return
	}
	text, _ := reply.Data["text/plain"].(string)
	s.r.print(strings.TrimRight(text, "\n") + "\n")
}

// runCell executes one cell and renders its output. Errors of the cell
// are shown; a Backend error (the kernel died) is shown and returned.
func (s *session) runCell(ctx context.Context, code string) (protocol.ExecuteReplyContent, error) {
	cellCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.r.begin()
	if early := s.intr.start(cancel); early {
		// Ctrl-C came between Enter and the start: the cell does not run.
		s.intr.end()
		reply := protocol.ExecuteReplyContent{Status: "error", EName: "Interrupted", EValue: "the cell was interrupted before it started"}
		s.r.replyError(reply)
		s.r.finish()
		return reply, nil
	}
	reply, err := s.b.Execute(cellCtx, code, s.r.handle)
	gaveUp := s.intr.end()
	switch {
	case err == nil && reply.Status == "aborted":
		s.r.notice("the cell was aborted")
	case err == nil:
		s.r.replyError(reply)
	case ctx.Err() != nil:
	case gaveUp:
		err = fmt.Errorf("stopped waiting for the cell: %w", err)
	default:
		s.r.notice("%v", err)
	}
	s.r.finish()
	return reply, err
}

// script runs the input as a script: cut into cells as lines arrive (see
// splitCells), output without prompts, stopping at the first failure.
func (s *session) script(ctx context.Context, in io.Reader) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(lines)
		br := bufio.NewReader(in)
		for {
			l, err := br.ReadString('\n')
			if l != "" {
				select {
				case lines <- strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r"):
				case <-done:
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr <- err
				}
				return
			}
		}
	}()
	var sp splitter
	run := func(cells []cell) error {
		for _, c := range cells {
			if s.intr.requested() {
				return fmt.Errorf("input line %d: %w", c.Line, ErrInterrupted)
			}
			reply, err := s.runCell(ctx, c.Code)
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case s.intr.requested():
				return fmt.Errorf("input line %d: %w", c.Line, ErrInterrupted)
			case err != nil:
				return fmt.Errorf("input line %d: %w", c.Line, err)
			case reply.Status != "ok" && reply.Status != "":
				return &CellError{Line: c.Line, Status: reply.Status, EName: reply.EName, EValue: reply.EValue}
			}
		}
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case l, ok := <-lines:
			if !ok {
				select {
				case err := <-readErr:
					return fmt.Errorf("reading the script: %w", err)
				default:
				}
				return run(sp.end())
			}
			if err := run(sp.add(l)); err != nil {
				return err
			}
		}
	}
}

// complete is liner's word completer: it asks the backend for completions
// at the cursor (with the lines typed before in this cell) and returns
// them as liner wants them: the text before the completed word, the
// choices, and the text after it.
func (s *session) complete(ctx context.Context, line string, pos int) (string, []string, string) {
	runes := []rune(line)
	pos = min(max(pos, 0), len(runes))
	if strings.TrimSpace(string(runes[:pos])) == "" {
		return string(runes[:pos]), []string{indent}, string(runes[pos:])
	}
	prefix := ""
	if len(s.pending) > 0 {
		prefix = strings.Join(s.pending, "\n") + "\n"
	}
	off := utf8.RuneCountInString(prefix)
	cctx, cancel := context.WithTimeout(ctx, completeTimeout)
	defer cancel()
	reply, err := s.b.Complete(cctx, prefix+line, off+pos)
	if err != nil || (reply.Status != "ok" && reply.Status != "") {
		return string(runes[:pos]), nil, string(runes[pos:])
	}
	head, matches, tail, ok := applyCompletion(runes, off, reply)
	if !ok {
		return string(runes[:pos]), nil, string(runes[pos:])
	}
	return head, matches, tail
}

// applyCompletion maps a reply, whose cursor positions count code points
// from the start of the cell, onto the current line (starting at code
// point off of the cell).
func applyCompletion(line []rune, off int, reply protocol.CompleteReplyContent) (head string, matches []string, tail string, ok bool) {
	start, end := reply.CursorStart-off, reply.CursorEnd-off
	if start < 0 || start > end || end > len(line) || len(reply.Matches) == 0 {
		return "", nil, "", false
	}
	seen := make(map[string]bool, len(reply.Matches))
	for _, m := range reply.Matches {
		if m != "" && !seen[m] {
			seen[m] = true
			matches = append(matches, m)
		}
	}
	return string(line[:start]), matches, string(line[end:]), len(matches) > 0
}

// signalSource delivers SIGINT: the process's signals, or a test's.
type signalSource interface {
	Notify(c chan<- os.Signal)
	Stop(c chan<- os.Signal)
}

type osSignals struct{}

func (osSignals) Notify(c chan<- os.Signal) { signal.Notify(c, os.Interrupt) }
func (osSignals) Stop(c chan<- os.Signal)   { signal.Stop(c) }

// watchSignals routes SIGINT to the interrupter for the whole session and
// returns the function that stops it. The handler stays installed between
// cells too: liner turns the terminal's Ctrl-C into a key only while it
// reads a line, so a Ctrl-C pressed just as a cell starts or ends would
// otherwise kill the REPL. A signal after a line was entered and before
// its cell starts interrupts that cell (it does not run); after a cell,
// at the prompt, a signal is ignored.
func (s *session) watchSignals(src signalSource) (stop func()) {
	sigs := make(chan os.Signal, 1)
	src.Notify(sigs)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sigs:
				s.intr.signal()
			case <-done:
				return
			}
		}
	}()
	return func() {
		src.Stop(sigs)
		close(done)
		wg.Wait()
	}
}

// interrupter turns Ctrl-C into Backend.Interrupt while a cell runs.
type interrupter struct {
	b Backend
	r *renderer

	mu      sync.Mutex
	cancel  context.CancelFunc // the running cell's; nil between cells
	presses int                // Ctrl-C presses during this cell
	any     bool               // a Ctrl-C came (scripts stop)
	gaveUp  bool               // the third press stopped the wait
	armed   bool               // a line was entered: a cell may be about to start
	early   bool               // Ctrl-C came while armed, before the cell started
}

// arm marks that a line was entered (the terminal no longer reads keys):
// a Ctrl-C from now until the cell starts is for that cell.
func (in *interrupter) arm() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed, in.early = true, false
}

// disarm is called at the prompt, where liner reads Ctrl-C as a key.
func (in *interrupter) disarm() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed, in.early = false, false
}

// start marks the cell running; it reports whether a Ctrl-C came after
// its line was entered and before now (then the cell should not run).
func (in *interrupter) start(cancel context.CancelFunc) (early bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	early = in.early
	in.cancel, in.presses, in.gaveUp = cancel, 0, false
	in.armed, in.early = false, false
	return early
}

// end marks the cell finished and reports whether the wait was given up.
func (in *interrupter) end() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.cancel = nil
	return in.gaveUp
}

func (in *interrupter) requested() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.any
}

// signal handles one Ctrl-C: interrupt the cell; at the second press say
// how to stop waiting; at the third stop waiting for the cell.
func (in *interrupter) signal() {
	in.mu.Lock()
	in.any = true
	cancel := in.cancel
	if cancel == nil {
		in.early = in.early || in.armed
		in.mu.Unlock()
		return
	}
	in.presses++
	n := in.presses
	if n == 3 {
		in.gaveUp = true
	}
	in.mu.Unlock()
	if err := in.b.Interrupt(); err != nil {
		in.r.notice("cannot interrupt the cell: %v", err)
	}
	switch n {
	case 2:
		in.r.notice("interrupting; press Ctrl-C again to stop waiting for the cell")
	case 3:
		in.r.notice("stopped waiting for the cell; the kernel may still be running it")
		cancel()
	}
}
