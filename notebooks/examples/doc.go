// Package examples holds Firn's bundled lessons: notebooks for students
// who have never seen Go, in the spirit of OGGM-Edu, embedded in the
// binary so that the desktop app, `firn serve` and `firn run` have them
// offline.
//
//	for _, l := range examples.List() {
//		fmt.Println(l.File, l.Title) // 01-getting-started.ipynb 1. Getting started: …
//	}
//	nb, err := examples.Read("01-getting-started.ipynb")
//	err = examples.CopyTo(workspace) // seed a new workspace
//
// The lessons are stored executed, with their outputs (plots as PNG and
// SVG), so that they read well on GitHub before anyone runs them. The
// tests run every lesson in a fresh kernel and fail when a lesson has an
// error or when its stored outputs differ from a fresh run; after
// changing a lesson, the engine or the plots, store fresh outputs with
//
//	go generate ./notebooks/examples
//
// Their text form (`firn convert`) is the easiest way to edit them.
package examples

//go:generate go run ../../cmd/firn run --quiet 01-getting-started.ipynb
//go:generate go run ../../cmd/firn run --quiet 02-mass-balance.ipynb
//go:generate go run ../../cmd/firn run --quiet 03-ice-flow.ipynb
//go:generate go run ../../cmd/firn run --quiet 04-advance-and-retreat.ipynb
//go:generate go run ../../cmd/firn run --quiet 05-temperature-index.ipynb
//go:generate go run ../../cmd/firn run --quiet 06-surges-and-collections.ipynb
//go:generate go run ../../cmd/firn run --quiet 07-a-real-glacier.ipynb
//go:generate go run ../../cmd/firn run --quiet 08-welcome-tour.ipynb
//go:generate go run ../../cmd/firn run --quiet 09-ice-on-an-incline.ipynb
//go:generate go run ../../cmd/firn run --quiet 10-flowline-model-explained.ipynb
//go:generate go run ../../cmd/firn run --quiet 11-low-pass-climate-response.ipynb
//go:generate go run ../../cmd/firn run --quiet 12-glacier-water-resources.ipynb
//go:generate go run ../../cmd/firn run --quiet 13-glacier-simulator.ipynb
