package cellsrc

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// kind is what the analysis knows about a declared name.
type kind uint8

const (
	kOther    kind = iota // declared; nothing useful known
	kInt                  // a variable or constant of an integer type
	kType                 // a type
	kIntType              // a type whose underlying type is an integer
	kFunc                 // a function
	kIntFunc              // a function returning one integer
	kVoidFunc             // a function without results
)

// A binding is a declared name. For types, internal is the name yaegi knows
// the type by (the user's name, or a fresh one when the type was redefined).
type binding struct {
	kind     kind
	internal string
}

func (b binding) isType() bool { return b.kind == kType || b.kind == kIntType }

// effects is what a unit (and then a chunk) declares.
type effects struct {
	imports []importSpec // key (name, or "_ path" / ". path") and path
	binds   []bind       // top-level names, in source order
	methods []method     // methods, by internal type name
	unknown []name       // identifiers declared nowhere in view, for CellError
}

// A name is an identifier at a cell offset.
type name struct {
	name string
	off  int
}

type importSpec struct{ key, path string }

type bind struct {
	name string
	b    binding
}

type method struct{ key, text string }

func (e *effects) add(o effects) {
	e.imports = append(e.imports, o.imports...)
	e.binds = append(e.binds, o.binds...)
	e.methods = append(e.methods, o.methods...)
	e.unknown = append(e.unknown, o.unknown...)
}

// A scope holds the names declared in one block of a function.
type scope struct {
	parent *scope
	names  map[string]binding
}

type where int

const (
	inNone    where = iota // a builtin (or undeclared) name
	inLocal                // declared inside a function
	inCell                 // declared at the top level of this cell
	inSession              // declared by an earlier cell
)

// intTypes are the predeclared integer types.
var intTypes = map[string]bool{
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"uintptr": true, "byte": true, "rune": true,
}

// analyzer walks a cell's units with scopes, records what they declare and
// collects the rewrites.
type analyzer struct {
	s       *Session
	src     string
	p       *parsed
	cell    map[string]binding // top-level names of this cell
	local   *scope             // innermost function scope; nil at top level
	ed      edits
	imports map[string]string // import name → path, the session's and the cell's
	cur     *effects          // effects of the unit being walked
	text    *cellText         // the cell, for the positions of sites
	id      int               // the plan's ID, in markers
	fn      string            // the function being walked, as yaegi names it
	sites   []Site            // the statements marked so far
	noMark  bool              // in a top-level declaration: no markers
}

func (a *analyzer) off(pos token.Pos) int { return a.p.off(pos) }

func (a *analyzer) lookup(name string) (binding, where) {
	for sc := a.local; sc != nil; sc = sc.parent {
		if b, ok := sc.names[name]; ok {
			return b, inLocal
		}
	}
	if b, ok := a.cell[name]; ok {
		return b, inCell
	}
	if b, ok := a.s.names[name]; ok {
		return b, inSession
	}
	return binding{}, inNone
}

// builtin reports whether name is not declared by the user anywhere in
// view, so it means Go's predeclared identifier.
func (a *analyzer) builtin(name string) bool {
	_, w := a.lookup(name)
	return w == inNone
}

func (a *analyzer) push() { a.local = &scope{parent: a.local, names: map[string]binding{}} }
func (a *analyzer) pop()  { a.local = a.local.parent }

