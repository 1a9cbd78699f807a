package compute_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/dynamics"
)

// TestCompiledNetCDF writes three runs of different lengths (one starting
// later, as a historical run does) and reads the file back, with this
// module's reader and with xarray (Debian's python3-xarray over scipy, as
// an OGGM user opens compile_run_output's file): the runs' names are the
// run coordinate, the years the union of theirs, each run's volume, area
// and length its own values, and NaN where a run has no record.
func TestCompiledNetCDF(t *testing.T) {
	runs := []*dynamics.History{
		{Year: []float64{0, 1, 2, 3}, Volume: []float64{1e9, 1.1e9, 1.2e9, 1.25e9}, Area: []float64{5e6, 5.1e6, 5.2e6, 5.3e6}, Length: []float64{4000, 4100, 4200, 4300}},
		{Year: []float64{0, 1}, Volume: []float64{2e9, 1.9e9}, Area: []float64{6e6, 5.9e6}, Length: []float64{5000, 4900}},
		{Year: []float64{2, 3, 4}, Volume: []float64{3e8, 2e8, 1e8}, Area: []float64{1e6, 9e5, 8e5}, Length: []float64{1500, 1400, 1300}},
	}
	names := []string{"ela2800", "ela3000_warm", "late"}
	path := filepath.Join(t.TempDir(), "compiled.nc")
	var buf bytes.Buffer
	if err := compute.WriteCompiledNetCDF(&buf, names, runs, "firn model run (test)"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	years := []float64{0, 1, 2, 3, 4}
	want := func(j int, field func(*dynamics.History) []float64, y float64) float64 {
		for k, yy := range runs[j].Year {
			if yy == y {
				return field(runs[j])[k]
			}
		}
		return math.NaN()
	}
	fields := map[string]func(*dynamics.History) []float64{
		"volume": func(h *dynamics.History) []float64 { return h.Volume },
		"area":   func(h *dynamics.History) []float64 { return h.Area },
		"length": func(h *dynamics.History) []float64 { return h.Length },
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

	// This module's reader.
	nc, err := climate.OpenNetCDF(path)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	got, err := nc.Read("time")
	if err != nil || len(got) != len(years) {
		t.Fatalf("time %v: %v", got, err)
	}
	for name, f := range fields {
		v, err := nc.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, y := range years {
			for j := range runs {
				if w := want(j, f, y); !same(v[i*len(runs)+j], w) {
					t.Errorf("Firn's reader: %s of %s in year %g: %g, want %g", name, names[j], y, v[i*len(runs)+j], w)
				}
			}
		}
	}

	// xarray.
	if err := exec.Command("/usr/bin/python3", "-c", "import xarray, scipy").Run(); err != nil {
		t.Skip("no xarray and scipy for /usr/bin/python3 (apt-get install python3-xarray python3-scipy; scripts/test.sh does)")
	}
	script := `
import json, math, sys, xarray as xr
ds = xr.open_dataset(sys.argv[1])
out = {"runs": [str(r) for r in ds.run.values], "time": [float(t) for t in ds.time.values],
       "dims": {k: int(v) for k, v in ds.sizes.items()}, "units": ds.volume.attrs.get("units"), "source": ds.attrs.get("source")}
for name in ("volume", "area", "length"):
    out[name] = {str(r): [None if math.isnan(x) else float(x) for x in ds[name].sel(run=r).values] for r in ds.run.values}
print(json.dumps(out))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("xarray: %v\n%s", err, out)
	}
	var x struct {
		Runs   []string
		Time   []float64
		Dims   map[string]int
		Units  string
		Source string
		Volume map[string][]*float64
		Area   map[string][]*float64
		Length map[string][]*float64
	}
	if err := json.Unmarshal(out, &x); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(x.Runs) != 3 || x.Runs[0] != names[0] || x.Runs[1] != names[1] || x.Runs[2] != names[2] || len(x.Time) != 5 || x.Time[4] != 4 ||
		x.Dims["time"] != 5 || x.Dims["run"] != 3 || x.Units != "m3" || x.Source != "firn model run (test)" {
		t.Fatalf("xarray sees %s", out)
	}
	for name, vals := range map[string]map[string][]*float64{"volume": x.Volume, "area": x.Area, "length": x.Length} {
		for j, n := range names {
			for i, y := range years {
				w := want(j, fields[name], y)
				g := vals[n][i]
				if (g == nil) != math.IsNaN(w) || g != nil && *g != w {
					t.Errorf("xarray: %s of %s in year %g: %v, want %g", name, n, y, g, w)
				}
			}
		}
	}
}
