package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/firnglacier/firn/notebooks"
)

const trashDir = ".trash"

// exists says whether c (cleaned) exists; errors other than "not there"
// are returned.
func (w *Workspace) exists(c string) (bool, error) {
	_, err := w.root.Lstat(c)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, fail("stat", c, err)
}

func (w *Workspace) mustNotExist(c string) error {
	ok, err := w.exists(c)
	if err != nil {
		return err
	}
	if ok {
		return fmt.Errorf("%s: %w", c, ErrExists)
	}
	return nil
}

// Create makes a new empty notebook at p; it fails with ErrExists if
// something is there.
func (w *Workspace) Create(p string) (Entry, error) {
	c, err := w.resolve(p, true)
	if err != nil {
		return Entry{}, err
	}
	if !IsNotebook(c) {
		return Entry{}, fmt.Errorf("create %s: %w: a notebook name ends in .ipynb (or .go for the text form)", c, ErrInvalid)
	}
	nb := notebooks.New()
	nb.AddCell(notebooks.NewCell(notebooks.Code, ""))
	var out bytes.Buffer
	if err := notebooks.Encode(&out, c, nb); err != nil {
		return Entry{}, fmt.Errorf("create %s: %w", c, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.mustNotExist(c); err != nil {
		return Entry{}, err
	}
	return w.writeAtomic(c, &out)
}

// Mkdir makes the folder p (and its parents).
func (w *Workspace) Mkdir(p string) (Entry, error) {
	c, err := w.resolve(p, true)
	if err != nil {
		return Entry{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.mustNotExist(c); err != nil {
		return Entry{}, err
	}
	if err := w.root.MkdirAll(c, 0o755); err != nil {
		return Entry{}, fail("mkdir", c, err)
	}
	if err := w.own(c); err != nil {
		return Entry{}, err
	}
	return w.Stat(c)
}

// Rename moves from to to, which must not exist; to's folder must.
func (w *Workspace) Rename(from, to string) (Entry, error) {
	f, err := w.resolve(from, true)
	if err != nil {
		return Entry{}, err
	}
	t, err := w.resolve(to, true)
	if err != nil {
		return Entry{}, err
	}
	if f == "." || t == "." {
		return Entry{}, fmt.Errorf("rename %s to %s: %w: the workspace itself cannot be renamed", f, t, ErrInvalid)
	}
	if t == f || strings.HasPrefix(t, f+"/") {
		return Entry{}, fmt.Errorf("rename %s to %s: %w: a folder cannot move into itself", f, t, ErrInvalid)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.root.Lstat(f); err != nil {
		return Entry{}, fail("rename", f, err)
	}
	if err := w.mustNotExist(t); err != nil {
		return Entry{}, err
	}
	if err := w.root.Rename(f, t); err != nil {
		return Entry{}, fail("rename", f, err)
	}
	return w.Stat(t)
}

// Copy copies the file from to to; with to empty it picks a free name
// next to from: "NAME-Copy1.EXT", "NAME-Copy2.EXT", …
func (w *Workspace) Copy(from, to string) (Entry, error) {
	f, err := w.resolve(from, false)
	if err != nil {
		return Entry{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var t string
	if to == "" {
		ext := path.Ext(f)
		stem := strings.TrimSuffix(f, ext)
		for i := 1; ; i++ {
			t = fmt.Sprintf("%s-Copy%d%s", stem, i, ext)
			ok, err := w.exists(t)
			if err != nil {
				return Entry{}, err
			}
			if !ok {
				break
			}
		}
		if _, err := w.resolve(t, true); err != nil {
			return Entry{}, err
		}
	} else {
		if t, err = w.resolve(to, true); err != nil {
			return Entry{}, err
		}
		if err := w.mustNotExist(t); err != nil {
			return Entry{}, err
		}
	}
	src, err := w.root.Open(f)
	if err != nil {
		return Entry{}, fail("copy", f, err)
	}
	defer src.Close()
	if fi, err := src.Stat(); err != nil {
		return Entry{}, fail("copy", f, err)
	} else if fi.IsDir() {
		return Entry{}, fmt.Errorf("copy %s: %w: only files can be copied", f, ErrInvalid)
	}
	return w.writeAtomic(t, src)
}

// TrashItem is one deleted item in the trash.
type TrashItem struct {
	ID      string    `json:"trash_id"`
	Path    string    `json:"path"` // where it was
	Deleted time.Time `json:"deleted"`
}

// Trash moves p into the trash and returns the id to restore it with.
func (w *Workspace) Trash(p string) (string, error) {
	c, err := w.resolve(p, true)
	if err != nil {
		return "", err
	}
	if c == "." {
		return "", fmt.Errorf("delete: %w: the workspace itself cannot be deleted", ErrInvalid)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.root.Lstat(c); err != nil {
		return "", fail("delete", c, err)
	}
	id := time.Now().UTC().Format("20060102T150405") + "-" + randomID()
	dir := trashDir + "/" + id
	if err := w.root.MkdirAll(dir, 0o755); err != nil {
		return "", fail("delete", c, err)
	}
	info, _ := json.Marshal(TrashItem{ID: id, Path: c, Deleted: time.Now().UTC().Truncate(time.Second)})
	if err := w.root.WriteFile(dir+"/info.json", info, 0o644); err != nil {
		_ = w.root.RemoveAll(dir)
		return "", fail("delete", c, err)
	}
	if err := w.root.Rename(c, dir+"/item"); err != nil {
		_ = w.root.RemoveAll(dir)
		return "", fail("delete", c, err)
	}
	return id, nil
}

func (w *Workspace) trashItem(id string) (TrashItem, error) {
	if id == "" || strings.ContainsAny(id, "/\\.\x00") {
		return TrashItem{}, fmt.Errorf("restore %q: %w: not a trash id", id, ErrInvalid)
	}
	b, err := w.root.ReadFile(trashDir + "/" + id + "/info.json")
	if err != nil {
		return TrashItem{}, fail("restore", id, err)
	}
	var it TrashItem
	if err := json.Unmarshal(b, &it); err != nil {
		return TrashItem{}, fmt.Errorf("restore %s: damaged trash entry: %w", id, err)
	}
	it.ID = id
	return it, nil
}

// Restore puts the trashed item id back where it was; it fails with
// ErrExists if something has taken its place.
func (w *Workspace) Restore(id string) (Entry, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	it, err := w.trashItem(id)
	if err != nil {
		return Entry{}, err
	}
	c, err := w.resolve(it.Path, true)
	if err != nil {
		return Entry{}, err
	}
	if err := w.mustNotExist(c); err != nil {
		return Entry{}, err
	}
	if dir := path.Dir(c); dir != "." {
		if err := w.root.MkdirAll(dir, 0o755); err != nil {
			return Entry{}, fail("restore", c, err)
		}
		if err := w.own(dir); err != nil {
			return Entry{}, err
		}
	}
	if err := w.root.Rename(trashDir+"/"+id+"/item", c); err != nil {
		return Entry{}, fail("restore", c, err)
	}
	_ = w.root.RemoveAll(trashDir + "/" + id)
	return w.Stat(c)
}

// TrashList lists the trash, newest first.
func (w *Workspace) TrashList() ([]TrashItem, error) {
	f, err := w.root.Open(trashDir)
	if errors.Is(err, fs.ErrNotExist) {
		return []TrashItem{}, nil
	}
	if err != nil {
		return nil, fail("list", trashDir, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fail("list", trashDir, err)
	}
	items := []TrashItem{}
	for _, n := range names {
		if it, err := w.trashItem(n); err == nil {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(a, b TrashItem) int { return strings.Compare(b.ID, a.ID) })
	return items, nil
}

// MkdirAll makes the folder p and its parents if they are not there.
func (w *Workspace) MkdirAll(p string) error {
	c, err := w.resolve(p, true)
	if err != nil {
		return err
	}
	if err := w.root.MkdirAll(c, 0o755); err != nil {
		return fail("mkdir", c, err)
	}
	return w.own(c)
}
