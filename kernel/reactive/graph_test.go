package reactive

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestGraph is the reactive notebook's table: how cells that define,
// use, redefine, are deleted, form a cycle or do not parse are ordered,
// what runs again after a cell, and which cells are told of a problem.
func TestGraph(t *testing.T) {
	type cells = []Cell
	for _, tc := range []struct {
		name       string
		cells      cells
		order      []string            // nil: Order fails
		dependents map[string][]string // cell → what runs again after it
		problems   []string            // "cell: fragment", in order
	}{
		{
			name:  "define then use, in the notebook's order",
			cells: cells{{"a", "x := 1"}, {"b", "y := x + 1"}, {"c", `fmt.Println(y)`}},
			order: []string{"a", "b", "c"}, dependents: map[string][]string{"a": {"b", "c"}, "b": {"c"}, "c": nil},
		},
		{
			name:  "use before the definition: the definition runs first",
			cells: cells{{"plot", "plots.Profile(g)"}, {"make", "g := edu.NewGlacier(bed, mb)"}, {"bed", "bed := edu.NewBed(3400, 1400, 300)"}, {"mb", "mb := edu.NewMassBalance(ela, 4)"}, {"ela", "ela := 3000.0"}},
			order: []string{"bed", "ela", "mb", "make", "plot"}, dependents: map[string][]string{"ela": {"mb", "make", "plot"}, "bed": {"make", "plot"}},
		},
		{
			name:  "independent cells keep their order; a function's local does not depend",
			cells: cells{{"a", "x := 1"}, {"b", "func f() int { x := 2; return x }"}, {"c", "z := 5"}, {"d", "w := f() + z"}},
			order: []string{"a", "b", "c", "d"}, dependents: map[string][]string{"a": nil, "b": {"d"}, "c": {"d"}},
		},
		{
			name:     "a name redefined by another cell is an error on both",
			cells:    cells{{"a", "x := 1"}, {"b", "x := 2"}, {"c", "y := x"}},
			problems: []string{"a: x is also defined by cell b", "b: x is also defined by cell a"},
		},
		{
			name:  "a deleted cell's names are gone: its users depend on nothing",
			cells: cells{{"b", "y := x + 1"}, {"c", "z := y * 2"}},
			order: []string{"b", "c"}, dependents: map[string][]string{"b": {"c"}},
		},
		{
			name:     "a cycle is an error on each of its cells",
			cells:    cells{{"a", "x := y + 1"}, {"b", "y := x + 1"}, {"c", "z := 1"}},
			problems: []string{"a: is in a cycle of cells a, b: it uses y of cell b", "b: is in a cycle of cells a, b: it uses x of cell a"},
		},
		{
			name:  "a cycle whose cells are not in its order names what each uses",
			cells: cells{{"a", "x := z + 1"}, {"b", "y := x + 1"}, {"c", "z := y + 1"}},
			problems: []string{"a: is in a cycle of cells a, b, c: it uses z of cell c", "b: is in a cycle of cells a, b, c: it uses x of cell a",
				"c: is in a cycle of cells a, b, c: it uses y of cell b"},
		},
		{
			name:     "a cell that does not parse is an error on it",
			cells:    cells{{"a", "x := 1"}, {"b", "y := x +"}},
			problems: []string{"b: cannot be read"},
		},
		{
			name:  "types and functions are names too",
			cells: cells{{"use", "v := T{N: size(3)}"}, {"fn", "func size(n int) int { return n * n }"}, {"ty", "type T struct{ N int }"}},
			order: []string{"fn", "ty", "use"}, dependents: map[string][]string{"ty": {"use"}, "fn": {"use"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Build(tc.cells)
			var got []string
			for _, p := range g.Problems() {
				got = append(got, p.Error())
			}
			if len(got) != len(tc.problems) {
				t.Fatalf("problems %q, want %q", got, tc.problems)
			}
			for i, want := range tc.problems {
				cell, frag, _ := strings.Cut(want, ": ")
				if !strings.HasPrefix(got[i], "cell "+cell+": ") || !strings.Contains(got[i], frag) {
					t.Errorf("problem %d: %q, want cell %s and %q", i, got[i], cell, frag)
				}
			}
			order, err := g.Order()
			if tc.order == nil {
				if !errors.Is(err, ErrProblems) {
					t.Errorf("Order: %v %v, want ErrProblems", order, err)
				}
				return
			}
			if err != nil || !slices.Equal(order, tc.order) {
				t.Errorf("Order: %v %v, want %v", order, err, tc.order)
			}
			for id, want := range tc.dependents {
				got, err := g.Dependents(id)
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("Dependents(%s): %v %v, want %v", id, got, err, want)
				}
			}
		})
	}
}

// TestPlan is what the notebook page runs after a cell: the cell and its
// dependents in order, with cells that have a problem (and their users)
// blocked rather than the whole notebook refused. (The page shows every
// cell's Problems; Plan blocks only the cells it would run.)
func TestPlan(t *testing.T) {
	type cells = []Cell
	for _, tc := range []struct {
		name    string
		cells   cells
		ran     []string
		run     []string
		blocked []string // "cell: fragment"
	}{
		{
			name:  "a cell and its dependents, in dependency order",
			cells: cells{{"plot", "fmt.Println(v)"}, {"ela", "ela := 3000.0"}, {"v", "v := ela * 2"}, {"other", "z := 1"}},
			ran:   []string{"ela"}, run: []string{"ela", "v", "plot"},
		},
		{
			name:  "run all: every cell, definitions first",
			cells: cells{{"plot", "fmt.Println(v)"}, {"ela", "ela := 3000.0"}, {"v", "v := ela * 2"}},
			ran:   []string{"plot", "ela", "v"}, run: []string{"ela", "v", "plot"},
		},
		{
			name:  "a name defined twice blocks both cells and their users, not the rest",
			cells: cells{{"a", "x := 1"}, {"b", "x := 2"}, {"c", "y := x"}, {"d", "w := 5"}, {"e", "fmt.Println(w)"}},
			ran:   []string{"a", "d"}, run: []string{"d", "e"},
			blocked: []string{"a: x is also defined by cell b", "c: uses x of cell a, which cannot run"},
		},
		{
			name:  "a cycle blocks its cells",
			cells: cells{{"a", "x := y + 1"}, {"b", "y := x + 1"}, {"c", "z := 1"}},
			ran:   []string{"a", "c"}, run: []string{"c"},
			blocked: []string{"a: is in a cycle", "b: is in a cycle"},
		},
		{
			name:  "a cell that does not parse is blocked; the others run",
			cells: cells{{"a", "x := 1"}, {"b", "y := x +"}, {"c", "fmt.Println(x)"}},
			ran:   []string{"a", "b"}, run: []string{"a", "c"}, blocked: []string{"b: cannot be read"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, blocked, err := Build(tc.cells).Plan(tc.ran...)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(run, tc.run) {
				t.Errorf("run %q, want %q", run, tc.run)
			}
			if len(blocked) != len(tc.blocked) {
				t.Fatalf("blocked %v, want %q", blocked, tc.blocked)
			}
			for i, want := range tc.blocked {
				cell, frag, _ := strings.Cut(want, ": ")
				if blocked[i].Cell != cell || !strings.Contains(blocked[i].Message, frag) {
					t.Errorf("blocked %d: %v, want cell %s and %q", i, blocked[i], cell, frag)
				}
			}
		})
	}
	if _, _, err := Build(nil).Plan("nope"); err == nil || !strings.Contains(err.Error(), "no cell nope") {
		t.Errorf("an unknown cell: %v", err)
	}
}
