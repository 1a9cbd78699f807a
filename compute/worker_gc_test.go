package compute

import (
	"context"
	"runtime/debug"
	"testing"
)

// TestWorkerGCPercent: while a worker runs its tasks the process's
// garbage collector target is DefaultWorkerGCPercent (or the Worker's),
// and it is the process's own again after Run; $GOGC, or a negative
// GCPercent, leaves it alone.
func TestWorkerGCPercent(t *testing.T) {
	b, err := StartBroker(BrokerOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	auth := Auth{Token: b.Token()}
	pool, err := NewPool(context.Background(), b.URL(), auth, PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	current := func() int { gc := debug.SetGCPercent(100); debug.SetGCPercent(gc); return gc }
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	for _, c := range []struct {
		name      string
		gogc      string
		gcPercent int
		want      int
	}{
		{"default", "", 0, DefaultWorkerGCPercent},
		{"the worker's", "", 250, 250},
		{"left alone", "", -1, 100},
		{"$GOGC", "150", 0, 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOGC", c.gogc)
			seen := make(chan int, 1)
			ctx, cancel := context.WithCancel(context.Background())
			w := &Worker{URL: b.URL(), Auth: auth, Concurrency: 1, GCPercent: c.gcPercent,
				Notebooks: func(context.Context, Task) ([]byte, error) { seen <- current(); return []byte("{}"), nil }}
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			job, err := pool.Submit(context.Background(), []Task{{Name: "n.ipynb", Kind: KindNotebook}}, SubmitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := job.Wait(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := <-seen; got != c.want {
				t.Errorf("during the task the GC target was %d, want %d", got, c.want)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if got := current(); got != 100 {
				t.Errorf("after Run the GC target is %d, want the process's 100", got)
			}
		})
	}
}
