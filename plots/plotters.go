package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The plotters here draw data that the constructors have already checked
// and whose axis ranges they have set; none of them is a DataRanger.

// xy is a point in data coordinates.
type xy struct{ X, Y float64 }

// polyline strokes a line through points.
type polyline struct {
	pts   []xy
	style draw.LineStyle
}

func (l *polyline) Plot(c draw.Canvas, p *plot.Plot) {
	if len(l.pts) < 2 || l.style.Width <= 0 {
		return
	}
	c.StrokeLines(l.style, c.ClipLinesXY(toCanvas(&c, p, l.pts))...)
}

// area fills polygons (rings: the first outer, any further ones holes with
// the opposite winding) and optionally strokes their rings.
type area struct {
	rings [][]xy
	fill  color.Color
	line  draw.LineStyle // Width 0: no outline
}

func (a *area) Plot(c draw.Canvas, p *plot.Plot) {
	var path vg.Path
	for _, r := range a.rings {
		pts := c.ClipPolygonXY(toCanvas(&c, p, r))
		if len(pts) < 3 {
			continue
		}
		path.Move(pts[0])
		for _, q := range pts[1:] {
			path.Line(q)
		}
		path.Close()
	}
	if a.fill != nil && len(path) > 0 {
		c.SetColor(a.fill)
		c.Fill(path)
	}
	if a.line.Width > 0 {
		for _, r := range a.rings {
			pts := toCanvas(&c, p, r)
			if len(pts) > 0 && pts[0] != pts[len(pts)-1] {
				pts = append(pts, pts[0])
			}
			c.StrokeLines(a.line, c.ClipLinesXY(pts)...)
		}
	}
}

// refLine is a horizontal (or vertical) reference line across the whole
// data area, with an optional label at its right (top) end.
type refLine struct {
	value    float64
	vertical bool
	label    string
	style    draw.LineStyle
}

func (r *refLine) Plot(c draw.Canvas, p *plot.Plot) {
	if r.vertical {
		x := c.X(p.X.Norm(r.value))
		if c.ContainsX(x) {
			c.StrokeLine2(r.style, x, c.Min.Y, x, c.Max.Y)
		}
		return
	}
	y := c.Y(p.Y.Norm(r.value))
	if !c.ContainsY(y) {
		return
	}
	c.StrokeLine2(r.style, c.Min.X, y, c.Max.X, y)
	if sty, at, ok := r.labelAt(c, p); ok {
		haloText(&c, sty, at, r.label)
	}
}

// labelAt returns the style and position of the label: right-aligned at
// the right end, just below the line (where a legend at the top does not
// hide it).
func (r *refLine) labelAt(c draw.Canvas, p *plot.Plot) (text.Style, vg.Point, bool) {
	if r.label == "" || r.vertical {
		return text.Style{}, vg.Point{}, false
	}
	y := c.Y(p.Y.Norm(r.value))
	sty := textStyle(noteSize)
	sty.Color = r.style.Color
	sty.XAlign, sty.YAlign = draw.XRight, draw.YTop
	return sty, vg.Point{X: c.Max.X - vg.Points(2), Y: y - vg.Points(2)}, c.ContainsY(y)
}

// labelRect returns the canvas rectangle of the label.
func (r *refLine) labelRect(c draw.Canvas, p *plot.Plot) (vg.Rectangle, bool) {
	sty, at, ok := r.labelAt(c, p)
	if !ok {
		return vg.Rectangle{}, false
	}
	return sty.Rectangle(r.label).Add(at), true
}

// hGrid draws faint horizontal lines at the labelled ticks of the y axis.
type hGrid struct{}

func (hGrid) Plot(c draw.Canvas, p *plot.Plot) {
	sty := draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		y := c.Y(p.Y.Norm(t.Value))
		if c.ContainsY(y) {
			c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
		}
	}
}

// marks writes short labels centred on points (names on a map), on a
// translucent white box, kept inside the data area.
type marks struct {
	at    []xy
	texts []string
}

