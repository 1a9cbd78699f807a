package atomicfile

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// tempMarker separates a target's name from the random part of its
// temporary file's name: ".NAME" + tempMarker + RANDOM.
const tempMarker = ".tmp-"

// ErrNotRegular: the target is a folder, a device or another kind of
// file that a write must not replace.
var ErrNotRegular = errors.New("not a regular file")

// Write writes what write produces to the file at path (through a
// symbolic link, to the file it points to). A new file gets perm; an
// existing one keeps its permissions. The folder must exist.
func Write(name string, perm fs.FileMode, write func(io.Writer) error) error {
	if real, err := filepath.EvalSymlinks(name); err == nil {
		name = real
	}
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer root.Close()
	if err := write1(root, base, perm, write); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// WriteBytes is Write of data.
func WriteBytes(name string, perm fs.FileMode, data []byte) error {
	return Write(name, perm, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// WriteIn is Write for a slash-separated name inside root; the name
// cannot leave root (os.Root's rules: no "..", no links out).
func WriteIn(root *os.Root, name string, perm fs.FileMode, write func(io.Writer) error) error {
	if err := write1(root, path.Clean(name), perm, write); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func write1(root *os.Root, name string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	if fi, err := root.Stat(name); err == nil {
		if !fi.Mode().IsRegular() {
			return ErrNotRegular
		}
		perm = fi.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	dir, base := path.Split(name)
	f, tmp, err := createTemp(root, dir, base, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			_ = root.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// The creation mode was masked by the umask; the target's is not.
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := root.Rename(tmp, name); err != nil {
		return err
	}
	// The lock goes with the close, after the rename: Clean never sees
	// an unlocked temporary file of a write that is still going on.
	if err := f.Close(); err != nil {
		return err
	}
	// The rename is durable once the folder is synced. Some systems
	// cannot sync folders; the file is in place either way.
	if d, err := root.Open(path.Clean("./" + dir)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// createTemp creates and locks a new temporary file for base in dir.
func createTemp(root *os.Root, dir, base string, perm fs.FileMode) (*os.File, string, error) {
	for range 100 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		tmp := dir + "." + base + tempMarker + hex.EncodeToString(b[:])
		f, err := root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		if err := lock(f); err != nil {
			f.Close()
			_ = root.Remove(tmp)
			return nil, "", err
		}
		// Clean may have removed the file between its creation and the
		// lock; then it is no longer in the folder: take another.
		if removed(f) {
			f.Close()
			continue
		}
		return f, tmp, nil
	}
	return nil, "", errors.New("cannot create a temporary file")
}

// IsTemp reports whether a file name is that of a temporary file of a
// write (finished or not).
func IsTemp(name string) bool {
	i := strings.LastIndex(name, tempMarker)
	return strings.HasPrefix(name, ".") && i > 1 && i+len(tempMarker) < len(name)
}

// Clean removes from the folder dir of root (slash-separated, "." for
// root itself) the temporary files of writes that were killed before
// they finished, and returns their names. Files of writes still going
// on, here or in another process, stay.
func Clean(root *os.Root, dir string) ([]string, error) {
	d, err := root.Open(path.Clean(dir))
	if err != nil {
		return nil, fmt.Errorf("clean %s: %w", dir, err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, fmt.Errorf("clean %s: %w", dir, err)
	}
	var gone []string
	for _, n := range names {
		if !IsTemp(n) {
			continue
		}
		p := path.Join(dir, n)
		if removeIfAbandoned(root, p) {
			gone = append(gone, p)
		}
	}
	return gone, nil
}

// CleanTree is Clean for dir and every folder below it.
func CleanTree(root *os.Root, dir string) ([]string, error) {
	var gone []string
	err := fs.WalkDir(root.FS(), path.Clean(dir), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder is not this walk's business
		}
		if e.IsDir() {
			return nil
		}
		if IsTemp(e.Name()) && e.Type().IsRegular() && removeIfAbandoned(root, p) {
			gone = append(gone, p)
		}
		return nil
	})
	return gone, err
}
