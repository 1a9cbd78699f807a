package symbols

import (
	"io"
	"path/filepath"
	"reflect"

	"github.com/firnglacier/firn/internal/atomicfile"
	"github.com/firnglacier/firn/plots"
)

// confinedFirn returns, for the sandbox, the tables of Firn's packages
// whose values write files, changed so that they write only inside the
// workspace: every function of package plots that returns a
// *plots.Figure binds it (plots.Confine) to g.writeFile, so that
// Figure.Save refuses paths outside the workspace and writes through the
// workspace's os.Root. plots.Confine is not for cells.
func (g *guard) confinedFirn() map[string]map[string]reflect.Value {
	const key = "firn/plots/plots"
	table := Firn()[key]
	figure := reflect.TypeFor[*plots.Figure]()
	for name, v := range table {
		if v.Kind() != reflect.Func || v.CanAddr() || !returns(v.Type(), figure) {
			continue
		}
		table[name] = g.confineResults(v, figure)
	}
	delete(table, "Confine")
	return map[string]map[string]reflect.Value{key: table}
}

// returns reports whether function type ft has a result of type t.
func returns(ft, t reflect.Type) bool {
	for i := range ft.NumOut() {
		if ft.Out(i) == t {
			return true
		}
	}
	return false
}

// confineResults wraps function fn so that each non-nil *plots.Figure it
// returns is confined to the workspace.
func (g *guard) confineResults(fn reflect.Value, figure reflect.Type) reflect.Value {
	ft := fn.Type()
	return reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		var out []reflect.Value
		if ft.IsVariadic() {
			out = fn.CallSlice(args)
		} else {
			out = fn.Call(args)
		}
		for _, r := range out {
			if r.Type() == figure && !r.IsNil() {
				plots.Confine(r.Interface().(*plots.Figure), g.writeFile)
			}
		}
		return out
	})
}

// writeFile writes data to path atomically if path lies inside the
// workspace (through its os.Root), else fails as the os wrappers do.
func (g *guard) writeFile(path string, data []byte) error {
	rel, err := g.inside("open", path, true)
	if err != nil {
		return err
	}
	return atomicfile.WriteIn(g.root, filepath.ToSlash(rel), 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
