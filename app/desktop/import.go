package desktop

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/firnglacier/firn/internal/atomicfile"
)

// ImportDir is the workspace folder that notebooks opened from outside
// the workspace are copied into.
const ImportDir = "Imported"

// IsNotebook says whether name has a notebook extension (.ipynb, or .go
// for the text form).
func IsNotebook(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".ipynb" || ext == ".go"
}

// Import returns the workspace path (with "/") of the notebook at path
// (absolute or relative to the current folder). A notebook inside the
// workspace is opened where it is; one outside is copied into ImportDir
// first (see the package doc), and note says so.
func (a *App) Import(path string) (rel, note string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", "", fmt.Errorf("open %s: %w", path, err)
	}
	if !IsNotebook(abs) {
		return "", "", fmt.Errorf("open %s: not a notebook (Firn opens .ipynb files and .go text-form notebooks)", abs)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", "", fmt.Errorf("open %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", "", fmt.Errorf("open %s: not a regular file", abs)
	}
	if r, ok := a.inWorkspace(abs); ok {
		return r, "", nil
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return "", "", fmt.Errorf("open %w", err)
	}
	dir := filepath.Join(a.cfg.Dirs.Workspace, ImportDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("import %s: %w", abs, err)
	}
	ext := filepath.Ext(abs)
	stem := strings.TrimSuffix(filepath.Base(abs), ext)
	for n := 1; ; n++ {
		name := stem + ext
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", stem, n, ext)
		}
		dest := filepath.Join(dir, name)
		old, err := os.ReadFile(dest)
		switch {
		case err == nil && bytes.Equal(old, data):
			// Opened before: its copy is the one to go on with.
		case err == nil:
			continue // another notebook of that name
		case errors.Is(err, fs.ErrNotExist):
			werr := atomicfile.WriteBytes(dest, 0o644, data)
			if werr != nil {
				return "", "", fmt.Errorf("import %s: %w", abs, werr)
			}
		default:
			return "", "", fmt.Errorf("import %s: %w", abs, err)
		}
		rel = ImportDir + "/" + name
		return rel, fmt.Sprintf("%s is outside your Firn folder (%s), so Firn opened a copy of it: %s. Your changes are saved in the copy.", abs, a.cfg.Dirs.Workspace, rel), nil
	}
}

// inWorkspace returns abs relative to the workspace, with "/", if it lies
// inside it (symbolic links resolved).
func (a *App) inWorkspace(abs string) (string, bool) {
	ws := a.cfg.Dirs.Workspace
	if r, err := filepath.EvalSymlinks(ws); err == nil {
		ws = r
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	} else if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(r, filepath.Base(abs))
	}
	rel, err := filepath.Rel(ws, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, ".") {
			return "", false // hidden (e.g. .trash): the server refuses those
		}
	}
	return filepath.ToSlash(rel), true
}
