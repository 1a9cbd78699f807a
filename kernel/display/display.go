package display

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

// Publisher receives what a Display shows. The kernel implements it by
// sending display_data and update_display_data messages; a Display calls
// it from one goroutine at a time, so it need not be safe for concurrent
// use, and it must not call back into the Display.
type Publisher interface {
	// Publish shows a new display. Its id names it for later updates; it
	// may be "" when no update is planned.
	Publish(id string, b Bundle)
	// Update replaces the display with that id (Jupyter's
	// update_display_data).
	Update(id string, b Bundle)
}

// WidgetPublisher is a Publisher that also keeps the models of the
// widgets a Display shows (Slider, Dropdown, …), so that a front end can
// draw them as live controls and move their values: the kernel opens a
// Jupyter comm for each. A Display whose Publisher is one calls
// OpenWidget with the widget's description (the WidgetMIME object; not to
// be changed) right before it publishes the widget's display.
type WidgetPublisher interface {
	Publisher
	OpenWidget(desc map[string]any)
}

// Display shows values through a Publisher. It is safe for concurrent use
// by multiple goroutines; the bundles of one display reach the Publisher in
// the order they were made.
//
// The zero Display (and a nil *Display) has no Publisher: it prints the
// text/plain form of what it shows to standard output and its progress
// bars to standard error, as the package-level Show and Progress do.
type Display struct {
	pub    Publisher
	prefix string        // of display ids, random per Display
	n      atomic.Uint64 // displays made
	mu     sync.Mutex    // one Publisher call at a time

	widgets widgetValues // the values the reader chose, by widget label
	quick   atomic.Bool  // render with RenderQuick (a widget's live re-run)

	// Where a Display without a Publisher writes; nil means os.Stdout and
	// os.Stderr, whose terminal-ness is then detected.
	stdout, stderr io.Writer
	tty            bool
}

// New returns a Display that shows values through pub. Its display ids
// are a random prefix made here followed by a counter: "firn-1a2b3c4d-1",
// "firn-1a2b3c4d-2", … A nil pub gives a Display that prints text.
func New(pub Publisher) *Display {
	var r [4]byte
	rand.Read(r[:]) // never fails (crypto/rand.Read since Go 1.24)
	return &Display{pub: pub, prefix: "firn-" + hex.EncodeToString(r[:]) + "-"}
}

// newID returns a display id never returned before by d.
func (d *Display) newID() string {
	return d.prefix + strconv.FormatUint(d.n.Add(1), 10)
}

// Show renders v (see Render) and shows it as a new display; the Handle
// replaces it later.
func (d *Display) Show(v any) *Handle {
	if d == nil {
		d = new(Display)
	}
	b := d.render(v)
	h := &Handle{d: d, id: d.newID()}
	d.publish(h.id, b, false)
	return h
}

// SetQuick makes d render with RenderQuick (true) or Render (false):
// the kernel sets it for the cells a page runs while a widget moves.
func (d *Display) SetQuick(quick bool) {
	if d != nil {
		d.quick.Store(quick)
	}
}

// Quick reports whether d renders with RenderQuick.
func (d *Display) Quick() bool { return d != nil && d.quick.Load() }

func (d *Display) render(v any) Bundle {
	if d.quick.Load() {
		return RenderQuick(v)
	}
	return Render(v)
}

// publish sends b to the Publisher as a new display (or, with update, as
// the new content of display id), or prints its text without a Publisher.
func (d *Display) publish(id string, b Bundle, update bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.publishLocked(id, b, update)
}

// publishWidget publishes a widget's display, its model opened first
// when the Publisher keeps models.
func (d *Display) publishWidget(id string, desc map[string]any, b Bundle) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if wp, ok := d.pub.(WidgetPublisher); ok {
		wp.OpenWidget(desc)
	}
	d.publishLocked(id, b, false)
}

func (d *Display) publishLocked(id string, b Bundle, update bool) {
	switch {
	case d.pub == nil:
		w := d.stdout
		if w == nil {
			w = os.Stdout
		}
		io.WriteString(w, b.text()+"\n")
	case update:
		d.pub.Update(id, b)
	default:
		d.pub.Publish(id, b)
	}
}

// Handle is a value shown by Show, which Update replaces in place.
type Handle struct {
	d  *Display
	id string
}

// Update renders v and shows it in place of what the handle shows. Without
// a Publisher (the package-level Show), it prints v again. Update on a nil
// Handle does nothing.
func (h *Handle) Update(v any) {
	if h == nil || h.d == nil {
		return
	}
	h.d.publish(h.id, h.d.render(v), true)
}

// Show prints the text/plain form of Render(v) to standard output: the
// default for programs outside a notebook. In a notebook cell the kernel
// binds Show to its Display, so that it shows v as rich output.
func Show(v any) *Handle {
	return new(Display).Show(v)
}

// Progress shows a text progress bar on standard error: updated in place
// with \r when standard error is a terminal, else a line per 10 %. In a
// notebook cell the kernel binds Progress to its Display, so that the bar
// is shown in the notebook.
func Progress(title string, total int) *ProgressBar {
	return new(Display).Progress(title, total)
}
