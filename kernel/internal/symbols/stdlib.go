package symbols

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/unrestricted"
)

// Stdlib returns the standard library that cells can import, as a new
// map of new tables (yaegi's own stdlib.Symbols is never changed).
//
// trusted gives all of yaegi's standard library plus its unrestricted
// symbols (os/exec, the real os.Exit, log.Fatal, parts of syscall); use it
// with interp.Options{Unrestricted: true} for trusted single-user use.
//
// Otherwise (the sandbox) the packages and symbols described in the
// package documentation are removed, the functions that change files are
// replaced by versions that refuse paths outside workspace, and package
// variables are per-call copies. The result then also holds Firn's plots
// table with its figures confined to the workspace: give it to the
// interpreter after Firn(). Use it with interp.Options{Unrestricted:
// false}, which gives cells their own environment variables. workspace
// must be an existing directory.
//
// In both cases os.Stdin, os.Stdout and os.Stderr are new variables
// holding the process's streams, which PrepareStdio replaces with
// duplicates.
func Stdlib(workspace string, trusted bool) (interp.Exports, error) {
	if trusted {
		out := make(interp.Exports, len(stdlib.Symbols)+len(unrestricted.Symbols))
		for key, table := range stdlib.Symbols {
			out[key] = copyTable(table, false)
		}
		for key, table := range unrestricted.Symbols {
			if out[key] == nil {
				out[key] = map[string]reflect.Value{}
			}
			for name, v := range table {
				out[key][name] = v
			}
		}
		for _, name := range stdioNames() {
			out["os/os"][name] = stdioValue(name, false, false)
		}
		return out, nil
	}

	g, err := newGuard(workspace)
	if err != nil {
		return nil, err
	}
	out := make(interp.Exports, len(stdlib.Symbols))
	for key, table := range stdlib.Symbols {
		if key != "." { // "." holds yaegi's interface maps, not a package
			if _, blocked := blockedPackage(path.Dir(key)); blocked {
				continue
			}
		}
		out[key] = copyTable(table, true)
	}
	for _, r := range removedSymbols() {
		for _, name := range r.names {
			delete(out[r.pkg+"/"+path.Base(r.pkg)], name)
		}
	}
	wrap(out["os/os"], g.osWrappers())
	wrap(out["io/ioutil/ioutil"], g.ioutilWrappers())
	out["os/os"]["File"] = reflect.ValueOf((*File)(nil))
	for _, name := range stdioNames() {
		out["os/os"][name] = stdioValue(name, true, false)
	}
	for key, table := range g.confinedFirn() {
		out[key] = table
	}
	for key, table := range sandboxedCompute() {
		out[key] = table
	}
	return out, nil
}

// copyTable returns a copy of a symbol table. With copyVars, package
// variables (addressable values) are copied too, so that a cell that
// assigns io.EOF or time.Local changes its own copy, not the kernel's.
func copyTable(table map[string]reflect.Value, copyVars bool) map[string]reflect.Value {
	out := make(map[string]reflect.Value, len(table))
	for name, v := range table {
		if copyVars && v.IsValid() && v.CanAddr() {
			c := reflect.New(v.Type()).Elem()
			c.Set(v)
			v = c
		}
		out[name] = v
	}
	return out
}

// networkParsers are the packages under net/ that only parse and format
// text or addresses; they stay in the sandbox.
var networkParsers = map[string]bool{"net/mail": true, "net/netip": true, "net/url": true}

// blockedPackage reports whether the sandbox leaves out the package at
// importPath, and why.
func blockedPackage(importPath string) (why string, blocked bool) {
	switch {
	case importPath == "net" || strings.HasPrefix(importPath, "net/") && !networkParsers[importPath],
		importPath == "crypto/tls", importPath == "log/syslog":
		return "it reaches the network", true
	case importPath == "expvar":
		return "it publishes the kernel's variables over HTTP", true
	case importPath == "os/exec", importPath == "syscall", strings.HasPrefix(importPath, "syscall/"):
		return "it starts programs or makes raw system calls", true
	case importPath == "os/signal":
		return "it changes how the kernel process handles signals", true
	case importPath == "plugin", importPath == "unsafe":
		return "it bypasses Go's type and memory safety", true
	case importPath == "runtime/pprof", importPath == "runtime/trace":
		return "it starts process-wide profilers", true
	case importPath == "go/build", importPath == "go/importer":
		return "it runs the go command", true
	case importPath == "flag":
		return "it parses the kernel's own command line (flag.Parse can exit the kernel)", true
	case strings.HasPrefix(importPath, "github.com/traefik/yaegi/"):
		return "it hands out the interpreter's unrestricted symbol tables", true
	}
	return "", false
}

// removal is a set of symbols that the sandbox removes from a package it
// keeps.
type removal struct {
	pkg   string
	names []string
	why   string
}