func (m *marks) Plot(c draw.Canvas, p *plot.Plot) {
	sty := textStyle(noteSize)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	var placed []vg.Rectangle
	for i, t := range m.texts {
		if t == "" {
			continue
		}
		w, h := sty.Width(t)+vg.Points(4), sty.Height(t)+vg.Points(2)
		x := clampLen(c.X(p.X.Norm(m.at[i].X)), c.Min.X+w/2, c.Max.X-w/2)
		y0 := c.Y(p.Y.Norm(m.at[i].Y))
		// Move a label that would cover one already written up or down
		// by a line at a time.
		var at vg.Point
		for k, shift := range []float64{0, -1, 1, -2, 2, -3, 3} {
			y := clampLen(y0+vg.Length(shift)*h, c.Min.Y+h/2, c.Max.Y-h/2)
			at = vg.Point{X: x, Y: y}
			box := vg.Rectangle{Min: vg.Point{X: x - w/2, Y: y - h/2}, Max: vg.Point{X: x + w/2, Y: y + h/2}}
			free := true
			for _, b := range placed {
				if overlaps(box, b) {
					free = false
					break
				}
			}
			if free || k == 6 {
				placed = append(placed, box)
				break
			}
		}
		haloText(&c, sty, at, t)
	}
}

// dots draws small filled circles (point geometries on a map).
type dots struct {
	at    []xy
	color color.Color
}

