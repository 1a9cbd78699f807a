package plots

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
)

// ProfileOptions control Profile. The zero value gives the defaults.
type ProfileOptions struct {
	// ELA draws the equilibrium-line altitude as a dashed line, m a.s.l.;
	// 0 draws none.
	ELA float64
	// Title is drawn above the plot; empty means none.
	Title string
	// Width and Height of the figure, cm; 0 means 16 × 10 cm.
	Width, Height float64
}

// Profile plots longitudinal profiles of a flowline: the bed over rock,
// the ice filled in blue and its surface. Several profiles (of several
// times, or several runs over the same bed) are overlaid, each surface in
// its own colour and dash, with a legend of labels; labels may be nil (for
// one profile it is not shown anyway). Distance is in km when the
// flowline is 2 km or longer, altitude in m.
func Profile(profiles []dynamics.Profile, labels []string, opts ProfileOptions) (*Figure, error) {
	const fn = "plots.Profile"
	if len(profiles) == 0 {
		return nil, fmt.Errorf("%s: no profiles to plot", fn)
	}
	labels, err := checkLabels(fn, labels, len(profiles), "profile")
	if err != nil {
		return nil, err
	}
	if !finite(opts.ELA) {
		return nil, fmt.Errorf("%s: ELA is %g m; want a finite altitude, or 0 for none", fn, opts.ELA)
	}
	thick := make([][]float64, len(profiles))
	xmax, zmin, zmax := math.Inf(-1), math.Inf(1), math.Inf(-1)
	xmin := math.Inf(1)
	for i := range profiles {
		where := fn + ": " + seriesName("profile", i, labels[i])
		if thick[i], err = checkProfile(where, &profiles[i]); err != nil {
			return nil, err
		}
		p := &profiles[i]
		xmin = min(xmin, slices.Min(p.Distance))
		xmax = max(xmax, slices.Max(p.Distance))
		zmin = min(zmin, slices.Min(p.Bed))
		zmax = max(zmax, slices.Max(p.Surface), slices.Max(p.Bed))
	}
	if opts.ELA != 0 {
		zmin, zmax = min(zmin, opts.ELA), max(zmax, opts.ELA)
	}

	scale, xLabel := 1.0, "Distance along flowline (m)"
	if xmax-xmin >= 2000 {
		scale, xLabel = 1e-3, "Distance along flowline (km)"
	}
	p := newPlot(opts.Title, xLabel, "Altitude (m)")
	setRange(&p.X, xmin*scale, xmax*scale, 0)
	setRange(&p.Y, zmin, zmax, 0.04)
	ground := p.Y.Min - (p.Y.Max-p.Y.Min)*10 // clipped: fills to the axis

	lg := &legend{}
	// Rock under each distinct bed, then the beds' lines.
	var beds [][]xy
	for i := range profiles {
		pr := &profiles[i]
		seen := false
		for j := range i {
			if slices.Equal(profiles[j].Bed, pr.Bed) && slices.Equal(profiles[j].Distance, pr.Distance) {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		bed := make([]xy, len(pr.Bed))
		for k := range pr.Bed {
			bed[k] = xy{pr.Distance[k] * scale, pr.Bed[k]}
		}
		rock := append(slices.Clone(bed), xy{bed[len(bed)-1].X, ground}, xy{bed[0].X, ground})
		p.Add(&area{rings: [][]xy{rock}, fill: rockColor})
		beds = append(beds, bed)
		lg.areas = append(lg.areas, rock)
	}
	fill := iceFill
	if len(profiles) > 1 {
		fill = iceFillLayered
	}
	surfaces := make([][][]xy, len(profiles))
	for i := range profiles {
		pr := &profiles[i]
		for _, seg := range iceSegments(thick[i]) {
			surf := make([]xy, 0, seg[1]-seg[0])
			for k := seg[0]; k < seg[1]; k++ {
				surf = append(surf, xy{pr.Distance[k] * scale, pr.Surface[k]})
			}
			ring := slices.Clone(surf)
			for k := seg[1] - 1; k >= seg[0]; k-- {
				ring = append(ring, xy{pr.Distance[k] * scale, pr.Bed[k]})
			}
			p.Add(&area{rings: [][]xy{ring}, fill: fill})
			surfaces[i] = append(surfaces[i], surf)
			lg.areas = append(lg.areas, ring)
		}
	}
	bedStyle := draw.LineStyle{Color: bedColor, Width: vg.Points(bedWidth)}
	for _, bed := range beds {
		p.Add(&polyline{pts: bed, style: bedStyle})
		lg.lines = append(lg.lines, bed)
	}
	if opts.ELA != 0 {
		ela := &refLine{value: opts.ELA, label: "ELA " + formatValue(opts.ELA) + " m", style: draw.LineStyle{
			Color: refColor, Width: vg.Points(refWidth), Dashes: []vg.Length{vg.Points(4), vg.Points(3)},
		}}
		p.Add(ela)
		lg.notes = append(lg.notes, ela)
		x0, x1 := p.X.Min, p.X.Max
		lg.lines = append(lg.lines, []xy{{x0, opts.ELA}, {x1, opts.ELA}})
	}
	for i := range profiles {
		sty := seriesStyle(i)
		lg.add(labels[i], sty)
		for _, s := range surfaces[i] {
			p.Add(&polyline{pts: s, style: sty})
			lg.lines = append(lg.lines, s)
		}
	}
	pn := &panel{p: p, series: len(profiles)}
	if len(profiles) > 1 {
		pn.legend = lg
	}
	return newFigure("profile", pn, opts.Width, opts.Height), nil
}

// checkProfile checks one profile and returns its ice thickness (from
// Thickness, or Surface − Bed when Thickness is empty).
func checkProfile(where string, p *dynamics.Profile) ([]float64, error) {
	n := len(p.Distance)
	if n < 2 {
		return nil, fmt.Errorf("%s: %d points; a profile needs at least 2", where, n)
	}
	fields := []struct {
		name string
		v    []float64
	}{{"distance", p.Distance}, {"bed", p.Bed}, {"surface", p.Surface}, {"thickness", p.Thickness}}
	for _, f := range fields {
		if f.name == "thickness" && len(f.v) == 0 {
			continue
		}
		if len(f.v) != n {
			return nil, fmt.Errorf("%s: %s has %d values but distance has %d", where, f.name, len(f.v), n)
		}
		if err := checkFinite(where, f.name, f.v); err != nil {
			return nil, err
		}
	}
	if len(p.Thickness) > 0 {
		return p.Thickness, nil
	}
	h := make([]float64, n)
	for i := range h {
		h[i] = max(0, p.Surface[i]-p.Bed[i])
	}
	return h, nil
}

// iceSegments returns the half-open index ranges [a, b) of the runs of ice
// (h > 0), each widened by one ice-free point on either side so that the
// surface meets the bed at the glacier's ends.
func iceSegments(h []float64) [][2]int {
	var segs [][2]int
	for i := 0; i < len(h); {
		if !(h[i] > 0) {
			i++
			continue
		}
		j := i
		for j < len(h) && h[j] > 0 {
			j++
		}
		segs = append(segs, [2]int{max(i-1, 0), min(j+1, len(h))})
		i = j
	}
	return segs
}

// ProfilesAt returns the profiles of flowline fl that history h recorded
// at the given years (h must come from a run with RunOptions.Profiles of
// the glacier whose main flowline is fl), with labels "year 100" etc., ready
// for Profile. With no years it picks five records from the first to the
// last.
func ProfilesAt(h *dynamics.History, fl *geometry.Flowline, years ...float64) ([]dynamics.Profile, []string, error) {
	const fn = "plots.ProfilesAt"
	switch {
	case h == nil:
		return nil, nil, fmt.Errorf("%s: history is nil", fn)
	case fl == nil:
		return nil, nil, fmt.Errorf("%s: flowline is nil", fn)
	case len(h.Thickness) == 0:
		return nil, nil, fmt.Errorf("%s: the history has no profiles; run with dynamics.RunOptions{Profiles: true}", fn)
	case len(h.Thickness) != h.Len():
		return nil, nil, fmt.Errorf("%s: the history has %d profiles for %d records", fn, len(h.Thickness), h.Len())
	}
	var idx []int
	if len(years) == 0 {
		n := h.Len()
		for k := range min(5, n) {
			i := 0
			if n > 1 {
				i = int(math.Round(float64(k) * float64(n-1) / float64(min(5, n)-1)))
			}
			if len(idx) == 0 || idx[len(idx)-1] != i {
				idx = append(idx, i)
			}
		}
	}
	for _, y := range years {
		i := slices.IndexFunc(h.Year, func(v float64) bool { return math.Abs(v-y) <= 1e-6*max(1, math.Abs(y)) })
		if i < 0 {
			return nil, nil, fmt.Errorf("%s: year %g was not recorded; the history has %s", fn, y, describeYears(h.Year))
		}
		idx = append(idx, i)
	}
	profiles := make([]dynamics.Profile, len(idx))
	labels := make([]string, len(idx))
	for k, i := range idx {
		th := h.Thickness[i]
		if len(th) != fl.Len() {
			return nil, nil, fmt.Errorf("%s: the profile of year %g has %d points but flowline %q has %d; give the main flowline of the glacier that ran", fn, h.Year[i], len(th), fl.Name, fl.Len())
		}
		if len(fl.Shapes) != fl.Len() || len(fl.Width) != fl.Len() || len(fl.Lambda) != fl.Len() || len(fl.ParabolaP) != fl.Len() {
			return nil, nil, fmt.Errorf("%s: flowline %q has per-point slices of different lengths", fn, fl.Name)
		}
		p := dynamics.Profile{
			Line:      fl.Name,
			Distance:  make([]float64, fl.Len()),
			Bed:       slices.Clone(fl.Bed),
			Surface:   make([]float64, fl.Len()),
			Thickness: slices.Clone(th),
			Width:     make([]float64, fl.Len()),
		}
		for j := range p.Distance {
			p.Distance[j] = fl.Distance(j)
			p.Surface[j] = fl.Bed[j] + th[j]
			if i < len(h.Surface) && len(h.Surface[i]) == fl.Len() {
				p.Surface[j] = h.Surface[i][j]
			}
			p.Width[j] = fl.TopWidth(j, th[j])
		}
		profiles[k] = p
		labels[k] = "year " + formatValue(h.Year[i])
	}
	return profiles, labels, nil
}

// describeYears summarises recorded years for an error message.
func describeYears(ys []float64) string {
	switch len(ys) {
	case 0:
		return "no records"
	case 1, 2, 3, 4, 5, 6:
		s := make([]string, len(ys))
		for i, y := range ys {
			s[i] = formatValue(y)
		}
		return "records of years " + strings.Join(s, ", ")
	}
	return fmt.Sprintf("%d records from year %s to %s (%s, %s, … %s)", len(ys),
		formatValue(ys[0]), formatValue(ys[len(ys)-1]), formatValue(ys[0]), formatValue(ys[1]), formatValue(ys[len(ys)-1]))
}
