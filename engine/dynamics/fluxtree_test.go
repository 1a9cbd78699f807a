package dynamics

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// nestedGlacier is TestMixedBedAndNestedTributaries' glacier: a main line
// of rectangular, trapezoidal and parabolic points, a trapezoidal
// tributary, and a parabolic one flowing into that tributary.
func nestedGlacier(t testing.TB) (*geometry.Glacier, massbalance.Model, Params) {
	main := geometry.NewFlowline("main", 100, linearBed(200))
	for i := range main.Shapes {
		switch {
		case i < 60:
			main.Shapes[i], main.Width[i] = geometry.Rectangular, 300
		case i < 120:
			main.Shapes[i], main.Width[i], main.Lambda[i] = geometry.Trapezoidal, 150, 1.5
		default:
			main.Shapes[i], main.ParabolaP[i] = geometry.Parabolic, 4e-3
		}
	}
	trib := geometry.NewFlowline("trib", 100, linearBed(200)[5:35])
	trib.SetTrapezoidal(100, 1)
	trib.FlowsTo = &geometry.Junction{Line: "main", Point: 40}
	high := geometry.NewFlowline("high", 100, linearBed(200)[:15])
	for i := range high.Bed {
		high.Bed[i] += 60
	}
	high.SetParabolic(6e-3)
	high.FlowsTo = &geometry.Junction{Line: "trib", Point: 20}
	return mustGlacier(t, high, main, trib), massbalance.Linear{ELA: 2700, Gradient: 4}, DefaultParams()
}

// treeCases are the glaciers with tributaries the tests below run, with
// a year at which every tributary's ice reaches its receiver.
func treeCases(t *testing.T) []struct {
	name  string
	build func() (*geometry.Glacier, massbalance.Model, Params)
	year  float64
} {
	return []struct {
		name  string
		build func() (*geometry.Glacier, massbalance.Model, Params)
		year  float64
	}{
		{"tributary_ela2600", caseByTag(t, "tributary_ela2600").build, 300},
		{"nested", func() (*geometry.Glacier, massbalance.Model, Params) { return nestedGlacier(t) }, 600},
	}
}

