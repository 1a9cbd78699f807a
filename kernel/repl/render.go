package repl

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/firnglacier/firn/kernel/protocol"
)

// renderer turns a cell's iopub messages into terminal output. It is safe
// for concurrent use (the interrupt handler writes notices while a cell's
// output arrives).
type renderer struct {
	mu       sync.Mutex
	out, err io.Writer
	terminal bool   // rewrite displays in place; end cells on a fresh line
	color    bool   // errors in red
	images   string // ImagesKitty, ImagesSixel or ImagesNone
	plots    plotFiles

	atStart  bool          // the cursor is at the start of a line
	live     liveDisplay   // terminal: the display that can be rewritten
	held     []heldDisplay // displays waiting for their final state
	sawError bool          // the cell published an error message
}

// liveDisplay is a text display printed last on a terminal, with the
// cursor at the end of its last line, so an update can rewrite it.
type liveDisplay struct {
	id    string
	lines int
	open  bool
}

// heldDisplay is a display whose final state is printed later: on a
// terminal an image update (a plot being redrawn), elsewhere any display
// with an id (a progress bar), so a log shows only the final state.
type heldDisplay struct {
	id   string
	data protocol.Bundle
}

func newRenderer(out, errw io.Writer, terminal, color bool, images, plotDir string) *renderer {
	return &renderer{out: out, err: errw, terminal: terminal, color: color, images: images,
		plots: plotFiles{dir: plotDir}, atStart: true}
}

// begin starts a cell.
func (r *renderer) begin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sawError = false
}

// handle renders one iopub message. Messages it cannot read become a
// notice; types it does not show (status, execute_input) are skipped.
func (r *renderer) handle(m *protocol.Message) {
	if m == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch m.Type() {
	case protocol.Stream:
		var c protocol.StreamContent
		if !r.decode(m, &c) {
			return
		}
		r.flushHeld()
		r.closeLive()
		w := r.out
		if c.Name == "stderr" {
			w = r.err
		}
		r.write(w, c.Text)
	case protocol.ExecuteResult:
		var c protocol.ExecuteResultContent
		if !r.decode(m, &c) {
			return
		}
		r.flushHeld()
		r.block(c.Data)
	case protocol.DisplayData, protocol.UpdateDisplayData:
		var c protocol.DisplayDataContent
		if !r.decode(m, &c) {
			return
		}
		id := ""
		if c.Transient != nil {
			id = c.Transient.DisplayID
		}
		r.display(id, c.Data, m.Type() == protocol.UpdateDisplayData)
	case protocol.Error:
		var c protocol.ErrorContent
		if !r.decode(m, &c) {
			return
		}
		r.flushHeld()
		r.showError(c.EName, c.EValue, c.Traceback)
		r.sawError = true
	}
}

// display shows a display_data (update false) or update_display_data.
func (r *renderer) display(id string, data protocol.Bundle, update bool) {
	switch {
	case id == "" && update:
		return // an update of nothing
	case id == "":
		r.flushHeld()
		r.block(data)
	case r.terminal && !hasImage(data):
		r.flushHeld()
		r.showLive(id, bundleText(data))
	case r.terminal && !update:
		r.flushHeld()
		r.block(data)
	default:
		r.hold(id, data)
	}
}

// hold keeps the newest state of display id until other output or the
// end of the cell.
func (r *renderer) hold(id string, data protocol.Bundle) {
	for i := range r.held {
		if r.held[i].id == id {
			r.held[i].data = data
			return
		}
	}
	r.held = append(r.held, heldDisplay{id: id, data: data})
}

func (r *renderer) flushHeld() {
	held := r.held
	r.held = nil
	for _, h := range held {
		if r.terminal && !hasImage(h.data) {
			r.showLive(h.id, bundleText(h.data))
		} else {
			r.block(h.data)
		}
	}
}

// showLive prints a text display that later updates rewrite in place.
func (r *renderer) showLive(id, text string) {
	text = strings.TrimSuffix(text, "\n")
	if r.live.open && r.live.id == id {
		seq := "\r"
		if up := r.live.lines - 1; up > 0 {
			seq += fmt.Sprintf("\x1b[%dA", up)
		}
		r.write(r.out, seq+"\x1b[J"+text)
	} else {
		r.closeLive()
		r.freshLine()
		r.write(r.out, text)
	}
	r.live = liveDisplay{id: id, lines: strings.Count(text, "\n") + 1, open: true}
	r.atStart = false
}

// closeLive ends the line of the live display: later output goes below it.
func (r *renderer) closeLive() {
	if r.live.open {
		r.live.open = false
		r.write(r.out, "\n")
	}
}

// freshLine moves to the start of a line if the cursor is not there.
func (r *renderer) freshLine() {
	if !r.atStart {
		r.write(r.out, "\n")
	}
}

