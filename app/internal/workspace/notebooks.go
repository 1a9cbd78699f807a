package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/firnglacier/firn/notebooks"
)

// Doc is a notebook as read from the workspace.
type Doc struct {
	Path     string
	Modified time.Time
	ETag     string // of the file's bytes
	// JSON is the notebook as nbformat JSON (converted from the text form
	// for .go files).
	JSON []byte
	// Damage lists what could not be read when the file is damaged; JSON
	// then holds the part that could (see notebooks.Read).
	Damage []string
}

func isPercent(p string) bool { return strings.EqualFold(path.Ext(p), ".go") }

// IsNotebook says whether p names a notebook (.ipynb, or .go for the
// text form).
func IsNotebook(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".ipynb" || ext == ".go"
}

// ReadNotebook reads the notebook at p.
func (w *Workspace) ReadNotebook(p string) (Doc, error) {
	c, err := w.resolve(p, false)
	if err != nil {
		return Doc{}, err
	}
	if !IsNotebook(c) {
		return Doc{}, fmt.Errorf("%s: %w: not a notebook (.ipynb or .go)", c, ErrInvalid)
	}
	f, e, err := w.Open(c)
	if err != nil {
		return Doc{}, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return Doc{}, fail("read", c, err)
	}
	raw := buf.Bytes()
	doc := Doc{Path: c, Modified: e.Modified, ETag: ETag(raw)}
	var nb *notebooks.Notebook
	if isPercent(c) {
		nb, err = notebooks.ParsePercent(bytes.NewReader(raw), c)
	} else {
		nb, err = notebooks.Read(bytes.NewReader(raw), c)
		if err == nil {
			doc.JSON = raw // already nbformat JSON, as Jupyter wrote it
			return doc, nil
		}
	}
	if nb == nil {
		return Doc{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err != nil {
		for _, e := range unjoin(err) {
			doc.Damage = append(doc.Damage, e.Error())
		}
	}
	var out bytes.Buffer
	if err := nb.Write(&out); err != nil {
		return Doc{}, fmt.Errorf("read %s: %w", c, err)
	}
	doc.JSON = out.Bytes()
	return doc, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// WriteNotebook saves the nbformat JSON nbJSON to p (in the text form
// for .go), atomically. etag is the etag of the version the writer last
// read, "" for a new file; if the file on disk is another version, or
// exists when etag is "", nothing is written and the error is a
// *ConflictError with the current etag. Invalid notebooks are refused
// with an error naming the cell and field (wrapping ErrInvalid).
func (w *Workspace) WriteNotebook(p string, nbJSON []byte, etag string) (Doc, error) {
	c, err := w.resolve(p, true)
	if err != nil {
		return Doc{}, err
	}
	if !IsNotebook(c) {
		return Doc{}, fmt.Errorf("%s: %w: not a notebook name (.ipynb or .go)", c, ErrInvalid)
	}
	nb, err := notebooks.Read(bytes.NewReader(nbJSON), c)
	if err != nil {
		return Doc{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var out bytes.Buffer
	if err := notebooks.Encode(&out, c, nb); err != nil {
		return Doc{}, fmt.Errorf("save %s: %w", c, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	current := ""
	if old, err := w.root.ReadFile(c); err == nil {
		current = ETag(old)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Doc{}, fail("save", c, err)
	}
	if current != etag {
		return Doc{}, &ConflictError{Path: c, ETag: current}
	}
	e, err := w.writeAtomic(c, bytes.NewReader(out.Bytes()))
	if err != nil {
		return Doc{}, err
	}
	return Doc{Path: c, Modified: e.Modified, ETag: ETag(out.Bytes())}, nil
}
