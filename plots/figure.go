package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/firnglacier/firn/internal/atomicfile"
)

// Default figure sizes, cm.
const (
	DefaultWidth  = 16.0
	DefaultHeight = 10.0
	// DefaultDPI is the resolution of PNG output, dots per inch.
	DefaultDPI = 96
)

// Limits that keep a mistaken size from exhausting memory.
const (
	maxSizeCm   = 200
	maxDPI      = 1200
	maxPNGPixel = 60e6
)

// Figure is a finished plot, or a grid of plots, with its size. Render it
// with SVG, PNG, Save or WriteTo. A Figure may be rendered any number of
// times, also from several goroutines; the output is byte-identical each
// time.
type Figure struct {
	// Width and Height of the figure, cm; 0 means the default of the
	// figure's kind (16 × 10 cm for a single plot).
	Width, Height float64
	// DPI is the resolution of PNG output, dots per inch; 0 means 96.
	DPI int

	kind   string
	rows   [][]*panel // row-major; nil where a grid has no panel
	shared *legend    // a grid's legend, drawn beside the panels
	defW   float64
	defH   float64
	err    error                                // why a one-call figure (Glacier, …) could not be made
	mu     sync.Mutex                           // rendering writes the plots' axis ranges; guards write too
	write  func(path string, data []byte) error // set by Confine: how Save writes
}

// panel is one plot of a figure with what Firn adds to gonum's plot.
type panel struct {
	p      *plot.Plot
	legend *legend // nil: none
	// xScale > 0 asks for equal scales: one x unit is xScale y units
	// long (cos φ for longitude against latitude; 1 for metres).
	xScale float64
	base   [4]float64 // data ranges before fitting equal scales
	title  string     // before wrapping to the panel's width
	shown  string     // the wrapped title last drawn
	series int
}

func newFigure(kind string, pn *panel, w, h float64) *Figure {
	pn.base = [4]float64{pn.p.X.Min, pn.p.X.Max, pn.p.Y.Min, pn.p.Y.Max}
	pn.title, pn.shown = pn.p.Title.Text, pn.p.Title.Text
	return &Figure{
		Width: w, Height: h,
		kind: kind, rows: [][]*panel{{pn}},
		defW: DefaultWidth, defH: DefaultHeight,
	}
}

// size returns the figure's size in gonum lengths and checks it.
func (f *Figure) size() (w, h vg.Length, err error) {
	if f.err != nil {
		return 0, 0, f.err
	}
	if len(f.rows) == 0 {
		return 0, 0, fmt.Errorf("figure is empty (make figures with the functions of package plots)")
	}
	wc, hc := f.Width, f.Height
	if wc == 0 {
		wc = f.defW
	}
	if hc == 0 {
		hc = f.defH
	}
	for _, d := range []struct {
		name string
		v    float64
	}{{"width", wc}, {"height", hc}} {
		if !(d.v > 0) || d.v > maxSizeCm {
			return 0, 0, fmt.Errorf("figure %s is %g cm; want more than 0 and at most %d cm", d.name, d.v, maxSizeCm)
		}
	}
	return vg.Length(wc) * vg.Centimeter, vg.Length(hc) * vg.Centimeter, nil
}

func (f *Figure) dpi() (int, error) {
	switch {
	case f.DPI == 0:
		return DefaultDPI, nil
	case f.DPI < 0 || f.DPI > maxDPI:
		return 0, fmt.Errorf("figure DPI is %d; want 1 to %d", f.DPI, maxDPI)
	}
	return f.DPI, nil
}

// Plot returns the gonum plot of a single-plot figure (nil for a grid), for
// changes the options do not offer: an axis range, a label, another
// plotter. Changes show in the next render. A map or cross-section refits
// its axis ranges to equal scales on every render. Do not change the plot
// while the figure is being rendered.
func (f *Figure) Plot() *plot.Plot {
	if len(f.rows) != 1 || len(f.rows[0]) != 1 || f.rows[0][0] == nil {
		return nil
	}
	return f.rows[0][0].p
}

// SVG renders the figure as an SVG document. Text is not embedded as
// glyphs: it names Liberation Sans, then Arial and Helvetica, which have
// the same metrics.
func (f *Figure) SVG() ([]byte, error) {
	w, h, err := f.size()
	if err != nil {
		return nil, err
	}
	c := vgsvg.New(w, h)
	if err := f.render(c); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return fontFallback(buf.Bytes()), nil
}

// fontFallback adds fonts of the same metrics after Liberation Sans, so
// that a browser without it does not fall back to a serif font.
func fontFallback(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:Liberation Sans,Arial,Helvetica,sans-serif;"))
}

