package plots

import (
	"bytes"
	"encoding/xml"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/edu"
)

// svgPath is one drawn path of an SVG: its style and its points.
type svgPath struct {
	style string
	pts   [][2]float64
}

// svgPathPoints returns the SVG's paths with their points, in order.
func svgPathPoints(t *testing.T, svg []byte) []svgPath {
	t.Helper()
	num := regexp.MustCompile(`-?[0-9.]+(e-?[0-9]+)?`)
	var out []svgPath
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		e, ok := tok.(xml.StartElement)
		if !ok || e.Name.Local != "path" {
			continue
		}
		p := svgPath{style: attr(e, "style")}
		ns := num.FindAllString(attr(e, "d"), -1)
		for k := 0; k+1 < len(ns); k += 2 {
			x, _ := strconv.ParseFloat(ns[k], 64)
			y, _ := strconv.ParseFloat(ns[k+1], 64)
			p.pts = append(p.pts, [2]float64{x, y})
		}
		out = append(out, p)
	}
	return out
}

// pathsWith returns the paths whose style holds s and that have n points.
func pathsWith(paths []svgPath, s string, n int) []svgPath {
	var out []svgPath
	for _, p := range paths {
		if strings.Contains(p.style, s) && len(p.pts) == n {
			out = append(out, p)
		}
	}
	return out
}

// TestBedFigures checks the drawn paths of the bed plots against the bed:
// the top view's outline is the width, half on each side of one centre
// line (its edges' distance at each point in proportion to the width);
// the side view's bed line falls as the bed; the ELA line lies where the
// ELA is between the bed's top and bottom; the ice on the top view covers
// the points that have ice, at the width of its surface.
func TestBedFigures(t *testing.T) {
	const n = 200
	bed := edu.NewBed(3400, 1400, 300).WithWidthFunc(func(x float64) float64 { return 600 - x/50 }) // 600 → 202 m
	g := edu.NewGlacier(bed, edu.NewMassBalance(3000, 4))
	if err := g.ProgressToYear(300); err != nil {
		t.Fatal(err)
	}
	iceAt := 0
	for _, h := range g.State().Thickness {
		if h > 0 {
			iceAt++
		}
	}
	for _, tc := range []struct {
		name string
		fig  *Figure
		ela  float64 // 0: no ELA line
		ice  int     // points of ice on the top view
	}{
		{"Bed", Bed(bed), 0, 0},
		{"GlacierBed", GlacierBed(g), 3000, iceAt},
	} {
		svg, err := tc.fig.SVG()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		paths := svgPathPoints(t, svg)
		// The valley's outline: 2n points of rock fill, upper edge out, lower edge back.
		valley := pathsWith(paths, "fill:#D3CCC0", 2*n)
		if len(valley) != 1 {
			t.Fatalf("%s: %d valley outlines of %d points", tc.name, len(valley), 2*n)
		}
		v := valley[0].pts
		across := func(pts [][2]float64, k, m int) (width, centre float64) {
			up, lo := pts[k], pts[2*m-1-k]
			if math.Abs(up[0]-lo[0]) > 0.01 {
				t.Fatalf("%s: the outline's edges at point %d are at x %g and %g", tc.name, k, up[0], lo[0])
			}
			return math.Abs(up[1] - lo[1]), (up[1] + lo[1]) / 2
		}
		w0, c0 := across(v, 0, n)
		for _, k := range []int{0, 50, 100, 199} {
			w, c := across(v, k, n)
			if want := bed.Width[k] / bed.Width[0]; math.Abs(w/w0-want) > 2e-3 {
				t.Errorf("%s: outline width at point %d is %.4f of the first, the bed's %.4f", tc.name, k, w/w0, want)
			}
			if math.Abs(c-c0) > 0.01 {
				t.Errorf("%s: outline centre at point %d is at %g, at point 0 %g", tc.name, k, c, c0)
			}
			if wantX := float64(k) / (n - 1); math.Abs((v[k][0]-v[0][0])/(v[n-1][0]-v[0][0])-wantX) > 1e-3 {
				t.Errorf("%s: point %d drawn at %.4f of the length, want %.4f", tc.name, k, (v[k][0]-v[0][0])/(v[n-1][0]-v[0][0]), wantX)
			}
		}
		// The side view's bed line: n points in the bed's colour.
		beds := pathsWith(paths, "stroke:#4D4D4D", n)
		if len(beds) != 1 {
			t.Fatalf("%s: %d bed lines of %d points", tc.name, len(beds), n)
		}
		b := beds[0].pts
		frac := func(y float64) float64 { return (y - b[0][1]) / (b[n-1][1] - b[0][1]) }
		for _, k := range []int{50, 150} {
			if want := (bed.Altitude[k] - bed.Altitude[0]) / (bed.Altitude[n-1] - bed.Altitude[0]); math.Abs(frac(b[k][1])-want) > 1e-3 {
				t.Errorf("%s: bed at point %d drawn at %.4f of its drop, want %.4f", tc.name, k, frac(b[k][1]), want)
			}
		}
		elas := pathsWith(paths, "stroke-dasharray:4,3", 2)
		switch {
		case tc.ela == 0 && len(elas) != 0:
			t.Errorf("%s: an ELA line on a bare bed", tc.name)
		case tc.ela != 0 && len(elas) != 1:
			t.Errorf("%s: %d ELA lines", tc.name, len(elas))
		case tc.ela != 0:
			want := (tc.ela - 3400) / (1400 - 3400)
			if got := frac(elas[0].pts[0][1]); math.Abs(got-want) > 1e-3 || elas[0].pts[0][1] != elas[0].pts[1][1] {
				t.Errorf("%s: ELA line at %.4f of the bed's drop, want %.4f, level", tc.name, got, want)
			}
		}
		ice := pathsWith(paths, "fill:#55B4E8", 2*tc.ice+1) // both edges and the tip
		if tc.ice == 0 {
			if len(pathsWith(paths, "fill:#55B4E8", 2*n)) != 0 || bytes.Contains(svg, []byte("fill:#55B4E8")) {
				t.Errorf("%s: ice on a bare bed", tc.name)
			}
			continue
		}
		if len(ice) != 1 {
			t.Fatalf("%s: %d top-view ice outlines of %d points", tc.name, len(ice), 2*tc.ice+1)
		}
		tip := ice[0].pts[tc.ice]
		if math.Abs(tip[0]-v[tc.ice][0]) > 0.01 || math.Abs(tip[1]-c0) > 0.01 {
			t.Errorf("%s: the ice ends at %v, want the centre of the first point without ice %v", tc.name, tip, [2]float64{v[tc.ice][0], c0})
		}
		ice[0].pts = slices.Delete(ice[0].pts, tc.ice, tc.ice+1)
		s := g.State()
		for _, k := range []int{0, tc.ice / 2, tc.ice - 1} {
			w, _ := across(ice[0].pts, k, tc.ice)
			if want := s.Width[k] / bed.Width[0]; math.Abs(w/w0-want) > 2e-3 {
				t.Errorf("%s: ice width at point %d is %.4f of the valley's first, want %.4f", tc.name, k, w/w0, want)
			}
			if math.Abs(ice[0].pts[k][0]-v[k][0]) > 0.01 {
				t.Errorf("%s: ice point %d at x %g, the valley's at %g", tc.name, k, ice[0].pts[k][0], v[k][0])
			}
		}
	}
	if _, err := Bed(nil).SVG(); err == nil || !strings.Contains(err.Error(), "plots.Bed: no bed") {
		t.Errorf("Bed(nil): %v", err)
	}
}

