package edu

import (
	"errors"
	"fmt"
	"math"

	"github.com/firnglacier/firn/engine/constants"
)

// Runoff is the water that leaves a glacier's catchment every year, and
// where it comes from, as OGGM's run_with_hydro reports it (OGGM
// documentation, "Hydrological mass-balance output"): melt and liquid precipitation on the glacier
// and off it, over a fixed catchment, the largest area the glacier
// covered during the run. Volumes are m³ of water per year (1 m³ is a
// tonne); entry k is the water of the year from Year[k] to Year[k+1].
//
// The water comes from the mass balance's two-season model (see
// MassBalance.MonthlyBalance), with P the Precipitation, b_w = P·7/12 the
// winter snow and b(z) the annual balance at the ice surface z:
//
//	on the glacier, per m²:   snowfall S = max(b_w, b(z)),  rain R = max(P − S, 0)
//	off the glacier, per m²:  snowfall b_w, all of it melting in summer; rain P − b_w
//
// (where the balance exceeds the precipitation, b(z) > P, the snow that
// makes it is counted as snowfall: drift and avalanches). The glacier's
// melt is what mass conservation leaves (as OGGM's melt_on_glacier, which
// holds its residual):
//
//	MeltOnGlacier = SnowfallOnGlacier − ΔM,   ΔM = ΔV·ρ_ice/ρ_water
//
// with ΔV the change of the glacier's volume over the year (m³ of ice).
// So, every year and over any run,
//
//	Total − Precipitation = −ΔM
//
// the runoff exceeds the precipitation on the catchment by the water the
// glacier loses. Residual is the part of MeltOnGlacier that the balance
// model does not give (ice that a year's balance would melt but that was
// not there, ice that a year's flow moved to other altitudes): MeltOnGlacier
// minus Σ (S − b(z))·area over the year's ice.
//
// The glacier of a year is the ice at its start or its end (a point that
// the ice reaches during the year has its balance, not the seasonal
// snow of ice-free ground), with the larger of the two widths, and b(z)
// is taken at the surface of the year's start.
type Runoff struct {
	// Year starts each year of water, years.
	Year []float64
	// MeltOnGlacier, LiquidPrecipOnGlacier, MeltOffGlacier and
	// LiquidPrecipOffGlacier are the four parts of the runoff, m³ of
	// water per year.
	MeltOnGlacier, LiquidPrecipOnGlacier, MeltOffGlacier, LiquidPrecipOffGlacier []float64
	// SnowfallOnGlacier and SnowfallOffGlacier, m³ of water per year.
	SnowfallOnGlacier, SnowfallOffGlacier []float64
	// Residual is the part of MeltOnGlacier the balance model does not
	// give, m³ of water per year.
	Residual []float64
	// GlacierArea is the area of the glacier of each year (ice at its
	// start or end), m².
	GlacierArea []float64
	// CatchmentArea is the fixed catchment, m²: the largest area of ice at
	// each point of the bed over the run.
	CatchmentArea float64
}

// Len returns the number of years.
func (r *Runoff) Len() int { return len(r.Year) }

// Total returns the runoff of each year, the sum of its four parts, m³ of
// water per year.
func (r *Runoff) Total() []float64 {
	t := make([]float64, r.Len())
	for k := range t {
		t[k] = r.MeltOnGlacier[k] + r.LiquidPrecipOnGlacier[k] + r.MeltOffGlacier[k] + r.LiquidPrecipOffGlacier[k]
	}
	return t
}

// Precipitation returns the precipitation on the catchment each year,
// snow and rain on and off the glacier, m³ of water per year.
func (r *Runoff) Precipitation() []float64 {
	p := make([]float64, r.Len())
	for k := range p {
		p[k] = r.SnowfallOnGlacier[k] + r.LiquidPrecipOnGlacier[k] + r.SnowfallOffGlacier[k] + r.LiquidPrecipOffGlacier[k]
	}
	return p
}

