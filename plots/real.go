package plots

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/edu"
)

// The one-call figures of a real glacier (edu.RealGlacier), as Glacier
// and Histories are for a teaching glacier: they return the figure alone,
// carrying the reason when it cannot be drawn.

// RealGlacierMap draws a real glacier's ice thickness today on its map,
// under its outline and flowline ([ThicknessMap] of
// edu.RealGlacier.ThicknessMap).
func RealGlacierMap(g *edu.RealGlacier) *Figure {
	if g == nil || g.Prepared == nil {
		return &Figure{kind: "map", err: fmt.Errorf("plots.RealGlacierMap: no glacier")}
	}
	h, err := g.ThicknessMap()
	if err != nil {
		return &Figure{kind: "map", err: fmt.Errorf("plots.RealGlacierMap: %w", err)}
	}
	f, err := ThicknessMap(g.Prepared, h, MapOptions{Title: g.Name + ": ice thickness today"})
	if err != nil {
		return &Figure{kind: "map", err: err}
	}
	return f
}

// RealGlacierProfile draws a real glacier along its flowline now: the bed
// the inversion found, the ice surface and the thickness.
func RealGlacierProfile(g *edu.RealGlacier) *Figure {
	if g == nil || g.Prepared == nil {
		return &Figure{kind: "glacier", err: fmt.Errorf("plots.RealGlacierProfile: no glacier")}
	}
	name := fmt.Sprintf("%s, year %g", g.Name, g.Year())
	f, err := Profile([]dynamics.Profile{g.Profile()}, []string{name}, ProfileOptions{Title: name})
	if err != nil {
		return &Figure{kind: "glacier", err: err}
	}
	return f
}

// RealHistories draws the volume and the length of real glaciers (a
// glacier under several scenarios, say) through the years, one line per
// glacier, labelled by their names.
func RealHistories(glaciers []*edu.RealGlacier) *Figure {
	if len(glaciers) == 0 {
		return &Figure{kind: "history", err: fmt.Errorf("plots.RealHistories: no glaciers")}
	}
	hs := make([]*dynamics.History, len(glaciers))
	labels := make([]string, len(glaciers))
	for i, g := range glaciers {
		if g == nil || g.History().Len() == 0 {
			return &Figure{kind: "history", err: fmt.Errorf("plots.RealHistories: glacier %d has no history yet (call ProgressToYear first)", i)}
		}
		hs[i] = g.History().Dynamics()
		labels[i] = g.Name
	}
	return volumeAndLength(hs, labels, 0)
}

// volumeLengthFigures returns the volume and the length figures of runs.
func volumeLengthFigures(hs []*dynamics.History, labels []string, threshold float64) ([]*Figure, error) {
	var figs []*Figure
	for _, q := range []Quantity{Volume, Length} {
		f, err := TimeSeries(hs, labels, TimeSeriesOptions{Quantity: q, LengthThreshold: threshold})
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// volumeAndLength draws the volume above the length of runs, whose length
// counts ice thicker than threshold m (0: any ice, or not said).
func volumeAndLength(hs []*dynamics.History, labels []string, threshold float64) *Figure {
	figs, err := volumeLengthFigures(hs, labels, threshold)
	if err != nil {
		return &Figure{kind: "history", err: err}
	}
	g, err := Grid(figs, 1)
	if err != nil {
		return &Figure{kind: "history", err: err}
	}
	return g
}
