package cellsrc

import (
	"fmt"
	"go/ast"
	"slices"
	"strconv"
	"strings"
)

const (
	// RuntimePath is the import path of the compiled helpers that rewritten
	// cells call. The kernel must expose, under this path, a package with
	//
	//	func Go(f any, args ...any) // call f(args...) in a new goroutine that recovers panics
	//	func Clear(x any)           // clear a map or zero a slice's elements, as the builtin clear
	//	func NoValue() any          // a value of its own: the Prelude's first global
	//
	// yaegi v0.16.1 returns the value of the first global for a call
	// that returns nothing, so a result that is NoValue's is no result.
	RuntimePath = "firn/rt"
	// RuntimeName is the name the kernel's prelude imports RuntimePath
	// under. A cell cannot import another package under this name.
	RuntimeName = "__firn"
	// typeMark joins a redefined type's name and a number to make its
	// internal name: U+02B9 MODIFIER LETTER PRIME is a letter to Go, so
	// "Pointʹ2" is a valid identifier that no one types by accident.
	typeMark = "ʹ"
	// LineVar is the global that every statement of a cell sets, before
	// it runs, to its marker (see [Plan.Sites]): after a panic it holds the
	// statement that was running. The Prelude declares it.
	LineVar = "__firnL"
)

// Prelude is Go source for the kernel to evaluate once, before any cell: it
// imports the runtime helpers under RuntimeName, declares the first global
// (NoValue's) and LineVar, and defines min and max,
// which yaegi lacks, as generic functions. (clear is rewritten to
// __firn.Clear instead: yaegi cannot express its type.)
const Prelude = `import __firn "firn/rt"

var __firnNoValue = __firn.NoValue()

var __firnL int

type __firnOrdered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr |
		~float32 | ~float64 | ~string
}

func min[__firnT __firnOrdered](x __firnT, ys ...__firnT) __firnT {
	for _, y := range ys {
		if y < x || y != y { // y != y: a NaN wins, as with the builtin
			x = y
		}
	}
	return x
}

func max[__firnT __firnOrdered](x __firnT, ys ...__firnT) __firnT {
	for _, y := range ys {
		if y > x || y != y {
			x = y
		}
	}
	return x
}
`

// A Session carries what earlier cells of one interpreter established:
// imports, types (and their internal names), methods and other top-level
// names. The zero value is an empty session. A Session is not safe for
// concurrent use.
type Session struct {
	imports map[string]string  // name (or "_ path", ". path") → path
	names   map[string]binding // top-level names declared by committed cells
	taken   map[string]bool    // type names yaegi may hold a type for
	methods map[string]string  // "internalType.Method" → its source ("" if it failed)
	fresh   int                // numbers fresh internal type names
	cells   int                // numbers prepared cells (Plan.ID)
}

func (s *Session) init() {
	if s.imports == nil {
		s.imports = map[string]string{RuntimeName: RuntimePath}
		s.names = map[string]binding{}
		s.taken = map[string]bool{}
		s.methods = map[string]string{}
	}
}

// freshName returns a new internal name for a redefined type.
func (s *Session) freshName(name string) string {
	s.fresh++
	return name + typeMark + strconv.Itoa(s.fresh)
}

// SetIntegerGlobals tells the session that these globals hold integers (the
// kernel can tell from reflect), so that range over them can be rewritten.
// A later cell that declares one of them again overrides the hint.
func (s *Session) SetIntegerGlobals(names ...string) {
	s.init()
	for _, n := range names {
		if b, ok := s.names[n]; !ok || !b.isType() {
			s.names[n] = binding{kind: kInt}
		}
	}
}

