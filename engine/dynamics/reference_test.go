package dynamics

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// referenceDir finds ../shared/reference (beside the checkout) by walking
// up from the package directory. Tests that need it fail when it is
// missing: the verification must not silently disappear.
func referenceDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("FIRN_REFERENCE"); d != "" {
		return d
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, c := range []string{filepath.Join(dir, "shared", "reference"), filepath.Join(dir, "..", "shared", "reference")} {
			if st, err := os.Stat(filepath.Join(c, "oggm")); err == nil && st.IsDir() {
				return c
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find shared/reference beside the checkout (set FIRN_REFERENCE to its path)")
		}
		dir = parent
	}
}

// readCSV reads a reference CSV into columns by header name.
func readCSV(t testing.TB, path string) map[string][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	cols := map[string][]float64{}
	for _, r := range rows[1:] {
		for j, name := range rows[0] {
			v, err := strconv.ParseFloat(strings.TrimSpace(r[j]), 64)
			if err != nil {
				t.Fatalf("%s: column %s: %v", path, name, err)
			}
			cols[name] = append(cols[name], v)
		}
	}
	return cols
}

// referenceCase builds one of OGGM's idealized experiments
// (shared/reference/README.md, "Cases here").
type referenceCase struct {
	tag     string
	solvers []Solver
	build   func() (*geometry.Glacier, massbalance.Model, Params)
	// tolerance on volume and area (relative)
	tol float64
}

func linearBed(n int) []float64 {
	bed := make([]float64, n)
	for i := range bed {
		bed[i] = 3000 - 2000*float64(i)/199
	}
	return bed
}

func mustGlacier(t testing.TB, lines ...*geometry.Flowline) *geometry.Glacier {
	g, err := geometry.NewGlacier(lines...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func referenceCases(t testing.TB) []referenceCase {
	rect := func(ela, fs float64) func() (*geometry.Glacier, massbalance.Model, Params) {
		return func() (*geometry.Glacier, massbalance.Model, Params) {
			fl := geometry.NewFlowline("main", 100, linearBed(200))
			fl.SetRectangular(300)
			p := DefaultParams()
			p.SlidingFs = fs
			return mustGlacier(t, fl), massbalance.Linear{ELA: ela, Gradient: 3}, p
		}
	}
	return []referenceCase{
		{"rect_ela2600", []Solver{FluxBased, SemiImplicit}, rect(2600, 0), 0.01},
		{"rect_ela2600_fs5.7e-20", []Solver{FluxBased, SemiImplicit}, rect(2600, 5.7e-20), 0.01},
		{"parabolic_ela2800", []Solver{FluxBased}, func() (*geometry.Glacier, massbalance.Model, Params) {
			fl := geometry.NewFlowline("main", 100, linearBed(200))
			fl.SetParabolic(5e-3)
			return mustGlacier(t, fl), massbalance.Linear{ELA: 2800, Gradient: 3}, DefaultParams()
		}, 0.01},
		{"trapezoid_ela2800", []Solver{FluxBased, SemiImplicit}, func() (*geometry.Glacier, massbalance.Model, Params) {
			fl := geometry.NewFlowline("main", 100, linearBed(200))
			fl.SetTrapezoidal(160, 2)
			return mustGlacier(t, fl), massbalance.Linear{ELA: 2800, Gradient: 3}, DefaultParams()
		}, 0.01},
		{"bumpy_ela2600", []Solver{FluxBased, SemiImplicit}, func() (*geometry.Glacier, massbalance.Model, Params) {
			bed := linearBed(200)
			for i := range bed {
				x := (float64(i) - 30) / 5
				bed[i] += 170 * math.Exp(-x*x)
			}
			fl := geometry.NewFlowline("main", 100, bed)
			fl.SetRectangular(300)
			return mustGlacier(t, fl), massbalance.Linear{ELA: 2600, Gradient: 3}, DefaultParams()
		}, 0.02},
		{"tributary_ela2600", []Solver{FluxBased}, func() (*geometry.Glacier, massbalance.Model, Params) {
			main := geometry.NewFlowline("main", 100, linearBed(200))
			main.SetRectangular(300)
			trib := geometry.NewFlowline("tributary", 100, linearBed(200)[:20])
			trib.SetRectangular(300)
			trib.FlowsTo = &geometry.Junction{Line: "main", Point: 19}
			return mustGlacier(t, trib, main), massbalance.Linear{ELA: 2600, Gradient: 3}, DefaultParams()
		}, 0.01},
	}
}

func solverFile(s Solver) string {
	if s == SemiImplicit {
		return "SemiImplicit"
	}
	return "FluxBased"
}

func rms(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

func TestExploreReference(t *testing.T) {
	ref := referenceDir(t)
	for _, c := range referenceCases(t) {
		for _, s := range c.solvers {
			g, mb, p := c.build()
			p.Solver = s
			m, err := NewModel(g, mb, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			base := filepath.Join(ref, "oggm", c.tag+"_"+solverFile(s))
			want := readCSV(t, base+".csv")
			prof := readCSV(t, base+"_profile_y100.csv")
			if err := m.RunUntil(context.Background(), 100); err != nil {
				t.Fatal(err)
			}
			d100 := m.Diagnostics()
			r100 := rms(m.Thickness(g.Main), prof["thickness_m"])
			s100 := m.Steps()
			if err := m.RunUntil(context.Background(), 700); err != nil {
				t.Fatal(err)
			}
			d := m.Diagnostics()
			t.Logf("%s %s: y100 V %.6g/%.6g rmsH %.3g steps %d/%v | y700 V %.6g/%.6g (%.2e) A %.6g/%.6g L %g/%g steps %d/%v",
				c.tag, s, d100.Volume, want["volume_m3"][100], r100, s100, want["n_steps_cum"][100],
				d.Volume, want["volume_m3"][700], d.Volume/want["volume_m3"][700]-1, d.Area, want["area_m2"][700], d.Length, want["length_m"][700], m.Steps(), want["n_steps_cum"][700])
		}
	}
}
