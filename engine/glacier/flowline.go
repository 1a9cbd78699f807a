package glacier

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/interp"
)

// OGGM's defaults for elevation-band flowlines (oggm/params.cfg).
const (
	// BinSize is the height of an elevation band, m (Huss and Farinotti
	// 2012 used 10 m, Werder et al. 2019 and OGGM 30 m).
	BinSize = 30.0
	// FlowlineDx is the spacing of the flowline's points, in map cells.
	FlowlineDx = 2
	// MinBandSlope and MaxBandSlope bound a band's slope, rad (0.4° and
	// 60°, Werder et al. 2019).
	MinBandSlope = 0.4 * math.Pi / 180
	MaxBandSlope = 60 * math.Pi / 180
)

// Bands is a glacier cut into elevation bands, from the top down: the
// "collapsed" flowline of Huss and Farinotti (2012, J. Geophys. Res. 117,
// F04010) as Werder et al. (2019, J. Glaciol. 66, 137) and OGGM's
// elevation_band_flowline make it. Each slice has one value per band.
type Bands struct {
	// BinSize is the bands' height, m.
	BinSize float64
	// Elevation is the centre of each band's bin, m a.s.l.
	Elevation []float64
	// MeanElevation is the mean height of the band's cells, m a.s.l.
	MeanElevation []float64
	// Area is the band's map area, m².
	Area []float64
	// Slope is the band's surface slope, rad.
	Slope []float64
	// Length is the band's length along the flowline, BinSize/tan(Slope), m.
	Length []float64
	// Width is Area/Length, m.
	Width []float64
	// Distance is the distance of the band's middle from the top of the
	// glacier along the flowline, m.
	Distance []float64
}

// ElevationBands cuts the glacier of r into bands binSize metres high
// (0 means [BinSize]) on the smoothed DEM, as OGGM's
// elevation_band_flowline:
//
//   - the surface slope of each cell, α = arctan|∇z| (central differences,
//     one-sided at the map's edge), clipped to [0.4°, 60°];
//   - bins from the multiple of binSize at or below the lowest glacier cell
//     to the one above the highest; a cell at height z is in the bin whose
//     lower edge is at or below z; a bin without cells is dropped;
//   - a band's slope is the mean of its cells' slopes between the 5 %
//     quantile and the q quantile, q = 2·Q(0.2)/Q(0.8) clipped to
//     [0.55, 0.95] (Werder et al. 2019, sect. 2.3; quantiles interpolated
//     linearly between order statistics, numpy's default), then clipped to
//     [0.4°, 60°];
//   - its length is binSize/tan(slope) and its width area/length; the
//     bands are ordered from the top and placed along the line at the
//     middle of their lengths.
//
// With fewer than two bins, bands a third as high are tried.
func ElevationBands(r *Region, binSize float64) (*Bands, error) {
	if binSize <= 0 {
		binSize = BinSize
	}
	nx, ny, dx := r.Nx, r.Ny, r.DX
	z := r.TopoSmoothed
	var hs, ss []float64
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			k := j*nx + i
			if !r.Mask[k] {
				continue
			}
			sx := gradient(z, k, i, nx, 1, dx)
			sy := gradient(z, k, j, ny, nx, dx)
			a := math.Atan(math.Hypot(sx, sy))
			hs = append(hs, z[k])
			ss = append(ss, math.Min(math.Max(a, MinBandSlope), MaxBandSlope))
		}
	}
	if len(hs) == 0 {
		return nil, fmt.Errorf("elevation bands of %s: the glacier mask is empty", r.ID)
	}
	lo, hi := floats.Min(hs), floats.Max(hs)
	bs := binSize
	minb := math.Floor(lo/bs) * bs
	nb := int(math.Round(((math.Floor(hi/bs)+1)*bs - minb) / bs))
	if nb < 2 {
		bs = binSize / 3
		minb = math.Floor(lo/bs) * bs
		nb = int(math.Round(((math.Floor(hi/bs)+1)*bs - minb) / bs))
		if nb < 2 {
			return nil, fmt.Errorf("elevation bands of %s: the glacier spans %.1f m, too little for bands of %g m", r.ID, hi-lo, binSize)
		}
	}
	bin := make([][]int, nb)
	for k, h := range hs {
		b := min(int(math.Floor((h-minb)/bs)), nb-1)
		bin[b] = append(bin[b], k)
	}
	out := &Bands{BinSize: bs}
	cell := dx * dx
	var sl []float64
	for b := nb - 1; b >= 0; b-- {
		idx := bin[b]
		if len(idx) == 0 {
			continue
		}
		sl = sl[:0]
		mean := 0.0
		for _, k := range idx {
			sl = append(sl, ss[k])
			mean += hs[k]
		}
		mean /= float64(len(idx))
		sort.Float64s(sl)
		slope := math.Min(math.Max(bandSlope(sl), MinBandSlope), MaxBandSlope)
		area := float64(len(idx)) * cell
		length := bs / math.Tan(slope)
		out.Elevation = append(out.Elevation, minb+(float64(b)+0.5)*bs)
		out.MeanElevation = append(out.MeanElevation, mean)
		out.Area = append(out.Area, area)
		out.Slope = append(out.Slope, slope)
		out.Length = append(out.Length, length)
		out.Width = append(out.Width, area/length)
	}
	out.Distance = make([]float64, len(out.Length))
	d := 0.0
	for k, l := range out.Length {
		if k == 0 {
			d = l / 2
		} else {
			d += (out.Length[k-1] + l) / 2
		}
		out.Distance[k] = d
	}
	return out, nil
}

