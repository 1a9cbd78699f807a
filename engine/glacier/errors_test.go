package glacier

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/outline"
)

// TestErrors: bad input is refused with a message that says what was wrong.
func TestErrors(t *testing.T) {
	o, d := hef(t)
	shifted := *d
	shifted.X0 += 0.185 // the DEM now starts at 10.79° E, east of most of the glacier
	far := *d
	far.X0 += 5
	noCRS := *d
	noCRS.EPSG = 0
	for _, c := range []struct {
		name string
		dem  *dem.Grid
		want string
	}{
		{"no DEM", nil, "no DEM"},
		{"DEM far away", &far, "covers no cell"},
		{"DEM missing part of the glacier", &shifted, "of the glacier's"},
		{"DEM without a CRS", &noCRS, "DEM"},
	} {
		_, err := NewRegion(o, c.dem, RegionOptions{})
		t.Logf("%s: %v", c.name, err)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "RGI60-11.00897") {
			t.Errorf("%s: error %v, want one that names the glacier and says %q", c.name, err, c.want)
		}
	}
	fl := &Flowline{ID: "line", Dx: 100, Surface: []float64{3000, 2900, 2800}, Width: []float64{500, 500, 500}}
	mb, _ := LinearApparentBalance(fl, 0)
	bad := DefaultInversion()
	bad.GlenA = 0
	for _, c := range []struct {
		name string
		mb   []float64
		p    InversionParams
		want string
	}{
		{"zero value parameters", mb, InversionParams{}, "DefaultInversion"},
		{"no creep parameter", mb, bad, "GlenA 0"},
		{"balances missing", mb[:2], DefaultInversion(), "2 balances for 3 points"},
	} {
		_, err := Invert(fl, c.mb, c.p)
		t.Logf("%s: %v", c.name, err)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "line") {
			t.Errorf("%s: error %v, want one that names the flowline and says %q", c.name, err, c.want)
		}
	}
}

// TestManyGlaciersErrors: PrepareEach names the glacier that failed and
// keeps the others' order; CalibrateRegionalGlenA refuses a total it
// cannot reach and leaves the glaciers' inversions alone then.
func TestManyGlaciersErrors(t *testing.T) {
	o, d := hef(t)
	far := *d
	far.X0 += 5
	other := *o
	other.ID = "RGI60-11.99999"
	gs, err := PrepareEach(context.Background(), []*outline.Outline{o, &other}, d, 2, nil)
	if err != nil || len(gs) != 2 || gs[0].Region.ID != "RGI60-11.00897" || gs[1].Region.ID != "RGI60-11.99999" {
		t.Fatalf("two outlines: %v, %v", gs, err)
	}
	_, err = PrepareEach(context.Background(), []*outline.Outline{o, &other}, &far, 2, nil)
	t.Logf("DEM far away: %v", err)
	if err == nil || !strings.Contains(err.Error(), "covers no cell") || !strings.Contains(err.Error(), "glacier ") {
		t.Errorf("DEM far away: %v, want an error naming the glacier", err)
	}
	_, err = PrepareEach(context.Background(), []*outline.Outline{o}, d, 1, func(int) (Options, error) { return Options{}, errors.New("no climate for it") })
	if err == nil || !strings.Contains(err.Error(), "no climate for it") || !strings.Contains(err.Error(), "RGI60-11.00897") {
		t.Errorf("options failing: %v", err)
	}
	v0 := gs[0].Volume()
	for _, target := range []float64{0, 1e6, 1e12} {
		_, err := CalibrateRegionalGlenA(gs, target)
		t.Logf("target %g m³: %v", target, err)
		if err == nil {
			t.Errorf("target %g m³ reached", target)
		}
	}
	if gs[0].Volume() != v0 {
		t.Errorf("a failed calibration changed the volume: %g → %g m³", v0, gs[0].Volume())
	}
	if _, err := CalibrateRegionalGlenA(nil, 1e9); err == nil {
		t.Error("no glaciers calibrated")
	}
}
