package reactive

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/firnglacier/firn/kernel/internal/cellsrc"
)

// Cell is a code cell: its id (nbformat's) and its source.
type Cell struct {
	ID     string
	Source string
}

// Node is a cell in the graph: the names it defines and uses (see the
// package doc) and, for a cell that cannot be read, why.
type Node struct {
	ID      string
	Defines []string
	Uses    []string
	// Err is the cell's syntax error, if any.
	Err error
	// pos is the cell's position in the notebook.
	pos int
}

// Graph is the cells of a notebook and what each defines and uses.
type Graph struct {
	Nodes   []Node
	definer map[string][]int // name → the cells that define it, in order
	dep     [][]int          // cell → the cells it uses names of, ascending
}

// Build reads every cell.
func Build(cells []Cell) *Graph {
	g := &Graph{definer: map[string][]int{}}
	for i, c := range cells {
		n := Node{ID: c.ID, pos: i}
		n.Defines, n.Uses, n.Err = cellsrc.Names(c.Source)
		for _, d := range n.Defines {
			if k := g.definer[d]; len(k) == 0 || k[len(k)-1] != i {
				g.definer[d] = append(g.definer[d], i)
			}
		}
		g.Nodes = append(g.Nodes, n)
	}
	g.dep = make([][]int, len(g.Nodes))
	for i, n := range g.Nodes {
		for _, u := range n.Uses {
			for _, j := range g.definer[u] {
				if j != i && !slices.Contains(g.dep[i], j) {
					g.dep[i] = append(g.dep[i], j)
				}
			}
		}
		slices.Sort(g.dep[i])
	}
	return g
}

// A Problem is something about one cell that keeps the notebook from
// running reactively: a name it defines that another cell defines too,
// a cycle it is part of, or its syntax error. Each cell concerned gets
// its own Problem, so that each shows it.
type Problem struct {
	Cell    string // the cell's id
	Message string
}

func (p Problem) Error() string { return "cell " + p.Cell + ": " + p.Message }

// Problems lists every cell's problems: names defined by several cells
// (each of those cells gets one), cycles (each cell in one) and syntax
// errors, in the notebook's order.
func (g *Graph) Problems() []Problem {
	var out []Problem
	for i, n := range g.Nodes {
		if n.Err != nil {
			out = append(out, Problem{n.ID, "cannot be read: " + n.Err.Error()})
		}
		for _, d := range n.Defines {
			if k := g.definer[d]; len(k) > 1 {
				var others []string
				for _, j := range k {
					if j != i {
						others = append(others, g.Nodes[j].ID)
					}
				}
				out = append(out, Problem{n.ID, fmt.Sprintf("%s is also defined by cell %s: a name may be defined by one cell only (rename one, or merge the cells)", d, strings.Join(others, ", "))})
			}
		}
	}
	for _, cyc := range g.cycles() {
		ids := make([]string, len(cyc))
		for k, i := range cyc {
			ids[k] = g.Nodes[i].ID
		}
		for _, i := range cyc {
			// What this cell uses of the others in the cycle (the cells
			// are in the notebook's order, not along the cycle).
			var uses []string
			for _, j := range g.deps(i) {
				if slices.Contains(cyc, j) {
					uses = append(uses, strings.Join(g.shared(j, i), ", ")+" of cell "+g.Nodes[j].ID)
				}
			}
			out = append(out, Problem{g.Nodes[i].ID, fmt.Sprintf("is in a cycle of cells %s: it uses %s",
				strings.Join(ids, ", "), strings.Join(uses, " and "))})
		}
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return g.index(a.Cell) - g.index(b.Cell) })
	return out
}

func (g *Graph) index(id string) int {
	for i, n := range g.Nodes {
		if n.ID == id {
			return i
		}
	}
	return -1
}

// deps are the cells cell i uses names of, ascending.
func (g *Graph) deps(i int) []int { return g.dep[i] }

// shared are the names cell from defines that cell user uses.
func (g *Graph) shared(from, user int) []string {
	var out []string
	for _, u := range g.Nodes[user].Uses {
		if slices.Contains(g.Nodes[from].Defines, u) {
			out = append(out, u)
		}
	}
	return out
}

// cycles finds the strongly connected components of more than one cell
// (Tarjan), each in the notebook's order.
func (g *Graph) cycles() [][]int {
	n := len(g.Nodes)
	index, low := make([]int, n), make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out [][]int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range g.deps(v) {
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				slices.Sort(comp)
				out = append(out, comp)
			}
		}
	}
	for v := range n {
		if index[v] < 0 {
			visit(v)
		}
	}
	return out
}

