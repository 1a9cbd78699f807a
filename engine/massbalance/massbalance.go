package massbalance

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

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

// ELAPerKelvin is how far the equilibrium line rises per kelvin of
// warming, m K⁻¹: a temperature bias ΔT moves a [Linear] model's ELA by
// ELAPerKelvin·ΔT (OGGM-Edu's convention, close to the ratio of a summer
// melt sensitivity to the atmospheric lapse rate, 1 K / 6.5 K km⁻¹ ≈
// 154 m).
const ELAPerKelvin = 150.0

// Linear is a mass balance that grows linearly with elevation above the
// equilibrium-line altitude (OGGM's LinearMassBalance; Maussion et al.
// 2019, sect. 2.4), with OGGM-Edu's additions: a second gradient above the
// ELA, and a temperature bias that moves the ELA.
//
//	b(z, t)  = min(γ·(z − ELA(t)), MaxBalance)                    m w.e. yr⁻¹
//	γ        = GradientAbove where z > ELA(t) and GradientAbove ≠ 0, else Gradient
//	           (or several gradients between altitude Breakpoints, below)
//	ELA(t)   = ELA + ELAPerKelvin·ΔT(t)                           m
//	ΔT(t)    = TempBias + Σ TempSteps from their year on
//	           + TempSeries[⌊t⌋ − TempSeriesStart] + TempNoise·N(0, 1)   K
//
// The normal deviate N(0, 1) of a year depends only on TempNoiseSeed and
// ⌊t⌋, so a run is reproducible. The zero values of the optional fields
// give OGGM's one-gradient model: Linear{ELA: 2600, Gradient: 3}.
//
// The slices are read, never written: a Linear may be copied by value and
// shared by models.
type Linear struct {
	// ELA is the equilibrium-line altitude without temperature bias, m
	// above sea level.
	ELA float64
	// Gradient γ is the mass-balance gradient, mm w.e. per m of elevation
	// per year (equivalently m w.e. yr⁻¹ per km): everywhere, or below
	// the ELA when GradientAbove is set.
	Gradient float64
	// GradientAbove is the gradient above the ELA, mm w.e. per m per year;
	// 0 means Gradient (one gradient). Ablation zones usually have the
	// steeper one.
	GradientAbove float64
	// MaxBalance caps the balance, m w.e. per year; 0 means no cap.
	MaxBalance float64
	// TempBias is a constant temperature bias, K (positive: warmer, the
	// ELA rises).
	TempBias float64
	// TempSteps change the temperature bias from given years on; they
	// add up.
	TempSteps []TempStep
	// TempSeries is a yearly temperature bias, K, for the years
	// TempSeriesStart, TempSeriesStart+1, …; 0 outside them.
	TempSeries      []float64
	TempSeriesStart int
	// TempNoise is the standard deviation of a random temperature anomaly
	// drawn each year, K (0: none), reproducibly from TempNoiseSeed and
	// the year.
	TempNoise     float64
	TempNoiseSeed uint64
	// Breakpoints, when set, give the profile several gradients
	// (OGGM-Edu's MassBalance(ela, gradient=[…], breakpoints=[…])):
	// altitudes, m a.s.l., from the top down, that split the valley into
	// len(Breakpoints)+1 bands, and Gradients[k] is the gradient of band k
	// (band 0 above Breakpoints[0], the last below the last breakpoint),
	// mm w.e. per m per year. The balance is then the integral of the
	// gradient from the ELA, continuous and 0 at the ELA:
	//
	//	b(z) = ∫_{ELA(t)}^{z} γ(z′) dz′                                m w.e. yr⁻¹
	//
	// The breakpoints stay where they are when the ELA moves with the
	// temperature; Gradient and GradientAbove are not used.
	Breakpoints, Gradients []float64
}

// TempStep is a change of temperature from a year on.
type TempStep struct {
	// Year from which the change applies (year ≥ Year), years.
	Year float64
	// Bias is the change, K.
	Bias float64
}