// declare binds a name in the innermost scope; at the top level it becomes a
// name of the cell.
func (a *analyzer) declare(id *ast.Ident, b binding) {
	if id == nil || id.Name == "_" {
		return
	}
	if a.local != nil {
		a.local.names[id.Name] = b
		return
	}
	if old, ok := a.cell[id.Name]; ok && old != b {
		b = binding{kind: kOther} // declared twice with different kinds
	}
	a.cell[id.Name] = b
	a.cur.binds = append(a.cur.binds, bind{id.Name, b})
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// isIntType reports whether e names an integer type.
func (a *analyzer) isIntType(e ast.Expr) bool {
	id, ok := unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	b, w := a.lookup(id.Name)
	if w == inNone {
		return intTypes[id.Name]
	}
	return b.kind == kIntType
}

// isInt reports whether e is surely an integer: a literal, len or cap, a
// conversion to an integer type, a name known to hold an integer, a call of
// a function returning one, or arithmetic of these. When in doubt, false.
func (a *analyzer) isInt(e ast.Expr) bool {
	switch e := unparen(e).(type) {
	case *ast.BasicLit:
		return e.Kind == token.INT || e.Kind == token.CHAR
	case *ast.Ident:
		b, w := a.lookup(e.Name)
		if w == inNone {
			return e.Name == "iota"
		}
		return b.kind == kInt
	case *ast.UnaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.XOR:
			return a.isInt(e.X)
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM,
			token.AND, token.OR, token.XOR, token.AND_NOT:
			return a.isInt(e.X) && a.isInt(e.Y)
		case token.SHL, token.SHR:
			return a.isInt(e.X)
		}
	case *ast.CallExpr:
		if e.Ellipsis.IsValid() {
			return false
		}
		if a.isIntType(e.Fun) {
			return len(e.Args) == 1 // a conversion
		}
		id, ok := unparen(e.Fun).(*ast.Ident)
		if !ok {
			return false
		}
		b, w := a.lookup(id.Name)
		if w != inNone {
			return b.kind == kIntFunc
		}
		switch id.Name {
		case "len", "cap":
			return true
		case "min", "max":
			for _, x := range e.Args {
				if !a.isInt(x) {
					return false
				}
			}
			return len(e.Args) > 0
		}
	}
	return false
}

// funcKind tells functions returning one integer and functions returning
// nothing from the others.
func (a *analyzer) funcKind(ft *ast.FuncType) kind {
	if ft.Results == nil || len(ft.Results.List) == 0 {
		return kVoidFunc
	}
	if len(ft.Results.List) == 1 && len(ft.Results.List[0].Names) <= 1 && a.isIntType(ft.Results.List[0].Type) {
		return kIntFunc
	}
	return kFunc
}

// typedKind is the kind of a variable declared with type t.
func (a *analyzer) typedKind(t ast.Expr) kind {
	if ft, ok := unparen(t).(*ast.FuncType); ok {
		return a.funcKind(ft)
	}
	if a.isIntType(t) {
		return kInt
	}
	return kOther
}

// valueKind is the kind of a variable initialised from e.
func (a *analyzer) valueKind(e ast.Expr) kind {
	if fl, ok := unparen(e).(*ast.FuncLit); ok {
		return a.funcKind(fl.Type)
	}
	if a.isInt(e) {
		return kInt
	}
	return kOther
}

// hoist declares the cell's top-level types (giving redefined ones a fresh
// name) and functions before the walk, as Go does at file level.
func (a *analyzer) hoist(units []unit) {
	var specs []*ast.TypeSpec
	var owner []*effects
	for k := range units {
		u := &units[k]
		if u.kind != unitDecl {
			continue
		}
		gd := u.node.(*ast.DeclStmt).Decl.(*ast.GenDecl)
		if gd.Tok != token.TYPE {
			continue
		}
		for _, sp := range gd.Specs {
			ts := sp.(*ast.TypeSpec)
			if ts.Name.Name == "_" {
				continue
			}
			internal := ts.Name.Name
			if a.s.taken[internal] || a.s.names[internal].isType() {
				internal = a.s.freshName(internal)
			}
			a.cell[ts.Name.Name] = binding{kType, internal}
			specs = append(specs, ts)
			owner = append(owner, &u.eff)
		}
	}
	// Two rounds settle types defined from integer types declared later.
	for range 2 {
		for _, ts := range specs {
			b := a.cell[ts.Name.Name]
			b.kind = kType
			if ts.TypeParams == nil && a.isIntType(ts.Type) {
				b.kind = kIntType
			}
			a.cell[ts.Name.Name] = b
		}
	}
	for k, ts := range specs {
		owner[k].binds = append(owner[k].binds, bind{ts.Name.Name, a.cell[ts.Name.Name]})
	}
	for k := range units {
		u := &units[k]
		if u.kind != unitFunc {
			continue
		}
		fd := u.node.(*ast.FuncDecl)
		if fd.Recv != nil || fd.Name.Name == "_" {
			continue
		}
		b := binding{kind: a.funcKind(fd.Type)}
		if fd.Type.TypeParams != nil {
			b.kind = kFunc
		}
		a.cell[fd.Name.Name] = b
		u.eff.binds = append(u.eff.binds, bind{fd.Name.Name, b})
	}
}

