// Package cellsrc turns the Go source of a notebook cell into chunks that
// the yaegi interpreter (v0.16.1) can evaluate one after another, and
// rewrites what yaegi cannot run. The kernel evaluates the chunks; this
// package only reads and writes source text.
//
// # Why
//
// A notebook cell mixes imports, declarations and statements in any order,
// as a student writes them. yaegi does not take that as it is:
//
//   - It decides a source's shape from its first token: import, func, var,
//     const or type make it file-level declarations only; anything else is
//     wrapped as a function body. A mixed cell such as
//     `var a = []int{1}; a[0] = 5` fails either way.
//   - Importing a package that is already imported fails ("redeclared in
//     this block"), and a failed import block may still have imported some
//     of its packages.
//   - A type redefined in a later evaluation is silently ignored (the old
//     type is kept), and so is a redefined method; a method whose
//     evaluation failed stays broken.
//   - Range over an integer (`for i := range 10`) fails with "nil type",
//     and range with assignment (`for i = range xs`) never assigns i.
//   - The builtins min, max and clear are missing. The Prelude defines
//     generic min and max, but those infer their type from the first
//     argument: min(1, x) with a float64 x fails, and so does an untyped
//     float or rune constant first (min(2.5, x)).
//   - A panic in a goroutine started by interpreted code kills the process.
//   - Two or more variables declared from one value (v, err := f())
//     inside a block at the top level of an evaluation are "undefined".
//   - A cell that starts with a function literal (`func() int {...}()`)
//     is read as declarations first and then returns no value.
//   - Eval returns a value for every source, including declarations and
//     loops, so whether a cell has a result to show must be read from its
//     syntax.
//
// # Use
//
// A [Session] follows one interpreter; its zero value is ready. The kernel
// evaluates [Prelude] once, with a compiled package at [RuntimePath] (see
// there for its two functions), then for each cell:
//
//	p, err := s.Prepare(cell) // err is an *Error for syntax errors
//	for k, c := range p.Chunks {
//		v, err := interp.EvalWithContext(ctx, c.Src) // with a recover around it
//		if err != nil {
//			s.Commit(p, k)             // chunks before k ran
//			return p.CellError(k, err) // line and column in the cell
//		}
//	}
//	s.Commit(p, len(p.Chunks))
//	if p.ShowResult { show(v) }
//
// # What Prepare does
//
// Prepare splits the cell into its top-level units and groups them into
// [Chunk]s: every import first, one chunk each (imports already made with
// the same name and path are dropped; another path under a name in use is
// an *Error), then runs of declarations (func, method, var, const, type)
// and of statements, in source order. A function literal starting a
// statement is a statement. Then it rewrites:
//
//   - range over an integer to range over make([]struct{}, n), when n is
//     surely an integer: an integer or rune literal, len or cap, a
//     conversion to an integer type, a function declared to return one
//     integer, a variable or constant declared (in a function, in this cell
//     or an earlier one) with an integer type or from such an expression,
//     a name given to [Session.SetIntegerGlobals], or arithmetic of these.
//     Anything that might be a slice, map, string, channel or function is
//     left alone. The loop variable is then an int whatever the integer
//     type of n.
//   - for k, v = range x { to for __firnK, __firnV := range x { k, v =
//     __firnK, __firnV; (not when k and v span lines).
//   - go f(a, b) to __firn.Go(f, a, b): arguments are still evaluated at
//     the go statement. go with a builtin (go println()) or with a ...
//     argument is left alone.
//   - min and max (unless the user declared their own): a constant literal
//     first argument is swapped with the first argument that is not a
//     literal; with literals only, a float (or rune) one is put first and
//     converted to float64 (or rune). Arguments spanning lines are left.
//   - clear(x) to __firn.Clear(x), unless the user declared clear.
//   - a type declared again by a later cell gets a fresh internal name
//     (the name, U+02B9 and a number: "Pointʹ2"), used in this cell and,
//     after Commit, in later ones; selectors (x.P), field names and
//     composite-literal keys keep the user's name. [Plan.Unrename] and
//     [Plan.CellError] turn internal names back in messages. Values made
//     with the old type keep it, as with a redefined class in Python.
//     Redefining a method of a type from an earlier cell with other code is
//     an *Error, as yaegi would ignore it; declaring the type again makes a
//     new type that can have new methods.
//   - a leading function literal of a statement chunk is put in
//     parentheses.
//   - every statement of a block, and of the cell's top level, starts
//     with LineVar = marker; (on its line), so that after a panic the
//     kernel knows which statement ran last ([Plan.Sites], [SiteOf]):
//     yaegi itself reports the first statement of the function. A labeled
//     statement gets its marker before the label; top-level var, const
//     and type declarations get none.
//   - a top-level block, if, for, switch or select that declares two or
//     more variables from one value inside it (v, err := f(), v, ok :=
//     m[k]) is wrapped in (func() { ... })(): yaegi loses such variables
//     at the top level of an evaluation ("undefined: v") but not inside a
//     function. A labeled statement is wrapped whole, so break and continue
//     keep their targets; a goto out of it would not compile.
//
// # Invariants
//
// Every chunk's Src has the cell's lines: the parts of the cell outside
// the chunk are blanked byte for byte (newlines kept) and rewrites edit
// within lines. Columns shift only after a rewrite on the same line and on
// line 1, where yaegi prepends its wrapper; [Chunk.CellPosition] undoes
// both. A Session holds no global state and is not safe for concurrent
// use.
//
// # Limits
//
// The analysis is syntactic: it does not type-check. An embedded field of
// a redefined type takes the internal name as its field name. The default
// name of an import is guessed from its path (math/rand/v2 → rand). Type
// names in user output (%T) show internal names.
package cellsrc
