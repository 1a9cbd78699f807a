package experiment_test

import (
	"fmt"
	"log"

	"github.com/firnglacier/firn/engine/experiment"
)

func Example() {
	spec, err := experiment.Load("testdata/rect_ela2600.json")
	if err != nil {
		log.Fatal(err)
	}
	glacier, err := spec.Glacier()
	if err != nil {
		log.Fatal(err)
	}
	mb, err := spec.MassBalanceModel()
	if err != nil {
		log.Fatal(err)
	}
	main := glacier.MainLine()
	fmt.Printf("%s: %d points, %g m apart, %g m wide\n", main.Name, main.Len(), main.Dx, main.Width[0])
	fmt.Println(mb)
	fmt.Printf("%s solver, A = %g Pa⁻³ s⁻¹, years %g to %g\n",
		spec.Dynamics.Solver, spec.Dynamics.GlenA, spec.Years.Start, spec.Years.End)
	// Output:
	// main: 200 points, 100 m apart, 300 m wide
	// linear mass balance: ELA 2600 m, gradient 3 mm w.e./m/yr
	// flux-based solver, A = 2.4e-24 Pa⁻³ s⁻¹, years 0 to 700
}

// Errors name the file, the line and the key path.
func ExampleParse_error() {
	const doc = `
flowlines:
  - name: main
    dx_m: 100
    bed: {top_m: 3000, bottom_m: 1000, points: 200}
    width_m: [300, 300, 300]
mass_balance: {type: linear, ela_m: 2600, gradient_mm_we_per_m: 3}
years: {end: 700}
`
	_, err := experiment.Parse([]byte(doc), "exp.yaml")
	fmt.Println(err)
	// Output:
	// exp.yaml:6: flowlines[0].width_m: want a number or a list of 200 numbers (one per point), got a list of 3 values
}

// A linear bed with a bump, a constant mass balance with a bias, and an
// initial ice thickness.
func ExampleParse_yaml() {
	const doc = `
flowlines:
  - dx_m: 100
    bed:
      top_m: 3000
      bottom_m: 1000
      points: 200
      bumps: [{point: 30, height_m: 170, half_width_points: 5}]
    shape: parabolic
    parabola_p: 0.005
    initial_thickness_m: 10
mass_balance: {type: constant, mb_m_we_per_year: 0.5, bias_m_we_per_year: -1}
years: {end: 100, every: 10}
`
	spec, err := experiment.Parse([]byte(doc), "bump.yaml")
	if err != nil {
		log.Fatal(err)
	}
	mb, _ := spec.MassBalanceModel()
	fl := spec.Flowlines[0]
	fmt.Printf("%s: bed %.1f m at point 30, %v, %g m of ice\n", fl.Name, fl.Bed[30], fl.Shapes[30], spec.InitialThickness()[0][30])
	fmt.Println(mb)
	// Output:
	// main: bed 2868.5 m at point 30, parabolic, 10 m of ice
	// constant mass balance: 0.5 m w.e./yr, biased by -1 m w.e./yr
}
