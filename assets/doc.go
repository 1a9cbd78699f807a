// Package assets holds the files that Firn ships inside its binary: for
// now the example experiments that `firn model run --example NAME` runs
// (assets/experiments/NAME.json, the OGGM reference cases of Firn's tests
// written in the experiment-file format).
//
//	names, _ := assets.ExperimentNames()   // ["bumpy_ela2600", ...]
//	data, _ := assets.Experiment("rect_ela2600")
package assets
