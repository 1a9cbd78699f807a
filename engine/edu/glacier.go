package edu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/firnglacier/firn/engine/constants"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
)

// Glacier is a glacier on a Bed under a MassBalance (OGGM-Edu's Glacier).
// It starts without ice at year 0; ProgressToYear and
// ProgressToEquilibrium grow it and record its history every year.
//
//	g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
//	g.ProgressToYear(200)
//	fmt.Println(g)            // a one-screen summary
type Glacier struct {
	// Name labels the glacier in collections and plots.
	Name string
	// Bed and MassBalance are what the glacier flows over and lives on.
	// The mass balance may be changed between two progress calls (e.g.
	// a new temperature step); the bed is fixed once the glacier has ice.
	Bed         *Bed
	MassBalance *MassBalance
	// Creep is Glen's creep parameter A, Pa⁻³ s⁻¹ (ice softness).
	Creep float64
	// Sliding is the basal sliding parameter f_s, Pa⁻³ m² s⁻¹.
	Sliding float64
	// LengthThreshold is the ice thickness, m, above which a point of the
	// bed counts towards the glacier's length (History.Length,
	// Diagnostics, Summary); DefaultLengthThreshold unless set. Area and
	// volume count all ice.
	LengthThreshold float64

	ctx        context.Context // stops the progress methods; nil means never
	model      *dynamics.Model
	saved      *dynamics.Model // the model at the start of the current year
	history    History
	states     []State
	equilibria []Equilibrium
	surge      *surgeCycle
}

// History is what a glacier records every year.
type History struct {
	// Year, years.
	Year []float64
	// Volume, m³; Area, m²; Length, m.
	Volume, Area, Length []float64
	// ELA is the equilibrium-line altitude of the year, m a.s.l.
	ELA []float64
	// SpecificBalance is the glacier-wide mass balance of the year, m w.e.
	SpecificBalance []float64
}

// Len returns the number of recorded years.
func (h *History) Len() int { return len(h.Year) }

// Dynamics returns the history as the engine's (for plots).
func (h *History) Dynamics() *dynamics.History {
	return &dynamics.History{Year: h.Year, Volume: h.Volume, Area: h.Area, Length: h.Length}
}

// State is the glacier along its bed at one time.
type State struct {
	// Year, years.
	Year float64
	// Thickness of the ice, m; Surface altitude, m a.s.l.
	Thickness, Surface []float64
	// Velocity of the ice, m per year (depth-averaged, positive down-glacier).
	Velocity []float64
	// Width of the ice surface (of the bed where there is no ice), m.
	Width []float64
}

// Equilibrium is a steady state the glacier reached.
type Equilibrium struct {
	// Year the equilibrium was reached, years.
	Year float64
	// Volume, m³; Area, m²; Length, m; ELA, m a.s.l.
	Volume, Area, Length, ELA float64
}

// NewGlacier returns a glacier without ice on bed under mb, with OGGM's
// default ice (A = 2.4e-24 Pa⁻³ s⁻¹) and no sliding.
func NewGlacier(bed *Bed, mb *MassBalance) *Glacier {
	return &Glacier{Bed: bed, MassBalance: mb, Creep: constants.GlenA, LengthThreshold: DefaultLengthThreshold}
}

// DefaultLengthThreshold is a new glacier's LengthThreshold, m: ice
// thinner than this does not count towards its length. OGGM counts ice
// over 2 m for real glaciers (min_ice_thick_for_length), whose ice is
// decades old when a run starts. A teaching glacier grows from a bare
// bed, where any ice counts from year 1: one year's snow, up to 1–2 m
// w.e. over the whole accumulation area, made the length jump to the ELA
// at once (4 km on NewBed(3400, 1400, 300) under an ELA of 3000 m) and
// stay there for a century. 10 m is about five to ten years of the
// accumulation such a glacier gets, and thin enough that a glacier's
// length in equilibrium is that of its ice to within a point or two of
// the bed (ice thins to zero within 1–2 points at the front).
const DefaultLengthThreshold = 10.0

