package outline

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/testfiles"
)

// Every shapefile of the sample data against what ogr2ogr reads from it
// (shapefiles_expected.csv): per feature, the id, the area, the number of
// rings and points, the first vertex and the bounding box.
func TestShapefiles(t *testing.T) {
	rows := testfiles.CSV(t, "sample", "outlines", "shapefiles_expected.csv")
	cache := map[string][]*Outline{}
	for _, r := range rows {
		file := r[0]
		outs, ok := cache[file]
		if !ok {
			var err error
			if outs, err = Read(testfiles.File(t, "sample", "outlines", file)); err != nil {
				t.Fatal(err)
			}
			cache[file] = outs
		}
		k, _ := strconv.Atoi(r[1])
		if k >= len(outs) {
			t.Errorf("%s: %d features, want more than %d", file, len(outs), k)
			continue
		}
		o := outs[k]
		num := func(i int) float64 { x, _ := strconv.ParseFloat(r[i], 64); return x }
		rings, points := 0, 0
		for _, p := range o.Geometry {
			for _, ring := range p {
				rings++
				points += len(ring)
			}
		}
		b := o.Geometry.Bound()
		first := o.Geometry[0][0][0]
		// ogr2ogr writes 15 significant digits.
		near := func(x float64, i int) bool { return math.Abs(x-num(i)) <= 1e-12*math.Abs(x) }
		if o.ID != r[2] || !near(o.Area, 3) || rings != int(num(4)) || points != int(num(5)) ||
			!near(first[0], 6) || !near(first[1], 7) ||
			!near(b.Min[0], 8) || !near(b.Min[1], 9) || !near(b.Max[0], 10) || !near(b.Max[1], 11) {
			t.Errorf("%s feature %d: %s %g km², %d rings %d points, first %v, bound %v; ogr2ogr %v", file, k, o.ID, o.Area, rings, points, first, b, r[2:])
		}
	}
	if n := len(cache["rgi_oetztal.shp"]); n != 20 {
		t.Errorf("rgi_oetztal.shp: %d glaciers, want 20", n)
	}
}

// Hintereisferner in RGI 5, 6 and 7 (three naming schemes), from
// shapefiles and GeoJSON: the same fields whatever the names.
func TestRGIAttributes(t *testing.T) {
	for _, tc := range []struct {
		file, id                 string
		version                  int
		area, cenlon, zmin, zmax float64
		lmax                     float64
		name                     string
		holes                    int
	}{
		{"rgi_oetztal.shp", "RGI50-11.00897", 5, 8.036, 10.7584, 2430, 3674, 7178, "Hintereisferner", 5},
		{"rgi_oetztal.geojson", "RGI50-11.00897", 5, 8.036, 10.7584, 2430, 3674, 7178, "Hintereisferner", 5},
		{"Hintereisferner_RGI6.shp", "RGI60-11.00897", 6, 8.036, 10.7584, 2430, 3674, 7178, "Hintereisferner", 5},
		{"Hintereisferner_RGI6.geojson", "RGI60-11.00897", 6, 8.036, 10.7584, 2430, 3674, 7178, "Hintereisferner", 5},
		{"rgi7g_hef.shp", "RGI2000-v7.0-G-11-03116", 7, 8.036175234219074, 10.7518, 2413, 3695, 8548, "Hintereisferner", 5},
	} {
		t.Run(tc.file, func(t *testing.T) {
			all, err := Read(testfiles.File(t, "sample", "outlines", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			o, err := Find(all, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if o.RGIVersion != tc.version || o.Area != tc.area || math.Abs(o.CenLon-tc.cenlon) > 1e-3 ||
				math.Round(o.Zmin) != tc.zmin || math.Round(o.Zmax) != tc.zmax || o.Lmax != tc.lmax || strings.Fields(o.Name)[0] != tc.name {
				t.Errorf("RGI%d %g km² cenlon %g z %g–%g m lmax %g m %q", o.RGIVersion, o.Area, o.CenLon, o.Zmin, o.Zmax, o.Lmax, o.Name)
			}
			if len(o.Geometry) != 1 || len(o.Geometry[0])-1 != tc.holes {
				t.Errorf("%d polygons, the first with %d holes; want 1 with %d", len(o.Geometry), len(o.Geometry[0])-1, tc.holes)
			}
		})
	}
	if _, err := Find(nil, "RGI60-11.00001"); err == nil {
		t.Error("Find of a missing id: no error")
	}
}

// The RGI 5 DBF carries a stray byte 0xC0 after Hintereisferner's Name
// (ISO-8859-1, as its .cpg says): it is decoded as À, never a broken
// string. (The GeoJSON derived from it dropped the byte.)
func TestShapefileLatin1(t *testing.T) {
	all, err := ReadShapefile(testfiles.File(t, "sample", "outlines", "rgi_oetztal.shp"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		for k, v := range o.Attrs {
			for _, r := range v {
				if r == '\uFFFD' {
					t.Errorf("%s %s = %q: a replacement character", o.ID, k, v)
				}
			}
		}
	}
}

// Broken files give errors naming the file.
func TestShapefileBroken(t *testing.T) {
	b, err := os.ReadFile(testfiles.File(t, "sample", "outlines", "Hintereisferner_RGI6.shp"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 50, 108, 200, len(b) - 8} {
		if _, err := parseShp(b[:n], "cut.shp"); err == nil {
			t.Errorf("cut to %d bytes: no error", n)
		}
	}
	if _, err := Read("x.kml"); err == nil {
		t.Error("a .kml: no error")
	}
}
