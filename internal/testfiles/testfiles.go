package testfiles

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// module is the module whose testdata/ folder this package finds.
const module = "github.com/firnglacier/firn"

// Root returns the absolute path of the repository's testdata folder. It
// panics, saying why, when the folder cannot be found (see the package
// documentation).
func Root() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		file = ""
	}
	wd, err := os.Getwd()
	if err != nil {
		wd = ""
	}
	dir, err := findRoot(file, wd)
	if err != nil {
		panic(err)
	}
	return dir
}

// Path returns the absolute path of the file or folder parts (joined with
// the separator of the system) under the repository's testdata folder,
// e.g. Path("oggm", "long", "rect_ela2600_FluxBased_long.csv"). It does
// not check that it exists.
func Path(parts ...string) string {
	return filepath.Join(append([]string{Root()}, parts...)...)
}

// File returns Path(parts...) and fails the test at once (t.Fatal) when no
// file or folder is there, naming it.
func File(t testing.TB, parts ...string) string {
	t.Helper()
	p := Path(parts...)
	if err := check(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// CSV reads the CSV file at Path(parts...) and returns its rows after
// the header row (the expected values tests compare with); it fails the
// test at once, naming the file, when it cannot.
func CSV(t testing.TB, parts ...string) [][]string {
	t.Helper()
	p := File(t, parts...)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no header row", p)
	}
	return rows[1:]
}

// check returns an error naming p (relative to the repository) when p
// does not exist.
func check(p string) error {
	_, err := os.Stat(p)
	if err == nil {
		return nil
	}
	rel := p
	if r, rerr := filepath.Rel(filepath.Dir(Root()), p); rerr == nil {
		rel = filepath.ToSlash(r)
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("test data %s is missing from the checkout (%s); testdata/README.md lists the files the repository carries", rel, p)
	}
	return fmt.Errorf("test data %s: %w", rel, err)
}

// findRoot finds the testdata folder: two levels above file (this
// package's source, internal/testfiles/testfiles.go) when file is an
// absolute path, else in the nearest folder at or above wd whose go.mod
// declares this module.
func findRoot(file, wd string) (string, error) {
	if filepath.IsAbs(file) {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata")
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "", fmt.Errorf("testfiles: no testdata folder at %s, the top of the repository that holds %s", dir, file)
		}
		return dir, nil
	}
	if wd == "" {
		return "", fmt.Errorf("testfiles: the source path %q is not absolute (a -trimpath build) and there is no working directory to search from", file)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if declares(filepath.Join(dir, "go.mod"), module) {
			td := filepath.Join(dir, "testdata")
			if st, err := os.Stat(td); err != nil || !st.IsDir() {
				return "", fmt.Errorf("testfiles: no testdata folder in %s, the module root above %s", dir, wd)
			}
			return td, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("testfiles: the source path %q is not absolute (a -trimpath build) and no folder at or above %s has the go.mod of %s", file, wd, module)
		}
	}
}

// declares reports whether the go.mod file at path declares module mod.
func declares(path, mod string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == mod
		}
	}
	return false
}
