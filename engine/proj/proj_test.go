package proj

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// projOf returns the projection of a case of testdata/proj_tmerc.csv.
func projOf(t *testing.T, name string) *TransverseMercator {
	t.Helper()
	var (
		p   *TransverseMercator
		err error
	)
	switch name {
	case "utm32n":
		p, err = UTM(32, true)
	case "utm7n":
		p, err = UTM(7, true)
	case "utm33s":
		p, err = UTM(33, false)
	case "local_hef":
		p, err = LocalTM(10.7584)
	case "tm_lat0":
		p, err = NewTransverseMercator(GRS80, 10, 46.5, 1, 1000, -2000)
	default:
		t.Fatalf("unknown case %q", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAgainstPROJ compares Forward and Inverse with PROJ's exact transverse
// Mercator (testdata/proj_tmerc.csv, made with cs2cs of PROJ 9.1.1) at the
// points within 4000 km of the central meridian: UTM north and south, OGGM's
// local projection of Hintereisferner and a projection with a latitude of
// origin, false easting and northing on GRS 80.
func TestAgainstPROJ(t *testing.T) {
	f, err := os.Open("testdata/proj_tmerc.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, worst, worstDeg := 0, 0.0, 0.0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "case,") {
			continue
		}
		c := strings.Split(line, ",")
		v := make([]float64, 4)
		for i := range v {
			if v[i], err = strconv.ParseFloat(c[i+1], 64); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
		}
		p := projOf(t, c[0])
		lon0, _, _, _, _ := p.Params()
		if dist := math.Abs(math.Remainder(v[0]-lon0, 360)) * 111.3 * math.Cos(v[1]*deg); dist > 4000 {
			continue
		}
		x, y := p.Forward(v[0], v[1])
		d := math.Hypot(x-v[2], y-v[3])
		worst = max(worst, d)
		if !(d <= 1e-6) {
			t.Errorf("%s: Forward(%g, %g) = (%.9f, %.9f), PROJ (%.9f, %.9f): %.3g m apart", c[0], v[0], v[1], x, y, v[2], v[3], d)
		}
		lon, lat := p.Inverse(v[2], v[3])
		dd := max(math.Abs(math.Remainder(lon-v[0], 360))*math.Cos(v[1]*deg), math.Abs(lat-v[1]))
		worstDeg = max(worstDeg, dd)
		if !(dd <= 1e-11) { // 1e-11° ≈ 1 µm
			t.Errorf("%s: Inverse(%.9f, %.9f) = (%.12f, %.12f), want (%g, %g)", c[0], v[2], v[3], lon, lat, v[0], v[1])
		}
		n++
	}
	if n < 40 {
		t.Fatalf("only %d points compared", n)
	}
	t.Logf("%d points: largest difference from PROJ %.2g m forward, %.2g° inverse", n, worst, worstDeg)
}

// TestRoundTrip projects a grid of points up to 35° from the central
// meridian and back.
func TestRoundTrip(t *testing.T) {
	p, err := UTM(32, true)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for lat := -89.5; lat <= 89.5; lat += 2.5 {
		for dlon := -35.0; dlon <= 35; dlon += 2.5 {
			lon := 9 + dlon
			x, y := p.Forward(lon, lat)
			lon2, lat2 := p.Inverse(x, y)
			x2, y2 := p.Forward(lon2, lat2)
			worst = max(worst, math.Hypot(x2-x, y2-y))
			if d := math.Hypot(x2-x, y2-y); d > 1e-8 {
				t.Errorf("(%g, %g) → (%f, %f) → (%.12f, %.12f): %.3g m", lon, lat, x, y, lon2, lat2, d)
			}
		}
	}
	t.Logf("largest round-trip error %.2g m", worst)
}

func TestForwardEdges(t *testing.T) {
	p, _ := UTM(32, true)
	if x, _ := p.Forward(9+90, 0); !math.IsInf(x, 1) {
		t.Errorf("the singular point 90° from the central meridian on the equator gives x = %g, want +Inf", x)
	}
	if x, y := p.Forward(9, 91); !math.IsNaN(x) || !math.IsNaN(y) {
		t.Errorf("latitude 91° gives (%g, %g), want NaN", x, y)
	}
	if x, y := p.Forward(9, 90); math.Abs(x-500000) > 1e-6 || math.Abs(y-0.9996*10001965.729) > 1 {
		t.Errorf("the pole is at (%f, %f), want (500000, %f)", x, y, 0.9996*10001965.729)
	}
	if lon, lat := p.Inverse(math.NaN(), 0); !math.IsNaN(lon) || !math.IsNaN(lat) {
		t.Errorf("Inverse(NaN, 0) = %g, %g", lon, lat)
	}
}

func TestUTMZone(t *testing.T) {
	for _, tc := range []struct {
		lon, lat float64
		zone     int
		north    bool
	}{
		{10.7584, 46.8, 32, true},
		{-139.06, 60.82, 7, true},
		{-180, 0, 1, true},
		{180, 0, 1, true},
		{179.99, -1, 60, false},
		{3, -0.0001, 31, false},
	} {
		z, n := UTMZone(tc.lon, tc.lat)
		if z != tc.zone || n != tc.north {
			t.Errorf("UTMZone(%g, %g) = %d %v, want %d %v", tc.lon, tc.lat, z, n, tc.zone, tc.north)
		}
	}
	for _, bad := range []int{0, 61} {
		if _, err := UTM(bad, true); err == nil || !strings.Contains(err.Error(), "1 to 60") {
			t.Errorf("UTM(%d): %v", bad, err)
		}
	}
}

func TestNewTransverseMercatorErrors(t *testing.T) {
	for _, tc := range []struct {
		ell                  Ellipsoid
		lon0, lat0, k0, x, y float64
		want                 string
	}{
		{Ellipsoid{"bad", 0, 0}, 0, 0, 1, 0, 0, "semi-major axis"},
		{WGS84, 0, 90, 1, 0, 0, "latitude of origin"},
		{WGS84, 0, 0, 0, 0, 0, "scale factor"},
		{WGS84, 0, 0, 1, math.Inf(1), 0, "finite"},
	} {
		if _, err := NewTransverseMercator(tc.ell, tc.lon0, tc.lat0, tc.k0, tc.x, tc.y); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc, err, tc.want)
		}
	}
}

