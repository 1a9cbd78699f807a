package workspace

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/firnglacier/firn/internal/atomicfile"
)

// Errors that operations wrap; the server maps them to HTTP statuses.
var (
	ErrOutside  = errors.New("path leaves the workspace")        // 403
	ErrNotFound = fs.ErrNotExist                                 // 404
	ErrExists   = fs.ErrExist                                    // 409
	ErrInvalid  = errors.New("invalid request")                  // 400
	ErrReadOnly = errors.New("the trash folder is not writable") // 403
)

// ConflictError is returned by WriteNotebook when the file on disk is not
// the version the writer last saw.
type ConflictError struct {
	Path string
	ETag string // the etag of the file on disk ("" if it does not exist)
}

func (e *ConflictError) Error() string {
	if e.ETag == "" {
		return e.Path + ": the file was deleted on disk since you opened it"
	}
	return e.Path + ": the file changed on disk since you opened it (reload it, or save under another name)"
}

// Entry types.
const (
	Directory = "directory"
	Notebook  = "notebook"
	File      = "file"
)

// Entry describes one file or folder.
type Entry struct {
	Name     string    `json:"name"`
	Path     string    `json:"path"`
	Type     string    `json:"type"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// Workspace is a folder whose files the server may read and write. Its
// methods are safe for concurrent use.
type Workspace struct {
	dir  string
	root *os.Root
	mu   sync.Mutex // serializes writes

	wholeMu sync.Mutex
	whole   map[string]string // path → etag of a version known to read whole

	owner *owner // of what it writes, if not the server's own account
}

// owner is the account that owns a workspace's files (OpenOwned).
type owner struct{ uid, gid int }

// Open opens the workspace folder dir, which must exist.
func Open(dir string) (*Workspace, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	// Saves that a killed process left unfinished leave temporary
	// files; they go at the start (and at every save in their folder).
	_, _ = atomicfile.CleanTree(root, ".")
	return &Workspace{dir: dir, root: root}, nil
}

// OpenOwned opens the workspace folder dir as Open does, for a server
// that runs as root while the workspace belongs to the account uid:gid
// (`firn hub` gives each user one): every file and folder it writes is
// then given to that account, so that the user's kernels, which run
// under it, can read and change them.
func OpenOwned(dir string, uid, gid int) (*Workspace, error) {
	w, err := Open(dir)
	if err != nil {
		return nil, err
	}
	w.owner = &owner{uid, gid}
	return w, nil
}

// own gives c (cleaned) and the folders above it in the workspace to the
// workspace's owner, if it has one.
func (w *Workspace) own(c string) error {
	if w.owner == nil {
		return nil
	}
	for p := c; ; p = path.Dir(p) {
		if err := w.root.Lchown(p, w.owner.uid, w.owner.gid); err != nil {
			return fail("chown", p, err)
		}
		if p == "." {
			return nil
		}
	}
}

// Dir is the workspace folder as given to Open.
func (w *Workspace) Dir() string { return w.dir }

// Close releases the workspace folder.
func (w *Workspace) Close() error { return w.root.Close() }

// Clean checks that p is a path inside the workspace and returns it in
// canonical form: elements joined by "/", without empty or "."
// elements; "." for the workspace root. See the package doc for what is
// refused.
func Clean(p string) (string, error) {
	forms := []string{p}
	if u, err := url.PathUnescape(p); err == nil && u != p {
		forms = append(forms, u)
	}
	for _, f := range forms {
		if err := checkPath(f); err != nil {
			return "", fmt.Errorf("%q: %w", p, err)
		}
	}
	var elems []string
	for e := range strings.SplitSeq(p, "/") {
		if e != "" && e != "." {
			elems = append(elems, e)
		}
	}
	if len(elems) == 0 {
		return ".", nil
	}
	return strings.Join(elems, "/"), nil
}

func checkPath(p string) error {
	switch {
	case strings.ContainsAny(p, "\\\x00"):
		return fmt.Errorf("%w (backslash or NUL byte)", ErrOutside)
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%w (absolute path; use a path relative to the workspace)", ErrOutside)
	case len(p) >= 2 && p[1] == ':':
		return fmt.Errorf("%w (drive letter)", ErrOutside)
	}
	elems := strings.Split(p, "/")
	if slices.Contains(elems, "..") {
		return fmt.Errorf("%w (\"..\")", ErrOutside)
	}
	if len(p) > MaxPath {
		return fmt.Errorf("%w: the path is too long (%d bytes; at most %d)", ErrInvalid, len(p), MaxPath)
	}
	for _, e := range elems {
		if len(e) > MaxName {
			return fmt.Errorf("%w: the name %.40q… is too long (%d bytes; at most %d)", ErrInvalid, e, len(e), MaxName)
		}
	}
	return nil
}

// The longest name (one element of a path) and path in the workspace,
// bytes: file systems allow names of 255 bytes, and a workspace path
// leaves room for the workspace folder's own within the system's 4096.
const (
	MaxName = 255
	MaxPath = 1024
)

// clean is Clean for the methods: it also refuses the trash folder when
// write is set.
func clean(p string, write bool) (string, error) {
	c, err := Clean(p)
	if err != nil {
		return "", err
	}
	if write && (c == trashDir || strings.HasPrefix(c, trashDir+"/")) {
		return "", fmt.Errorf("%q: %w", p, ErrReadOnly)
	}
	return c, nil
}

// Resolve checks that p is inside the workspace, as Clean does and also
// through the symbolic links on its way, and returns its clean form.
func (w *Workspace) Resolve(p string) (string, error) { return w.resolve(p, false) }

// resolve is Resolve that also refuses the trash folder when write is
// set.
func (w *Workspace) resolve(p string, write bool) (string, error) {
	c, err := clean(p, write)
	if err != nil {
		return "", err
	}
	if _, err := w.root.Stat(c); err != nil && isEscape(err) {
		return "", fmt.Errorf("%q: %w (through a symbolic link)", p, ErrOutside)
	}
	return c, nil
}

func isEscape(err error) bool { return strings.Contains(err.Error(), "path escapes from parent") }

// fail gives an os.Root error the workspace's error kinds.
func fail(op, p string, err error) error {
	if err == nil {
		return nil
	}
	if isEscape(err) {
		return fmt.Errorf("%s %s: %w", op, p, ErrOutside)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // its path is the one we already name
	}
	return fmt.Errorf("%s %s: %w", op, p, err)
}

// entryType is the type of a file by its name and mode.
func entryType(name string, fi fs.FileInfo) string {
	if fi.IsDir() {
		return Directory
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".ipynb", ".go":
		return Notebook
	}
	return File
}

func entryOf(p string, fi fs.FileInfo) Entry {
	size := fi.Size()
	if fi.IsDir() {
		size = 0
	}
	return Entry{Name: path.Base(p), Path: p, Type: entryType(p, fi), Size: size, Modified: fi.ModTime().UTC().Truncate(time.Second)}
}

// Stat describes the file or folder at p (following symbolic links
// inside the workspace).
func (w *Workspace) Stat(p string) (Entry, error) {
	c, err := w.resolve(p, false)
	if err != nil {
		return Entry{}, err
	}
	fi, err := w.root.Stat(c)
	if err != nil {
		return Entry{}, fail("stat", c, err)
	}
	return entryOf(c, fi), nil
}

// List returns the entries of folder dir: folders first, then by name;
// hidden names (starting with ".") and links that lead outside are left
// out.
func (w *Workspace) List(dir string) ([]Entry, error) {
	c, err := w.resolve(dir, false)
	if err != nil {
		return nil, err
	}
	f, err := w.root.Open(c)
	if err != nil {
		return nil, fail("list", c, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fail("list", c, err)
	}
	entries := []Entry{}
	for _, n := range names {
		if strings.HasPrefix(n, ".") {
			continue
		}
		p := path.Join(c, n)
		fi, err := w.root.Stat(p)
		if err != nil {
			continue // a dangling link, or one that leads outside
		}
		entries = append(entries, entryOf(p, fi))
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		if (a.Type == Directory) != (b.Type == Directory) {
			if a.Type == Directory {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return entries, nil
}

// Open opens the regular file at p for reading.
func (w *Workspace) Open(p string) (*os.File, Entry, error) {
	c, err := w.resolve(p, false)
	if err != nil {
		return nil, Entry{}, err
	}
	f, err := w.root.Open(c)
	if err != nil {
		return nil, Entry{}, fail("open", c, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Entry{}, fail("open", c, err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, Entry{}, fmt.Errorf("open %s: %w: it is a folder", c, ErrInvalid)
	}
	return f, entryOf(c, fi), nil
}

// ETag is the etag of a file's content.
func ETag(content []byte) string {
	sum := sha256.Sum256(content)
	return etagOf(sum[:])
}

// etagOf is the etag of a file whose SHA-256 is sum.
func etagOf(sum []byte) string { return hex.EncodeToString(sum[:16]) }

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeAtomic writes the content from r to c (cleaned) through a
// temporary file in the same folder. The caller holds w.mu.
func (w *Workspace) writeAtomic(c string, r io.Reader) (Entry, error) {
	dir, _ := path.Split(c)
	// Leftovers of saves killed in this folder go first (atomicfile.Clean
	// leaves the files of writes still going on).
	_, _ = atomicfile.Clean(w.root, path.Clean("./"+dir))
	err := atomicfile.WriteIn(w.root, c, 0o644, func(out io.Writer) error {
		_, err := io.Copy(out, r)
		return err
	})
	if err != nil {
		if errors.Is(err, atomicfile.ErrNotRegular) {
			return Entry{}, fmt.Errorf("write %s: %w: not a regular file", c, ErrInvalid)
		}
		return Entry{}, fail("write", c, err)
	}
	if err := w.own(c); err != nil {
		return Entry{}, err
	}
	fi, err := w.root.Stat(c)
	if err != nil {
		return Entry{}, fail("write", c, err)
	}
	return entryOf(c, fi), nil
}

// WriteFile writes what r holds to the file p (an upload), atomically,
// replacing a file that is there. Its folder must exist.
func (w *Workspace) WriteFile(p string, r io.Reader) (Entry, error) {
	c, err := w.resolve(p, true)
	if err != nil {
		return Entry{}, err
	}
	if c == "." {
		return Entry{}, fmt.Errorf("write: %w: no file name", ErrInvalid)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeAtomic(c, r)
}
