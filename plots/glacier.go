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
// collection's, say) through the years, one line per glacier.
func Histories(glaciers []*edu.Glacier) *Figure {
	if len(glaciers) == 0 {
		return &Figure{kind: "history", err: fmt.Errorf("plots.Histories: no glaciers")}
	}
	hs := make([]*dynamics.History, len(glaciers))
	labels := make([]string, len(glaciers))
	for i, g := range glaciers {
		if g == nil || g.History().Len() == 0 {
			return &Figure{kind: "history", err: fmt.Errorf("plots.Histories: glacier %d has no history yet", i)}
		}
		hs[i] = g.History().Dynamics()
		labels[i] = g.Name
		if labels[i] == "" {
			labels[i] = fmt.Sprintf("glacier %d", i+1)
		}
	}
	return volumeAndLength(hs, labels)
}