// walk analyses and rewrites one top-level unit.
func (a *analyzer) walk(u *unit) {
	a.cur = &u.eff
	switch n := u.node.(type) {
	case *ast.FuncDecl:
		a.fn = "main." + n.Name.Name
		a.funcBody(n.Type, n.Recv, n.Body)
		a.fn = "main"
	case *ast.DeclStmt:
		// yaegi v0.16.1 fails a top-level var whose initialiser has a
		// function literal that sets a global ("variable definition
		// loop"): no markers there.
		a.noMark = true
		a.genDecl(n.Decl.(*ast.GenDecl))
		a.noMark = false
	case ast.Stmt:
		a.mark(n)
		wrap := nestedMultiDefine(n)
		if wrap {
			start := a.off(n.Pos())
			a.ed.add(start, start, "(func() { ")
		}
		a.stmt(n)
		if wrap {
			end := a.off(n.End())
			a.ed.add(end, end, " })()")
		}
	}
}

// nestedMultiDefine reports whether a top-level compound statement (a
// block, if, for, switch or select) declares, somewhere in its blocks but
// outside function literals, two or more variables from one value:
// a, b := f(), v, ok := m[k], var a, b = f(), case v, ok := <-c. yaegi
// v0.16.1 loses those variables at the top level of an evaluation
// ("undefined: a") but runs them inside a function, so such a statement
// is wrapped in (func() { ... })(). Variables a block declares are local to
// it, so the wrapper changes nothing else.
func nestedMultiDefine(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt,
		*ast.TypeSwitchStmt, *ast.SelectStmt, *ast.LabeledStmt:
	default:
		return false
	}
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			found = found || n.Tok == token.DEFINE && len(n.Lhs) > 1 && len(n.Rhs) == 1
		case *ast.ValueSpec:
			found = found || len(n.Names) > 1 && len(n.Values) == 1
		}
		return !found
	})
	return found
}

// universe holds Go's predeclared identifiers other than the functions.
var universe = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true,
	"complex128": true, "error": true, "float32": true, "float64": true, "int": true,
	"int8": true, "int16": true, "int32": true, "int64": true, "rune": true,
	"string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true,
	"uint64": true, "uintptr": true, "true": true, "false": true, "iota": true, "nil": true,
}

// use handles an identifier in an expression or type: a redefined type of
// the cell or of an earlier cell gets its internal name. Identifiers
// declared nowhere are noted: yaegi sometimes reports them as "constant
// definition loop".
func (a *analyzer) use(id *ast.Ident) {
	b, w := a.lookup(id.Name)
	if w == inNone && !universe[id.Name] && !builtinFuncs[id.Name] && !strings.HasPrefix(id.Name, RuntimeName) {
		if _, pkg := a.imports[id.Name]; !pkg {
			a.cur.unknown = append(a.cur.unknown, name{id.Name, a.off(id.Pos())})
		}
	}
	if (w == inCell || w == inSession) && b.isType() && b.internal != "" && b.internal != id.Name {
		a.ed.add(a.off(id.Pos()), a.off(id.End()), b.internal)
	}
}

func (a *analyzer) exprs(list []ast.Expr) {
	for _, e := range list {
		a.expr(e)
	}
}

// fields walks the types of a field list (not the names).
func (a *analyzer) fields(fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		a.expr(f.Type)
	}
}

// typeParams declares type parameters in the current scope, then walks
// their constraints (which may refer to each other).
func (a *analyzer) typeParams(fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		for _, id := range f.Names {
			a.declare(id, binding{kType, id.Name})
		}
	}
	a.fields(fl)
}

