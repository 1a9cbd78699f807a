package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/glacier"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/atomicfile"
	"github.com/firnglacier/firn/internal/buildinfo"
)

const glacierUsage = `usage: firn glacier prepare --outline FILE [--id RGI-ID] --dem FILE --climate FILE [--mb-obs FILE] --out DIR
       firn glacier run DIR --climate constant|random|historical|linear [--y0 YEAR] [--halfsize N] [--seed N]
                        [--temp-bias X [--ramp YEARS]] --years N [--out FILE]

Real glaciers. prepare builds a glacier directory from an outline
(shapefile or GeoJSON; RGI 5, 6 or 7), a DEM (GeoTIFF or ESRI ASCII grid)
and a climate (HISTALP or CRU NetCDF, or Firn's climate CSV): the glacier's
map and elevation-band flowline, its mass balance calibrated to WGMS
balances (--mb-obs) or a geodetic mean (--geodetic), and its ice thickness
by mass-conservation inversion. run runs the flowline model from that
glacier in a constant, random or historical climate, warmed or cooled by
--temp-bias (°C, at once or over --ramp years), and writes its yearly
volume, area and length as CSV, the columns of firn model run. firn glacier
prepare --help and firn glacier run --help list their flags; the
directory's files are described in docs/ARCHITECTURE.md.
`

func glacierCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("glacier: want a subcommand: prepare or run (see firn glacier --help)")
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, glacierUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "prepare":
		return glacierPrepare(args[1:], stdout, stderr)
	case "run":
		return glacierRun(ctx, args[1:], stdout, stderr)
	}
	return usagef("glacier: unknown subcommand %q (want prepare or run)", args[0])
}

// period parses FIRST-LAST.
func period(s, flagName string) (first, last int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		first, err = strconv.Atoi(strings.TrimSpace(a))
		if err == nil {
			last, err = strconv.Atoi(strings.TrimSpace(b))
		}
	}
	if !ok || err != nil || last < first {
		return 0, 0, usagef("glacier prepare: --%s %q: want FIRST-LAST, two years, e.g. 1980-2003", flagName, s)
	}
	return first, last, nil
}

