package notebooks

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
	return WriteFileAtomic(path, func(w io.Writer) error { return Encode(w, path, nb) })
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

// WriteFileAtomic writes what write produces to path the way WriteFile
// writes notebooks: through a synced temporary file renamed over path,
// keeping an existing file's permissions; a failure leaves the old file.
// Exports and other files Firn writes use it too.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	perm := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("write %s: not a regular file", path)
		}
		perm = fi.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename is durable once the directory is synced. Some systems
	// cannot sync directories; the file is in place either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