func (a *analyzer) expr(e ast.Expr) {
	switch e := e.(type) {
	case nil:
	case *ast.Ident:
		a.use(e)
	case *ast.CompositeLit:
		a.expr(e.Type)
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if _, field := kv.Key.(*ast.Ident); !field {
					a.expr(kv.Key)
				}
				a.expr(kv.Value)
				continue
			}
			a.expr(el)
		}
	case *ast.FuncLit:
		outer := a.fn
		a.fn += ".func"
		a.funcBody(e.Type, nil, e.Body)
		a.fn = outer
	case *ast.ParenExpr:
		a.expr(e.X)
	case *ast.SelectorExpr:
		a.expr(e.X)
	case *ast.IndexExpr:
		a.expr(e.X)
		a.expr(e.Index)
	case *ast.IndexListExpr:
		a.expr(e.X)
		a.exprs(e.Indices)
	case *ast.SliceExpr:
		a.expr(e.X)
		a.expr(e.Low)
		a.expr(e.High)
		a.expr(e.Max)
	case *ast.TypeAssertExpr:
		a.expr(e.X)
		a.expr(e.Type)
	case *ast.CallExpr:
		a.call(e)
	case *ast.StarExpr:
		a.expr(e.X)
	case *ast.UnaryExpr:
		a.expr(e.X)
	case *ast.BinaryExpr:
		a.expr(e.X)
		a.expr(e.Y)
	case *ast.KeyValueExpr:
		a.expr(e.Key)
		a.expr(e.Value)
	case *ast.ArrayType:
		a.expr(e.Len)
		a.expr(e.Elt)
	case *ast.StructType:
		a.fields(e.Fields)
	case *ast.FuncType:
		a.fields(e.TypeParams)
		a.fields(e.Params)
		a.fields(e.Results)
	case *ast.InterfaceType:
		a.fields(e.Methods)
	case *ast.MapType:
		a.expr(e.Key)
		a.expr(e.Value)
	case *ast.ChanType:
		a.expr(e.Value)
	case *ast.Ellipsis:
		a.expr(e.Elt)
	}
}

// funcBody walks a function's signature and body in a new scope.
func (a *analyzer) funcBody(ft *ast.FuncType, recv *ast.FieldList, body *ast.BlockStmt) {
	a.push()
	defer a.pop()
	if recv != nil {
		for _, f := range recv.List {
			a.recvType(f.Type)
		}
	}
	a.typeParams(ft.TypeParams)
	a.fields(ft.Params)
	a.fields(ft.Results)
	for _, fl := range []*ast.FieldList{recv, ft.Params, ft.Results} {
		if fl == nil {
			continue
		}
		for _, f := range fl.List {
			k := a.typedKind(f.Type)
			if fl == recv {
				k = kOther
			}
			for _, id := range f.Names {
				a.declare(id, binding{kind: k})
			}
		}
	}
	if body != nil {
		a.stmts(body.List)
	}
}

// recvType walks a receiver's type: in T[K, V] the K and V are declared.
func (a *analyzer) recvType(e ast.Expr) {
	e = unparen(e)
	if s, ok := e.(*ast.StarExpr); ok {
		e = unparen(s.X)
	}
	var params []ast.Expr
	switch x := e.(type) {
	case *ast.IndexExpr:
		e, params = x.X, []ast.Expr{x.Index}
	case *ast.IndexListExpr:
		e, params = x.X, x.Indices
	}
	for _, p := range params {
		if id, ok := p.(*ast.Ident); ok {
			a.declare(id, binding{kType, id.Name})
		}
	}
	a.expr(e)
}

