package plots

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/internal/testfiles"
)

var update = flag.Bool("update", false, "rewrite the golden SVG summaries and the example PNGs in testdata")

// outlinesPath returns the path of a glacier-outline file in the
// repository's testdata/sample/outlines (testdata/README.md gives their
// source); a missing one fails the test.
func outlinesPath(t testing.TB, name string) string {
	t.Helper()
	return testfiles.File(t, "sample", "outlines", name)
}

// run is a finished model run of an idealized glacier.
type run struct {
	label string
	fl    *geometry.Flowline
	mb    massbalance.Model
	hist  *dynamics.History
	model *dynamics.Model
}

var (
	runsOnce sync.Once
	runsErr  error
	theRuns  []run
)

// testRuns returns OGGM's rect_ela2600 glacier (200 points, dx 100 m, bed
// 3000 → 1000 m, 300 m wide, linear mass balance with gradient 3 mm w.e./m)
// run for 300 years with profiles every 10 years, at ELAs of 2600 (first),
// 2500 and 2700 m.
func testRuns(t testing.TB) []run {
	t.Helper()
	runsOnce.Do(func() {
		for _, ela := range []float64{2600, 2500, 2700} {
			bed := make([]float64, 200)
			for i := range bed {
				bed[i] = 3000 - 2000*float64(i)/199
			}
			fl := geometry.NewFlowline("main", 100, bed)
			fl.SetRectangular(300)
			g, err := geometry.NewGlacier(fl)
			if err != nil {
				runsErr = err
				return
			}
			mb := massbalance.Linear{ELA: ela, Gradient: 3}
			m, err := dynamics.NewModel(g, mb, dynamics.DefaultParams(), 0)
			if err != nil {
				runsErr = err
				return
			}
			h, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: 300, Every: 10, Profiles: true})
			if err != nil {
				runsErr = err
				return
			}
			theRuns = append(theRuns, run{fmt.Sprintf("ELA %g m", ela), fl, mb, h, m})
		}
	})
	if runsErr != nil {
		t.Fatal(runsErr)
	}
	return theRuns
}
