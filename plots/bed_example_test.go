package plots_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/edu"
	"github.com/firnglacier/firn/plots"
)

// A valley that narrows from 600 to 200 m, seen from the side and from
// above, with the glacier it holds after 300 years; and the water of a
// collection of glaciers on beds of different slopes.
func ExampleGlacierBed() {
	bed := edu.NewBed(3400, 1400, 600).WithWidthFunc(func(x float64) float64 { return 600 - x/50 })
	g := edu.NewGlacier(bed, edu.NewMassBalance(3000, 4))
	if err := g.ProgressToYear(300); err != nil {
		panic(err)
	}
	fmt.Println(plots.Bed(bed))
	fmt.Println(plots.GlacierBed(g))

	c, _ := edu.Vary(edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4)), "slope", 4, 8)
	if err := c.ProgressToYear(200); err != nil {
		panic(err)
	}
	fmt.Println(plots.Collection(c))
	r, _ := c.Glaciers[0].Runoff()
	fmt.Println(plots.Runoff(r))
	// Output:
	// grid of 2 plots, 16 × 16 cm
	// grid of 2 plots, 16 × 16 cm
	// grid of 3 plots, 16 × 20 cm
	// lines plot, 5 series, 16 × 10 cm
}
