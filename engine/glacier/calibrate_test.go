package glacier

import (
	"bytes"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/internal/testfiles"
)

// hefMB returns Hintereisferner's HISTALP climate, read from the NetCDF
// file at the glacier's centre, and its WGMS balances.
func hefMB(t testing.TB) (*climate.Monthly, []massbalance.Observation) {
	t.Helper()
	o, _ := hef(t)
	c, err := climate.ReadNetCDF(testfiles.File(t, "sample", "climate", "histalp_merged_hef.nc"), o.CenLon, o.CenLat)
	if err != nil {
		t.Fatal(err)
	}
	b, err := assets.Data("hintereisferner/mbdata_WGMS-00491.csv")
	if err != nil {
		t.Fatal(err)
	}
	obs, err := massbalance.ReadWGMS(bytes.NewReader(b), "mbdata_WGMS-00491.csv")
	if err != nil {
		t.Fatal(err)
	}
	return c, obs
}

// TestPrepareCalibrated prepares Hintereisferner with its mass balance
// calibrated on its flowline to the WGMS record (the later half of the
// years the climate covers) and checks what a user gets: the calibrated
// model matches the observed mean over the period, the apparent balance
// from it sums to zero over the glacier and crosses zero once, and the
// modelled balances of the other observed years correlate with the
// observed ones. It reports the figures.
func TestPrepareCalibrated(t *testing.T) {
	o, d := hef(t)
	c, obs := hefMB(t)
	g, err := Prepare(o, d, Options{MassBalance: MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		t.Fatal(err)
	}
	cal := g.Calibration
	if cal == nil || g.MB == nil {
		t.Fatal("no calibration")
	}
	if cal.Method != "wgms" || cal.FirstMonth != 10 || cal.FirstYear != 1978 || cal.LastYear != 2003 || len(cal.Years) != 26 {
		t.Errorf("calibration %s from month %d on %d–%d (%d years), want wgms from October on 1978–2003 (26 years)", cal.Method, cal.FirstMonth, cal.FirstYear, cal.LastYear, len(cal.Years))
	}
	// The model as calibrated, run again over the period on the flowline.
	h := FlowlineHypsometry(g.Flowline)
	var sum, target float64
	n := 0
	for _, ob := range obs {
		if ob.Year >= cal.FirstYear && ob.Year <= cal.LastYear {
			b, err := massbalance.SpecificBalance(*g.MB, h, float64(ob.Year))
			if err != nil {
				t.Fatal(err)
			}
			sum += b
			target += ob.Annual
			n++
		}
	}
	if math.Abs(sum/float64(n)-target/float64(n)) > 1e-6 {
		t.Errorf("calibrated mean %.4f m w.e./yr, observed %.4f", sum/float64(n), target/float64(n))
	}
	mb := g.Inversion.Balance
	if tot := floats.Dot(mb, g.Flowline.Width) * g.Flowline.Dx; math.Abs(tot) > 1e-9*g.Flowline.Area()*1e-7 {
		t.Errorf("apparent balance total %g m³/s, want 0", tot)
	}
	if !(mb[0] > 0 && mb[len(mb)-1] < 0) || !(g.ELA > 2900 && g.ELA < 3200) {
		t.Errorf("apparent balance from %g to %g m/s, ELA %.0f m", mb[0], mb[len(mb)-1], g.ELA)
	}
	v := cal.Verification
	if v == nil {
		t.Fatal("no verification")
	}
	if v.Years[0] != 1953 || v.Years[len(v.Years)-1] != 1977 || !(v.R > 0.6) || !(math.Abs(v.Bias) < 0.5) {
		t.Errorf("verification %v", v)
	}
	t.Logf("calibration: %v", cal.ThreeStep)
	t.Logf("verification (WGMS, outside the calibration period): %v", v)
	t.Logf("apparent balance: ELA %.0f m, residual %.3g m w.e./yr; volume %.4f km³ (OGGM's test glacier with default A: 0.744)",
		g.ELA, cal.ApparentResidual/massbalance.WEPerYearToIcePerSecond, g.Volume()/1e9)
}
