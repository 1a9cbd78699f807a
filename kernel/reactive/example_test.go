package reactive_test

import (
	"fmt"

	"github.com/firnglacier/firn/kernel/reactive"
)

func Example() {
	g := reactive.Build([]reactive.Cell{
		{ID: "plot", Source: "plots.Profile(g)"},
		{ID: "glacier", Source: "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(ela, 4))"},
		{ID: "ela", Source: "ela := 3000.0"},
	})
	order, _ := g.Order()
	again, _ := g.Dependents("ela")
	fmt.Println(order)
	fmt.Println(again)
	// Output:
	// [ela glacier plot]
	// [glacier plot]
}