// The .prj files of the sample data (ESRI WKT: no EPSG codes) and OGC WKT
// with authority codes.
func TestParseWKT(t *testing.T) {
	for _, tc := range []struct {
		name, wkt string
		epsg      int
		geo       bool
	}{
		{"RGI6 .prj", `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]`, 4326, true},
		{"RGI7 .prj", `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, 4326, true},
		{"consensus thickness .prj", `PROJCS["WGS_1984_UTM_Zone_32N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",9.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`, 32632, false},
		{"QGIS .qpj", `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]`, 4326, true},
		{"UTM 7S by parameters", `PROJCS["x",GEOGCS["g",DATUM["d",SPHEROID["s",6378137,298.257223563]]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",-141],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",10000000],UNIT["metre",1]]`, 32707, false},
		{"ETRS89 / UTM 32N", `PROJCS["ETRS89 / UTM zone 32N",GEOGCS["ETRS89",DATUM["European_Terrestrial_Reference_System_1989",SPHEROID["GRS 1980",6378137,298.257222101]]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",9],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],UNIT["metre",1],AUTHORITY["EPSG","25832"]]`, 25832, false},
	} {
		c, err := ParseWKT(tc.wkt)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.EPSG != tc.epsg || c.Geographic() != tc.geo {
			t.Errorf("%s: EPSG %d, geographic %v; want %d, %v", tc.name, c.EPSG, c.Geographic(), tc.epsg, tc.geo)
		}
		ref, err := FromEPSG(tc.epsg)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Equal(ref) {
			t.Errorf("%s: %s is not EPSG:%d (%s)", tc.name, c, tc.epsg, ref)
		}
	}
}

func TestParseWKTErrors(t *testing.T) {
	for _, tc := range []struct{ wkt, want string }{
		{``, "want a keyword"},
		{`GEOGCS["x"`, "not closed"},
		{`GEOGCS["x",DATUM["d",SPHEROID["Bessel 1841",6377397.155,299.1528128]]]`, `"Bessel 1841"`},
		{`PROJCS["Austria Lambert",GEOGCS["g",DATUM["d",SPHEROID["s",6378137,298.257223563]]],PROJECTION["Lambert_Conformal_Conic_2SP"]]`, `"Lambert_Conformal_Conic_2SP" is not one Firn reads`},
		{`PROJCS["feet",GEOGCS["g",DATUM["d",SPHEROID["s",6378137,298.257223563]]],PROJECTION["Transverse_Mercator"],UNIT["foot",0.3048]]`, `linear unit "foot"`},
		{`GEOGCS["grads",DATUM["d",SPHEROID["s",6378137,298.257223563]],UNIT["grad",0.015707963267949]]`, `angular unit "grad"`},
		{`VERT_CS["height"]`, "VERT_CS is not"},
		{`GEOGCS["x"] trailing`, "text after the end"},
	} {
		_, err := ParseWKT(tc.wkt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseWKT(%q): %v, want %q", tc.wkt, err, tc.want)
		}
	}
	if _, err := FromEPSG(31287); err == nil || !strings.Contains(err.Error(), "EPSG:31287") {
		t.Errorf("FromEPSG(31287): %v", err)
	}
}

func TestTransform(t *testing.T) {
	utm, _ := FromEPSG(32632)
	ll := LonLat()
	poly := orb.Polygon{{{10.7, 46.8}, {10.8, 46.8}, {10.8, 46.85}, {10.7, 46.8}}}
	g, err := Transform(poly, ll, utm)
	if err != nil {
		t.Fatal(err)
	}
	if poly[0][0] != (orb.Point{10.7, 46.8}) {
		t.Errorf("Transform changed its input: %v", poly[0][0])
	}
	x, y := utm.FromLonLat(10.8, 46.85)
	if got := g.(orb.Polygon)[0][2]; got != (orb.Point{x, y}) {
		t.Errorf("point 3 = %v, want (%f, %f)", got, x, y)
	}
	back, err := Transform(g, utm, ll)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range back.(orb.Polygon)[0] {
		if math.Abs(q[0]-poly[0][i][0]) > 1e-12 || math.Abs(q[1]-poly[0][i][1]) > 1e-12 {
			t.Errorf("point %d back at %v", i+1, q)
		}
	}
	pt, err := Transform(orb.Point{9, 0}, ll, utm)
	if err != nil || pt.(orb.Point) != (orb.Point{500000, 0}) {
		t.Errorf("a point: %v, %v", pt, err)
	}
	if _, err := Transform(orb.LineString{{9, 0}, {99, 0}}, ll, utm); err == nil || !strings.Contains(err.Error(), "point 2 (99, 0)") {
		t.Errorf("the singular point: %v", err)
	}
}

func BenchmarkForward(b *testing.B) {
	p, _ := UTM(32, true)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Forward(10+float64(i%100)*1e-3, 46.8)
	}
}

func BenchmarkInverse(b *testing.B) {
	p, _ := UTM(32, true)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Inverse(634179+float64(i%100), 5184473)
	}
}
