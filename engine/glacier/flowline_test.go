package glacier

import (
	"math"
	"testing"

	"github.com/firnglacier/firn/engine/proj"
)

func TestQuantile7(t *testing.T) {
	// Values from numpy.quantile (its default, "linear").
	for _, c := range []struct {
		x    []float64
		p, q float64
	}{
		{[]float64{1, 2, 3, 4}, 0.2, 1.6},
		{[]float64{1, 2, 3, 4, 5}, 0.05, 1.2},
		{[]float64{1, 2, 3, 4, 5}, 1, 5},
		{[]float64{1, 2, 3, 4, 5}, 0, 1},
		{[]float64{0.1, 0.3, 0.35, 0.9}, 0.8, 0.57},
		{[]float64{7}, 0.5, 7},
	} {
		if got := quantile7(c.x, c.p); math.Abs(got-c.q) > 1e-12 {
			t.Errorf("quantile7(%v, %g) = %g, want %g", c.x, c.p, got, c.q)
		}
	}
}

func TestBandSlope(t *testing.T) {
	ramp := func(n int, f func(k int) float64) []float64 {
		x := make([]float64, n)
		for k := range x {
			x[k] = f(k + 1)
		}
		return x
	}
	for _, c := range []struct {
		name string
		sl   []float64
		want float64
	}{
		// 1…100 (×0.005): Q(0.05) = 5.95, 2·Q(0.2)/Q(0.8) = 2·20.8/80.2 <
		// 0.55, Q(0.55) = 55.45: the mean of 6…55 is 30.5.
		{"uniform: the upper quantile clipped at 0.55", ramp(100, func(k int) float64 { return 0.005 * float64(k) }), 0.005 * 30.5},
		// 100 values 1…1.99 (×0.1): 2·Q(0.2)/Q(0.8) = 2·1.198/1.792 > 0.95:
		// between Q(0.05) = 1.0495 and Q(0.95) = 1.9405, 1.05…1.94.
		{"narrow: clipped at 0.95", ramp(100, func(k int) float64 { return 0.1 * (0.99 + 0.01*float64(k)) }), 0.1 * 1.495},
		{"one cell", []float64{0.3}, 0.3},
	} {
		if got := bandSlope(c.sl); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: %.15g, want %.15g", c.name, got, c.want)
		}
	}
}

// planeRegion is a map of a glacier on a plane falling southwards with
// slope tan α = s: a rectangle of w×l cells (dx m) in a map with a margin
// of 3 cells.
func planeRegion(w, l int, dx, s float64) *Region {
	nx, ny := w+6, l+6
	tm, _ := proj.LocalTM(10)
	r := &Region{ID: "plane", CRS: proj.Projected("plane", tm), DX: dx, Nx: nx, Ny: ny,
		Topo: make([]float64, nx*ny), Mask: make([]bool, nx*ny), RGIArea: float64(w*l) * dx * dx}
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			r.Topo[j*nx+i] = 3000.5 - s*dx*float64(j)
			r.Mask[j*nx+i] = i >= 3 && i < 3+w && j >= 3 && j < 3+l
		}
	}
	r.TopoSmoothed = r.Topo
	return r
}

