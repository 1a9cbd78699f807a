package plots_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/plots"
)

// A glacier on a linear slope from 3000 m to 1000 m grows for 300 years
// under a linear mass balance; its profiles at three times are plotted
// with the ELA, and the figure gives a notebook its display bundle.
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
	m, err := dynamics.NewModel(g, massbalance.Linear{ELA: 2600, Gradient: 3}, dynamics.DefaultParams(), 0)
	if err != nil {
		panic(err)
	}
	h, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: 300, Every: 10, Profiles: true})
	if err != nil {
		panic(err)
	}

	profiles, labels, err := plots.ProfilesAt(h, fl, 100, 200, 300)
	if err != nil {
		panic(err)
	}
	fig, err := plots.Profile(profiles, labels, plots.ProfileOptions{ELA: 2600})
	if err != nil {
		panic(err)
	}
	bundle, err := fig.MIME() // or fig.Save("profile.svg")
	if err != nil {
		panic(err)
	}
	var types []string
	for t := range bundle {
		types = append(types, t)
	}
	slices.Sort(types)
	fmt.Println(labels)
	fmt.Println(types)
	fmt.Println(string(bundle["text/plain"]))
	// Output:
	// [year 100 year 200 year 300]
	// [image/png image/svg+xml text/plain]
	// profile plot, 3 series, 16 × 10 cm
}

// The length of two runs against time, in km; with more than one run the
// figure has a legend.
func ExampleTimeSeries() {
	run := func(ela float64) *dynamics.History {
		bed := make([]float64, 100)
		for i := range bed {
			bed[i] = 3000 - 2000*float64(i)/99
		}
		fl := geometry.NewFlowline("main", 200, bed)
		fl.SetRectangular(300)
		g, _ := geometry.NewGlacier(fl)
		m, _ := dynamics.NewModel(g, massbalance.Linear{ELA: ela, Gradient: 3}, dynamics.DefaultParams(), 0)
		h, _ := m.Run(context.Background(), dynamics.RunOptions{EndYear: 200, Every: 10})
		return h
	}
	fig, err := plots.TimeSeries(
		[]*dynamics.History{run(2600), run(2700)},
		[]string{"ELA 2600 m", "ELA 2700 m"},
		plots.TimeSeriesOptions{Quantity: plots.Length, Title: "Glacier length"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fig.Width, fig.Height = 12, 8 // cm
	svg, err := fig.SVG()
	fmt.Println(fig, len(svg) > 0, err)
	// Output:
	// time series plot, 2 series, 12 × 8 cm true <nil>
}
