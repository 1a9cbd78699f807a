package massbalance

import (
	"math"
	"strings"
	"testing"
)

func TestModels(t *testing.T) {
	z := []float64{1000, 2600, 3200}
	const yr = 365 * 24 * 3600.0
	// 3 mm w.e./m → 1/300 m ice per m per year (ρw/ρi = 1000/900).
	tests := []struct {
		name  string
		model Model
		want  []float64 // m ice per year
	}{
		{"linear", Linear{ELA: 2600, Gradient: 3}, []float64{-1600.0 / 300, 0, 600.0 / 300}},
		{"linear capped", Linear{ELA: 2600, Gradient: 3, MaxBalance: 0.9}, []float64{-1600.0 / 300, 0, 1}},
		{"constant", Constant{Balance: -0.9}, []float64{-1, -1, -1}},
		{"biased", Biased{Model: Linear{ELA: 2600, Gradient: 3}, Bias: 0.9}, []float64{-1600.0/300 + 1, 1, 600.0/300 + 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mb := make([]float64, len(z))
			if err := tc.model.AnnualBalance(0, z, mb); err != nil {
				t.Fatal(err)
			}
			for i := range z {
				if got := mb[i] * yr; math.Abs(got-tc.want[i]) > 1e-12 {
					t.Errorf("z=%g: got %.15g m ice/yr, want %.15g", z[i], got, tc.want[i])
				}
			}
		})
	}
}

func TestBiasedWithoutModel(t *testing.T) {
	if err := (Biased{Bias: 1}).AnnualBalance(0, []float64{1}, []float64{0}); err == nil {
		t.Fatal("a Biased with no model must fail")
	}
}

func BenchmarkLinear(b *testing.B) {
	z := make([]float64, 200)
	mb := make([]float64, 200)
	for i := range z {
		z[i] = 3000 - 10*float64(i)
	}
	m := Linear{ELA: 2600, Gradient: 3}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.AnnualBalance(0, z, mb)
	}
}

// TestBreakpoints: a profile of several gradients is the integral of the
// gradient from the ELA, worked out by hand: ELA 2800 m, 2 mm w.e./m
// above 3000 m, 5 between 3000 and 2500 m, 10 below 2500 m.
func TestBreakpoints(t *testing.T) {
	l := Linear{ELA: 2800, Breakpoints: []float64{3000, 2500}, Gradients: []float64{2, 5, 10}}
	for _, tc := range []struct {
		name    string
		l       Linear
		year, z float64
		want    float64 // m w.e./yr
	}{
		{"at the ELA", l, 0, 2800, 0},
		{"in the middle band", l, 0, 2600, -1.0},
		{"at the upper breakpoint", l, 0, 3000, 1.0},
		{"in the top band", l, 0, 3200, 1.0 + 0.4},
		{"at the lower breakpoint", l, 0, 2500, -1.5},
		{"in the bottom band", l, 0, 2300, -1.5 - 2.0},
		{"ELA in the top band (+2 K: 3100 m)", Linear{ELA: 2800, TempBias: 2, Breakpoints: []float64{3000, 2500}, Gradients: []float64{2, 5, 10}}, 0, 2600, -0.2 - 2.0},
		{"capped", Linear{ELA: 2800, MaxBalance: 1.2, Breakpoints: []float64{3000, 2500}, Gradients: []float64{2, 5, 10}}, 0, 3200, 1.2},
		{"one breakpoint at the ELA is WithGradients", Linear{ELA: 2800, Breakpoints: []float64{2800}, Gradients: []float64{2, 7}}, 0, 2500, Linear{ELA: 2800, Gradient: 7, GradientAbove: 2}.Balance(0, 2500)},
	} {
		if got := tc.l.Balance(tc.year, tc.z); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: b(%g m) = %.15g m w.e./yr, want %g", tc.name, tc.z, got, tc.want)
		}
		mb := []float64{0}
		if err := tc.l.AnnualBalance(tc.year, []float64{tc.z}, mb); err != nil {
			t.Fatal(err)
		}
		if got := mb[0] / WEPerYearToIcePerSecond; math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: AnnualBalance(%g m) = %.15g m w.e./yr, want %g", tc.name, tc.z, got, tc.want)
		}
	}
	for _, tc := range []struct {
		l    Linear
		want string
	}{
		{Linear{ELA: 2800, Breakpoints: []float64{3000}, Gradients: []float64{2}}, "1 gradients for 1 breakpoints"},
		{Linear{ELA: 2800, Breakpoints: []float64{2500, 3000}, Gradients: []float64{2, 5, 10}}, "breakpoint 1 (3000 m) is not below breakpoint 0 (2500 m)"},
		{Linear{ELA: 2800, Breakpoints: []float64{3000}, Gradients: []float64{2, math.NaN()}}, "gradient 1 is NaN"},
	} {
		err := tc.l.AnnualBalance(0, []float64{2800}, []float64{0})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.l.Breakpoints, err, tc.want)
		}
		if !math.IsNaN(tc.l.Balance(0, 2800)) {
			t.Errorf("%v: Balance of a bad profile is not NaN", tc.l.Breakpoints)
		}
	}
}

func BenchmarkLinearBreakpoints(b *testing.B) {
	z := make([]float64, 200)
	mb := make([]float64, 200)
	for i := range z {
		z[i] = 3000 - 10*float64(i)
	}
	m := Linear{ELA: 2600, Breakpoints: []float64{2800, 2200}, Gradients: []float64{2, 5, 10}}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.AnnualBalance(0, z, mb)
	}
}
