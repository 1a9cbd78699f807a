package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/firnglacier/firn/engine/glacier"
)

// thicknessColors is the sequential scale of ice thickness, from thin
// (pale blue) to thick (deep blue), ColorBrewer's "Blues" ends (Brewer
// 2003) interpolated in 64 steps: it darkens monotonically, so it reads in
// greyscale and for colour-blind readers.
var thicknessColors = func() []color.Color {
	lo, hi := color.NRGBA{0xde, 0xeb, 0xf7, 0xff}, color.NRGBA{0x08, 0x30, 0x6b, 0xff}
	const n = 64
	cs := make([]color.Color, n)
	mix := func(a, b uint8, f float64) uint8 { return uint8(math.Round(float64(a) + f*(float64(b)-float64(a)))) }
	for k := range cs {
		f := float64(k) / (n - 1)
		cs[k] = color.NRGBA{mix(lo.R, hi.R, f), mix(lo.G, hi.G, f), mix(lo.B, hi.B, f), 0xff}
	}
	return cs
}()

type thicknessPalette struct{}

func (thicknessPalette) Colors() []color.Color { return thicknessColors }

// thicknessGrid is the part of a glacier's map around its cells, for
// plotter.HeatMap: column c, row r (from the south) is map cell (i0+c,
// j0+nr−1−r); off the glacier Z is NaN, which the heat map leaves
// undrawn.
type thicknessGrid struct {
	r              *glacier.Region
	h              []float64
	i0, j0, nc, nr int
	scale          float64
}

func (g *thicknessGrid) Dims() (c, r int) { return g.nc, g.nr }
func (g *thicknessGrid) Z(c, r int) float64 {
	k := (g.j0+g.nr-1-r)*g.r.Nx + g.i0 + c
	if !g.r.Mask[k] {
		return math.NaN()
	}
	return g.h[k]
}
func (g *thicknessGrid) X(c int) float64 {
	return (g.r.X0 + (float64(g.i0+c)+0.5)*g.r.DX) * g.scale
}
func (g *thicknessGrid) Y(r int) float64 {
	return (g.r.Y0 - (float64(g.j0+g.nr-1-r)+0.5)*g.r.DX) * g.scale
}

// ThicknessMap draws a real glacier's ice thickness on its map: each
// glacier cell of g's region filled by its thickness in thickness (m, one
// value per cell of the map, as [glacier.Glacier.DistributedThickness]
// gives) on a sequential blue scale (a gonum/plot heat map, rasterized:
// one pixel per cell, which the renderer scales; a colour bar in the
// bottom corner the glacier leaves freer), the outline (and its
// nunataks) over it, and the flowline. An elevation-band flowline
// (Huss and Farinotti 2012) has no place on the map: it is drawn through
// the centroids of the glacier cells at each of its points' heights
// (between the heights halfway to the neighbouring points), from the top
// down, and the legend says so. Coordinates are the glacier's local
// projection, in km (m for a map under 5 km across); opts.Projected is
// implied.
func ThicknessMap(g *glacier.Glacier, thickness []float64, opts MapOptions) (*Figure, error) {
	const fn = "plots.ThicknessMap"
	if g == nil || g.Region == nil || g.Flowline == nil {
		return nil, fmt.Errorf("%s: no prepared glacier", fn)
	}
	r := g.Region
	if len(thickness) != r.Nx*r.Ny || len(r.Mask) != r.Nx*r.Ny {
		return nil, fmt.Errorf("%s: %d thicknesses for the %d×%d cells of %s's map", fn, len(thickness), r.Nx, r.Ny, r.ID)
	}
	i0, j0, i1, j1 := r.Nx, r.Ny, -1, -1
	hmax := 0.0
	for j := 0; j < r.Ny; j++ {
		for i := 0; i < r.Nx; i++ {
			k := j*r.Nx + i
			if !r.Mask[k] {
				continue
			}
			h := thickness[k]
			if math.IsNaN(h) || math.IsInf(h, 0) || h < 0 {
				return nil, fmt.Errorf("%s: %s's cell (%d, %d) has a thickness of %g m; want a finite value ≥ 0", fn, r.ID, i, j, h)
			}
			hmax = math.Max(hmax, h)
			i0, j0, i1, j1 = min(i0, i), min(j0, j), max(i1, i), max(j1, j)
		}
	}
	if i1 < 0 {
		return nil, fmt.Errorf("%s: %s has no glacier cell on its map", fn, r.ID)
	}
	// Two cells around the glacier.
	i0, j0, i1, j1 = max(i0-2, 0), max(j0-2, 0), min(i1+2, r.Nx-1), min(j1+2, r.Ny-1)
	scale, unit := 1.0, "m"
	if float64(max(i1-i0, j1-j0)+1)*r.DX >= 5000 {
		scale, unit = 1e-3, "km"
	}
	grid := &thicknessGrid{r: r, h: thickness, i0: i0, j0: j0, nc: i1 - i0 + 1, nr: j1 - j0 + 1, scale: scale}
	title := opts.Title
	if title == "" {
		name := g.Name
		if name == "" {
			name = r.ID
		}
		title = name + ": ice thickness"
	}
	p := newPlot(title, "Easting ("+unit+")", "Northing ("+unit+")")
	p.X.Tick.Marker = niceTicks{target: 4}
	setRange(&p.X, grid.X(0)-r.DX/2*scale, grid.X(grid.nc-1)+r.DX/2*scale, 0)
	setRange(&p.Y, grid.Y(0)-r.DX/2*scale, grid.Y(grid.nr-1)+r.DX/2*scale, 0)

	hm := plotter.NewHeatMap(grid, thicknessPalette{})
	hm.Min, hm.Max = 0, math.Max(hmax, 1)
	hm.Rasterized = true
	p.Add(hm)
	line := draw.LineStyle{Color: oiBlack, Width: vg.Points(0.8)}
	for _, poly := range r.Outline {
		for _, ring := range poly {
			pts := make([]xy, len(ring))
			for k, q := range ring {
				pts[k] = xy{q[0] * scale, q[1] * scale}
			}
			p.Add(&polyline{pts: pts, style: line})
		}
	}
	trace := flowlineTrace(g, scale)
	flStyle := draw.LineStyle{Color: oiVermillion, Width: vg.Points(seriesWidth)}
	if len(trace) > 1 {
		p.Add(&polyline{pts: trace, style: flStyle})
	}
	p.Add(&colorBar{grid: grid, max: hm.Max})
	pn := &panel{p: p, series: 1, xScale: 1}
	pn.legend = &legend{}
	pn.legend.add("flowline (cells at its heights)", flStyle)
	pn.legend.add("outline", line)
	f := newFigure("thickness map", pn, opts.Width, opts.Height)
	f.defH = 12
	return f, nil
}

