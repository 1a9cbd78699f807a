package edu

import (
	"context"
	"errors"
	"testing"
)

func TestSetContextStopsProgress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4)).SetContext(ctx)
	if err := g.ProgressToYear(10); err != nil {
		t.Fatal(err)
	}
	cancel()
	c := g.Copy()
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"ProgressToYear", func() error { return g.ProgressToYear(20) }},
		{"ProgressToEquilibrium", g.ProgressToEquilibrium},
		{"a copy's ProgressToYear", func() error { return c.ProgressToYear(20) }},
		{"a collection's ProgressToYear", func() error { return NewCollection(c).ProgressToYear(20) }},
	} {
		if err := tc.run(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s after cancel: got %v, want context.Canceled", tc.name, err)
		}
	}
	if y := g.Year(); y != 10 {
		t.Errorf("year after cancelled progress = %g, want 10 (nothing done)", y)
	}
}

// resolving is a context that stands for another one, as the kernel's
// "running cell" context does: its own Done never fires.
type resolving struct {
	context.Context // Background: never done
	current         context.Context
}

func (r resolving) Resolve() context.Context { return r.current }

// A progress call resolves such a context when it starts and keeps what
// it got: a call whose cell was cancelled stops, whatever the stand-in
// says later.
func TestProgressResolvesTheContextAtStart(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4)).SetContext(resolving{context.Background(), cancelled})
	if err := g.ProgressToYear(1e7); !errors.Is(err, context.Canceled) {
		t.Fatalf("ProgressToYear under a resolved, cancelled context: %v", err)
	}
}
