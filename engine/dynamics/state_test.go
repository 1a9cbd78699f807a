package dynamics

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/firnglacier/firn/engine/constants"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// TestVelocityAndSpecificBalance: at equilibrium the ice flux through a
// cross-section equals the balance integrated above it (continuity), so
// the diagnosed velocity carries the accumulation down-glacier; and the
// specific balance of a glacier in equilibrium is close to zero (slightly
// positive: the front clips ice).
func TestVelocityAndSpecificBalance(t *testing.T) {
	g, mb, p := caseByTag(t, "rect_ela2600").build()
	p.Solver = SemiImplicit
	m, _ := NewModel(g, mb, p, 0)
	if err := m.RunUntil(context.Background(), 3000); err != nil {
		t.Fatal(err)
	}
	u := m.Velocity(0)
	h := m.Thickness(0)
	z := m.Profile(0).Surface
	bal := make([]float64, len(z))
	if err := mb.AnnualBalance(3000, z, bal); err != nil {
		t.Fatal(err)
	}
	// Flux at point i ≈ u_i·H_i·w (rectangle, w = 300 m); balance above it:
	// Σ_{j<i} m_j·w·Δx (+ half of point i).
	above := 0.0
	for i := 0; i < 80; i++ {
		above += bal[i] * 300 * 100
		if i%20 != 10 {
			continue
		}
		flux := u[i] * h[i] * 300
		want := above - 0.5*bal[i]*300*100
		if math.Abs(flux-want) > 0.05*want {
			t.Errorf("point %d: flux %.4g m³/s, balance above %.4g m³/s", i, flux, want)
		}
	}
	if u[0] <= 0 || u[150] != 0 {
		t.Errorf("velocity %g m/s at the top, %g m/s beyond the front", u[0], u[150])
	}
	sb := m.SpecificBalance()
	if sb < 0 || sb > 0.05 {
		t.Errorf("specific balance at equilibrium %.3g m w.e./yr, want just above 0", sb)
	}
	// SetFlow: sliding makes the glacier thinner.
	if err := m.SetFlow(constants.GlenA, 5.7e-20); err != nil {
		t.Fatal(err)
	}
	v := m.Volume()
	if err := m.RunUntil(context.Background(), 3300); err != nil {
		t.Fatal(err)
	}
	if m.Volume() >= v {
		t.Errorf("sliding should thin the glacier: %g → %g m³", v, m.Volume())
	}
	if err := m.SetFlow(-1, 0); err == nil {
		t.Error("a negative A must be refused")
	}
}

// TestClone: a clone goes on exactly as the original would, and changing
// one does not touch the other.
func TestClone(t *testing.T) {
	g, mb, p := caseByTag(t, "tributary_ela2600").build()
	m, _ := NewModel(g, mb, p, 0)
	if err := m.RunUntil(context.Background(), 150); err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	if err := c.RunUntil(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
	if m.Year() != 150 {
		t.Fatalf("the original moved to year %g", m.Year())
	}
	if err := m.RunUntil(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
	if m.Volume() != c.Volume() || m.Steps() != c.Steps() || m.Account() != c.Account() {
		t.Errorf("clone %g m³ in %d steps, original %g m³ in %d steps", c.Volume(), c.Steps(), m.Volume(), m.Steps())
	}
}

// TestCloneSharesNoWorkSpace: every array of a flowline's state and work
// space is copied by Clone (line.state), but for the read-only ones, so
// that clones stepped at once (an ensemble) write to none in common.
func TestCloneSharesNoWorkSpace(t *testing.T) {
	readOnly := map[string]bool{"kernel": true, "parabolaS": true, "parabolaW": true, "parabolaC": true}
	l := newLine(geometry.NewFlowline("main", 100, linearBed(20)), -1)
	copied := map[uintptr]bool{}
	for _, p := range l.state() {
		copied[reflect.ValueOf(p).Pointer()] = true
	}
	v := reflect.ValueOf(&l).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type != reflect.TypeOf([]float64(nil)) || readOnly[f.Name] {
			continue
		}
		if !copied[v.Field(i).Addr().Pointer()] {
			t.Errorf("line.%s is not in line.state: clones would share it", f.Name)
		}
	}
}

// A new mass balance set at a whole year applies to that year, even when
// the year's balance was evaluated ahead (SpecificBalance, as edu's
// glacier records it after each year); within a year it waits for the
// next one.
func TestSetMassBalanceAtAWholeYear(t *testing.T) {
	g, mb, p := caseByTag(t, "rect_ela2600").build()
	m, _ := NewModel(g, mb, p, 0)
	if err := m.RunUntil(context.Background(), 50); err != nil {
		t.Fatal(err)
	}
	if b := m.SpecificBalance(); b == 0 || math.IsNaN(b) {
		t.Fatalf("specific balance %g", b)
	}
	if err := m.SetMassBalance(massbalance.Constant{Balance: -1}); err != nil {
		t.Fatal(err)
	}
	if b := m.SpecificBalance(); math.Abs(b+1) > 1e-12 {
		t.Errorf("year 50 after the change: specific balance %g m w.e., want -1", b)
	}
	if err := m.RunUntil(context.Background(), 50.5); err != nil {
		t.Fatal(err)
	}
	if err := m.SetMassBalance(massbalance.Constant{Balance: 2}); err != nil {
		t.Fatal(err)
	}
	if b := m.SpecificBalance(); math.Abs(b+1) > 1e-12 {
		t.Errorf("year 50.5 after a second change: specific balance %g m w.e., want -1 (the year keeps its balance)", b)
	}
}

// TestThicknessWidth: the flux-based step's section-to-thickness
// conversion (Halley's iteration from the old width on parabolas) gives
// geometry's exact inverse to within 1e-15 (about 4 ulp: both ways round
// five or six times, in √P, 2/√P and the products), for old widths at every
// distance from the answer (each branch: one iteration, two, the cube
// root), on parabolic, trapezoidal and rectangular points.
func TestThicknessWidth(t *testing.T) {
	fl := geometry.NewFlowline("mixed", 100, make([]float64, 3))
	fl.Shapes = []geometry.Shape{geometry.Parabolic, geometry.Trapezoidal, geometry.Rectangular}
	fl.ParabolaP[0] = 5e-3
	fl.Width[1], fl.Lambda[1] = 160, 2
	fl.Width[2] = 300
	l := newLine(fl, -1)
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	for range 20000 {
		i := rng.IntN(3)
		h := math.Exp(rng.Float64()*20 - 10) // 45 µm … 22 km
		s := fl.Section(i, h)
		// The old width: from a thickness off by 0 … 10 % (or none).
		off := []float64{0, 1e-7, 1e-5, 1e-3, 0.01, 0.1, -0.1, -1}[rng.IntN(8)]
		wOld := fl.TopWidth(i, max(h*(1+off), 0))
		gotH, gotW := l.thicknessWidth(i, s, wOld)
		wantH := fl.Thickness(i, s)
		wantW := fl.TopWidth(i, wantH)
		for _, d := range []float64{gotH/wantH - 1, gotW/wantW - 1} {
			worst = max(worst, math.Abs(d))
		}
	}
	t.Logf("largest relative difference %.2g", worst)
	if worst > 1e-15 {
		t.Errorf("largest relative difference %.2g > 1e-15", worst)
	}
}
