package display_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/firnglacier/firn/kernel/display"
)

// A cell shows a heading, a table of model runs and a JSON value. Outside
// a notebook, Show prints their text forms.
func Example() {
	type run struct {
		ELA    float64 `display:"ELA (m)"`
		Volume float64 `display:"Volume (km³)"`
		Note   string  `display:"-"`
	}
	runs := []run{{2500, 0.61, ""}, {2600, 0.42, ""}, {2700, 0.25, "retreating"}}

	display.Show(display.Markdown("## Equilibrium volume"))
	display.Show(runs)
	display.Show(map[string]float64{"ELA": 2600, "Gradient": 3})

	// Output:
	// ## Equilibrium volume
	// ELA (m)  Volume (km³)
	// -------  ------------
	//    2500          0.61
	//    2600          0.42
	//    2700          0.25
	// map["ELA":2600 "Gradient":3]
}

// printer is a Publisher that prints what it is asked to show.
type printer struct{}

func (printer) Publish(id string, b display.Bundle) {
	fmt.Println("publish", slices.Sorted(maps.Keys(b.Data)))
}

func (printer) Update(id string, b display.Bundle) {
	fmt.Printf("update %q\n", b.Data["text/plain"])
}

// The kernel gives each notebook a Display with its Publisher; a handle
// and a progress bar update their display in place.
func ExampleNew() {
	d := display.New(printer{})

	h := d.Show(display.HTML(`<p onclick="steal()">Spinning up…</p>`))
	h.Update(display.Text("Spun up in 300 years"))

	bar := d.Progress("glaciers", 3)
	for range 3 {
		bar.Add(1)
	}
	bar.Done()

	// Output:
	// publish [text/html text/plain]
	// update "Spun up in 300 years"
	// publish [application/vnd.firn.progress+json text/html text/plain]
	// update "glaciers  [#######             ]  33 % (1/3)"
	// update "glaciers  [#############       ]  66 % (2/3)"
	// update "glaciers  [####################] 100 % (3/3)"
	// update "glaciers  [####################] 100 % (3/3)"
}

// Rows makes a table from a header and rows of any values.
func ExampleRows() {
	b := display.Rows([]string{"year", "length (km)"}, [][]any{{0, 0.0}, {100, 3.2}, {300, 7.41}})
	fmt.Println(b.Data["text/markdown"])

	// Output:
	// | year | length (km) |
	// | ---: | ---: |
	// | 0 | 0 |
	// | 100 | 3.2 |
	// | 300 | 7.41 |
}
