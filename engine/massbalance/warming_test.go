package massbalance

import (
	"math"
	"strings"
	"testing"
)

// TestWarming checks the temperature bias on each temperature-index model:
// the warmed balance is the balance of the model with that much more
// TempBias, the ramp reaches its bias at its end and holds it, a warmer
// climate gives a lower balance everywhere, and a model that is not a
// temperature-index one is refused with its type named.
func TestWarming(t *testing.T) {
	c := hefClimate(t)
	m := NewMonthlyTI(c)
	m.FirstMonth = 10
	cst, err := m.Constant(1972, 2002)
	if err != nil {
		t.Fatal(err)
	}
	rnd, err := m.Random(1972, 2002, 7)
	if err != nil {
		t.Fatal(err)
	}
	z := []float64{2500, 2900, 3300, 3700}
	biased := func(mod Model, dt float64) Model {
		switch v := mod.(type) {
		case MonthlyTI:
			v.TempBias += dt
			return v
		case ConstantTI:
			v.TempBias += dt
			return v
		case RandomTI:
			v.TempBias += dt
			return v
		}
		return nil
	}
	for _, tc := range []struct {
		name  string
		model Model
		year  float64 // the ramp's start
	}{{"historical", m, 1950}, {"constant", cst, 0}, {"random", rnd, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range []struct {
				warming Warming
				year    float64
				dt      float64
			}{
				{Warming{Model: tc.model, Bias: 1}, tc.year + 3, 1},
				{Warming{Model: tc.model, Bias: 2, StartYear: tc.year, RampYears: 40}, tc.year, 0},
				{Warming{Model: tc.model, Bias: 2, StartYear: tc.year, RampYears: 40}, tc.year + 10.5, 0.5},
				{Warming{Model: tc.model, Bias: 2, StartYear: tc.year, RampYears: 40}, tc.year + 40, 2},
				{Warming{Model: tc.model, Bias: 2, StartYear: tc.year, RampYears: 40}, tc.year + 50, 2},
			} {
				if got := w.warming.BiasAt(w.year); math.Abs(got-w.dt) > 1e-12 {
					t.Errorf("%v: ΔT(%g) = %g K, want %g", w.warming, w.year, got, w.dt)
				}
				got, want := make([]float64, len(z)), make([]float64, len(z))
				if err := w.warming.AnnualBalanceWE(w.year, z, got); err != nil {
					t.Fatal(err)
				}
				if err := biased(tc.model, w.dt).(weModel).AnnualBalanceWE(w.year, z, want); err != nil {
					t.Fatal(err)
				}
				for i := range z {
					if math.Abs(got[i]-want[i]) > 1e-12 {
						t.Errorf("%v, year %g, %g m: %g m w.e., want %g", w.warming, w.year, z[i], got[i], want[i])
					}
				}
			}
			cold, warm := make([]float64, len(z)), make([]float64, len(z))
			_ = tc.model.AnnualBalance(tc.year+3, z, cold)
			if err := (Warming{Model: tc.model, Bias: 1}).AnnualBalance(tc.year+3, z, warm); err != nil {
				t.Fatal(err)
			}
			for i := range z {
				if !(warm[i] < cold[i]) {
					t.Errorf("at %g m +1 K gives %g m ice/s, no warming %g", z[i], warm[i], cold[i])
				}
			}
		})
	}
	err = Warming{Model: Linear{ELA: 3000, Gradient: 3}, Bias: 1}.AnnualBalance(0, z, make([]float64, len(z)))
	if err == nil || !strings.Contains(err.Error(), "massbalance.Linear is not a temperature-index model") {
		t.Errorf("warming a linear model: %v", err)
	}
	err = Warming{Model: m, Bias: 1, RampYears: -3}.AnnualBalance(1980, z, make([]float64, len(z)))
	if err == nil || !strings.Contains(err.Error(), "ramp") {
		t.Errorf("a negative ramp: %v", err)
	}
}

func BenchmarkWarming(b *testing.B) {
	c := hefClimate(b)
	m, _ := NewMonthlyTI(c).Constant(1972, 2002)
	w := Warming{Model: m, Bias: 1, RampYears: 50}
	z := make([]float64, 60)
	for i := range z {
		z[i] = 2400 + 20*float64(i)
	}
	mb := make([]float64, len(z))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.AnnualBalance(30, z, mb); err != nil {
			b.Fatal(err)
		}
	}
}