// TestElevationBandsPlane: on a plane every band has the plane's slope, a
// length of binSize/tan α and the glacier's width; the flowline keeps the
// area and falls with the plane.
func TestElevationBandsPlane(t *testing.T) {
	for _, c := range []struct {
		name      string
		w, l      int
		dx, slope float64
	}{
		{"10×60 cells of 50 m, 10 %", 10, 60, 50, 0.1},
		{"4×200 cells of 20 m, 30 %", 4, 200, 20, 0.3},
		{"25×40 cells of 100 m, 5 %", 25, 40, 100, 0.05},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := planeRegion(c.w, c.l, c.dx, c.slope)
			b, err := ElevationBands(r, 30)
			if err != nil {
				t.Fatal(err)
			}
			area := 0.0
			for k := range b.Area {
				area += b.Area[k]
				if math.Abs(math.Tan(b.Slope[k])-c.slope) > 1e-12 {
					t.Fatalf("band %d: slope %g, want %g", k, math.Tan(b.Slope[k]), c.slope)
				}
				if want := 30 / c.slope; math.Abs(b.Length[k]-want) > 1e-9 {
					t.Fatalf("band %d: length %g m, want %g", k, b.Length[k], want)
				}
				if k > 0 && b.MeanElevation[k] >= b.MeanElevation[k-1] {
					t.Fatalf("band %d at %g m is not below band %d at %g m", k, b.MeanElevation[k], k-1, b.MeanElevation[k-1])
				}
			}
			if math.Abs(area-r.MaskArea()) > 1e-6 {
				t.Errorf("bands' area %g m², mask %g m²", area, r.MaskArea())
			}
			fl, err := FixedDx("plane", b, 2*c.dx, r.RGIArea)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(fl.Area()-r.RGIArea) > 1e-6*r.RGIArea {
				t.Errorf("flowline area %g m², want %g", fl.Area(), r.RGIArea)
			}
			// Inner bands are full rows: the glacier's width.
			mid := fl.Len() / 2
			if want := float64(c.w) * c.dx; math.Abs(fl.Width[mid]-want) > 0.1*want {
				t.Errorf("width at point %d: %g m, want about %g", mid, fl.Width[mid], want)
			}
			// Between the inner bands (the top and bottom ones may be
			// partly filled, their mean heights off their bins' middles).
			n := len(b.Distance)
			for i := 1; i < fl.Len(); i++ {
				if x := fl.Top + float64(i-1)*fl.Dx; x < b.Distance[1] || x+fl.Dx > b.Distance[n-2] {
					continue
				}
				if d := fl.Surface[i-1] - fl.Surface[i]; math.Abs(d-c.slope*fl.Dx) > 1e-6 {
					t.Fatalf("surface falls by %g m from point %d to %d, want %g", d, i-1, i, c.slope*fl.Dx)
				}
			}
		})
	}
}

// TestFlowlineHintereisferner: the flowline's area is the RGI area, and the
// bands needed less than 1 % of correction to get there.
func TestFlowlineHintereisferner(t *testing.T) {
	r := hefRegion(t)
	fl, b, err := ElevationBandFlowline(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	bandArea := 0.0
	for _, a := range b.Area {
		bandArea += a
	}
	t.Logf("%d bands of %g m, %.3f km²; flowline of %d points %.0f m apart (%.1f km), %.4f km² (RGI %.4f km²), width factor %.4f",
		len(b.Area), b.BinSize, bandArea/1e6, fl.Len(), fl.Dx, float64(fl.Len())*fl.Dx/1e3, fl.Area()/1e6, r.RGIArea/1e6, fl.WidthFactor)
	if rel := math.Abs(fl.Area()-r.RGIArea) / r.RGIArea; rel > 0.01 {
		t.Errorf("flowline area %.4f km², RGI %.4f km² (%.2f %%; want ≤ 1 %%)", fl.Area()/1e6, r.RGIArea/1e6, 100*rel)
	}
	if math.Abs(fl.WidthFactor-1) > 0.01 {
		t.Errorf("widths scaled by %.4f to match the RGI area (want within 1 %% of 1)", fl.WidthFactor)
	}
	if fl.Dx != 100 || b.BinSize != 30 {
		t.Errorf("points %g m apart, bands %g m high; want OGGM's 100 m (2 cells) and 30 m", fl.Dx, b.BinSize)
	}
	zmin, zmax, _ := r.Stats()
	for i, z := range fl.Surface {
		if z > zmax || z < zmin || (i > 0 && z >= fl.Surface[i-1]) {
			t.Fatalf("surface at point %d is %.1f m (glacier %.0f–%.0f m; want falling within it)", i, z, zmin, zmax)
		}
	}
}