// ErrProblems is wrapped by Order's and Dependents' errors when the graph
// has problems (see Problems).
var ErrProblems = errors.New("the notebook cannot run reactively")

func (g *Graph) problemsError() error {
	ps := g.Problems()
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return fmt.Errorf("%w: %s", ErrProblems, strings.Join(msgs, "; "))
}

// Order is the order to run every cell in: each cell after the cells it
// uses, otherwise in the notebook's order.
func (g *Graph) Order() ([]string, error) {
	if err := g.problemsError(); err != nil {
		return nil, err
	}
	return g.sorted(func(int) bool { return true }), nil
}

// Dependents are the cells to run again after cell id changed or ran:
// every cell that uses its names, directly or through others, in run
// order (not id itself).
func (g *Graph) Dependents(id string) ([]string, error) {
	start := g.index(id)
	if start < 0 {
		return nil, fmt.Errorf("no cell %s", id)
	}
	if err := g.problemsError(); err != nil {
		return nil, err
	}
	reach := map[int]bool{}
	var walk func(i int)
	walk = func(i int) {
		for j := range g.Nodes {
			if !reach[j] && j != start && slices.Contains(g.deps(j), i) {
				reach[j] = true
				walk(j)
			}
		}
	}
	walk(start)
	return g.sorted(func(i int) bool { return reach[i] }), nil
}

// sorted is Kahn's algorithm over the cells keep selects, taking the
// earliest ready cell each time; the graph has no cycle.
func (g *Graph) sorted(keep func(int) bool) []string {
	done := make([]bool, len(g.Nodes))
	var out []string
	for {
		picked := -1
		for i := range g.Nodes {
			if done[i] {
				continue
			}
			ready := true
			for _, j := range g.deps(i) {
				if !done[j] {
					ready = false
					break
				}
			}
			if ready {
				picked = i
				break
			}
		}
		if picked < 0 {
			return out
		}
		done[picked] = true
		if keep(picked) {
			out = append(out, g.Nodes[picked].ID)
		}
	}
}

// DependsOn are the cells whose names cell id uses, in the notebook's
// order (nil for a cell that is not in the graph).
func (g *Graph) DependsOn(id string) []string {
	i := g.index(id)
	if i < 0 {
		return nil
	}
	var out []string
	for _, j := range g.deps(i) {
		out = append(out, g.Nodes[j].ID)
	}
	return out
}

// Plan is what to run when the cells ids are run: those cells and every
// cell that depends on them, directly or through others, in run order.
// Unlike Dependents it works on a notebook with problems: a cell with a
// problem (see Problems), or one that uses names of such a cell, is not
// run but blocked, with why; the other cells run.
func (g *Graph) Plan(ids ...string) (run []string, blocked []Problem, err error) {
	want := map[int]bool{}
	for _, id := range ids {
		i := g.index(id)
		if i < 0 {
			return nil, nil, fmt.Errorf("no cell %s", id)
		}
		want[i] = true
	}
	// Every cell downstream of the ones asked for.
	var walk func(i int)
	walk = func(i int) {
		for j := range g.Nodes {
			if !want[j] && slices.Contains(g.deps(j), i) {
				want[j] = true
				walk(j)
			}
		}
	}
	for i := range g.Nodes {
		if want[i] {
			walk(i)
		}
	}
	why := map[int]string{}
	for _, p := range g.Problems() {
		i := g.index(p.Cell)
		if why[i] != "" {
			why[i] += "; "
		}
		why[i] += p.Message
	}
	// A cell that uses a blocked cell's names is blocked too; the cells
	// are visited upstream first (the notebook's order within a cycle).
	bad := map[int]bool{}
	for i := range why {
		bad[i] = true
	}
	for changed := true; changed; {
		changed = false
		for i := range g.Nodes {
			if bad[i] {
				continue
			}
			for _, j := range g.deps(i) {
				if bad[j] {
					bad[i] = true
					why[i] = fmt.Sprintf("uses %s of cell %s, which cannot run", strings.Join(g.shared(j, i), ", "), g.Nodes[j].ID)
					changed = true
					break
				}
			}
		}
	}
	for i := range g.Nodes {
		if want[i] && bad[i] {
			blocked = append(blocked, Problem{g.Nodes[i].ID, why[i]})
		}
	}
	return g.sorted(func(i int) bool { return want[i] && !bad[i] }), blocked, nil
}
