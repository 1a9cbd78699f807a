package glacier

import (
	"context"
	"fmt"
	"math"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/massbalance"
)

// The climates of a run ([Scenario].Climate).
const (
	// ClimateConstant is OGGM's ConstantMassBalance: every year the mean
	// of the balances of the years Y0 ± Halfsize.
	ClimateConstant = "constant"
	// ClimateRandom is OGGM's RandomMassBalance: each year draws a whole
	// year from Y0 ± Halfsize, reproducibly from Seed.
	ClimateRandom = "random"
	// ClimateHistorical is the climate's own years, from Y0 (0: the
	// climate's first whole mass-balance year) to the end of the record.
	ClimateHistorical = "historical"
	// ClimateLinear is OGGM's LinearMassBalance, which needs no climate:
	// the balance grows by [Scenario].Gradient (0: [MBGradient]) per metre
	// above the glacier's ELA ([Glacier].ELA, where its prepared apparent
	// balance is zero), so today's glacier is close to balance, and a
	// temperature bias raises the ELA by [massbalance.ELAPerKelvin] per K.
	// It runs glaciers prepared without a climate (South Glacier).
	ClimateLinear = "linear"
)

// Scenario is the climate of a glacier's run: the calibrated
// temperature-index model in a constant, random or historical climate, and
// a temperature bias on it ([massbalance.Warming]: constant, or ramped
// from 0 over RampYears from the run's start).
type Scenario struct {
	// Climate is ClimateConstant ("" too), ClimateRandom or
	// ClimateHistorical.
	Climate string
	// Y0 and Halfsize are the centre year and half-length of the period,
	// years (constant and random climates); Y0 is the first year of a
	// historical run (0: the climate's first).
	Y0, Halfsize int
	// Seed selects the random climate's years.
	Seed uint64
	// TempBias is a temperature change, K (positive: warmer).
	TempBias float64
	// RampYears is how long the change takes to reach TempBias, years; 0
	// applies it from the start.
	RampYears float64
	// Gradient is the linear climate's balance gradient, mm w.e. m⁻¹
	// yr⁻¹ (0: [MBGradient]).
	Gradient float64
}

// String describes the scenario in a few words.
func (s Scenario) String() string {
	var c string
	switch s.Climate {
	case ClimateRandom:
		c = fmt.Sprintf("random climate of %d–%d (seed %d)", s.Y0-s.Halfsize, s.Y0+s.Halfsize, s.Seed)
	case ClimateHistorical:
		c = "historical climate"
		if s.Y0 != 0 {
			c += fmt.Sprintf(" from %d", s.Y0)
		}
	case ClimateLinear:
		g := s.Gradient
		if g == 0 {
			g = MBGradient
		}
		c = fmt.Sprintf("linear balance (%g mm w.e./m)", g)
	default:
		c = fmt.Sprintf("constant climate of %d–%d", s.Y0-s.Halfsize, s.Y0+s.Halfsize)
	}
	switch {
	case s.TempBias != 0 && s.RampYears > 0:
		c += fmt.Sprintf(", %+g °C over %g years", s.TempBias, s.RampYears)
	case s.TempBias != 0:
		c += fmt.Sprintf(", %+g °C", s.TempBias)
	}
	return c
}

