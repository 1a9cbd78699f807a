package display

import (
	"fmt"
	"html"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
)

// barWidth is the number of characters between the brackets of a text bar.
const barWidth = 20

// ProgressBar is a progress bar shown as one display that is updated in
// place. It publishes only when the whole percent it shows changes (and on
// Done), so a loop may call Set on every iteration. With a total of 0 or
// less the total is unknown: the bar shows the count, and publishes when
// its leading digit changes (1, 2, …, 9, 10, 20, …, 90, 100, 200, …).
//
// A ProgressBar is safe for concurrent use; calls after Done do nothing,
// and so do calls on a nil *ProgressBar.
type ProgressBar struct {
	d     *Display
	id    string
	title string
	total int

	mu     sync.Mutex
	done   int
	shown  int  // step of the last publication, -1 before the first
	ended  bool // Done was called
	sent   bool // the display is published
	text   bool // no Publisher: the bar is text on w
	tty    bool // w is a terminal: the bar is redrawn with \r
	w      io.Writer
	lastLn int // length of the last line drawn, 0 before the first
	drawn  int // done when the last line was drawn
}

// Progress shows a progress bar of title toward total steps, at 0; a
// total of 0 or less means the total is unknown. Without a Publisher the
// bar is text on standard error, as with the package-level Progress.
func (d *Display) Progress(title string, total int) *ProgressBar {
	if d == nil {
		d = new(Display)
	}
	p := &ProgressBar{d: d, id: d.newID(), title: title, total: total, shown: -1}
	if d.pub == nil {
		p.text = true
		p.w, p.tty = d.stderr, d.tty
		if p.w == nil {
			p.w, p.tty = os.Stderr, isTerminal(os.Stderr)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.show(false)
	return p
}

// isTerminal reports whether f is a character device, such as a terminal.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Set sets the number of steps done, clamped to [0, total].
func (p *ProgressBar) Set(done int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return
	}
	p.done = p.clamp(done)
	p.show(false)
}

// Add adds n steps done.
func (p *ProgressBar) Add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return
	}
	p.done = p.clamp(p.done + n)
	p.show(false)
}

// Done ends the bar: it shows all total steps done (with an unknown total,
// the count so far) and then no longer changes.
func (p *ProgressBar) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return
	}
	p.ended = true
	if p.total > 0 {
		p.done = p.total
	}
	p.show(true)
}

func (p *ProgressBar) clamp(n int) int {
	if n < 0 {
		return 0
	}
	if p.total > 0 && n > p.total {
		return p.total
	}
	return n
}

// percent is the whole percent done, 100 only when all steps are done.
func (p *ProgressBar) percent() int {
	return int(int64(p.done) * 100 / int64(p.total))
}

// step is what the bar shows, coarsely: it publishes when step changes.
// In a notebook and on a terminal that is the whole percent; in a text
// log, the tens of percent. With an unknown total it is the count rounded
// down to its leading digit.
func (p *ProgressBar) step() int {
	if p.total <= 0 {
		n := p.done
		mag := 1
		for n >= 10 {
			n /= 10
			mag *= 10
		}
		return n * mag
	}
	if p.text && !p.tty {
		return p.percent() / 10
	}
	return p.percent()
}

// show publishes the bar when its step changed, or always when final.
// The caller holds p.mu.
func (p *ProgressBar) show(final bool) {
	s := p.step()
	if s == p.shown && !final {
		return
	}
	p.shown = s
	if p.text {
		p.draw(final)
		return
	}
	// The first call (from Progress) publishes the display, later ones
	// update it.
	p.d.publish(p.id, progressBundle(p.title, p.done, p.total), p.sent)
	p.sent = true
}

// draw writes the bar as text: redrawn in place on a terminal, else a line.
func (p *ProgressBar) draw(final bool) {
	if final && !p.tty && p.done == p.drawn && p.lastLn > 0 {
		return // the last line of the log says it already
	}
	line := progressText(p.title, p.done, p.total)
	pad := max(p.lastLn-len(line), 0) // blank out the end of a longer line
	p.drawn, p.lastLn = p.done, len(line)
	p.d.mu.Lock()
	defer p.d.mu.Unlock()
	switch {
	case !p.tty:
		io.WriteString(p.w, line+"\n")
	case final:
		io.WriteString(p.w, "\r"+line+strings.Repeat(" ", pad)+"\n")
	default:
		io.WriteString(p.w, "\r"+line+strings.Repeat(" ", pad))
	}
}

// progressText is the bar as one line: "title  [#########           ]  45 % (450/1000)".
func progressText(title string, done, total int) string {
	var b strings.Builder
	if title != "" {
		b.WriteString(title + "  ")
	}
	if total <= 0 {
		b.WriteString(strconv.Itoa(done) + " done")
		return b.String()
	}
	pct := int(int64(done) * 100 / int64(total))
	full := int((int64(done)*barWidth*2 + int64(total)) / (2 * int64(total))) // rounded
	b.WriteByte('[')
	b.WriteString(strings.Repeat("#", full))
	b.WriteString(strings.Repeat(" ", barWidth-full))
	fmt.Fprintf(&b, "] %3d %% (%d/%d)", pct, done, total)
	return b.String()
}

// progressBundle is the bar as a display: text, an HTML <progress>
// element, and its state as JSON for the frontend.
func progressBundle(title string, done, total int) Bundle {
	var h strings.Builder
	h.WriteString(`<div class="firn-progress">`)
	if title != "" {
		h.WriteString("<span>" + html.EscapeString(title) + "</span> ")
	}
	if total > 0 {
		fmt.Fprintf(&h, `<progress value="%d" max="%d"></progress> %d %% (%d/%d)`,
			done, total, int(int64(done)*100/int64(total)), done, total)
	} else {
		fmt.Fprintf(&h, `<progress></progress> %d done`, done)
	}
	h.WriteString("</div>")
	return Bundle{Data: map[string]any{
		mimeText:     progressText(title, done, total),
		mimeHTML:     h.String(),
		mimeProgress: map[string]any{"title": title, "done": done, "total": total},
	}}
}
