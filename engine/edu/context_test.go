package edu

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
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

// switching is a context that stands for whichever context is current,
// as the kernel's "running cell" context does: each method asks the
// current one. next, if set, is called after each Done and makes another
// context current: the moment a cell ends and the next one begins.
type switching struct {
	mu      sync.Mutex
	current context.Context
	next    func(s *switching)
}

func (s *switching) get() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

func (s *switching) set(ctx context.Context) {
	s.mu.Lock()
	s.current = ctx
	s.mu.Unlock()
}

func (s *switching) Done() <-chan struct{} {
	d := s.get().Done()
	if s.next != nil {
		s.next(s)
	}
	return d
}
func (s *switching) Err() error        { return s.get().Err() }
func (s *switching) Value(key any) any { return s.get().Value(key) }
func (s *switching) Deadline() (deadline time.Time, ok bool) {
	return s.get().Deadline()
}

// A progress call reads the context's channel once, when it starts, and
// is stopped by that channel whatever the context says later.
func TestProgressPinsTheContextAtStart(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	running := context.Background() // the next cell: runs on

	t.Run("cell already cancelled, the next one begins as the call starts", func(t *testing.T) {
		// context.WithCancel(s) would read Done (closed), then Err (nil:
		// the next cell runs) and panic "missing cancel error".
		s := &switching{current: cancelled}
		s.next = func(s *switching) { s.set(running) }
		g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4)).SetContext(s)
		if err := g.ProgressToYear(1e7); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if g.Year() != 0 {
			t.Errorf("year %g, want 0", g.Year())
		}
	})

	t.Run("cell interrupted as the call starts, the next one begins", func(t *testing.T) {
		// The cell runs when the call reads its channel, is interrupted at
		// once, and the next cell begins. context.WithCancel(s) would see
		// the closed channel, ask Err, get nil from the next cell and panic;
		// had the interrupt come a moment later, it would have read Done
		// again and attached the call to the next cell.
		cell, interrupt := context.WithCancel(context.Background())
		s := &switching{current: cell}
		s.next = func(s *switching) {
			interrupt()
			s.set(running)
			s.next = nil
		}
		g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4)).SetContext(s)
		if err := g.ProgressToYear(5000); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}
