package glacier

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Distributing the flowline's thickness on the map.
const (
	// DistributedMinSlope is the smallest surface slope of the slope
	// factor, radians (OGGM's distributed_inversion_min_slope, 6°).
	DistributedMinSlope = 6 * math.Pi / 180
	// BorderExponent is the exponent of the distance from the glacier's
	// border in the distribution (OGGM's dis_from_border_exp).
	BorderExponent = 0.25
	// altitudeWindow is the first height range, m, within which the
	// flowline's points give a cell its thickness; it grows by
	// altitudeStep until one point is in it (OGGM's 110 m and 10 m).
	altitudeWindow = 110.0
	altitudeStep   = 10.0
)

// DistributeThickness spreads the inverted thickness of fl over r's
// glacier cells, as OGGM's distribute_thickness_per_altitude (with its
// gridded_attributes), and returns the
// thickness of every cell of the map, m, row by row as r's grids (0 off
// the glacier):
//
//  1. each glacier cell takes the mean thickness of the flowline's points
//     whose surface is within 110 m of the cell's smoothed height (the
//     range grows by 10 m until it holds one); an elevation-band flowline
//     has no position on the map, so, as in OGGM, the points are not
//     weighed by their distance;
//  2. times (d/d̄)^¼, d the distance of the cell's centre from the nearest
//     cell of the glacier's edge (glacier cells with a neighbour, of the
//     four, off the glacier or off the map; nunataks have edges too), m,
//     and d̄ the mean of d^¼ over the glacier: edge cells get no ice;
//  3. times the slope factor 1/α^(n/(n+2)), α the surface slope of the
//     smoothed DEM (radians, numpy's gradient, at least
//     [DistributedMinSlope]): where Glen's law makes the ice thin
//     (Maussion et al. 2019, eq. 6 for a given flux, h ∝ α^(−n/(n+2)));
//  4. with smooth > 0 (m), blurred with OGGM's Gaussian of round(smooth/Δx)
//     cells (as the DEM, [SmoothWindow] = 251 m is OGGM's smooth_radius=None)
//     and masked again; 0, OGGM's default, does not smooth;
//  5. scaled so that Σ h·Δx² equals the inversion's volume.
//
// The map is cosmetic (OGGM: "not relevant for OGGM but for ITMIX or for
// visualizations"): the dynamics run on the flowline.
func DistributeThickness(r *Region, fl *Flowline, inv *Inversion, smooth float64) ([]float64, error) {
	if r == nil || fl == nil || inv == nil {
		return nil, fmt.Errorf("distributed thickness: a region, a flowline and an inversion are needed")
	}
	if len(inv.Thickness) != fl.Len() {
		return nil, fmt.Errorf("distributed thickness of %s: %d thicknesses for %d flowline points", fl.ID, len(inv.Thickness), fl.Len())
	}
	nx, ny, dx := r.Nx, r.Ny, r.DX
	if len(r.Mask) != nx*ny || len(r.TopoSmoothed) != nx*ny {
		return nil, fmt.Errorf("distributed thickness of %s: the map's grids do not have %d×%d cells", r.ID, nx, ny)
	}
	on := func(i, j int) bool { return i >= 0 && j >= 0 && i < nx && j < ny && r.Mask[j*nx+i] }
	// The glacier's edge: cells that a 4-neighbour erosion removes
	// (scipy's binary_erosion, the map's outside counting as off).
	var edge [][2]int
	var cells []int
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			if !on(i, j) {
				continue
			}
			cells = append(cells, j*nx+i)
			if !on(i-1, j) || !on(i+1, j) || !on(i, j-1) || !on(i, j+1) {
				edge = append(edge, [2]int{i, j})
			}
		}
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("distributed thickness of %s: the glacier has no cell on its map", r.ID)
	}
	h := make([]float64, nx*ny)
	// Distance from the edge, d^¼, and its mean over the glacier.
	dist := make([]float64, len(cells))
	for k, c := range cells {
		i, j := c%nx, c/nx
		best := math.Inf(1)
		for _, e := range edge {
			di, dj := float64(e[0]-i), float64(e[1]-j)
			if d2 := di*di + dj*dj; d2 < best {
				best = d2
			}
		}
		dist[k] = math.Pow(math.Sqrt(best)*dx, BorderExponent)
	}
	mean := floats.Sum(dist) / float64(len(dist))
	if mean == 0 {
		return nil, fmt.Errorf("distributed thickness of %s: all %d cells are on the glacier's edge", r.ID, len(cells))
	}
	n := inv.Params.GlenN
	z := r.TopoSmoothed
	for k, c := range cells {
		i, j := c%nx, c/nx
		// 1. the mean thickness of the points at about the cell's height.
		var th float64
		for win := altitudeWindow; ; win += altitudeStep {
			sum, cnt := 0.0, 0
			for p, s := range fl.Surface {
				if math.Abs(z[c]-s) <= win {
					sum += inv.Thickness[p]
					cnt++
				}
			}
			if cnt > 0 {
				th = sum / float64(cnt)
				break
			}
		}
		// 3. the slope of the smoothed surface (numpy's gradient).
		sx := gradient(z, c, i, nx, 1, dx)
		sy := gradient(z, c, j, ny, nx, dx)
		alpha := math.Max(math.Atan(math.Hypot(sx, sy)), DistributedMinSlope)
		h[c] = math.Max(th*dist[k]/mean/math.Pow(alpha, n/(n+2)), 0)
	}
	// 4. smoothing.
	if size := int(math.RoundToEven(smooth / dx)); size > 0 {
		gaussianBlur(h, nx, ny, size)
		for c := range h {
			if !r.Mask[c] {
				h[c] = 0
			}
		}
	}
	// 5. the inversion's volume.
	vol := floats.Sum(h) * dx * dx
	want := inv.Volume(fl.Dx)
	if vol == 0 {
		if want == 0 {
			return h, nil
		}
		return nil, fmt.Errorf("distributed thickness of %s: no cell took ice for a volume of %.4g km³", r.ID, want/1e9)
	}
	floats.Scale(want/vol, h)
	return h, nil
}

// DistributedThickness returns the glacier's thickness on its map,
// [DistributeThickness] of its region, flowline and inversion with the
// smoothing smooth (m; 0 for none), m.
func (g *Glacier) DistributedThickness(smooth float64) ([]float64, error) {
	return DistributeThickness(g.Region, g.Flowline, g.Inversion, smooth)
}

// CellAt returns the column i and row j of the map's cell that holds the
// point (x, y) of the map's projection, m, and whether it is on the map.
func (r *Region) CellAt(x, y float64) (i, j int, ok bool) {
	fi, fj := math.Floor((x-r.X0)/r.DX), math.Floor((r.Y0-y)/r.DX)
	if fi < 0 || fj < 0 || fi >= float64(r.Nx) || fj >= float64(r.Ny) {
		return 0, 0, false
	}
	return int(fi), int(fj), true
}
