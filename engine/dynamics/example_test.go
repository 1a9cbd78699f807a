package dynamics_test

import (
	"context"
	"fmt"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// A glacier on a linear slope from 3000 m to 1000 m, 300 m wide, grows
// for 700 years under a linear mass balance (OGGM's rect_ela2600 case).
func Example() {
	bed := make([]float64, 200)
	for i := range bed {
		bed[i] = 3000 - 2000*float64(i)/199
	}
	fl := geometry.NewFlowline("main", 100, bed)
	fl.SetRectangular(300)
	g, err := geometry.NewGlacier(fl)
	if err != nil {
		panic(err)
	}
	mb := massbalance.Linear{ELA: 2600, Gradient: 3}
	m, err := dynamics.NewModel(g, mb, dynamics.DefaultParams(), 0)
	if err != nil {
		panic(err)
	}
	hist, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: 700, Every: 350})
	if err != nil {
		panic(err)
	}
	for i := range hist.Len() {
		d := hist.At(i)
		fmt.Printf("year %3.0f: %6.3f km³, %5.2f km², %5.1f km\n", d.Year, d.Volume/1e9, d.Area/1e6, d.Length/1e3)
	}
	// Output:
	// year   0:  0.000 km³,  0.00 km²,   0.0 km
	// year 350:  0.449 km³,  2.64 km²,   8.8 km
	// year 700:  0.579 km³,  3.42 km²,  11.4 km
}
