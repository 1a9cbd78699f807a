package massbalance

import (
	"fmt"
	"math"
)

// Warming adds a temperature bias ΔT to a temperature-index model
// ([MonthlyTI], [ConstantTI] or [RandomTI]): a constant one, or one that
// ramps linearly from 0 to Bias over RampYears from StartYear (OGGM's
// temperature-bias scenarios, the temp_bias of its MB models):
//
//	ΔT(Y) = Bias                                         RampYears = 0
//	ΔT(Y) = Bias · clip((Y − StartYear)/RampYears, 0, 1)   RampYears > 0     K
//
// for mass-balance year Y = ⌊year⌋, added to the model's own TempBias
// (the temperature of every month at every height is raised by ΔT). A
// positive bias is warmer. It does not allocate.
type Warming struct {
	// Model is the temperature-index model to warm: MonthlyTI, ConstantTI
	// or RandomTI.
	Model Model
	// Bias is the temperature change reached, K.
	Bias float64
	// StartYear is where the ramp starts, years (model time).
	StartYear float64
	// RampYears is the length of the ramp, years; 0 for a constant bias.
	RampYears float64
}

// BiasAt returns ΔT of the mass-balance year ⌊year⌋, K.
func (w Warming) BiasAt(year float64) float64 {
	if w.RampYears <= 0 {
		return w.Bias
	}
	f := (math.Floor(year) - w.StartYear) / w.RampYears
	return w.Bias * math.Min(math.Max(f, 0), 1)
}

func (w Warming) check() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	if bad(w.Bias) || bad(w.StartYear) || bad(w.RampYears) || w.RampYears < 0 {
		return fmt.Errorf("warming: bias %g K from year %g over %g years (want finite numbers, a ramp ≥ 0 years)", w.Bias, w.StartYear, w.RampYears)
	}
	return nil
}

// AnnualBalance implements Model: the balance of the warmed model, m of
// ice per second.
func (w Warming) AnnualBalance(year float64, z, mb []float64) error {
	return w.annual(year, z, mb, false)
}

// AnnualBalanceWE writes the balance of the warmed model in m w.e. per
// year.
func (w Warming) AnnualBalanceWE(year float64, z, mb []float64) error {
	return w.annual(year, z, mb, true)
}

func (w Warming) annual(year float64, z, mb []float64, we bool) error {
	if err := w.check(); err != nil {
		return err
	}
	dt := w.BiasAt(year)
	switch m := w.Model.(type) {
	case MonthlyTI:
		m.TempBias += dt
		if we {
			return m.AnnualBalanceWE(year, z, mb)
		}
		return m.AnnualBalance(year, z, mb)
	case ConstantTI:
		m.TempBias += dt
		if we {
			return m.AnnualBalanceWE(year, z, mb)
		}
		return m.AnnualBalance(year, z, mb)
	case RandomTI:
		m.TempBias += dt
		if we {
			return m.AnnualBalanceWE(year, z, mb)
		}
		return m.AnnualBalance(year, z, mb)
	}
	return fmt.Errorf("warming: %T is not a temperature-index model (want MonthlyTI, ConstantTI or RandomTI)", w.Model)
}

// String describes the model.
func (w Warming) String() string {
	if w.RampYears > 0 {
		return fmt.Sprintf("%v, warmed by %+g K over %g years from year %g", w.Model, w.Bias, w.RampYears, w.StartYear)
	}
	return fmt.Sprintf("%v, warmed by %+g K", w.Model, w.Bias)
}
