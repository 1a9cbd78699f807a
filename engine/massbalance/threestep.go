package massbalance

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Bounds are the ranges within which [CalibrateThreeStep] moves each
// parameter: OGGM v1.6's melt_f_min/max, prcp_fac_min/max and
// temp_bias_min/max (oggm/params.cfg).
type Bounds struct {
	// MeltFactor, kg m⁻² day⁻¹ K⁻¹.
	MeltFactorMin, MeltFactorMax float64
	// PrcpFactor, dimensionless.
	PrcpFactorMin, PrcpFactorMax float64
	// TempBias, K.
	TempBiasMin, TempBiasMax float64
}

// DefaultBounds returns OGGM's bounds: melt factor 1.5–17 kg m⁻² day⁻¹
// K⁻¹, precipitation factor 0.1–10, temperature bias −15 to +15 K.
func DefaultBounds() Bounds {
	return Bounds{MeltFactorMin: 1.5, MeltFactorMax: 17, PrcpFactorMin: 0.1, PrcpFactorMax: 10, TempBiasMin: -15, TempBiasMax: 15}
}

// ThreeStep is the result of [CalibrateThreeStep]: the calibrated
// parameters, what they were calibrated to and how well they match.
type ThreeStep struct {
	// MeltFactor (kg m⁻² day⁻¹ K⁻¹), PrcpFactor and TempBias (K) are the
	// calibrated parameters; set them on the model.
	MeltFactor, PrcpFactor, TempBias float64
	// Steps names the parameters that were calibrated, in order: "melt_f"
	// alone when the melt factor matched within its bounds; then
	// "prcp_fac" and "temp_bias" when the one before hit a bound (and was
	// left there).
	Steps []string
	// FirstYear and LastYear bound the period, inclusive; Years are the
	// mass-balance years whose mean was matched.
	FirstYear, LastYear int
	Years               []int
	// Target is the mean specific balance matched, m w.e. per year;
	// Modelled the model's with the calibrated parameters; Residual their
	// difference, Modelled − Target.
	Target, Modelled, Residual float64
	// Evaluations counts the model's runs over the period.
	Evaluations int
}

// String reports the calibration.
func (c ThreeStep) String() string {
	return fmt.Sprintf("melt factor %.4f kg m⁻² day⁻¹ K⁻¹, precipitation factor %.4g, temperature bias %+.4g K (calibrated: %s) on %d years %d–%d: mean balance %.4f m w.e./yr (target %.4f, residual %.2g)",
		c.MeltFactor, c.PrcpFactor, c.TempBias, strings.Join(c.Steps, ", "), len(c.Years), c.FirstYear, c.LastYear, c.Modelled, c.Target, c.Residual)
}

// CalibrateWGMS calibrates m on the observed glaciological balances from
// first to last (inclusive) with [CalibrateThreeStep]: the target is the
// mean of the observed annual balances, the years those observed, as
// OGGM's mb_calibration_from_wgms_mb.
func CalibrateWGMS(m MonthlyTI, h Hypsometry, obs []Observation, first, last int, b Bounds) (ThreeStep, error) {
	years, observed, err := observedIn(obs, first, last)
	if err != nil {
		return ThreeStep{FirstYear: first, LastYear: last}, fmt.Errorf("calibration of %s: %w", h.Name, err)
	}
	c, err := CalibrateThreeStep(m, h, years, stat.Mean(observed, nil), b)
	c.FirstYear, c.LastYear = first, last
	return c, err
}

// CalibrateGeodetic calibrates m to a geodetic mean specific balance
// (m w.e. per year) over the mass-balance years first to last (inclusive)
// with [CalibrateThreeStep], as OGGM's mb_calibration_from_geodetic_mb
// (with the period's every year).
func CalibrateGeodetic(m MonthlyTI, h Hypsometry, mean float64, first, last int, b Bounds) (ThreeStep, error) {
	if last < first {
		return ThreeStep{FirstYear: first, LastYear: last}, fmt.Errorf("calibration of %s: period %d–%d is empty", h.Name, first, last)
	}
	years := make([]int, 0, last-first+1)
	for y := first; y <= last; y++ {
		years = append(years, y)
	}
	c, err := CalibrateThreeStep(m, h, years, mean, b)
	c.FirstYear, c.LastYear = first, last
	return c, err
}

