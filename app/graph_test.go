package app

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestGraphPlan asks the server what a reactive notebook runs after a
// cell: its dependents in order, with problem cells told and blocked.
func TestGraphPlan(t *testing.T) {
	h := newHarness(t, nil)
	cells := []map[string]string{
		{"id": "plot", "source": "fmt.Println(g)"},
		{"id": "ela", "source": `ela := display.Slider("ELA (m)", 2500, 3500, 10, 3000)`},
		{"id": "glacier", "source": "g := ela.Value() * 2"},
		{"id": "dup1", "source": "x := 1"},
		{"id": "dup2", "source": "x := 2"},
	}
	var ans graphAnswer
	h.doJSON("POST", "/api/graph", map[string]any{"cells": cells, "run": []string{"ela", "dup1"}}, http.StatusOK, &ans)
	if !slices.Equal(ans.Run, []string{"ela", "glacier", "plot"}) {
		t.Errorf("run %q, want ela, glacier, plot", ans.Run)
	}
	if len(ans.Blocked) != 1 || ans.Blocked[0].Cell != "dup1" || !strings.Contains(ans.Blocked[0].Message, "x is also defined by cell dup2") {
		t.Errorf("blocked %+v, want dup1 naming dup2", ans.Blocked)
	}
	if len(ans.Problems) != 2 || ans.Problems[0].Cell != "dup1" || ans.Problems[1].Cell != "dup2" {
		t.Errorf("problems %+v, want one on each of dup1 and dup2", ans.Problems)
	}
	if len(ans.Cells) != 5 || !slices.Equal(ans.Cells[2].DependsOn, []string{"ela"}) || !slices.Equal(ans.Cells[1].Defines, []string{"ela"}) {
		t.Errorf("cells %+v", ans.Cells)
	}
	// Bad requests name what is wrong.
	for _, tc := range []struct {
		body any
		want string
	}{
		{map[string]any{"cells": []map[string]string{{"id": "a"}, {"id": "a"}}}, `cell 2 has the id \"a\"`},
		{map[string]any{"cells": cells, "run": []string{"gone"}}, "no cell gone"},
	} {
		status, out := h.do("POST", "/api/graph", tc.body)
		if status != http.StatusBadRequest || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: %d %s, want 400 with %q", tc.body, status, out, tc.want)
		}
	}
}

// TestSessionWidgetValues sends the reader's widget values with an
// execute frame, as the page does when a slider moves.
func TestSessionWidgetValues(t *testing.T) {
	h := newHarness(t, nil)
	_, c := h.ready("w.ipynb")
	if _, r := c.run("m1", `ela := display.Slider("ELA (m)", 2500, 3500, 10, 3000)`); r.Status != "ok" {
		t.Fatalf("slider cell: %+v", r)
	}
	c.send(map[string]any{"type": "execute", "msg_id": "m2", "cell_id": "c2", "code": "fmt.Println(ela.Value())", "widgets": map[string]any{"ELA (m)": 2740}})
	fs := c.until(replyTo("m2"))
	if got := output(fs, "m2"); got != "2740\n" {
		t.Errorf("the cell that reads the slider printed %q, want the value sent", got)
	}
}
