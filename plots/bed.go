package plots

import (
	"fmt"
	"slices"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/edu"
)

// Bed draws a teaching bed as OGGM-Edu's GlacierBed.plot() does: a side
// view (the bed's altitude along the valley, over rock) above a top view
// (the valley's outline, its width drawn half on each side of the
// flowline). Distances are in km (in m under 2 km). The outline is the
// bed's Width: a trapezoid's bottom width, a parabola's width at 100 m of
// ice.
func Bed(bed *edu.Bed) *Figure {
	if bed == nil || bed.Points() < 2 {
		return &Figure{kind: "bed", err: fmt.Errorf("plots.Bed: no bed (want one of two points or more, from edu.NewBed)")}
	}
	p := dynamics.Profile{Distance: distances(bed), Bed: bed.Altitude, Surface: bed.Altitude, Thickness: make([]float64, bed.Points())}
	return bedFigure("plots.Bed", bed, p, nil, 0)
}

// GlacierBed draws a glacier on its bed: the side view with the ice and
// its surface and the equilibrium line of the current year, above the top
// view with the ice-covered part of the valley filled at the width of its
// surface.
func GlacierBed(g *edu.Glacier) *Figure {
	if g == nil || g.Bed == nil {
		return &Figure{kind: "bed", err: fmt.Errorf("plots.GlacierBed: no glacier")}
	}
	s := g.State()
	if len(s.Thickness) != g.Bed.Points() {
		return &Figure{kind: "bed", err: fmt.Errorf("plots.GlacierBed: the glacier's bed does not make a flowline (see Glacier.ProgressToYear's error)")}
	}
	p := dynamics.Profile{Distance: distances(g.Bed), Bed: g.Bed.Altitude, Surface: s.Surface, Thickness: s.Thickness}
	return bedFigure("plots.GlacierBed", g.Bed, p, s.Width, g.MassBalance.ELAAt(g.Year()))
}

func distances(b *edu.Bed) []float64 {
	d := make([]float64, b.Points())
	for i := range d {
		d[i] = float64(i) * b.Dx
	}
	return d
}

// bedFigure is the side view of p over the top view of bed, with the ice
// (where p has some) at iceWidth.
func bedFigure(fn string, bed *edu.Bed, p dynamics.Profile, iceWidth []float64, ela float64) *Figure {
	side, err := Profile([]dynamics.Profile{p}, nil, ProfileOptions{ELA: ela, Title: "Side view"})
	if err != nil {
		return &Figure{kind: "bed", err: err}
	}
	top, err := topView(fn, bed, p.Thickness, iceWidth)
	if err != nil {
		return &Figure{kind: "bed", err: err}
	}
	g, err := Grid([]*Figure{side, top}, 1)
	if err != nil {
		return &Figure{kind: "bed", err: err}
	}
	g.defW, g.defH = DefaultWidth, 1.6*DefaultHeight
	return g
}

// topView draws the valley's outline from above: the flowline along x,
// the width across, half on each side; ice where thickness > 0, at
// iceWidth.
func topView(fn string, bed *edu.Bed, thickness, iceWidth []float64) (*Figure, error) {
	if err := checkFinite(fn, "width", bed.Width); err != nil {
		return nil, err
	}
	if len(bed.Width) != bed.Points() {
		return nil, fmt.Errorf("%s: %d widths for %d points", fn, len(bed.Width), bed.Points())
	}
	d := distances(bed)
	scale, xLabel := 1.0, "Distance along flowline (m)" // as Profile's side view
	if d[len(d)-1]-d[0] >= 2000 {
		scale, xLabel = 1e-3, "Distance along flowline (km)"
	}
	outline := func(w []float64, from, to int) []xy {
		ring := make([]xy, 0, 2*(to-from))
		for k := from; k < to; k++ {
			ring = append(ring, xy{d[k] * scale, w[k] / 2})
		}
		for k := to - 1; k >= from; k-- {
			ring = append(ring, xy{d[k] * scale, -w[k] / 2})
		}
		return ring
	}
	wmax := slices.Max(bed.Width)
	if iceWidth != nil {
		wmax = max(wmax, slices.Max(iceWidth))
	}
	pl := newPlot("Top view", xLabel, "Across the valley (m)")
	setRange(&pl.X, d[0]*scale, d[len(d)-1]*scale, 0)
	setRange(&pl.Y, -wmax/2, wmax/2, 0.1)
	valley := outline(bed.Width, 0, bed.Points())
	pl.Add(&area{rings: [][]xy{valley}, fill: rockColor})
	lg := &legend{areas: [][]xy{valley}}
	if iceWidth != nil {
		for _, seg := range iceSegments(thickness) {
			// iceSegments reaches one point beyond the ice on each side,
			// where the side view's surface meets the bed: the top view
			// ends the ice there in a tip.
			from, to := seg[0], seg[1]
			if !(thickness[from] > 0) {
				from++
			}
			tip := to < len(thickness) || !(thickness[to-1] > 0)
			if tip {
				to--
			}
			ice := outline(iceWidth, from, to)
			if tip {
				ice = slices.Insert(ice, to-from, xy{d[to] * scale, 0})
			}
			pl.Add(&area{rings: [][]xy{ice}, fill: iceFill})
			lg.areas = append(lg.areas, ice)
		}
	}
	edge := append(slices.Clone(valley), valley[0])
	pl.Add(&polyline{pts: edge, style: draw.LineStyle{Color: bedColor, Width: vg.Points(bedWidth)}})
	lg.lines = append(lg.lines, edge)
	return newFigure("bed", &panel{p: pl}, 0, 0), nil
}
