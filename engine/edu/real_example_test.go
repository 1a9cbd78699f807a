package edu_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/edu"
)

// Hintereisferner, prepared from the data Firn ships, in 100 years of
// the climate of 1973–2003, 1 °C warmer.
func ExampleHintereisferner() {
	hef, err := edu.Hintereisferner()
	if err != nil {
		fmt.Println(err)
		return
	}
	warm := hef.Copy()
	warm.Climate.TempBias = 1
	if err := warm.ProgressToYear(100); err != nil {
		fmt.Println(err)
		return
	}
	d := warm.Diagnostics()
	fmt.Printf("%s: %.3f km³ today, %.3f km³ in year %g at %+g °C\n", hef.Name, hef.Diagnostics().Volume/1e9, d.Volume/1e9, d.Year, warm.Climate.TempBias)
	// Output:
	// Hintereisferner: 0.756 km³ today, 0.111 km³ in year 100 at +1 °C
}
