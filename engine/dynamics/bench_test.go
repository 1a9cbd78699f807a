package dynamics

import (
	"context"
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
	g, mb, p := c.build()
	p.Solver = s
	p.OGGMSteps = oggmSteps
	b.ReportAllocs()
	var steps int64
	for b.Loop() {
		m, err := NewModel(g, mb, p, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.RunUntil(context.Background(), years); err != nil {
			b.Fatal(err)
		}
		steps = m.Steps()
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perRun/float64(steps)*1e6, "µs/step")
	b.ReportMetric(float64(steps), "steps/run")
}

// BenchmarkRun times whole runs from no ice. "oggm-steps" runs use OGGM's
// time steps (Params.OGGMSteps): the same steps as OGGM's runs, so the
// figure compares like with like; the default runs take the extra steps
// that explicit diffusion's stability needs.
func BenchmarkRun(b *testing.B) {
	for _, bc := range []struct {
		tag       string
		solver    Solver
		years     float64
		oggmSteps bool
	}{
		{"rect_ela2600", FluxBased, 100, false},
		{"rect_ela2600", FluxBased, 700, false},
		{"rect_ela2600", FluxBased, 700, true},
		{"rect_ela2600", SemiImplicit, 100, false},
		{"rect_ela2600", SemiImplicit, 700, false},
		{"tributary_ela2600", FluxBased, 100, false},
		{"tributary_ela2600", FluxBased, 700, false},
		{"tributary_ela2600", FluxBased, 700, true},
		{"parabolic_ela2800", FluxBased, 700, false},
		{"trapezoid_ela2800", SemiImplicit, 700, false},
	} {
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
