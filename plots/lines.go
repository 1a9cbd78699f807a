package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LinesOptions control Lines. The zero value draws unlabelled axes.
type LinesOptions struct {
	// XLabel and YLabel name the axes, with their units: "Year",
	// "Balance (m w.e. yr⁻¹)".
	XLabel, YLabel string
	// Zero draws a reference line at y = 0 (balances, anomalies).
	Zero bool
	// Title is drawn above the plot; empty means none.
	Title string
	// Width and Height of the figure, cm; 0 means 16 × 10 cm.
	Width, Height float64
}

// Lines plots one or more series against a common x: ys[i][k] is series
// i at x[k] (observed and modelled balances against the year, a climate
// series, anything the other figures do not cover). Each series takes
// its own colour and dash, with a legend of labels when there is more
// than one (labels may be nil). A NaN in a series is a gap (a year
// without an observation); x must be finite and every series as long as
// x.
func Lines(x []float64, ys [][]float64, labels []string, opts LinesOptions) (*Figure, error) {
	const fn = "plots.Lines"
	if len(ys) == 0 {
		return nil, fmt.Errorf("%s: no series to plot", fn)
	}
	if len(x) < 2 {
		return nil, fmt.Errorf("%s: %d x values; a line needs at least 2", fn, len(x))
	}
	if err := checkFinite(fn, "x", x); err != nil {
		return nil, err
	}
	labels, err := checkLabels(fn, labels, len(ys), "series")
	if err != nil {
		return nil, err
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		xmin, xmax = min(xmin, v), max(xmax, v)
	}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	parts := make([][][]xy, len(ys))
	for i, y := range ys {
		where := fn + ": " + seriesName("series", i, labels[i])
		if len(y) != len(x) {
			return nil, fmt.Errorf("%s: %d values for %d x values", where, len(y), len(x))
		}
		var run []xy
		for k, v := range y {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: value %d is %g", where, k, v)
			}
			if math.IsNaN(v) {
				if len(run) > 0 {
					parts[i] = append(parts[i], run)
					run = nil
				}
				continue
			}
			run = append(run, xy{x[k], v})
			ymin, ymax = min(ymin, v), max(ymax, v)
		}
		if len(run) > 0 {
			parts[i] = append(parts[i], run)
		}
		if len(parts[i]) == 0 {
			return nil, fmt.Errorf("%s: no finite value", where)
		}
	}
	if opts.Zero {
		ymin, ymax = min(ymin, 0), max(ymax, 0)
	}
	if ymin == ymax {
		ymin, ymax = ymin-1, ymax+1
	}
	p := newPlot(opts.Title, opts.XLabel, opts.YLabel)
	setRange(&p.X, xmin, xmax, 0)
	setRange(&p.Y, ymin, ymax, 0.04)
	p.Add(hGrid{})
	lg := &legend{}
	if opts.Zero {
		p.Add(&refLine{value: 0, style: draw.LineStyle{Color: refColor, Width: vg.Points(refWidth)}})
		lg.lines = append(lg.lines, []xy{{p.X.Min, 0}, {p.X.Max, 0}})
	}
	for i, runs := range parts {
		sty := seriesStyle(i)
		for _, r := range runs {
			if len(r) == 1 {
				p.Add(&dots{at: r, color: sty.Color})
				continue
			}
			p.Add(&polyline{pts: r, style: sty})
			lg.lines = append(lg.lines, r)
		}
		lg.add(labels[i], sty)
	}
	pn := &panel{p: p, series: len(ys)}
	if len(ys) > 1 {
		pn.legend = lg
	}
	return newFigure("lines", pn, opts.Width, opts.Height), nil
}
