package app

import (
	"fmt"
	"net/http"

	"github.com/firnglacier/firn/kernel/reactive"
)

// graphCell is a code cell sent to POST /api/graph.
type graphCell struct {
	ID     string `json:"id"`
	Source string `json:"source"`
}

// graphNode is what a cell defines and uses, and the cells it uses names of.
type graphNode struct {
	ID        string   `json:"id"`
	Defines   []string `json:"defines"`
	Uses      []string `json:"uses"`
	DependsOn []string `json:"depends_on"`
}

// graphProblem is a cell's problem (a name defined twice, a cycle, a
// syntax error) or why it is not run.
type graphProblem struct {
	Cell    string `json:"cell"`
	Message string `json:"message"`
}

// graphAnswer is the reactive plan of POST /api/graph.
type graphAnswer struct {
	Cells    []graphNode    `json:"cells"`
	Problems []graphProblem `json:"problems"`
	Run      []string       `json:"run"`
	Blocked  []graphProblem `json:"blocked"`
}

// maxGraphBody bounds a notebook's code sent for its graph.
const maxGraphBody = 16 << 20

// graph is POST /api/graph: the def/use graph of a notebook's code cells
// (kernel/reactive) and, for the cells in run, what to run: those cells
// and their dependents in dependency order, with the cells that cannot
// run (blocked, and why). The notebook page runs a reactive notebook and
// a widget's dependents with it; the kernel does not need to be running.
func (s *Server) graph(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Cells []graphCell `json:"cells"`
		Run   []string    `json:"run"`
	}
	if !decodeJSON(w, r, maxGraphBody, &body) {
		return
	}
	cells := make([]reactive.Cell, len(body.Cells))
	seen := map[string]bool{}
	for i, c := range body.Cells {
		if c.ID == "" || seen[c.ID] {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("graph: cell %d has the id %q, empty or used by another cell", i+1, c.ID))
			return
		}
		seen[c.ID] = true
		cells[i] = reactive.Cell{ID: c.ID, Source: c.Source}
	}
	g := reactive.Build(cells)
	ans := graphAnswer{Cells: []graphNode{}, Problems: []graphProblem{}, Run: []string{}, Blocked: []graphProblem{}}
	for _, n := range g.Nodes {
		ans.Cells = append(ans.Cells, graphNode{ID: n.ID, Defines: orEmpty(n.Defines), Uses: orEmpty(n.Uses), DependsOn: orEmpty(g.DependsOn(n.ID))})
	}
	for _, p := range g.Problems() {
		ans.Problems = append(ans.Problems, graphProblem{p.Cell, p.Message})
	}
	if len(body.Run) > 0 {
		run, blocked, err := g.Plan(body.Run...)
		if err != nil {
			writeError(w, http.StatusBadRequest, "graph: run: "+err.Error())
			return
		}
		ans.Run = orEmpty(run)
		for _, p := range blocked {
			ans.Blocked = append(ans.Blocked, graphProblem{p.Cell, p.Message})
		}
	}
	writeJSON(w, http.StatusOK, ans)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
