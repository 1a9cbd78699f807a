package dynamics

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// TestFluxJacobian checks the Jacobian of the flux-based ROS2 step
// (fluxJacobian: ∂q_k/∂S_{k−1}, ∂q_k/∂S_k and the outflow's two
// derivatives) against central differences of the fluxes, on glaciers of
// every shape grown for 300 years (n = 3 with and without sliding, and
// n = 4, the general power law), and on glaciers that reach the end of
// the domain (a positive balance everywhere), where ice flows out. Points
// narrower than the floor of the widths in the Jacobian
// (jacobianWidthFloor: a parabola's thin front) take the floor's dH/dS by
// design and are left out, as are empty points.
func TestFluxJacobian(t *testing.T) {
	type glacier struct {
		name  string
		build func() (*geometry.Glacier, massbalance.Model, Params)
		years float64
	}
	var cases []glacier
	for _, tag := range []string{"rect_ela2600", "rect_ela2600_fs5.7e-20", "parabolic_ela2800", "trapezoid_ela2800", "bumpy_ela2600"} {
		cases = append(cases, glacier{tag, caseByTag(t, tag).build, 300})
	}
	cases = append(cases, glacier{"rect_ela2600/n=4", func() (*geometry.Glacier, massbalance.Model, Params) {
		g, mb, p := caseByTag(t, "rect_ela2600").build()
		p.GlenN, p.GlenA, p.SlidingFs = 4, 1e-31, 1e-25
		return g, mb, p
	}, 300})
	for name, shape := range map[string]func(*geometry.Flowline){
		"rectangular": func(fl *geometry.Flowline) { fl.SetRectangular(300) },
		"parabolic":   func(fl *geometry.Flowline) { fl.SetParabolic(5e-3) },
		"trapezoidal": func(fl *geometry.Flowline) { fl.SetTrapezoidal(160, 2) },
	} {
		cases = append(cases, glacier{"outflow/" + name, func() (*geometry.Glacier, massbalance.Model, Params) {
			fl := geometry.NewFlowline("main", 100, linearBed(200))
			shape(fl)
			return mustGlacier(t, fl), massbalance.Constant{Balance: 0.5}, DefaultParams()
		}, 200})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, mb, p := c.build()
			m, err := NewModel(g, mb, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.RunUntil(context.Background(), c.years); err != nil {
				t.Fatal(err)
			}
			l := &m.lines[0]
			a, b, _ := l.hull()
			m.fluxJacobian(l, a, b)
			n := l.n
			outflow := b == n-1
			if strings.HasPrefix(c.name, "outflow/") && !outflow {
				t.Fatalf("the ice does not reach the end of the domain (hull %d … %d of %d points)", a, b, n)
			}
			up, down, outUp := append([]float64(nil), l.jacUp...), append([]float64(nil), l.jacDown...), l.outUp
			scale := 0.0
			for k := a; k <= b+1; k++ {
				scale = max(scale, math.Abs(up[k]), math.Abs(down[k]))
			}
			// fluxesWith returns the fluxes after the section of point j
			// is changed by ds.
			fluxesWith := func(j int, ds float64) []float64 {
				c := m.Clone()
				cl := &c.lines[0]
				v := cl.section[j] + ds
				h, w := cl.thicknessWidth(j, v, cl.width[j])
				cl.section[j], cl.thick[j], cl.width[j], cl.surface[j] = v, h, w, cl.fl.Bed[j]+h
				c.fluxJacobian(cl, a, b)
				return cl.flux
			}
			dc := &derivativeCheck{t: t, scale: scale}
			check := dc.check
			floor := jacobianWidthFloor * l.meanWidth
			for j := a; j <= b; j++ {
				if l.section[j] == 0 || l.width[j] < floor {
					continue
				}
				eps := 1e-5 * l.section[j]
				plus, minus := fluxesWith(j, eps), fluxesWith(j, -eps)
				d := func(k int) float64 { return (plus[k] - minus[k]) / (2 * eps) }
				if j > a {
					check("∂q_j/∂S_j", j, d(j), -down[j])
				}
				if j < n-1 && j < b {
					check("∂q_{j+1}/∂S_j", j, d(j+1), up[j+1])
				}
				if outflow && j == n-1 {
					check("∂q_n/∂S_{n−1}", j, d(n), up[n])
				}
				if outflow && j == n-2 {
					check("∂q_n/∂S_{n−2}", j, d(n), outUp)
				}
			}
			dc.done(a, b)
		})
	}
}

// derivativeCheck compares a Jacobian's entries with central differences
// over a hull: a relative difference above 1e-6 (of the central
// difference, or of 1e-9 of scale, the largest entry, where that is
// larger) fails the test.
type derivativeCheck struct {
	t       *testing.T
	scale   float64
	checked int
	worst   float64
}

// check compares the derivative got (what, at point j) with fd.
func (d *derivativeCheck) check(what string, j int, fd, got float64) {
	d.t.Helper()
	d.checked++
	r := math.Abs(fd-got) / max(math.Abs(fd), 1e-9*d.scale)
	d.worst = max(d.worst, r)
	if r > 1e-6 {
		d.t.Errorf("%s at point %d: %.10g, central differences %.10g (%.2e)", what, j, got, fd, r)
	}
}

// done fails the test if fewer derivatives were checked than half the
// points a … b, and logs the worst difference.
func (d *derivativeCheck) done(a, b int) {
	d.t.Helper()
	if d.checked < (b-a)/2 {
		d.t.Errorf("only %d derivatives checked over points %d … %d", d.checked, a, b)
	}
	d.t.Logf("%d derivatives over points %d … %d: worst relative difference %.2e", d.checked, a, b, d.worst)
}
