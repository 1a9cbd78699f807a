package massbalance

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// The bracket in which CalibrateMeltFactor looks for the melt factor,
// kg m⁻² day⁻¹ K⁻¹: wide enough for any glacier of the temperature-index
// literature (daily degree-day factors of snow and ice are 3–20; Hock
// 2003, J. Hydrol. 282, 104, table 1).
const (
	MeltFactorMin = 0.1
	MeltFactorMax = 50.0
)

// Calibration is the result of [CalibrateMeltFactor].
type Calibration struct {
	// MeltFactor is the calibrated melt factor, kg m⁻² day⁻¹ K⁻¹.
	MeltFactor float64
	// FirstYear and LastYear bound the calibration period, inclusive;
	// Years is the number of observed years in it.
	FirstYear, LastYear, Years int
	// Observed and Modelled are the mean specific balances over those
	// years, m w.e. per year; they agree to about 1e-9.
	Observed, Modelled float64
	// Evaluations counts the model's runs over the period.
	Evaluations int
}

// String reports the calibration.
func (c Calibration) String() string {
	return fmt.Sprintf("melt factor %.4f kg m⁻² day⁻¹ K⁻¹ from %d observed years %d–%d: mean balance %.4f m w.e./yr (observed %.4f)",
		c.MeltFactor, c.Years, c.FirstYear, c.LastYear, c.Modelled, c.Observed)
}

// CalibrateMeltFactor finds the melt factor of m, its other parameters
// fixed, for which the mean specific balance of the glacier h over the
// observed years from first to last (inclusive) equals the observed mean:
// OGGM's calibration of melt_f on a reference mass balance
// (mb_calibration_from_scalar_mb with calibrate_param1 = 'melt_f'), here
// on the glaciological balances of the years.
//
// The root is found by Brent's method (bracketing, inverse quadratic
// interpolation; gonum has no 1-D root finder) in [MeltFactorMin,
// MeltFactorMax]. The balance is linear in the melt factor, so a few
// evaluations suffice. m is not changed; set m.MeltFactor from the result.
// If no melt factor in the bracket matches (the glacier cannot gain or lose
// enough mass with this precipitation), the error says so: then change
// PrcpFactor or TempBias, as OGGM's three-step calibration does.
func CalibrateMeltFactor(m MonthlyTI, h Hypsometry, obs []Observation, first, last int) (Calibration, error) {
	cal := Calibration{FirstYear: first, LastYear: last}
	years, observed, err := observedIn(obs, first, last)
	if err != nil {
		return cal, err
	}
	if err := h.Validate(); err != nil {
		return cal, err
	}
	cal.Years = len(years)
	cal.Observed = stat.Mean(observed, nil)

	mb := make([]float64, len(h.Elevation))
	mean := func(mu float64) (float64, error) {
		cal.Evaluations++
		m.MeltFactor = mu
		var sum float64
		for _, y := range years {
			if err := m.AnnualBalanceWE(float64(y), h.Elevation, mb); err != nil {
				return 0, err
			}
			sum += stat.Mean(mb, h.Weight) // the weights sum to 1
		}
		return sum / float64(len(years)), nil
	}
	f := func(mu float64) (float64, error) {
		b, err := mean(mu)
		return b - cal.Observed, err
	}
	fa, err := f(MeltFactorMin)
	if err != nil {
		return cal, err
	}
	fb, err := f(MeltFactorMax)
	if err != nil {
		return cal, err
	}
	if fa*fb > 0 {
		return cal, fmt.Errorf("calibration of %s on %d–%d: the observed mean balance %.3f m w.e./yr is outside the modelled range %.3f to %.3f m w.e./yr "+
			"for melt factors %g to %g kg m⁻² day⁻¹ K⁻¹: change the precipitation factor (%g) or the temperature bias (%g K)",
			h.Name, first, last, cal.Observed, fb+cal.Observed, fa+cal.Observed, MeltFactorMin, MeltFactorMax, m.PrcpFactor, m.TempBias)
	}
	mu, err := brent(f, MeltFactorMin, MeltFactorMax, fa, fb, 1e-9, 100)
	if err != nil {
		return cal, fmt.Errorf("calibration of %s on %d–%d: %w", h.Name, first, last, err)
	}
	cal.MeltFactor = mu
	if cal.Modelled, err = mean(mu); err != nil {
		return cal, err
	}
	return cal, nil
}

// observedIn returns the observed years and annual balances from first to
// last.
func observedIn(obs []Observation, first, last int) ([]int, []float64, error) {
	if last < first {
		return nil, nil, fmt.Errorf("period %d–%d is empty", first, last)
	}
	var years []int
	var b []float64
	for _, o := range obs {
		if o.Year >= first && o.Year <= last && !math.IsNaN(o.Annual) {
			years = append(years, o.Year)
			b = append(b, o.Annual)
		}
	}
	if len(years) == 0 {
		return nil, nil, fmt.Errorf("no observed annual balance in %d–%d", first, last)
	}
	return years, b, nil
}

