package massbalance

import (
	"math"
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
