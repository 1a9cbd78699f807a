package symbols

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/firnglacier/firn/kernel/internal/symbols/internal/docindex"
	"github.com/firnglacier/firn/kernel/internal/symbols/internal/gen"
)

const regenerate = "run go generate ./kernel/internal/symbols"

// TestGeneratedFilesUpToDate regenerates the symbol tables and the doc
// index in memory and compares them with the committed files.
func TestGeneratedFilesUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating type-checks Firn's packages from source (about 10 s)")
	}
	files, err := gen.SymbolFiles()
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	want := map[string]bool{gen.DocIndexFile: true}
	for _, f := range files {
		want[f.Name] = true
		got, err := os.ReadFile(f.Name)
		switch {
		case err != nil:
			t.Errorf("%s is missing (%v): %s", f.Name, err, regenerate)
		case !bytes.Equal(got, f.Data):
			t.Errorf("%s is stale: %s\n%s", f.Name, regenerate, firstDiff(string(got), string(f.Data)))
		}
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if gen.Generated(e.Name()) && !want[e.Name()] {
			t.Errorf("%s is no longer generated: %s", e.Name(), regenerate)
		}
	}

	fresh, err := gen.DocIndex()
	if err != nil {
		t.Fatalf("doc index: %v", err)
	}
	data, err := os.ReadFile(gen.DocIndexFile)
	if err != nil {
		t.Fatalf("%v: %s", err, regenerate)
	}
	committed, err := docindex.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v: %s", gen.DocIndexFile, err, regenerate)
	}
	// Firn's entries come from this checkout and must match exactly; the
	// standard library's depend on the Go version that generated them.
	sameGo := committed.Go == runtime.Version()
	if !sameGo {
		t.Logf("%s was generated with %s, this is %s: checking Firn's entries only", gen.DocIndexFile, committed.Go, runtime.Version())
	}
	check := func(key string) bool { return sameGo || strings.HasPrefix(key, "firn/") }
	var diffs []string
	for key, e := range fresh.Entries {
		if c, ok := committed.Entries[key]; check(key) && (!ok || c != e) {
			diffs = append(diffs, key)
		}
	}
	for key := range committed.Entries {
		if _, ok := fresh.Entries[key]; check(key) && !ok {
			diffs = append(diffs, key)
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		if len(diffs) > 10 {
			diffs = append(diffs[:10], "…")
		}
		t.Errorf("%s is stale (entries %s differ): %s", gen.DocIndexFile, strings.Join(diffs, ", "), regenerate)
	}
	if sameGo {
		enc, err := gen.EncodeDocIndex(fresh)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, data) {
			t.Errorf("%s is stale (same entries, different bytes): %s", gen.DocIndexFile, regenerate)
		}
	}
}

// firstDiff shows the first line that differs.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  committed: %s\n  generated: %s", i+1, gl, wl)
		}
	}
	return ""
}