// PNG renders the figure as a PNG image of Width×Height at DPI.
func (f *Figure) PNG() ([]byte, error) {
	w, h, err := f.size()
	if err != nil {
		return nil, err
	}
	dpi, err := f.dpi()
	if err != nil {
		return nil, err
	}
	if px := float64(w/vg.Inch) * float64(h/vg.Inch) * float64(dpi*dpi); px > maxPNGPixel {
		return nil, fmt.Errorf("figure of %.3g pixels at %d DPI is too large for a PNG (at most %.0f million)", px, dpi, maxPNGPixel/1e6)
	}
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	if err := f.render(c); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PDF renders the figure as a PDF document with the fonts embedded.
func (f *Figure) PDF() ([]byte, error) {
	w, h, err := f.size()
	if err != nil {
		return nil, err
	}
	c := vgpdf.New(w, h)
	if err := f.render(c); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteTo writes the figure as SVG to w; it implements io.WriterTo.
func (f *Figure) WriteTo(w io.Writer) (int64, error) {
	b, err := f.SVG()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// Save writes the figure to a file whose format is given by its extension:
// .svg, .png or .pdf. The write is atomic: the figure goes to a temporary
// file in the same directory, which then replaces path. A figure that
// Confine bound to a writer is written through that writer instead (in a
// notebook kernel's sandbox: only inside the workspace).
func (f *Figure) Save(path string) error {
	b, err := f.encode(path)
	if err != nil {
		return err
	}
	write := f.writer()
	if write == nil {
		write = func(path string, data []byte) error { return atomicfile.WriteBytes(path, 0o644, data) }
	}
	if err := write(path, b); err != nil {
		return fmt.Errorf("save figure: %w", err)
	}
	return nil
}

// SaveIn is Save for a slash-separated name inside root: the file cannot
// be written outside root (os.Root's rules: no "..", no symbolic link
// that leads out of it).
func (f *Figure) SaveIn(root *os.Root, name string) error {
	b, err := f.encode(name)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteIn(root, name, 0o644, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("save figure: %w", err)
	}
	return nil
}

// encode renders the figure in the format of name's extension.
func (f *Figure) encode(name string) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".svg":
		b, err = f.SVG()
	case ".png":
		b, err = f.PNG()
	case ".pdf":
		b, err = f.PDF()
	default:
		return nil, fmt.Errorf("save figure to %s: unknown extension %q; want .svg, .png or .pdf", name, ext)
	}
	if err != nil {
		return nil, fmt.Errorf("save figure to %s: %w", name, err)
	}
	return b, nil
}

// Confine binds f to write: from then on f.Save(path) hands the encoded
// figure to write(path, data) instead of writing the file itself. It
// returns f. The first binding stays: Confine on a figure already bound
// changes nothing, so that code given a bound figure cannot unbind it.
// Firn's notebook kernel binds every figure a sandboxed cell makes to a
// writer that refuses paths outside the workspace.
func Confine(f *Figure, write func(path string, data []byte) error) *Figure {
	if f == nil || write == nil {
		return f
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.write == nil {
		f.write = write
	}
	return f
}

// writer is the writer Confine bound f to, or nil.
func (f *Figure) writer() func(path string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.write
}

// MIME returns the figure as a display bundle: "image/svg+xml",
// "image/png" and a "text/plain" description, keyed by MIME type.
func (f *Figure) MIME() (map[string][]byte, error) {
	svg, err := f.SVG()
	if err != nil {
		return nil, err
	}
	png, err := f.PNG()
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		"image/svg+xml": svg,
		"image/png":     png,
		"text/plain":    []byte(f.String()),
	}, nil
}

// QuickMIME is MIME without the PNG, which takes most of a figure's
// rendering: what a notebook page draws while a reader moves a widget
// (the kernel asks for it then; display.RenderQuick).
func (f *Figure) QuickMIME() (map[string][]byte, error) {
	svg, err := f.SVG()
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"image/svg+xml": svg, "text/plain": []byte(f.String())}, nil
}

// String describes the figure, e.g. "profile plot, 3 series, 16 × 10 cm".
func (f *Figure) String() string {
	if f.err != nil {
		return "no figure: " + f.err.Error()
	}
	w, h := f.Width, f.Height
	if w == 0 {
		w = f.defW
	}
	if h == 0 {
		h = f.defH
	}
	n, panels := 0, 0
	for _, row := range f.rows {
		for _, pn := range row {
			if pn != nil {
				panels++
				n += pn.series
			}
		}
	}
	what := f.kind + " plot"
	if panels > 1 {
		what = fmt.Sprintf("grid of %d plots", panels)
	} else if n > 1 {
		what += fmt.Sprintf(", %d series", n)
	}
	return fmt.Sprintf("%s, %g × %g cm", what, w, h)
}