// grownModel returns the model of build's glacier grown from no ice to
// the given year.
func grownModel(t *testing.T, build func() (*geometry.Glacier, massbalance.Model, Params), year float64) *Model {
	t.Helper()
	g, mb, p := build()
	m, err := NewModel(g, mb, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RunUntil(context.Background(), year); err != nil {
		t.Fatal(err)
	}
	return m
}

// prepareStep sets the hulls, the fluxes and their Jacobian and the
// tributaries' coupling for a flux-based ROS2 step, as stepFluxROS2 does.
func prepareStep(m *Model) {
	for i := range m.lines {
		l := &m.lines[i]
		l.a, l.b, l.active = l.hull()
		if l.active {
			m.fluxJacobian(l, l.a, l.b)
		}
	}
	m.couple()
}

// TestTributaryJacobian checks the two derivatives of a tributary's
// outflow that couple it to its receiver in the flux-based ROS2 step
// (couple: ∂q_n/∂S_{n−1} in jacUp[n], ∂q_n/∂S_j in outJunction) against
// central differences of the outflow, on both glaciers with tributaries.
func TestTributaryJacobian(t *testing.T) {
	for _, c := range treeCases(t) {
		t.Run(c.name, func(t *testing.T) {
			m := grownModel(t, c.build, c.year)
			prepareStep(m)
			// outflowWith returns tributary ti's outflow after the section
			// of point j of line li is changed by ds.
			outflowWith := func(ti, li, j int, ds float64) float64 {
				c := m.Clone()
				cl := &c.lines[li]
				v := cl.section[j] + ds
				h, w := cl.thicknessWidth(j, v, cl.width[j])
				cl.section[j], cl.thick[j], cl.width[j], cl.surface[j] = v, h, w, cl.fl.Bed[j]+h
				prepareStep(c)
				return c.lines[ti].flux[c.lines[ti].n]
			}
			checked := 0
			for ti := range m.lines {
				tr := &m.lines[ti]
				if tr.into < 0 {
					continue
				}
				if !tr.coupled {
					t.Fatalf("line %q does not reach its receiver in year %g", tr.fl.Name, c.year)
				}
				n, r := tr.n, tr.into
				for _, d := range []struct {
					what   string
					li, j  int
					got, s float64
				}{
					{"∂q_n/∂S_{n−1}", ti, n - 1, tr.jacUp[n], tr.section[n-1]},
					{"∂q_n/∂S_j", r, tr.junction, tr.outJunction, m.lines[r].section[tr.junction]},
				} {
					eps := 1e-6 * d.s
					fd := (outflowWith(ti, d.li, d.j, eps) - outflowWith(ti, d.li, d.j, -eps)) / (2 * eps)
					if rel := math.Abs(fd-d.got) / math.Abs(fd); !(rel <= 1e-6) {
						t.Errorf("%s of %q: %.10g, central differences %.10g (%.2e)", d.what, tr.fl.Name, d.got, fd, rel)
					}
					t.Logf("%s of %q: %.6g (central differences %.6g)", d.what, tr.fl.Name, d.got, fd)
					checked++
				}
			}
			if checked == 0 {
				t.Fatal("no tributary checked")
			}
		})
	}
}

// TestTributarySolve checks the line-by-line solve of the flux-based ROS2
// step on a glacier with tributaries (solveFluxROS2: Sherman–Morrison–
// Woodbury on each receiver, the tributaries' stages from their
// receivers') against a dense solve of the whole coupled system: each
// line's tridiagonal matrix (ros2Matrix), and each tributary's outflow
// coupling its last row to its receiver's junction (+c·h) and its
// receiver's kernel rows to both (−c·ω·g, −c·ω·h).
func TestTributarySolve(t *testing.T) {
	for _, c := range treeCases(t) {
		t.Run(c.name, func(t *testing.T) {
			m := grownModel(t, c.build, c.year)
			if err := m.updateMassBalance(); err != nil {
				t.Fatal(err)
			}
			prepareStep(m)
			dt := 0.3 * 365 * 86400.0
			invDx := 1 / m.dx
			cc := ros2Gamma * (dt * invDx)
			offset := make([]int, len(m.lines))
			size := 0
			for i := range m.lines {
				l := &m.lines[i]
				offset[i] = size - l.a
				if l.active {
					size += l.b - l.a + 1
				}
			}
			a := mat.NewDense(size, size, nil)
			rhs := mat.NewVecDense(size, nil)
			for i := range m.lines {
				l := &m.lines[i]
				if !l.active {
					continue
				}
				_, bareBefore := ros2Matrix(l, l.a, l.b, l.flux, invDx, dt, cc)
				if l.outflows() && l.b > l.a && !bareBefore {
					l.lower[l.b] += cc * l.outUp
				}
				for p := l.a; p <= l.b; p++ {
					row := offset[i] + p
					a.Set(row, row, l.diag[p])
					if p > l.a {
						a.Set(row, row-1, l.lower[p])
					}
					if p < l.b {
						a.Set(row, row+1, l.upper[p])
					}
					rhs.SetVec(row, l.k1[p])
				}
			}
			for ti := range m.lines {
				tr := &m.lines[ti]
				if !tr.coupled {
					continue
				}
				last := offset[ti] + tr.n - 1
				junction := offset[tr.into] + tr.junction
				a.Set(last, junction, a.At(last, junction)+cc*tr.outJunction)
				for k, w := range tr.kernel {
					row := offset[tr.into] + tr.kernelStart + k
					a.Set(row, last, a.At(row, last)-cc*w*tr.jacUp[tr.n])
					a.Set(row, junction, a.At(row, junction)-cc*w*tr.outJunction)
				}
			}
			var want mat.VecDense
			if err := want.SolveVec(a, rhs); err != nil {
				t.Fatal(err)
			}
			m.solveFluxROS2(dt)
			worst, scale := 0.0, mat.Norm(&want, math.Inf(1))
			for i := range m.lines {
				l := &m.lines[i]
				if !l.active {
					continue
				}
				for p := l.a; p <= l.b; p++ {
					worst = max(worst, math.Abs(l.k1[p]-want.AtVec(offset[i]+p)))
				}
			}
			if !(worst <= 1e-10*scale) {
				t.Errorf("the first stage differs from the dense solve by %.3g m² (largest value %.3g m²)", worst, scale)
			}
			t.Logf("%d points on %d lines: the first stage within %.2g m² of the dense solve (largest value %.3g m²)", size, len(m.lines), worst, scale)
		})
	}
}
