package glacier

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/massbalance"
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
	// MassBalance, when its Climate is set, calibrates the monthly
	// temperature-index model on the glacier's flowline ([Calibrate]) and
	// takes the apparent balance from it; without it the apparent balance
	// is linear (OGGM's apparent_mb_from_linear_mb).
	MassBalance MBOptions
}

// Glacier is a glacier prepared from its outline and a DEM: its map, its
// elevation bands and flowline, and its inverted thickness.
type Glacier struct {
	// Name is the glacier's name in the outline's attributes ("" if none).
	Name     string
	Region   *Region
	Bands    *Bands
	Flowline *Flowline
	// ELA is the equilibrium-line altitude of the apparent balance, m a.s.l.
	ELA       float64
	Inversion *Inversion
	// MB is the calibrated temperature-index model (nil with the linear
	// apparent balance) and Calibration its calibration.
	MB          *massbalance.MonthlyTI
	Calibration *Calibration
}

// Volume returns the inverted ice volume, m³.
func (g *Glacier) Volume() float64 { return g.Inversion.Volume(g.Flowline.Dx) }

// Prepare runs the chain: [NewRegion], [ElevationBandFlowline], the
// apparent balance — [Calibrate] and [ApparentBalance] over the
// calibration years when opt.MassBalance has a climate, else
// [LinearApparentBalance] — and [Invert]. ELA is then the height where
// the apparent balance crosses zero, interpolated between points.
func Prepare(o *outline.Outline, d *dem.Grid, opt Options) (*Glacier, error) {
	r, err := NewRegion(o, d, opt.Region)
	if err != nil {
		return nil, err
	}
	fl, b, err := ElevationBandFlowline(r, opt.BinSize)
	if err != nil {
		return nil, err
	}
	var (
		mb  []float64
		ela float64
		ti  *massbalance.MonthlyTI
		cal *Calibration
	)
	if opt.MassBalance.Climate != nil {
		m, c, err := Calibrate(fl, opt.MassBalance)
		if err != nil {
			return nil, err
		}
		years := make([]float64, len(c.Years))
		for i, y := range c.Years {
			years[i] = float64(y)
		}
		if mb, c.ApparentResidual, err = ApparentBalance(fl, m, years); err != nil {
			return nil, err
		}
		ela = zeroCrossing(fl.Surface, mb)
		ti, cal = &m, c
	} else {
		mb, ela = LinearApparentBalance(fl, opt.MBGradient)
	}
	p := opt.Inversion
	if p.GlenA == 0 {
		p = DefaultInversion()
	}
	inv, err := Invert(fl, mb, p)
	if err != nil {
		return nil, err
	}
	return &Glacier{Name: o.Name, Region: r, Bands: b, Flowline: fl, ELA: ela, Inversion: inv, MB: ti, Calibration: cal}, nil
}

// zeroCrossing returns the height at which mb, given at the heights z
// (from the top down), first changes sign, interpolated linearly; the
// lowest height if it never does.
func zeroCrossing(z, mb []float64) float64 {
	for i := 1; i < len(z); i++ {
		if (mb[i-1] >= 0) != (mb[i] >= 0) {
			return z[i-1] + (z[i]-z[i-1])*mb[i-1]/(mb[i-1]-mb[i])
		}
	}
	return z[len(z)-1]
}

// String summarises the glacier.
func (g *Glacier) String() string {
	return fmt.Sprintf("%s: %d×%d cells of %.0f m, %d bands, %d points %.0f m apart, %.3f km², %.3f km³",
		g.Region.ID, g.Region.Nx, g.Region.Ny, g.Region.DX, len(g.Bands.Area), g.Flowline.Len(), g.Flowline.Dx,
		g.Flowline.Area()/1e6, g.Volume()/1e9)
}