// CalibrateThreeStep finds the parameters of m for which the mean
// specific balance of glacier h over the given mass-balance years equals
// target (m w.e. per year), in OGGM's order (mb_calibration_from_scalar_mb
// with calibrate_param1..3 = melt_f, prcp_fac, temp_bias, after Huss and
// Hock 2015, Front. Earth Sci. 3, 54):
//
//  1. the melt factor, the others as m has them, within its bounds;
//  2. if no melt factor matches, the melt factor stays at the bound that
//     comes closest and the precipitation factor is found within its bounds;
//  3. if none matches either, it too stays at its closest bound and the
//     temperature bias is found.
//
// Each step finds the root of the mean balance less the target by
// Brent's method in the bracket of the bounds (gonum has no 1-D root
// finder; gonum/optimize's methods minimise, and a bracketing root finder
// is what OGGM uses, scipy's brentq). The specific balance is the
// area-weighted mean over h's bands; m's other parameters (FirstMonth,
// Bias, …) are kept. If even the temperature bias cannot match, the error
// says by how much the closest bound misses.
func CalibrateThreeStep(m MonthlyTI, h Hypsometry, years []int, target float64, b Bounds) (ThreeStep, error) {
	c := ThreeStep{Years: years, Target: target, MeltFactor: m.MeltFactor, PrcpFactor: m.PrcpFactor, TempBias: m.TempBias}
	if len(years) > 0 {
		c.FirstYear, c.LastYear = years[0], years[len(years)-1]
	}
	if err := h.Validate(); err != nil {
		return c, err
	}
	if len(years) == 0 {
		return c, fmt.Errorf("calibration of %s: no year to calibrate on", h.Name)
	}
	if math.IsNaN(target) || math.IsInf(target, 0) {
		return c, fmt.Errorf("calibration of %s: target balance %g m w.e./yr", h.Name, target)
	}
	mb := make([]float64, len(h.Elevation))
	mean := func() (float64, error) {
		c.Evaluations++
		var sum float64
		for _, y := range years {
			if err := m.AnnualBalanceWE(float64(y), h.Elevation, mb); err != nil {
				return 0, err
			}
			sum += stat.Mean(mb, h.Weight)
		}
		return sum / float64(len(years)), nil
	}
	type step struct {
		name, unit string
		p          *float64
		lo, hi     float64
	}
	steps := []step{
		{"melt_f", "kg m⁻² day⁻¹ K⁻¹", &m.MeltFactor, b.MeltFactorMin, b.MeltFactorMax},
		{"prcp_fac", "", &m.PrcpFactor, b.PrcpFactorMin, b.PrcpFactorMax},
		{"temp_bias", "K", &m.TempBias, b.TempBiasMin, b.TempBiasMax},
	}
	for _, s := range steps {
		if !(s.lo < s.hi) {
			return c, fmt.Errorf("calibration of %s: bounds of %s %g to %g (want min < max)", h.Name, s.name, s.lo, s.hi)
		}
	}
	for k, s := range steps {
		c.Steps = append(c.Steps, s.name)
		f := func(x float64) (float64, error) {
			*s.p = x
			v, err := mean()
			return v - target, err
		}
		flo, err := f(s.lo)
		if err != nil {
			return c, fmt.Errorf("calibration of %s: %w", h.Name, err)
		}
		fhi, err := f(s.hi)
		if err != nil {
			return c, fmt.Errorf("calibration of %s: %w", h.Name, err)
		}
		if flo*fhi <= 0 {
			x, err := brent(f, s.lo, s.hi, flo, fhi, 1e-10, 200)
			if err != nil {
				return c, fmt.Errorf("calibration of %s, %s: %w", h.Name, s.name, err)
			}
			*s.p = x
			break
		}
		// No root in the bracket: stay at the bound that comes closer
		// and go on with the next parameter.
		if math.Abs(flo) < math.Abs(fhi) {
			*s.p = s.lo
		} else {
			*s.p = s.hi
		}
		if k == len(steps)-1 {
			c.MeltFactor, c.PrcpFactor, c.TempBias = m.MeltFactor, m.PrcpFactor, m.TempBias
			return c, fmt.Errorf("calibration of %s on %d–%d: no parameters within the bounds match the target %.3f m w.e./yr: "+
				"at the closest (melt factor %g, precipitation factor %g, temperature bias %g K) the mean balance misses it by %.3f m w.e./yr",
				h.Name, c.FirstYear, c.LastYear, target, m.MeltFactor, m.PrcpFactor, m.TempBias, math.Min(math.Abs(flo), math.Abs(fhi)))
		}
	}
	c.MeltFactor, c.PrcpFactor, c.TempBias = m.MeltFactor, m.PrcpFactor, m.TempBias
	v, err := mean()
	if err != nil {
		return c, fmt.Errorf("calibration of %s: %w", h.Name, err)
	}
	c.Modelled, c.Residual = v, v-target
	return c, nil
}

// Apply returns m with the calibrated parameters.
func (c ThreeStep) Apply(m MonthlyTI) MonthlyTI {
	m.MeltFactor, m.PrcpFactor, m.TempBias = c.MeltFactor, c.PrcpFactor, c.TempBias
	return m
}
