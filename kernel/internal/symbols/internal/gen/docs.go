package gen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/firnglacier/firn/kernel/internal/symbols/internal/docindex"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/generic"
)

// StdlibDocPackages lists the standard-library packages whose
// documentation is indexed: the ones a glacier notebook uses most. Their
// sources are read from the GOROOT of the Go that runs the generator.
func StdlibDocPackages() []string {
	return []string{
		"encoding/json", "errors", "fmt", "math", "math/rand", "os",
		"path/filepath", "slices", "sort", "strconv", "strings", "time",
	}
}

// DocIndex reads the documentation of Packages (from the module's
// sources) and of StdlibDocPackages (from GOROOT). Standard-library entries
// are limited to what yaegi's stdlib symbols (and its interpreted generic
// sources, for slices) make available to cells.
func DocIndex() (*docindex.Index, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	idx := &docindex.Index{Go: runtime.Version(), Entries: map[string]docindex.Entry{}}
	shorts := map[string]string{}
	for _, p := range Packages() {
		shorts[p.Path] = p.Short
	}
	var embeds []embedding
	for _, p := range Packages() {
		dir := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(p.Path, Module+"/")))
		if err := addPackage(idx, dir, p.Path, p.Short, nil, shorts, &embeds); err != nil {
			return nil, err
		}
	}
	promote(idx, embeds)
	goroot := build.Default.GOROOT
	if goroot == "" {
		return nil, fmt.Errorf("gen: GOROOT unknown; cannot read the standard library's documentation")
	}
	generics := genericNames()
	for _, p := range StdlibDocPackages() {
		avail := map[string]bool{}
		for name := range stdlib.Symbols[p+"/"+path.Base(p)] {
			avail[name] = true
		}
		for name := range generics[p] {
			avail[name] = true
		}
		if err := addPackage(idx, filepath.Join(goroot, "src", filepath.FromSlash(p)), p, p, avail, nil, nil); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

// EncodeDocIndex returns the index as it is embedded in package symbols.
func EncodeDocIndex(idx *docindex.Index) ([]byte, error) { return docindex.Encode(idx) }

// genericNames returns the exported functions of the generic packages
// that yaegi interprets from source (cmp, maps, slices), by import path.
func genericNames() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	for _, src := range generic.Sources {
		f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		names := map[string]bool{}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				names[fd.Name.Name] = true
			}
		}
		out[f.Name.Name] = names // cmp, maps and slices are top-level packages
	}
	return out
}

// docContext selects files as for linux/amd64, so that the index does not
// depend on the machine that generated it.
func docContext() build.Context {
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = "linux", "amd64", true
	return ctx
}

// embedding is a struct type that embeds another of Firn's types: the
// fields and methods of the embedded one (key prefix from) are the outer
// one's too (key prefix to).
type embedding struct{ to, from string }

// promote indexes the fields and methods that struct types get from the
// types they embed (edu.MassBalance.TempBias is massbalance.Linear's), where
// the outer type has no member of that name itself.
func promote(idx *docindex.Index, embeds []embedding) {
	for _, e := range embeds {
		for key, entry := range idx.Entries {
			member, ok := strings.CutPrefix(key, e.from+".")
			if !ok || strings.Contains(member, ".") || (entry.Kind != "field" && entry.Kind != "method") {
				continue
			}
			if _, has := idx.Entries[e.to+"."+member]; !has {
				idx.Entries[e.to+"."+member] = entry
			}
		}
	}
}

