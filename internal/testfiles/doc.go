// Package testfiles finds the repository's test data: the files under the
// top-level testdata/ folder (OGGM's reference results in testdata/oggm,
// sample glacier data in testdata/sample; testdata/README.md gives each
// file's source, version, licence and citation). Every test and Example
// that reads data outside its own package finds it here, so a fresh clone
// tests alone: no environment variable, nothing beside the checkout.
//
// The folder is found from this package's source file (runtime.Caller), so
// it works from any package's tests and from Example functions, which have
// no *testing.T. In a -trimpath build, where source paths are not
// absolute, it is found instead by walking up from the working directory
// (a test's is its package directory) to this module's go.mod.
//
//	p := testfiles.Path("oggm", "rect_ela2600_FluxBased.csv") // for an Example
//	p := testfiles.File(t, "sample", "climate", "histalp_merged_hef.nc")
//
// File fails the test at once when the file is missing, with a message
// that names it: a verification must never disappear silently, so missing
// data is a failure, never a skip. Path does not check; an Example that
// opens a missing file prints the error, which names the path, and so
// fails on its Output.
//
// Files that Firn ships in its binary (assets/data) are not repeated under
// testdata/: tests read them through package assets.
//
// Only tests import this package.
package testfiles
