package glacier

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/outline"
)

// Options are the choices of [Prepare]. The zero value gives OGGM's
// defaults, except Inversion, which [Prepare] takes from
// [DefaultInversion] when its GlenA is 0.
type Options struct {
	// Region sets the map (cell size, border, smoothing).
	Region RegionOptions
	// BinSize is the height of the elevation bands, m (0: [BinSize]).
	BinSize float64
	// MBGradient is the gradient of the linear balance the apparent
	// balance comes from, mm w.e. m⁻¹ yr⁻¹ (0: [MBGradient]).
	MBGradient float64
	// Inversion is the inversion's physics.
	Inversion InversionParams
}

// Glacier is a glacier prepared from its outline and a DEM: its map, its
// elevation bands and flowline, and its inverted thickness.
type Glacier struct {
	Region   *Region
	Bands    *Bands
	Flowline *Flowline
	// ELA is the equilibrium-line altitude of the apparent balance, m a.s.l.
	ELA       float64
	Inversion *Inversion
}

// Volume returns the inverted ice volume, m³.
func (g *Glacier) Volume() float64 { return g.Inversion.Volume(g.Flowline.Dx) }

// Prepare runs the chain: [NewRegion], [ElevationBandFlowline],
// [LinearApparentBalance] and [Invert].
func Prepare(o *outline.Outline, d *dem.Grid, opt Options) (*Glacier, error) {
	r, err := NewRegion(o, d, opt.Region)
	if err != nil {
		return nil, err
	}
	fl, b, err := ElevationBandFlowline(r, opt.BinSize)
	if err != nil {
		return nil, err
	}
	mb, ela := LinearApparentBalance(fl, opt.MBGradient)
	p := opt.Inversion
	if p.GlenA == 0 {
		p = DefaultInversion()
	}
	inv, err := Invert(fl, mb, p)
	if err != nil {
		return nil, err
	}
	return &Glacier{Region: r, Bands: b, Flowline: fl, ELA: ela, Inversion: inv}, nil
}

// String summarises the glacier.
func (g *Glacier) String() string {
	return fmt.Sprintf("%s: %d×%d cells of %.0f m, %d bands, %d points %.0f m apart, %.3f km², %.3f km³",
		g.Region.ID, g.Region.Nx, g.Region.Ny, g.Region.DX, len(g.Bands.Area), g.Flowline.Len(), g.Flowline.Dx,
		g.Flowline.Area()/1e6, g.Volume()/1e9)
}
