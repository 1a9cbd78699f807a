package symbols

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/printer"
	"go/token"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib/generic"
)

// Kind is the kind of a package member.
type Kind string

// The kinds of package members.
const (
	Func  Kind = "func"
	Type  Kind = "type"
	Var   Kind = "var"
	Const Kind = "const"
)

// Member is a name that a package offers to cells.
type Member struct {
	Name string
	Kind Kind
	// Signature is, for a func, its type as reflect prints it
	// ("func(float64, float64, float64) *edu.Bed"; for the generic
	// functions of cmp, maps and slices, which yaegi interprets from
	// source, the declaration); for a var or a typed const, its type; for
	// an untyped const, "untyped int" and the like; for a type, its kind
	// ("struct", "interface", "float64").
	Signature string
}

// Catalog lists the packages and members that cells can import, for
// completion and inspection. It is immutable and safe for concurrent use.
type Catalog struct {
	paths   []string
	members map[string][]Member // by import path, sorted by name
}

// NewCatalog builds the catalog of the union of exports, the tables the
// kernel gives its interpreter (for instance Stdlib(ws, false) and
// Firn()). Interface wrappers (names starting with "_") and yaegi's
// internal "." table are left out. Packages that yaegi completes from
// source (cmp, maps, slices) list their generic functions too.
func NewCatalog(exports ...interp.Exports) *Catalog {
	byPath := map[string]map[string]Member{}
	for _, ex := range exports {
		for key, table := range ex {
			if key == "." || !strings.Contains(key, "/") || wrappersOnly(table) {
				continue
			}
			p := path.Dir(key)
			if byPath[p] == nil {
				byPath[p] = map[string]Member{}
			}
			for name, v := range table {
				if strings.HasPrefix(name, "_") || !v.IsValid() {
					continue
				}
				byPath[p][name] = member(name, v)
			}
		}
	}
	for p, fns := range genericFuncs() {
		if byPath[p] == nil {
			continue // not imported by these exports
		}
		for _, m := range fns {
			if _, ok := byPath[p][m.Name]; !ok {
				byPath[p][m.Name] = m
			}
		}
	}
	c := &Catalog{members: make(map[string][]Member, len(byPath))}
	for p, ms := range byPath {
		c.paths = append(c.paths, p)
		list := make([]Member, 0, len(ms))
		for _, m := range ms {
			list = append(list, m)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
		c.members[p] = list
	}
	sort.Strings(c.paths)
	return c
}

// wrappersOnly reports whether a table holds nothing but interface
// wrappers, as Firn puts under the full import paths of its packages.
func wrappersOnly(table map[string]reflect.Value) bool {
	for name := range table {
		if !strings.HasPrefix(name, "_") {
			return false
		}
	}
	return len(table) > 0
}

// Packages returns the import paths cells can import, sorted.
func (c *Catalog) Packages() []string { return append([]string(nil), c.paths...) }

// Members returns the members of the package at importPath, sorted by
// name; nil if there is no such package.
func (c *Catalog) Members(importPath string) []Member {
	return append([]Member(nil), c.members[importPath]...)
}

// Lookup returns the member name of the package at importPath.
func (c *Catalog) Lookup(importPath, name string) (Member, bool) {
	ms := c.members[importPath]
	i := sort.Search(len(ms), func(i int) bool { return ms[i].Name >= name })
	if i < len(ms) && ms[i].Name == name {
		return ms[i], true
	}
	return Member{}, false
}

// member classifies a symbol as yaegi's tables hold it: variables are
// addressable, types are nil pointers to the type, untyped constants are
// constant.Values and everything else is a func or a typed constant.
var constantValue = reflect.TypeOf((*constant.Value)(nil)).Elem()

func member(name string, v reflect.Value) Member {
	t := v.Type()
	switch {
	case v.CanAddr():
		return Member{Name: name, Kind: Var, Signature: t.String()}
	case t.Kind() == reflect.Func:
		return Member{Name: name, Kind: Func, Signature: t.String()}
	case t.Kind() == reflect.Pointer && v.IsNil():
		return Member{Name: name, Kind: Type, Signature: t.Elem().Kind().String()}
	case t.Implements(constantValue):
		if c, ok := v.Interface().(constant.Value); ok {
			return Member{Name: name, Kind: Const, Signature: untyped(c.Kind())}
		}
	}
	return Member{Name: name, Kind: Const, Signature: t.String()}
}

func untyped(k constant.Kind) string {
	switch k {
	case constant.Bool:
		return "untyped bool"
	case constant.String:
		return "untyped string"
	case constant.Int:
		return "untyped int"
	case constant.Float:
		return "untyped float"
	case constant.Complex:
		return "untyped complex"
	}
	return "untyped constant"
}

// genericFuncs returns the exported functions of the packages yaegi
// interprets from source, by import path, with their declarations as
// signatures.
func genericFuncs() map[string][]Member {
	out := map[string][]Member{}
	fset := token.NewFileSet()
	for _, src := range generic.Sources {
		f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !fd.Name.IsExported() {
				continue
			}
			var b strings.Builder
			if err := printer.Fprint(&b, fset, &ast.FuncDecl{Name: fd.Name, Type: fd.Type}); err != nil {
				continue
			}
			out[f.Name.Name] = append(out[f.Name.Name], Member{Name: fd.Name.Name, Kind: Func, Signature: b.String()})
		}
	}
	return out
}
