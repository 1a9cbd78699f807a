package symbols

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
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

// guard decides whether a path may be changed, and changes it through
// an os.Root on the workspace: the check says which name inside the
// workspace a path resolves to (and refuses the rest with a clear
// error), and the os.Root makes the change without following a link out
// of the workspace, so that a directory swapped for a link between the
// check and the change cannot redirect it.
type guard struct {
	dir  string   // the workspace: absolute, symbolic links resolved
	root *os.Root // opened on dir
}

func newGuard(workspace string) (*guard, error) {
	if workspace == "" {
		return nil, errors.New("symbols: no workspace given for the sandbox")
	}
	abs, err := filepath.Abs(workspace)
	if err != nil {
		return nil, fmt.Errorf("symbols: workspace %s: %w", workspace, err)
	}
	dir, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("symbols: workspace: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("symbols: workspace: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("symbols: workspace %s is not a directory", workspace)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("symbols: workspace: %w", err)
	}
	return &guard{dir: dir, root: root}, nil
}

// inside returns the name, relative to the workspace, of what op on name
// would act on, or an *fs.PathError for op when that lies outside. A
// relative name is taken relative to the working directory. follow says
// whether the operation follows a symbolic link in the last element of
// name (open, chmod) or acts on the link itself (remove, rename, lchown).
func (g *guard) inside(op, name string, follow bool) (string, error) {
	p, err := resolve(name, follow)
	if err != nil {
		return "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	if !within(p, g.dir) {
		return "", g.outside(op, name)
	}
	rel, err := filepath.Rel(g.dir, p)
	if err != nil {
		return "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	return rel, nil
}

// check returns nil when name lies inside the workspace, else the
// *fs.PathError of inside.
func (g *guard) check(op, name string, follow bool) error {
	_, err := g.inside(op, name, follow)
	return err
}

// outside is the error of op refused on name.
func (g *guard) outside(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: &OutsideWorkspaceError{Workspace: g.dir}}
}

// named gives an error of an os.Root operation the operation and the
// names the cell used (os.Root reports "openat" and the name inside the
// root).
func named(err error, op string, names ...string) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe) && len(names) == 1:
		return &fs.PathError{Op: op, Path: names[0], Err: pe.Err}
	case errors.As(err, &le) && len(names) == 2:
		return &os.LinkError{Op: op, Old: names[0], New: names[1], Err: le.Err}
	}
	return err
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

// openFile opens name as os.OpenFile does, as a *File. Inside the
// workspace the open goes through the os.Root and the file may be
// changed; outside, only reading opens are allowed, and the *File
// refuses every change (see File).
func (g *guard) openFile(name string, flag int, perm fs.FileMode) (*File, error) {
	p, err := resolve(name, true)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if within(p, g.dir) {
		rel, err := filepath.Rel(g.dir, p)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		f, err := g.root.OpenFile(rel, flag, perm)
		if err != nil {
			return nil, named(err, "open", name)
		}
		return &File{f: f, name: name, where: inWorkspace, g: g}, nil
	}
	if flag&writeFlags != 0 {
		return nil, g.outside("open", name)
	}
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &File{f: f, name: name, where: outsideWorkspace, g: g}, nil
}

