package plots

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/edu"
)

// The one-call figures of a teaching glacier, as OGGM-Edu's
// glacier.plot() and glacier.plot_history(): they return the figure
// alone, so that a notebook cell can end with one and show it. A figure
// that cannot be drawn (a glacier that has not run yet) carries the
// reason: rendering it returns that error and String says it.

// Glacier draws a glacier as it is now: the bed, the ice and the
// equilibrium-line altitude along the flowline.
func Glacier(g *edu.Glacier) *Figure {
	if g == nil {
		return &Figure{kind: "glacier", err: fmt.Errorf("plots.Glacier: no glacier")}
	}
	if g.Model() == nil {
		return &Figure{kind: "glacier", err: fmt.Errorf("plots.Glacier: the glacier has not run yet (call ProgressToYear first)")}
	}
	name := g.Name
	if name == "" {
		name = fmt.Sprintf("year %g", g.Year())
	}
	f, err := Profile([]dynamics.Profile{g.Profile()}, []string{name}, ProfileOptions{ELA: g.MassBalance.ELAAt(g.Year())})
	if err != nil {
		return &Figure{kind: "glacier", err: err}
	}
	return f
}

// GlacierHistory draws a glacier's volume and length through the years
// it has run, one above the other.
func GlacierHistory(g *edu.Glacier) *Figure {
	if g == nil || g.History().Len() == 0 {
		return &Figure{kind: "history", err: fmt.Errorf("plots.GlacierHistory: the glacier has no history yet (call ProgressToYear first)")}
	}
	return Histories([]*edu.Glacier{g})
}

// Histories draws the volume and the length of several glaciers (a
// collection's, say) through the years, one line per glacier. The length
// axis says which ice counts (the glaciers' LengthThreshold, which must be
// the same for all).
func Histories(glaciers []*edu.Glacier) *Figure {
	figs, err := historyFigures("plots.Histories", glaciers)
	if err != nil {
		return &Figure{kind: "history", err: err}
	}
	g, err := Grid(figs, 1)
	if err != nil {
		return &Figure{kind: "history", err: err}
	}
	return g
}

// historyFigures returns the volume and the length figures of glaciers.
func historyFigures(fn string, glaciers []*edu.Glacier) ([]*Figure, error) {
	if len(glaciers) == 0 {
		return nil, fmt.Errorf("%s: no glaciers", fn)
	}
	hs := make([]*dynamics.History, len(glaciers))
	labels := make([]string, len(glaciers))
	threshold := 0.0
	for i, g := range glaciers {
		if g == nil || g.History().Len() == 0 {
			return nil, fmt.Errorf("%s: glacier %d has no history yet", fn, i)
		}
		hs[i] = g.History().Dynamics()
		labels[i] = g.Name
		if labels[i] == "" {
			labels[i] = fmt.Sprintf("glacier %d", i+1)
		}
		if i == 0 {
			threshold = g.LengthThreshold
		} else if g.LengthThreshold != threshold {
			return nil, fmt.Errorf("%s: glacier %d counts its length over %g m of ice, glacier 1 over %g m: set one LengthThreshold for all", fn, i+1, g.LengthThreshold, threshold)
		}
	}
	return volumeLengthFigures(hs, labels, threshold)
}

// Collection draws a collection of glaciers in one call, as OGGM-Edu's
// GlacierCollection.plot() and plot_history(): their profiles now,
// overlaid (with the equilibrium line when all share one), above their
// volume and their length through the years.
func Collection(c *edu.Collection) *Figure {
	if c == nil || len(c.Glaciers) == 0 {
		return &Figure{kind: "collection", err: fmt.Errorf("plots.Collection: no glaciers")}
	}
	labels := c.Labels()
	profiles := make([]dynamics.Profile, len(c.Glaciers))
	ela := 0.0
	for i, g := range c.Glaciers {
		if g == nil || g.Model() == nil {
			return &Figure{kind: "collection", err: fmt.Errorf("plots.Collection: %s has not run yet (call ProgressToYear first)", labels[i])}
		}
		profiles[i] = g.Profile()
		e := g.MassBalance.ELAAt(g.Year())
		switch {
		case i == 0:
			ela = e
		case e != ela:
			ela = 0 // several ELAs: each glacier's is in its summary
		}
	}
	side, err := Profile(profiles, labels, ProfileOptions{ELA: ela})
	if err != nil {
		return &Figure{kind: "collection", err: err}
	}
	hist, err := historyFigures("plots.Collection", c.Glaciers)
	if err != nil {
		return &Figure{kind: "collection", err: err}
	}
	g, err := Grid(append([]*Figure{side}, hist...), 1)
	if err != nil {
		return &Figure{kind: "collection", err: err}
	}
	g.defW, g.defH = DefaultWidth, 2*DefaultHeight
	return g
}

// Runoff draws a glacier's yearly runoff (edu.Glacier.Runoff) and its
// four parts — melt and rain on the glacier, snowmelt and rain off it —
// in millions of m³ of water per year.
func Runoff(r *edu.Runoff) *Figure {
	if r == nil || r.Len() < 2 {
		return &Figure{kind: "runoff", err: fmt.Errorf("plots.Runoff: no runoff (want two years or more, from Glacier.Runoff)")}
	}
	mm := func(x []float64) []float64 {
		y := make([]float64, len(x))
		for k, v := range x {
			y[k] = v / 1e6
		}
		return y
	}
	ys := [][]float64{mm(r.Total()), mm(r.MeltOnGlacier), mm(r.LiquidPrecipOnGlacier), mm(r.MeltOffGlacier), mm(r.LiquidPrecipOffGlacier)}
	labels := []string{"total runoff", "melt on glacier", "rain on glacier", "snowmelt off glacier", "rain off glacier"}
	f, err := Lines(r.Year, ys, labels, LinesOptions{XLabel: "Time (years)", YLabel: "Runoff (10⁶ m³ of water per year)"})
	if err != nil {
		return &Figure{kind: "runoff", err: err}
	}
	return f
}