// render draws the figure on a canvas; a panic inside gonum/plot becomes
// an error.
func (f *Figure) render(c vg.CanvasSizer) (err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering the %s figure failed: %v", f.kind, r)
		}
	}()
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	m := vg.Points(4)
	dc = draw.Crop(dc, m, -m, m, -m)
	if f.shared != nil {
		lw, lh := f.shared.size()
		at := vg.Point{X: dc.Max.X - lw, Y: (dc.Min.Y+dc.Max.Y)/2 - lh/2}
		f.shared.drawAt(&dc, at)
		dc = draw.Crop(dc, 0, -(lw + vg.Points(6)), 0, 0)
	}
	if len(f.rows) == 1 && len(f.rows[0]) == 1 {
		f.rows[0][0].draw(dc)
		return nil
	}
	plots := make([][]*plot.Plot, len(f.rows))
	tileW := (dc.Max.X - dc.Min.X) / vg.Length(len(f.rows[0]))
	for i, row := range f.rows {
		plots[i] = make([]*plot.Plot, len(row))
		for j, pn := range row {
			if pn != nil {
				pn.wrapTitle(tileW)
				pn.fit(dc) // before Align, which reads the axis ranges
				plots[i][j] = pn.p
			}
		}
	}
	tiles := draw.Tiles{
		Rows: len(f.rows), Cols: len(f.rows[0]),
		PadX: vg.Points(10), PadY: vg.Points(10),
	}
	canvases := plot.Align(plots, tiles, dc)
	for i, row := range f.rows {
		for j, pn := range row {
			if pn != nil {
				pn.p.Draw(canvases[i][j])
				pn.drawLegend(canvases[i][j])
			}
		}
	}
	return nil
}

func (pn *panel) draw(c draw.Canvas) {
	pn.wrapTitle(c.Max.X - c.Min.X)
	pn.fit(c)
	pn.p.Draw(c)
	pn.drawLegend(c)
}

func (pn *panel) drawLegend(c draw.Canvas) {
	if pn.legend != nil {
		pn.legend.draw(pn.p.DataCanvas(c), pn.p)
	}
}

// wrapTitle breaks the panel's title into lines no wider than w.
func (pn *panel) wrapTitle(w vg.Length) {
	if pn.p.Title.Text != pn.shown {
		pn.title = pn.p.Title.Text // changed through Figure.Plot
	}
	pn.p.Title.Text = wrapText(pn.p.Title.TextStyle, pn.title, w)
	pn.shown = pn.p.Title.Text
}

// wrapText breaks s at spaces (not at no-break spaces) into lines no wider
// than w; a word longer than w gets a line of its own.
func wrapText(sty text.Style, s string, w vg.Length) string {
	if s == "" || sty.Width(s) <= w {
		return s
	}
	var lines []string
	line := ""
	for _, word := range strings.Split(s, " ") {
		switch {
		case word == "":
			continue
		case line == "":
			line = word
		case sty.Width(line+" "+word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n")
}

// fit widens one axis range of an equal-scale panel so that a unit of
// length is as long on both axes on canvas c. It starts again from the data
// ranges each time, so that repeated renders agree.
func (pn *panel) fit(c draw.Canvas) {
	if pn.xScale <= 0 {
		return
	}
	x0, x1, y0, y1 := pn.base[0], pn.base[1], pn.base[2], pn.base[3]
	pn.p.X.Min, pn.p.X.Max, pn.p.Y.Min, pn.p.Y.Max = x0, x1, y0, y1
	// The data area depends on the tick labels, which depend on the
	// ranges: a few rounds settle it.
	for range 3 {
		dac := pn.p.DataCanvas(c)
		w, h := float64(dac.Max.X-dac.Min.X), float64(dac.Max.Y-dac.Min.Y)
		if !(w > 0 && h > 0) {
			return
		}
		dx, dy := (x1-x0)*pn.xScale, y1-y0
		if dx/w > dy/h {
			half := dx / w * h / 2
			mid := (y0 + y1) / 2
			pn.p.Y.Min, pn.p.Y.Max = mid-half, mid+half
			pn.p.X.Min, pn.p.X.Max = x0, x1
		} else {
			half := dy / h * w / pn.xScale / 2
			mid := (x0 + x1) / 2
			pn.p.X.Min, pn.p.X.Max = mid-half, mid+half
			pn.p.Y.Min, pn.p.Y.Max = y0, y1
		}
	}
}

// checkLabels returns the series labels: labels itself when it has one per
// series, defaults ("<what> 1", ...) when it is nil.
func checkLabels(fn string, labels []string, n int, what string) ([]string, error) {
	if labels == nil {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s %d", what, i+1)
		}
		return out, nil
	}
	if len(labels) != n {
		return nil, fmt.Errorf("%s: %d labels for %d %ss; give one label per %s, or nil", fn, len(labels), n, what, what)
	}
	return labels, nil
}

// seriesName names series i in an error message.
func seriesName(what string, i int, label string) string {
	if label == "" || label == fmt.Sprintf("%s %d", what, i+1) {
		return fmt.Sprintf("%s %d", what, i+1)
	}
	return fmt.Sprintf("%s %d (%q)", what, i+1, label)
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// checkFinite returns an error naming the first value of xs that is not
// finite.
func checkFinite(where, field string, xs []float64) error {
	for i, v := range xs {
		if !finite(v) {
			return fmt.Errorf("%s: %s at index %d is %g", where, field, i, v)
		}
	}
	return nil
}
