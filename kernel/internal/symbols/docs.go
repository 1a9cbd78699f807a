package symbols

import (
	_ "embed"
	"strings"
	"sync"

	"github.com/firnglacier/firn/kernel/internal/symbols/internal/docindex"
)

// docIndexGz is the generated documentation index (gzip-compressed JSON).
//
//go:embed docindex.json.gz
var docIndexGz []byte

// Entry documents one name for inspection.
type Entry struct {
	// Kind is one of "package", "const", "var", "func", "type", "method"
	// and "field".
	Kind string
	// Signature is the declaration as Go source without its body, e.g.
	// "func (g *Glacier) ProgressToYear(year float64) error"; for a type,
	// its definition with the exported fields.
	Signature string
	// Doc is the doc comment as plain text.
	Doc string
}

// loadDocs decodes the index on first use; it is never changed afterwards.
var loadDocs = sync.OnceValue(func() map[string]docindex.Entry {
	entries, err := decodeDocs()
	if err != nil {
		return nil // the staleness test catches a broken index
	}
	return entries
})

func decodeDocs() (map[string]docindex.Entry, error) {
	idx, err := docindex.Decode(docIndexGz)
	if err != nil {
		return nil, err
	}
	return idx.Entries, nil
}

// Doc returns the documentation of key: an import path ("fmt",
// "firn/engine/edu"), a package-level name ("fmt.Println",
// "firn/engine/edu.NewGlacier"), or a method or field of a type
// ("firn/engine/edu.Glacier.ProgressToYear",
// "firn/engine/edu.MassBalance.TempBias"). Firn's packages are indexed
// completely; of the standard library, the packages the package
// documentation lists.
//
// The sandbox's os.File is File of this package, under the key
// "firn/kernel/internal/symbols.File": its documentation is os.File's.
func Doc(key string) (Entry, bool) {
	if rest, ok := strings.CutPrefix(key, "firn/kernel/internal/symbols.File"); ok && (rest == "" || rest[0] == '.') {
		key = "os.File" + rest
	}
	e, ok := loadDocs()[key]
	if !ok {
		return Entry{}, false
	}
	return Entry(e), true
}
