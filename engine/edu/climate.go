package edu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/firnglacier/firn/engine/massbalance"
)

// NewMassBalanceBreakpoints returns a mass balance with several gradients
// (mm w.e. per m per year) between altitude breakpoints (m a.s.l., from
// the top down), OGGM-Edu's MassBalance(ela, gradient=[…],
// breakpoints=[…]): gradients[0] above breakpoints[0], gradients[k]
// between breakpoints[k-1] and breakpoints[k], the last below the last
// breakpoint. The profile is continuous and 0 at the ELA (the integral of
// the gradient from the ELA, massbalance.Linear.Breakpoints); a
// temperature bias moves the ELA, not the breakpoints.
//
//	mb, _ := edu.NewMassBalanceBreakpoints(3000, []float64{2, 5, 10}, []float64{3100, 2500})
func NewMassBalanceBreakpoints(ela float64, gradients, breakpoints []float64) (*MassBalance, error) {
	mb := NewMassBalance(ela, 0)
	mb.Breakpoints = append([]float64(nil), breakpoints...)
	mb.Gradients = append([]float64(nil), gradients...)
	if err := mb.CheckBreakpoints(); err != nil {
		return nil, fmt.Errorf("edu.NewMassBalanceBreakpoints: %w", err)
	}
	if len(breakpoints) == 0 {
		return nil, fmt.Errorf("edu.NewMassBalanceBreakpoints: no breakpoints (for one gradient use NewMassBalance)")
	}
	return mb, nil
}

// addSeries returns l with vals added to its yearly temperature-bias
// series from year start on (the series grows to hold them; l's own
// slice is not changed).
func addSeries(l massbalance.Linear, start int, vals []float64) massbalance.Linear {
	lo, hi := start, start+len(vals)
	if l.TempSeries != nil {
		lo = min(lo, l.TempSeriesStart)
		hi = max(hi, l.TempSeriesStart+len(l.TempSeries))
	}
	series := make([]float64, hi-lo)
	if l.TempSeries != nil {
		copy(series[l.TempSeriesStart-lo:], l.TempSeries)
	}
	for k, v := range vals {
		series[start-lo+k] += v
	}
	l.TempSeriesStart, l.TempSeries = lo, series
	return l
}

// AddTempBiasNoise is AddTempBias with noise: the ramp of bias K over
// duration years from year, and on each of its years a random anomaly,
// normally distributed with standard deviation sigma K (OGGM-Edu's
// add_temperature_bias with noise, which draws it uniformly in a range:
// here a Gaussian, as year-to-year temperature anomalies are close to
// one). The anomalies depend only on seed and the year, so the same call
// gives the same climate. After the ramp the bias is held, without
// noise; SetRandomClimate adds noise to every year.
func (mb *MassBalance) AddTempBiasNoise(year int, bias, duration, sigma float64, seed uint64) *MassBalance {
	mb.AddTempBias(year, bias, duration)
	n := int(math.Ceil(duration))
	if !(sigma > 0) || n <= 0 {
		return mb
	}
	noise := make([]float64, n)
	for k := range noise {
		noise[k] = sigma * yearRand(seed, year+k).NormFloat64()
	}
	mb.Linear = addSeries(mb.Linear, year, noise)
	return mb
}

// AddRandomClimate adds, for the duration years from year on, a
// temperature bias drawn uniformly between low and high K, one value per
// year (OGGM-Edu's add_random_climate(duration, temperature_range)). It
// adds to the bias already there (a ramp, a step, a series). A value
// depends only on seed and its year: the same call gives the same
// climate. low must not be above high; duration 0 adds nothing.
func (mb *MassBalance) AddRandomClimate(year, duration int, low, high float64, seed uint64) (*MassBalance, error) {
	if !(low <= high) || math.IsInf(low, 0) || math.IsInf(high, 0) {
		return mb, fmt.Errorf("random climate: temperature range %g to %g K (want finite numbers, low ≤ high)", low, high)
	}
	if duration < 0 {
		return mb, fmt.Errorf("random climate: duration %d years (want 0 or more)", duration)
	}
	vals := make([]float64, duration)
	for k := range vals {
		vals[k] = low + (high-low)*yearRand(seed, year+k).Float64()
	}
	if duration > 0 {
		mb.Linear = addSeries(mb.Linear, year, vals)
	}
	return mb, nil
}

// yearRand is the random stream of one year: it depends only on the seed
// and the year. Its stream is not TempNoise's (massbalance.Linear), so a
// random climate and SetRandomClimate with the same seed are independent.
func yearRand(seed uint64, year int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(int64(year))))
}

// AddRandomClimate adds a random climate to the glacier's mass balance
// from its current year on: for duration years, a temperature bias drawn
// uniformly between low and high K (OGGM-Edu's
// Glacier.add_random_climate). See MassBalance.AddRandomClimate.
func (g *Glacier) AddRandomClimate(duration int, low, high float64, seed uint64) error {
	_, err := g.MassBalance.AddRandomClimate(int(math.Floor(g.Year())), duration, low, high, seed)
	return err
}

// AddTempBias adds a warming of bias K to the glacier's mass balance,
// reached linearly over duration years from its current year
// (OGGM-Edu's Glacier.add_temperature_bias). See MassBalance.AddTempBias.
func (g *Glacier) AddTempBias(bias, duration float64) {
	g.MassBalance.AddTempBias(int(math.Floor(g.Year())), bias, duration)
}