func (d *dots) Plot(c draw.Canvas, p *plot.Plot) {
	g := draw.GlyphStyle{Color: d.color, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	for _, q := range d.at {
		pt := vg.Point{X: c.X(p.X.Norm(q.X)), Y: c.Y(p.Y.Norm(q.Y))}
		if c.Contains(pt) {
			c.DrawGlyph(g, pt)
		}
	}
}

func clampLen(v, lo, hi vg.Length) vg.Length {
	if hi < lo {
		return (lo + hi) / 2
	}
	return max(lo, min(v, hi))
}

// haloText writes text on a translucent white box so that it stays
// readable over lines.
func haloText(c *draw.Canvas, sty text.Style, at vg.Point, s string) {
	r := sty.Rectangle(s)
	pad := vg.Points(1.5)
	box := vg.Rectangle{
		Min: vg.Point{X: at.X + r.Min.X - pad, Y: at.Y + r.Min.Y - pad/2},
		Max: vg.Point{X: at.X + r.Max.X + pad, Y: at.Y + r.Max.Y + pad/2},
	}
	c.SetColor(halo)
	c.Fill(box.Path())
	c.FillText(sty, at, s)
}

// toCanvas transforms data points to canvas points.
func toCanvas(c *draw.Canvas, p *plot.Plot, pts []xy) []vg.Point {
	tx, ty := p.Transforms(c)
	out := make([]vg.Point, len(pts))
	for i, q := range pts {
		out[i] = vg.Point{X: tx(q.X), Y: ty(q.Y)}
	}
	return out
}

// legend is drawn inside the data area, in the corner where it covers the
// least data (lines count more than filled areas), on a translucent white
// box; or, for a grid whose panels share it, beside the panels.
type legend struct {
	entries []legendEntry
	// lines and areas are what the legend should not cover, in data
	// coordinates.
	lines [][]xy
	areas [][]xy
	notes []*refLine // whose labels it should not cover
}

type legendEntry struct {
	label string
	style draw.LineStyle
}

const (
	legendPad   = 4   // points, inside the box
	legendThumb = 22  // points, line sample
	legendGap   = 5   // points, between sample and text
	legendInset = 3   // points, from the data area's edge
	legendRow   = 1.3 // row height in font sizes
)

func (l *legend) add(label string, style draw.LineStyle) {
	l.entries = append(l.entries, legendEntry{label, style})
}

// size returns the legend box's width and height.
func (l *legend) size() (w, h vg.Length) {
	sty := textStyle(legendSize)
	var tw vg.Length
	for _, e := range l.entries {
		tw = max(tw, sty.Width(e.label))
	}
	w = vg.Points(2*legendPad+legendThumb+legendGap) + tw
	h = vg.Points(2*legendPad) + vg.Length(len(l.entries))*vg.Points(legendRow*legendSize)
	return w, h
}

// draw places the legend in the best corner of the data canvas c.
func (l *legend) draw(c draw.Canvas, p *plot.Plot) {
	w, h := l.size()
	in := vg.Points(legendInset)
	corners := []vg.Point{
		{X: c.Max.X - in - w, Y: c.Max.Y - in - h}, // top right
		{X: c.Min.X + in, Y: c.Max.Y - in - h},     // top left
		{X: c.Max.X - in - w, Y: c.Min.Y + in},     // bottom right
		{X: c.Min.X + in, Y: c.Min.Y + in},         // bottom left
	}
	lines := make([][]vg.Point, len(l.lines))
	for i, pl := range l.lines {
		lines[i] = toCanvas(&c, p, pl)
	}
	areas := make([][]vg.Point, len(l.areas))
	for i, a := range l.areas {
		areas[i] = toCanvas(&c, p, a)
	}
	var boxes []vg.Rectangle
	for _, n := range l.notes {
		if r, ok := n.labelRect(c, p); ok {
			boxes = append(boxes, r)
		}
	}
	best, bestScore := corners[0], math.Inf(1)
	for _, at := range corners {
		r := vg.Rectangle{Min: at, Max: vg.Point{X: at.X + w, Y: at.Y + h}}
		s := coverScore(r, lines, areas)
		for _, b := range boxes {
			if overlaps(r, b) {
				s += 10
			}
		}
		if s < bestScore {
			best, bestScore = at, s
		}
	}
	l.drawAt(&c, best)
}

// drawAt draws the legend box with its lower-left corner at min.
func (l *legend) drawAt(c *draw.Canvas, min vg.Point) {
	w, h := l.size()
	box := vg.Rectangle{Min: min, Max: vg.Point{X: min.X + w, Y: min.Y + h}}
	c.SetColor(halo)
	c.Fill(box.Path())
	sty := textStyle(legendSize)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	row := vg.Points(legendRow * legendSize)
	x0 := min.X + vg.Points(legendPad)
	y := box.Max.Y - vg.Points(legendPad) - row/2
	for _, e := range l.entries {
		c.StrokeLine2(e.style, x0, y, x0+vg.Points(legendThumb), y)
		c.FillText(sty, vg.Point{X: x0 + vg.Points(legendThumb+legendGap), Y: y}, e.label)
		y -= row
	}
}

// coverScore measures how much data a rectangle covers: 10 for each line
// segment that crosses it and 1 for each of 15 sample points that falls
// inside a filled area.
func coverScore(r vg.Rectangle, lines, areas [][]vg.Point) float64 {
	m := vg.Points(2)
	r.Min.X, r.Min.Y, r.Max.X, r.Max.Y = r.Min.X-m, r.Min.Y-m, r.Max.X+m, r.Max.Y+m
	score := 0.0
	for _, pl := range lines {
		for i := 1; i < len(pl); i++ {
			if segmentHitsRect(pl[i-1], pl[i], r) {
				score += 10
			}
		}
	}
	if len(areas) == 0 {
		return score
	}
	for i := range 5 {
		for j := range 3 {
			q := vg.Point{
				X: r.Min.X + (r.Max.X-r.Min.X)*vg.Length(i)/4,
				Y: r.Min.Y + (r.Max.Y-r.Min.Y)*vg.Length(j)/2,
			}
			for _, a := range areas {
				if insidePolygon(q, a) {
					score++
					break
				}
			}
		}
	}
	return score
}

// overlaps reports whether two rectangles share area.
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// segmentHitsRect reports whether segment ab meets rectangle r
// (Liang–Barsky clipping).
func segmentHitsRect(a, b vg.Point, r vg.Rectangle) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	for _, e := range [4]struct{ p, q float64 }{
		{-dx, float64(a.X - r.Min.X)},
		{dx, float64(r.Max.X - a.X)},
		{-dy, float64(a.Y - r.Min.Y)},
		{dy, float64(r.Max.Y - a.Y)},
	} {
		if e.p == 0 {
			if e.q < 0 {
				return false
			}
			continue
		}
		t := e.q / e.p
		if e.p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// insidePolygon reports whether q is inside the ring (even-odd rule).
func insidePolygon(q vg.Point, ring []vg.Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Y > q.Y) != (b.Y > q.Y) && q.X < (b.X-a.X)*(q.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}
