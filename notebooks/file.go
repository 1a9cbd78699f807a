package notebooks

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/firnglacier/firn/internal/atomicfile"
)

// ReadFile reads the notebook at path: .ipynb files with Read, .go files
// (the percent text form) with ParsePercent. Errors name the file; as with
// Read, a non-nil notebook with a non-nil error is a partial notebook.
func ReadFile(path string) (*Notebook, error) {
	parse, err := formatOf(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read notebook: %w", err)
	}
	defer f.Close()
	return parse(f, path)
}

// WriteFile writes nb to path as .ipynb (Write) or, for a .go path, in the
// percent text form (WritePercent). The write is atomic: the notebook goes
// to a temporary file in the same directory, which is synced and renamed
// over path, and then the directory is synced. A failed write leaves the
// old file as it was and no temporary file behind. An existing file keeps
// its permission bits; a new one gets 0644. If path is a symbolic link,
// the file it points to is replaced.
func WriteFile(path string, nb *Notebook) error {
	if _, err := formatOf(path); err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return Encode(w, path, nb) })
}

// Encode writes nb to w in the format path's extension names: the
// percent text form for .go, .ipynb otherwise.
func Encode(w io.Writer, path string, nb *Notebook) error {
	if strings.EqualFold(filepath.Ext(path), ".go") {
		return WritePercent(w, nb)
	}
	return nb.Write(w)
}

func formatOf(path string) (func(io.Reader, string) (*Notebook, error), error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ipynb":
		return Read, nil
	case ".go":
		return ParsePercent, nil
	}
	return nil, fmt.Errorf("%s: unknown notebook format %q; use .ipynb, or .go for the percent text form", path, filepath.Ext(path))
}
