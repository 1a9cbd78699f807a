package dynamics

import (
	"context"
	"math"
	"testing"

	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// TestSemiImplicitJacobian checks the Jacobian of the semi-implicit
// solver's own steps (jacobianEdges: ∂φ_k/∂H_{k−1} in jacUp and −∂φ_k/∂H_k
// in jacDown, from which solveROS3's matrix is made, with λ_i·m_i on its
// diagonal) against central differences of the fluxes φ, on glaciers of both shapes the solver takes
// grown for 300 years (n = 3 with and without sliding, and n = 4, the
// general power law). ROS3 is third order only with the exact Jacobian
// (see stepSemiImplicit): with the top widths' growth with H left out,
// the trapezoid fails here by up to 1 %. Bare points are left
// out: their surface stays on the bed (a zero column by design).
func TestSemiImplicitJacobian(t *testing.T) {
	type glacier struct {
		name  string
		build func() (*geometry.Glacier, massbalance.Model, Params)
	}
	var cases []glacier
	for _, tag := range []string{"rect_ela2600", "rect_ela2600_fs5.7e-20", "trapezoid_ela2800", "bumpy_ela2600"} {
		cases = append(cases, glacier{tag, caseByTag(t, tag).build})
	}
	cases = append(cases, glacier{"trapezoid_ela2800/n=4", func() (*geometry.Glacier, massbalance.Model, Params) {
		g, mb, p := caseByTag(t, "trapezoid_ela2800").build()
		p.GlenN, p.GlenA, p.SlidingFs = 4, 1e-31, 1e-25
		return g, mb, p
	}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, mb, p := c.build()
			p.Solver = SemiImplicit
			m, err := NewModel(g, mb, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.RunUntil(context.Background(), 300); err != nil {
				t.Fatal(err)
			}
			if err := m.updateMassBalance(); err != nil {
				t.Fatal(err)
			}
			l := &m.lines[0]
			a, b, _ := l.hull()
			m.jacobianEdges(l, a, b, false)
			up, down := append([]float64(nil), l.jacUp...), append([]float64(nil), l.jacDown...)
			trapezoid := false
			for _, v := range l.lambda {
				trapezoid = trapezoid || v != 0
			}
			if (c.name[:4] == "trap") != trapezoid {
				t.Fatalf("case %s: trapezoid %v", c.name, trapezoid)
			}
			// fluxesWith returns the fluxes φ after the thickness of
			// point j is changed by dh.
			fluxesWith := func(j int, dh float64) []float64 {
				c := m.Clone()
				cl := &c.lines[0]
				hj := cl.thick[j] + dh
				cl.thick[j], cl.surface[j] = hj, cl.fl.Bed[j]+hj
				cl.width[j] = cl.fl.Width[j] + cl.lambda[j]*hj
				c.jacobianEdges(cl, a, b, false)
				return cl.phi
			}
			scale := 0.0
			for k := a; k <= b+1; k++ {
				scale = max(scale, math.Abs(up[k]), math.Abs(down[k]))
			}
			checked, worst := 0, 0.0
			check := func(what string, j int, fd, got float64) {
				t.Helper()
				checked++
				d := math.Abs(fd-got) / max(math.Abs(fd), 1e-9*scale)
				worst = max(worst, d)
				if d > 1e-6 {
					t.Errorf("%s at point %d: %.10g, central differences %.10g (%.2e)", what, j, got, fd, d)
				}
			}
			for j := a; j <= b; j++ {
				if l.thick[j] == 0 {
					continue
				}
				eps := 1e-6 * l.thick[j]
				plus, minus := fluxesWith(j, eps), fluxesWith(j, -eps)
				d := func(k int) float64 { return (plus[k] - minus[k]) / (2 * eps) }
				if j > a {
					check("∂φ_j/∂H_j", j, d(j), -down[j])
				}
				if j < b {
					check("∂φ_{j+1}/∂H_j", j, d(j+1), up[j+1])
				}
			}
			if checked < (b-a)/2 {
				t.Errorf("only %d derivatives checked over points %d … %d", checked, a, b)
			}
			t.Logf("%d derivatives over points %d … %d: worst relative difference %.2e", checked, a, b, worst)
		})
	}
}

// TestROS3Weights checks the constants derived from ROS3's coefficients:
// the mass-balance weights at the start and at the stage sum to 1 (a
// constant rate is integrated exactly), and the method reproduces the
// Taylor series of y′ = λy to third order (its stability function R(z) =
// 1 + z + z²/2 + z³/6 + O(z⁴)) and damps the stiff limit (R(∞) = 0,
// L-stability).
func TestROS3Weights(t *testing.T) {
	if d := ros3StartWeight + ros3StageWeight - 1; math.Abs(d) > 1e-15 {
		t.Errorf("the weights %v and %v sum to 1%+.2e", ros3StartWeight, ros3StageWeight, d)
	}
	// One step of the transformed form on y′ = λy with Δt·λ = z, y = 1.
	step := func(z float64) float64 {
		g := ros3Gamma
		d := 1 - g*z
		u1 := g * z / d
		u2 := (g*z*(1+u1) + ros3GC21*u1) / d
		u3 := (g*z*(1+u1) + ros3GC31*u1 + ros3GC32*u2) / d
		return 1 + ros3M1*u1 + ros3M2*u2 + ros3M3*u3
	}
	for _, z := range []float64{-1e-2, -2e-2, -4e-2} {
		taylor := 1 + z + z*z/2 + z*z*z/6
		// The fourth-order remainder: |R − Taylor| ≲ |z|⁴.
		if d := math.Abs(step(z) - taylor); d > math.Pow(math.Abs(z), 4) {
			t.Errorf("z = %g: R(z) = %.15g, the Taylor series to third order %.15g (%.2e)", z, step(z), taylor, d)
		}
	}
	if r := step(-1e12); math.Abs(r) > 1e-9 {
		t.Errorf("R(−∞) = %.3g, not 0: ROS3 is L-stable", r)
	}
}