// recvName returns the user's name of a method's receiver type.
func recvName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// genDecl walks a var, const or type declaration, at the top level of the
// cell or in a function.
func (a *analyzer) genDecl(gd *ast.GenDecl) {
	switch gd.Tok {
	case token.TYPE:
		for _, sp := range gd.Specs {
			ts := sp.(*ast.TypeSpec)
			if a.local == nil {
				if b, ok := a.cell[ts.Name.Name]; ok && b.internal != ts.Name.Name {
					a.ed.add(a.off(ts.Name.Pos()), a.off(ts.Name.End()), b.internal)
				}
			} else {
				k := kType
				if ts.TypeParams == nil && a.isIntType(ts.Type) {
					k = kIntType
				}
				a.declare(ts.Name, binding{k, ts.Name.Name})
			}
			a.push()
			a.typeParams(ts.TypeParams)
			a.expr(ts.Type)
			a.pop()
		}
	case token.VAR:
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			a.expr(vs.Type)
			a.exprs(vs.Values)
			for k, id := range vs.Names {
				kd := kOther
				if vs.Type != nil {
					kd = a.typedKind(vs.Type)
				} else if len(vs.Values) == len(vs.Names) {
					kd = a.valueKind(vs.Values[k])
				}
				a.declare(id, binding{kind: kd})
			}
		}
	case token.CONST:
		var typ ast.Expr
		var values []ast.Expr
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			a.expr(vs.Type)
			a.exprs(vs.Values)
			if vs.Type != nil || len(vs.Values) > 0 {
				typ, values = vs.Type, vs.Values // else the previous spec repeats
			}
			for k, id := range vs.Names {
				kd := kOther
				if typ != nil {
					if a.isIntType(typ) {
						kd = kInt
					}
				} else if k < len(values) && a.isInt(values[k]) {
					kd = kInt
				}
				a.declare(id, binding{kind: kd})
			}
		}
	}
}

func (a *analyzer) stmts(list []ast.Stmt) {
	for _, s := range list {
		a.mark(s)
		a.stmt(s)
	}
}

// cannotPanic reports whether a statement surely cannot panic, so that it
// needs no marker (which costs an assignment each time it runs: this
// keeps arithmetic in loops as fast as without markers): an assignment
// or ++/-- of variables from names, literals, package members,
// conversions to basic types, and arithmetic and ordering other than
// division, remainder and shifts (which panic on a zero divisor or a
// negative count) and == and != (which panic on interfaces holding
// slices).
func (a *analyzer) cannotPanic(s ast.Stmt) bool {
	var lhs, rhs []ast.Expr
	switch s := s.(type) {
	case *ast.AssignStmt:
		switch s.Tok {
		case token.QUO_ASSIGN, token.REM_ASSIGN, token.SHL_ASSIGN, token.SHR_ASSIGN:
			return false
		}
		lhs, rhs = s.Lhs, s.Rhs
	case *ast.IncDecStmt:
		lhs = []ast.Expr{s.X}
	default:
		return false
	}
	for _, l := range lhs {
		if _, ok := l.(*ast.Ident); !ok {
			return false // an element or a field: an index or a nil pointer
		}
	}
	for _, r := range rhs {
		if !a.safeExpr(r) {
			return false
		}
	}
	return true
}

// safeExpr reports whether evaluating e surely cannot panic (see
// cannotPanic).
func (a *analyzer) safeExpr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return a.safeExpr(e.X)
	case *ast.UnaryExpr:
		return e.Op != token.ARROW && a.safeExpr(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.QUO, token.REM, token.SHL, token.SHR:
			return false
		case token.EQL, token.NEQ: // interfaces holding slices panic
			return false
		}
		return a.safeExpr(e.X) && a.safeExpr(e.Y)
	case *ast.SelectorExpr: // a package's constant or variable
		id, ok := e.X.(*ast.Ident)
		if !ok || !a.builtin(id.Name) {
			return false
		}
		_, pkg := a.imports[id.Name]
		return pkg
	case *ast.CallExpr: // a conversion to a basic type
		id, ok := e.Fun.(*ast.Ident)
		return ok && len(e.Args) == 1 && basicTypes[id.Name] && a.builtin(id.Name) && a.safeExpr(e.Args[0])
	}
	return false
}

// basicTypes are the predeclared numeric, string and bool types.
var basicTypes = map[string]bool{
	"bool": true, "string": true, "float32": true, "float64": true, "complex64": true, "complex128": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true, "byte": true, "rune": true,
}

// maxSites is the number of statements of a cell that get a marker.
const maxSites = 1<<markerBits - 1