// WithTempRamp returns l with a warming (negative: cooling) of bias K
// reached gradually: 0 in the given year, growing linearly to bias over
// duration years, then held (OGGM-Edu's add_temperature_bias, and the
// ramps of massbalance.Warming). The ramp goes into the yearly series
// (merged with one already there) and a step at its end, so ramps, steps
// and series add up; a duration ≤ 0 is a step. l's own slices are not
// changed.
func (l Linear) WithTempRamp(year int, bias, duration float64) Linear {
	steps := slices.Clone(l.TempSteps)
	if !(duration > 0) {
		l.TempSteps = append(steps, TempStep{Year: float64(year), Bias: bias})
		return l
	}
	n := int(math.Ceil(duration))
	start, end := year, year+n
	if l.TempSeries != nil {
		start = min(start, l.TempSeriesStart)
		end = max(end, l.TempSeriesStart+len(l.TempSeries))
	}
	series := make([]float64, end-start)
	copy(series[max(0, l.TempSeriesStart-start):], l.TempSeries)
	for k := range n {
		series[year-start+k] += bias * float64(k) / duration
	}
	l.TempSeriesStart, l.TempSeries = start, series
	l.TempSteps = append(steps, TempStep{Year: float64(year + n), Bias: bias})
	return l
}

// TempBiasAt returns the temperature bias ΔT of a year, K.
func (l Linear) TempBiasAt(year float64) float64 {
	b := l.TempBias
	for _, s := range l.TempSteps {
		if year >= s.Year {
			b += s.Bias
		}
	}
	if i := int(math.Floor(year)) - l.TempSeriesStart; i >= 0 && i < len(l.TempSeries) {
		b += l.TempSeries[i]
	}
	if l.TempNoise > 0 {
		pcg := rand.NewPCG(l.TempNoiseSeed, uint64(int64(math.Floor(year))))
		b += l.TempNoise * rand.New(pcg).NormFloat64()
	}
	return b
}

// ELAAt returns the equilibrium-line altitude of a year, m a.s.l.
func (l Linear) ELAAt(year float64) float64 {
	return l.ELA + ELAPerKelvin*l.TempBiasAt(year)
}

// gradients returns the gradients below and above the ELA, mm w.e. m⁻¹ yr⁻¹.
func (l Linear) gradients() (below, above float64) {
	if l.GradientAbove != 0 {
		return l.Gradient, l.GradientAbove
	}
	return l.Gradient, l.Gradient
}

// CheckBreakpoints reports whether Breakpoints and Gradients make a
// profile: one gradient more than breakpoints, breakpoints falling from
// the top down, all finite.
func (l Linear) CheckBreakpoints() error {
	if len(l.Breakpoints) == 0 && len(l.Gradients) == 0 {
		return nil
	}
	if len(l.Gradients) != len(l.Breakpoints)+1 {
		return fmt.Errorf("linear mass balance: %d gradients for %d breakpoints (want one gradient more than breakpoints: a gradient above, between and below them)", len(l.Gradients), len(l.Breakpoints))
	}
	for k, g := range l.Gradients {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			return fmt.Errorf("linear mass balance: gradient %d is %g mm w.e./m/yr (want a finite number)", k, g)
		}
	}
	for k, z := range l.Breakpoints {
		if math.IsNaN(z) || math.IsInf(z, 0) {
			return fmt.Errorf("linear mass balance: breakpoint %d is %g m (want a finite altitude)", k, z)
		}
		if k > 0 && !(z < l.Breakpoints[k-1]) {
			return fmt.Errorf("linear mass balance: breakpoint %d (%g m) is not below breakpoint %d (%g m): list them from the top down", k, z, k-1, l.Breakpoints[k-1])
		}
	}
	return nil
}

// banded returns ∫_{ela}^{z} γ(z′) dz′ for the banded gradient, mm w.e.
// per year (gradients in mm w.e. per m per year): G(z) − G(ela), with G
// the antiderivative of the piecewise-constant gradient, 0 at the lowest
// breakpoint.
func (l Linear) banded(ela, z float64) float64 {
	return l.bandIntegral(z) - l.bandIntegral(ela)
}

