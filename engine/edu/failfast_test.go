package edu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
)

// Values that cannot make a bed fail where they are given: NewBed panics
// with a message that names the function, the value and what would be
// right (the kernel shows a cell's panic as the cell's error).
func TestNewBedPanicsOnBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func()
		want string
	}{
		{"negative width", func() { NewBed(3400, 1400, -300) }, "edu.NewBed: width -300 m: want a positive width in metres, such as 300"},
		{"zero width", func() { NewBed(3400, 1400, 0) }, "edu.NewBed: width 0 m: want a positive width"},
		{"NaN width", func() { NewBed(3400, 1400, math.NaN()) }, "edu.NewBed: width NaN m"},
		{"infinite top", func() { NewBed(math.Inf(1), 1400, 300) }, "edu.NewBed: top altitude +Inf m: want a finite altitude in metres above sea level"},
		{"NaN bottom", func() { NewBed(3400, math.NaN(), 300) }, "edu.NewBed: bottom altitude NaN m"},
		{"negative width of a length", func() { NewBedLength(3400, 1400, -1, 10000) }, "edu.NewBedLength: width -1 m"},
		{"negative length", func() { NewBedLength(3400, 1400, 300, -10000) }, "edu.NewBedLength: length -10000 m: want 100 m to 1e+06 m"},
		{"NaN length", func() { NewBedLength(3400, 1400, 300, math.NaN()) }, "edu.NewBedLength: length NaN m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg := fmt.Sprint(r); r == nil || !strings.HasPrefix(msg, tc.want) {
					t.Errorf("panic %v, want %q…", r, tc.want)
				}
			}()
			tc.make()
		})
	}
}

// A year that is not a number fails at once, before anything runs.
func TestProgressToYearNotANumber(t *testing.T) {
	for _, year := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
		err := g.ProgressToYear(year)
		want := fmt.Sprintf("glacier: cannot progress to year %g: want a finite year, such as 100", year)
		if err == nil || err.Error() != want {
			t.Errorf("ProgressToYear(%g): %v, want %s", year, err, want)
		}
		if g.Year() != 0 || g.History().Len() != 0 {
			t.Errorf("ProgressToYear(%g) changed the glacier: year %g, %d records", year, g.Year(), g.History().Len())
		}
	}
}

// atLastRecord fails unless the glacier is where its history ends: a
// whole year, with the volume, area, length and thickness recorded then.
func atLastRecord(t *testing.T, g *Glacier) {
	t.Helper()
	h := g.History()
	n := h.Len() - 1
	if g.Year() != h.Year[n] || g.Year() != math.Floor(g.Year()) {
		t.Fatalf("the glacier is at year %g, its history ends at %g", g.Year(), h.Year[n])
	}
	d := g.Diagnostics()
	if d.Volume != h.Volume[n] || d.Area != h.Area[n] || d.Length != h.Length[n] {
		t.Errorf("diagnostics %+v, last record %g m³ %g m² %g m", d, h.Volume[n], h.Area[n], h.Length[n])
	}
	last := g.StateHistory()[n].Thickness
	for i, v := range g.Model().Thickness(0) {
		if v != last[i] {
			t.Fatalf("thickness at point %d is %g m, recorded %g m", i, v, last[i])
		}
	}
}

// A progress that fails within a year leaves the glacier at the end of
// the last year it completed. The failure comes in year 10: a mass
// balance of 1e300 mm w.e. per m makes the ice infinite (the flux-based
// solver's own steps, linearly implicit, fail in the year's first step;
// explicit steps failed in its second).
func TestFailedProgressEndsAtAWholeYear(t *testing.T) {
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if err := g.ProgressToYear(10); err != nil {
		t.Fatal(err)
	}
	g.MassBalance.Gradient = 1e300
	err := g.ProgressToYear(20)
	if !errors.Is(err, dynamics.ErrNotFinite) || !regexp.MustCompile(`^year 10(\.\d+)?: `).MatchString(err.Error()) {
		t.Fatalf("got %v, want ice that is not finite within year 10", err)
	}
	atLastRecord(t, g)
	// The glacier goes on from there.
	g.MassBalance.Gradient = 4
	if err := g.ProgressToYear(12); err != nil {
		t.Fatal(err)
	}
	atLastRecord(t, g)
}

// countingDone calls f after the n-th call of Done.
type countingDone struct {
	context.Context
	mu    sync.Mutex
	calls int
	n     int
	f     func()
}

func (c *countingDone) Done() <-chan struct{} {
	c.mu.Lock()
	if c.calls++; c.calls == c.n {
		c.f()
	}
	c.mu.Unlock()
	return c.Context.Done()
}

// An interrupted progress leaves the glacier at the end of the last year
// it completed, wherever in a year the interrupt came. The interrupt comes
// from another goroutine once the third year of the call has begun (its
// RunUntil asked for Done): while the glacier steps through a year,
// almost always, or between two years, where the test holds too.
func TestInterruptedProgressEndsAtAWholeYear(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if err := g.ProgressToYear(300); err != nil { // a grown glacier: many steps a year
		t.Fatal(err)
	}
	c := &countingDone{Context: ctx, n: 3, f: func() { go cancel() }}
	if err := g.ProgressToYearContext(c, 1e6); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	atLastRecord(t, g)
}
