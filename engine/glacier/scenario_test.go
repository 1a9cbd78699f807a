package glacier

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/constants"
	"github.com/firnglacier/firn/engine/massbalance"
)

// TestScenarios runs the calibrated Hintereisferner in each climate of a
// run: a warmer climate (constant +1, +2 °C, and a +2 °C ramp over 50
// years) loses more volume than a cooler one, the ramp less than the
// step; the random climate of a seed is the same run twice and another
// seed another run; the historical climate of 1978–2003 (the calibration
// period) changes the volume by what the calibrated balance's mean over
// those years says, within 0.1 m w.e./yr (the glacier's shape changes
// over the 26 years, and the calibrated mean is on its first shape).
func TestScenarios(t *testing.T) {
	o, d := hef(t)
	c, obs := hefMB(t)
	g, err := Prepare(o, d, Options{MassBalance: MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	end := func(s Scenario, years int) []float64 {
		t.Helper()
		h, _, err := g.Run(ctx, s, years)
		if err != nil {
			t.Fatal(err)
		}
		return h.Volume
	}
	base := Scenario{Climate: ClimateConstant, Y0: 1987, Halfsize: 15}
	warm1, warm2, ramp := base, base, base
	warm1.TempBias, warm2.TempBias = 1, 2
	ramp.TempBias, ramp.RampYears = 2, 50
	v0, v1, v2, vr := end(base, 100), end(warm1, 100), end(warm2, 100), end(ramp, 100)
	last := func(v []float64) float64 { return v[len(v)-1] }
	if !(last(v2) < last(v1) && last(v1) < last(v0)) {
		t.Errorf("after 100 years: %.4f km³ at +0 °C, %.4f at +1, %.4f at +2: want less ice where warmer", last(v0)/1e9, last(v1)/1e9, last(v2)/1e9)
	}
	if !(last(vr) > last(v2) && last(vr) < last(v0)) || vr[10] < v2[10] {
		t.Errorf("a ramp to +2 °C over 50 years: %.4f km³ (year 10 %.4f), a step %.4f (%.4f)", last(vr)/1e9, vr[10]/1e9, last(v2)/1e9, v2[10]/1e9)
	}
	t.Logf("100 years from %.4f km³: +0 °C %.4f, +1 °C %.4f, +2 °C %.4f, +2 °C over 50 years %.4f", v0[0]/1e9, last(v0)/1e9, last(v1)/1e9, last(v2)/1e9, last(vr)/1e9)

	rnd := Scenario{Climate: ClimateRandom, Y0: 1987, Halfsize: 15, Seed: 1}
	a, b := end(rnd, 100), end(rnd, 100)
	rnd.Seed = 2
	other := end(rnd, 100)
	if !slices.Equal(a, b) {
		t.Errorf("seed 1 twice: different runs (%.6g, %.6g km³)", last(a)/1e9, last(b)/1e9)
	}
	if slices.Equal(a, other) {
		t.Errorf("seeds 1 and 2 give the same run")
	}
	// Year-to-year variability: the random run is not the constant one.
	if slices.Equal(a, v0) {
		t.Errorf("the random climate is the constant one")
	}
	t.Logf("random 1972–2002: seed 1 %.4f km³, seed 2 %.4f km³", last(a)/1e9, last(other)/1e9)

	hist := Scenario{Climate: ClimateHistorical, Y0: 1978}
	h, m, err := g.Run(ctx, hist, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if h.Year[0] != 1978 || last(h.Year) != 2004 {
		t.Fatalf("historical run from %g to %g, want 1978 to the end of the record (2004, after mass-balance year 2003)", h.Year[0], last(h.Year))
	}
	years := len(h.Year) - 1
	var meanArea float64
	for _, a := range h.Area[:years] {
		meanArea += a / float64(years)
	}
	acc := m.Account()
	run := (last(h.Volume) - h.Volume[0]) * constants.RhoIce / constants.RhoWater / meanArea / float64(years)
	var cal float64
	hyps := FlowlineHypsometry(g.Flowline)
	for y := 1978; y <= 2003; y++ {
		b, err := massbalance.SpecificBalance(g.MB, hyps, float64(y))
		if err != nil {
			t.Fatal(err)
		}
		cal += b / float64(years)
	}
	if math.Abs(run-cal) > 0.1 {
		t.Errorf("historical 1978–2003: the run's mean balance %.3f m w.e./yr, the calibrated model's %.3f on the glacier of today (target %.3f)", run, cal, g.Calibration.Target)
	}
	t.Logf("historical 1978–2003: run %.3f m w.e./yr, calibrated model %.3f, WGMS target %.3f; %v", run, cal, g.Calibration.Target, acc)
}

// TestScenarioErrors: what cannot run says why, naming the glacier and
// the value.
func TestScenarioErrors(t *testing.T) {
	o, d := hef(t)
	c, obs := hefMB(t)
	g, err := Prepare(o, d, Options{MassBalance: MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		s    Scenario
		want string
	}{
		{Scenario{Climate: "warm", Y0: 1987}, `"warm" (want constant, random, historical or linear)`},
		{Scenario{Climate: ClimateLinear, Gradient: -1}, "gradient -1 mm w.e./m"},
		{Scenario{Climate: ClimateLinear, TempBias: math.Inf(1)}, "linear climate for RGI60-11.00897: temperature bias +Inf"},
		{Scenario{Climate: ClimateRandom, Y0: 2100, Halfsize: 5}, "random climate for RGI60-11.00897, years 2095–2105"},
		{Scenario{Climate: ClimateHistorical, Y0: 1700}, "year 1700 is not in"},
		{Scenario{Y0: 1987, TempBias: math.NaN()}, "temperature bias NaN"},
		{Scenario{Y0: 1987, TempBias: 1, RampYears: -1}, "ramp ≥ 0"},
	} {
		_, _, err := g.Run(context.Background(), tc.s, 10)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.s, err, tc.want)
		}
	}
}

// TestLinearClimate runs a glacier prepared without a climate (OGGM's
// linear apparent balance, South Glacier's case) in the linear climate:
// at the glacier's own ELA it stays within 2 % of its volume over 100
// years (the inversion assumed this balance in steady state); +1 °C
// (the ELA 150 m higher) loses more, a ramp to +1 °C over 50 years less
// than the step but more than none; and the ramp's ELA is where the
// model's balance is zero: 75 m up in year 25, 150 m from year 50 on.
func TestLinearClimate(t *testing.T) {
	o, d := hef(t)
	g, err := Prepare(o, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g.MB != nil {
		t.Fatal("prepared without a climate, the glacier has a temperature-index model")
	}
	ctx := context.Background()
	run := func(s Scenario) []float64 {
		t.Helper()
		h, _, err := g.Run(ctx, s, 100)
		if err != nil {
			t.Fatal(err)
		}
		return h.Volume
	}
	base := Scenario{Climate: ClimateLinear}
	warm, ramp := base, base
	warm.TempBias = 1
	ramp.TempBias, ramp.RampYears = 1, 50
	v0, v1, vr := run(base), run(warm), run(ramp)
	last := func(v []float64) float64 { return v[len(v)-1] }
	if d := last(v0)/v0[0] - 1; math.Abs(d) > 0.02 {
		t.Errorf("at its own ELA the volume changes by %.2f %% in 100 years, want within 2 %%", 100*d)
	}
	if !(last(v1) < last(vr) && last(vr) < last(v0)) {
		t.Errorf("after 100 years: %.4f km³ at +0 °C, %.4f with a ramp to +1 °C, %.4f at +1 °C", last(v0)/1e9, last(vr)/1e9, last(v1)/1e9)
	}
	t.Logf("linear climate, 100 years from %.4f km³: +0 °C %.4f, +1 °C over 50 years %.4f, +1 °C %.4f", v0[0]/1e9, last(v0)/1e9, last(vr)/1e9, last(v1)/1e9)

	mb, _, _, err := g.MassBalance(ramp)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ year, rise float64 }{{0, 0}, {25, 75}, {49, 147}, {50, 150}, {51, 150}, {1000, 150}} {
		b := mb.(massbalance.Linear).Balance(c.year, g.ELA+c.rise)
		if math.Abs(b) > 1e-12 {
			t.Errorf("year %g: balance %g m w.e./yr at the ELA + %g m, want 0 there", c.year, b, c.rise)
		}
	}
}
