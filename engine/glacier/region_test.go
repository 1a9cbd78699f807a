package glacier

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/testfiles"
)

// hef reads Hintereisferner's RGI 6 outline and the SRTM DEM around it.
func hef(t testing.TB) (*outline.Outline, *dem.Grid) {
	t.Helper()
	all, err := outline.Read(testfiles.File(t, "sample", "outlines", "Hintereisferner_RGI6.shp"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := outline.Find(all, "RGI60-11.00897")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dem.Read(testfiles.File(t, "sample", "dem", "hef_srtm.tif"))
	if err != nil {
		t.Fatal(err)
	}
	return o, d
}

func hefRegion(t testing.TB) *Region {
	t.Helper()
	o, d := hef(t)
	r, err := NewRegion(o, d, RegionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGridSpacing(t *testing.T) {
	for _, c := range []struct{ area, dx float64 }{
		{8.036, 50},                     // Hintereisferner: 14·2.835 + 10 = 49.7
		{0.01, 11},                      // 14·0.1 + 10 = 11.4
		{0, 10},                         // the lower clip, GridD2
		{1, 24},                         // 14 + 10
		{150, 181},                      // 14·12.247 + 10 = 181.5 → 181 (half to even would not matter here)
		{200, 200},                      // 208 → clipped to GridDxMax
		{1e4, 200},                      // Greenland-size
		{(10.5 / 14) * (10.5 / 14), 20}, // 14·0.75 + 10 = 20.5 → 20, half to even as numpy's rint
	} {
		if got := GridSpacing(c.area); got != c.dx {
			t.Errorf("GridSpacing(%g km²) = %g m, want %g", c.area, got, c.dx)
		}
	}
}

// TestRegionAgainstGDAL checks Hintereisferner's map against GDAL
// (testdata/sample/dem/hef_region_expected.csv, made by make_expected.py):
// the grid from ogr2ogr's projected outline, the DEM warped by gdalwarp
// with cubic resampling, the mask burnt by gdal_rasterize.
func TestRegionAgainstGDAL(t *testing.T) {
	r := hefRegion(t)
	rows := testfiles.CSV(t, "sample", "dem", "hef_region_expected.csv")
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	lon0, _, _, _, _ := r.CRS.TM.Params()
	var topoSum, glacierSum float64
	cells := 0
	for k, m := range r.Mask {
		topoSum += r.Topo[k]
		if m {
			glacierSum += r.Topo[k]
			cells++
		}
	}
	var maxDiff, sumDiff float64
	nTopo, maskWrong := 0, 0
	for _, row := range rows {
		key, v := row[0], num(row[3])
		switch key {
		case "lon0", "dx", "x0", "y0", "nx", "ny":
			got := map[string]float64{"lon0": lon0, "dx": r.DX, "x0": r.X0, "y0": r.Y0, "nx": float64(r.Nx), "ny": float64(r.Ny)}[key]
			if math.Abs(got-v) > 1e-6 {
				t.Errorf("%s = %.9g, GDAL's grid has %.9g", key, got, v)
			}
		case "mask_cells":
			if float64(cells) != v {
				t.Errorf("%d glacier cells, gdal_rasterize burns %g", cells, v)
			}
		case "topo_sum":
			if rel := math.Abs(topoSum-v) / v; rel > 1e-12 {
				t.Errorf("DEM summed over the map %.0f m, gdalwarp's %.0f (%.1e relative)", topoSum, v, rel)
			}
		case "topo_glacier_sum":
			if rel := math.Abs(glacierSum-v) / v; rel > 1e-12 {
				t.Errorf("DEM summed over the glacier %.0f m, gdalwarp's %.0f (%.1e relative)", glacierSum, v, rel)
			}
		case "topo":
			i, j := int(num(row[1])), int(num(row[2]))
			d := math.Abs(r.Topo[j*r.Nx+i] - v)
			maxDiff = math.Max(maxDiff, d)
			sumDiff += d
			nTopo++
		case "mask":
			i, j := int(num(row[1])), int(num(row[2]))
			if r.Mask[j*r.Nx+i] != (v == 1) {
				maskWrong++
			}
		}
	}
	t.Logf("DEM at %d cells: largest difference from gdalwarp %.0f m, mean %.2f m; sums %.0f/%.0f", nTopo, maxDiff, sumDiff/float64(nTopo), topoSum, glacierSum)
	// Both round to whole metres (the DEM is Int16): the same integers.
	if nTopo < 100 || maxDiff > 0.5 {
		t.Errorf("DEM differs from gdalwarp's by up to %.0f m, %.2f m on average at %d cells (want the same whole metres)", maxDiff, sumDiff/float64(nTopo), nTopo)
	}
	if maskWrong > 0 {
		t.Errorf("%d sampled cells differ from gdal_rasterize's mask", maskWrong)
	}
}

// TestRegionHintereisferner compares the map with the RGI's attributes of
// Hintereisferner (RGI 6: 8.036 km², 2430–3674 m, median 3051 m; the RGI
// used a different DEM, so heights agree to tens of metres).
func TestRegionHintereisferner(t *testing.T) {
	o, _ := hef(t)
	r := hefRegion(t)
	if rel := math.Abs(r.MaskArea()/1e6-o.Area) / o.Area; rel > 0.01 {
		t.Errorf("mask area %.3f km², RGI %.3f km² (%.1f %%; want ≤ 1 %%)", r.MaskArea()/1e6, o.Area, 100*rel)
	}
	zmin, zmax, zmed := r.Stats()
	t.Logf("mask %.3f km² (RGI %.3f); Zmin %.0f (RGI %.0f), Zmax %.0f (%.0f), Zmed %.0f (%.0f) m; %d voids",
		r.MaskArea()/1e6, o.Area, zmin, o.Zmin, zmax, o.Zmax, zmed, o.Zmed, r.Voids)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"Zmin", zmin, o.Zmin}, {"Zmax", zmax, o.Zmax}, {"Zmed", zmed, o.Zmed}} {
		if math.Abs(c.got-c.want) > 30 {
			t.Errorf("%s %.0f m, RGI %.0f m (want within 30 m)", c.name, c.got, c.want)
		}
	}
	// The smoothed DEM is the DEM blurred over ±round(251 m/50 m) = ±5 cells.
	blurred := append([]float64(nil), r.Topo...)
	gaussianBlur(blurred, r.Nx, r.Ny, 5)
	for k := range blurred {
		if blurred[k] != r.TopoSmoothed[k] {
			t.Fatalf("smoothed DEM at cell %d: %g m, the DEM blurred over ±5 cells %g m", k, r.TopoSmoothed[k], blurred[k])
		}
	}
	h := r.Hypsometry(50)
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	if h.Elevation[0] != 2475 || h.Elevation[len(h.Elevation)-1] != 3675 {
		t.Errorf("hypsometry bands from %g to %g m, want 2475 to 3675 (50 m bands from 2450 to 3700)", h.Elevation[0], h.Elevation[len(h.Elevation)-1])
	}
	// Against the RGI's own hypsometry of the glacier (RGI 5, 50 m bands in
	// ‰, from another DEM): band by band within 1 % of the area, and a
	// total variation distance ½·Σ|Δ| below 3 %.
	b, err := assets.Data("hintereisferner/Hintereisferner_V5_hypso.csv")
	if err != nil {
		t.Fatal(err)
	}
	rgi, err := massbalance.ReadRGIHypsometry(bytes.NewReader(b), "Hintereisferner_V5_hypso.csv")
	if err != nil {
		t.Fatal(err)
	}
	share := map[float64]float64{}
	for k, z := range rgi[0].Elevation {
		share[z] = rgi[0].Weight[k]
	}
	for k, z := range h.Elevation {
		share[z] -= h.Weight[k]
	}
	worst, tv := 0.0, 0.0
	for _, d := range share {
		worst = math.Max(worst, math.Abs(d))
		tv += math.Abs(d) / 2
	}
	t.Logf("hypsometry against the RGI's: largest band difference %.2f %% of the area, total variation %.2f %%", 100*worst, 100*tv)
	if worst > 0.01 || tv > 0.03 {
		t.Errorf("hypsometry differs from the RGI's by up to %.2f %% of the area in a band, %.2f %% in all (want ≤ 1 %% and ≤ 3 %%)", 100*worst, 100*tv)
	}
	// Area above the median is half the glacier.
	above := 0.0
	for b, z := range h.Elevation {
		if z > zmed {
			above += h.Weight[b]
		}
	}
	if above < 0.45 || above > 0.55 {
		t.Errorf("%.2f of the area in bands above the median height, want about 0.5", above)
	}
}

func TestRasterize(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}}
	}
	for _, c := range []struct {
		name  string
		mp    orb.MultiPolygon
		cells int
	}{
		{"square of 4×4 cells", orb.MultiPolygon{{sq(10, -50, 50, -10)}}, 16},
		{"with a hole of 2×2", orb.MultiPolygon{{sq(10, -50, 50, -10), sq(20, -40, 40, -20)}}, 12},
		{"two squares", orb.MultiPolygon{{sq(0, -10, 10, 0)}, {sq(80, -100, 100, -80)}}, 1 + 4},
		// Edges through centres: a centre on the left or bottom edge is
		// in, on the right or top edge out (x 5, 15; y −15, −25, −35).
		{"edges through centres", orb.MultiPolygon{{sq(5, -35, 25, -5)}}, 6},
		{"smaller than a cell, no centre inside", orb.MultiPolygon{{sq(1, -4, 4, -1)}}, 0},
		{"triangle", orb.MultiPolygon{{orb.Ring{{0, 0}, {100, 0}, {0, -100}, {0, 0}}}}, 45},
	} {
		m := rasterize(c.mp, 10, 10, 0, 0, 10)
		n := 0
		for _, v := range m {
			if v {
				n++
			}
		}
		if n != c.cells {
			t.Errorf("%s: %d cells inside, want %d", c.name, n, c.cells)
		}
	}
}