// bandSlope returns the slope of a band from its cells' slopes sl, sorted:
// the mean of those between the 5 % quantile and the q quantile, q =
// 2·Q(0.2)/Q(0.8) clipped to [0.55, 0.95] (Werder et al. 2019, sect. 2.3),
// or of all when none is between.
func bandSlope(sl []float64) float64 {
	qmin := quantile7(sl, 0.05)
	q := math.Min(math.Max(2*quantile7(sl, 0.2)/quantile7(sl, 0.8), 0.55), 0.95)
	qmax := quantile7(sl, q)
	sum, n := 0.0, 0
	for _, s := range sl {
		if s >= qmin && s <= qmax {
			sum += s
			n++
		}
	}
	if n == 0 {
		return floats.Sum(sl) / float64(len(sl))
	}
	return sum / float64(n)
}

// gradient returns numpy's gradient of z at flat index k along one axis:
// pos is the cell's index along it, n the axis length, stride the flat
// step between neighbours; central differences inside, one-sided at the
// ends.
func gradient(z []float64, k, pos, n, stride int, dx float64) float64 {
	switch {
	case n < 2:
		return 0
	case pos == 0:
		return (z[k+stride] - z[k]) / dx
	case pos == n-1:
		return (z[k] - z[k-stride]) / dx
	}
	return (z[k+stride] - z[k-stride]) / (2 * dx)
}

// quantile7 returns the p quantile of the sorted x, interpolated linearly
// between the order statistics at (n−1)·p (Hyndman and Fan 1996, type 7;
// numpy's and R's default). gonum's stat.Quantile offers types 1 and 4
// only, which differ from OGGM's by up to a cell's value in small bands.
func quantile7(x []float64, p float64) float64 {
	h := float64(len(x)-1) * p
	i := int(math.Floor(h))
	if i >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[i] + (h-float64(i))*(x[i+1]-x[i])
}

// Flowline is a glacier's flowline at a fixed spacing, from the top down,
// as OGGM's fixed_dx_elevation_band_flowline makes it: the surface height
// and width of each point, with rectangular or trapezoidal sections
// assumed by the inversion.
type Flowline struct {
	// ID is the glacier's RGI id.
	ID string
	// Dx is the spacing of the points, m.
	Dx float64
	// Top is the distance of the first point from the top of the bands
	// (the glacier's highest point), m: point i is Top + i·Dx down the
	// line.
	Top float64
	// Surface is the ice-surface height of each point, m a.s.l.
	Surface []float64
	// Width is the width of the ice surface at each point, m.
	Width []float64
	// WidthFactor is the factor by which the interpolated widths were
	// scaled so that the flowline's area is the RGI area (1 when the
	// bands' area and the RGI area agree).
	WidthFactor float64
}

// Len returns the number of points.
func (fl *Flowline) Len() int { return len(fl.Surface) }

// Area returns the flowline's area Σ wᵢ·Δx, m².
func (fl *Flowline) Area() float64 { return floats.Sum(fl.Width) * fl.Dx }

// Distance returns the distance of point i from the first point, m.
func (fl *Flowline) Distance(i int) float64 { return float64(i) * fl.Dx }

// FixedDx turns the bands into a flowline of points dx metres apart, as
// OGGM's fixed_dx_elevation_band_flowline: points at dx/2, 3dx/2, … along
// the bands' total length, kept only between the first and the last band's
// middle (no extrapolation); surface heights (the bands' mean heights) and
// widths interpolated linearly (gonum's interp.PiecewiseLinear); the
// widths then scaled so that Σ w·dx = area (m², the RGI area), which keeps
// the glacier's area.
func FixedDx(id string, b *Bands, dx, area float64) (*Flowline, error) {
	if len(b.Distance) < 2 {
		return nil, fmt.Errorf("flowline of %s: %d elevation band(s); need 2 or more", id, len(b.Distance))
	}
	if dx <= 0 || area <= 0 {
		return nil, fmt.Errorf("flowline of %s: spacing %g m and area %g m² (want both > 0)", id, dx, area)
	}
	n := int(floats.Sum(b.Length) / dx)
	first, last := b.Distance[0], b.Distance[len(b.Distance)-1]
	var dis []float64
	for k := 0; k < n; k++ {
		if d := dx/2 + float64(k)*dx; d >= first && d <= last {
			dis = append(dis, d)
		}
	}
	if len(dis) < 2 {
		return nil, fmt.Errorf("flowline of %s: the bands are %.0f m long, too short for points %g m apart", id, last-first, dx)
	}
	var hgt, wid interp.PiecewiseLinear
	if err := hgt.Fit(b.Distance, b.MeanElevation); err != nil {
		return nil, fmt.Errorf("flowline of %s: heights: %w", id, err)
	}
	if err := wid.Fit(b.Distance, b.Width); err != nil {
		return nil, fmt.Errorf("flowline of %s: widths: %w", id, err)
	}
	fl := &Flowline{ID: id, Dx: dx, Top: dis[0], Surface: make([]float64, len(dis)), Width: make([]float64, len(dis))}
	for k, d := range dis {
		fl.Surface[k] = hgt.Predict(d)
		fl.Width[k] = wid.Predict(d)
	}
	fl.WidthFactor = area / fl.Area()
	floats.Scale(fl.WidthFactor, fl.Width)
	return fl, nil
}

// ElevationBandFlowline makes the flowline of r's glacier: [ElevationBands]
// of binSize metres (0: [BinSize]), then [FixedDx] at FlowlineDx map cells
// (100 m for a 50 m map) with the RGI area. It returns the bands too.
func ElevationBandFlowline(r *Region, binSize float64) (*Flowline, *Bands, error) {
	b, err := ElevationBands(r, binSize)
	if err != nil {
		return nil, nil, err
	}
	fl, err := FixedDx(r.ID, b, FlowlineDx*r.DX, r.RGIArea)
	return fl, b, err
}
