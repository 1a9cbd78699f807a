package glacier

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/engine/proj"
)

// OGGM's defaults for the glacier's map (oggm/params.cfg, "Glacier map and
// grid determination", and oggm/core/gis.py).
const (
	// GridD1 and GridD2 are the coefficients of OGGM's "square" rule for
	// the map's cell size: dx = GridD1·√(area in km²) + GridD2, m.
	GridD1 = 14.0
	GridD2 = 10.0
	// GridDxMax is the largest cell size, m; the smallest is GridD2.
	GridDxMax = 200.0
	// Border is the margin of the map around the outline, in cells.
	Border = 80
	// MinValidDEM is the smallest share of the glacier's cells the DEM
	// must cover (OGGM's compute_hypsometry_attributes refuses less).
	MinValidDEM = 0.2
	// SmoothWindow is the size of the Gaussian window that smooths the
	// DEM for the flowlines, m (the blur's half width is SmoothWindow/dx
	// cells, rounded).
	SmoothWindow = 251.0
)

// GridSpacing returns the cell size, m, of the map OGGM gives a glacier of
// area areaKm2 (km²): its default "square" rule, dx = 14·√area + 10,
// rounded to the metre (half to even, as numpy's rint) and clipped to
// [10, 200] m (oggm/core/gis.py, glacier_grid_params). Hintereisferner,
// 8.036 km², gets 50 m.
func GridSpacing(areaKm2 float64) float64 {
	dx := math.RoundToEven(GridD1*math.Sqrt(areaKm2) + GridD2)
	return math.Min(math.Max(dx, GridD2), GridDxMax)
}

// RegionOptions change how [NewRegion] makes the map. The zero value gives
// OGGM's defaults.
type RegionOptions struct {
	// DX is the cell size, m; 0 means [GridSpacing] of the RGI area.
	DX float64
	// Border is the margin around the outline, cells; 0 means [Border].
	Border int
	// SmoothWindow is the Gaussian smoothing window, m; 0 means
	// [SmoothWindow], a negative value no smoothing.
	SmoothWindow float64
}

// Region is a glacier on its own map, as OGGM's define_glacier_region,
// process_dem and simple_glacier_masks make it: a square grid in the
// glacier's local transverse Mercator ([proj.LocalTM] at the RGI centre
// longitude), the DEM resampled onto it, the DEM smoothed, and the glacier
// mask. Grids are stored row by row from the north-west corner, Nx values
// a row; cell (i, j) is column i of row j, its centre at
// (X0 + (i+½)·DX, Y0 − (j+½)·DX).
type Region struct {
	// ID is the RGI id of the glacier.
	ID string
	// CRS is the local map projection; coordinates below are in it, m.
	CRS *proj.CRS
	// DX is the cell size, m.
	DX float64
	// Nx and Ny are the numbers of columns and rows.
	Nx, Ny int
	// X0, Y0 is the north-west (outer) corner of the grid, m.
	X0, Y0 float64
	// Topo is the DEM on the grid, m a.s.l.: resampled with cubic
	// convolution, voids filled, clipped at 0.
	Topo []float64
	// TopoSmoothed is Topo after a Gaussian blur of SmoothWindow, m a.s.l.
	TopoSmoothed []float64
	// Mask is true on the glacier's cells (the cell's centre is inside
	// the outline and outside its holes).
	Mask []bool
	// Outline is the outline in the local projection, m.
	Outline orb.MultiPolygon
	// RGIArea is the area the inventory gives, m².
	RGIArea float64
	// Voids is the number of cells the DEM did not cover (filled from
	// their neighbours), GlacierVoids the number of them on the glacier.
	Voids, GlacierVoids int
}

