package glacier

import (
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/dem"
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
