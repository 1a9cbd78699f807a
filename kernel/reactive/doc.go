// Package reactive builds the dependency graph of a notebook's code
// cells, as reactive notebooks (marimo, Pluto) do, so that running a
// cell can run the cells that depend on it and a whole notebook runs in
// an order that does not depend on where its cells sit.
//
// A cell defines the names it declares at its top level (variables, :=
// included, constants, types, functions; not imports, not methods) and
// uses the names it needs from elsewhere; both come from the kernel's own
// reading of Go (kernel/internal/cellsrc: Go's scopes, so a function's
// local variable shadows another cell's global). Cell B depends on cell
// A when B uses a name A defines.
//
//	g := reactive.Build([]reactive.Cell{{ID: "a", Source: "x := 1"}, {ID: "b", Source: "y := x + 1"}})
//	order, err := g.Order()        // ["a" "b"], or an error naming a cycle or a name defined twice
//	again, err := g.Dependents("a") // ["b"]: what to run after a
//	run, blocked, err := g.Plan("a") // ["a" "b"], and the cells that cannot run, with why
//
// Plan is what the notebook page runs (through the server's POST
// /api/graph): the cells asked for and their dependents, in order, with a
// problem in one part of the notebook blocking only the cells that have it
// or use its names.
// The rules, as in marimo: a name may be defined by one cell only (two
// cells defining x is an error shown on both: [Graph.Problems]); cells
// may not depend on each other in a cycle; a cell with a syntax error
// defines and uses nothing and is reported. Deleting a cell is building
// the graph again without it: its names are gone, and cells that used
// them are the ones that fail (their uses are then defined by no cell).
// Order is a topological order that keeps the notebook's order wherever
// the dependencies allow (Kahn's algorithm taking the earliest ready
// cell), so a notebook written top to bottom runs as it is.
//
// Written here: the graph is small (a notebook's cells) and the rules
// are Firn's own; gonum's graph/topo would sort, but not keep the
// notebook's order among ready cells nor name the cells of a cycle in
// the notebook's words.
package reactive
