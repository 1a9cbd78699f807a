package experiment

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/glacier"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/testfiles"
)

// hefDir prepares Hintereisferner, calibrated to its WGMS balances, and
// writes its glacier directory to dir/hef.
func hefDir(t *testing.T, dir string) *glacier.Glacier {
	t.Helper()
	all, err := outline.Read(testfiles.File(t, "sample", "outlines", "Hintereisferner_RGI6.shp"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := outline.Find(all, "RGI60-11.00897")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dem.Read(testfiles.File(t, "sample", "dem", "hef_srtm.tif"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := climate.ReadNetCDF(testfiles.File(t, "sample", "climate", "histalp_merged_hef.nc"), o.CenLon, o.CenLat)
	if err != nil {
		t.Fatal(err)
	}
	b, err := assets.Data("hintereisferner/mbdata_WGMS-00491.csv")
	if err != nil {
		t.Fatal(err)
	}
	obs, err := massbalance.ReadWGMS(bytes.NewReader(b), "mbdata_WGMS-00491.csv")
	if err != nil {
		t.Fatal(err)
	}
	g, err := glacier.Prepare(o, d, glacier.Options{MassBalance: glacier.MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hef")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	err = g.WriteDir(func(name string, write func(io.Writer) error) error {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, name), buf.Bytes(), 0o644)
	}, glacier.Provenance{Command: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := glacier.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRealGlacierExperiment runs experiment files that name a glacier
// directory (relative to the file) with a temperature_index mass
// balance, and checks that each run is the run of the glacier package in
// the same scenario, year by year, with the inversion's Glen A.
func TestRealGlacierExperiment(t *testing.T) {
	dir := t.TempDir()
	g := hefDir(t, dir)
	for _, tc := range []struct {
		name, file string
		scenario   glacier.Scenario
		years      int
	}{
		{"constant", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "y0": 1987, "halfsize": 15}, "years": {"end": 100}}`,
			glacier.Scenario{Y0: 1987, Halfsize: 15}, 100},
		{"warmer", "glacier: {directory: hef}\nmass_balance: {type: temperature_index, climate: constant, y0: 1987, temp_bias_k: 1}\nyears: {end: 100}\n",
			glacier.Scenario{Y0: 1987, Halfsize: 15, TempBias: 1}, 100},
		{"random", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "climate": "random", "y0": 1987, "seed": 4, "temp_bias_k": 2, "ramp_years": 50}, "years": {"end": 60}}`,
			glacier.Scenario{Climate: glacier.ClimateRandom, Y0: 1987, Halfsize: 15, Seed: 4, TempBias: 2, RampYears: 50}, 60},
		{"historical", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "climate": "historical"}, "years": {"start": 1978, "end": 2004}}`,
			glacier.Scenario{Climate: glacier.ClimateHistorical, Y0: 1978}, 26},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ext := ".json"
			if !strings.HasPrefix(tc.file, "{") {
				ext = ".yaml"
			}
			path := filepath.Join(dir, tc.name+ext)
			if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			spec, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := spec.Model()
			if err != nil {
				t.Fatal(err)
			}
			if p := m.Params(); p.GlenA != g.Inversion.Params.GlenA {
				t.Errorf("Glen A %g, the inversion's %g", p.GlenA, g.Inversion.Params.GlenA)
			}
			got, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: spec.Years.End})
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := g.Run(context.Background(), tc.scenario, tc.years)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Year, want.Year) || !slices.Equal(got.Volume, want.Volume) {
				t.Errorf("%s: years %g–%g, volume %g → %g m³; glacier.Run: %g–%g, %g → %g",
					tc.name, got.Year[0], got.Year[len(got.Year)-1], got.Volume[0], got.Volume[len(got.Volume)-1],
					want.Year[0], want.Year[len(want.Year)-1], want.Volume[0], want.Volume[len(want.Volume)-1])
			}
		})
	}
}

// TestRealGlacierExperimentErrors: each mistake names its key.
func TestRealGlacierExperimentErrors(t *testing.T) {
	dir := t.TempDir()
	hefDir(t, dir)
	ti := `"mass_balance": {"type": "temperature_index", "y0": 1987}`
	for _, tc := range []struct {
		name, file, want string
	}{
		{"no directory", `{"glacier": {"directory": "nowhere"}, ` + ti + `, "years": {"end": 10}}`, "exp.json:1: glacier.directory: "},
		{"both", `{"glacier": {"directory": "hef"}, "flowlines": [], ` + ti + `, "years": {"end": 10}}`, "glacier: give flowlines (an idealized glacier) or glacier (a glacier directory), not both"},
		{"misspelt", `{"glacier": {"dir": "hef"}, ` + ti + `, "years": {"end": 10}}`, "glacier.dir: unknown key; a real glacier takes directory"},
		{"TI without glacier", `{"flowlines": [{"dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 50}, "width_m": 300}], ` + ti + `, "years": {"end": 10}}`,
			"mass_balance.type: a temperature_index mass balance needs a glacier directory"},
		{"climate", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "climate": "warm", "y0": 1987}, "years": {"end": 10}}`,
			`mass_balance.climate: unknown climate "warm" (want constant, random, historical)`},
		{"no y0", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index"}, "years": {"end": 10}}`, "mass_balance: missing key y0"},
		{"y0 outside", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "y0": 2015}, "years": {"end": 10}}`, "mass_balance.y0: constant climate for RGI60-11.00897, years 2000–2030"},
		{"seed for constant", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "y0": 1987, "seed": 3}, "years": {"end": 10}}`, "mass_balance.seed: is for a random climate"},
		{"bias", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "y0": 1987, "temp_bias_k": 40}, "years": {"end": 10}}`, "mass_balance.temp_bias_k: must be -20 to 20 K, got 40 K"},
		{"historical past the record", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "climate": "historical"}, "years": {"start": 1990, "end": 2050}}`,
			"years.end: the climate of hef ends with mass-balance year 2003"},
		{"historical year 0", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "climate": "historical"}, "years": {"end": 10}}`, "years.start: a historical climate runs in calendar years: the climate of hef holds the mass-balance years 1802–2003, got 0"},
		{"linear key", `{"glacier": {"directory": "hef"}, "mass_balance": {"type": "temperature_index", "y0": 1987, "ela_m": 3000}, "years": {"end": 10}}`, "mass_balance.ela_m: a temperature_index mass balance has no ela_m"},
	} {
		path := filepath.Join(dir, "exp.json")
		if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
