package experiment

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The ranges of the numeric keys: physically meaningful values for a
// mountain glacier or an ice cap on a flowline (and a little beyond), so
// that a typo (1e308 for 100) is refused before anything runs rather than
// overflowing in the dynamics, and a run's memory and time stay bounded.
// The package documentation and README's experiment table list them.
const (
	// MinElevation and MaxElevation bound bed elevations and the ELA, m
	// a.s.l.: below the deepest ocean trench, above the highest summit.
	MinElevation = -11_000.0
	MaxElevation = 9_000.0
	// MinDx and MaxDx bound the spacing of the points, m. (The shallow-ice
	// approximation needs a spacing well above the ice thickness; 10 m is
	// already below it.)
	MinDx = 10.0
	MaxDx = 10_000.0
	// MaxPoints bounds the points of a flowline and of all flowlines
	// together (10 000 points 100 m apart are a 1000 km flowline).
	MaxPoints = 10_000
	// MaxWidth bounds widths, m.
	MaxWidth = 100_000.0
	// MaxLambda bounds the trapezoid side factor (m of width per m of
	// thickness; 20 is walls at 5.7°).
	MaxLambda = 20.0
	// MinParabolaP and MaxParabolaP bound the parabola parameter, m⁻¹:
	// 20 km to 20 m wide at 100 m of ice (w = √(4H/P)).
	MinParabolaP = 1e-6
	MaxParabolaP = 1.0
	// MaxThickness bounds the initial ice thickness, m (the thickest ice
	// on Earth is 4.9 km).
	MaxThickness = 5_000.0
	// MaxLengthThreshold bounds length_threshold_m, m.
	MaxLengthThreshold = 1_000.0
	// MaxGradient bounds the mass-balance gradients, mm w.e. m⁻¹ yr⁻¹
	// (mid-latitude glaciers have 3–10, maritime and tropical ones up
	// to about 25).
	MaxGradient = 100.0
	// MaxBalanceMagnitude bounds balances, biases and caps (in magnitude), m w.e. yr⁻¹ (the
	// wettest glaciers gain about 10, the fastest melting lose about 15).
	MaxBalanceMagnitude = 20.0
	// MaxTempBias bounds the temperature bias, K (the ELA moves 150 m
	// per K: ±3 km).
	MaxTempBias = 20.0
	// MinGlenN and MaxGlenN bound Glen's exponent (measured: 1.5–4.2).
	MinGlenN = 1.0
	MaxGlenN = 5.0
	// MinStrainRate and MaxStrainRate bound Glen's A through the strain
	// rate A·τⁿ it gives under a stress τ of 100 kPa, s⁻¹: for n = 3,
	// A = 1e-28 (colder than −50 °C) to 1e-20 Pa⁻³ s⁻¹ (4000 times
	// softer than temperate ice, 2.4e-24).
	MinStrainRate = 1e-13
	MaxStrainRate = 1e-5
	// MaxSlidingSpeed bounds f_s through the sliding speed f_s·τⁿ/H it
	// gives under 100 kPa and 100 m of ice, m s⁻¹ (86 m per day, a fast
	// surge): for n = 3, f_s ≤ 1e-16 Pa⁻³ m² s⁻¹ (OGGM's usual 5.7e-20
	// slides 18 m per year).
	MaxSlidingSpeed = 1e-3
	// MinRho and MaxRho bound the ice density, kg m⁻³.
	MinRho = 500.0
	MaxRho = 1_000.0
	// MinG and MaxG bound the acceleration of gravity, m s⁻² (Pluto's
	// nitrogen glaciers to twice Earth's).
	MinG = 0.1
	MaxG = 25.0
	// MaxCFL bounds the Courant number.
	MaxCFL = 1.0
	// MaxYear bounds years.start and years.end, |year|.
	MaxYear = 1_000_000.0
	// MaxRunYears bounds the length of a run, years.end − years.start:
	// the diagnostics then have at most MaxRunYears + 1 rows.
	MaxRunYears = 100_000.0
)

// refStress and refThickness are the stress (Pa) and thickness (m) at
// which Glen's A and f_s are judged.
const (
	refStress    = 1e5
	refThickness = 100.0
)

