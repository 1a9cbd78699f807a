package glacier

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/firnglacier/firn/engine/constants"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// OGGM's defaults for the inversion (oggm/params.cfg, oggm/core/inversion.py).
const (
	// MinSlope is the smallest surface slope the inversion uses: OGGM's
	// min_slope of 1.5°, as OGGM compares it, in radians with the slope's
	// tangent (0.02618; tan 1.5° = 0.02619).
	MinSlope = 1.5 * math.Pi / 180
	// TrapezoidLambda is the side factor λ of the trapezoidal sections of
	// elevation-band flowlines (dimensionless, OGGM's trapezoid_lambdas;
	// λ = 2: walls at 45°).
	TrapezoidLambda = 2.0
	// MinWidthForInversion is the width below which a section gets no ice,
	// m (OGGM's MIN_WIDTH_FOR_INV).
	MinWidthForInversion = 10.0
	// MBGradient is the gradient of the linear balance from which OGGM
	// derives an apparent balance when it has no climate, mm w.e. m⁻¹
	// yr⁻¹ (apparent_mb_from_linear_mb).
	MBGradient = 3.0
)

// LinearApparentBalance returns the apparent mass balance of fl, m of ice
// per second at each point, for a balance linear in the surface height
// with gradient γ (mm w.e. m⁻¹ yr⁻¹; 0 means [MBGradient]) whose
// glacier-wide total is zero, as OGGM's apparent_mb_from_linear_mb:
//
//	ȧ(z) = γ·(z − ELA)·ρ_w/ρ_i / (3.1536e7 s yr⁻¹) / 1000   m ice s⁻¹
//	ELA  = Σ wᵢ zᵢ / Σ wᵢ                                       m
//
// (the zero total Σ ȧᵢ wᵢ Δx = 0 fixes the ELA: the area-weighted mean
// height, found in closed form where OGGM searches for it). It returns the
// ELA too, m a.s.l.
func LinearApparentBalance(fl *Flowline, gradient float64) (mb []float64, ela float64) {
	if gradient == 0 {
		gradient = MBGradient
	}
	ela = floats.Dot(fl.Width, fl.Surface) / floats.Sum(fl.Width)
	lin := massbalance.Linear{ELA: ela, Gradient: gradient}
	mb = make([]float64, fl.Len())
	for i, z := range fl.Surface {
		mb[i] = lin.Balance(0, z) * massbalance.WEPerYearToIcePerSecond
	}
	return mb, ela
}

// ApparentBalance returns the apparent mass balance of fl, m of ice per
// second at each point, from any mass-balance model, as OGGM's
// apparent_mb_from_any_mb: the model's annual balance at the points'
// surface heights, averaged over the given years, plus the one residual
// (m ice s⁻¹, also returned) that makes the glacier-wide total zero.
func ApparentBalance(fl *Flowline, m massbalance.Model, years []float64) (mb []float64, residual float64, err error) {
	if len(years) == 0 {
		return nil, 0, fmt.Errorf("apparent balance of %s: no year given", fl.ID)
	}
	n := fl.Len()
	mb = make([]float64, n)
	one := make([]float64, n)
	for _, y := range years {
		if err := m.AnnualBalance(y, fl.Surface, one); err != nil {
			return nil, 0, fmt.Errorf("apparent balance of %s, year %g: %w", fl.ID, y, err)
		}
		floats.Add(mb, one)
	}
	floats.Scale(1/float64(len(years)), mb)
	residual = -floats.Dot(mb, fl.Width) / floats.Sum(fl.Width)
	floats.AddConst(residual, mb)
	return mb, residual, nil
}

// Flux returns the ice flux through each point of fl, m³ s⁻¹, that the
// apparent balance mb (m ice s⁻¹) feeds, and the flux out of the last
// point. It is OGGM's set_apparent_mb: the balance of point i over its
// area, bᵢ = ȧᵢ·wᵢ·Δx (m³ s⁻¹), adds to the flux through i when it is
// positive and only below i when it is negative,
//
//	qᵢ = Σ_{j<i} bⱼ + max(bᵢ, 0),        q_out = Σ_j bⱼ,
//
// the discrete form of ∂q/∂x = ȧ·w (Farinotti et al. 2009, J. Glaciol.
// 55, 422, eq. 1) at steady state. For an apparent balance q_out is 0.
func Flux(fl *Flowline, mb []float64) (q []float64, out float64) {
	q = make([]float64, fl.Len())
	s := 0.0
	for i, a := range mb {
		b := a * fl.Width[i] * fl.Dx
		q[i] = s + math.Max(b, 0)
		s += b
	}
	return q, s
}

