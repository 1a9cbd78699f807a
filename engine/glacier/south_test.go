package glacier

import (
	"compress/gzip"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/testfiles"
)

// radarPoint is a ground-penetrating-radar thickness measurement.
type radarPoint struct{ lon, lat, h float64 }

func readRadar(t testing.TB) []radarPoint {
	t.Helper()
	f, err := os.Open(testfiles.File(t, "sample", "thickness", "IceThick_SouthGlacier.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(z).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var pts []radarPoint
	for _, r := range rows[1:] {
		var v [3]float64
		for k := range v {
			if v[k], err = strconv.ParseFloat(r[k], 64); err != nil {
				t.Fatal(err)
			}
		}
		pts = append(pts, radarPoint{v[0], v[1], v[2]})
	}
	return pts
}

// TestSouthGlacierRadar prepares South Glacier (Yukon, RGI60-01.16195)
// from its outline and its DEM (Wilson et al. 2013), inverts it with the
// linear apparent balance and OGGM's default physics, distributes the
// thickness on its map and compares it with the 9619 radar points, as
// OGGM's own benchmark does (oggm/tests/test_benchmarks.py,
// TestSouthGlacier: a border of 10 cells, as the DEM ends about a
// kilometre beyond the outline; the points averaged over the map's cells;
// RMSD and mean thickness of the cells with points).
//
// The apparent balance is linear (OGGM's 3 mm w.e. m⁻¹ about the ELA that
// gives zero): the sample data hold CRU's climate for the glacier but no
// balance to calibrate the temperature-index model to (OGGM uses
// Hugonnet's geodetic balance of 2000–2010, not in the sample data), and
// the apparent balance of the inversion depends on the balance's shape
// with height, not its mean.
//
// The tolerances are OGGM's own for this benchmark with its default
// parameters (oggm/tests/test_benchmarks.py, test_inversion): RMSD below
// 85 m and the mean thickness within 50 m, and r ≥ 0.5 (what that file
// asks of the thickness' predictors). Tolerances argued from the method
// alone — Glen's A uncertain by a factor of 3, so the mean by 3^(1/5) − 1
// ≈ 25 %: a bias within 30 % of the measured mean; a distribution that
// knows only height, slope and distance from the edge: an RMSE within
// half of it — are not met: the bias is +42 % and the RMSE 64 %, both
// from the tongue. South Glacier is a surge-type glacier in its quiescent
// phase (Flowers et al. 2011, The Cryosphere 5, 299): the radar finds its
// tongue thin (20–60 m below 2300 m) and its reservoir thick (90–120 m at
// 2500–2700 m), while mass conservation in a steady state carries the
// whole ablation zone's melt through the tongue and makes it 55–110 m
// thick; the glacier's volume, 0.417 km³, is 8 % above the consensus
// estimate (0.388 km³), so the error is where the ice is, not how much.
// Both with OGGM's default (no smoothing) and with the smoothing of its
// benchmark (251 m).
func TestSouthGlacierRadar(t *testing.T) {
	all, err := outline.Read(testfiles.File(t, "sample", "outlines", "SouthGlacier.shp"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := outline.Find(all, "RGI60-01.16195")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dem.Read(testfiles.File(t, "sample", "dem", "dem_SouthGlacier_float32_deflate.tif"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := Prepare(o, d, Options{Region: RegionOptions{Border: 10}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range []float64{0, SmoothWindow} {
		h, err := g.DistributedThickness(sm)
		if err != nil {
			t.Fatal(err)
		}
		r := g.Region
		// The points averaged over each cell of the map.
		sum := map[int]float64{}
		cnt := map[int]int{}
		off := 0
		pts := readRadar(t)
		for _, p := range pts {
			x, y := r.CRS.FromLonLat(p.lon, p.lat)
			i, j, ok := r.CellAt(x, y)
			if !ok || !r.Mask[j*r.Nx+i] {
				off++
				continue
			}
			sum[j*r.Nx+i] += p.h
			cnt[j*r.Nx+i]++
		}
		var obs, mod []float64
		band := map[int][3]float64{}
		for c, s := range sum {
			obs = append(obs, s/float64(cnt[c]))
			mod = append(mod, h[c])
			b := band[int(r.TopoSmoothed[c]/100)]
			band[int(r.TopoSmoothed[c]/100)] = [3]float64{b[0] + s/float64(cnt[c]), b[1] + h[c], b[2] + 1}
		}
		for k := 18; k < 30; k++ {
			if b := band[k]; b[2] > 0 {
				t.Logf("%d m: %3.0f cells, radar %5.1f m, model %5.1f m", k*100, b[2], b[0]/b[2], b[1]/b[2])
			}
		}
		if len(obs) < 100 {
			t.Fatalf("%d cells with radar points", len(obs))
		}
		mo, mm := stat.Mean(obs, nil), stat.Mean(mod, nil)
		bias := mm - mo
		var se float64
		for k := range obs {
			se += (mod[k] - obs[k]) * (mod[k] - obs[k])
		}
		rmse := math.Sqrt(se / float64(len(obs)))
		corr := stat.Correlation(mod, obs, nil)
		t.Logf("%v; ELA %.0f m; smoothing %.0f m", g, g.ELA, sm)
		t.Logf("%d radar points, %d off the glacier's cells, on %d cells of %.0f m: measured mean %.1f m, modelled %.1f m; bias %+.1f m (%+.0f %%), RMSE %.1f m (%.0f %%), r = %.2f",
			len(pts), off, len(obs), r.DX, mo, mm, bias, 100*bias/mo, rmse, 100*rmse/mo, corr)
		if math.Abs(bias) > 50 {
			t.Errorf("bias %+.1f m (measured mean %.1f m), want within 50 m", bias, mo)
		}
		if rmse > 85 {
			t.Errorf("RMSE %.1f m, want below 85 m", rmse)
		}
		if corr < 0.5 {
			t.Errorf("correlation %.2f, want ≥ 0.5", corr)
		}
	}
}
