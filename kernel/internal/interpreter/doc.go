// Package interpreter executes notebook cells: Go source, interpreted by
// yaegi (github.com/traefik/yaegi v0.16.1), one cell after another, with
// imports, types, functions and variables surviving from cell to cell.
//
//	in, err := interpreter.New(interpreter.Options{Workspace: dir, Stdout: os.Stdout, Publisher: pub})
//	result, cellErr := in.Execute(ctx, 1, "x := 40\nx + 2")   // result: the bundle of 42
//
// A kernel process (package kernel) owns one Interpreter; nothing else
// should, because a cell can still take its process down (below).
//
// # What a cell gets
//
// Without any import: fmt, math, os, strings, the teaching API edu
// (firn/engine/edu), plots (firn/plots) and display (firn/display); the
// builtins min and max; ctx, the running cell's context (pass it to
// engine calls that take one: an interrupt stops them). Glaciers made
// with edu.NewGlacier and edu.NewSurgingGlacier are bound to the running
// cell, so that an interrupt stops ProgressToYear too. Everything else of
// Firn is imported by its short path: firn/engine/dynamics,
// firn/engine/massbalance, firn/engine/geometry, firn/engine/climate,
// firn/engine/experiment, firn/engine/constants, firn/engine/datasets. The standard library is
// curated (kernel/internal/symbols): no network, no programs, writes only inside
// the workspace, unless the kernel is trusted.
//
// The value of a cell's last expression is its result (display.Render
// decides how it shows: figures as SVG and PNG, tables, text); strings
// show quoted, as Go literals. Calls of functions that print or return
// nothing, declarations and assignments show nothing. A non-nil error as
// the last expression (errors.New("boom"), g.ProgressToYear(-1)) fails
// the cell: an *Error whose Name is the error's type and Message its
// text, which the kernel sends as an error output; a nil error shows
// nothing.
//
// # Today's Go on yaegi
//
// kernel/internal/cellsrc rewrites each cell so that yaegi runs what a Go 1.26
// programmer writes: cells that mix imports, declarations and
// statements; min, max and clear; range over an integer; a type declared
// again in a later cell (the new definition wins for later cells; values
// made before keep the old type); go statements (a panic in the goroutine
// becomes an error of the cell that started it, not the end of the
// kernel).
//
// # Limits (yaegi v0.16.1), and what happens
//
//   - Generic functions: type inference from two or more type
//     parameters fails ("cannot use type func(int) string as type
//     func(int) int"): give the type arguments, Map[int, string](…).
//     A variadic type parameter (func Sum[T Number](xs ...T)) is not
//     inferred ("undefined type for T"): take a slice instead. min and
//     max take their type from their first argument. A generic's type
//     parameter names are global to yaegi: after func Sum[T Number] a
//     variable named T in a block makes yaegi panic (reported as the
//     cell's error), and one at the top level breaks Sum; the Prelude's
//     min and max name theirs __firnT, so that a T of the user's (a
//     temperature, say) does not break them.
//   - Range over a function (Go 1.23 iterators) is not supported; range
//     over an integer works when the bound is visibly an integer
//     (otherwise the message says to write a three-clause loop).
//   - Methods declared in cells are invisible to compiled code: a
//     String method is used by fmt but not by display, and a cell's
//     type satisfies a compiled interface (massbalance.Model) only
//     through the interface itself.
//   - Unexported fields of a struct declared in a cell appear to
//     compiled code (tables) as fields named X…; tag them display:"-".
//   - The value of an immediately called function literal as a cell's
//     last expression is lost; assign it to a variable first.
//   - A variable declared at a cell's top level from an element of a
//     slice that a compiled value holds (x := c.Glaciers[0]) cannot be
//     typed by yaegi ("constant definition loop"): the message says to
//     give the type (var x *edu.Glacier = c.Glaciers[0]) or to use the
//     element directly or in a for range loop.
//   - An unimported package in a composite literal's type makes yaegi's
//     compiler panic; the kernel reports it as "undefined: massbalance".
//   - A call of a compiled function that returns nothing, as a cell's
//     last expression, returns a stale value in yaegi; the kernel shows
//     nothing for it.
//   - %T prints a redefined type with its internal name (Pointʹ2).
//   - Interpreted loops are 50–100 times slower than compiled Go: cells
//     orchestrate, the engine computes.
//   - An interrupt stops interpreted code between two steps and blocked
//     calls at once, but a goroutine blocked in a call is abandoned, not
//     killed; goroutines started by a cell outlive it, but ctx (and the
//     glaciers' engine runs) end with the cell: between cells ctx is
//     cancelled, so background engine work stops when its cell ends.
//   - A panic in a function that compiled code runs in a goroutine of its
//     own (time.AfterFunc(d, f)) cannot be recovered: the kernel process
//     dies, and its client reports the panic and starts a fresh kernel.
//
// Errors name the cell and line, show the line with a caret, and reword
// yaegi's most puzzling messages ("constant definition loop" is an
// undefined name; "reflect: slice index out of range" is Go's "index out
// of range", "call of reflect.Value.Field on zero Value" a nil pointer
// dereference).
//
// # Where a panic happened
//
// yaegi v0.16.1 reports a panic at the first statement of each function
// it unwinds, not at the statement that panicked. cellsrc therefore makes
// every statement set a global (cellsrc.LineVar) to its marker before it
// runs (about 20 ns a statement); after a panic the marker names the
// statement, in this cell or in the cell that declared the function. The
// kernel trusts it only when the function it names is the innermost that
// the panic unwound: a marker set by a function that returned before the
// panic in the same statement, or by another goroutine, gives no line.
// The traceback then lists the functions the panic unwound.
package interpreter
