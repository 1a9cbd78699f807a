package examples

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/firnglacier/firn/notebooks"
)

//go:embed *.ipynb
var files embed.FS

// A Lesson is one bundled notebook.
type Lesson struct {
	File  string // file name, e.g. "01-getting-started.ipynb"
	Title string // the text of its first heading
}

// List returns the lessons in order.
func List() []Lesson {
	entries, _ := fs.ReadDir(files, ".") // embedded: cannot fail
	var out []Lesson
	for _, e := range entries {
		nb, err := Read(e.Name())
		title := strings.TrimSuffix(e.Name(), ".ipynb")
		if err == nil {
			if t := firstHeading(nb); t != "" {
				title = t
			}
		}
		out = append(out, Lesson{File: e.Name(), Title: title})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// FS is the lessons as a file system (one .ipynb file each).
func FS() fs.FS { return files }

// Read returns a fresh copy of the lesson in file.
func Read(file string) (*notebooks.Notebook, error) {
	b, err := files.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("examples: no lesson %q", file)
	}
	return notebooks.Read(bytes.NewReader(b), file)
}

// CopyTo writes the lessons into dir (created if needed), leaving files
// that are already there alone, so that a student's edited copy is never
// overwritten.
func CopyTo(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("examples: %w", err)
	}
	for _, l := range List() {
		dest := filepath.Join(dir, l.File)
		if _, err := os.Stat(dest); err == nil {
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("examples: %w", err)
		}
		nb, err := Read(l.File)
		if err != nil {
			return err
		}
		if err := notebooks.WriteFile(dest, nb); err != nil {
			return fmt.Errorf("examples: %w", err)
		}
	}
	return nil
}

// firstHeading is the text of the first markdown heading of nb.
func firstHeading(nb *notebooks.Notebook) string {
	for _, c := range nb.Cells {
		if c.Type != notebooks.Markdown {
			continue
		}
		for _, line := range strings.Split(c.Source, "\n") {
			if t, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok {
				return strings.TrimSpace(strings.TrimLeft(t, "#"))
			}
		}
	}
	return ""
}