// mark inserts, before a statement of a block (or of the cell's top
// level), the assignment of its marker to LineVar, on the same line:
// yaegi reports a panic at the first statement of the function it
// happened in (v0.16.1), so the kernel reads the marker instead. A
// labeled statement is marked before its label, so that break and
// continue keep their target.
func (a *analyzer) mark(s ast.Stmt) {
	if _, empty := s.(*ast.EmptyStmt); empty || a.noMark || len(a.sites) >= maxSites || a.cannotPanic(s) {
		return
	}
	off := a.off(s.Pos())
	if !a.ed.canAdd(off, off) {
		return
	}
	line, col := a.text.position(off)
	a.sites = append(a.sites, Site{Line: line, Col: col, Func: a.fn})
	a.ed.add(off, off, LineVar+" = "+strconv.Itoa(a.id<<markerBits|len(a.sites))+"; ")
}

func (a *analyzer) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case nil:
	case *ast.ExprStmt:
		a.expr(s.X)
	case *ast.SendStmt:
		a.expr(s.Chan)
		a.expr(s.Value)
	case *ast.IncDecStmt:
		a.expr(s.X)
	case *ast.AssignStmt:
		a.exprs(s.Rhs)
		if s.Tok != token.DEFINE {
			a.exprs(s.Lhs)
			return
		}
		for k, l := range s.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				continue
			}
			kd := kOther
			if len(s.Lhs) == len(s.Rhs) {
				kd = a.valueKind(s.Rhs[k])
			}
			a.declare(id, binding{kind: kd})
		}
	case *ast.GoStmt:
		a.call(s.Call)
		a.goStmt(s)
	case *ast.DeferStmt:
		a.call(s.Call)
	case *ast.ReturnStmt:
		a.exprs(s.Results)
	case *ast.BlockStmt:
		a.push()
		a.stmts(s.List)
		a.pop()
	case *ast.IfStmt:
		a.push()
		a.stmt(s.Init)
		a.expr(s.Cond)
		a.stmt(s.Body)
		a.stmt(s.Else)
		a.pop()
	case *ast.SwitchStmt:
		a.push()
		a.stmt(s.Init)
		a.expr(s.Tag)
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			a.exprs(cc.List)
			a.push()
			a.stmts(cc.Body)
			a.pop()
		}
		a.pop()
	case *ast.TypeSwitchStmt:
		a.push()
		a.stmt(s.Init)
		var name *ast.Ident
		switch as := s.Assign.(type) {
		case *ast.AssignStmt: // v := x.(type)
			a.exprs(as.Rhs)
			if len(as.Lhs) == 1 {
				name, _ = as.Lhs[0].(*ast.Ident)
			}
		case *ast.ExprStmt:
			a.expr(as.X)
		}
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			a.exprs(cc.List)
			a.push()
			if name != nil {
				kd := kOther
				if len(cc.List) == 1 && a.isIntType(cc.List[0]) {
					kd = kInt
				}
				a.declare(name, binding{kind: kd})
			}
			a.stmts(cc.Body)
			a.pop()
		}
		a.pop()
	case *ast.SelectStmt:
		for _, c := range s.Body.List {
			cc := c.(*ast.CommClause)
			a.push()
			a.stmt(cc.Comm)
			a.stmts(cc.Body)
			a.pop()
		}
	case *ast.ForStmt:
		a.push()
		a.stmt(s.Init)
		a.expr(s.Cond)
		a.stmt(s.Post)
		a.stmt(s.Body)
		a.pop()
	case *ast.RangeStmt:
		a.rangeStmt(s)
	case *ast.LabeledStmt:
		a.stmt(s.Stmt)
	case *ast.DeclStmt:
		a.genDecl(s.Decl.(*ast.GenDecl))
	}
}

