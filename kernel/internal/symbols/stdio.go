package symbols

import (
	"errors"
	"os"
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// The standard streams of cells are duplicates of the process's: a cell
// that closes os.Stdout closes its own descriptor, never the kernel's
// (whose output would end for good), and RestoreStdio gives the next
// cell fresh ones.

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

// stdioValue returns a new variable holding a duplicate of the process's
// stream name: a *File in the sandbox, an *os.File when trusted. A
// stream that cannot be duplicated (closed) gives a nil file.
func stdioValue(name string, sandboxed bool) reflect.Value {
	f, err := dupFile(processStdio(name))
	if err != nil {
		f = nil
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

// RestoreStdio gives cells new duplicates of the process's standard
// streams in place of those a cell closed or set to nil (os.Stdout.Close(),
// os.Stdout = nil), in a table of Stdlib. The kernel calls it before each
// cell; a stream a cell replaced with a file of its own stays.
func RestoreStdio(exports interp.Exports) {
	table := exports["os/os"]
	for _, name := range stdioNames() {
		v, ok := table[name]
		if !ok || !v.CanSet() || !closedStream(v) {
			continue
		}
		v.Set(stdioValue(name, v.Type() == reflect.TypeFor[*File]()))
	}
}

// closedStream reports whether the *File or *os.File in v is nil or
// closed.
func closedStream(v reflect.Value) bool {
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
	if f == nil {
		return true
	}
	_, err := f.Stat()
	return errors.Is(err, os.ErrClosed)
}
