package edu

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/constants"
	"github.com/firnglacier/firn/engine/datasets"
	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/glacier"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/engine/outline"
)

// RealGlacier is a real glacier: prepared from its outline, a DEM, a
// climate and mass-balance observations by OGGM's chain (engine/glacier:
// the map, the elevation-band flowline, the temperature-index model
// calibrated to the observations, the ice thickness by inversion), and
// run like a teaching Glacier from today's ice in a climate scenario.
//
//	hef, err := edu.Hintereisferner()         // Firn's bundled data
//	hef.Climate.TempBias = 1                   // +1 °C on the constant climate
//	hef.ProgressToYear(100)                    // years from today
//	fmt.Println(hef)                           // a one-screen summary
//
// Its year 0 is today (the inversion's glacier) for a constant or random
// climate, and the first year of the record (or Climate.Y0) for the
// historical one. Changes of Climate made between two progress calls take
// effect from the next year (a ramp keeps its start).
type RealGlacier struct {
	// Name labels the glacier in plots and collections.
	Name string
	// Prepared is the glacier as engine/glacier prepared it: its map,
	// flowline, inversion and calibration.
	Prepared *glacier.Glacier
	// Climate is the scenario the glacier runs in; by default the
	// constant climate of the last 31 years of its record.
	Climate glacier.Scenario

	ctx     context.Context
	model   *dynamics.Model
	saved   *dynamics.Model
	history History
	states  []State
}

// Hintereisferner returns Hintereisferner (RGI60-11.00897) prepared from
// the data Firn ships (engine/datasets): its RGI 6 outline, a window of
// SRTM, the HISTALP climate of its grid cell and the WGMS balances its
// temperature-index model is calibrated to (1978–2003; 1953–1977 verify
// it), in the constant climate of 1973–2003.
func Hintereisferner() (*RealGlacier, error) {
	d, err := datasets.Hintereisferner()
	if err != nil {
		return nil, err
	}
	return prepare(d.Outline, d.DEM, d.Climate, d.Observations)
}

// PrepareGlacier prepares a real glacier from files: an outline
// (shapefile or GeoJSON, holding this glacier alone or with id the RGI
// id), a DEM (GeoTIFF or ESRI ASCII grid), a climate (NetCDF, the cell
// nearest the glacier, or Firn's climate CSV) and WGMS balances (mbdata
// CSV) to calibrate its mass balance to. id may be "" when the outline
// file holds one glacier.
func PrepareGlacier(outlineFile, id, demFile, climateFile, mbObsFile string) (*RealGlacier, error) {
	all, err := outline.Read(outlineFile)
	if err != nil {
		return nil, err
	}
	var o *outline.Outline
	switch {
	case id != "":
		if o, err = outline.Find(all, id); err != nil {
			return nil, fmt.Errorf("%s: %w", outlineFile, err)
		}
	case len(all) == 1:
		o = all[0]
	default:
		return nil, fmt.Errorf("PrepareGlacier: %s holds %d glaciers: give the RGI id of one (e.g. %s)", outlineFile, len(all), all[0].ID)
	}
	d, err := dem.Read(demFile)
	if err != nil {
		return nil, err
	}
	var c *climate.Monthly
	if strings.EqualFold(filepath.Ext(climateFile), ".csv") {
		c, err = climate.ReadCSVFile(climateFile)
	} else {
		c, err = climate.ReadNetCDF(climateFile, o.CenLon, o.CenLat)
	}
	if err != nil {
		return nil, err
	}
	obs, err := massbalance.ReadWGMSFile(mbObsFile)
	if err != nil {
		return nil, err
	}
	return prepare(o, d, c, obs)
}