// glenARange returns the range of Glen's A for exponent n, Pa⁻ⁿ s⁻¹.
func glenARange(n float64) (lo, hi float64) {
	tn := math.Pow(refStress, n)
	return MinStrainRate / tn, MaxStrainRate / tn
}

// slidingMax returns the largest f_s for exponent n, Pa⁻ⁿ m² s⁻¹.
func slidingMax(n float64) float64 {
	return MaxSlidingSpeed * refThickness / math.Pow(refStress, n)
}

// span is the range a numeric key accepts: lo to hi, with lo excluded
// when open, and 0 also accepted when zero (a value meaning "none" or
// "the default").
type span struct {
	lo, hi float64
	open   bool
	zero   bool
	unit   string // as messages print it after a number, e.g. "m"
	zeroIs string // what 0 means, e.g. "no cap"
}

func (r span) ok(v float64) bool {
	if r.zero && v == 0 {
		return true
	}
	above := v >= r.lo
	if r.open {
		above = v > r.lo
	}
	return above && v <= r.hi
}

// num formats a bound of a range to 6 digits: 1e-28, 10000, 0.5.
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// String says the range in a message: "10 to 10000 m", "more than 0 and
// at most 100 mm w.e. m⁻¹ yr⁻¹", "0 (no cap) to 20 m w.e. yr⁻¹".
func (r span) String() string {
	var b strings.Builder
	switch {
	case r.zero && r.lo == 0:
		fmt.Fprintf(&b, "0 (%s) to %s", r.zeroIs, num(r.hi))
	case r.zero:
		fmt.Fprintf(&b, "0 (%s) or %s to %s", r.zeroIs, num(r.lo), num(r.hi))
	case r.open:
		fmt.Fprintf(&b, "more than %s and at most %s", num(r.lo), num(r.hi))
	default:
		fmt.Fprintf(&b, "%s to %s", num(r.lo), num(r.hi))
	}
	if r.unit != "" {
		b.WriteString(" " + r.unit)
	}
	return b.String()
}

// got formats the value a message reports, as %g does, with the unit.
func (r span) got(v float64) string {
	if r.unit == "" {
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprintf("%g %s", v, r.unit)
}

// check returns an error for the value at path if it is out of range.
func (s *Spec) check(path string, v float64, r span) error {
	if r.ok(v) {
		return nil
	}
	return s.src.errAt(path, "must be %s, got %s", r, r.got(v))
}

// The ranges of keys that do not depend on other values.
var (
	elevationSpan = span{lo: MinElevation, hi: MaxElevation, unit: "m"}
	dxSpan        = span{lo: MinDx, hi: MaxDx, unit: "m"}
	widthSpan     = span{lo: 0, hi: MaxWidth, unit: "m"}
	lambdaSpan    = span{lo: 0, hi: MaxLambda}
	parabolaSpan  = span{lo: MinParabolaP, hi: MaxParabolaP, unit: "m⁻¹", zero: true, zeroIs: "where no point is parabolic"}
	thicknessSpan = span{lo: 0, hi: MaxThickness, unit: "m"}
	thresholdSpan = span{lo: 0, hi: MaxLengthThreshold, unit: "m"}
	gradientSpan  = span{lo: 0, hi: MaxGradient, open: true, unit: "mm w.e. m⁻¹ yr⁻¹"}
	capSpan       = span{lo: 0, hi: MaxBalanceMagnitude, open: true, zero: true, zeroIs: "no cap", unit: "m w.e. yr⁻¹"}
	balanceSpan   = span{lo: -MaxBalanceMagnitude, hi: MaxBalanceMagnitude, unit: "m w.e. yr⁻¹"}
	tempBiasSpan  = span{lo: -MaxTempBias, hi: MaxTempBias, unit: "K"}
	glenNSpan     = span{lo: MinGlenN, hi: MaxGlenN}
	rhoSpan       = span{lo: MinRho, hi: MaxRho, unit: "kg m⁻³"}
	gSpan         = span{lo: MinG, hi: MaxG, unit: "m s⁻²"}
	cflSpan       = span{lo: 0, hi: MaxCFL, open: true, zero: true, zeroIs: "the solver's default"}
	yearSpan      = span{lo: -MaxYear, hi: MaxYear, unit: "years"}
	rampSpan      = span{lo: 0, hi: MaxRunYears, unit: "years"}
)
