package symbols

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"
)

// where says what a sandboxed *File is.
type where int

const (
	inWorkspace      where = iota // a file of the workspace: reading and changing it are allowed
	outsideWorkspace              // a file outside the workspace, opened for reading: no change
	stream                        // a pipe or standard stream: reading and writing, no change of the file
)

// File is os.File in the sandbox: what os.Open, os.Create, os.OpenFile,
// os.CreateTemp, os.Pipe and os.Stdin, os.Stdout and os.Stderr give
// sandboxed cells. It has the methods of *os.File (but SyscallConn), and
// refuses, with an *fs.PathError naming the file, every change to a file
// outside the workspace: Chmod, Chown, Truncate, Write, WriteAt,
// WriteString and ReadFrom fail on a file opened outside (which the
// sandbox only opens for reading), and Chmod, Chown and Truncate on a
// pipe or a standard stream. Chdir always fails: cells cannot move the
// kernel's working directory.
//
// *os.File cannot be guarded, since yaegi calls the methods of compiled
// types as they are: a file opened outside the workspace for reading
// could still change the file's mode, owner (fchmod, fchown) or the
// kernel's working directory (fchdir).
type File struct {
	f     *os.File
	name  string // as the cell gave it
	where where
	g     *guard
}

// errNoChdir is why (*File).Chdir fails.
var errNoChdir = errors.New("a cell cannot change the kernel's working directory (Firn's sandbox)")

// file returns the *os.File, or os.ErrInvalid for a nil *File (as
// *os.File's methods do).
func (f *File) file() (*os.File, error) {
	if f == nil || f.f == nil {
		return nil, os.ErrInvalid
	}
	return f.f, nil
}

// change returns the *os.File if op, a change of the file's contents or
// attributes, is allowed on it.
func (f *File) change(op string, attributes bool) (*os.File, error) {
	file, err := f.file()
	if err != nil {
		return nil, err
	}
	switch {
	case f.where == outsideWorkspace:
		return nil, f.g.outside(op, f.name)
	case f.where == stream && attributes:
		return nil, &fs.PathError{Op: op, Path: f.name, Err: errors.ErrUnsupported}
	}
	return file, nil
}

// Name returns the name of the file as the cell gave it.
func (f *File) Name() string {
	if f == nil {
		return ""
	}
	return f.name
}

// Chdir fails: a cell cannot change the kernel's working directory.
func (f *File) Chdir() error {
	if _, err := f.file(); err != nil {
		return err
	}
	if f.where == outsideWorkspace {
		return f.g.outside("chdir", f.name)
	}
	return &fs.PathError{Op: "chdir", Path: f.name, Err: errNoChdir}
}

// Chmod changes the mode of a file in the workspace.
func (f *File) Chmod(mode fs.FileMode) error {
	file, err := f.change("chmod", true)
	if err != nil {
		return err
	}
	return file.Chmod(mode)
}

// Chown changes the owner of a file in the workspace.
func (f *File) Chown(uid, gid int) error {
	file, err := f.change("chown", true)
	if err != nil {
		return err
	}
	return file.Chown(uid, gid)
}

// Truncate changes the size of a file in the workspace.
func (f *File) Truncate(size int64) error {
	file, err := f.change("truncate", true)
	if err != nil {
		return err
	}
	return file.Truncate(size)
}

// Write writes to a file in the workspace, a pipe or a standard stream.
func (f *File) Write(b []byte) (int, error) {
	file, err := f.change("write", false)
	if err != nil {
		return 0, err
	}
	return file.Write(b)
}

// WriteAt writes at an offset of a file in the workspace.
func (f *File) WriteAt(b []byte, off int64) (int, error) {
	file, err := f.change("write", false)
	if err != nil {
		return 0, err
	}
	return file.WriteAt(b, off)
}

// WriteString is Write of a string.
func (f *File) WriteString(s string) (int, error) {
	file, err := f.change("write", false)
	if err != nil {
		return 0, err
	}
	return file.WriteString(s)
}

