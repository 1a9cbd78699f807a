package symbols

import (
	"errors"
	"os"
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// The standard streams of cells are duplicates of the process's: a cell
// that closes os.Stdout closes its own descriptor, never the kernel's
// (whose output would end for good). Stdlib gives cells the process's
// streams, as yaegi does; PrepareStdio, which the kernel calls before
// each cell, puts duplicates in their place, and new ones in place of
// those a cell closed. (Stdlib does not duplicate them itself: a
// duplicate keeps a pipe open, and a host that reads its own stdout to
// the end, as go test does for examples, would wait for it.)

// stdioNames are the variables of package os that hold the streams.
func stdioNames() []string { return []string{"Stdin", "Stdout", "Stderr"} }

// processStdio returns the process's stream of package os by name.
func processStdio(name string) *os.File {
	switch name {
	case "Stdin":
		return os.Stdin
	case "Stdout":
		return os.Stdout
	}
	return os.Stderr
}

// stdioValue returns a new variable holding the process's stream name,
// or with dup a duplicate of it: a *File in the sandbox, an *os.File
// when trusted. A stream that cannot be duplicated (closed) gives a nil
// file.
func stdioValue(name string, sandboxed, dup bool) reflect.Value {
	f := processStdio(name)
	if dup {
		var err error
		if f, err = dupFile(f); err != nil {
			f = nil
		}
	}
	if !sandboxed {
		v := reflect.New(reflect.TypeFor[*os.File]()).Elem()
		v.Set(reflect.ValueOf(f))
		return v
	}
	var sf *File
	if f != nil {
		sf = &File{f: f, name: f.Name(), where: stream}
	}
	v := reflect.New(reflect.TypeFor[*File]()).Elem()
	v.Set(reflect.ValueOf(sf))
	return v
}

// PrepareStdio gives the cells of a table of Stdlib duplicates of the
// process's standard streams in place of the process's own, and of those
// a cell closed or set to nil (os.Stdout.Close(), os.Stdout = nil). The
// kernel calls it before each cell; a stream a cell replaced with a file
// of its own stays.
func PrepareStdio(exports interp.Exports) {
	table := exports["os/os"]
	for _, name := range stdioNames() {
		v, ok := table[name]
		if !ok || !v.CanSet() || !needsDup(v, processStdio(name)) {
			continue
		}
		v.Set(stdioValue(name, v.Type() == reflect.TypeFor[*File](), true))
	}
}

// needsDup reports whether the *File or *os.File in v is the process's
// stream own, nil or closed.
func needsDup(v reflect.Value, own *os.File) bool {
	var f *os.File
	switch x := v.Interface().(type) {
	case *File:
		if x != nil {
			f = x.f
		}
	case *os.File:
		f = x
	default:
		return false
	}
	if f == nil || f == own {
		return true
	}
	_, err := f.Stat()
	return errors.Is(err, os.ErrClosed)
}