// tempName returns the name of a temporary file or directory of pattern
// (a random number in place of the last "*", or at the end).
func tempName(op, pattern string) (func() string, error) {
	if strings.ContainsAny(pattern, `/`+string(filepath.Separator)) {
		return nil, &fs.PathError{Op: op, Path: pattern, Err: errors.New("pattern contains path separator")}
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	return func() string { return prefix + strconv.FormatUint(uint64(rand.Uint32()), 10) + suffix }, nil
}

// createTemp is os.CreateTemp inside the workspace.
func (g *guard) createTemp(dir, pattern string) (*File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	rel, err := g.inside("createtemp", dir, true)
	if err != nil {
		return nil, err
	}
	next, err := tempName("createtemp", pattern)
	if err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		name := next()
		f, err := g.root.OpenFile(filepath.Join(rel, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && try < 10000 {
			continue
		}
		if err != nil {
			return nil, named(err, "createtemp", filepath.Join(dir, pattern))
		}
		return &File{f: f, name: filepath.Join(dir, name), where: inWorkspace, g: g}, nil
	}
}

// mkdirTemp is os.MkdirTemp inside the workspace.
func (g *guard) mkdirTemp(dir, pattern string) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	rel, err := g.inside("mkdirtemp", dir, true)
	if err != nil {
		return "", err
	}
	next, err := tempName("mkdirtemp", pattern)
	if err != nil {
		return "", err
	}
	for try := 0; ; try++ {
		name := next()
		err := g.root.Mkdir(filepath.Join(rel, name), 0o700)
		if errors.Is(err, fs.ErrExist) && try < 10000 {
			continue
		}
		if err != nil {
			return "", named(err, "mkdirtemp", filepath.Join(dir, pattern))
		}
		return filepath.Join(dir, name), nil
	}
}

// osWrappers returns the sandbox's versions of package os's functions
// that change files or hand out files, with the signatures of the
// originals except that *os.File is *File.
func (g *guard) osWrappers() map[string]any {
	return map[string]any{
		"Chmod": func(name string, mode fs.FileMode) error {
			rel, err := g.inside("chmod", name, true)
			if err != nil {
				return err
			}
			return named(g.root.Chmod(rel, mode), "chmod", name)
		},
		"Chown": func(name string, uid, gid int) error {
			rel, err := g.inside("chown", name, true)
			if err != nil {
				return err
			}
			return named(g.root.Chown(rel, uid, gid), "chown", name)
		},
		"Chtimes": func(name string, atime, mtime time.Time) error {
			rel, err := g.inside("chtimes", name, true)
			if err != nil {
				return err
			}
			return named(g.root.Chtimes(rel, atime, mtime), "chtimes", name)
		},
		"Create": func(name string) (*File, error) {
			return g.openFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
		},
		"CreateTemp": g.createTemp,
		"DirFS": func(dir string) fs.FS {
			return dirFS{g: g, dir: dir}
		},
		"Lchown": func(name string, uid, gid int) error {
			rel, err := g.inside("lchown", name, false)
			if err != nil {
				return err
			}
			return named(g.root.Lchown(rel, uid, gid), "lchown", name)
		},
		// A hard link to a file outside would make it writable through
		// the workspace, so both names must be inside, the old one also
		// when its links are followed.
		"Link": func(oldname, newname string) error {
			if err := g.check("link", oldname, true); err != nil {
				return err
			}
			oldRel, err := g.inside("link", oldname, false)
			if err != nil {
				return err
			}
			newRel, err := g.inside("link", newname, false)
			if err != nil {
				return err
			}
			return named(g.root.Link(oldRel, newRel), "link", oldname, newname)
		},
		"Mkdir": func(name string, perm fs.FileMode) error {
			rel, err := g.inside("mkdir", name, true)
			if err != nil {
				return err
			}
			return named(g.root.Mkdir(rel, perm), "mkdir", name)
		},
		"MkdirAll": func(name string, perm fs.FileMode) error {
			rel, err := g.inside("mkdir", name, true)
			if err != nil {
				return err
			}
			return named(g.root.MkdirAll(rel, perm), "mkdir", name)
		},
		"MkdirTemp": g.mkdirTemp,
		"Open": func(name string) (*File, error) {
			return g.openFile(name, os.O_RDONLY, 0)
		},
		"OpenFile": g.openFile,
		"Pipe": func() (*File, *File, error) {
			r, w, err := os.Pipe()
			if err != nil {
				return nil, nil, err
			}
			return &File{f: r, name: r.Name(), where: stream, g: g}, &File{f: w, name: w.Name(), where: stream, g: g}, nil
		},
		"Remove": func(name string) error {
			rel, err := g.inside("remove", name, false)
			if err != nil {
				return err
			}
			return named(g.root.Remove(rel), "remove", name)
		},
		"RemoveAll": func(name string) error {
			rel, err := g.inside("remove", name, false)
			if err != nil {
				return err
			}
			return named(g.root.RemoveAll(rel), "remove", name)
		},
		"Rename": func(oldpath, newpath string) error {
			oldRel, err := g.inside("rename", oldpath, false)
			if err != nil {
				return err
			}
			newRel, err := g.inside("rename", newpath, false)
			if err != nil {
				return err
			}
			return named(g.root.Rename(oldRel, newRel), "rename", oldpath, newpath)
		},
		// Only the new link is checked: its target is just text, and
		// every change through the link is resolved and checked.
		"Symlink": func(oldname, newname string) error {
			rel, err := g.inside("symlink", newname, false)
			if err != nil {
				return err
			}
			return named(g.root.Symlink(oldname, rel), "symlink", oldname, newname)
		},
		"Truncate": func(name string, size int64) error {
			rel, err := g.inside("truncate", name, true)
			if err != nil {
				return err
			}
			f, err := g.root.OpenFile(rel, os.O_WRONLY, 0)
			if err != nil {
				return named(err, "truncate", name)
			}
			defer f.Close()
			return named(f.Truncate(size), "truncate", name)
		},
		"WriteFile": func(name string, data []byte, perm fs.FileMode) error {
			rel, err := g.inside("open", name, true)
			if err != nil {
				return err
			}
			return named(g.root.WriteFile(rel, data, perm), "open", name)
		},
	}
}

// ioutilWrappers returns the sandbox's versions of io/ioutil's functions
// that change files.
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