// block prints a result or display: its images as plot files (and inline
// on a terminal that draws them), or else its text.
func (r *renderer) block(data protocol.Bundle) {
	r.closeLive()
	r.freshLine()
	if hasImage(data) {
		r.writePlots(data)
		return
	}
	text := bundleText(data)
	if text == "" {
		return
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	r.write(r.out, text)
}

// writePlots writes the images of one bundle as plot-NNN.png / .svg (one
// number for both) and draws the PNG inline when the terminal can.
func (r *renderer) writePlots(data protocol.Bundle) {
	n := r.plots.reserve()
	var written []string
	if s, ok := mimeString(data["image/png"]); ok {
		pngData, err := decodeBase64(s)
		if err != nil {
			r.noticeLocked("display has an image/png that is not base64: %v", err)
		} else {
			path, err := r.plots.write(n, "png", pngData)
			if err != nil {
				r.noticeLocked("%v", err)
			} else {
				written = append(written, path)
			}
			r.drawInline(pngData)
		}
	}
	if s, ok := mimeString(data["image/svg+xml"]); ok {
		path, err := r.plots.write(n, "svg", []byte(s))
		if err != nil {
			r.noticeLocked("%v", err)
		} else {
			written = append(written, path)
		}
	}
	for _, p := range written {
		r.write(r.out, "plot written to "+p+"\n")
	}
}

func (r *renderer) drawInline(pngData []byte) {
	var err error
	switch r.images {
	case ImagesKitty:
		err = writeKitty(r.out, pngData)
	case ImagesSixel:
		err = writeSixel(r.out, pngData)
	default:
		return
	}
	if err != nil {
		r.noticeLocked("cannot draw the plot: %v", err)
		return
	}
	r.write(r.out, "\n")
}

// showError prints "ename: evalue" and the traceback lines (those that do
// not repeat the first line), in red on a colour terminal.
func (r *renderer) showError(ename, evalue string, traceback []string) {
	r.closeLive()
	r.freshLine()
	head := strings.TrimSpace(ename + ": " + evalue)
	switch {
	case ename == "" && evalue == "":
		head = "error"
	case ename == "":
		head = evalue
	case evalue == "":
		head = ename
	}
	lines := []string{head}
	if len(traceback) > 0 {
		// Firn's kernel starts a traceback with the head and where it
		// happened ("CompileError: cell [3], line 2, column 5: ...").
		if first := strings.TrimSpace(stripANSI(traceback[0])); ename != "" && strings.HasPrefix(first, ename+": ") && strings.HasSuffix(first, evalue) {
			lines, head = nil, "\x00" // the traceback's own lines are all kept
		}
	}
	for _, tb := range traceback {
		for _, l := range strings.Split(strings.TrimSuffix(tb, "\n"), "\n") {
			if !r.color {
				l = stripANSI(l)
			}
			if t := strings.TrimSpace(stripANSI(l)); lines != nil && (t == head || t == evalue) {
				continue
			}
			lines = append(lines, l)
		}
	}
	var b strings.Builder
	for _, l := range lines {
		if r.color {
			b.WriteString("\x1b[31m" + l + "\x1b[0m\n")
		} else {
			b.WriteString(l + "\n")
		}
	}
	r.write(r.err, b.String())
}

// replyError shows the error of an execute reply when the cell published
// none (a kernel may report an error only in its reply).
func (r *renderer) replyError(reply protocol.ExecuteReplyContent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if reply.Status != "error" || r.sawError {
		return
	}
	r.flushHeld()
	r.showError(reply.EName, reply.EValue, reply.Traceback)
	r.sawError = true
}

// finish ends a cell: held displays are printed in their final state, and
// on a terminal the cursor goes to a fresh line for the prompt.
func (r *renderer) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushHeld()
	if r.terminal {
		r.closeLive()
		r.freshLine()
	}
	r.live = liveDisplay{}
}

// notice prints a message of the REPL itself ("firn: ...") on its own line.
func (r *renderer) notice(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.noticeLocked(format, args...)
}

func (r *renderer) noticeLocked(format string, args ...any) {
	r.closeLive()
	r.freshLine()
	r.write(r.err, "firn: "+fmt.Sprintf(format, args...)+"\n")
}

// print writes text of the REPL itself (help, banner) to the output.
func (r *renderer) print(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLive()
	r.freshLine()
	r.write(r.out, text)
}

func (r *renderer) write(w io.Writer, s string) {
	if s == "" {
		return
	}
	io.WriteString(w, s) // a terminal that went away is noticed at the next prompt
	r.atStart = strings.HasSuffix(s, "\n")
}

func (r *renderer) decode(m *protocol.Message, v any) bool {
	if err := m.Decode(v); err != nil {
		r.noticeLocked("unreadable message from the kernel: %v", err)
		return false
	}
	return true
}

func hasImage(data protocol.Bundle) bool {
	_, png := data["image/png"]
	_, svg := data["image/svg+xml"]
	return png || svg
}

// bundleText is what a terminal shows of a bundle: text/plain, else
// markdown or LaTeX source, else JSON, else a note naming the MIME types.
func bundleText(data protocol.Bundle) string {
	for _, mime := range []string{"text/plain", "text/markdown", "text/latex"} {
		if s, ok := mimeString(data[mime]); ok {
			return s
		}
	}
	if v, ok := data["application/json"]; ok {
		if b, err := json.MarshalIndent(v, "", "  "); err == nil {
			return string(b)
		}
	}
	if len(data) == 0 {
		return ""
	}
	types := make([]string, 0, len(data))
	for k := range data {
		types = append(types, k)
	}
	slices.Sort(types)
	return "(" + strings.Join(types, ", ") + ": nothing to show in a terminal)"
}

// mimeString reads bundle data that is a string, or a list of strings
// (the notebook file format's multi-line form).
func mimeString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case []any:
		var b strings.Builder
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	}
	return "", false
}

// decodeBase64 decodes standard base64, with or without padding, ignoring
// line breaks and spaces.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s + strings.Repeat("=", (4-len(s)%4)%4))
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func stripANSI(s string) string { return ansiEscape.ReplaceAllString(s, "") }
