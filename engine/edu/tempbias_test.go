package edu

import (
	"math"
	"testing"
)

// TestAddTempBias: a ramp is 0 in its first year, reaches the bias after
// its duration and holds it; ramps, steps and a series add up; a
// duration of 0 is a step; and a glacier under a +1 K ramp over 100
// years keeps more ice 50 years in than under a +1 K step, and less than
// without warming, and is the same glacier before the ramp.
func TestAddTempBias(t *testing.T) {
	for _, tc := range []struct {
		name string
		mb   *MassBalance
		want map[float64]float64 // year → ΔT, K
	}{
		{"ramp", NewMassBalance(3000, 4).AddTempBias(10, 2, 4), map[float64]float64{9: 0, 10: 0, 11: 0.5, 12.9: 1, 13: 1.5, 14: 2, 500: 2}},
		{"ramp of a fractional duration", NewMassBalance(3000, 4).AddTempBias(0, 1, 2.5), map[float64]float64{0: 0, 1: 0.4, 2: 0.8, 3: 1, 10: 1}},
		{"cooling", NewMassBalance(3000, 4).AddTempBias(0, -1, 2), map[float64]float64{1: -0.5, 2: -1}},
		{"duration 0 is a step", NewMassBalance(3000, 4).AddTempBias(5, 1, 0), map[float64]float64{4: 0, 5: 1}},
		{"ramp, step and series add up", NewMassBalance(3000, 4).SetTempBiasSeries(0, []float64{0.1, 0.1, 0.1}).AddTempBiasStep(1, 1).AddTempBias(2, 2, 2),
			map[float64]float64{0: 0.1, 1: 1.1, 2: 1.1, 3: 2, 4: 3, 9: 3}},
	} {
		for year, want := range tc.want {
			if got := tc.mb.TempBiasAt(year); math.Abs(got-want) > 1e-12 {
				t.Errorf("%s: ΔT in year %g is %g K, want %g", tc.name, year, got, want)
			}
		}
	}
	bed := NewBed(3400, 1400, 300)
	run := func(mb *MassBalance) []float64 {
		g := NewGlacier(bed, mb)
		if err := g.ProgressToYear(400); err != nil {
			t.Fatal(err)
		}
		return g.History().Volume
	}
	base := run(NewMassBalance(3000, 4))
	step := run(NewMassBalance(3000, 4).AddTempBiasStep(200, 1))
	ramp := run(NewMassBalance(3000, 4).AddTempBias(200, 1, 100))
	if !(ramp[250] > step[250] && ramp[250] < base[250]) {
		t.Errorf("year 250: %.4g m³ with the ramp, %.4g with the step, %.4g without", ramp[250], step[250], base[250])
	}
	if ramp[199] != base[199] {
		t.Errorf("before the ramp the runs differ: %g vs %g m³", ramp[199], base[199])
	}
}
