package dynamics

import (
	"context"
	"errors"
	"math"
	"regexp"
	"testing"

	"github.com/firnglacier/firn/engine/massbalance"
)

// infiniteBalance gives +Inf (m ice s⁻¹) from a year on, a finite linear
// balance before.
type infiniteBalance struct{ from float64 }

func (b infiniteBalance) AnnualBalance(year float64, z, mb []float64) error {
	if err := (massbalance.Linear{ELA: 2600, Gradient: 3}).AnnualBalance(year, z, mb); err != nil {
		return err
	}
	if year >= b.from {
		mb[len(mb)/3] = math.Inf(1)
	}
	return nil
}

// A run whose state leaves the finite numbers stops with an error that
// names the model year, the quantity, the point and the flowline, instead
// of running on with NaN (before: "mass balance … is NaN", a year later
// and about the wrong quantity) or writing +Inf diagnostics.
func TestStateStaysFinite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		solver Solver
		set    func(p *Params)
		mb     massbalance.Model
		want   string // a regular expression
	}{
		{"soft ice, flux-based", FluxBased, func(p *Params) { p.GlenA = 1e300 }, nil,
			`^year \d+(\.\d+)?: ice (thickness|velocity) is not finite (at point \d+|between points \d+ and \d+) of flowline main \(`},
		{"soft ice, semi-implicit", SemiImplicit, func(p *Params) { p.GlenA = 1e300 }, nil,
			`^year \d+(\.\d+)?: ice (thickness|velocity) is not finite (at point \d+|between points \d+ and \d+) of flowline main \(`},
		{"fast sliding, n = 4", FluxBased, func(p *Params) { p.GlenN, p.SlidingFs = 4, 1e300 }, nil,
			`^year \d+(\.\d+)?: ice (thickness|velocity) is not finite`},
		{"an infinite mass balance", FluxBased, nil, infiniteBalance{from: 3},
			`^year 3: mass balance is not finite \(\+Inf m ice s⁻¹\) at point 66 of flowline main: the model state is not finite$`},
		// NaN with the flux-based solver's own (ROS2) steps: the solve
		// meets ∞ − ∞; +Inf with explicit steps.
		{"a huge mass balance", FluxBased, nil, massbalance.Constant{Balance: 1e308},
			`^year \d+(\.\d+)?: ice thickness is not finite at point \d+ of flowline main \((\+Inf|NaN) m; the ice grew or flowed without bound: check glen_a, sliding_fs and the mass balance\): the model state is not finite$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, mb, p := caseByTag(t, "rect_ela2600").build()
			p.Solver = tc.solver
			if tc.set != nil {
				tc.set(&p)
			}
			if tc.mb != nil {
				mb = tc.mb
			}
			m, err := NewModel(g, mb, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			h, err := m.Run(context.Background(), RunOptions{EndYear: 20})
			if !errors.Is(err, ErrNotFinite) {
				t.Fatalf("got %v, want an error wrapping ErrNotFinite", err)
			}
			if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
			for i, v := range h.Volume {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("record %d (year %g) has volume %g", i, h.Year[i], v)
				}
			}
		})
	}
}

// TestFirstNotFinite: the index of the first NaN or infinity, wherever it
// falls in the groups of four that firstNotFinite checks at once.
func TestFirstNotFinite(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 8, 11} {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i) - 3.5
		}
		if got := firstNotFinite(v); got != -1 {
			t.Errorf("%d finite values: %d, want -1", n, got)
		}
		for j := range n {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				w := append([]float64(nil), v...)
				w[j] = bad
				if j+1 < n {
					w[n-1] = math.NaN() // a later one must not win
				}
				if got := firstNotFinite(w); got != j {
					t.Errorf("%v at %d of %d: %d", bad, j, n, got)
				}
			}
		}
	}
}
