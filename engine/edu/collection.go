package edu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
)

// Collection is several glaciers compared side by side (OGGM-Edu's
// GlacierCollection). Its glaciers progress in parallel, one goroutine
// per glacier, at most GOMAXPROCS at a time.
//
//	c, _ := edu.Vary(base, "sliding", 0, 5.7e-20, 5.7e-19)
//	c.ProgressToYear(500)
//	fmt.Println(c)           // one table
type Collection struct {
	Glaciers []*Glacier
}

// NewCollection returns a collection of the given glaciers.
func NewCollection(glaciers ...*Glacier) *Collection {
	return &Collection{Glaciers: glaciers}
}

// Add appends glaciers.
func (c *Collection) Add(glaciers ...*Glacier) { c.Glaciers = append(c.Glaciers, glaciers...) }

// Parameters that Vary can change, with their units.
var varyParameters = map[string]string{
	"ela":       "m",
	"gradient":  "mm w.e./m/yr",
	"temp_bias": "K",
	"creep":     "Pa⁻³ s⁻¹",
	"sliding":   "Pa⁻³ m² s⁻¹",
	"width":     "m",
	"slope":     "°",
}

// Vary returns a collection of copies of base that differ in one
// parameter: "ela" (m), "gradient" (mm w.e./m/yr), "temp_bias" (K),
// "creep" (Glen's A, Pa⁻³ s⁻¹), "sliding" (f_s, Pa⁻³ m² s⁻¹), "width"
// (m, every point) or "slope" (degrees: the bed falls at that slope from
// its top altitude, over the same points; OGGM-Edu's lesson on ice on
// an incline). Each glacier is named after its value. Vary several
// parameters by calling Set on the glaciers of the result.
func Vary(base *Glacier, parameter string, values ...float64) (*Collection, error) {
	unit, ok := varyParameters[parameter]
	if !ok {
		var names []string
		for k := range varyParameters {
			names = append(names, k)
		}
		return nil, fmt.Errorf("vary: unknown parameter %q (want one of %s)", parameter, strings.Join(sortStrings(names), ", "))
	}
	c := &Collection{}
	for _, v := range values {
		g := base.Copy()
		if err := g.Set(parameter, v); err != nil {
			return nil, err
		}
		g.Name = fmt.Sprintf("%s = %g %s", parameter, v, unit)
		c.Glaciers = append(c.Glaciers, g)
	}
	return c, nil
}

// Set changes one parameter by name (see Vary). The bed's width and slope
// can only change before the glacier has ice.
func (g *Glacier) Set(parameter string, v float64) error {
	switch parameter {
	case "ela":
		g.MassBalance.ELA = v
	case "gradient":
		g.MassBalance.Gradient, g.MassBalance.GradientAbove = v, 0
		g.MassBalance.Breakpoints, g.MassBalance.Gradients = nil, nil
	case "temp_bias":
		g.MassBalance.TempBias = v
	case "creep":
		g.Creep = v
	case "sliding":
		g.Sliding = v
	case "width":
		if g.model != nil {
			return errors.New("set width: the glacier has ice already (Reset it first)")
		}
		for i := range g.Bed.Width {
			g.Bed.Width[i] = v
		}
	case "slope":
		if g.model != nil {
			return errors.New("set slope: the glacier has ice already (Reset it first)")
		}
		if !(v >= 0 && v < 90) {
			return fmt.Errorf("set slope: %g° (want 0 to 90°, such as 5)", v)
		}
		if len(g.Bed.Altitude) == 0 {
			return errors.New("set slope: the bed has no points")
		}
		top, drop := g.Bed.Altitude[0], math.Tan(v*math.Pi/180)*g.Bed.Dx
		for i := range g.Bed.Altitude {
			g.Bed.Altitude[i] = top - drop*float64(i)
		}
	default:
		return fmt.Errorf("set: unknown parameter %q", parameter)
	}
	return nil
}

// Reset removes the ice and the history of every glacier (Glacier.Reset):
// all are back at year 0, with their beds, mass balances and parameters.
func (c *Collection) Reset() {
	for _, g := range c.Glaciers {
		g.Reset()
	}
}

// ProgressToYear progresses every glacier to the year, in parallel, each
// stopped by its own context (Glacier.SetContext).
func (c *Collection) ProgressToYear(year float64) error {
	return c.each(func(g *Glacier) error { return g.ProgressToYear(year) })
}

// ProgressToYearContext is ProgressToYear, stopped by ctx.
func (c *Collection) ProgressToYearContext(ctx context.Context, year float64) error {
	return c.each(func(g *Glacier) error { return g.ProgressToYearContext(ctx, year) })
}

// ProgressToEquilibrium progresses every glacier to equilibrium, in
// parallel, each stopped by its own context (Glacier.SetContext).
func (c *Collection) ProgressToEquilibrium() error {
	return c.each(func(g *Glacier) error { return g.ProgressToEquilibrium() })
}

func (c *Collection) each(f func(*Glacier) error) error {
	errs := make([]error, len(c.Glaciers))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, g := range c.Glaciers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(g); err != nil {
				errs[i] = fmt.Errorf("%s: %w", c.label(i), err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *Collection) label(i int) string {
	if n := c.Glaciers[i].Name; n != "" {
		return n
	}
	return fmt.Sprintf("glacier %d", i+1)
}

// Labels returns the glaciers' names (or "glacier N").
func (c *Collection) Labels() []string {
	l := make([]string, len(c.Glaciers))
	for i := range l {
		l[i] = c.label(i)
	}
	return l
}

// Summary returns one table with a row per glacier.
func (c *Collection) Summary() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "glacier\tyear\tvolume km³\tarea km²\tlength km\tELA m\tAAR\tresponse yr\t\n")
	for i, g := range c.Glaciers {
		d := g.Diagnostics()
		ela := "–"
		if g.MassBalance != nil {
			ela = fmt.Sprintf("%.0f", g.MassBalance.ELAAt(g.Year()))
		}
		tau := "–"
		if t, err := g.ResponseTime(); err == nil {
			tau = fmt.Sprintf("%g", t)
		}
		fmt.Fprintf(tw, "%s\t%g\t%.4f\t%.3f\t%.2f\t%s\t%.2f\t%s\t\n", c.label(i), g.Year(), d.Volume/1e9, d.Area/1e6, d.Length/1e3, ela, g.AAR(), tau)
	}
	tw.Flush()
	return b.String()
}

// String is the Summary.
func (c *Collection) String() string { return c.Summary() }

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