// NewRegion makes the glacier's map from its outline and a DEM (in
// longitude and latitude or a UTM zone) that covers the outline and its
// margin, following OGGM (Maussion et al. 2019, GMD 12, 909, sect. 2.2;
// oggm/core/gis.py):
//
//  1. the local projection: a transverse Mercator centred on the RGI
//     centre longitude (scale 0.9996, no false easting or northing);
//  2. the grid: cell size [GridSpacing] of the RGI area, the outline's
//     bounding box plus [Border] cells on each side, its size truncated to
//     whole cells;
//  3. the DEM resampled to the cells' centres by cubic convolution
//     (Keys 1981, a = −½: GDAL's "cubic", which OGGM asks rasterio for),
//     rounded to whole metres when the DEM holds integers (GDAL writes the
//     source's type); cells outside the DEM or next to its voids are filled
//     with the mean of their filled neighbours (OGGM interpolates them
//     linearly); heights clipped at 0 m;
//  4. the smoothed DEM: a Gaussian blur exp(−(x²+y²)/r) over ±r cells,
//     r = round(251 m / dx), the edges mirrored (OGGM's gaussian_blur);
//  5. the glacier mask: the cells whose centre lies inside the outline and
//     outside its holes (rasterio's mask, as simple_glacier_masks).
func NewRegion(o *outline.Outline, d *dem.Grid, opt RegionOptions) (*Region, error) {
	if o == nil {
		return nil, errors.New("glacier region: no outline")
	}
	if d == nil {
		return nil, fmt.Errorf("glacier region %s: no DEM", o.ID)
	}
	name := o.ID
	if len(o.Geometry) == 0 {
		return nil, fmt.Errorf("glacier region %s: the outline has no polygon", name)
	}
	from, err := outlineCRS(o)
	if err != nil {
		return nil, fmt.Errorf("glacier region %s: outline: %w", name, err)
	}
	cenLon := o.CenLon
	if math.IsNaN(cenLon) {
		c := o.Geometry.Bound().Center()
		cenLon, _ = from.ToLonLat(c[0], c[1])
	}
	tm, err := proj.LocalTM(cenLon)
	if err != nil {
		return nil, fmt.Errorf("glacier region %s: %w", name, err)
	}
	local := proj.Projected(name+" local", tm)
	g, err := proj.Transform(o.Geometry, from, local)
	if err != nil {
		return nil, fmt.Errorf("glacier region %s: outline: %w", name, err)
	}
	mp := g.(orb.MultiPolygon)
	area := o.Area * 1e6
	if math.IsNaN(area) || area <= 0 {
		area = 0
		for _, p := range mp {
			area += polygonArea(p)
		}
	}
	dx := opt.DX
	if dx <= 0 {
		dx = GridSpacing(area / 1e6)
	}
	border := opt.Border
	if border <= 0 {
		border = Border
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range mp {
		for _, pt := range p[0] {
			minX, maxX = math.Min(minX, pt[0]), math.Max(maxX, pt[0])
			minY, maxY = math.Min(minY, pt[1]), math.Max(maxY, pt[1])
		}
	}
	ulx, lrx := minX-float64(border)*dx, maxX+float64(border)*dx
	uly, lry := maxY+float64(border)*dx, minY-float64(border)*dx
	r := &Region{
		ID: name, CRS: local, DX: dx,
		Nx: int((lrx - ulx) / dx), Ny: int((uly - lry) / dx),
		X0: ulx, Y0: uly, Outline: mp, RGIArea: area,
	}
	demCRS, err := proj.FromEPSG(d.EPSG)
	if err != nil {
		return nil, fmt.Errorf("glacier region %s: DEM: %w", name, err)
	}
	r.Topo = r.resample(d, demCRS)
	void := make([]bool, len(r.Topo))
	for k, z := range r.Topo {
		void[k] = math.IsNaN(z)
	}
	r.Voids, err = fillVoids(r.Topo, r.Nx, r.Ny)
	if err != nil {
		return nil, fmt.Errorf("glacier region %s: DEM: %w (does it cover the outline, %.4f–%.4f E?)", name, err, minLonOf(o), maxLonOf(o))
	}
	for k, z := range r.Topo {
		r.Topo[k] = math.Max(z, 0)
	}
	win := opt.SmoothWindow
	if win == 0 {
		win = SmoothWindow
	}
	r.TopoSmoothed = append([]float64(nil), r.Topo...)
	if win > 0 {
		if size := int(math.RoundToEven(win / dx)); size > 0 {
			gaussianBlur(r.TopoSmoothed, r.Nx, r.Ny, size)
			for k, z := range r.TopoSmoothed {
				r.TopoSmoothed[k] = math.Max(z, 0)
			}
		}
	}
	r.Mask = rasterize(mp, r.Nx, r.Ny, r.X0, r.Y0, dx)
	n := 0
	for _, m := range r.Mask {
		if m {
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("glacier region %s: no cell of the %.0f m grid has its centre inside the outline", name, dx)
	}
	for k, m := range r.Mask {
		if m && void[k] {
			r.GlacierVoids++
		}
	}
	if valid := 1 - float64(r.GlacierVoids)/float64(n); valid < MinValidDEM {
		return nil, fmt.Errorf("glacier region %s: the DEM covers %.0f %% of the glacier's %d cells (want ≥ %.0f %%; does it cover %.4f–%.4f E?)",
			name, 100*valid, n, 100*MinValidDEM, minLonOf(o), maxLonOf(o))
	}
	return r, nil
}

// outlineCRS returns the coordinate system of an outline's coordinates.
func outlineCRS(o *outline.Outline) (*proj.CRS, error) {
	s := strings.TrimSpace(o.CRS)
	if s == "" {
		return proj.LonLat(), nil
	}
	if code, ok := strings.CutPrefix(strings.ToUpper(s), "EPSG:"); ok {
		n, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("CRS %q: %w", s, err)
		}
		return proj.FromEPSG(n)
	}
	return proj.ParseWKT(s)
}

func minLonOf(o *outline.Outline) float64 { return o.Geometry.Bound().Min[0] }
func maxLonOf(o *outline.Outline) float64 { return o.Geometry.Bound().Max[0] }

// polygonArea returns the area of a polygon (exterior less holes), in the
// square of its coordinates' unit.
func polygonArea(p orb.Polygon) float64 {
	a := 0.0
	for k, ring := range p {
		s := 0.0
		for i := 0; i+1 < len(ring); i++ {
			s += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
		}
		if k == 0 {
			a += math.Abs(s) / 2
		} else {
			a -= math.Abs(s) / 2
		}
	}
	return a
}

// Center returns the coordinates of the centre of cell (i, j), m.
func (r *Region) Center(i, j int) (x, y float64) {
	return r.X0 + (float64(i)+0.5)*r.DX, r.Y0 - (float64(j)+0.5)*r.DX
}

// MaskArea returns the area of the glacier's cells, m².
func (r *Region) MaskArea() float64 {
	n := 0
	for _, m := range r.Mask {
		if m {
			n++
		}
	}
	return float64(n) * r.DX * r.DX
}

// Hypsometry returns the glacier's area by elevation band of binSize
// metres (OGGM's compute_hypsometry_attributes uses 50 m) from the
// unsmoothed DEM on the mask: bands from the multiple of binSize below the
// lowest cell to the one above the highest, each with its centre and its
// share of the mask's area. Area is the mask's area, m².
func (r *Region) Hypsometry(binSize float64) massbalance.Hypsometry {
	zmin, zmax := math.Inf(1), math.Inf(-1)
	for k, m := range r.Mask {
		if m {
			zmin, zmax = math.Min(zmin, r.Topo[k]), math.Max(zmax, r.Topo[k])
		}
	}
	lo := math.Floor(zmin/binSize) * binSize
	nb := int(math.Floor(zmax/binSize)+1) - int(math.Floor(zmin/binSize))
	h := massbalance.Hypsometry{Name: r.ID, Elevation: make([]float64, nb), Weight: make([]float64, nb), Area: r.MaskArea()}
	n := 0
	for k, m := range r.Mask {
		if m {
			b := min(int((r.Topo[k]-lo)/binSize), nb-1)
			h.Weight[b]++
			n++
		}
	}
	for b := range h.Weight {
		h.Elevation[b] = lo + (float64(b)+0.5)*binSize
		h.Weight[b] /= float64(n)
	}
	return h
}

// Stats returns the lowest, highest and median elevation of the glacier's
// cells on the unsmoothed DEM, m a.s.l. (the RGI's Zmin, Zmax and Zmed).
func (r *Region) Stats() (zmin, zmax, zmed float64) {
	var z []float64
	for k, m := range r.Mask {
		if m {
			z = append(z, r.Topo[k])
		}
	}
	sort.Float64s(z)
	n := len(z)
	zmed = z[n/2]
	if n%2 == 0 {
		zmed = (z[n/2-1] + z[n/2]) / 2
	}
	return z[0], z[n-1], zmed
}

// resample returns the DEM at the centres of the region's cells by cubic
// convolution, NaN where the DEM has no value.
func (r *Region) resample(d *dem.Grid, demCRS *proj.CRS) []float64 {
	out := make([]float64, r.Nx*r.Ny)
	integer := strings.HasPrefix(d.Type, "Int") || strings.HasPrefix(d.Type, "UInt") || d.Type == "Byte"
	geo := demCRS.Geographic()
	tm := r.CRS.TM
	for j := 0; j < r.Ny; j++ {
		for i := 0; i < r.Nx; i++ {
			x, y := r.Center(i, j)
			lon, lat := tm.Inverse(x, y)
			sx, sy := lon, lat
			if !geo {
				sx, sy = demCRS.FromLonLat(lon, lat)
			}
			// Fractional pixel coordinates, 0 at the outer corner.
			px, py := (sx-d.X0)/d.DX, (sy-d.Y0)/d.DY
			v := cubic(d, px, py)
			if integer {
				v = math.RoundToEven(v)
			}
			out[j*r.Nx+i] = v
		}
	}
	return out
}

// keys is the cubic convolution kernel of Keys (1981), "Cubic convolution
// interpolation for digital image processing", IEEE Trans. ASSP 29, 1153,
// eq. (15), with a = −½.
func keys(t float64) float64 {
	t = math.Abs(t)
	switch {
	case t <= 1:
		return (1.5*t-2.5)*t*t + 1
	case t < 2:
		return ((-0.5*t+2.5)*t-4)*t + 2
	}
	return 0
}

// cubic interpolates d at the fractional pixel position (px, py) (0 at the
// grid's outer corner, cell centres at k+½) over the 4×4 cells around it;
// taps beyond the grid repeat its edge. NaN outside the grid or when a tap
// is a void.
func cubic(d *dem.Grid, px, py float64) float64 {
	if px < 0 || py < 0 || px > float64(d.Width) || py > float64(d.Height) {
		return math.NaN()
	}
	cx, cy := px-0.5, py-0.5
	i0, j0 := int(math.Floor(cx)), int(math.Floor(cy))
	fx, fy := cx-float64(i0), cy-float64(j0)
	var wx, wy [4]float64
	for k := 0; k < 4; k++ {
		wx[k] = keys(fx - float64(k-1))
		wy[k] = keys(fy - float64(k-1))
	}
	s := 0.0
	for b := 0; b < 4; b++ {
		j := min(max(j0+b-1, 0), d.Height-1)
		row := d.Data[j*d.Width : (j+1)*d.Width]
		rs := 0.0
		for a := 0; a < 4; a++ {
			i := min(max(i0+a-1, 0), d.Width-1)
			rs += wx[a] * row[i]
		}
		s += wy[b] * rs
	}
	return s
}

// fillVoids replaces NaN cells by the mean of their valid (or already
// filled) 8 neighbours, sweeping until none is left, and returns their
// number. It fails when no cell is valid.
func fillVoids(z []float64, nx, ny int) (int, error) {
	nan := 0
	for _, v := range z {
		if math.IsNaN(v) {
			nan++
		}
	}
	if nan == 0 {
		return 0, nil
	}
	if nan == len(z) {
		return nan, errors.New("the DEM covers no cell of the glacier's map")
	}
	left := nan
	next := make([]float64, len(z))
	for left > 0 {
		copy(next, z)
		for j := 0; j < ny; j++ {
			for i := 0; i < nx; i++ {
				if !math.IsNaN(z[j*nx+i]) {
					continue
				}
				s, n := 0.0, 0
				for b := max(j-1, 0); b <= min(j+1, ny-1); b++ {
					for a := max(i-1, 0); a <= min(i+1, nx-1); a++ {
						if v := z[b*nx+a]; !math.IsNaN(v) {
							s += v
							n++
						}
					}
				}
				if n > 0 {
					next[j*nx+i] = s / float64(n)
					left--
				}
			}
		}
		copy(z, next)
	}
	return nan, nil
}

// gaussianBlur smooths z in place with OGGM's kernel exp(−(x² + y²)/size)
// over x, y ∈ [−size, size] cells, normalised, the grid's edges mirrored
// (numpy's "symmetric" padding). The kernel is separable, so it is applied
// along rows, then along columns.
func gaussianBlur(z []float64, nx, ny, size int) {
	w := make([]float64, 2*size+1)
	s := 0.0
	for k := -size; k <= size; k++ {
		w[k+size] = math.Exp(-float64(k*k) / float64(size))
		s += w[k+size]
	}
	for k := range w {
		w[k] /= s
	}
	mirror := func(k, n int) int {
		for k < 0 || k >= n {
			if k < 0 {
				k = -k - 1
			}
			if k >= n {
				k = 2*n - 1 - k
			}
		}
		return k
	}
	tmp := make([]float64, max(nx, ny))
	for j := 0; j < ny; j++ {
		row := z[j*nx : (j+1)*nx]
		for i := 0; i < nx; i++ {
			v := 0.0
			for k := -size; k <= size; k++ {
				v += w[k+size] * row[mirror(i+k, nx)]
			}
			tmp[i] = v
		}
		copy(row, tmp[:nx])
	}
	for i := 0; i < nx; i++ {
		for j := 0; j < ny; j++ {
			v := 0.0
			for k := -size; k <= size; k++ {
				v += w[k+size] * z[mirror(j+k, ny)*nx+i]
			}
			tmp[j] = v
		}
		for j := 0; j < ny; j++ {
			z[j*nx+i] = tmp[j]
		}
	}
}

// rasterize returns the cells of an nx×ny grid (north-west corner x0, y0,
// cell size dx) whose centre lies inside the polygons: on each row of
// centres, the crossings of every ring (exteriors and holes) are sorted and
// the cells between the first and second, third and fourth… are inside
// (the even-odd rule, which takes out the holes).
func rasterize(mp orb.MultiPolygon, nx, ny int, x0, y0, dx float64) []bool {
	mask := make([]bool, nx*ny)
	var xs []float64
	for j := 0; j < ny; j++ {
		yc := y0 - (float64(j)+0.5)*dx
		xs = xs[:0]
		for _, p := range mp {
			for _, ring := range p {
				n := len(ring)
				for k := 0; k < n; k++ {
					a, b := ring[k], ring[(k+1)%n]
					if (a[1] > yc) != (b[1] > yc) {
						xs = append(xs, a[0]+(yc-a[1])/(b[1]-a[1])*(b[0]-a[0]))
					}
				}
			}
		}
		sort.Float64s(xs)
		for k := 0; k+1 < len(xs); k += 2 {
			// Centres x0 + (i+½)dx in [xs[k], xs[k+1]).
			i0 := int(math.Ceil((xs[k]-x0)/dx - 0.5))
			i1 := int(math.Ceil((xs[k+1]-x0)/dx-0.5)) - 1
			for i := max(i0, 0); i <= min(i1, nx-1); i++ {
				mask[j*nx+i] = true
			}
		}
	}
	return mask
}
