package glacier

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"

	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/massbalance"
)

// MBOptions choose the mass-balance calibration of [Calibrate].
type MBOptions struct {
	// Climate is the glacier's monthly climate at its reference height.
	Climate *climate.Monthly
	// Params are the temperature-index model's starting parameters (the
	// zero value: OGGM's defaults, [massbalance.DefaultTIParams]).
	Params *massbalance.TIParams
	// FirstMonth starts the mass-balance year (0: 10, October, the WGMS
	// year of the Alps, when Observations are given; else 1, January).
	FirstMonth int
	// Observations are glaciological balances (WGMS). The calibration
	// matches their mean over FirstYear–LastYear; the observed years of
	// the climate outside that period verify it.
	Observations []massbalance.Observation
	// Geodetic, with no Observations, is a geodetic mean specific balance,
	// m w.e. per year, over FirstYear–LastYear (both required).
	Geodetic float64
	// FirstYear and LastYear bound the calibration period, inclusive. With
	// observations and both 0: the later half of the observed years that
	// the climate covers (the earlier half verifies).
	FirstYear, LastYear int
	// Bounds (zero value: [massbalance.DefaultBounds]).
	Bounds *massbalance.Bounds
}

// Calibration is how a glacier's mass balance was calibrated.
type Calibration struct {
	massbalance.ThreeStep
	// Method is "wgms" or "geodetic".
	Method string
	// FirstMonth starts the mass-balance years.
	FirstMonth int
	// ApparentResidual is the residual that made the apparent balance's
	// glacier-wide total zero, m ice s⁻¹ ([ApparentBalance]).
	ApparentResidual float64
	// Verification compares the calibrated model with the observed years
	// outside the calibration period (nil without observations there, or
	// fewer than 3).
	Verification *massbalance.Verification
}

// FlowlineHypsometry returns the flowline's heights as a hypsometry: each
// point a band at its surface height, weighted by its area wᵢ·Δx, as
// OGGM's get_specific_mb weighs the flowline's points.
func FlowlineHypsometry(fl *Flowline) massbalance.Hypsometry {
	w := append([]float64(nil), fl.Width...)
	floats.Scale(1/floats.Sum(w), w)
	return massbalance.Hypsometry{Name: fl.ID, Elevation: append([]float64(nil), fl.Surface...), Weight: w, Area: fl.Area()}
}

// Calibrate calibrates the monthly temperature-index model of opt on the
// flowline's heights and widths ([FlowlineHypsometry]) with
// [massbalance.CalibrateWGMS] (OGGM's mb_calibration_from_wgms_mb) or
// [massbalance.CalibrateGeodetic]: the melt factor, then the
// precipitation factor, then the temperature bias. It returns the
// calibrated model and the calibration, verified on the observed years
// outside the period when there are 3 or more.
func Calibrate(fl *Flowline, opt MBOptions) (massbalance.MonthlyTI, *Calibration, error) {
	if opt.Climate == nil {
		return massbalance.MonthlyTI{}, nil, errors.New("mass-balance calibration of " + fl.ID + ": no climate")
	}
	m := massbalance.NewMonthlyTI(opt.Climate)
	if opt.Params != nil {
		m.TIParams = *opt.Params
	}
	b := massbalance.DefaultBounds()
	if opt.Bounds != nil {
		b = *opt.Bounds
	}
	h := FlowlineHypsometry(fl)
	cal := &Calibration{}
	switch {
	case len(opt.Observations) > 0:
		cal.Method = "wgms"
		m.FirstMonth = 10
		if opt.FirstMonth != 0 {
			m.FirstMonth = opt.FirstMonth
		}
		first, last := opt.FirstYear, opt.LastYear
		if first == 0 && last == 0 {
			var err error
			if first, last, err = laterHalf(opt.Observations, opt.Climate, m.FirstMonth); err != nil {
				return m, nil, fmt.Errorf("mass-balance calibration of %s: %w", fl.ID, err)
			}
		}
		c, err := massbalance.CalibrateWGMS(m, h, opt.Observations, first, last, b)
		if err != nil {
			return m, nil, err
		}
		cal.ThreeStep = c
		m = c.Apply(m)
		if v, ok := verifyOutside(m, h, opt.Observations, opt.Climate, first, last); ok {
			cal.Verification = &v
		}
	case opt.FirstYear != 0 || opt.LastYear != 0:
		cal.Method = "geodetic"
		m.FirstMonth = max(opt.FirstMonth, 1)
		if _, err := m.Constant(opt.FirstYear, opt.LastYear); err != nil {
			return m, nil, fmt.Errorf("mass-balance calibration of %s, period %d–%d: %w", fl.ID, opt.FirstYear, opt.LastYear, err)
		}
		c, err := massbalance.CalibrateGeodetic(m, h, opt.Geodetic, opt.FirstYear, opt.LastYear, b)
		if err != nil {
			return m, nil, err
		}
		cal.ThreeStep = c
		m = c.Apply(m)
	default:
		return m, nil, fmt.Errorf("mass-balance calibration of %s: no observations and no geodetic period (FirstYear, LastYear)", fl.ID)
	}
	cal.FirstMonth = m.FirstMonth
	return m, cal, nil
}

// observedYears returns the observed years whose mass-balance year the
// climate holds, in order.
func observedYears(obs []massbalance.Observation, c *climate.Monthly, firstMonth int) []int {
	var ys []int
	for _, o := range obs {
		if math.IsNaN(o.Annual) {
			continue
		}
		if _, err := c.YearStart(o.Year, firstMonth); err == nil {
			ys = append(ys, o.Year)
		}
	}
	sort.Ints(ys)
	return ys
}

// laterHalf returns the later half of the observed years the climate
// covers: the default calibration period.
func laterHalf(obs []massbalance.Observation, c *climate.Monthly, firstMonth int) (first, last int, err error) {
	ys := observedYears(obs, c, firstMonth)
	if len(ys) == 0 {
		first, last, _ := c.YearRange(firstMonth)
		return 0, 0, fmt.Errorf("no observed year in the climate %s (mass-balance years %d–%d)", c.Name, first, last)
	}
	return ys[len(ys)/2], ys[len(ys)-1], nil
}

// verifyOutside compares m with the observed years the climate covers
// outside first–last.
func verifyOutside(m massbalance.MonthlyTI, h massbalance.Hypsometry, obs []massbalance.Observation, c *climate.Monthly, first, last int) (massbalance.Verification, bool) {
	var out []massbalance.Observation
	ys := observedYears(obs, c, m.FirstMonth)
	for _, o := range obs {
		if (o.Year < first || o.Year > last) && !math.IsNaN(o.Annual) && len(ys) > 0 && o.Year >= ys[0] && o.Year <= ys[len(ys)-1] {
			out = append(out, o)
		}
	}
	if len(out) < 3 {
		return massbalance.Verification{}, false
	}
	v, err := massbalance.Verify(m, h, out, out[0].Year, out[len(out)-1].Year)
	return v, err == nil
}