// bandIntegral is the antiderivative of the banded gradient, 0 at the
// lowest breakpoint, mm w.e. per year.
func (l Linear) bandIntegral(z float64) float64 {
	n := len(l.Breakpoints)
	low := l.Breakpoints[n-1]
	if z <= low {
		return l.Gradients[n] * (z - low)
	}
	g := 0.0
	for k := n - 1; k >= 0; k-- {
		top := math.Inf(1)
		if k > 0 {
			top = l.Breakpoints[k-1]
		}
		base := l.Breakpoints[k]
		g += l.Gradients[k] * (min(z, top) - base)
		if z <= top {
			break
		}
	}
	return g
}

// Balance returns the balance at altitude z (m a.s.l.) in the given year,
// m w.e. per year.
func (l Linear) Balance(year, z float64) float64 {
	ela := l.ELAAt(year)
	if len(l.Breakpoints) > 0 || len(l.Gradients) > 0 {
		if l.CheckBreakpoints() != nil {
			return math.NaN() // AnnualBalance says what is wrong
		}
		b := l.banded(ela, z) * 1e-3
		if l.MaxBalance != 0 {
			b = min(b, l.MaxBalance)
		}
		return b
	}
	g, above := l.gradients()
	if z > ela {
		g = above
	}
	b := g * 1e-3 * (z - ela)
	if l.MaxBalance != 0 {
		b = min(b, l.MaxBalance)
	}
	return b
}

// AnnualBalance implements Model: Balance in metres of ice per second,
// with the unit conversion folded into the gradients and the cap.
func (l Linear) AnnualBalance(year float64, z, mb []float64) error {
	ela := l.ELAAt(year)
	if len(l.Breakpoints) > 0 || len(l.Gradients) > 0 {
		if err := l.CheckBreakpoints(); err != nil {
			return err
		}
		limit := math.Inf(1)
		if l.MaxBalance != 0 {
			limit = l.MaxBalance
		}
		g0 := l.bandIntegral(ela)
		for i, zi := range z {
			mb[i] = min((l.bandIntegral(zi)-g0)*1e-3, limit) * WEPerYearToIcePerSecond
		}
		return nil
	}
	below, above := l.gradients()
	below = below * 1e-3 * WEPerYearToIcePerSecond
	above = above * 1e-3 * WEPerYearToIcePerSecond
	limit := math.Inf(1)
	if l.MaxBalance != 0 {
		limit = l.MaxBalance * WEPerYearToIcePerSecond
	}
	if below == above && l.MaxBalance == 0 {
		// One gradient and no cap (OGGM's idealized runs): the same
		// values, without the choice of gradient and the cap per point
		// (half the time of a year's balance on 200 points).
		for i, zi := range z {
			mb[i] = below * (zi - ela)
		}
		return nil
	}
	for i, zi := range z {
		g := below
		if zi > ela {
			g = above
		}
		mb[i] = min(g*(zi-ela), limit)
	}
	return nil
}

// String describes the model.
func (l Linear) String() string {
	below, above := l.gradients()
	s := fmt.Sprintf("linear mass balance: ELA %g m, gradient %g mm w.e./m/yr", l.ELA, below)
	if len(l.Breakpoints) > 0 {
		s = fmt.Sprintf("linear mass balance: ELA %g m, gradients %v mm w.e./m/yr with breakpoints at %v m", l.ELA, l.Gradients, l.Breakpoints)
	} else if above != below {
		s = fmt.Sprintf("linear mass balance: ELA %g m, gradients %g below and %g above the ELA (mm w.e./m/yr)", l.ELA, below, above)
	}
	if l.MaxBalance != 0 {
		s += fmt.Sprintf(", capped at %g m w.e./yr", l.MaxBalance)
	}
	if l.TempBias != 0 {
		s += fmt.Sprintf(", temperature bias %+g K", l.TempBias)
	}
	for _, st := range l.TempSteps {
		s += fmt.Sprintf(", %+g K from year %g", st.Bias, st.Year)
	}
	if l.TempSeries != nil {
		s += fmt.Sprintf(", a yearly bias series %d–%d", l.TempSeriesStart, l.TempSeriesStart+len(l.TempSeries)-1)
	}
	if l.TempNoise > 0 {
		s += fmt.Sprintf(", random climate σ = %g K (seed %d)", l.TempNoise, l.TempNoiseSeed)
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