// ReadFrom copies r into the file (io.ReaderFrom, which io.Copy uses).
func (f *File) ReadFrom(r io.Reader) (int64, error) {
	file, err := f.change("write", false)
	if err != nil {
		return 0, err
	}
	return file.ReadFrom(r)
}

// Close closes the file.
func (f *File) Close() error {
	file, err := f.file()
	if err != nil {
		return err
	}
	return file.Close()
}

// Fd returns the file's descriptor.
func (f *File) Fd() uintptr {
	if f == nil || f.f == nil {
		return ^uintptr(0)
	}
	return f.f.Fd()
}

// Read reads from the file.
func (f *File) Read(b []byte) (int, error) {
	file, err := f.file()
	if err != nil {
		return 0, err
	}
	return file.Read(b)
}

// ReadAt reads at an offset.
func (f *File) ReadAt(b []byte, off int64) (int, error) {
	file, err := f.file()
	if err != nil {
		return 0, err
	}
	return file.ReadAt(b, off)
}

// ReadDir reads a directory's entries.
func (f *File) ReadDir(n int) ([]fs.DirEntry, error) {
	file, err := f.file()
	if err != nil {
		return nil, err
	}
	return file.ReadDir(n)
}

// Readdir reads a directory's entries as FileInfos.
func (f *File) Readdir(n int) ([]fs.FileInfo, error) {
	file, err := f.file()
	if err != nil {
		return nil, err
	}
	return file.Readdir(n)
}

// Readdirnames reads a directory's names.
func (f *File) Readdirnames(n int) ([]string, error) {
	file, err := f.file()
	if err != nil {
		return nil, err
	}
	return file.Readdirnames(n)
}

// Seek sets the offset of the next Read or Write.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	file, err := f.file()
	if err != nil {
		return 0, err
	}
	return file.Seek(offset, whence)
}

// SetDeadline sets the read and write deadlines of a pipe.
func (f *File) SetDeadline(t time.Time) error {
	file, err := f.file()
	if err != nil {
		return err
	}
	return file.SetDeadline(t)
}

// SetReadDeadline sets the read deadline of a pipe.
func (f *File) SetReadDeadline(t time.Time) error {
	file, err := f.file()
	if err != nil {
		return err
	}
	return file.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline of a pipe.
func (f *File) SetWriteDeadline(t time.Time) error {
	file, err := f.file()
	if err != nil {
		return err
	}
	return file.SetWriteDeadline(t)
}

// Stat returns the file's FileInfo.
func (f *File) Stat() (fs.FileInfo, error) {
	file, err := f.file()
	if err != nil {
		return nil, err
	}
	return file.Stat()
}

// Sync commits the file's contents to stable storage.
func (f *File) Sync() error {
	file, err := f.file()
	if err != nil {
		return err
	}
	return file.Sync()
}

// WriteTo copies the file to w (io.WriterTo).
func (f *File) WriteTo(w io.Writer) (int64, error) {
	file, err := f.file()
	if err != nil {
		return 0, err
	}
	return file.WriteTo(w)
}

// dirFS is os.DirFS in the sandbox: its Open gives *File, not *os.File.
type dirFS struct {
	g   *guard
	dir string
}

// join is the operating-system name of the slash-separated name of the
// file system, or an *fs.PathError for an invalid name.
func (d dirFS) join(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if d.dir == "" {
		return "", &fs.PathError{Op: op, Path: name, Err: errors.New("os: DirFS with empty root")}
	}
	return filepath.Join(d.dir, filepath.FromSlash(path.Clean(name))), nil
}

// Open opens name for reading.
func (d dirFS) Open(name string) (fs.File, error) {
	full, err := d.join("open", name)
	if err != nil {
		return nil, err
	}
	f, err := d.g.openFile(full, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ReadFile reads name (fs.ReadFileFS).
func (d dirFS) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(os.DirFS(d.dir), name)
}

// ReadDir reads the directory name (fs.ReadDirFS).
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(os.DirFS(d.dir), name)
}

// Stat returns the FileInfo of name (fs.StatFS).
func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	return fs.Stat(os.DirFS(d.dir), name)
}