// From returns the years from year on (a warming's years, without the
// growth of the glacier before it), sharing r's values.
func (r *Runoff) From(year float64) *Runoff {
	k := 0
	for k < r.Len() && r.Year[k] < year {
		k++
	}
	return &Runoff{
		Year: r.Year[k:], MeltOnGlacier: r.MeltOnGlacier[k:], LiquidPrecipOnGlacier: r.LiquidPrecipOnGlacier[k:],
		MeltOffGlacier: r.MeltOffGlacier[k:], LiquidPrecipOffGlacier: r.LiquidPrecipOffGlacier[k:],
		SnowfallOnGlacier: r.SnowfallOnGlacier[k:], SnowfallOffGlacier: r.SnowfallOffGlacier[k:],
		Residual: r.Residual[k:], GlacierArea: r.GlacierArea[k:], CatchmentArea: r.CatchmentArea,
	}
}

// PeakWater returns the year of the largest runoff and that runoff, m³
// of water per year, smoothed by a centred running mean over window
// years (1: none; Huss and Hock 2018, Nature Climate Change 8, 135–140,
// smooth over 11 years) so that a random
// climate's noise does not make the peak.
func (r *Runoff) PeakWater(window int) (year, runoff float64) {
	t := r.Total()
	window = max(window, 1)
	best := math.Inf(-1)
	for k := range t {
		lo, hi := max(0, k-window/2), min(len(t), k-window/2+window)
		s := 0.0
		for _, v := range t[lo:hi] {
			s += v
		}
		if m := s / float64(hi-lo); m > best {
			best, year = m, r.Year[k]
		}
	}
	return year, best
}

// Runoff returns the glacier's runoff and its parts for every year of its
// history (see Runoff). It needs a history of two years or more.
func (g *Glacier) Runoff() (*Runoff, error) {
	n := len(g.states)
	if n < 2 {
		return nil, errors.New("runoff: the glacier has no history yet (call ProgressToYear first)")
	}
	mb := g.MassBalance
	if !(mb.Precipitation >= 0) || math.IsInf(mb.Precipitation, 0) {
		return nil, fmt.Errorf("runoff: precipitation %g m w.e./yr (want 0 or more)", mb.Precipitation)
	}
	dx := g.Bed.Dx
	np := len(g.states[0].Thickness)
	catch := make([]float64, np) // m² per point
	for _, s := range g.states {
		for j, h := range s.Thickness {
			if h > 0 {
				catch[j] = max(catch[j], s.Width[j]*dx)
			}
		}
	}
	r := &Runoff{}
	for _, a := range catch {
		r.CatchmentArea += a
	}
	p := mb.Precipitation
	bw := p * WinterMonths / 12
	h := &g.history
	for k := 0; k+1 < n; k++ {
		s, e := g.states[k], g.states[k+1]
		dt := h.Year[k+1] - h.Year[k] // years: 1, or less for a last fraction
		year := math.Floor(h.Year[k])
		var snowOn, rainOn, snowOff, rainOff, modelMelt, area float64
		for j, th := range s.Thickness {
			on := 0.0
			if th > 0 || e.Thickness[j] > 0 {
				on = max(s.Width[j], e.Width[j]) * dx
				b := mb.Balance(year, s.Surface[j])
				snow := max(bw, b)
				snowOn += snow * on
				rainOn += max(p-snow, 0) * on
				modelMelt += (snow - b) * on
				area += on
			}
			off := max(catch[j]-on, 0)
			snowOff += bw * off
			rainOff += (p - bw) * off
		}
		dm := (h.Volume[k+1] - h.Volume[k]) * constants.RhoIce / constants.RhoWater
		meltOn := snowOn*dt - dm
		r.Year = append(r.Year, h.Year[k])
		r.SnowfallOnGlacier = append(r.SnowfallOnGlacier, snowOn*dt)
		r.LiquidPrecipOnGlacier = append(r.LiquidPrecipOnGlacier, rainOn*dt)
		r.SnowfallOffGlacier = append(r.SnowfallOffGlacier, snowOff*dt)
		r.MeltOffGlacier = append(r.MeltOffGlacier, snowOff*dt)
		r.LiquidPrecipOffGlacier = append(r.LiquidPrecipOffGlacier, rainOff*dt)
		r.MeltOnGlacier = append(r.MeltOnGlacier, meltOn)
		r.Residual = append(r.Residual, meltOn-modelMelt*dt)
		r.GlacierArea = append(r.GlacierArea, area)
	}
	return r, nil
}
