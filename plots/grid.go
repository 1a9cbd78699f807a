package plots

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Size of one panel of a Grid by default, cm.
const (
	gridPanelWidth  = 8.0
	gridPanelHeight = 6.0
)

// Grid arranges figures side by side, cols to a row, for comparing a
// collection of glaciers or runs. The panels' data areas are aligned, and
// panels that have the same axis label (so the same quantity and unit)
// share that axis: one range for all, labelled only on the left column and
// the bottom row. Each panel keeps its title. When several panels have
// the same legend entries, one legend is drawn beside the grid instead.
// The figures themselves are not changed. The grid is 8 × 6 cm per panel
// by default.
func Grid(figs []*Figure, cols int) (*Figure, error) {
	const fn = "plots.Grid"
	if len(figs) == 0 {
		return nil, fmt.Errorf("%s: no figures to arrange", fn)
	}
	if cols < 1 {
		return nil, fmt.Errorf("%s: %d columns; want at least 1", fn, cols)
	}
	cols = min(cols, len(figs))
	panels := make([]*panel, len(figs))
	for i, f := range figs {
		switch {
		case f == nil:
			return nil, fmt.Errorf("%s: figure %d is nil", fn, i+1)
		case len(f.rows) != 1 || len(f.rows[0]) != 1 || f.rows[0][0] == nil:
			return nil, fmt.Errorf("%s: figure %d is itself a grid; give single plots", fn, i+1)
		}
		f.mu.Lock()
		src := f.rows[0][0]
		pc := *src.p // shallow: the plotters are shared, never changed
		f.mu.Unlock()
		pn := &panel{p: &pc, legend: src.legend, xScale: src.xScale, base: src.base, title: src.title, shown: src.shown, series: src.series}
		if pn.xScale > 0 {
			pc.X.Min, pc.X.Max, pc.Y.Min, pc.Y.Max = pn.base[0], pn.base[1], pn.base[2], pn.base[3]
		}
		pc.X.Tick.Marker = niceTicks{target: 4}
		pc.Y.Tick.Marker = niceTicks{target: 4}
		panels[i] = pn
	}
	rows := (len(panels) + cols - 1) / cols

	shareAxis(panels, cols, true)
	shareAxis(panels, cols, false)

	g := &Figure{kind: "grid", defW: gridPanelWidth * float64(cols), defH: gridPanelHeight * float64(rows)}
	if shared := sharedLegend(panels); shared != nil {
		g.shared = shared
		for _, pn := range panels {
			pn.legend = nil
		}
		w, _ := shared.size()
		g.defW += float64(w/vg.Centimeter) + 0.5
	}
	g.rows = make([][]*panel, rows)
	for r := range g.rows {
		g.rows[r] = make([]*panel, cols)
		for c := range cols {
			if i := r*cols + c; i < len(panels) {
				g.rows[r][c] = panels[i]
			}
		}
	}
	return g, nil
}

// shareAxis gives the x (or y) axes of all panels one range when they all
// have the same label and none keeps equal scales, and then hides the
// labels of inner panels: x below a panel that has another below it, y
// right of the first column.
func shareAxis(panels []*panel, cols int, x bool) {
	axis := func(pn *panel) *plot.Axis {
		if x {
			return &pn.p.X
		}
		return &pn.p.Y
	}
	label := axis(panels[0]).Label.Text
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pn := range panels {
		a := axis(pn)
		if pn.xScale > 0 || a.Label.Text != label {
			return
		}
		lo, hi = min(lo, a.Min), max(hi, a.Max)
	}
	for i, pn := range panels {
		a := axis(pn)
		a.Min, a.Max = lo, hi
		pn.base = [4]float64{pn.p.X.Min, pn.p.X.Max, pn.p.Y.Min, pn.p.Y.Max}
		inner := i%cols != 0
		if x {
			inner = i+cols < len(panels)
		}
		if inner {
			a.Label.Text = ""
			a.Tick.Marker = niceTicks{target: 4, noLabels: true}
		}
	}
}

// sharedLegend returns a legend for the whole grid when at least two
// panels have legends and all of them have the same entries.
func sharedLegend(panels []*panel) *legend {
	var first *legend
	n := 0
	for _, pn := range panels {
		if pn.legend == nil {
			continue
		}
		n++
		if first == nil {
			first = pn.legend
			continue
		}
		if !slices.EqualFunc(first.entries, pn.legend.entries, func(a, b legendEntry) bool { return a.label == b.label }) {
			return nil
		}
	}
	if n < 2 {
		return nil
	}
	return &legend{entries: first.entries}
}
