package workspace

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
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
	// KernelMismatch says, for a notebook written for a kernel Firn does
	// not run, which one it wants ("This notebook is for Python 3 (kernel
	// python3); Firn runs Go."); "" for notebooks Firn runs.
	KernelMismatch string
}

// WriteOptions qualify a WriteNotebook.
type WriteOptions struct {
	// DiscardDamage lets the write replace a damaged file: what could not
	// be read of it is lost. Without it such a write is refused with a
	// *DamagedError.
	DiscardDamage bool
}

// DamagedError is returned by WriteNotebook when the file it would
// replace does not read whole: the new version, made from the part that
// could be read, would drop the rest.
type DamagedError struct {
	Path   string
	ETag   string   // of the damaged file
	Damage []string // what could not be read, as Doc.Damage
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s is damaged (%s), so saving over it would lose what could not be read; "+
		"save it under another name, or say that the damaged parts may go", e.Path, strings.Join(e.Damage, "; "))
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
	nb, err := parse(c, raw)
	if nb == nil {
		return Doc{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	doc.KernelMismatch = nb.KernelSpec().Mismatch()
	if err == nil {
		w.markWhole(c, doc.ETag)
		if !isPercent(c) {
			doc.JSON = raw // already nbformat JSON, as Jupyter wrote it
			return doc, nil
		}
	}
	doc.Damage = damageOf(err)
	var out bytes.Buffer
	if err := nb.Write(&out); err != nil {
		return Doc{}, fmt.Errorf("read %s: %w", c, err)
	}
	doc.JSON = out.Bytes()
	return doc, nil
}

// FileETag is the etag of the file at p as it is now, without reading it
// as a notebook: enough to know whether it changed.
func (w *Workspace) FileETag(p string) (string, error) {
	f, _, err := w.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fail("read", p, err)
	}
	return etagOf(h.Sum(nil)), nil
}

// parse reads the notebook file c holding raw: nil and an error if it is
// no notebook at all, a partial notebook and an error if it is damaged.
func parse(c string, raw []byte) (*notebooks.Notebook, error) {
	if isPercent(c) {
		return notebooks.ParsePercent(bytes.NewReader(raw), c)
	}
	return notebooks.Read(bytes.NewReader(raw), c)
}

// damageOf lists the problems of a read error, one each.
func damageOf(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range unjoin(err) {
		out = append(out, e.Error())
	}
	return out
}

// markWhole records that the file c with etag reads whole (Firn wrote it,
// or read it without damage): the next save over it need not parse it
// again to know.
func (w *Workspace) markWhole(c, etag string) {
	w.wholeMu.Lock()
	defer w.wholeMu.Unlock()
	if w.whole == nil {
		w.whole = map[string]string{}
	}
	w.whole[c] = etag
}

// damaged returns what could not be read of the file c holding old, nil
// if it reads whole.
func (w *Workspace) damaged(c string, old []byte, etag string) []string {
	w.wholeMu.Lock()
	known := w.whole[c] == etag
	w.wholeMu.Unlock()
	if known {
		return nil
	}
	nb, err := parse(c, old)
	if err == nil {
		w.markWhole(c, etag)
		return nil
	}
	if nb == nil {
		return []string{"not a notebook Firn can read: " + err.Error()}
	}
	return damageOf(err)
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
// *ConflictError with the current etag. A file on disk that is damaged
// (ReadNotebook reports Damage) is replaced only with
// opts.DiscardDamage; otherwise the error is a *DamagedError. Invalid
// notebooks are refused with an error naming the cell and field
// (wrapping ErrInvalid).
func (w *Workspace) WriteNotebook(p string, nbJSON []byte, etag string, opts WriteOptions) (Doc, error) {
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
	old, err := w.root.ReadFile(c)
	if err == nil {
		current = ETag(old)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Doc{}, fail("save", c, err)
	}
	if current != etag {
		return Doc{}, &ConflictError{Path: c, ETag: current}
	}
	if current != "" && !opts.DiscardDamage {
		if damage := w.damaged(c, old, current); damage != nil {
			return Doc{}, &DamagedError{Path: c, ETag: current, Damage: damage}
		}
	}
	e, err := w.writeAtomic(c, bytes.NewReader(out.Bytes()))
	if err != nil {
		return Doc{}, err
	}
	saved := ETag(out.Bytes())
	w.markWhole(c, saved)
	return Doc{Path: c, Modified: e.Modified, ETag: saved}, nil
}