// length returns the length of ice thicker than the glacier's
// LengthThreshold along the bed, m.
func (g *Glacier) length(thick []float64) float64 {
	n := 0
	for _, h := range thick {
		if h > g.LengthThreshold {
			n++
		}
	}
	return float64(n) * g.Bed.Dx
}

// start makes the model on first use and records year 0.
func (g *Glacier) start() error {
	if g.model != nil {
		return nil
	}
	if g.Bed == nil || g.MassBalance == nil {
		return errors.New("glacier: it needs a Bed and a MassBalance")
	}
	fl, err := g.Bed.Flowline()
	if err != nil {
		return err
	}
	gl, err := geometry.NewGlacier(fl)
	if err != nil {
		return err
	}
	if !(g.LengthThreshold >= 0) || math.IsInf(g.LengthThreshold, 0) {
		return fmt.Errorf("glacier: length threshold %g m (want 0 or more metres of ice, such as %g)", g.LengthThreshold, DefaultLengthThreshold)
	}
	p := dynamics.DefaultParams()
	p.GlenA, p.SlidingFs = g.Creep, g.Sliding
	p.LengthThreshold = g.LengthThreshold
	m, err := dynamics.NewModel(gl, &g.MassBalance.Linear, p, 0)
	if err != nil {
		return fmt.Errorf("glacier: %w", err)
	}
	g.model = m
	g.record()
	return nil
}

// record appends the current year to the history and the state history.
func (g *Glacier) record() {
	m := g.model
	d := g.Diagnostics()
	h := &g.history
	h.Year = append(h.Year, d.Year)
	h.Volume = append(h.Volume, d.Volume)
	h.Area = append(h.Area, d.Area)
	h.Length = append(h.Length, d.Length)
	h.ELA = append(h.ELA, g.MassBalance.ELAAt(d.Year))
	h.SpecificBalance = append(h.SpecificBalance, m.SpecificBalance())
	p := m.Profile(0)
	u := m.Velocity(0)
	for i := range u {
		u[i] *= constants.SecondsPerYear
	}
	g.states = append(g.states, State{Year: d.Year, Thickness: p.Thickness, Surface: p.Surface, Velocity: u, Width: p.Width})
}

// sync passes parameter changes made between calls to the model, and
// applies the surge cycle for the coming year.
func (g *Glacier) sync() error {
	if err := g.model.SetMassBalance(&g.MassBalance.Linear); err != nil {
		return err
	}
	fs := g.Sliding
	if g.surge != nil && g.surge.surging(g.model.Year()) {
		fs = g.surge.sliding
	}
	if p := g.model.Params(); p.GlenA != g.Creep || p.SlidingFs != fs {
		return g.model.SetFlow(g.Creep, fs)
	}
	return nil
}

// SetContext sets the context that stops ProgressToYear and
// ProgressToEquilibrium (and the glacier's copies), so that code that
// calls them without a context can still be interrupted. Firn's kernel
// binds every glacier a cell makes to the running cell's context. It
// returns g.
//
// Each progress call reads ctx.Done once, when it starts, and is stopped
// by that channel only. A context whose Done channel changes from call to
// call (the kernel's "running cell" context is one: its channel is the
// current cell's) therefore stops a call with the channel it had when the
// call started: a call that an interrupted cell abandoned stops even after
// the next cell has begun.
func (g *Glacier) SetContext(ctx context.Context) *Glacier {
	g.ctx = ctx
	return g
}

// callContext returns the context of one progress call: the glacier's,
// with the Done channel it has now.
func (g *Glacier) callContext() context.Context {
	if g.ctx == nil {
		return context.Background()
	}
	return pinned(g.ctx)
}

// pinnedContext is a context with the Done channel its parent had when it
// was made. context.WithCancel does not give that: it calls the parent's
// Done up to three times and its Err once more (context.propagateCancel),
// so a parent whose channel changes in between gets the child attached to
// its new channel, or makes WithCancel panic when Err reports no error for
// the closed channel that Done returned a moment before.
type pinnedContext struct {
	context.Context
	done <-chan struct{}
}

