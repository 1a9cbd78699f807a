package testfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// repo is the repository's top folder, from this test's working directory
// (its package directory), independently of Root.
func repo(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

func TestPath(t *testing.T) {
	want := filepath.Join(repo(t), "testdata", "oggm", "rect_ela2600_FluxBased.csv")
	got := Path("oggm", "rect_ela2600_FluxBased.csv")
	if got != filepath.Clean(want) {
		t.Errorf("Path = %s, want %s", got, want)
	}
	if got := File(t, "oggm", "rect_ela2600_FluxBased.csv"); got != filepath.Clean(want) {
		t.Errorf("File = %s, want %s", got, want)
	}
	// The file itself: OGGM's yearly diagnostics.
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "year,volume_m3,area_m2,length_m,") {
		t.Errorf("%s starts %q", got, b[:min(len(b), 40)])
	}
}

// fatalTB records a test's fatal failure and ends its goroutine, as
// testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// A missing file fails the test at once, with a message naming the file;
// it is never a skip.
func TestFileMissing(t *testing.T) {
	f := &fatalTB{TB: t}
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		File(f, "oggm", "no_such_case_FluxBased.csv")
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("File returned for a missing file")
	}
	for _, want := range []string{"testdata/oggm/no_such_case_FluxBased.csv", "missing", "testdata/README.md"} {
		if !strings.Contains(f.msg, want) {
			t.Errorf("message %q does not say %q", f.msg, want)
		}
	}
	if t.Skipped() {
		t.Error("skipped")
	}
}

func TestFindRoot(t *testing.T) {
	top := filepath.Clean(repo(t))
	td := filepath.Join(top, "testdata")
	// This test's own source path: absolute, or module-relative in a
	// -trimpath build (then found from the working directory).
	_, self, _, _ := runtime.Caller(0)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}

	other := t.TempDir() // another module
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bare := t.TempDir() // this module's go.mod, no testdata
	if err := os.WriteFile(filepath.Join(bare, "go.mod"), []byte("module "+module+"\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(bare, "engine", "dynamics"), 0o755); err != nil {
		t.Fatal(err)
	}
	trimmed := module + "/internal/testfiles/testfiles.go"
	tests := []struct {
		name, file, wd string
		want           string // "" for an error
		errHas         string
	}{
		{"source path", filepath.Join(top, "internal", "testfiles", "testfiles.go"), "/", td, ""},
		{"this test's source path", self, wd, td, ""},
		{"trimpath, from a package directory", trimmed, filepath.Join(top, "engine", "dynamics"), td, ""},
		{"trimpath, from the top", trimmed, top, td, ""},
		{"trimpath, in another module", trimmed, other, "", "no folder at or above"},
		{"trimpath, no working directory", trimmed, "", "", "no working directory"},
		{"trimpath, no testdata folder", trimmed, filepath.Join(bare, "engine", "dynamics"), "", "no testdata folder in " + bare},
		{"source outside a repository", filepath.Join(other, "internal", "testfiles", "testfiles.go"), top, "", "no testdata folder at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findRoot(tc.file, tc.wd)
			if tc.want != "" {
				if err != nil || filepath.Clean(got) != tc.want {
					t.Errorf("findRoot = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("findRoot = %q, %v; want an error saying %q", got, err, tc.errHas)
			}
		})
	}
}

// testdata/README.md lists every file the folder carries, by its path in
// backquotes, and lists no file that is not there.
func TestREADMEListsEveryFile(t *testing.T) {
	readme, err := os.ReadFile(File(t, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(Root(), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(Root(), p)
		if rel != "README.md" {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files under testdata")
	}
	for _, f := range files {
		if !strings.Contains(string(readme), "`"+f+"`") {
			t.Errorf("testdata/README.md does not list `%s`", f)
		}
	}
	listed := regexp.MustCompile("`((?:oggm|sample)/[^`*<>{} ]+\\.[a-z]+)`").FindAllStringSubmatch(string(readme), -1)
	if len(listed) < len(files) {
		t.Errorf("README lists %d files, the folder holds %d", len(listed), len(files))
	}
	for _, m := range listed {
		if !slices.Contains(files, m[1]) {
			t.Errorf("testdata/README.md lists `%s`, which is not in testdata/", m[1])
		}
	}
}

// CSV gives the rows after the header; a file that is not CSV fails the
// test, naming the file.
func TestCSV(t *testing.T) {
	rows := CSV(t, "sample", "outlines", "shapefiles_expected.csv")
	if len(rows) != 23 || rows[0][0] == "file" {
		t.Errorf("%d rows, the first %q: want the 23 features after the header", len(rows), rows[0])
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b\n\"unterminated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rel, _ := filepath.Rel(Root(), bad)
		CSV(f, rel)
	}()
	<-done
	if !strings.Contains(f.msg, "bad.csv") {
		t.Errorf("message %q does not name the file", f.msg)
	}
}
