package edu

import (
	"context"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

func TestBeds(t *testing.T) {
	b := NewBed(3000, 1000, 300)
	if b.Points() != 200 || b.Altitude[199] != 1000 || b.Length() != 19900 {
		t.Errorf("NewBed: %d points, last %g m, length %g m", b.Points(), b.Altitude[199], b.Length())
	}
	if l := NewBedLength(3000, 1000, 300, 5000); l.Points() != 51 || l.Altitude[50] != 1000 {
		t.Errorf("NewBedLength: %d points", l.Points())
	}
	s, err := NewBedSlopes(3000, 300, []float64{10, 5}, []float64{1000, 2000})
	if err != nil {
		t.Fatal(err)
	}
	wantEnd := 3000 - 1000*math.Tan(10*math.Pi/180) - 2000*math.Tan(5*math.Pi/180)
	if s.Points() != 31 || math.Abs(s.Altitude[30]-wantEnd) > 1e-9 {
		t.Errorf("slopes: %d points ending at %g m, want 31 and %g m", s.Points(), s.Altitude[30], wantEnd)
	}
	if _, err := NewBedSlopes(3000, 300, []float64{10}, []float64{1000, 2000}); err == nil {
		t.Error("a length per slope is required")
	}
	bump := NewBed(3000, 1000, 300).WithBump(30, 170, 5)
	if d := bump.Altitude[30] - b.Altitude[30]; d != 170 {
		t.Errorf("bump height %g", d)
	}
	w := NewBed(3000, 1000, 300).WithWidthFunc(func(x float64) float64 { return 500 - x/100 })
	if w.Width[0] != 500 || w.Width[100] != 400 {
		t.Errorf("width function: %g, %g", w.Width[0], w.Width[100])
	}
	fl, err := NewBed(3000, 1000, 300).Parabolic().Flowline()
	if err != nil || fl.Shapes[0] != geometry.Parabolic || math.Abs(fl.TopWidth(0, 100)-300) > 1e-9 {
		t.Errorf("parabolic bed: %v, width at 100 m %g", err, fl.TopWidth(0, 100))
	}
	if _, err := NewBed(3000, 1000, 300).WithWidths(append(make([]float64, 199), -1)).Flowline(); err == nil || !strings.Contains(err.Error(), "width at point 0") {
		t.Errorf("negative width: %v", err)
	}
	if !strings.Contains(NewBed(3000, 1000, 300).Trapezoidal(2).String(), "Trapezoidal (λ = 2) bed, 300 m wide") {
		t.Error(NewBed(3000, 1000, 300).Trapezoidal(2).String())
	}
}

func TestMassBalance(t *testing.T) {
	mb := NewMassBalance(3000, 4).WithGradients(6, 3)
	tests := []struct {
		name  string
		year  float64
		z     float64
		want  float64 // m w.e./yr
		setup func(*MassBalance)
	}{
		{"below", 0, 2900, -0.6, nil},
		{"above", 0, 3100, 0.3, nil},
		{"constant bias: ELA +150 m", 0, 3000, -0.9, func(m *MassBalance) { m.TempBias = 1 }},
		{"step before", 99, 3000, 0, func(m *MassBalance) { m.AddTempBiasStep(100, 1) }},
		{"step after", 100, 3000, -0.9, func(m *MassBalance) { m.AddTempBiasStep(100, 1) }},
		{"series", 11, 3000, -0.9 * 2, func(m *MassBalance) { m.SetTempBiasSeries(10, []float64{1, 2, 3}) }},
		{"after the series", 13, 3000, 0, func(m *MassBalance) { m.SetTempBiasSeries(10, []float64{1, 2, 3}) }},
	}
	for _, tc := range tests {
		m := mb.Copy()
		if tc.setup != nil {
			tc.setup(m)
		}
		if got := m.Balance(tc.year, tc.z); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: %g m w.e./yr, want %g", tc.name, got, tc.want)
		}
	}
	// AnnualBalance in m of ice per second.
	out := make([]float64, 1)
	_ = mb.AnnualBalance(0, []float64{2900}, out)
	if math.Abs(out[0]/massbalance.WEPerYearToIcePerSecond+0.6) > 1e-12 {
		t.Errorf("AnnualBalance %g", out[0])
	}
	// Random climate: reproducible, seed-dependent, of the asked spread.
	a, b, c := NewMassBalance(3000, 4).SetRandomClimate(0.5, 1), NewMassBalance(3000, 4).SetRandomClimate(0.5, 1), NewMassBalance(3000, 4).SetRandomClimate(0.5, 2)
	sum, sum2, same := 0.0, 0.0, 0
	for y := 0; y < 4000; y++ {
		x := a.TempBiasAt(float64(y))
		if x != b.TempBiasAt(float64(y)) {
			t.Fatal("same seed, different climate")
		}
		if x == c.TempBiasAt(float64(y)) {
			same++
		}
		sum += x
		sum2 += x * x
	}
	sd := math.Sqrt(sum2/4000 - (sum/4000)*(sum/4000))
	if same > 0 || math.Abs(sd-0.5) > 0.03 || math.Abs(sum/4000) > 0.03 {
		t.Errorf("random climate: σ %.3f K, mean %.3f K, %d years equal across seeds", sd, sum/4000, same)
	}
	if !strings.Contains(a.String(), "random climate σ = 0.5 K") {
		t.Error(a.String())
	}
}