func TestCubicAndBlur(t *testing.T) {
	// On a plane, cubic convolution is exact, and so is a symmetric blur
	// away from the edges.
	g := &dem.Grid{Width: 20, Height: 15, X0: 0, Y0: 0, DX: 1, DY: -1, Data: make([]float64, 300)}
	plane := func(x, y float64) float64 { return 1000 + 3*x - 2*y }
	for j := 0; j < g.Height; j++ {
		for i := 0; i < g.Width; i++ {
			g.Data[j*g.Width+i] = plane(float64(i)+0.5, float64(j)+0.5)
		}
	}
	for _, p := range [][2]float64{{0.5, 0.5}, {3.25, 7.8}, {10, 10}, {17.4, 12.6}} {
		if got, want := cubic(g, p[0], p[1]), plane(p[0], p[1]); math.Abs(got-want) > 1e-9 {
			t.Errorf("cubic at %v = %.12g, want %.12g", p, got, want)
		}
	}
	if v := cubic(g, -0.1, 3); !math.IsNaN(v) {
		t.Errorf("cubic outside the grid = %g, want NaN", v)
	}
	z := append([]float64(nil), g.Data...)
	gaussianBlur(z, g.Width, g.Height, 3)
	for j := 3; j < g.Height-3; j++ {
		for i := 3; i < g.Width-3; i++ {
			if d := z[j*g.Width+i] - g.Data[j*g.Width+i]; math.Abs(d) > 1e-9 {
				t.Fatalf("blur moved the plane at %d,%d by %g", i, j, d)
			}
		}
	}
	// A spike spreads as OGGM's kernel exp(−(x² + y²)/size), normalised.
	spike := make([]float64, 21*21)
	spike[10*21+10] = 1
	gaussianBlur(spike, 21, 21, 2)
	norm := 0.0
	for a := -2; a <= 2; a++ {
		norm += math.Exp(-float64(a*a) / 2)
	}
	for _, d := range [][2]int{{0, 0}, {1, 0}, {2, 1}, {2, 2}, {-1, 2}} {
		want := math.Exp(-float64(d[0]*d[0]+d[1]*d[1])/2) / (norm * norm)
		if got := spike[(10+d[1])*21+10+d[0]]; math.Abs(got-want) > 1e-15 {
			t.Errorf("blurred spike at %v: %g, want %g", d, got, want)
		}
	}
	if got := spike[(10+3)*21+10]; got != 0 {
		t.Errorf("blurred spike 3 cells away: %g, want 0 (the kernel spans ±2)", got)
	}
	// A void is filled from its neighbours.
	v := []float64{1, 2, 3, 4, math.NaN(), 6, 7, 8, 9}
	if n, err := fillVoids(v, 3, 3); err != nil || n != 1 || v[4] != 5 {
		t.Errorf("fillVoids: %d voids, centre %g, %v; want 1, 5, nil", n, v[4], err)
	}
	if _, err := fillVoids([]float64{math.NaN()}, 1, 1); err == nil {
		t.Error("fillVoids of an empty DEM: no error")
	}
}

