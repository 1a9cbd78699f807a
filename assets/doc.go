// Package assets holds the files that Firn ships inside its binary: the
// example experiments that `firn model run --example NAME` runs
// (assets/experiments/NAME.json, the OGGM reference cases of Firn's tests
// written in the experiment-file format), and small real-glacier data sets
// for the bundled lessons (assets/data/GLACIER/, each with a README.md that
// states source and licence; package engine/datasets reads them).
//
//	names, _ := assets.ExperimentNames()   // ["bumpy_ela2600", ...]
//	data, _ := assets.Experiment("rect_ela2600")
//	csv, _ := assets.Data("hintereisferner/hef_histalp_monthly.csv")
package assets
