package symbols

import (
	"reflect"
	"strings"

	"github.com/traefik/yaegi/interp"
)

//go:generate go run ./internal/gen/gensymbols

// firnTable is one generated symbol table: its yaegi keys
// ("importpath/pkgname") under the short and the full import path, and the
// function that builds it.
type firnTable struct {
	key, fullKey string
	symbols      func() map[string]reflect.Value
}

// Firn returns the symbol tables of Firn's packages, keyed as yaegi wants
// ("firn/engine/edu/edu"), for interp.Interpreter.Use. Each call builds
// new maps that the caller may change freely.
//
// Cells import the packages under the short paths listed in the package
// documentation: import "firn/engine/edu". The interface wrappers of a
// package (entries "_Model" and the like) are also put under its full
// import path ("github.com/firnglacier/firn/engine/massbalance/massbalance"),
// because yaegi looks them up by reflect.Type.PkgPath when a value of a
// cell's type becomes a Firn interface (a cell's own massbalance.Model).
// Those extra tables hold no name a cell can use.
func Firn() interp.Exports {
	tables := firnTables()
	out := make(interp.Exports, len(tables))
	for _, t := range tables {
		syms := t.symbols()
		out[t.key] = syms
		wrappers := map[string]reflect.Value{}
		for name, v := range syms {
			if strings.HasPrefix(name, "_") {
				wrappers[name] = v
			}
		}
		if len(wrappers) > 0 {
			out[t.fullKey] = wrappers
		}
	}
	return out
}