// TestGlacierIsTheEngine: an edu glacier is the engine's model: the
// rect_ela2600 set-up gives dynamics' numbers to the last bit.
func TestGlacierIsTheEngine(t *testing.T) {
	g := NewGlacier(NewBed(3000, 1000, 300), NewMassBalance(2600, 3))
	if err := g.ProgressToYear(300); err != nil {
		t.Fatal(err)
	}
	fl, _ := NewBed(3000, 1000, 300).Flowline()
	gl, _ := geometry.NewGlacier(fl)
	m, _ := dynamics.NewModel(gl, NewMassBalance(2600, 3), dynamics.DefaultParams(), 0)
	if err := m.RunUntil(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
	h := g.History()
	if h.Len() != 301 || h.Volume[300] != m.Volume() {
		t.Errorf("%d records; volume %.17g m³, engine %.17g m³", h.Len(), h.Volume[300], m.Volume())
	}
	if len(g.StateHistory()) != 301 || len(g.StateHistory()[300].Velocity) != 200 {
		t.Errorf("state history: %d states", len(g.StateHistory()))
	}
	if err := g.ProgressToYear(100); err == nil {
		t.Error("going back in time must fail")
	}
}

// TestResponseTime follows the definition: after a 0.5 K warming applied
// at an equilibrium, the volume crosses 63 % of its change in the year
// ResponseTime gives and not before.
func TestResponseTime(t *testing.T) {
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if _, err := g.ResponseTime(); err == nil {
		t.Error("no equilibria, no response time")
	}
	if err := g.ProgressToEquilibrium(); err != nil {
		t.Fatal(err)
	}
	aar := g.AAR()
	g.MassBalance.TempBias = 0.5
	if err := g.ProgressToEquilibrium(); err != nil {
		t.Fatal(err)
	}
	tau, err := g.ResponseTime()
	if err != nil {
		t.Fatal(err)
	}
	eq := g.Equilibria()
	h := g.History()
	i0 := int(eq[0].Year)
	frac := func(y int) float64 { return (h.Volume[i0+y] - eq[0].Volume) / (eq[1].Volume - eq[0].Volume) }
	t.Logf("equilibria %v; response time %g years; AAR at the first equilibrium %.2f", eq, tau, aar)
	if frac(int(tau)) < 1-1/math.E || frac(int(tau)-1) >= 1-1/math.E || tau < 20 || tau > 300 {
		t.Errorf("response time %g: change made %.3f then, %.3f a year before", tau, frac(int(tau)), frac(int(tau)-1))
	}
	if aar < 0.4 || aar > 0.8 {
		t.Errorf("AAR at equilibrium %.2f (mountain glaciers: about 0.5–0.7)", aar)
	}
	if eq[1].ELA != 3075 || eq[1].Volume >= eq[0].Volume {
		t.Errorf("warmer equilibrium: %+v", eq[1])
	}
	// Specific balance is near zero at equilibrium.
	if sb := h.SpecificBalance[h.Len()-1]; math.Abs(sb) > 0.05 {
		t.Errorf("specific balance at equilibrium %g m w.e./yr", sb)
	}
}

func TestCopyAndReset(t *testing.T) {
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if err := g.ProgressToYear(100); err != nil {
		t.Fatal(err)
	}
	c := g.Copy()
	c.MassBalance.ELA = 3300
	if err := c.ProgressToYear(200); err != nil {
		t.Fatal(err)
	}
	if err := g.ProgressToYear(200); err != nil {
		t.Fatal(err)
	}
	if g.MassBalance.ELA != 3000 || g.History().Len() != 201 || c.History().Len() != 201 {
		t.Fatal("the copy is not independent")
	}
	if g.History().Volume[100] != c.History().Volume[100] || g.History().Volume[200] <= c.History().Volume[200] {
		t.Errorf("copy: same past, smaller future expected: %g/%g, %g/%g",
			g.History().Volume[100], c.History().Volume[100], g.History().Volume[200], c.History().Volume[200])
	}
	g.Reset()
	if g.Year() != 0 || g.History().Len() != 0 || g.Diagnostics().Volume != 0 {
		t.Error("reset")
	}
	if s := c.String(); !strings.Contains(s, "Volume") || !strings.Contains(s, "ELA            3300 m") {
		t.Errorf("summary:\n%s", s)
	}
}

// TestSurge: during surge years the ice slides fast and the glacier
// lengthens; in quiet years it is slow again.
func TestSurge(t *testing.T) {
	s := NewSurgingGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if err := s.ProgressToYear(300); err != nil {
		t.Fatal(err)
	}
	maxU := func(y int) float64 {
		m := 0.0
		for _, u := range s.StateHistory()[y].Velocity {
			m = max(m, u)
		}
		return m
	}
	h := s.History()
	// The 55-year cycle from year 0: quiet 0–49, surging 50–54, …, surging
	// 270–274.
	if !s.Surging(272) || s.Surging(269) || s.Surging(275) {
		t.Fatal("surge cycle")
	}
	if maxU(273) < 3*maxU(268) {
		t.Errorf("max velocity %.0f m/yr in a surge, %.0f m/yr before", maxU(273), maxU(268))
	}
	if h.Length[275] <= h.Length[270] {
		t.Errorf("the glacier should advance in a surge: %g m → %g m", h.Length[270], h.Length[275])
	}
	t.Logf("max velocity %.0f m/yr quiet, %.0f m/yr surging; length %g → %g m", maxU(268), maxU(273), h.Length[270], h.Length[275])
}

func TestCollection(t *testing.T) {
	base := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	c, err := Vary(base, "ela", 2900, 3000, 3100)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ProgressToYear(300); err != nil {
		t.Fatal(err)
	}
	// Parallel gives the same as one at a time.
	solo := base.Copy()
	solo.MassBalance.ELA = 3100
	if err := solo.ProgressToYear(300); err != nil {
		t.Fatal(err)
	}
	if c.Glaciers[2].Diagnostics().Volume != solo.Diagnostics().Volume {
		t.Error("parallel run differs")
	}
	v := []float64{c.Glaciers[0].Diagnostics().Volume, c.Glaciers[1].Diagnostics().Volume, c.Glaciers[2].Diagnostics().Volume}
	if !(v[0] > v[1] && v[1] > v[2]) {
		t.Errorf("a higher ELA should give less ice: %v", v)
	}
	s := c.String()
	if strings.Count(s, "\n") != 4 || !strings.Contains(s, "ela = 3100 m") {
		t.Errorf("summary:\n%s", s)
	}
	if _, err := Vary(base, "colour", 1); err == nil || !strings.Contains(err.Error(), "sliding") {
		t.Errorf("unknown parameter: %v", err)
	}
	bad := NewCollection(NewGlacier(NewBed(3400, 1400, 300).WithWidths(make([]float64, 200)), NewMassBalance(3000, 4)))
	if err := bad.ProgressToYear(10); err == nil || !strings.Contains(err.Error(), "glacier 1") {
		t.Errorf("error should name the glacier: %v", err)
	}
}

// BenchmarkCollection16x500: 16 glaciers that differ in their ELA, 500
// years each, in parallel on all cores (GOMAXPROCS).
func BenchmarkCollection16x500(b *testing.B) {
	b.ReportAllocs()
	elas := make([]float64, 16)
	for i := range elas {
		elas[i] = 2900 + 10*float64(i)
	}
	base := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	for b.Loop() {
		c, _ := Vary(base, "ela", elas...)
		if err := c.ProgressToYear(500); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
}

func TestHistoryString(t *testing.T) {
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if (&History{}).String() != "empty history" {
		t.Error("empty")
	}
	if err := g.ProgressToYear(100); err != nil {
		t.Fatal(err)
	}
	s := g.History().String()
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) < 10 || len(lines) > 14 || !strings.Contains(lines[0], "volume km³") || !strings.HasPrefix(strings.TrimSpace(lines[len(lines)-1]), "100 ") {
		t.Errorf("history table:\n%s", s)
	}
}

func TestState(t *testing.T) {
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if s := g.State(); s.Year != 0 || len(s.Velocity) != DefaultPoints {
		t.Fatalf("State before progress: year %g, %d velocities", s.Year, len(s.Velocity))
	}
	if err := g.ProgressToYear(50); err != nil {
		t.Fatal(err)
	}
	s := g.State()
	if s.Year != 50 || len(s.Thickness) != DefaultPoints {
		t.Fatalf("State: year %g, %d thicknesses", s.Year, len(s.Thickness))
	}
	vmax := 0.0
	for _, v := range s.Velocity {
		vmax = max(vmax, v)
	}
	if !(vmax > 0) {
		t.Errorf("State: no ice moves (max velocity %g m/yr)", vmax)
	}
}