func glacierPrepare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn glacier prepare")
	outlinePath := fs.String("outline", "", "glacier outline `file`: shapefile (.shp with .dbf) or GeoJSON")
	id := fs.String("id", "", "the glacier's RGI `id` (needed when the outline file holds more than one)")
	demPath := fs.String("dem", "", "DEM `file`: GeoTIFF or ESRI ASCII grid")
	climPath := fs.String("climate", "", "climate `file`: NetCDF (HISTALP, CRU; the cell nearest the glacier) or Firn's climate CSV (needed with --mb-obs or --geodetic; without them the glacier is inverted with OGGM's linear apparent balance and runs with --climate linear)")
	obsPath := fs.String("mb-obs", "", "WGMS mass-balance `file` (mbdata CSV) to calibrate to")
	geodetic := fs.Float64("geodetic", 0, "geodetic mean specific balance to calibrate to, m w.e./yr, over --cal-period (without --mb-obs)")
	calPeriod := fs.String("cal-period", "", "calibration years `FIRST-LAST` (default with --mb-obs: the later half of the observed years the climate covers)")
	out := fs.String("out", "", "the glacier `directory` to write (created if needed)")
	quiet := fs.Bool("quiet", false, "no summary on stderr")
	if err := parse(fs, "firn glacier prepare --outline FILE [--id RGI-ID] --dem FILE [--climate FILE [--mb-obs FILE | --geodetic MB --cal-period Y0-Y1]] --out DIR", args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("glacier prepare: unexpected argument %q (see firn glacier prepare --help)", fs.Arg(0))
	}
	for _, f := range []struct{ name, v string }{{"outline", *outlinePath}, {"dem", *demPath}, {"out", *out}} {
		if f.v == "" {
			return usagef("glacier prepare: --%s is required (see firn glacier prepare --help)", f.name)
		}
	}
	geodeticSet := false
	fs.Visit(func(f *flag.Flag) { geodeticSet = geodeticSet || f.Name == "geodetic" })
	if geodeticSet && *obsPath != "" {
		return usagef("glacier prepare: --mb-obs and --geodetic: give one")
	}
	if *calPeriod != "" && !geodeticSet && *obsPath == "" {
		return usagef("glacier prepare: --cal-period needs --mb-obs or --geodetic")
	}
	if geodeticSet && *calPeriod == "" {
		return usagef("glacier prepare: --geodetic needs --cal-period FIRST-LAST")
	}
	if (geodeticSet || *obsPath != "") && *climPath == "" {
		return usagef("glacier prepare: --climate is required to calibrate (with --mb-obs or --geodetic)")
	}
	start := time.Now()
	all, err := outline.Read(*outlinePath)
	if err != nil {
		return usageError{err}
	}
	var o *outline.Outline
	switch {
	case *id != "":
		if o, err = outline.Find(all, *id); err != nil {
			return usageError{fmt.Errorf("%s: %w", *outlinePath, err)}
		}
	case len(all) == 1:
		o = all[0]
	default:
		ids := make([]string, 0, 3)
		for _, g := range all[:min(3, len(all))] {
			ids = append(ids, g.ID)
		}
		return usagef("glacier prepare: %s holds %d glaciers: name one with --id (e.g. %s)", *outlinePath, len(all), strings.Join(ids, ", "))
	}
	d, err := dem.Read(*demPath)
	if err != nil {
		return usageError{err}
	}
	var clim *climate.Monthly
	switch {
	case *climPath == "":
	case strings.EqualFold(filepath.Ext(*climPath), ".csv"):
		clim, err = climate.ReadCSVFile(*climPath)
	default:
		clim, err = climate.ReadNetCDF(*climPath, o.CenLon, o.CenLat)
	}
	if err != nil {
		return usageError{err}
	}
	opt := glacier.Options{}
	params := map[string]any{"rgi_id": o.ID, "apparent_mb": "linear", "glen_a": glacier.DefaultInversion().GlenA}
	inputs := []struct{ role, path string }{{"outline", *outlinePath}, {"dem", *demPath}}
	if clim != nil {
		inputs = append(inputs, struct{ role, path string }{"climate", *climPath})
	}
	if clim != nil && len(clim.Notes) > 0 {
		// What the reader changed in the climate (negative precipitation
		// set to 0): said now and kept with the directory.
		params["climate_notes"] = clim.Notes
		if !*quiet {
			for _, n := range clim.Notes {
				fmt.Fprintf(stderr, "climate %s: %s\n", *climPath, n)
			}
		}
	}
	mbo := glacier.MBOptions{Climate: clim}
	if *calPeriod != "" {
		if mbo.FirstYear, mbo.LastYear, err = period(*calPeriod, "cal-period"); err != nil {
			return err
		}
	}
	switch {
	case *obsPath != "":
		if mbo.Observations, err = massbalance.ReadWGMSFile(*obsPath); err != nil {
			return usageError{err}
		}
		inputs = append(inputs, struct{ role, path string }{"mb_obs", *obsPath})
		opt.MassBalance = mbo
	case geodeticSet:
		mbo.Geodetic = *geodetic
		opt.MassBalance = mbo
	}
	g, err := glacier.Prepare(o, d, opt)
	if err != nil {
		if clim == nil {
			return usageError{fmt.Errorf("%s with DEM %s: %w", o.ID, *demPath, err)}
		}
		return usageError{fmt.Errorf("%s with DEM %s and climate %s: %w", o.ID, *demPath, *climPath, err)}
	}
	if g.Calibration != nil {
		params["apparent_mb"] = "temperature_index"
		params["calibration_method"] = g.Calibration.Method
		params["calibration_period"] = fmt.Sprintf("%d-%d", g.Calibration.FirstYear, g.Calibration.LastYear)
		params["first_month"] = g.Calibration.FirstMonth
		b := massbalance.DefaultBounds()
		params["bounds"] = b
		if geodeticSet {
			params["geodetic_mb_m_we_yr"] = *geodetic
		}
	}
	prov := glacier.Provenance{Command: append([]string{"firn", "glacier", "prepare"}, args...), Firn: buildinfo.Version(), Go: runtime.Version(),
		Created: time.Now().UTC().Format(time.RFC3339), Parameters: params}
	for _, in := range inputs {
		h, err := glacier.HashInput(in.role, in.path)
		if err != nil {
			return err
		}
		prov.Inputs = append(prov.Inputs, h)
	}
	if strings.EqualFold(filepath.Ext(*outlinePath), ".shp") {
		// The shapefile's companions are read too.
		for _, ext := range []string{".dbf", ".shx", ".prj"} {
			p := strings.TrimSuffix(*outlinePath, filepath.Ext(*outlinePath)) + ext
			if h, err := glacier.HashInput("outline"+ext, p); err == nil {
				prov.Inputs = append(prov.Inputs, h)
			}
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	err = g.WriteDir(func(name string, write func(io.Writer) error) error {
		return atomicfile.Write(filepath.Join(*out, name), 0o644, write)
	}, prov)
	if err != nil {
		return fmt.Errorf("glacier directory %s: %w", *out, err)
	}
	if !*quiet {
		fmt.Fprintf(stderr, "%s (%s): %.3f km², %d points %.0f m apart, volume %.4f km³, ELA %.0f m\n",
			o.ID, o.Name, g.Flowline.Area()/1e6, g.Flowline.Len(), g.Flowline.Dx, g.Volume()/1e9, g.ELA)
		if c := g.Calibration; c != nil {
			fmt.Fprintf(stderr, "calibration (%s): %v\n", c.Method, c.ThreeStep)
			if v := c.Verification; v != nil {
				fmt.Fprintf(stderr, "verification out of the period: %v\n", v)
			}
		} else {
			fmt.Fprintln(stderr, "no mass-balance observations: apparent balance linear (OGGM's 3 mm w.e./m); run it with --climate linear, or give --climate with --mb-obs or --geodetic for a temperature-index model")
		}
		fmt.Fprintf(stderr, "wrote %s in %.2f s\n", *out, time.Since(start).Seconds())
	}
	return nil
}

func glacierRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn glacier run")
	kind := fs.String("climate", "constant", "the `climate`: constant (every year the mean of the balances of y0−halfsize to y0+halfsize, OGGM's ConstantMassBalance), random (each year a year drawn from that period, OGGM's RandomMassBalance), historical (the climate's own years, from --y0 or its first) or linear (OGGM's LinearMassBalance at the glacier's ELA; no climate needed; --temp-bias raises the ELA 150 m per °C)")
	y0 := fs.Int("y0", 0, "the central `year` of the constant or random climate; the first year of a historical run (default its first)")
	halfsize := fs.Int("halfsize", 15, "half the length of the climate period, `years`")
	seed := fs.Uint64("seed", 0, "the random climate's `seed`: the same seed gives the same run")
	bias := fs.Float64("temp-bias", 0, "a temperature change, `°C` (positive: warmer), on any climate")
	ramp := fs.Float64("ramp", 0, "reach --temp-bias over this many `years` from the start, linearly (0: from the first year)")
	years := fs.Int("years", 100, "how many `years` to run (a historical run stops at the end of the record)")
	out := fs.String("out", "-", "diagnostics CSV `file` (year,volume_m3,area_m2,length_m); - is stdout")
	quiet := fs.Bool("quiet", false, "no summary on stderr")
	if err := parse(fs, "firn glacier run DIR --climate constant|random|historical|linear [--y0 YEAR] [--halfsize N] [--seed N] [--temp-bias X [--ramp YEARS]] --years N [--out FILE]", args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("glacier run: want one glacier directory (see firn glacier run --help)")
	}
	switch *kind {
	case glacier.ClimateConstant, glacier.ClimateRandom:
		if *y0 == 0 {
			return usagef("glacier run: --y0 is required (the central year of the %s climate)", *kind)
		}
	case glacier.ClimateHistorical, glacier.ClimateLinear:
	default:
		return usagef("glacier run: --climate %q: want constant, random, historical or linear", *kind)
	}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })
	if seedSet && *kind != glacier.ClimateRandom {
		return usagef("glacier run: --seed is for --climate random")
	}
	if *years <= 0 {
		return usagef("glacier run: --years %d: want a positive number of years", *years)
	}
	if *ramp < 0 {
		return usagef("glacier run: --ramp %g: want ≥ 0 years", *ramp)
	}
	g, err := glacier.ReadDir(fs.Arg(0))
	if err != nil {
		return usageError{err}
	}
	s := glacier.Scenario{Climate: *kind, Y0: *y0, Halfsize: *halfsize, Seed: *seed, TempBias: *bias, RampYears: *ramp}
	if _, _, _, err := g.MassBalance(s); err != nil {
		return usageError{fmt.Errorf("%s: %w", fs.Arg(0), err)}
	}
	hist, m, err := g.Run(ctx, s, *years)
	if err != nil {
		return err
	}
	var diag bytes.Buffer
	if err := hist.WriteCSV(&diag); err != nil {
		return err
	}
	if *out == "-" {
		if _, err := stdout.Write(diag.Bytes()); err != nil {
			return err
		}
	} else if err := atomicfile.WriteBytes(*out, 0o644, diag.Bytes()); err != nil {
		return err
	}
	if !*quiet {
		d := m.Diagnostics()
		fmt.Fprintf(stderr, "%s, %v, year %g: volume %.4g km³ (start %.4g), area %.4g km², length %.4g km; %d steps\n",
			g.Flowline.ID, s, d.Year, d.Volume/1e9, hist.Volume[0]/1e9, d.Area/1e6, d.Length/1e3, m.Steps())
	}
	return nil
}
