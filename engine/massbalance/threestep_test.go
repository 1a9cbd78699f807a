package massbalance

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestCalibrateThreeStep calibrates Hintereisferner's temperature-index
// model (HISTALP, RGI 5 hypsometry, WGMS years from October) to targets
// that each step of OGGM's order must reach: the observed mean with the
// melt factor alone, a strongly positive balance that the melt factor
// cannot reach within its bounds (the precipitation factor then does), a
// balance too negative for both (the temperature bias then does), and
// one beyond every bound. Each result is checked by running the model
// with the calibrated parameters.
func TestCalibrateThreeStep(t *testing.T) {
	h, obs := hefData(t)
	ti := NewMonthlyTI(hefClimate(t))
	ti.FirstMonth = 10
	years, observed, err := observedIn(obs, 1980, 2003)
	if err != nil {
		t.Fatal(err)
	}
	var wgms float64
	for _, b := range observed {
		wgms += b / float64(len(observed))
	}
	tests := []struct {
		name   string
		target float64
		steps  []string
		fail   string
	}{
		{"WGMS mean 1980–2003", wgms, []string{"melt_f"}, ""},
		{"positive", 2.5, []string{"melt_f", "prcp_fac"}, ""},
		{"very negative", -12, []string{"melt_f", "prcp_fac", "temp_bias"}, ""},
		{"impossible", -500, nil, "no parameters within the bounds match the target -500.000"},
	}
	for _, tc := range tests {
		c, err := CalibrateThreeStep(ti, h, years, tc.target, DefaultBounds())
		if tc.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tc.fail) || !strings.Contains(err.Error(), "RGI50-11.00897") {
				t.Errorf("%s: error %v, want one naming the glacier and %q", tc.name, err, tc.fail)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(c.Steps, tc.steps) {
			t.Errorf("%s: steps %v, want %v", tc.name, c.Steps, tc.steps)
		}
		// Run the calibrated model independently of the calibration.
		m := c.Apply(ti)
		var sum float64
		for _, y := range years {
			b, err := SpecificBalance(m, h, float64(y))
			if err != nil {
				t.Fatal(err)
			}
			sum += b
		}
		got := sum / float64(len(years))
		if math.Abs(got-tc.target) > 1e-6 || math.Abs(c.Residual) > 1e-6 || math.Abs(c.Modelled-got) > 1e-9 {
			t.Errorf("%s: calibrated model gives %.6f m w.e./yr (reported %.6f, residual %g), want %.6f", tc.name, got, c.Modelled, c.Residual, tc.target)
		}
		b := DefaultBounds()
		in := func(x, lo, hi float64) bool { return x >= lo && x <= hi }
		if !in(c.MeltFactor, b.MeltFactorMin, b.MeltFactorMax) || !in(c.PrcpFactor, b.PrcpFactorMin, b.PrcpFactorMax) || !in(c.TempBias, b.TempBiasMin, b.TempBiasMax) {
			t.Errorf("%s: parameters out of bounds: %v", tc.name, c)
		}
		// A parameter left at a bound is the one that came closer.
		switch len(tc.steps) {
		case 2:
			if c.MeltFactor != b.MeltFactorMin || c.TempBias != 0 {
				t.Errorf("%s: melt factor %g (want its minimum %g), bias %g", tc.name, c.MeltFactor, b.MeltFactorMin, c.TempBias)
			}
		case 3:
			if c.MeltFactor != b.MeltFactorMax || c.PrcpFactor != b.PrcpFactorMin || !(c.TempBias > 0) {
				t.Errorf("%s: %v, want melt factor at its maximum, precipitation factor at its minimum and a warmer climate", tc.name, c)
			}
		}
		t.Logf("%s: %v, %d evaluations", tc.name, c, c.Evaluations)
	}
	// The WGMS entry point matches the first case.
	c, err := CalibrateWGMS(ti, h, obs, 1980, 2003, DefaultBounds())
	if err != nil || math.Abs(c.Target-wgms) > 1e-12 || len(c.Years) != len(years) || c.FirstYear != 1980 || c.LastYear != 2003 {
		t.Errorf("CalibrateWGMS: %v, %v", c, err)
	}
	// And the one melt factor agrees with CalibrateMeltFactor's.
	mf, err := CalibrateMeltFactor(ti, h, obs, 1980, 2003)
	if err != nil || math.Abs(mf.MeltFactor-c.MeltFactor) > 1e-6 {
		t.Errorf("CalibrateMeltFactor %v (%v), three-step %v", mf, err, c)
	}
	if _, err := CalibrateWGMS(ti, h, obs, 2030, 2040, DefaultBounds()); err == nil || !strings.Contains(err.Error(), "no observed annual balance in 2030–2040") {
		t.Errorf("no observations: %v", err)
	}
	if _, err := CalibrateGeodetic(ti, h, -1, 2000, 2020, DefaultBounds()); err == nil || !strings.Contains(err.Error(), "2004") {
		t.Errorf("climate ends in 2003: %v", err)
	}
}