// TestCollectionAndRunoffFigures: the collection's one-call figure draws
// a surface line per glacier, the volume and the length with the length's
// threshold on its axis; a collection that has not run says so; the
// runoff figure draws five series as long as the years.
func TestCollectionAndRunoffFigures(t *testing.T) {
	base := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	c, err := edu.Vary(base, "slope", 4, 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Collection(c).SVG(); err == nil || !strings.Contains(err.Error(), "slope = 4 ° has not run yet") {
		t.Errorf("collection before running: %v", err)
	}
	if err := c.ProgressToYear(100); err != nil {
		t.Fatal(err)
	}
	svg, err := Collection(c).SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"slope = 4 °", "slope = 8 °", "Volume (km³)", "Length of ice &gt; 10 m (km)", "ELA 3000 m"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("collection figure lacks %q", want)
		}
	}
	paths := svgPathPoints(t, svg)
	// Surfaces: one per glacier in the first two series colours; the
	// 101-point volume and length lines: two per glacier.
	for _, colour := range []string{"stroke:#0072B2", "stroke:#D55E00"} {
		if got := len(pathsWith(paths, colour, 101)); got != 2 {
			t.Errorf("%s: %d lines of 101 years, want volume and length", colour, got)
		}
	}
	r, err := c.Glaciers[0].Runoff()
	if err != nil {
		t.Fatal(err)
	}
	rsvg, err := Runoff(r).SVG()
	if err != nil {
		t.Fatal(err)
	}
	rp := svgPathPoints(t, rsvg)
	lines := 0
	for _, colour := range []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"} {
		lines += len(pathsWith(rp, "stroke:"+colour, r.Len()))
	}
	if lines != 5 {
		t.Errorf("runoff figure: %d lines of %d years, want 5", lines, r.Len())
	}
	if !bytes.Contains(rsvg, []byte("melt on glacier")) {
		t.Error("runoff figure lacks its legend")
	}
}