// addPackage indexes the package in dir under key prefix short. When
// avail is not nil, package-level names outside it are left out. When
// embeds is not nil, embedded struct fields whose types are in packages of
// shorts (import path → key prefix) are appended to it.
func addPackage(idx *docindex.Index, dir, importPath, short string, avail map[string]bool, shorts map[string]string, embeds *[]embedding) error {
	ctx := docContext()
	bp, err := ctx.ImportDir(dir, 0)
	if err != nil {
		return fmt.Errorf("gen: doc %s: %w", importPath, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range append(append([]string(nil), bp.GoFiles...), bp.CgoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("gen: doc %s: %w", importPath, err)
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return fmt.Errorf("gen: doc %s: %w", importPath, err)
	}
	w := docWriter{idx: idx, fset: fset, short: short, avail: avail, embeds: embeds, imports: map[string]string{"": short}}
	for _, f := range files {
		for _, im := range f.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			name := path.Base(p)
			if im.Name != nil {
				name = im.Name.Name
			}
			if s, ok := shorts[p]; ok {
				w.imports[name] = s
			}
		}
	}
	w.add(short, "package", "package "+pkg.Name, pkg.Doc)
	w.values(pkg.Consts)
	w.values(pkg.Vars)
	w.funcs(pkg.Funcs)
	for _, t := range pkg.Types {
		w.typ(t)
	}
	return nil
}

type docWriter struct {
	idx   *docindex.Index
	fset  *token.FileSet
	short string
	avail map[string]bool
	// imports maps a package name in the sources to the key prefix of one
	// of Firn's packages ("" is the package itself); embeds collects the
	// embeddings of their types.
	imports map[string]string
	embeds  *[]embedding
}

func (w *docWriter) ok(name string) bool { return w.avail == nil || w.avail[name] }

func (w *docWriter) add(key, kind, sig, text string) {
	w.idx.Entries[key] = docindex.Entry{Kind: kind, Signature: sig, Doc: strings.TrimSpace(text)}
}

func (w *docWriter) print(node any) string {
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	if err := cfg.Fprint(&b, w.fset, node); err != nil {
		return ""
	}
	return b.String()
}

// values indexes each exported name of const and var groups. A name
// without its own type or value (iota groups) shows the type it repeats.
func (w *docWriter) values(vals []*doc.Value) {
	for _, v := range vals {
		kind := v.Decl.Tok.String() // "const" or "var"
		var typ ast.Expr
		for _, s := range v.Decl.Specs {
			vs := s.(*ast.ValueSpec)
			if vs.Type != nil || len(vs.Values) > 0 {
				typ = vs.Type
			}
			for _, n := range vs.Names {
				if !n.IsExported() || !w.ok(n.Name) {
					continue
				}
				one := &ast.ValueSpec{Names: []*ast.Ident{n}, Type: vs.Type}
				if len(vs.Values) == len(vs.Names) {
					for i, m := range vs.Names {
						if m == n {
							one.Values = []ast.Expr{vs.Values[i]}
						}
					}
				} else if vs.Type == nil && len(vs.Values) == 0 {
					one.Type = typ
				}
				sig := w.print(&ast.GenDecl{Tok: v.Decl.Tok, Specs: []ast.Spec{one}})
				text := strings.TrimSpace(v.Doc)
				if d := strings.TrimSpace(specDoc(vs)); d != "" && text != "" {
					text += "\n\n" + d
				} else if d != "" {
					text = d
				}
				w.add(w.short+"."+n.Name, kind, sig, text)
			}
		}
	}
}

func specDoc(vs *ast.ValueSpec) string {
	if vs.Doc != nil {
		return vs.Doc.Text()
	}
	if vs.Comment != nil {
		return vs.Comment.Text()
	}
	return ""
}

func (w *docWriter) funcs(fs []*doc.Func) {
	for _, f := range fs {
		if !w.ok(f.Name) || f.Decl.Type.TypeParams != nil && w.avail == nil {
			continue // generic functions are not extracted for cells
		}
		w.add(w.short+"."+f.Name, "func", w.funcSig(f.Decl), f.Doc)
	}
}

func (w *docWriter) funcSig(d *ast.FuncDecl) string {
	return w.print(&ast.FuncDecl{Recv: d.Recv, Name: d.Name, Type: d.Type})
}

func (w *docWriter) typ(t *doc.Type) {
	spec := t.Decl.Specs[0].(*ast.TypeSpec)
	// Types are documented when cells can use them; their constants,
	// variables and constructors are package-level names in their own
	// right.
	w.values(t.Consts)
	w.values(t.Vars)
	w.funcs(t.Funcs)
	if !w.ok(t.Name) || spec.TypeParams != nil {
		return
	}
	key := w.short + "." + t.Name
	w.add(key, "type", w.print(&ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{spec}}), t.Doc)
	for _, m := range t.Methods {
		w.add(key+"."+m.Name, "method", w.funcSig(m.Decl), m.Doc)
	}
	switch st := spec.Type.(type) {
	case *ast.StructType:
		for _, f := range st.Fields.List {
			for _, name := range fieldNames(f) {
				if ast.IsExported(name) {
					sig := w.print(f.Type) // embedded
					if len(f.Names) > 0 {
						sig = name + " " + sig
					} else {
						w.embedded(key, f.Type)
					}
					w.add(key+"."+name, "field", sig, fieldDoc(f))
				}
			}
		}
	case *ast.InterfaceType:
		for _, f := range st.Methods.List {
			ft, ok := f.Type.(*ast.FuncType)
			if !ok || len(f.Names) == 0 || !f.Names[0].IsExported() {
				continue // embedded interface
			}
			sig := strings.TrimPrefix(w.print(ft), "func")
			w.add(key+"."+f.Names[0].Name, "method", f.Names[0].Name+sig, fieldDoc(f))
		}
	}
}

// embedded records that type key embeds type t, if t is one of Firn's.
func (w *docWriter) embedded(key string, t ast.Expr) {
	if w.embeds == nil {
		return
	}
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	var pkg, name string
	switch t := t.(type) {
	case *ast.Ident:
		name = t.Name
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		if !ok {
			return
		}
		pkg, name = x.Name, t.Sel.Name
	default:
		return
	}
	if short, ok := w.imports[pkg]; ok {
		*w.embeds = append(*w.embeds, embedding{to: key, from: short + "." + name})
	}
}

// fieldNames returns the names of a struct field; an embedded field is
// named after its type.
func fieldNames(f *ast.Field) []string {
	if len(f.Names) > 0 {
		names := make([]string, len(f.Names))
		for i, n := range f.Names {
			names[i] = n.Name
		}
		return names
	}
	t := f.Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.Ident:
		return []string{t.Name}
	case *ast.SelectorExpr:
		return []string{t.Sel.Name}
	}
	return nil
}

func fieldDoc(f *ast.Field) string {
	if f.Doc != nil {
		return f.Doc.Text()
	}
	if f.Comment != nil {
		return f.Comment.Text()
	}
	return ""
}
