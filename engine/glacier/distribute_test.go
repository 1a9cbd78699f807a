package glacier

import (
	"math"
	"testing"
)

// TestDistributedThickness spreads Hintereisferner's inverted thickness on
// its map and checks what a map shows: the volume of the cells (summed
// here, h·Δx² each) is the flowline inversion's within 1 %, no ice off the
// glacier, none on its edge, some on every inner cell, and the thickest
// ice lies in the lower half of the glacier's heights, where the flux is
// largest, not at its top; smoothed, the volume and the mask hold too.
func TestDistributedThickness(t *testing.T) {
	o, d := hef(t)
	g, err := Prepare(o, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := g.DistributedThickness(0)
	if err != nil {
		t.Fatal(err)
	}
	r := g.Region
	if len(h) != r.Nx*r.Ny {
		t.Fatalf("%d values for a map of %d×%d", len(h), r.Nx, r.Ny)
	}
	on := func(i, j int) bool { return i >= 0 && j >= 0 && i < r.Nx && j < r.Ny && r.Mask[j*r.Nx+i] }
	var vol, hmax, zmax float64
	inner, edge := 0, 0
	for j := 0; j < r.Ny; j++ {
		for i := 0; i < r.Nx; i++ {
			c := j*r.Nx + i
			v := h[c]
			if math.IsNaN(v) || v < 0 {
				t.Fatalf("cell (%d, %d): thickness %g m", i, j, v)
			}
			if !r.Mask[c] {
				if v != 0 {
					t.Errorf("cell (%d, %d) off the glacier has %g m of ice", i, j, v)
				}
				continue
			}
			vol += v * r.DX * r.DX
			if v > hmax {
				hmax, zmax = v, r.TopoSmoothed[c]
			}
			if !on(i-1, j) || !on(i+1, j) || !on(i, j-1) || !on(i, j+1) {
				edge++
				if v != 0 {
					t.Errorf("edge cell (%d, %d) has %g m of ice", i, j, v)
				}
			} else if inner++; v <= 0 {
				t.Errorf("inner cell (%d, %d) has no ice", i, j)
			}
		}
	}
	want := g.Volume()
	if rel := math.Abs(vol-want) / want; rel > 0.01 {
		t.Errorf("map volume %.4f km³, flowline %.4f km³ (%.2f %% off, want ≤ 1 %%)", vol/1e9, want/1e9, 100*rel)
	}
	zmin, ztop, _ := r.Stats()
	if zmax > (zmin+ztop)/2 {
		t.Errorf("thickest ice (%.0f m) at %.0f m, in the upper half of %.0f–%.0f m", hmax, zmax, zmin, ztop)
	}
	// Smoothed as OGGM's benchmark does: still the volume, still no ice
	// off the glacier.
	hs, err := g.DistributedThickness(SmoothWindow)
	if err != nil {
		t.Fatal(err)
	}
	vs := 0.0
	for c, v := range hs {
		if !r.Mask[c] && v != 0 || v < 0 || math.IsNaN(v) {
			t.Fatalf("smoothed: cell %d (glacier %v) has %g m", c, r.Mask[c], v)
		}
		vs += v * r.DX * r.DX
	}
	if rel := math.Abs(vs-want) / want; rel > 0.01 {
		t.Errorf("smoothed map volume %.4f km³, flowline %.4f km³", vs/1e9, want/1e9)
	}
	t.Logf("%d glacier cells (%d on the edge): %.4f km³ (flowline %.4f km³), largest %.0f m at %.0f m a.s.l., mean %.1f m",
		inner+edge, edge, vol/1e9, want/1e9, hmax, zmax, vol/float64(inner+edge)/(r.DX*r.DX))
}