func pinned(parent context.Context) pinnedContext {
	return pinnedContext{Context: parent, done: parent.Done()}
}

// Done returns the parent's channel of the moment the context was made.
func (c pinnedContext) Done() <-chan struct{} { return c.done }

// Err is nil until the pinned channel is closed, then the parent's error,
// or context.Canceled if the parent has moved on to a channel that is not
// closed.
func (c pinnedContext) Err() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	if err := c.Context.Err(); err != nil {
		return err
	}
	return context.Canceled
}

// ProgressToYear grows the glacier to the given year, recording every
// year. The context set with SetContext stops it.
func (g *Glacier) ProgressToYear(year float64) error {
	return g.ProgressToYearContext(g.callContext(), year)
}

// ProgressToYearContext is ProgressToYear, stopped by ctx.
//
// A progress that fails or is stopped within a year leaves the glacier as
// it was at the end of the last year it completed (the last one in its
// history), never in the middle of a year.
func (g *Glacier) ProgressToYearContext(ctx context.Context, year float64) error {
	if math.IsNaN(year) || math.IsInf(year, 0) {
		return fmt.Errorf("glacier: cannot progress to year %g: want a finite year, such as %g", year, math.Floor(g.Year())+100)
	}
	if err := g.start(); err != nil {
		return err
	}
	if year < g.Year() {
		return fmt.Errorf("glacier is at year %g already: it cannot go back to %g (use Reset or Copy)", g.Year(), year)
	}
	for g.Year() < year {
		if err := g.sync(); err != nil {
			return err
		}
		if err := runYear(ctx, g.model, &g.saved, min(math.Floor(g.Year())+1, year)); err != nil {
			return err
		}
		g.record()
	}
	return nil
}

