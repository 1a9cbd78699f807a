package edu_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/edu"
)

// Several gradients: a gentle one at the top, a steep one on the tongue.
func ExampleNewMassBalanceBreakpoints() {
	mb, err := edu.NewMassBalanceBreakpoints(3000, []float64{2, 5, 10}, []float64{3100, 2500})
	if err != nil {
		panic(err)
	}
	for _, z := range []float64{3300, 3000, 2700, 2000} {
		fmt.Printf("%g m: %+.1f m w.e./yr\n", z, mb.Balance(0, z))
	}
	// Output:
	// 3300 m: +0.9 m w.e./yr
	// 3000 m: +0.0 m w.e./yr
	// 2700 m: -1.5 m w.e./yr
	// 2000 m: -7.5 m w.e./yr
}

// A warming of 1 K over 50 years with year-to-year noise, then a random
// climate between 0.5 and 1.5 K for 20 years: the same seeds give the
// same climate.
func ExampleMassBalance_AddRandomClimate() {
	mb := edu.NewMassBalance(3000, 4).AddTempBiasNoise(0, 1, 50, 0.3, 1)
	if _, err := mb.AddRandomClimate(100, 20, 0.5, 1.5, 2); err != nil {
		panic(err)
	}
	for _, y := range []float64{0, 25, 60, 110, 130} {
		fmt.Printf("year %3g: %+.2f K\n", y, mb.TempBiasAt(y))
	}
	// Output:
	// year   0: -0.24 K
	// year  25: +0.39 K
	// year  60: +1.00 K
	// year 110: +2.34 K
	// year 130: +1.00 K
}

// The balance month by month at 2500 m, in the north and in the south.
func ExampleMassBalance_MonthlyBalance() {
	north := edu.NewMassBalance(3000, 4)
	south := north.Copy()
	south.Hemisphere = edu.South
	for _, mb := range []*edu.MassBalance{north, south} {
		fmt.Printf("%s, from month %d:", mb.Hemisphere, mb.Hemisphere.FirstMonth())
		for _, m := range mb.Hemisphere.HydroMonths() {
			b, _ := mb.MonthlyBalance(0, m, 2500)
			fmt.Printf(" %+.2f", b)
		}
		fmt.Println()
	}
	// Output:
	// northern hemisphere, from month 10: +0.17 +0.17 +0.17 +0.17 +0.17 +0.17 +0.17 -0.63 -0.63 -0.63 -0.63 -0.63
	// southern hemisphere, from month 4: +0.17 +0.17 +0.17 +0.17 +0.17 +0.17 +0.17 -0.63 -0.63 -0.63 -0.63 -0.63
}

// Glacier water resources: a glacier in equilibrium warms by 1.5 K over
// 100 years. Its runoff rises while it melts (peak water), then falls
// back towards the rain and snow on its catchment as it shrinks.
func Example_runoff() {
	g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	if err := g.ProgressToEquilibrium(); err != nil {
		panic(err)
	}
	start := g.Year()
	g.AddTempBias(1.5, 100)
	if err := g.ProgressToYear(start + 300); err != nil {
		panic(err)
	}
	r, _ := g.Runoff()
	total := r.Total()
	k := int(start)
	peak, water := r.PeakWater(11)
	fmt.Printf("catchment %.2f km²\n", r.CatchmentArea/1e6)
	fmt.Printf("in equilibrium: %.1f million m³ a year\n", total[k]/1e6)
	fmt.Printf("peak water %.0f years after the warming began: %.1f million m³ a year\n", peak-start, water/1e6)
	fmt.Printf("300 years on: %.1f million m³ a year, %.0f %% of it glacier melt\n", total[len(total)-1]/1e6, 100*r.MeltOnGlacier[len(total)-1]/total[len(total)-1])
	// Output:
	// catchment 3.48 km²
	// in equilibrium: 7.0 million m³ a year
	// peak water 97 years after the warming began: 9.4 million m³ a year
	// 300 years on: 7.1 million m³ a year, 35 % of it glacier melt
}