func prepare(o *outline.Outline, d *dem.Grid, c *climate.Monthly, obs []massbalance.Observation) (*RealGlacier, error) {
	g, err := glacier.Prepare(o, d, glacier.Options{MassBalance: glacier.MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		return nil, fmt.Errorf("preparing %s: %w", o.ID, err)
	}
	return newReal(g)
}

// LoadGlacier reads a glacier directory that `firn glacier prepare`
// wrote. It has no map (the directory keeps the flowline, not the DEM):
// ThicknessMap needs a glacier prepared from its files.
func LoadGlacier(dir string) (*RealGlacier, error) {
	g, err := glacier.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	return newReal(g)
}

func newReal(g *glacier.Glacier) (*RealGlacier, error) {
	if g.MB == nil {
		return nil, fmt.Errorf("%s has no calibrated mass balance: prepare it with mass-balance observations", g.Flowline.ID)
	}
	_, last, ok := g.MB.Climate.YearRange(g.MB.FirstMonth)
	if !ok {
		return nil, fmt.Errorf("%s: its climate holds no whole mass-balance year", g.Flowline.ID)
	}
	name := g.Name
	if name == "" {
		name = g.Flowline.ID
	}
	return &RealGlacier{Name: name, Prepared: g, Climate: glacier.Scenario{Climate: glacier.ClimateConstant, Y0: last - 15, Halfsize: 15}}, nil
}

// SetContext sets the context that stops ProgressToYear (see
// Glacier.SetContext). It returns g.
func (g *RealGlacier) SetContext(ctx context.Context) *RealGlacier {
	g.ctx = ctx
	return g
}

// Copy returns the glacier as it was prepared, not yet run, with the same
// name and climate: the start of another scenario.
func (g *RealGlacier) Copy() *RealGlacier {
	return &RealGlacier{Name: g.Name, Prepared: g.Prepared, Climate: g.Climate, ctx: g.ctx}
}

// start makes the model on first use and records its first year.
func (g *RealGlacier) start() error {
	if g.model != nil {
		return nil
	}
	mb, start, _, err := g.Prepared.MassBalance(g.Climate)
	if err != nil {
		return err
	}
	m, err := g.Prepared.Model(mb, float64(start))
	if err != nil {
		return err
	}
	g.model = m
	g.record()
	return nil
}

func (g *RealGlacier) record() {
	m := g.model
	d := m.Diagnostics()
	h := &g.history
	h.Year = append(h.Year, d.Year)
	h.Volume = append(h.Volume, d.Volume)
	h.Area = append(h.Area, d.Area)
	h.Length = append(h.Length, d.Length)
	h.ELA = append(h.ELA, math.NaN())
	h.SpecificBalance = append(h.SpecificBalance, m.SpecificBalance())
	p := m.Profile(0)
	u := m.Velocity(0)
	for i := range u {
		u[i] *= constants.SecondsPerYear
	}
	g.states = append(g.states, State{Year: d.Year, Thickness: p.Thickness, Surface: p.Surface, Velocity: u})
}

// ProgressToYear runs the glacier to the given year, recording every
// year. A historical climate ends with its record: a year beyond it is an
// error that names the last.
func (g *RealGlacier) ProgressToYear(year float64) error {
	ctx := context.Background()
	if g.ctx != nil {
		ctx = pinned(g.ctx)
	}
	return g.ProgressToYearContext(ctx, year)
}

// ProgressToYearContext is ProgressToYear, stopped by ctx. A progress
// that fails or is stopped leaves the glacier at the end of the last year
// it completed.
func (g *RealGlacier) ProgressToYearContext(ctx context.Context, year float64) error {
	if math.IsNaN(year) || math.IsInf(year, 0) {
		return fmt.Errorf("%s: cannot progress to year %g: want a finite year", g.Name, year)
	}
	if err := g.start(); err != nil {
		return err
	}
	if year < g.Year() {
		return fmt.Errorf("%s is at year %g already: it cannot go back to %g (use Copy)", g.Name, g.Year(), year)
	}
	mb, _, last, err := g.Prepared.MassBalance(g.Climate)
	if err != nil {
		return err
	}
	if w, ok := mb.(massbalance.Warming); ok && g.history.Len() > 0 {
		w.StartYear = g.history.Year[0] // a ramp starts where the run did
		mb = w
	}
	if last != math.MaxInt && year > float64(last+1) {
		return fmt.Errorf("%s: the %v ends with year %d: the glacier can run to %d at most", g.Name, g.Climate, last, last+1)
	}
	if err := g.model.SetMassBalance(mb); err != nil {
		return err
	}
	for g.Year() < year {
		if err := runYear(ctx, g.model, &g.saved, min(math.Floor(g.Year())+1, year)); err != nil {
			return err
		}
		g.record()
	}
	return nil
}

// Year returns the glacier's current year (its start year before it has
// run).
func (g *RealGlacier) Year() float64 {
	if g.model != nil {
		return g.model.Year()
	}
	if g.Climate.Climate == glacier.ClimateHistorical {
		if _, start, _, err := g.Prepared.MassBalance(g.Climate); err == nil {
			return float64(start)
		}
	}
	return 0
}

// History returns what the glacier recorded every year (ELA is NaN: a
// temperature-index model has no single equilibrium line).
func (g *RealGlacier) History() *History { return &g.history }

// StateHistory returns the thickness, surface and velocity of every
// recorded year.
func (g *RealGlacier) StateHistory() []State { return g.states }

// Model returns the running model (nil before the first progress).
func (g *RealGlacier) Model() *dynamics.Model { return g.model }

// Diagnostics returns the volume, area and length now (today's, from the
// inversion, before the glacier has run).
func (g *RealGlacier) Diagnostics() dynamics.Diagnostics {
	if g.model == nil {
		if err := g.start(); err != nil {
			return dynamics.Diagnostics{Year: math.NaN(), Volume: math.NaN(), Area: math.NaN(), Length: math.NaN()}
		}
	}
	return g.model.Diagnostics()
}

// Profile returns the flowline's bed, surface and thickness now.
func (g *RealGlacier) Profile() dynamics.Profile {
	if g.model == nil {
		if err := g.start(); err != nil {
			return dynamics.Profile{}
		}
	}
	return g.model.Profile(0)
}

// ThicknessMap returns today's ice thickness on the glacier's map, m, one
// value per map cell, row by row from the north-west
// (glacier.DistributeThickness, for plots.ThicknessMap).
func (g *RealGlacier) ThicknessMap() ([]float64, error) {
	if g.Prepared.Region == nil {
		return nil, fmt.Errorf("%s has no map (a glacier directory keeps only its flowline): prepare it from its files", g.Name)
	}
	return g.Prepared.DistributedThickness(0)
}

// Summary returns a one-screen table: the glacier, its calibration and
// inversion, its climate and where it is now.
func (g *RealGlacier) Summary() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	p := g.Prepared
	fmt.Fprintf(tw, "%s (%s)\n", g.Name, p.Flowline.ID)
	fmt.Fprintf(tw, "  Outline\t%.3f km², flowline of %d points %.0f m apart, %.0f–%.0f m\n",
		p.Flowline.Area()/1e6, p.Flowline.Len(), p.Flowline.Dx, p.Flowline.Surface[p.Flowline.Len()-1], p.Flowline.Surface[0])
	if c := p.Calibration; c != nil {
		fmt.Fprintf(tw, "  Mass balance\tmelt factor %.2f kg m⁻² day⁻¹ K⁻¹, precipitation factor %.2g, temperature bias %+.2f K (calibrated to %s %d–%d: %.3f m w.e./yr)\n",
			c.MeltFactor, c.PrcpFactor, c.TempBias, strings.ToUpper(c.Method), c.FirstYear, c.LastYear, c.Target)
		if v := c.Verification; v != nil {
			fmt.Fprintf(tw, "  Verification\tr = %.2f, bias %+.2f m w.e./yr over %d other years\n", v.R, v.Bias, len(v.Years))
		}
	}
	fmt.Fprintf(tw, "  Inversion\t%.4f km³ today (Glen A %.3g Pa⁻³ s⁻¹), ELA %.0f m\n", p.Volume()/1e9, p.Inversion.Params.GlenA, p.ELA)
	fmt.Fprintf(tw, "  Climate\t%v\n", g.Climate)
	d := g.Diagnostics()
	fmt.Fprintf(tw, "  Year\t%g\n", d.Year)
	fmt.Fprintf(tw, "  Volume\t%.4f km³\n", d.Volume/1e9)
	fmt.Fprintf(tw, "  Area\t%.3f km²\n", d.Area/1e6)
	fmt.Fprintf(tw, "  Length\t%.2f km\n", d.Length/1e3)
	tw.Flush()
	return b.String()
}

// String is the Summary.
func (g *RealGlacier) String() string { return g.Summary() }
