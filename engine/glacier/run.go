package glacier

import (
	"fmt"
	"math"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// DownstreamPoints is the number of points [Glacier.Model] adds below the
// glacier's last point (2 km on a 100 m flowline): room for the front to
// advance.
const DownstreamPoints = 20

// Geometry returns the flowline the dynamics runs on and its ice
// thickness, from the inverted glacier: the bed is the surface less the
// inverted thickness (Inversion.Bed); each point keeps the inversion's
// section, a trapezoid of bottom width w − λh and side factor λ (or a
// rectangle of width w where the inversion fell back to one), so that its
// section at the inverted thickness is the inverted section and its top
// width the glacier's width. Below the last point come downstream ice-free
// points: a straight bed continuing at the mean surface slope of
// the glacier's lowest five points (at least MinSlope), with the last
// point's bottom width and λ. OGGM follows the valley's own downstream
// line, which needs the map; this bed stands in for it.
func (g *Glacier) Geometry(downstream int) (*geometry.Glacier, []float64, error) {
	fl, inv := g.Flowline, g.Inversion
	n := fl.Len()
	if downstream < 0 {
		downstream = 0
	}
	k := min(5, n-1)
	slope := math.Max((fl.Surface[n-1-k]-fl.Surface[n-1])/(float64(k)*fl.Dx), math.Tan(inv.Params.MinSlope))
	bed := append([]float64(nil), inv.Bed...)
	for i := 1; i <= downstream; i++ {
		bed = append(bed, inv.Bed[n-1]-slope*float64(i)*fl.Dx)
	}
	gl := geometry.NewFlowline(fl.ID, fl.Dx, bed)
	h := make([]float64, len(bed))
	copy(h, inv.Thickness)
	for i := range bed {
		j := min(i, n-1)
		w, hj, lambda := fl.Width[j], inv.Thickness[j], inv.Params.Lambda
		if i >= n {
			hj = 0
			w = gl.Width[n-1]
		}
		switch {
		case i >= n:
			gl.Shapes[i], gl.Width[i], gl.Lambda[i] = gl.Shapes[n-1], w, gl.Lambda[n-1]
		case inv.Shape[j] == geometry.Trapezoidal:
			gl.Shapes[i], gl.Width[i], gl.Lambda[i] = geometry.Trapezoidal, math.Max(w-lambda*hj, 0), lambda
		case inv.Shape[j] == geometry.Parabolic:
			// Top width w at thickness h: P = 4h/w².
			p := 4 * math.Max(hj, 1) / (w * w)
			gl.Shapes[i], gl.ParabolaP[i] = geometry.Parabolic, p
		default:
			gl.Shapes[i], gl.Width[i] = geometry.Rectangular, w
		}
	}
	geo, err := geometry.NewGlacier(gl)
	if err != nil {
		return nil, nil, fmt.Errorf("flowline model of %s: %w", fl.ID, err)
	}
	return geo, h, nil
}

// Model returns the flowline model of the glacier today, ready to run
// from year startYear under mb: [Glacier.Geometry] with
// [DownstreamPoints], the inverted thickness, and the inversion's Glen A,
// n, sliding and ice density (OGGM runs with the inversion's A) in
// dynamics' default solver.
func (g *Glacier) Model(mb massbalance.Model, startYear float64) (*dynamics.Model, error) {
	geo, h, err := g.Geometry(DownstreamPoints)
	if err != nil {
		return nil, err
	}
	p := dynamics.DefaultParams()
	ip := g.Inversion.Params
	p.GlenA, p.GlenN, p.SlidingFs, p.RhoIce = ip.GlenA, ip.GlenN, ip.Fs, ip.RhoIce
	m, err := dynamics.NewModel(geo, mb, p, startYear)
	if err != nil {
		return nil, fmt.Errorf("flowline model of %s: %w", g.Flowline.ID, err)
	}
	if err := m.SetThickness(geo.Main, h); err != nil {
		return nil, fmt.Errorf("flowline model of %s: %w", g.Flowline.ID, err)
	}
	return m, nil
}

// ConstantClimate returns the glacier's calibrated temperature-index
// model in the constant climate of mass-balance years y0 − halfsize to
// y0 + halfsize, averaging the balances of the years as OGGM's
// ConstantMassBalance does.
func (g *Glacier) ConstantClimate(y0, halfsize int) (massbalance.ConstantTI, error) {
	if g.MB == nil {
		return massbalance.ConstantTI{}, fmt.Errorf("constant climate for %s: the glacier has no calibrated mass balance (prepare it with a climate and observations)", g.Flowline.ID)
	}
	if halfsize < 0 {
		return massbalance.ConstantTI{}, fmt.Errorf("constant climate for %s: halfsize %d (want ≥ 0)", g.Flowline.ID, halfsize)
	}
	c, err := g.MB.Constant(y0-halfsize, y0+halfsize)
	if err != nil {
		return c, fmt.Errorf("constant climate for %s, years %d–%d: %w", g.Flowline.ID, y0-halfsize, y0+halfsize, err)
	}
	c.AverageBalances = true
	return c, nil
}
