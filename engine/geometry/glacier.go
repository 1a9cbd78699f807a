package geometry

import "fmt"

// Glacier is a main flowline and its tributaries. Lines[Main] is the main
// flowline; every other line flows into a point of another line, possibly
// another tributary.
type Glacier struct {
	// Lines are the flowlines, in the order they were given.
	Lines []*Flowline
	// Main is the index of the main flowline (the one that flows nowhere).
	Main int
	// Order lists the line indices so that every tributary comes before
	// the line it flows into (the main line is last).
	Order []int
	// Into[i] is the index of the line that line i flows into, -1 for the
	// main line.
	Into []int
}

// NewGlacier checks the flowlines and returns the glacier they form. Exactly
// one flowline must have no FlowsTo; names must be unique; every junction
// must name an existing flowline and point; tributaries must not form a
// cycle.
func NewGlacier(lines ...*Flowline) (*Glacier, error) {
	if len(lines) == 0 {
		return nil, fmt.Errorf("glacier has no flowlines")
	}
	g := &Glacier{Lines: lines, Main: -1, Into: make([]int, len(lines))}
	index := make(map[string]int, len(lines))
	for i, fl := range lines {
		if fl == nil {
			return nil, fmt.Errorf("flowline %d is nil", i)
		}
		if err := fl.validate(); err != nil {
			return nil, err
		}
		if _, dup := index[fl.Name]; dup {
			return nil, fmt.Errorf("two flowlines are named %q", fl.Name)
		}
		index[fl.Name] = i
	}
	for i, fl := range lines {
		if fl.FlowsTo == nil {
			if g.Main >= 0 {
				return nil, fmt.Errorf("flowlines %q and %q both flow nowhere: a glacier has one main flowline, tributaries need flows_to", lines[g.Main].Name, fl.Name)
			}
			g.Main, g.Into[i] = i, -1
			continue
		}
		j, ok := index[fl.FlowsTo.Line]
		if !ok {
			return nil, fmt.Errorf("flowline %q flows to %q, which is not a flowline of this glacier", fl.Name, fl.FlowsTo.Line)
		}
		if j == i {
			return nil, fmt.Errorf("flowline %q flows into itself", fl.Name)
		}
		if p := fl.FlowsTo.Point; p < 0 || p >= lines[j].Len() {
			return nil, fmt.Errorf("flowline %q flows to point %d of %q, which has points 0 to %d", fl.Name, p, lines[j].Name, lines[j].Len()-1)
		}
		if lines[j].Dx != fl.Dx {
			return nil, fmt.Errorf("flowline %q has dx %g m but flows into %q with dx %g m: all flowlines of a glacier share one dx", fl.Name, fl.Dx, lines[j].Name, lines[j].Dx)
		}
		g.Into[i] = j
	}
	if g.Main < 0 {
		return nil, fmt.Errorf("every flowline flows into another one: one (the main flowline) must have no flows_to")
	}
	// Order by depth below the main line, deepest first, so that each
	// tributary precedes its receiver. A line that never reaches the main
	// line is part of a cycle.
	depth := make([]int, len(lines))
	maxDepth := 0
	for i := range lines {
		d, j := 0, i
		for j != g.Main {
			j = g.Into[j]
			d++
			if d > len(lines) {
				return nil, fmt.Errorf("flowline %q is part of a cycle of tributaries", lines[i].Name)
			}
		}
		depth[i] = d
		maxDepth = max(maxDepth, d)
	}
	for d := maxDepth; d >= 0; d-- {
		for i := range lines {
			if depth[i] == d {
				g.Order = append(g.Order, i)
			}
		}
	}
	return g, nil
}

// MainLine returns the main flowline.
func (g *Glacier) MainLine() *Flowline { return g.Lines[g.Main] }

// Points returns the number of points of all flowlines together.
func (g *Glacier) Points() int {
	n := 0
	for _, fl := range g.Lines {
		n += fl.Len()
	}
	return n
}