// MassBalance returns the scenario's mass-balance model and the year a
// run starts: 0 for the constant and random climates, Y0 or the
// climate's first whole mass-balance year for the historical one, whose
// last year is last (years after it have no climate). For the other climates
// last is math.MaxInt.
func (g *Glacier) MassBalance(s Scenario) (mb massbalance.Model, start, last int, err error) {
	if s.Climate == ClimateLinear {
		return g.linearBalance(s)
	}
	if g.MB == nil {
		return nil, 0, 0, fmt.Errorf("climate for %s: the glacier has no calibrated mass balance (prepare it with a climate and observations, or run the linear climate)", g.Flowline.ID)
	}
	if math.IsNaN(s.TempBias) || math.IsInf(s.TempBias, 0) || math.IsNaN(s.RampYears) || math.IsInf(s.RampYears, 0) || s.RampYears < 0 {
		return nil, 0, 0, fmt.Errorf("climate for %s: temperature bias %g °C over %g years (want finite numbers, a ramp ≥ 0 years)", g.Flowline.ID, s.TempBias, s.RampYears)
	}
	last = math.MaxInt
	switch s.Climate {
	case ClimateConstant, "":
		mb, err = g.ConstantClimate(s.Y0, s.Halfsize)
	case ClimateRandom:
		if s.Halfsize < 0 {
			return nil, 0, 0, fmt.Errorf("random climate for %s: halfsize %d (want ≥ 0)", g.Flowline.ID, s.Halfsize)
		}
		var r massbalance.RandomTI
		r, err = g.MB.Random(s.Y0-s.Halfsize, s.Y0+s.Halfsize, s.Seed)
		if err != nil {
			err = fmt.Errorf("random climate for %s, years %d–%d: %w", g.Flowline.ID, s.Y0-s.Halfsize, s.Y0+s.Halfsize, err)
		}
		mb = r
	case ClimateHistorical:
		first, l, ok := g.MB.Climate.YearRange(g.MB.FirstMonth)
		if !ok {
			return nil, 0, 0, fmt.Errorf("historical climate for %s: %s holds no whole mass-balance year", g.Flowline.ID, g.MB.Climate.Name)
		}
		if s.Y0 != 0 && (s.Y0 < first || s.Y0 > l) {
			return nil, 0, 0, fmt.Errorf("historical climate for %s: year %d is not in %s, which holds the mass-balance years %d–%d", g.Flowline.ID, s.Y0, g.MB.Climate.Name, first, l)
		}
		if s.Y0 != 0 {
			first = s.Y0
		}
		mb, start, last = *g.MB, first, l
	default:
		return nil, 0, 0, fmt.Errorf("climate for %s: %q (want constant, random, historical or linear)", g.Flowline.ID, s.Climate)
	}
	if err != nil {
		return nil, 0, 0, err
	}
	if s.TempBias != 0 {
		mb = massbalance.Warming{Model: mb, Bias: s.TempBias, StartYear: float64(start), RampYears: s.RampYears}
	}
	return mb, start, last, nil
}

// maxLinearYears bounds the yearly temperature series of a ramped linear
// climate (a ramp is held at its end value after it, so only the ramp's
// years need a value).
const maxLinearYears = 100000

// linearBalance is the linear climate (see [ClimateLinear]): the ELA of
// the glacier's apparent balance, the scenario's gradient, and its
// temperature bias, ramped through the model's yearly series.
func (g *Glacier) linearBalance(s Scenario) (massbalance.Model, int, int, error) {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	if bad(s.TempBias) || bad(s.RampYears) || s.RampYears < 0 || s.RampYears > maxLinearYears || bad(s.Gradient) || s.Gradient < 0 {
		return nil, 0, 0, fmt.Errorf("linear climate for %s: temperature bias %g °C over %g years, gradient %g mm w.e./m (want finite numbers, a ramp of 0–%d years, a gradient ≥ 0)",
			g.Flowline.ID, s.TempBias, s.RampYears, s.Gradient, maxLinearYears)
	}
	if bad(g.ELA) {
		return nil, 0, 0, fmt.Errorf("linear climate for %s: the glacier has no ELA", g.Flowline.ID)
	}
	grad := s.Gradient
	if grad == 0 {
		grad = MBGradient
	}
	// Year y of the run (from 0) has the bias reached at its start, as
	// massbalance.Warming ramps the temperature-index climates.
	lin := massbalance.Linear{ELA: g.ELA, Gradient: grad}.WithTempRamp(0, s.TempBias, s.RampYears)
	return lin, 0, math.MaxInt, nil
}

// Run runs the glacier from today's (inverted) state for years years
// in the scenario's climate and returns its yearly history and the model
// at the end. A historical climate runs at most to the end of its
// record.
func (g *Glacier) Run(ctx context.Context, s Scenario, years int) (*dynamics.History, *dynamics.Model, error) {
	if years <= 0 {
		return nil, nil, fmt.Errorf("run of %s: %d years (want > 0)", g.Flowline.ID, years)
	}
	mb, start, last, err := g.MassBalance(s)
	if err != nil {
		return nil, nil, err
	}
	m, err := g.Model(mb, float64(start))
	if err != nil {
		return nil, nil, err
	}
	end := start + years
	if last != math.MaxInt && end > last+1 {
		end = last + 1
	}
	hist, err := m.Run(ctx, dynamics.RunOptions{EndYear: float64(end)})
	if err != nil {
		return nil, nil, fmt.Errorf("run of %s in a %v: %w", g.Flowline.ID, s, err)
	}
	return hist, m, nil
}
