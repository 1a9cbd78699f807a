package edu

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/glacier"
)

// TestRealGlacier prepares Hintereisferner from the data Firn ships and
// runs it as lesson 7 does: the summary a cell shows, the thickness map
// (the inversion's volume on the map's glacier cells), and three
// scenarios of 100 years (+0, +1, +2 °C on the constant climate of
// 1973–2003), each recording 101 years, the warmer losing more ice; a
// copy starts again from today; a historical run stops at the record's
// end with a message naming it.
func TestRealGlacier(t *testing.T) {
	hef, err := Hintereisferner()
	if err != nil {
		t.Fatal(err)
	}
	s := hef.String()
	for _, want := range []string{"Hintereisferner (RGI60-11.00897)", "8.036 km², flowline of", "calibrated to WGMS 1978–2003", "constant climate of 1973–2003", "Volume        0.75"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	v0 := hef.Diagnostics().Volume
	if math.Abs(v0-hef.Prepared.Volume()) > 1e-9*v0 || v0 < 0.7e9 || v0 > 0.8e9 {
		t.Errorf("today's volume %g m³, inversion %g", v0, hef.Prepared.Volume())
	}
	h, err := hef.ThicknessMap()
	if err != nil {
		t.Fatal(err)
	}
	r := hef.Prepared.Region
	var vol float64
	for k, x := range h {
		if x > 0 && !r.Mask[k] {
			t.Fatalf("ice off the glacier at cell %d", k)
		}
		vol += x * r.DX * r.DX
	}
	if math.Abs(vol/v0-1) > 1e-6 {
		t.Errorf("the map holds %g m³, the inversion %g", vol, v0)
	}
	var end []float64
	for _, bias := range []float64{0, 1, 2} {
		g := hef.Copy()
		g.Climate.TempBias = bias
		if err := g.ProgressToYear(100); err != nil {
			t.Fatal(err)
		}
		hist := g.History()
		if hist.Len() != 101 || hist.Year[100] != 100 || len(g.StateHistory()) != 101 {
			t.Fatalf("+%g °C: %d years recorded", bias, hist.Len())
		}
		end = append(end, hist.Volume[100])
		if !strings.Contains(g.String(), "Year          100") {
			t.Errorf("summary after the run:\n%s", g)
		}
	}
	if !(end[2] < end[1] && end[1] < end[0] && end[0] < v0) {
		t.Errorf("after 100 years: %.4f, %.4f, %.4f km³ at +0, +1, +2 °C (today %.4f)", end[0]/1e9, end[1]/1e9, end[2]/1e9, v0/1e9)
	}
	t.Logf("Hintereisferner today %.4f km³; in 100 years %.4f (+0 °C), %.4f (+1 °C), %.4f (+2 °C)", v0/1e9, end[0]/1e9, end[1]/1e9, end[2]/1e9)
	// Progress in two calls is the same run as in one.
	a, b := hef.Copy(), hef.Copy()
	a.Climate.TempBias, b.Climate.TempBias = 1, 1
	_ = a.ProgressToYear(40)
	_ = a.ProgressToYear(100)
	_ = b.ProgressToYear(100)
	if a.History().Volume[100] != b.History().Volume[100] || a.History().Volume[100] != end[1] {
		t.Errorf("two calls %g m³, one %g, the first run %g", a.History().Volume[100], b.History().Volume[100], end[1])
	}
	hist := hef.Copy()
	hist.Climate = glacier.Scenario{Climate: glacier.ClimateHistorical, Y0: 1950}
	if err := hist.ProgressToYear(2100); err == nil || !strings.Contains(err.Error(), "ends with year 2003") {
		t.Errorf("historical beyond the record: %v", err)
	}
	if err := hist.ProgressToYear(2004); err != nil || hist.History().Year[0] != 1950 {
		t.Errorf("historical 1950–2003: %v, from %g", err, hist.History().Year[0])
	}
	// A cancelled context stops the run where a year ended.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := hef.Copy().SetContext(ctx)
	if err := c.ProgressToYear(10); err == nil || c.History().Len() != 1 {
		t.Errorf("cancelled: %v, %d years", err, c.History().Len())
	}
}
