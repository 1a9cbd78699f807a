package dynamics

import (
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"testing"
)

// Benchmarks of the OGGM reference runs. OGGM on this kind of machine
// (testdata/oggm/timings.csv): ~80 µs per step; rect_ela2600 700
// years 1.16 s flux-based, 0.68 s semi-implicit; tributary 700 years 4.36 s.
// Each reports µs/step and steps per run besides ns/op.

func benchRun(b *testing.B, tag string, s Solver, years float64, oggmSteps bool) {
	var c referenceCase
	for _, rc := range referenceCases(b) {
		if rc.tag == tag {
			c = rc
		}
	}
	oggm := oggmTiming(b, tag, s, years)
	g, mb, p := c.build()
	p.Solver = s
	p.OGGMSteps = oggmSteps
	b.ReportAllocs()
	var steps, rejected int64
	controlled := false
	for b.Loop() {
		m, err := NewModel(g, mb, p, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.RunUntil(context.Background(), years); err != nil {
			b.Fatal(err)
		}
		steps, rejected = m.Steps(), m.rejected
		controlled = m.fluxROS2 || (s == SemiImplicit && !oggmSteps)
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perRun/float64(steps)*1e6, "µs/step")
	b.ReportMetric(float64(steps), "steps/run")
	if controlled {
		// Steps whose error estimate exceeded the tolerance, solved
		// again shorter (their cost is in µs/step).
		b.ReportMetric(float64(rejected), "rejected/run")
	}
	b.ReportMetric(oggm/perRun, "×OGGM")
}

// oggmTiming returns OGGM's median wall time for one run of the case with
// the solver over the given years, s (testdata/oggm/timings.csv, kind
// single).
func oggmTiming(b *testing.B, tag string, s Solver, years float64) float64 {
	t := readRows(b, oggmFile(b, "timings.csv"))
	for _, r := range t {
		if r["kind"] == "single" && r["case"] == tag && r["model"] == solverFile(s) && r["years"] == strconv.Itoa(int(years)) {
			v, err := strconv.ParseFloat(r["median_s"], 64)
			if err != nil {
				b.Fatal(err)
			}
			return v
		}
	}
	b.Fatalf("timings.csv has no run of %s with %s over %g years", tag, s, years)
	return 0
}

// readRows reads a CSV file with a header into one map per row.
func readRows(b *testing.B, path string) []map[string]string {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for j, name := range rows[0] {
			m[name] = r[j]
		}
		out = append(out, m)
	}
	return out
}

// BenchmarkRun times whole runs from no ice, for every reference case and
// every solver OGGM ran it with, and reports the speed-up over OGGM's run
// of the same case, solver and length (×OGGM). "oggm-steps" runs use
// OGGM's time steps (Params.OGGMSteps): the same steps as OGGM's runs, so
// the figure compares like with like; the default runs take Firn's own
// steps (error-controlled linearly implicit steps ending at year ends:
// ROS3 semi-implicit, ROS2 flux-based, with the tributary too).
func BenchmarkRun(b *testing.B) {
	type run struct {
		tag       string
		solver    Solver
		years     float64
		oggmSteps bool
	}
	runs := []run{
		{"rect_ela2600", FluxBased, 100, false},
		{"rect_ela2600", SemiImplicit, 100, false},
	}
	for _, c := range referenceCases(b) {
		for _, s := range c.solvers {
			runs = append(runs, run{c.tag, s, 700, false}, run{c.tag, s, 700, true})
		}
	}
	for _, bc := range runs {
		name := bc.tag + "/" + bc.solver.String() + "/" + strconv.Itoa(int(bc.years)) + "y"
		if bc.oggmSteps {
			name += "/oggm-steps"
		}
		b.Run(name, func(b *testing.B) {
			benchRun(b, bc.tag, bc.solver, bc.years, bc.oggmSteps)
		})
	}
}

// BenchmarkStep times one time step on the year-700 glacier (the state
// that costs most) and shows that a step allocates nothing.
func BenchmarkStep(b *testing.B) {
	for _, bc := range []struct {
		tag    string
		solver Solver
	}{
		{"rect_ela2600", FluxBased},
		{"rect_ela2600", SemiImplicit},
		{"tributary_ela2600", FluxBased},
		{"parabolic_ela2800", FluxBased},
	} {
		b.Run(bc.tag+"/"+bc.solver.String(), func(b *testing.B) {
			var c referenceCase
			for _, rc := range referenceCases(b) {
				if rc.tag == bc.tag {
					c = rc
				}
			}
			g, mb, p := c.build()
			p.Solver = bc.solver
			m, err := NewModel(g, mb, p, 0)
			if err != nil {
				b.Fatal(err)
			}
			if err := m.RunUntil(context.Background(), 700); err != nil {
				b.Fatal(err)
			}
			if err := m.updateMassBalance(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				// A step capped at a minute: the state hardly changes, so
				// every iteration does the same work.
				if _, err := m.step(60); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
