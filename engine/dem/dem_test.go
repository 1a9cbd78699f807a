package dem

import (
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/firnglacier/firn/internal/testfiles"
)

func readCSV(t testing.TB, name string) [][]string {
	t.Helper()
	return testfiles.CSV(t, "sample", "dem", name)
}

// Every raster of testdata/sample/dem against GDAL (grids_expected.csv,
// values_expected.csv): the type, size, corner, cell size, EPSG code and
// nodata value; the number and sum of valid cells; 24 cells' values. The
// files cover Int16, Float32 and Float64; strips and tiles (edge tiles
// partly outside); none, deflate and LZW; both byte orders; geographic
// (EPSG:4326) and UTM (32632, 32607); and ESRI ASCII grids.
func TestRasters(t *testing.T) {
	values := map[string][][]string{}
	for _, r := range readCSV(t, "values_expected.csv") {
		values[r[0]] = append(values[r[0]], r)
	}
	for _, r := range readCSV(t, "grids_expected.csv") {
		t.Run(r[0], func(t *testing.T) {
			g, err := Read(testfiles.File(t, "sample", "dem", r[0]))
			if err != nil {
				t.Fatal(err)
			}
			num := func(i int) float64 {
				x, err := strconv.ParseFloat(r[i], 64)
				if err != nil {
					return math.NaN()
				}
				return x
			}
			if g.Type != r[1] && g.Type != "ascii" {
				t.Errorf("type %s, GDAL %s", g.Type, r[1])
			}
			epsg, _ := strconv.Atoi(r[8])
			if g.Width != int(num(2)) || g.Height != int(num(3)) || g.X0 != num(4) || g.Y0 != num(5) ||
				g.DX != num(6) || g.DY != num(7) || g.EPSG != epsg {
				t.Errorf("%d×%d corner %v,%v cells %v×%v EPSG:%d; GDAL %v", g.Width, g.Height, g.X0, g.Y0, g.DX, g.DY, g.EPSG, r[2:9])
			}
			if nd := num(9); !(nd == g.NoData || math.IsNaN(nd) && math.IsNaN(g.NoData)) {
				t.Errorf("nodata %v, GDAL %q", g.NoData, r[9])
			}
			n, sum := 0, 0.0
			for _, x := range g.Data {
				if !math.IsNaN(x) {
					n++
					sum += x
				}
			}
			if n != int(num(10)) || math.Abs(sum-num(11)) > 1e-9*math.Abs(num(11)) {
				t.Errorf("%d valid cells summing to %v; GDAL %v, %v", n, sum, r[10], r[11])
			}
			for _, v := range values[r[0]] {
				col, _ := strconv.Atoi(v[1])
				row, _ := strconv.Atoi(v[2])
				want, _ := strconv.ParseFloat(v[3], 64)
				if got := g.At(col, row); got != want && !(math.IsNaN(got) && want == g.NoData) {
					t.Errorf("cell %d,%d = %v, GDAL %v", col, row, got, want)
				}
			}
		})
	}
}

// The tiled, deflated and LZW copies hold the same cells as the window of
// the original uncompressed strips they were cut from (gdal_translate
// -srcwin 136 88 96 96).
func TestVariantsAgree(t *testing.T) {
	full, err := Read(testfiles.File(t, "sample", "dem", "hef_srtm.tif"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"hef_srtm_tiled_deflate.tif", "hef_srtm_strips_lzw.tif", "hef_srtm_bigendian_tiled_lzw.tif", "hef_srtm_window.asc"} {
		g, err := Read(testfiles.File(t, "sample", "dem", name))
		if err != nil {
			t.Fatal(err)
		}
		for row := range g.Height {
			for col := range g.Width {
				if g.At(col, row) != full.At(136+col, 88+row) {
					t.Fatalf("%s: cell %d,%d = %v, original %v", name, col, row, g.At(col, row), full.At(136+col, 88+row))
				}
			}
		}
	}
}

// Broken files give errors naming the file, never a panic.
func TestBrokenRasters(t *testing.T) {
	b, err := os.ReadFile(testfiles.File(t, "sample", "dem", "hef_srtm_tiled_deflate.tif"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n += 1 + n/2 {
		if _, err := decodeGeoTIFF(b[:n]); err == nil && n < len(b)-1 {
			t.Errorf("cut to %d bytes: no error", n)
		}
	}
	if _, err := Read("x.png"); err == nil {
		t.Error("a .png: no error")
	}
}

func BenchmarkReadGeoTIFF(b *testing.B) {
	for _, name := range []string{"hef_srtm.tif", "hef_srtm_tiled_deflate.tif", "hef_srtm_strips_lzw.tif", "thickness_tiled_deflate.tif"} {
		p := testfiles.File(b, "sample", "dem", name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ReadGeoTIFF(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
