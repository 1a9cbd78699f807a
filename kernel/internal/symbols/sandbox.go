package symbols

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// OutsideWorkspaceError is the Err of the *fs.PathError that a sandboxed
// cell gets when it tries to change a file outside its workspace.
// errors.Is(err, fs.ErrPermission) holds for it.
type OutsideWorkspaceError struct {
	// Workspace is the workspace directory, absolute with symbolic links
	// resolved.
	Workspace string
}

func (e *OutsideWorkspaceError) Error() string {
	return "outside the workspace " + e.Workspace + " (Firn's sandbox; start the kernel with --trusted to allow)"
}

// Is reports whether target is fs.ErrPermission.
func (e *OutsideWorkspaceError) Is(target error) bool { return target == fs.ErrPermission }

// guard decides whether a path may be changed: it must lie inside root.
type guard struct {
	root string // absolute, symbolic links resolved
}

func newGuard(workspace string) (*guard, error) {
	if workspace == "" {
		return nil, errors.New("symbols: no workspace given for the sandbox")
	}
	abs, err := filepath.Abs(workspace)
	if err != nil {
		return nil, fmt.Errorf("symbols: workspace %s: %w", workspace, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("symbols: workspace: %w", err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("symbols: workspace: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("symbols: workspace %s is not a directory", workspace)
	}
	return &guard{root: root}, nil
}

// check returns nil when name lies inside the workspace, else an
// *fs.PathError for op. A relative name is taken relative to the working
// directory. follow says whether the operation follows a symbolic link
// in the last element of name (open, chmod) or acts on the link itself
// (remove, rename, lchown).
func (g *guard) check(op, name string, follow bool) error {
	p, err := resolve(name, follow)
	if err != nil {
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	if !within(p, g.root) {
		return &fs.PathError{Op: op, Path: name, Err: &OutsideWorkspaceError{Workspace: g.root}}
	}
	return nil
}

// maxLinks bounds the symbolic links followed in one path, like the
// kernel's ELOOP limit.
const maxLinks = 255

// resolve returns the absolute path that the operating system would act
// on for name: it walks name element by element as the kernel does,
// following symbolic links (also dangling ones, which a create would
// follow) and applying ".." to what a link resolved to, not to the text.
// From the first element that does not exist on, the rest is taken as
// written (lexically cleaned), since nothing below it exists to redirect
// it. This is filepath.EvalSymlinks of the longest existing prefix,
// extended to dangling links.
func resolve(name string, follow bool) (string, error) {
	if !filepath.IsAbs(name) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		name = wd + string(filepath.Separator) + name
	}
	vol := filepath.VolumeName(name)
	resolved := vol + string(filepath.Separator)
	todo := splitPath(name[len(vol):])
	links := 0
	for len(todo) > 0 {
		elem := todo[0]
		todo = todo[1:]
		switch elem {
		case ".":
			continue
		case "..":
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, elem)
		if len(todo) == 0 && !follow {
			return next, nil
		}
		fi, err := os.Lstat(next)
		if err != nil {
			return filepath.Join(append([]string{next}, todo...)...), nil
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if links++; links > maxLinks {
			return "", errors.New("too many levels of symbolic links")
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			v := filepath.VolumeName(target)
			resolved, target = v+string(filepath.Separator), target[len(v):]
		}
		todo = append(splitPath(target), todo...)
	}
	return resolved, nil
}

func splitPath(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == filepath.Separator })
}

// within reports whether the clean absolute path p is root or lies below it.
func within(p, root string) bool {
	if p == root {
		return true
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	return strings.HasPrefix(p, root)
}

// writeFlags are the os.OpenFile flags that make an open a change.
const writeFlags = os.O_WRONLY | os.O_RDWR | os.O_CREATE | os.O_APPEND | os.O_TRUNC

// tempDir is where MkdirTemp and CreateTemp put files for dir "".
func tempDir(dir string) string {
	if dir == "" {
		return os.TempDir()
	}
	return dir
}

// osWrappers returns the guarded replacements of package os's functions
// that change files, with the same signatures.
func (g *guard) osWrappers() map[string]any {
	return map[string]any{
		"Chmod": func(name string, mode fs.FileMode) error {
			if err := g.check("chmod", name, true); err != nil {
				return err
			}
			return os.Chmod(name, mode)
		},
		"Chown": func(name string, uid, gid int) error {
			if err := g.check("chown", name, true); err != nil {
				return err
			}
			return os.Chown(name, uid, gid)
		},
		"Chtimes": func(name string, atime, mtime time.Time) error {
			if err := g.check("chtimes", name, true); err != nil {
				return err
			}
			return os.Chtimes(name, atime, mtime)
		},
		"Create": func(name string) (*os.File, error) {
			if err := g.check("open", name, true); err != nil {
				return nil, err
			}
			return os.Create(name)
		},
		"CreateTemp": func(dir, pattern string) (*os.File, error) {
			if err := g.check("createtemp", tempDir(dir), true); err != nil {
				return nil, err
			}
			return os.CreateTemp(dir, pattern)
		},
		"Lchown": func(name string, uid, gid int) error {
			if err := g.check("lchown", name, false); err != nil {
				return err
			}
			return os.Lchown(name, uid, gid)
		},
		// A hard link to a file outside would make it writable through
		// the workspace, so both names must be inside.
		"Link": func(oldname, newname string) error {
			if err := g.check("link", oldname, true); err != nil {
				return err
			}
			if err := g.check("link", newname, false); err != nil {
				return err
			}
			return os.Link(oldname, newname)
		},
		"Mkdir": func(name string, perm fs.FileMode) error {
			if err := g.check("mkdir", name, true); err != nil {
				return err
			}
			return os.Mkdir(name, perm)
		},
		"MkdirAll": func(name string, perm fs.FileMode) error {
			if err := g.check("mkdir", name, true); err != nil {
				return err
			}
			return os.MkdirAll(name, perm)
		},
		"MkdirTemp": func(dir, pattern string) (string, error) {
			if err := g.check("mkdirtemp", tempDir(dir), true); err != nil {
				return "", err
			}
			return os.MkdirTemp(dir, pattern)
		},
		"OpenFile": func(name string, flag int, perm fs.FileMode) (*os.File, error) {
			if flag&writeFlags != 0 {
				if err := g.check("open", name, true); err != nil {
					return nil, err
				}
			}
			return os.OpenFile(name, flag, perm)
		},
		"Remove": func(name string) error {
			if err := g.check("remove", name, false); err != nil {
				return err
			}
			return os.Remove(name)
		},
		"RemoveAll": func(name string) error {
			if err := g.check("remove", name, false); err != nil {
				return err
			}
			return os.RemoveAll(name)
		},
		"Rename": func(oldpath, newpath string) error {
			if err := g.check("rename", oldpath, false); err != nil {
				return err
			}
			if err := g.check("rename", newpath, false); err != nil {
				return err
			}
			return os.Rename(oldpath, newpath)
		},
		// Only the new link is checked: its target is just text, and
		// every change through the link is resolved and checked.
		"Symlink": func(oldname, newname string) error {
			if err := g.check("symlink", newname, false); err != nil {
				return err
			}
			return os.Symlink(oldname, newname)
		},
		"Truncate": func(name string, size int64) error {
			if err := g.check("truncate", name, true); err != nil {
				return err
			}
			return os.Truncate(name, size)
		},
		"WriteFile": func(name string, data []byte, perm fs.FileMode) error {
			if err := g.check("open", name, true); err != nil {
				return err
			}
			return os.WriteFile(name, data, perm)
		},
	}
}

// ioutilWrappers returns the guarded replacements of io/ioutil's
// functions that change files.
func (g *guard) ioutilWrappers() map[string]any {
	w := g.osWrappers()
	return map[string]any{
		"TempDir":   w["MkdirTemp"],
		"TempFile":  w["CreateTemp"],
		"WriteFile": w["WriteFile"],
	}
}

// wrap stores the wrappers into a symbol table.
func wrap(table map[string]reflect.Value, wrappers map[string]any) {
	for name, f := range wrappers {
		table[name] = reflect.ValueOf(f)
	}
}
