package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/firnglacier/firn/engine/geometry"
)

// CrossSectionOptions control CrossSection. The zero value gives the
// defaults.
type CrossSectionOptions struct {
	// Title is drawn above the plot; empty means a description of the
	// point, its shape and the ice thickness.
	Title string
	// Width and Height of the figure, cm; 0 means 16 × 10 cm.
	Width, Height float64
}

// parabolaSamples is the number of points of a drawn parabola.
const parabolaSamples = 81

// CrossSection draws the bed of flowline fl across the flow at point
// (0-based) with ice of the given thickness (m) filled in, at equal
// horizontal and vertical scales. Altitude is in m a.s.l., the across-flow
// distance in m from the centre line.
func CrossSection(fl *geometry.Flowline, point int, thickness float64, opts CrossSectionOptions) (*Figure, error) {
	const fn = "plots.CrossSection"
	if fl == nil {
		return nil, fmt.Errorf("%s: flowline is nil", fn)
	}
	n := fl.Len()
	if point < 0 || point >= n {
		return nil, fmt.Errorf("%s: point %d is outside flowline %q, which has points 0 to %d", fn, point, fl.Name, n-1)
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"shapes", len(fl.Shapes)}, {"width", len(fl.Width)}, {"lambda", len(fl.Lambda)}, {"parabola_p", len(fl.ParabolaP)}} {
		if f.n != n {
			return nil, fmt.Errorf("%s: flowline %q: %s has %d values, bed has %d points", fn, fl.Name, f.name, f.n, n)
		}
	}
	if !finite(thickness) || thickness < 0 {
		return nil, fmt.Errorf("%s: ice thickness is %g m; want a finite thickness ≥ 0", fn, thickness)
	}
	z0 := fl.Bed[point]
	if !finite(z0) {
		return nil, fmt.Errorf("%s: flowline %q: bed at point %d is %g", fn, fl.Name, point, z0)
	}
	shape := fl.Shapes[point]
	w, lambda, pp := fl.Width[point], fl.Lambda[point], fl.ParabolaP[point]
	var desc string
	switch shape {
	case geometry.Rectangular:
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%s: flowline %q: width at point %d is %g m; a rectangular bed needs a positive width", fn, fl.Name, point, w)
		}
		desc = fmt.Sprintf("rectangular bed %s\u00a0m wide", formatValue(w))
	case geometry.Trapezoidal:
		if !(w >= 0) || !(lambda >= 0) || math.IsInf(w, 0) || math.IsInf(lambda, 0) || (w == 0 && lambda == 0) {
			return nil, fmt.Errorf("%s: flowline %q: trapezoid at point %d has bottom width %g m and lambda %g; want both ≥ 0, not both 0", fn, fl.Name, point, w, lambda)
		}
		desc = fmt.Sprintf("trapezoidal bed %s\u00a0m wide at the bottom, λ %s", formatValue(w), formatValue(lambda))
	case geometry.Parabolic:
		if !(pp > 0) || math.IsInf(pp, 0) {
			return nil, fmt.Errorf("%s: flowline %q: parabola_p at point %d is %g m⁻¹; want > 0", fn, fl.Name, point, pp)
		}
		desc = fmt.Sprintf("parabolic bed, P %s /m", formatValue(pp))
	default:
		return nil, fmt.Errorf("%s: flowline %q: unknown shape %v at point %d", fn, fl.Name, shape, point)
	}

	// halfWidth is the half-width of the bed at height h above its lowest
	// point.
	halfWidth := func(h float64) float64 {
		switch shape {
		case geometry.Parabolic:
			return math.Sqrt(h / pp) // z = P·x², w = √(4H/P)
		case geometry.Trapezoidal:
			return (w + lambda*h) / 2
		}
		return w / 2
	}
	top := max(1.3*thickness, 50)
	xTop := halfWidth(top)
	far := 20 * (xTop + top) // shoulders and rock reach beyond any range

	// The bed from the left shoulder to the right one.
	var bed []xy
	switch shape {
	case geometry.Parabolic:
		bed = append(bed, xy{-far, z0 + top})
		for k := range parabolaSamples {
			x := -xTop + 2*xTop*float64(k)/float64(parabolaSamples-1)
			bed = append(bed, xy{x, z0 + pp*x*x})
		}
		bed = append(bed, xy{far, z0 + top})
	default:
		bed = []xy{{-far, z0 + top}, {-xTop, z0 + top}, {-w / 2, z0}, {w / 2, z0}, {xTop, z0 + top}, {far, z0 + top}}
	}
	rock := append(append([]xy(nil), bed...), xy{far, z0 - far}, xy{-far, z0 - far})

	// The ice: the part of the section below z0 + thickness.
	var ice []xy
	if thickness > 0 {
		xh := halfWidth(thickness)
		switch shape {
		case geometry.Parabolic:
			for k := range parabolaSamples {
				x := -xh + 2*xh*float64(k)/float64(parabolaSamples-1)
				ice = append(ice, xy{x, z0 + pp*x*x})
			}
		default:
			ice = []xy{{-xh, z0 + thickness}, {-w / 2, z0}, {w / 2, z0}, {xh, z0 + thickness}}
		}
	}

	title := opts.Title
	if title == "" {
		title = fmt.Sprintf("%s, point %d (%s\u00a0km): %s, ice %s\u00a0m thick", fl.Name, point, formatValue(fl.Distance(point)/1000), desc, formatValue(thickness))
	}
	p := newPlot(title, "Across-flow distance (m)", "Altitude (m)")
	p.Title.TextStyle.Font.Size = vg.Points(labelSize)
	xr := xTop * 1.15
	setRange(&p.X, -xr, xr, 0)
	setRange(&p.Y, z0-0.1*top, z0+top*1.08, 0)
	p.Add(&area{rings: [][]xy{rock}, fill: rockColor})
	if ice != nil {
		p.Add(&area{rings: [][]xy{ice}, fill: iceFill})
	}
	p.Add(&polyline{pts: bed, style: draw.LineStyle{Color: bedColor, Width: vg.Points(bedWidth)}})
	if ice != nil {
		surf := []xy{ice[0], ice[len(ice)-1]}
		p.Add(&polyline{pts: surf, style: draw.LineStyle{Color: oiBlue, Width: vg.Points(seriesWidth)}})
	}
	pn := &panel{p: p, series: 1, xScale: 1}
	return newFigure("cross-section", pn, opts.Width, opts.Height), nil
}