// InversionParams are the physics of the inversion. Start from
// [DefaultInversion], which gives OGGM's defaults.
type InversionParams struct {
	// GlenA is the creep parameter of Glen's law, Pa⁻ⁿ s⁻¹.
	GlenA float64
	// GlenN is the exponent of Glen's law (dimensionless).
	GlenN float64
	// Fs is the sliding parameter, Pa⁻ⁿ m² s⁻¹ (0: no sliding).
	Fs float64
	// RhoIce is the density of ice, kg m⁻³.
	RhoIce float64
	// MinSlope is the smallest slope (tangent) used, dimensionless.
	MinSlope float64
	// Shape is the sections' shape: Trapezoidal (OGGM's for
	// elevation-band flowlines), Rectangular or Parabolic.
	Shape geometry.Shape
	// Lambda is the trapezoid's side factor λ (dimensionless).
	Lambda float64
	// ShapeFactor f scales the driving stress for the drag of the valley
	// walls (dimensionless, 0 < f ≤ 1; Nye 1965). OGGM's inversion uses
	// none: 1.
	ShapeFactor float64
}

// DefaultInversion returns OGGM's defaults: A = 2.4e-24 Pa⁻³ s⁻¹, n = 3,
// no sliding, ρ = 900 kg m⁻³, a slope of at least 1.5°, trapezoidal
// sections with λ = 2, no shape factor.
func DefaultInversion() InversionParams {
	return InversionParams{
		GlenA: constants.GlenA, GlenN: constants.GlenN, Fs: constants.SlidingFs,
		RhoIce: constants.RhoIce, MinSlope: MinSlope,
		Shape: geometry.Trapezoidal, Lambda: TrapezoidLambda, ShapeFactor: 1,
	}
}

func (p InversionParams) check() error {
	switch {
	case !(p.GlenA > 0), !(p.GlenN > 0), !(p.RhoIce > 0):
		return fmt.Errorf("parameters GlenA %g, GlenN %g, RhoIce %g (want all > 0; start from DefaultInversion())", p.GlenA, p.GlenN, p.RhoIce)
	case !(p.Fs >= 0), !(p.MinSlope >= 0):
		return fmt.Errorf("parameters Fs %g, MinSlope %g (want both ≥ 0)", p.Fs, p.MinSlope)
	case !(p.ShapeFactor > 0 && p.ShapeFactor <= 1):
		return fmt.Errorf("parameter ShapeFactor %g (want 0 < f ≤ 1)", p.ShapeFactor)
	case p.Shape == geometry.Trapezoidal && !(p.Lambda > 0):
		return fmt.Errorf("trapezoid Lambda %g (want > 0)", p.Lambda)
	case p.Shape > geometry.Trapezoidal:
		return fmt.Errorf("shape %d unknown", p.Shape)
	}
	return nil
}

// Inversion is a flowline's ice thickness from mass conservation.
type Inversion struct {
	// Params are the physics used.
	Params InversionParams
	// Balance is the apparent mass balance, m ice s⁻¹.
	Balance []float64
	// Flux is the ice flux through each point, m³ s⁻¹ (clipped at 0).
	Flux []float64
	// FluxOut is the flux out of the last point, m³ s⁻¹ (0 for an
	// apparent balance, to rounding).
	FluxOut float64
	// Slope is the surface slope used at each point (tangent, clipped at
	// MinSlope).
	Slope []float64
	// Thickness is the ice thickness at each point, m.
	Thickness []float64
	// Section is the cross-section area at each point, m².
	Section []float64
	// Shape is each point's section shape: Params.Shape, or Rectangular
	// where a trapezoid cannot carry the flux (OGGM's fallback).
	Shape []geometry.Shape
	// Bed is the surface minus the thickness, m a.s.l.
	Bed []float64
}