func removedSymbols() []removal {
	return []removal{
		{"os", []string{"StartProcess", "FindProcess", "Process", "ProcAttr"}, "it starts or signals processes"},
		{"os", []string{"Chdir"}, "it changes the kernel's working directory"},
		{"os", []string{"NewFile"}, "it opens the kernel's own file descriptors"},
		// The interpreter (interp.Options{Unrestricted: false}) puts back
		// versions that change the cells' own environment only.
		{"os", []string{"Setenv", "Unsetenv", "Clearenv"}, "it changes the kernel's environment"},
		{"runtime", []string{"Breakpoint"}, "it stops the kernel with a trap"},
		{"runtime", []string{"Goexit"}, "it ends the goroutine that runs the cell"},
		{"runtime", []string{"GOMAXPROCS", "SetBlockProfileRate", "SetCPUProfileRate", "SetMutexProfileFraction"}, "it changes a process-wide runtime setting"},
		{"runtime/debug", []string{"SetGCPercent", "SetMaxStack", "SetMaxThreads", "SetMemoryLimit", "SetPanicOnFault", "SetTraceback", "WriteHeapDump"}, "it changes a process-wide runtime setting"},
		{"testing", []string{"Main", "MainStart"}, "it exits the kernel"},
		{"log", []string{"Default"}, "it hands out the kernel's own logger"},
		{"log/slog", []string{"SetDefault", "SetLogLoggerLevel"}, "it changes the kernel's logging"},
		{"firn/compute", removedCompute, "it reaches any server or starts a worker in the kernel; compute.Attach reaches the kernel's broker"},
		{"firn/compute", removedSSH, whySSH},
	}
}

// ImportError is an import that cells cannot make, as Explain describes
// it.
type ImportError struct {
	Pos  string // the interpreter's position prefix, e.g. "1:8: ", or ""
	Path string // the import path
	Why  string // why it is not available
	Err  error  // the interpreter's error
}

func (e *ImportError) Error() string { return fmt.Sprintf("%simport %q: %s", e.Pos, e.Path, e.Why) }

func (e *ImportError) Unwrap() error { return e.Err }

// UnavailableError is a symbol that the sandbox removed and a cell used,
// as Explain describes it.
type UnavailableError struct {
	Pos       string // the interpreter's position prefix, e.g. "1:8: ", or ""
	Pkg, Name string // import path and name, e.g. "os", "StartProcess"
	Why       string
	Err       error // the interpreter's error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s%s.%s is not available in Firn's sandbox (%s); start the kernel with --trusted to allow", e.Pos, path.Base(e.Pkg), e.Name, e.Why)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// The interpreter's (yaegi v0.16.1) messages for a missing package and a
// missing symbol of a binary package.
var (
	missingImport = regexp.MustCompile(`(?:import "[^"]+" error: )?unable to find source related to: "([^"]+)"`)
	missingSymbol = regexp.MustCompile(`package [A-Za-z0-9_]+ "([^"]+)" has no symbol ([A-Za-z0-9_]+)`)
	undefinedSel  = regexp.MustCompile(`undefined selector ([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)`)
)

// Explain turns the interpreter's error for an import or a name that a
// sandboxed cell cannot use into one that says why, e.g.
//
//	1:8: import "net/http": not available in Firn's sandbox (it reaches the network); start the kernel with --trusted to allow
//	1:4: os.StartProcess is not available in Firn's sandbox (it starts or signals processes); start the kernel with --trusted to allow
//
// Other errors are returned unchanged. The returned error wraps err.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if m := missingImport.FindStringSubmatchIndex(msg); m != nil {
		pos, p := msg[:m[0]], msg[m[2]:m[3]]
		if why, blocked := blockedPackage(p); blocked {
			return &ImportError{Pos: pos, Path: p, Why: "not available in Firn's sandbox (" + why + "); start the kernel with --trusted to allow", Err: err}
		}
		for _, t := range firnTables() {
			if path.Dir(t.fullKey) == p {
				return &ImportError{Pos: pos, Path: p, Why: fmt.Sprintf("cells import Firn's packages by short path: import %q", path.Dir(t.key)), Err: err}
			}
		}
		return &ImportError{Pos: pos, Path: p, Why: "no such package for cells; they can import the standard library and " + strings.Join(firnImportPaths(), ", "), Err: err}
	}
	var pos, pkg, name string
	if m := missingSymbol.FindStringSubmatchIndex(msg); m != nil {
		pos, pkg, name = msg[:m[0]], msg[m[2]:m[3]], msg[m[4]:m[5]]
	} else if m := undefinedSel.FindStringSubmatchIndex(msg); m != nil {
		pos, pkg, name = msg[:m[0]], msg[m[2]:m[3]], msg[m[4]:m[5]] // a package name, not a path
	} else {
		return err
	}
	for _, r := range removedSymbols() {
		if r.pkg != pkg && path.Base(r.pkg) != pkg {
			continue
		}
		for _, n := range r.names {
			if n == name {
				return &UnavailableError{Pos: pos, Pkg: r.pkg, Name: name, Why: r.why, Err: err}
			}
		}
	}
	return err
}

// firnImportPaths returns the import paths of Firn's packages, sorted.
func firnImportPaths() []string {
	var out []string
	for _, t := range firnTables() {
		out = append(out, path.Dir(t.key))
	}
	sort.Strings(out)
	return out
}