// rangeStmt rewrites range over an integer, which yaegi cannot run ("nil
// type"), to range over a slice of empty structs of that length; and range
// with assignment (for i = range x), whose variables yaegi never assigns, to
// range with fresh variables assigned at the start of the body.
func (a *analyzer) rangeStmt(s *ast.RangeStmt) {
	a.expr(s.X)
	overInt := s.X != nil && a.isInt(s.X)
	if overInt {
		start, end := a.off(s.X.Pos()), a.off(s.X.End())
		a.ed.add(start, start, "make([]struct{}, ")
		a.ed.add(end, end, ")")
	}
	a.push()
	defer a.pop()
	if s.Tok == token.ASSIGN {
		a.expr(s.Key)
		a.expr(s.Value)
		a.rangeAssign(s)
	} else if s.Tok == token.DEFINE {
		kd := kOther
		if overInt {
			kd = kInt
		}
		if id, ok := s.Key.(*ast.Ident); ok {
			a.declare(id, binding{kind: kd})
		}
		if id, ok := s.Value.(*ast.Ident); ok {
			a.declare(id, binding{kind: kOther})
		}
	}
	a.stmt(s.Body)
}

// rangeAssign turns for k, v = range x { into
// for __firnK, __firnV := range x { k, v = __firnK, __firnV; (same lines).
func (a *analyzer) rangeAssign(s *ast.RangeStmt) {
	if s.Key == nil || s.Body == nil {
		return
	}
	var lhs, tmp, vars []string
	for k, e := range []ast.Expr{s.Key, s.Value} {
		if e == nil {
			continue
		}
		text := a.ed.render(a.src, a.off(e.Pos()), a.off(e.End()))
		if strings.Contains(text, "\n") {
			return
		}
		name := [...]string{RuntimeName + "K", RuntimeName + "V"}[k]
		if text == "_" {
			name = "_"
		} else {
			lhs, tmp = append(lhs, text), append(tmp, name)
		}
		vars = append(vars, name)
	}
	start, end := a.off(s.Key.Pos()), a.off(s.TokPos)+len("=")
	body := a.off(s.Body.Lbrace) + 1
	if strings.Contains(a.src[start:end], "\n") || !a.ed.canAdd(start, end) || !a.ed.canAdd(body, body) {
		return // the variables span lines: leave them
	}
	if len(lhs) == 0 { // for _, _ = range x
		a.ed.add(start, end, "")
		return
	}
	a.ed.add(start, end, strings.Join(vars, ", ")+" :=")
	a.ed.add(body, body, " "+strings.Join(lhs, ", ")+" = "+strings.Join(tmp, ", ")+";")
}

// builtinFuncs are Go's predeclared functions.
var builtinFuncs = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true,
	"copy": true, "delete": true, "imag": true, "len": true, "make": true,
	"max": true, "min": true, "new": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true,
}

// call walks a call, then reorders the arguments of min and max and turns
// clear into the runtime's Clear.
func (a *analyzer) call(c *ast.CallExpr) {
	a.expr(c.Fun)
	a.exprs(c.Args)
	id, ok := c.Fun.(*ast.Ident)
	if !ok || !a.builtin(id.Name) {
		return
	}
	switch id.Name {
	case "min", "max":
		a.reorder(c)
	case "clear":
		a.ed.add(a.off(id.Pos()), a.off(id.End()), RuntimeName+".Clear")
	}
}

// constLit returns the kind of an untyped constant literal (1, -2.5, 'x',
// "s"), or token.ILLEGAL for anything else.
func constLit(e ast.Expr) token.Token {
	switch e := unparen(e).(type) {
	case *ast.BasicLit:
		return e.Kind
	case *ast.UnaryExpr:
		if e.Op == token.ADD || e.Op == token.SUB {
			return constLit(e.X)
		}
	}
	return token.ILLEGAL
}