// Volume returns the ice volume Σ Sᵢ·Δx, m³.
func (inv *Inversion) Volume(dx float64) float64 { return floats.Sum(inv.Section) * dx }

// Invert computes the ice thickness along fl from its apparent mass
// balance mb (m ice s⁻¹), as OGGM's prepare_for_inversion and
// mass_conservation_inversion (after Farinotti et al. 2009):
//
//  1. the flux qᵢ (m³ s⁻¹) from [Flux], clipped at 0;
//
//  2. the slope αᵢ = −∂z/∂x of the surface (numpy's gradient: central
//     differences, one-sided at the ends), at least MinSlope;
//
//  3. the thickness h that carries qᵢ through the section S(h) with the
//     shallow-ice velocity averaged over depth (Cuffey and Paterson 2010,
//     eq. 8.37, with OGGM's sliding term; Maussion et al. 2019, eq. 6):
//
//     q = S(h)·ū,   ū = (f_d·h^(n+1) + f_s·h^(n−1))·(f·ρ·g·α)ⁿ   m s⁻¹
//     f_d = 2A/(n+2)
//
//     with S = w·h (rectangle), (2/3)·w·h (parabola, OGGM's factor 3/2 on
//     the flux) or (w − λh/2)·h (trapezoid of top width w, bottom width
//     w − λh ≥ 0). Without sliding the rectangle and parabola have the
//     closed form h = (q/(c·w) / (f_d·(fρgα)ⁿ))^(1/(n+2)), c = 1 or 2/3;
//     otherwise h is the root of the monotonic q(h) − q in (0, w/λ] for a
//     trapezoid (when q(w/λ) < q no trapezoid carries the flux and the
//     point becomes a rectangle, as in OGGM) and in (0, 10 km] for the
//     others. A point narrower than MinWidthForInversion, or without flux,
//     gets no ice.
//
// The volume is Σ S(hᵢ)·Δx. OGGM's filter_inversion_output, which reshapes
// the last five points towards the downstream bed, is not applied (it
// needs the downstream line).
func Invert(fl *Flowline, mb []float64, p InversionParams) (*Inversion, error) {
	n := fl.Len()
	if len(mb) != n {
		return nil, fmt.Errorf("inversion of %s: %d balances for %d points", fl.ID, len(mb), n)
	}
	if n < 2 {
		return nil, fmt.Errorf("inversion of %s: %d point(s); need 2 or more", fl.ID, n)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("inversion of %s: %w", fl.ID, err)
	}
	inv := &Inversion{
		Params: p, Balance: append([]float64(nil), mb...),
		Slope: make([]float64, n), Thickness: make([]float64, n), Section: make([]float64, n),
		Shape: make([]geometry.Shape, n), Bed: make([]float64, n),
	}
	inv.Flux, inv.FluxOut = Flux(fl, mb)
	fd := 2 * p.GlenA / (p.GlenN + 2)
	for i := 0; i < n; i++ {
		inv.Flux[i] = math.Max(inv.Flux[i], 0)
		var g float64
		switch i {
		case 0:
			g = fl.Surface[1] - fl.Surface[0]
		case n - 1:
			g = fl.Surface[n-1] - fl.Surface[n-2]
		default:
			g = (fl.Surface[i+1] - fl.Surface[i-1]) / 2
		}
		alpha := math.Min(math.Max(-g/fl.Dx, p.MinSlope), math.Pi/2)
		inv.Slope[i] = alpha
		w, q := fl.Width[i], inv.Flux[i]
		inv.Shape[i] = p.Shape
		if q <= 0 || w <= MinWidthForInversion {
			inv.Bed[i] = fl.Surface[i]
			continue
		}
		tau := math.Pow(p.ShapeFactor*p.RhoIce*constants.G*alpha, p.GlenN) // Paⁿ
		h, shape, err := thickness(q, w, tau, fd, p)
		if err != nil {
			return nil, fmt.Errorf("inversion of %s, point %d (surface %.0f m, width %.0f m, flux %.3g m³/s): %w", fl.ID, i, fl.Surface[i], w, q, err)
		}
		inv.Thickness[i], inv.Shape[i] = h, shape
		inv.Section[i] = section(shape, w, h, p.Lambda)
		inv.Bed[i] = fl.Surface[i] - h
	}
	return inv, nil
}