// TestRegionFromEachOutline builds Hintereisferner's map from each outline
// of it in the sample data: RGI 6 as shapefile (a .prj) and GeoJSON
// (EPSG:4326), RGI 7 (PolygonZ, its own attribute names and area) and RGI 5
// among the Ötztal's glaciers. Each mask holds the file's RGI area within
// 1 %.
func TestRegionFromEachOutline(t *testing.T) {
	_, d := hef(t)
	for _, c := range []struct{ file, id string }{
		{"Hintereisferner_RGI6.shp", "RGI60-11.00897"},
		{"Hintereisferner_RGI6.geojson", "RGI60-11.00897"},
		{"rgi7g_hef.shp", "RGI2000-v7.0-G-11-03116"},
		{"rgi_oetztal.geojson", "RGI50-11.00897"},
	} {
		t.Run(c.file, func(t *testing.T) {
			all, err := outline.Read(testfiles.File(t, "sample", "outlines", c.file))
			if err != nil {
				t.Fatal(err)
			}
			o, err := outline.Find(all, c.id)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewRegion(o, d, RegionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d×%d cells of %.0f m, mask %.3f km², RGI %.3f km²", c.id, r.Nx, r.Ny, r.DX, r.MaskArea()/1e6, o.Area)
			if r.DX != 50 {
				t.Errorf("cells of %g m, want 50", r.DX)
			}
			if rel := math.Abs(r.MaskArea()/1e6-o.Area) / o.Area; rel > 0.01 {
				t.Errorf("mask %.3f km², RGI %.3f km² (%.1f %%)", r.MaskArea()/1e6, o.Area, 100*rel)
			}
		})
	}
}