// Prepare splits a cell into chunks for yaegi and rewrites what yaegi
// cannot run (see the package documentation). A syntax error, an import
// that clashes with an earlier one and a method redefinition yaegi would
// ignore are returned as *Error. Prepare does not record the cell: call
// Commit once the chunks have been evaluated. (It only advances the counter
// that numbers internal type names, so these are never reused.)
func (s *Session) Prepare(src string) (*Plan, error) {
	s.init()
	cell := newCellText(src)
	units, p, err := split(src)
	if err != nil {
		return nil, err
	}
	s.cells++
	a := &analyzer{s: s, src: src, p: p, text: cell, id: s.cells, fn: "main", cell: map[string]binding{}, imports: map[string]string{}}
	for k, v := range s.imports {
		a.imports[k] = v
	}
	plan := &Plan{cell: cell, ID: s.cells}
	for k := range s.imports {
		plan.dotImport = plan.dotImport || strings.HasPrefix(k, ". ")
	}

	// Imports first, one chunk per import; repeats are dropped.
	for _, u := range units {
		if u.kind != unitImport {
			continue
		}
		gd := u.node.(*ast.GenDecl)
		for _, sp := range gd.Specs {
			is := sp.(*ast.ImportSpec)
			path, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return nil, cell.errorAt(p.off(is.Path.Pos()), "malformed import path "+is.Path.Value)
			}
			name := importName(path)
			if is.Name != nil {
				name = is.Name.Name
			}
			key := name
			if name == "_" || name == "." {
				key = name + " " + path
			}
			if prev, ok := a.imports[key]; ok {
				if prev == path {
					continue
				}
				where := "an earlier cell"
				if s.imports[key] != prev {
					where = "this cell"
				}
				return nil, cell.errorAt(p.off(is.Pos()), fmt.Sprintf(
					"%s already names %q (imported by %s) and yaegi cannot import another package under the same name: import %q under another name, e.g. import %s2 %q",
					name, prev, where, path, name, path))
			}
			a.imports[key] = path
			plan.dotImport = plan.dotImport || name == "."
			spans := [][2]int{{u.start, u.end}}
			if gd.Lparen.IsValid() {
				lp, rp := p.off(gd.Lparen), p.off(gd.Rparen)
				spans = [][2]int{{u.start, lp + 1}, {p.off(is.Pos()), p.off(is.End())}, {rp, rp + 1}}
			}
			text := string(blank(src, spans))
			plan.Chunks = append(plan.Chunks, Chunk{Kind: Imports, Src: text, cell: cell, lines: cell.lines,
				eff: effects{imports: []importSpec{{key, path}}}})
		}
	}

	// Then the declarations and statements, analysed in source order.
	a.hoist(units)
	for k := range units {
		if units[k].kind != unitImport {
			a.walk(&units[k])
		}
	}
	if err := a.methods(units, cell); err != nil {
		return nil, err
	}

	// Group runs of declarations and of statements into chunks.
	var last *unit
	var group []*unit
	flush := func() {
		if len(group) > 0 {
			plan.Chunks = append(plan.Chunks, a.chunk(cell, group))
		}
		group = nil
	}
	for k := range units {
		u := &units[k]
		if u.kind == unitImport {
			continue
		}
		if len(group) > 0 && (group[0].kind == unitStmt) != (u.kind == unitStmt) {
			flush()
		}
		group = append(group, u)
		last = u
		for _, b := range u.eff.binds {
			if !slices.Contains(plan.Declared, b.name) {
				plan.Declared = append(plan.Declared, b.name)
			}
		}
	}
	flush()
	plan.Sites = a.sites
	if last != nil && last.kind == unitStmt {
		if es, ok := last.node.(*ast.ExprStmt); ok {
			plan.ShowResult = a.showable(es.X)
		}
	}
	return plan, nil
}

// importName guesses the name a package is imported under from its path:
// the last element, skipping a major version ("math/rand/v2" → rand) and
// dropping a ".vN" suffix or "go-" prefix ("gopkg.in/yaml.v3" → yaml).
func importName(path string) string {
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && isMajor(name) {
		name = elems[len(elems)-2]
	}
	if k := strings.LastIndex(name, ".v"); k > 0 && isMajor(name[k+1:]) {
		name = name[:k]
	}
	name = strings.TrimPrefix(name, "go-")
	name = strings.TrimSuffix(name, "-go")
	return strings.NewReplacer("-", "_", ".", "_").Replace(name)
}

// isMajor reports whether s is a major version element such as "v2".
func isMajor(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	_, err := strconv.Atoi(s[1:])
	return err == nil
}