// runYear runs model to next (at most the end of its current year),
// saving its state in *saved first (a clone the first time): a year that
// fails or is stopped leaves model as it was at the year's start.
func runYear(ctx context.Context, model *dynamics.Model, saved **dynamics.Model, next float64) error {
	if *saved == nil {
		*saved = model.Clone()
	} else if err := (*saved).CopyFrom(model); err != nil {
		return err
	}
	if err := model.RunUntil(ctx, next); err != nil {
		if rerr := model.CopyFrom(*saved); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

// ProgressToEquilibrium grows the glacier until it stops changing
// (dynamics.Model.RunToEquilibrium's rule: the mean volume of successive
// 50-year windows changes by less than 1e-4) and records the equilibrium.
// It fails after 10 000 years.
func (g *Glacier) ProgressToEquilibrium() error {
	return g.ProgressToEquilibriumContext(g.callContext())
}

// ProgressToEquilibriumContext is ProgressToEquilibrium, stopped by ctx.
func (g *Glacier) ProgressToEquilibriumContext(ctx context.Context) error {
	if err := g.start(); err != nil {
		return err
	}
	const window, tol, maxYears = 50, 1e-4, 10000
	start := g.Year()
	prev := math.NaN()
	for g.Year()-start < maxYears {
		from := g.history.Len()
		if err := g.ProgressToYearContext(ctx, math.Floor(g.Year())+window); err != nil {
			return err
		}
		mean := 0.0
		for _, v := range g.history.Volume[from:] {
			mean += v
		}
		mean /= float64(g.history.Len() - from)
		if !math.IsNaN(prev) && math.Abs(mean-prev) <= tol*max(mean, prev) {
			d := g.Diagnostics()
			g.equilibria = append(g.equilibria, Equilibrium{Year: d.Year, Volume: d.Volume, Area: d.Area, Length: d.Length, ELA: g.MassBalance.ELAAt(d.Year)})
			return nil
		}
		prev = mean
	}
	return fmt.Errorf("glacier: no equilibrium after %d years", maxYears)
}

// Year returns the glacier's current year.
func (g *Glacier) Year() float64 {
	if g.model == nil {
		return 0
	}
	return g.model.Year()
}

// History returns the yearly record (shared, do not modify).
func (g *Glacier) History() *History { return &g.history }

// StateHistory returns the yearly states (shared, do not modify).
func (g *Glacier) StateHistory() []State { return g.states }

// State returns the glacier along its bed now: the last recorded state
// (thickness, surface and velocity at every point). Before the first
// progress it is the bare bed at year 0.
func (g *Glacier) State() State {
	if n := len(g.states); n > 0 {
		return g.states[n-1]
	}
	if err := g.start(); err != nil {
		return State{}
	}
	return g.states[0]
}

// Equilibria returns the equilibrium states reached so far.
func (g *Glacier) Equilibria() []Equilibrium { return g.equilibria }

// Model returns the engine model (nil before the first progress).
func (g *Glacier) Model() *dynamics.Model { return g.model }

// Diagnostics returns the current volume, area and length (of the ice
// thicker than LengthThreshold).
func (g *Glacier) Diagnostics() dynamics.Diagnostics {
	if g.model == nil {
		return dynamics.Diagnostics{}
	}
	d := g.model.Diagnostics()
	d.Length = g.length(g.model.Thickness(0))
	return d
}

// Profile returns the current state along the bed (nil model: bare bed).
func (g *Glacier) Profile() dynamics.Profile {
	if err := g.start(); err != nil {
		return dynamics.Profile{}
	}
	return g.model.Profile(0)
}

// ResponseTime returns the glacier's volume response time, years: after
// the last change of climate, the time the volume took to make 1 − 1/e
// (63 %) of its way from the previous equilibrium to the last one. The
// change is taken to start when the previous equilibrium was reached (the
// OGGM-Edu lessons change the climate right then). It needs two
// equilibria.
func (g *Glacier) ResponseTime() (float64, error) {
	n := len(g.equilibria)
	if n < 2 {
		return 0, fmt.Errorf("response time needs two equilibria (have %d): progress to equilibrium, change the climate, progress to equilibrium again", n)
	}
	e0, e1 := g.equilibria[n-2], g.equilibria[n-1]
	change := e1.Volume - e0.Volume
	if change == 0 {
		return 0, errors.New("response time: the two equilibria have the same volume")
	}
	target := (1 - 1/math.E) * math.Abs(change)
	h := &g.history
	for i, y := range h.Year {
		if y > e0.Year && y <= e1.Year && math.Abs(h.Volume[i]-e0.Volume) >= target {
			return y - e0.Year, nil
		}
	}
	return e1.Year - e0.Year, nil
}

// AAR returns the accumulation-area ratio now: the share of the glacier's
// area above the equilibrium line (0 … 1; NaN without ice).
func (g *Glacier) AAR() float64 {
	if g.model == nil {
		return math.NaN()
	}
	p := g.model.Profile(0)
	ela := g.MassBalance.ELAAt(g.Year())
	acc, area := 0.0, 0.0
	for i, h := range p.Thickness {
		if h > 0 {
			area += p.Width[i]
			if p.Surface[i] > ela {
				acc += p.Width[i]
			}
		}
	}
	if area == 0 {
		return math.NaN()
	}
	return acc / area
}

// Copy returns an independent glacier in the same state, with the same
// history.
func (g *Glacier) Copy() *Glacier {
	c := *g
	bed := *g.Bed
	bed.Altitude = append([]float64(nil), g.Bed.Altitude...)
	bed.Width = append([]float64(nil), g.Bed.Width...)
	c.Bed = &bed
	c.MassBalance = g.MassBalance.Copy()
	c.saved = nil // a checkpoint of its own, made when it progresses
	if g.model != nil {
		c.model = g.model.Clone()
		if err := c.model.SetMassBalance(&c.MassBalance.Linear); err != nil {
			panic(err) // cannot happen: the copy is not nil
		}
	}
	c.history = History{
		Year: clone(g.history.Year), Volume: clone(g.history.Volume), Area: clone(g.history.Area),
		Length: clone(g.history.Length), ELA: clone(g.history.ELA), SpecificBalance: clone(g.history.SpecificBalance),
	}
	c.states = append([]State(nil), g.states...)
	c.equilibria = append([]Equilibrium(nil), g.equilibria...)
	if g.surge != nil {
		s := *g.surge
		c.surge = &s
	}
	return &c
}

func clone(x []float64) []float64 { return append([]float64(nil), x...) }

// Reset removes the ice and the history: the glacier is back at year 0.
func (g *Glacier) Reset() {
	g.model = nil
	g.saved = nil
	g.history = History{}
	g.states = nil
	g.equilibria = nil
}

// Summary returns a one-screen table of the glacier.
func (g *Glacier) Summary() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	name := g.Name
	if name == "" {
		name = "Glacier"
	}
	if g.surge != nil {
		name += fmt.Sprintf(" (surging: %g normal years, %g surging years, f_s %g during a surge)", g.surge.normal, g.surge.surgeYears, g.surge.sliding)
	}
	fmt.Fprintf(tw, "%s\n", name)
	if g.Bed != nil {
		fmt.Fprintf(tw, "  Bed\t%s\n", g.Bed)
	}
	if g.MassBalance != nil {
		fmt.Fprintf(tw, "  Mass balance\t%s\n", strings.TrimPrefix(g.MassBalance.String(), "Mass balance: "))
	}
	fmt.Fprintf(tw, "  Ice\tcreep A %.3g Pa⁻³ s⁻¹, sliding f_s %.3g Pa⁻³ m² s⁻¹\n", g.Creep, g.Sliding)
	d := g.Diagnostics()
	fmt.Fprintf(tw, "  Year\t%g\n", g.Year())
	fmt.Fprintf(tw, "  Volume\t%.4f km³\n", d.Volume/1e9)
	fmt.Fprintf(tw, "  Area\t%.3f km²\n", d.Area/1e6)
	fmt.Fprintf(tw, "  Length\t%.2f km\n", d.Length/1e3)
	if g.model != nil {
		hmax := 0.0
		for _, h := range g.model.Thickness(0) {
			hmax = max(hmax, h)
		}
		fmt.Fprintf(tw, "  Max thickness\t%.0f m\n", hmax)
		fmt.Fprintf(tw, "  ELA\t%.0f m\n", g.MassBalance.ELAAt(g.Year()))
		if aar := g.AAR(); !math.IsNaN(aar) {
			fmt.Fprintf(tw, "  AAR\t%.2f\n", aar)
		}
	}
	for _, e := range g.equilibria {
		fmt.Fprintf(tw, "  Equilibrium\tyear %g: %.4f km³, %.2f km, ELA %.0f m\n", e.Year, e.Volume/1e9, e.Length/1e3, e.ELA)
	}
	if tau, err := g.ResponseTime(); err == nil {
		fmt.Fprintf(tw, "  Response time\t%g years\n", tau)
	}
	tw.Flush()
	return b.String()
}

// String is the Summary.
func (g *Glacier) String() string { return g.Summary() }

// String shows the history as a table of at most about 12 rows (every
// k-th year and the last).
func (h *History) String() string {
	n := h.Len()
	if n == 0 {
		return "empty history"
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "year\tvolume km³\tarea km²\tlength km\tELA m\tbalance m w.e./yr\t\n")
	k := max(1, (n+10)/11)
	for i := 0; i < n; i++ {
		if i%k != 0 && i != n-1 {
			continue
		}
		fmt.Fprintf(tw, "%g\t%.4f\t%.3f\t%.2f\t%.0f\t%+.3f\t\n", h.Year[i], h.Volume[i]/1e9, h.Area[i]/1e6, h.Length[i]/1e3, h.ELA[i], h.SpecificBalance[i])
	}
	tw.Flush()
	return b.String()
}