// reorder rewrites the arguments of min and max for the prelude's generic
// versions, which infer their type from the first argument: yaegi cannot
// use an untyped constant there when a later argument has another type
// (min(1, x) with a float64 x), nor an untyped float or rune constant at all
// (min(2.5, x), min(2.5, 3)). When the first argument is a constant literal,
// it is swapped with the first argument that is not; when all are literals,
// a float one is moved first and converted to float64 (or a rune one to
// rune). min and max are commutative and literals have no side effects, so
// the result is the same.
func (a *analyzer) reorder(c *ast.CallExpr) {
	if len(c.Args) < 2 || c.Ellipsis.IsValid() {
		return
	}
	first := constLit(c.Args[0])
	if first == token.ILLEGAL {
		return
	}
	k, conv := 0, ""
	for j, x := range c.Args {
		if constLit(x) == token.ILLEGAL {
			k = j
			break
		}
	}
	if k == 0 { // all literals
		for j, x := range c.Args {
			switch constLit(x) {
			case token.FLOAT:
				if conv != "float64" {
					k, conv = j, "float64"
				}
			case token.CHAR:
				if conv == "" {
					conv = "rune"
				}
			}
		}
	}
	if k == 0 && conv == "" {
		return
	}
	s0, e0 := a.off(c.Args[0].Pos()), a.off(c.Args[0].End())
	sk, ek := a.off(c.Args[k].Pos()), a.off(c.Args[k].End())
	t0, tk := a.ed.render(a.src, s0, e0), a.ed.render(a.src, sk, ek)
	if strings.Contains(t0, "\n") || strings.Contains(tk, "\n") {
		return // moving text across lines would shift line numbers
	}
	if !a.ed.canAdd(s0, e0) || !a.ed.canAdd(sk, ek) {
		return
	}
	if conv != "" {
		tk = conv + "(" + tk + ")"
	}
	a.ed.add(s0, e0, tk)
	if k != 0 {
		a.ed.add(sk, ek, t0)
	}
}

// goStmt rewrites go f(a, b) to __firn.Go(f, a, b): the runtime starts the
// goroutine with a deferred recover, so a panic in it becomes a cell error
// instead of killing the kernel. go with a builtin or with a ... argument is
// left alone.
func (a *analyzer) goStmt(s *ast.GoStmt) {
	c := s.Call
	if c.Ellipsis.IsValid() {
		return
	}
	if id, ok := unparen(c.Fun).(*ast.Ident); ok && builtinFuncs[id.Name] && a.builtin(id.Name) {
		return
	}
	start, lp := a.off(s.Go), a.off(c.Lparen)
	if !a.ed.canAdd(start, start+2) || !a.ed.canAdd(lp, lp+1) {
		return
	}
	a.ed.add(start, start+2, RuntimeName+".Go(")
	if len(c.Args) > 0 {
		a.ed.add(lp, lp+1, ", ")
	} else {
		a.ed.add(lp, lp+1, "")
	}
}

// showable reports whether the value of a final expression statement is
// worth showing: not a call known to return nothing.
func (a *analyzer) showable(e ast.Expr) bool {
	c, ok := unparen(e).(*ast.CallExpr)
	if !ok {
		return true
	}
	switch f := unparen(c.Fun).(type) {
	case *ast.Ident:
		b, w := a.lookup(f.Name)
		if w == inNone {
			switch f.Name {
			case "print", "println", "panic", "close", "delete", "clear", "copy":
				return false
			}
			return true
		}
		return b.kind != kVoidFunc
	case *ast.SelectorExpr:
		pkg, ok := f.X.(*ast.Ident)
		if !ok {
			return true
		}
		if _, w := a.lookup(pkg.Name); w != inNone {
			return true // a variable, not a package
		}
		path, ok := a.imports[pkg.Name]
		if !ok {
			path = pkg.Name // imported by the kernel's prelude, say
		}
		name := f.Sel.Name
		switch {
		case path == "fmt":
			return !strings.HasPrefix(name, "Print") && !strings.HasPrefix(name, "Fprint")
		case path == "log":
			return false
		case path == "display" || strings.HasSuffix(path, "/display"):
			return !strings.HasPrefix(name, "Show")
		}
	}
	return true
}

// leadingFunc finds the function literal (or function type, as in the
// conversion func()(f)) that starts a statement, if any.
func leadingFunc(s ast.Stmt) ast.Expr {
	var found ast.Expr
	ast.Inspect(s, func(n ast.Node) bool {
		if found != nil || n == nil || n.Pos() != s.Pos() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			found = n
		case *ast.FuncType:
			found = n
		}
		return found == nil
	})
	return found
}