// methods records the cell's methods and refuses to redefine, with
// different code, a method of a type from an earlier cell: yaegi keeps the
// first definition of a method (and a method whose cell failed stays
// broken), so the new code would silently not run.
func (a *analyzer) methods(units []unit, cell *cellText) error {
	for k := range units {
		u := &units[k]
		fd, ok := u.node.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 || fd.Name.Name == "_" {
			continue
		}
		typ := recvName(fd.Recv.List[0].Type)
		internal := typ
		if b, w := a.lookup(typ); (w == inCell || w == inSession) && b.isType() {
			internal = b.internal
		}
		key := internal + "." + fd.Name.Name
		text := a.ed.render(a.src, u.start, u.end)
		if old, ok := a.s.methods[key]; ok && old != text {
			return cell.errorAt(a.off(fd.Name.Pos()), fmt.Sprintf(
				"method %s.%s is already defined by an earlier cell, and yaegi keeps a method's first definition: run the cell that declares type %s again (that makes a new %s), then this one; or declare the method in the same cell as the type",
				typ, fd.Name.Name, typ, typ))
		}
		u.eff.methods = append(u.eff.methods, method{key, text})
	}
	return nil
}

// chunk builds the chunk of a run of units of one kind.
func (a *analyzer) chunk(cell *cellText, group []*unit) Chunk {
	c := Chunk{Kind: Declarations, cell: cell}
	if group[0].kind == unitStmt {
		c.Kind = Statements
		// yaegi reads a chunk starting with "func" as declarations (and
		// returns no value when it falls back to statements), so a leading
		// function literal is put in parentheses.
		if fl := leadingFunc(group[0].node.(ast.Stmt)); fl != nil {
			start, end := a.off(fl.Pos()), a.off(fl.End())
			a.ed.add(start, start, "(")
			a.ed.add(end, end, ")")
		}
	}
	spans := make([][2]int, len(group))
	for k, u := range group {
		spans[k] = [2]int{u.start, u.end}
		c.eff.add(u.eff)
	}
	text := blank(a.src, spans)
	// Keep statements that shared a line apart.
	for k := 1; k < len(spans); k++ {
		gap := text[spans[k-1][1]:spans[k][0]]
		if len(gap) > 0 && !strings.Contains(string(gap), "\n") {
			gap[0] = ';'
		}
	}
	var b strings.Builder
	at := 0
	for _, e := range a.ed.list {
		in := false
		for _, s := range spans {
			if s[0] <= e.start && e.end <= s[1] {
				in = true
				break
			}
		}
		if !in || e.start < at {
			continue
		}
		b.Write(text[at:e.start])
		b.WriteString(e.text)
		at = e.end
		c.edit = append(c.edit, e)
	}
	b.Write(text[at:])
	c.Src = b.String()
	c.lines = lineStarts(c.Src)
	return c
}

// Commit records what a plan's chunks established in the interpreter, once
// the kernel has evaluated them. done is the number of chunks that yaegi
// evaluated without error, in order: len(p.Chunks) when the whole cell ran.
//
// A failed cell must not leave the session out of step with the
// interpreter, which keeps whatever a failed chunk got as far as declaring
// (measured on yaegi v0.16.1). So Commit records the imports, names, types
// and methods of the first done chunks as they are, and for the chunk that
// failed (p.Chunks[done]) it records only what stays safe: its types' names
// are taken (so a new definition gets a fresh internal name), its methods
// are broken (redefining them is refused), and its other names are no longer
// known to be integers. Chunks after the failed one were not run and leave
// no trace. p must come from s.Prepare.
func (s *Session) Commit(p *Plan, done int) {
	s.init()
	if p == nil {
		return
	}
	done = max(0, min(done, len(p.Chunks)))
	for _, c := range p.Chunks[:done] {
		for _, im := range c.eff.imports {
			s.imports[im.key] = im.path
		}
		for _, b := range c.eff.binds {
			s.names[b.name] = b.b
			if b.b.isType() {
				s.taken[b.name] = true
			}
		}
		for _, m := range c.eff.methods {
			s.methods[m.key] = m.text
		}
	}
	if done == len(p.Chunks) {
		return
	}
	failed := p.Chunks[done].eff
	for _, b := range failed.binds {
		if b.b.isType() {
			s.taken[b.name] = true
			continue
		}
		s.names[b.name] = binding{kind: kOther}
	}
	for _, m := range failed.methods {
		s.methods[m.key] = ""
	}
}
