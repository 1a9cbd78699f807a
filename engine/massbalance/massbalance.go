package massbalance

import (
	"fmt"
	"math"

	"github.com/firnglacier/firn/engine/constants"
)

// Model is a surface mass-balance model.
type Model interface {
	// AnnualBalance writes into mb the annual surface mass balance, in
	// metres of ice per second, at the ice-surface elevations z (m above
	// sea level) for the given year (years since the calendar origin of
	// the run, e.g. 0 or 2003). len(mb) == len(z). It must not keep the
	// slices and should not allocate.
	AnnualBalance(year float64, z, mb []float64) error
}

// WEPerYearToIcePerSecond converts a mass balance in metres of water
// equivalent per year to metres of ice per second.
const WEPerYearToIcePerSecond = constants.RhoWater / constants.RhoIce / constants.SecondsPerYear

// Linear is a mass balance that grows linearly with elevation above the
// equilibrium-line altitude (OGGM's LinearMassBalance; Maussion et al.
// 2019, sect. 2.4): b(z) = γ·(z − ELA), capped at MaxBalance.
type Linear struct {
	// ELA is the equilibrium-line altitude, m above sea level.
	ELA float64
	// Gradient γ is the mass-balance gradient, mm w.e. per m of elevation
	// per year (equivalently m w.e. yr⁻¹ per km).
	Gradient float64
	// MaxBalance caps the balance, m w.e. per year; 0 means no cap.
	MaxBalance float64
}

// AnnualBalance implements Model.
func (l Linear) AnnualBalance(year float64, z, mb []float64) error {
	g := l.Gradient * 1e-3 * WEPerYearToIcePerSecond
	limit := math.Inf(1)
	if l.MaxBalance != 0 {
		limit = l.MaxBalance * WEPerYearToIcePerSecond
	}
	for i, zi := range z {
		mb[i] = min(g*(zi-l.ELA), limit)
	}
	return nil
}

// String describes the model.
func (l Linear) String() string {
	s := fmt.Sprintf("linear mass balance: ELA %g m, gradient %g mm w.e./m/yr", l.ELA, l.Gradient)
	if l.MaxBalance != 0 {
		s += fmt.Sprintf(", capped at %g m w.e./yr", l.MaxBalance)
	}
	return s
}

// Constant is the same mass balance everywhere and every year.
type Constant struct {
	// Balance is the mass balance, m w.e. per year.
	Balance float64
}

// AnnualBalance implements Model.
func (c Constant) AnnualBalance(year float64, z, mb []float64) error {
	v := c.Balance * WEPerYearToIcePerSecond
	for i := range mb[:len(z)] {
		mb[i] = v
	}
	return nil
}

// String describes the model.
func (c Constant) String() string {
	return fmt.Sprintf("constant mass balance: %g m w.e./yr", c.Balance)
}

// Biased adds a constant bias to another model's balance everywhere.
type Biased struct {
	Model Model
	// Bias is added to the balance, m w.e. per year (negative: less mass).
	Bias float64
}

// AnnualBalance implements Model.
func (b Biased) AnnualBalance(year float64, z, mb []float64) error {
	if b.Model == nil {
		return fmt.Errorf("biased mass balance has no model to bias")
	}
	if err := b.Model.AnnualBalance(year, z, mb); err != nil {
		return err
	}
	v := b.Bias * WEPerYearToIcePerSecond
	for i := range mb[:len(z)] {
		mb[i] += v
	}
	return nil
}

// String describes the model.
func (b Biased) String() string {
	return fmt.Sprintf("%v, biased by %+g m w.e./yr", b.Model, b.Bias)
}