// Verification compares modelled and observed annual balances; see
// [Verify].
type Verification struct {
	// Years are the observed years compared; Modelled and Observed their
	// specific balances, m w.e. per year.
	Years              []int
	Modelled, Observed []float64
	// R is the Pearson correlation of the modelled and observed balances.
	R float64
	// Bias is the mean of modelled − observed, m w.e. per year.
	Bias float64
	// RMSE is the root-mean-square difference, m w.e. per year.
	RMSE float64
	// ObservedSD and ModelledSD are the standard deviations of the
	// balances, m w.e. per year: the model's year-to-year variability
	// against the glacier's.
	ObservedSD, ModelledSD float64
}

// String reports the comparison.
func (v Verification) String() string {
	if len(v.Years) == 0 {
		return "no years compared"
	}
	return fmt.Sprintf("%d years %d–%d: r = %.3f, bias %+.0f mm w.e./yr, RMSE %.0f mm w.e./yr, SD %.0f (observed %.0f) mm w.e./yr",
		len(v.Years), v.Years[0], v.Years[len(v.Years)-1], v.R, v.Bias*1000, v.RMSE*1000, v.ModelledSD*1000, v.ObservedSD*1000)
}

// Verify compares the specific balances of model m over the hypsometry h
// with the observations of the years from first to last (inclusive) that
// have one: correlation, mean bias and RMS difference. Use years that the
// calibration did not see.
func Verify(m Model, h Hypsometry, obs []Observation, first, last int) (Verification, error) {
	var v Verification
	years, observed, err := observedIn(obs, first, last)
	if err != nil {
		return v, err
	}
	if len(years) < 3 {
		return v, fmt.Errorf("verification on %d–%d: %d observed years (want at least 3)", first, last, len(years))
	}
	if err := h.Validate(); err != nil {
		return v, err
	}
	v.Years, v.Observed = years, observed
	v.Modelled = make([]float64, len(years))
	mb := make([]float64, len(h.Elevation))
	for i, y := range years {
		if err := annualWE(m, float64(y), h.Elevation, mb); err != nil {
			return v, err
		}
		v.Modelled[i] = stat.Mean(mb, h.Weight)
	}
	var sq float64
	for i := range years {
		d := v.Modelled[i] - v.Observed[i]
		v.Bias += d
		sq += d * d
	}
	n := float64(len(years))
	v.Bias /= n
	v.RMSE = math.Sqrt(sq / n)
	v.R = stat.Correlation(v.Modelled, v.Observed, nil)
	v.ModelledSD = stat.StdDev(v.Modelled, nil)
	v.ObservedSD = stat.StdDev(v.Observed, nil)
	return v, nil
}

// brent finds a root of f between a and b, where f(a) = fa and f(b) = fb
// have opposite signs, to within tol, by Brent's method (R. P. Brent,
// 1973, Algorithms for Minimization without Derivatives, ch. 4): inverse
// quadratic or linear interpolation when it makes good progress, bisection
// otherwise, so that the bracket always shrinks.
func brent(f func(float64) (float64, error), a, b, fa, fb, tol float64, maxIter int) (float64, error) {
	if fa == 0 {
		return a, nil
	}
	if fb == 0 {
		return b, nil
	}
	if (fa > 0) == (fb > 0) {
		return 0, fmt.Errorf("root finder: f(%g) = %g and f(%g) = %g have the same sign", a, fa, b, fb)
	}
	const epsilon = 0x1p-52 // float64 machine epsilon
	// b is the best estimate, c the other end of the bracket, a the
	// previous b.
	c, fc := a, fa
	d := b - a
	e := d
	for range maxIter {
		if (fb > 0) == (fc > 0) {
			c, fc = a, fa
			d = b - a
			e = d
		}
		if math.Abs(fc) < math.Abs(fb) {
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tol1 := 2*epsilon*math.Abs(b) + tol/2
		xm := (c - b) / 2
		if math.Abs(xm) <= tol1 || fb == 0 {
			return b, nil
		}
		if math.Abs(e) >= tol1 && math.Abs(fa) > math.Abs(fb) {
			s := fb / fa
			var p, q float64
			if a == c {
				// Linear (secant) interpolation.
				p = 2 * xm * s
				q = 1 - s
			} else {
				// Inverse quadratic interpolation.
				q = fa / fc
				r := fb / fc
				p = s * (2*xm*q*(q-r) - (b-a)*(r-1))
				q = (q - 1) * (r - 1) * (s - 1)
			}
			if p > 0 {
				q = -q
			} else {
				p = -p
			}
			if 2*p < math.Min(3*xm*q-math.Abs(tol1*q), math.Abs(e*q)) {
				e = d
				d = p / q
			} else {
				d = xm
				e = d
			}
		} else {
			d = xm
			e = d
		}
		a, fa = b, fb
		if math.Abs(d) > tol1 {
			b += d
		} else {
			b += math.Copysign(tol1, xm)
		}
		var err error
		if fb, err = f(b); err != nil {
			return 0, err
		}
	}
	return 0, errors.New("root finder: no convergence")
}