// section returns the area, m², of a section of top width w and thickness h.
func section(s geometry.Shape, w, h, lambda float64) float64 {
	switch s {
	case geometry.Parabolic:
		return 2.0 / 3.0 * w * h
	case geometry.Trapezoidal:
		return (w - lambda*h/2) * h
	}
	return w * h
}

// thickness solves S(h)·ū(h) = q for h (see Invert); tau is (fρgα)ⁿ.
func thickness(q, w, tau, fd float64, p InversionParams) (float64, geometry.Shape, error) {
	n := p.GlenN
	if p.Fs == 0 && p.Shape != geometry.Trapezoidal {
		c := 1.0
		if p.Shape == geometry.Parabolic {
			c = 2.0 / 3.0
		}
		return math.Pow(q/(c*w)/(fd*tau), 1/(n+2)), p.Shape, nil
	}
	flux := func(s geometry.Shape, h float64) float64 {
		return section(s, w, h, p.Lambda) * (fd*math.Pow(h, n+1) + p.Fs*math.Pow(h, n-1)) * tau
	}
	shape, hmax := p.Shape, 1e4
	if shape == geometry.Trapezoidal {
		hmax = w / p.Lambda
		if flux(shape, hmax) < q {
			shape, hmax = geometry.Rectangular, 1e4
		}
	}
	if flux(shape, hmax) < q {
		return 0, shape, errors.New("no thickness below 10 km carries the flux")
	}
	// Bisection on the monotonic flux: 60 halvings of 10 km reach 1e-14 m.
	lo, hi := 0.0, hmax
	for k := 0; k < 200 && hi-lo > 1e-9*hi; k++ {
		mid := (lo + hi) / 2
		if flux(shape, mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2, shape, nil
}

// CalibrateGlenA finds the creep parameter A (Pa⁻ⁿ s⁻¹) for which the
// inversion of fl with the apparent balance mb gives the volume target
// (m³; the consensus estimate, say), the other parameters as in p, and
// returns that inversion, as OGGM's calibrate_inversion_from_consensus does
// for a glacier. The volume falls as A grows (thinner ice flows the flux
// faster); A is searched by bisection on log A in [1e-4, 1e4]·p.GlenA
// until the volume is within 1e-9 of the target. Without sliding and with
// rectangular or parabolic sections V ∝ A^(−1/(n+2)), so A = A₀·(V₀/V)^(n+2).
func CalibrateGlenA(fl *Flowline, mb []float64, p InversionParams, target float64) (*Inversion, error) {
	if !(target > 0) {
		return nil, fmt.Errorf("calibration of A for %s: target volume %g m³ (want > 0)", fl.ID, target)
	}
	vol := func(logA float64) (*Inversion, float64, error) {
		q := p
		q.GlenA = math.Exp(logA)
		inv, err := Invert(fl, mb, q)
		if err != nil {
			return nil, 0, err
		}
		return inv, inv.Volume(fl.Dx), nil
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("calibration of A for %s: %w", fl.ID, err)
	}
	lo, hi := math.Log(p.GlenA*1e-4), math.Log(p.GlenA*1e4)
	_, vlo, err := vol(lo)
	if err != nil {
		return nil, err
	}
	_, vhi, err := vol(hi)
	if err != nil {
		return nil, err
	}
	if target > vlo || target < vhi {
		return nil, fmt.Errorf("calibration of A for %s: the volume is %.4g–%.4g km³ for A in [%.3g, %.3g]; %.4g km³ is out of reach",
			fl.ID, vhi/1e9, vlo/1e9, math.Exp(lo), math.Exp(hi), target/1e9)
	}
	var inv *Inversion
	for k := 0; k < 200; k++ {
		mid := (lo + hi) / 2
		var v float64
		inv, v, err = vol(mid)
		if err != nil {
			return nil, err
		}
		if math.Abs(v-target) <= 1e-9*target {
			break
		}
		if v > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return inv, nil
}
