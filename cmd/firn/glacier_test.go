package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/testfiles"
)

// hefInputs returns Hintereisferner's input files as a user has them: the
// RGI 6 shapefile, the SRTM GeoTIFF, the HISTALP NetCDF file and the WGMS
// balances (copied out of Firn's assets into a file).
func hefInputs(t *testing.T) (shp, tif, nc, wgms string) {
	t.Helper()
	shp = testfiles.File(t, "sample", "outlines", "Hintereisferner_RGI6.shp")
	tif = testfiles.File(t, "sample", "dem", "hef_srtm.tif")
	nc = testfiles.File(t, "sample", "climate", "histalp_merged_hef.nc")
	b, err := assets.Data("hintereisferner/mbdata_WGMS-00491.csv")
	if err != nil {
		t.Fatal(err)
	}
	wgms = filepath.Join(t.TempDir(), "mbdata_WGMS-00491.csv")
	if err := os.WriteFile(wgms, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return shp, tif, nc, wgms
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestGlacierPrepareAndRun runs `firn glacier prepare` on Hintereisferner's
// files and `firn glacier run` on the directory it wrote, and checks the
// files on disk: the directory's five files (and no temporary ones), the
// provenance's SHA-256 of each input, the calibration, the flowline, and
// diagnostics in the columns of `firn model run` that start at the
// inverted volume and lose ice in the 1972–2002 climate.
func TestGlacierPrepareAndRun(t *testing.T) {
	shp, tif, nc, wgms := hefInputs(t)
	dir := filepath.Join(t.TempDir(), "hef")
	r := firn(t, "", "glacier", "prepare", "--outline", shp, "--dem", tif, "--climate", nc, "--mb-obs", wgms, "--out", dir)
	if r.code != 0 {
		t.Fatalf("prepare: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "RGI60-11.00897 (Hintereisferner)") || !strings.Contains(r.stderr, "calibration (wgms)") || !strings.Contains(r.stderr, "verification out of the period: 25 years 1953–1977") {
		t.Errorf("prepare's summary: %s", r.stderr)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "calibration.json climate.csv flowline.csv glacier.json provenance.json" {
		t.Errorf("directory holds %v", names)
	}
	var info struct {
		Format     string  `json:"format"`
		RGIID      string  `json:"rgi_id"`
		Name       string  `json:"name"`
		Area       float64 `json:"area_m2"`
		Points     int     `json:"points"`
		Volume     float64 `json:"volume_m3"`
		ApparentMB string  `json:"apparent_mb"`
	}
	readJSONFile(t, filepath.Join(dir, "glacier.json"), &info)
	if info.Format != "firn-glacier-directory" || info.RGIID != "RGI60-11.00897" || info.Name != "Hintereisferner" || info.Points != 56 ||
		info.ApparentMB != "temperature_index" || info.Area < 8.03e6 || info.Area > 8.04e6 || info.Volume < 0.6e9 || info.Volume > 0.8e9 {
		t.Errorf("glacier.json: %+v", info)
	}
	var prov struct {
		Command []string `json:"command"`
		Firn    string   `json:"firn_version"`
		Inputs  []struct {
			Role, Path, SHA256 string
			Bytes              int64
		} `json:"inputs"`
	}
	readJSONFile(t, filepath.Join(dir, "provenance.json"), &prov)
	want := map[string]string{"outline": shp, "dem": tif, "climate": nc, "mb_obs": wgms, "outline.dbf": strings.TrimSuffix(shp, ".shp") + ".dbf"}
	got := map[string]bool{}
	for _, in := range prov.Inputs {
		if p, ok := want[in.Role]; ok {
			got[in.Role] = true
			if in.Path != p || in.SHA256 != sha(t, p) {
				t.Errorf("provenance of %s: %s %s, want %s %s", in.Role, in.Path, in.SHA256, p, sha(t, p))
			}
		}
	}
	if len(got) != len(want) || prov.Firn == "" || prov.Command[2] != "prepare" {
		t.Errorf("provenance: %+v", prov)
	}
	var cal struct {
		Method    string  `json:"method"`
		FirstYear int     `json:"first_year"`
		LastYear  int     `json:"last_year"`
		MeltF     float64 `json:"melt_f"`
		PrcpFac   float64 `json:"prcp_fac"`
		Residual  float64 `json:"residual_m_we_yr"`
		Steps     []string
		Verif     *struct{ R, Bias float64 } `json:"verification"`
	}
	readJSONFile(t, filepath.Join(dir, "calibration.json"), &cal)
	if cal.Method != "wgms" || cal.FirstYear != 1978 || cal.LastYear != 2003 || !(cal.MeltF > 1.5 && cal.MeltF < 17) || cal.PrcpFac != 2.5 ||
		cal.Residual > 1e-9 || cal.Residual < -1e-9 || cal.Verif == nil || !(cal.Verif.R > 0.6) {
		t.Errorf("calibration.json: %+v", cal)
	}
	fl, _ := os.ReadFile(filepath.Join(dir, "flowline.csv"))
	rows := readRows(t, string(fl))
	if strings.Join(rows[0], ",") != "point,distance_m,surface_m,width_m,apparent_mb_m_ice_s,flux_m3_s,slope,thickness_m,bed_m,section_m2,shape" || len(rows) != 57 {
		t.Errorf("flowline.csv: header %v, %d rows", rows[0], len(rows))
	}

	diag := filepath.Join(t.TempDir(), "diag.csv")
	r = firn(t, "", "glacier", "run", dir, "--climate", "constant", "--y0", "1987", "--halfsize", "15", "--years", "100", "--out", diag)
	if r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(diag)
	rows = readRows(t, string(data))
	if strings.Join(rows[0], ",") != "year,volume_m3,area_m2,length_m" || len(rows) != 102 || rows[101][0] != "100" {
		t.Fatalf("diagnostics: header %v, %d rows", rows[0], len(rows))
	}
	v0, _ := strconv.ParseFloat(rows[1][1], 64)
	v100, _ := strconv.ParseFloat(rows[101][1], 64)
	if v0/info.Volume-1 > 1e-9 || v0/info.Volume-1 < -1e-9 || !(v100 < 0.8*v0) {
		t.Errorf("volume %g → %g m³ (inverted %g)", v0, v100, info.Volume)
	}
	if !strings.Contains(r.stderr, "constant climate of 1972–2002, year 100") {
		t.Errorf("run's summary: %s", r.stderr)
	}
}

// TestGlacierScenarios runs `firn glacier run` on Hintereisferner's
// directory in each climate and checks the diagnostics files: warmer
// (+1, +2 °C) loses more volume in 100 years of the 1972–2002 climate;
// a +2 °C ramp over 50 years loses less than the step; the same seed
// writes the same file and another seed another; the historical climate
// runs from --y0 to the end of the record (2003) and loses about what the
// WGMS balances of those years say.
func TestGlacierScenarios(t *testing.T) {
	shp, tif, nc, wgms := hefInputs(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "hef")
	if r := firn(t, "", "glacier", "prepare", "--outline", shp, "--dem", tif, "--climate", nc, "--mb-obs", wgms, "--out", dir, "--quiet"); r.code != 0 {
		t.Fatalf("prepare: %d %q", r.code, r.stderr)
	}
	run := func(name string, args ...string) (rows [][]string, stderr string, data []byte) {
		t.Helper()
		out := filepath.Join(tmp, name+".csv")
		r := firn(t, "", append([]string{"glacier", "run", dir, "--out", out}, args...)...)
		if r.code != 0 {
			t.Fatalf("run %v: exit %d: %s", args, r.code, r.stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		rows = readRows(t, string(data))
		if strings.Join(rows[0], ",") != "year,volume_m3,area_m2,length_m" {
			t.Fatalf("run %v: header %v", args, rows[0])
		}
		return rows, r.stderr, data
	}
	vol := func(rows [][]string, i int) float64 {
		v, err := strconv.ParseFloat(rows[i][1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	last := func(rows [][]string) float64 { return vol(rows, len(rows)-1) }
	cst := []string{"--climate", "constant", "--y0", "1987", "--halfsize", "15", "--years", "100"}
	r0, _, _ := run("t0", cst...)
	r1, s1, _ := run("t1", append(cst, "--temp-bias", "1")...)
	r2, _, _ := run("t2", append(cst, "--temp-bias", "2")...)
	rr, sr, _ := run("ramp", append(cst, "--temp-bias", "2", "--ramp", "50")...)
	if len(r1) != 102 || !(last(r2) < last(r1) && last(r1) < last(r0)) {
		t.Errorf("after 100 years: +0 °C %g m³, +1 °C %g, +2 °C %g (%d rows)", last(r0), last(r1), last(r2), len(r1))
	}
	if !(last(rr) > last(r2)) || !(vol(rr, 11) > vol(r2, 11)) {
		t.Errorf("ramp to +2 °C over 50 years: %g m³ (year 10: %g); the step %g (%g)", last(rr), vol(rr, 11), last(r2), vol(r2, 11))
	}
	if !strings.Contains(s1, "constant climate of 1972–2002, +1 °C, year 100") || !strings.Contains(sr, "+2 °C over 50 years") {
		t.Errorf("summaries: %q, %q", s1, sr)
	}
	rnd := []string{"--climate", "random", "--y0", "1987", "--halfsize", "15", "--years", "100"}
	_, sa, a := run("seed1a", append(rnd, "--seed", "1")...)
	_, _, b := run("seed1b", append(rnd, "--seed", "1")...)
	_, _, c := run("seed2", append(rnd, "--seed", "2")...)
	if string(a) != string(b) || string(a) == string(c) {
		t.Errorf("seed 1 twice gives the same file: %v; seed 2 another: %v", string(a) == string(b), string(a) != string(c))
	}
	if !strings.Contains(sa, "random climate of 1972–2002 (seed 1)") {
		t.Errorf("random summary: %q", sa)
	}
	h, sh, _ := run("hist", "--climate", "historical", "--y0", "1978", "--years", "500")
	if h[1][0] != "1978" || h[len(h)-1][0] != "2004" || !strings.Contains(sh, "historical climate from 1978") {
		t.Fatalf("historical run: years %s to %s; %q", h[1][0], h[len(h)-1][0], sh)
	}
	// The WGMS mean of 1978–2003 is −0.68 m w.e./yr: over 8 km² and 26
	// years about −0.16 km³ of ice.
	dv := last(h) - vol(h, 1)
	if dv > -0.12e9 || dv < -0.2e9 {
		t.Errorf("historical 1978–2003: volume change %.4f km³, want about −0.16", dv/1e9)
	}
}

// TestGlacierErrors: bad input ends with status 2 and a message that
// names the file or the field, and writes nothing.
func TestGlacierErrors(t *testing.T) {
	shp, tif, nc, wgms := hefInputs(t)
	oetztal := testfiles.File(t, "sample", "outlines", "rgi_oetztal.shp")
	southDEM := testfiles.File(t, "sample", "dem", "dem_SouthGlacier_window.tif")
	tmp := t.TempDir()
	short := filepath.Join(tmp, "short.csv")
	if err := os.WriteFile(short, []byte("# ref_hgt_m=3160\nyear,month,temp_degC,prcp_kg_m2\n2001,1,-5,80\n2001,2,-4,70\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"several glaciers, no id", []string{"--outline", oetztal, "--dem", tif, "--climate", nc}, []string{oetztal, "holds 20 glaciers: name one with --id"}},
		{"unknown id", []string{"--outline", oetztal, "--id", "RGI60-11.99999", "--dem", tif, "--climate", nc}, []string{oetztal, "no glacier RGI60-11.99999 among 20"}},
		{"DEM elsewhere", []string{"--outline", shp, "--dem", southDEM, "--climate", nc}, []string{southDEM, "the DEM covers no cell of the glacier's map"}},
		{"climate too short", []string{"--outline", shp, "--dem", tif, "--climate", short, "--mb-obs", wgms}, []string{"RGI60-11.00897", "no observed year in the climate"}},
		{"geodetic period outside the climate", []string{"--outline", shp, "--dem", tif, "--climate", nc, "--geodetic", "-1", "--cal-period", "2000-2019"}, []string{"period 2000–2019", "2003-09"}},
		{"period without a target", []string{"--outline", shp, "--dem", tif, "--climate", nc, "--cal-period", "1980-2000"}, []string{"--cal-period needs --mb-obs or --geodetic"}},
		{"missing DEM flag", []string{"--outline", shp, "--climate", nc}, []string{"--dem is required"}},
		{"observations without a climate", []string{"--outline", shp, "--dem", tif, "--mb-obs", wgms}, []string{"--climate is required to calibrate"}},
		{"bad period", []string{"--outline", shp, "--dem", tif, "--climate", nc, "--geodetic", "-1", "--cal-period", "2000"}, []string{`--cal-period "2000"`}},
	}
	for _, tc := range tests {
		r := firn(t, "", append(append([]string{"glacier", "prepare"}, tc.args...), "--out", out)...)
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", tc.name, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: message %q does not say %q", tc.name, r.stderr, w)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s: %s was written", tc.name, out)
		}
	}
	// run: a directory that is not one, a climate it does not hold.
	if r := firn(t, "", "glacier", "run", tmp, "--y0", "1987"); r.code != 2 || !strings.Contains(r.stderr, filepath.Join(tmp, "glacier.json")+" is missing") {
		t.Errorf("run on a plain directory: %d %q", r.code, r.stderr)
	}
	dir := filepath.Join(tmp, "hef")
	if r := firn(t, "", "glacier", "prepare", "--outline", shp, "--dem", tif, "--climate", nc, "--mb-obs", wgms, "--out", dir, "--quiet"); r.code != 0 || r.stderr != "" {
		t.Fatalf("prepare: %d %q", r.code, r.stderr)
	}
	diag := filepath.Join(tmp, "diag.csv")
	if r := firn(t, "", "glacier", "run", dir, "--y0", "2010", "--out", diag); r.code != 2 || !strings.Contains(r.stderr, "years 1995–2025") || !strings.Contains(r.stderr, "climate.csv: no data for mass-balance year (from month 10) 2025") {
		t.Errorf("run beyond the climate: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(diag); err == nil {
		t.Error("a failed run wrote its diagnostics")
	}
	// Without observations the glacier is inverted with the linear
	// balance and has no model to run.
	lin := filepath.Join(tmp, "linear")
	if r := firn(t, "", "glacier", "prepare", "--outline", shp, "--dem", tif, "--climate", nc, "--out", lin); r.code != 0 || !strings.Contains(r.stderr, "apparent balance linear") {
		t.Fatalf("prepare without observations: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(lin, "calibration.json")); err == nil {
		t.Error("calibration.json written without a calibration")
	}
	if r := firn(t, "", "glacier", "run", lin, "--y0", "1987"); r.code != 2 || !strings.Contains(r.stderr, "no calibrated mass balance") {
		t.Errorf("run without a calibrated model: %d %q", r.code, r.stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--y0", "1987", "--climate", "warm"}, `--climate "warm": want constant, random, historical or linear`},
		{[]string{"--climate", "random"}, "--y0 is required (the central year of the random climate)"},
		{[]string{"--y0", "1987", "--seed", "3"}, "--seed is for --climate random"},
		{[]string{"--y0", "1987", "--temp-bias", "1", "--ramp", "-5"}, "--ramp -5: want ≥ 0 years"},
		{[]string{"--climate", "historical", "--y0", "1700"}, "year 1700 is not in"},
		{[]string{"--climate", "random", "--y0", "2010", "--seed", "1"}, "random climate for RGI60-11.00897, years 1995–2025"},
	} {
		r := firn(t, "", append([]string{"glacier", "run", dir, "--out", diag}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("run %v: %d %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
		if _, err := os.Stat(diag); err == nil {
			t.Fatalf("run %v wrote its diagnostics", tc.args)
		}
	}
}

// TestGlacierHelp: every glacier command's --help exits 0 with its usage.
func TestGlacierHelp(t *testing.T) {
	for _, cmd := range [][]string{{"glacier"}, {"glacier", "prepare"}, {"glacier", "run"}} {
		for _, h := range []string{"-h", "--help"} {
			r := firn(t, "", append(cmd, h)...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: "+strings.Join(append([]string{"firn"}, cmd...), " ")) {
				t.Errorf("firn %s %s: status %d, stdout %q, stderr %q", strings.Join(cmd, " "), h, r.code, r.stdout, r.stderr)
			}
		}
	}
	if r := firn(t, "", "help"); !strings.Contains(r.stdout, "firn glacier prepare --outline FILE") {
		t.Errorf("firn help does not list glacier: %q", r.stdout)
	}
}

// TestModelRunRealGlacier runs `firn model run` on an experiment file
// that names a glacier directory (relative to the file) with a
// temperature_index mass balance, +1 °C: the diagnostics file is the one
// `firn glacier run --temp-bias 1` writes, and a temperature_index
// balance without a glacier directory is refused with its key.
func TestModelRunRealGlacier(t *testing.T) {
	shp, tif, nc, wgms := hefInputs(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "hef")
	if r := firn(t, "", "glacier", "prepare", "--outline", shp, "--dem", tif, "--climate", nc, "--mb-obs", wgms, "--out", dir, "--quiet"); r.code != 0 {
		t.Fatalf("prepare: %d %q", r.code, r.stderr)
	}
	exp := filepath.Join(tmp, "warm.yaml")
	if err := os.WriteFile(exp, []byte("glacier: {directory: hef}\nmass_balance: {type: temperature_index, climate: constant, y0: 1987, halfsize: 15, temp_bias_k: 1}\nyears: {end: 100}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(tmp, "model.csv"), filepath.Join(tmp, "glacier.csv")
	// Run from another directory: the glacier is found next to the file.
	if r := firn(t, "", "model", "run", exp, "--out", a, "--quiet"); r.code != 0 {
		t.Fatalf("model run: %d %q", r.code, r.stderr)
	}
	if r := firn(t, "", "glacier", "run", dir, "--y0", "1987", "--temp-bias", "1", "--out", b, "--quiet"); r.code != 0 {
		t.Fatalf("glacier run: %d %q", r.code, r.stderr)
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) == 0 || string(da) != string(db) {
		t.Errorf("firn model run wrote %d bytes, firn glacier run %d: they differ", len(da), len(db))
	}
	bad := filepath.Join(tmp, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"flowlines": [{"dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 50}, "width_m": 300}],
 "mass_balance": {"type": "temperature_index", "y0": 1987}, "years": {"end": 10}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := firn(t, "", "model", "run", bad); r.code != 2 || !strings.Contains(r.stderr, "bad.json:2: mass_balance.type: a temperature_index mass balance needs a glacier directory") {
		t.Errorf("temperature_index without a glacier: %d %q", r.code, r.stderr)
	}
}

// TestGlacierPrepareOetztalClimate prepares Kesselwandferner from the
// Ötztal files (RGI 5 shapefile, SRTM mosaic, the HISTALP grid of the
// valley, its WGMS balances) and runs it through the years the file holds.
// The HISTALP grid has negative precipitation in 2011 (at this glacier's
// cell −20.9 kg m⁻² in 2011-11): before, prepare refused the file; now the
// month is read as 0, prepare says so on stderr and the directory's
// provenance records it, and a historical run through 2011 works.
func TestGlacierPrepareOetztalClimate(t *testing.T) {
	shp := testfiles.File(t, "sample", "outlines", "rgi_oetztal.shp")
	tif := testfiles.File(t, "sample", "dem", "srtm_oetztal_deflate.tif")
	nc := testfiles.File(t, "sample", "climate", "HISTALP_oetztal.nc")
	wgms := testfiles.File(t, "sample", "massbalance", "mbdata_WGMS-00507.csv")
	dir := filepath.Join(t.TempDir(), "kwf")
	r := firn(t, "", "glacier", "prepare", "--outline", shp, "--id", "RGI50-11.00787", "--dem", tif, "--climate", nc, "--mb-obs", wgms, "--out", dir)
	if r.code != 0 {
		t.Fatalf("prepare: exit %d: %s", r.code, r.stderr)
	}
	note := "precipitation below 0 in 1 month(s) (2011-11, lowest -20.9 kg m⁻²) set to 0"
	if !strings.Contains(r.stderr, "climate "+nc+": "+note) || !strings.Contains(r.stderr, "calibration (wgms)") {
		t.Errorf("prepare's summary does not give the climate's note: %s", r.stderr)
	}
	var prov struct {
		Parameters struct {
			Notes []string `json:"climate_notes"`
		} `json:"parameters"`
	}
	readJSONFile(t, filepath.Join(dir, "provenance.json"), &prov)
	if len(prov.Parameters.Notes) != 1 || prov.Parameters.Notes[0] != note {
		t.Errorf("provenance's climate_notes %q, want [%q]", prov.Parameters.Notes, note)
	}
	diag := filepath.Join(t.TempDir(), "diag.csv")
	r = firn(t, "", "glacier", "run", dir, "--climate", "historical", "--y0", "2004", "--years", "20", "--out", diag)
	if r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(diag)
	rows := readRows(t, string(data))
	v0, _ := strconv.ParseFloat(rows[1][1], 64)
	v1, _ := strconv.ParseFloat(rows[len(rows)-1][1], 64)
	if len(rows) < 10 || !(v1 < v0) || !(v1 > 0) {
		t.Errorf("historical run from 2004: %d rows, volume %g → %g m³", len(rows), v0, v1)
	}
	t.Logf("Kesselwandferner, historical 2004–: %d years, %.4f → %.4f km³; %s", len(rows)-2, v0/1e9, v1/1e9, strings.TrimSpace(r.stderr))
}

// TestGlacierEverySampleOutline: `firn glacier prepare` and `run` work on
// every outline of the sample data, in each format: Hintereisferner's RGI 6
// shapefile and GeoJSON and its RGI 7 shapefile, each of the 20 Ötztal
// glaciers of the RGI 5 shapefile (calibrated on the valley's HISTALP grid
// to Hintereisferner's WGMS mean of 1983–2002, the negative precipitation
// of 2011 noted), and South Glacier, which has no climate with a reference
// height in the sample data: prepared without one (OGGM's linear apparent
// balance) and run in the linear climate. Each run starts at the volume
// glacier.json gives and ends with ice; the Ötztal's areas add up to
// RGI's.
func TestGlacierEverySampleOutline(t *testing.T) {
	sample := func(p ...string) string { return testfiles.File(t, append([]string{"sample"}, p...)...) }
	hefDEM, oetztalDEM := sample("dem", "hef_srtm.tif"), sample("dem", "srtm_oetztal_deflate.tif")
	histalp, oetztalClim := sample("climate", "histalp_merged_hef.nc"), sample("climate", "HISTALP_oetztal.nc")
	_, _, _, wgms := hefInputs(t)
	calibrated := []string{"--mb-obs", wgms}
	constant := []string{"--climate", "constant", "--y0", "1987"}
	type glacierCase struct {
		name          string
		prepare, run  []string
		climate, area string
	}
	cases := []glacierCase{
		{name: "HEF RGI6 shapefile", prepare: append([]string{"--outline", sample("outlines", "Hintereisferner_RGI6.shp"), "--dem", hefDEM, "--climate", histalp}, calibrated...), run: constant},
		{name: "HEF RGI6 GeoJSON", prepare: append([]string{"--outline", sample("outlines", "Hintereisferner_RGI6.geojson"), "--dem", hefDEM, "--climate", histalp}, calibrated...), run: constant},
		{name: "HEF RGI7", prepare: append([]string{"--outline", sample("outlines", "rgi7g_hef.shp"), "--dem", hefDEM, "--climate", histalp}, calibrated...), run: constant},
		{name: "South Glacier", prepare: []string{"--outline", sample("outlines", "SouthGlacier.shp"), "--dem", sample("dem", "dem_SouthGlacier_float32_deflate.tif")}, run: []string{"--climate", "linear", "--temp-bias", "0.5"}},
	}
	// HEF's WGMS mean over 1983–2002, the regional target of the valley.
	b, err := os.ReadFile(wgms)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := massbalance.ReadWGMS(bytes.NewReader(b), wgms)
	if err != nil {
		t.Fatal(err)
	}
	sum, n := 0.0, 0
	for _, o := range obs {
		if o.Year >= 1983 && o.Year <= 2002 {
			sum, n = sum+o.Annual, n+1
		}
	}
	target := strconv.FormatFloat(sum/float64(n), 'f', 4, 64)
	shp := sample("outlines", "rgi_oetztal.shp")
	all, err := outline.Read(shp)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		cases = append(cases, glacierCase{name: o.ID, climate: oetztalClim, area: "oetztal",
			prepare: []string{"--outline", shp, "--id", o.ID, "--dem", oetztalDEM, "--climate", oetztalClim, "--geodetic", target, "--cal-period", "1983-2002"},
			run:     constant})
	}
	tmp := t.TempDir()
	oetztalArea := 0.0
	for i, c := range cases {
		dir := filepath.Join(tmp, strconv.Itoa(i))
		r := firn(t, "", append(append([]string{"glacier", "prepare"}, c.prepare...), "--out", dir)...)
		if r.code != 0 {
			t.Errorf("%s: prepare: exit %d: %s", c.name, r.code, r.stderr)
			continue
		}
		if c.climate != "" && !strings.Contains(r.stderr, "climate "+c.climate+": precipitation below 0") {
			t.Errorf("%s: prepare does not note the climate's negative precipitation: %s", c.name, r.stderr)
		}
		var info struct {
			Area   float64 `json:"area_m2"`
			Volume float64 `json:"volume_m3"`
		}
		readJSONFile(t, filepath.Join(dir, "glacier.json"), &info)
		if c.area == "oetztal" {
			oetztalArea += info.Area
		}
		diag := filepath.Join(dir, "diag.csv")
		r = firn(t, "", append([]string{"glacier", "run", dir, "--years", "100", "--out", diag}, c.run...)...)
		if r.code != 0 {
			t.Errorf("%s: run: exit %d: %s", c.name, r.code, r.stderr)
			continue
		}
		data, _ := os.ReadFile(diag)
		rows := readRows(t, string(data))
		v0, _ := strconv.ParseFloat(rows[1][1], 64)
		v100, _ := strconv.ParseFloat(rows[len(rows)-1][1], 64)
		if len(rows) != 102 || math.Abs(v0/info.Volume-1) > 1e-9 || !(v100 >= 0) {
			t.Errorf("%s: %d rows, volume %g → %g m³, glacier.json %g m³", c.name, len(rows), v0, v100, info.Volume)
		}
		t.Logf("%-20s %7.3f km² %.4f → %.4f km³", c.name, info.Area/1e6, v0/1e9, v100/1e9)
	}
	rgi := 0.0
	for _, o := range all {
		rgi += o.Area * 1e6
	}
	if d := oetztalArea/rgi - 1; math.Abs(d) > 0.005 {
		t.Errorf("Ötztal: %.3f km² prepared, RGI %.3f km² (%+.2f %%)", oetztalArea/1e6, rgi/1e6, 100*d)
	}
}
