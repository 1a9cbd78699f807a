package dynamics

import (
	"context"
	"math"
	"testing"

	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

const (
	halfarA    = 2.4e-24
	halfarRho  = 900.0
	halfarG    = 9.81
	halfarYear = 31536000.0
	halfarH0   = 400.0
	halfarL0   = 10000.0
	halfarX    = 15000.0
)

func halfarT0() float64 {
	gamma := 2 * halfarA * math.Pow(halfarRho*halfarG, 3) / 5
	return (1.0 / 11) / gamma * math.Pow(7.0/4, 3) * math.Pow(halfarL0, 4) / math.Pow(halfarH0, 7)
}

func halfarThickness(x, tau float64) float64 {
	r := math.Pow((halfarT0()+tau*halfarYear)/halfarT0(), -1.0/11)
	u := r * math.Abs(x) / halfarL0
	if u >= 1 {
		return 0
	}
	return halfarH0 * r * math.Pow(1-math.Pow(u, 4.0/3), 3.0/7)
}

func halfarMargin(tau float64) float64 {
	return halfarL0 * math.Pow((halfarT0()+tau*halfarYear)/halfarT0(), 1.0/11)
}

type halfarSnap struct {
	tau      float64
	h        []float64
	x        []float64
	vol      float64
	startVol float64
	residual float64
}

var halfarCFL float64

func halfarRun(t *testing.T, s Solver, dx float64, taus []float64) []halfarSnap {
	n := int(math.Round(2*halfarX/dx)) + 1
	x := make([]float64, n)
	h := make([]float64, n)
	for i := range x {
		x[i] = -halfarX + float64(i)*dx
		h[i] = halfarThickness(x[i], 0)
	}
	fl := geometry.NewFlowline("halfar", dx, make([]float64, n))
	fl.SetRectangular(1)
	g, err := geometry.NewGlacier(fl)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Solver = s
	p.G = halfarG
	p.CFL = halfarCFL
	m, err := NewModel(g, massbalance.Constant{}, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetThickness(g.Main, h); err != nil {
		t.Fatal(err)
	}
	v0 := m.Volume()
	var out []halfarSnap
	for _, tau := range taus {
		if err := m.RunUntil(context.Background(), tau); err != nil {
			t.Fatal(err)
		}
		out = append(out, halfarSnap{tau: tau, h: m.Thickness(g.Main), x: x, vol: m.Volume(), startVol: v0, residual: m.Account().Residual(m.Volume())})
	}
	t.Logf("%v dx=%g: %d steps", s, dx, m.Steps())
	return out
}

func TestHalfarExplore(t *testing.T) {
	t.Logf("t0 = %.4f a", halfarT0()/halfarYear)
	for _, tau := range []float64{0, 10, 50, 100, 200, 500} {
		t.Logf("tau %g: H0 %.3f margin %.1f H5 %.3f H9 %.3f", tau, halfarThickness(0, tau), halfarMargin(tau), halfarThickness(5000, tau), halfarThickness(9000, tau))
	}
	for _, s := range []Solver{FluxBased, SemiImplicit} {
		for _, dx := range []float64{200, 100, 50} {
			snaps := halfarRun(t, s, dx, []float64{100, 500})
			for _, sn := range snaps {
				c := (len(sn.h) - 1) / 2
				ha := halfarThickness(0, sn.tau)
				last := 0
				for i := c; i < len(sn.h); i++ {
					if sn.h[i] > 0 {
						last = i
					}
				}
				first := len(sn.h)
				for i := c; i >= 0; i-- {
					if sn.h[i] > 0 {
						first = i
					}
				}
				L := halfarMargin(sn.tau)
				var e, e9 float64
				var ne, ne9 int
				for i, xi := range sn.x {
					if math.Abs(xi) < L {
						e += math.Abs(sn.h[i] - halfarThickness(xi, sn.tau))
						ne++
					}
					if math.Abs(xi) < 0.9*L {
						e9 += math.Abs(sn.h[i] - halfarThickness(xi, sn.tau))
						ne9++
					}
				}
				tail := sn.h[last-4 : last+1]
				t.Logf("%v dx=%g tau=%g: H(0) %.3f vs %.3f (%.3f%%), margin R %.1f L %.1f vs %.1f, tail %.3g, drift %.2e res %.2e, e %.4f e0.9 %.4f",
					s, dx, sn.tau, sn.h[c], ha, 100*(sn.h[c]-ha)/ha, sn.x[last], -sn.x[first], L, tail, sn.vol/sn.startVol-1, sn.residual/sn.vol, e/float64(ne), e9/float64(ne9))
			}
		}
	}
}

func TestHalfarCFL(t *testing.T) {
	for _, c := range []float64{0.018, 0.019, 0.0199, 0.02, 0.0201, 0.021, 0.022, 0.025, 0.03} {
		halfarCFL = c
		for _, dx := range []float64{100} {
			for _, sn := range halfarRun(t, FluxBased, dx, []float64{100, 500}) {
				var e float64
				var ne int
				L := halfarMargin(100)
				for i, xi := range sn.x {
					if math.Abs(xi) < L {
						e += math.Abs(sn.h[i] - halfarThickness(xi, 100))
						ne++
					}
				}
				c0 := (len(sn.h) - 1) / 2
				t.Logf("cfl %g dx %g tau %g: centre err %.3f%%, mean err %.4f", c, dx, sn.tau, 100*(sn.h[c0]/halfarThickness(0, sn.tau)-1), e/float64(ne))
			}
		}
	}
	halfarCFL = 0
}