// flowlineTrace returns, for each point of g's flowline from the top, the
// centroid of the glacier cells whose smoothed height lies between the
// heights halfway to its neighbours (points with no such cell are
// skipped), scaled.
func flowlineTrace(g *glacier.Glacier, scale float64) []xy {
	r, z := g.Region, g.Flowline.Surface
	var out []xy
	for k := range z {
		hi, lo := math.Inf(1), math.Inf(-1)
		if k > 0 {
			hi = (z[k-1] + z[k]) / 2
		}
		if k < len(z)-1 {
			lo = (z[k] + z[k+1]) / 2
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		var sx, sy float64
		n := 0
		for c, on := range r.Mask {
			if on && r.TopoSmoothed[c] > lo && r.TopoSmoothed[c] <= hi {
				x, y := r.Center(c%r.Nx, c/r.Nx)
				sx, sy = sx+x, sy+y
				n++
			}
		}
		if n > 0 {
			out = append(out, xy{sx / float64(n) * scale, sy / float64(n) * scale})
		}
	}
	return out
}

// colorBar draws the thickness scale as a horizontal bar with its ends
// labelled, in the bottom corner of the data area that holds fewer of
// the glacier's cells.
type colorBar struct {
	grid *thicknessGrid
	max  float64
}

func (b *colorBar) Plot(c draw.Canvas, p *plot.Plot) {
	w, h := (c.Max.X-c.Min.X)*0.3, vg.Points(6)
	sty := textStyle(tickSize)
	pad := vg.Points(4)
	lblH := sty.Height("0")
	// Count the glacier cells under each candidate box.
	boxes := []vg.Rectangle{
		{Min: vg.Point{X: c.Max.X - w - pad, Y: c.Min.Y + pad}, Max: vg.Point{X: c.Max.X - pad, Y: c.Min.Y + pad + h + 2*lblH}},
		{Min: vg.Point{X: c.Min.X + pad, Y: c.Min.Y + pad}, Max: vg.Point{X: c.Min.X + pad + w, Y: c.Min.Y + pad + h + 2*lblH}},
	}
	best, bestN := boxes[0], math.MaxInt
	for _, box := range boxes {
		n := 0
		for col := 0; col < b.grid.nc; col++ {
			for row := 0; row < b.grid.nr; row++ {
				if math.IsNaN(b.grid.Z(col, row)) {
					continue
				}
				q := vg.Point{X: c.X(p.X.Norm(b.grid.X(col))), Y: c.Y(p.Y.Norm(b.grid.Y(row)))}
				if q.X >= box.Min.X && q.X <= box.Max.X && q.Y >= box.Min.Y && q.Y <= box.Max.Y {
					n++
				}
			}
		}
		if n < bestN {
			best, bestN = box, n
		}
	}
	bar := vg.Rectangle{Min: vg.Point{X: best.Min.X, Y: best.Min.Y + lblH}, Max: vg.Point{X: best.Max.X, Y: best.Min.Y + lblH + h}}
	img := image.NewNRGBA(image.Rect(0, 0, len(thicknessColors), 1))
	for k, col := range thicknessColors {
		img.Set(k, 0, col)
	}
	c.DrawImage(bar, img)
	c.StrokeLines(draw.LineStyle{Color: textColor, Width: vg.Points(0.4)}, []vg.Point{bar.Min, {X: bar.Max.X, Y: bar.Min.Y}, bar.Max, {X: bar.Min.X, Y: bar.Max.Y}, bar.Min})
	sty.YAlign = draw.YTop
	sty.XAlign = draw.XLeft
	haloText(&c, sty, vg.Point{X: bar.Min.X, Y: bar.Min.Y}, "0")
	sty.XAlign = draw.XRight
	haloText(&c, sty, vg.Point{X: bar.Max.X, Y: bar.Min.Y}, fmt.Sprintf("%.0f", b.max))
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
	haloText(&c, sty, vg.Point{X: (bar.Min.X + bar.Max.X) / 2, Y: bar.Max.Y}, "Ice thickness (m)")
}
