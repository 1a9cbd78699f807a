package compute_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/firnglacier/firn/compute"
)

// tinyTasks are n experiments of a few milliseconds or less: 20 points,
// 10 years.
func tinyTasks(n int) []compute.Task { return sizedTasks(n, 20, 10) }

// sizedTasks are n experiments of the given points and years, with ELAs
// varying over 400 m.
func sizedTasks(n, points, years int) []compute.Task {
	tasks := make([]compute.Task, n)
	for i := range tasks {
		tasks[i] = compute.Task{Name: fmt.Sprintf("run%d.json", i), Data: experimentDoc(points, 2400+float64(i%40)*10, years)}
	}
	return tasks
}

// BenchmarkThroughput runs 1000 experiments per iteration, tiny ones (20
// points, 10 years) and the 100-year runs (100 points): in this
// process on one goroutine per core, and through the embedded broker on
// local worker processes (1 and 2 processes of one goroutine each; 1
// process of one goroutine per core). The figure to compare is
// µs/experiment: the difference from in-process is the overhead of the
// broker, the chunks and the results.
func BenchmarkThroughput(b *testing.B) {
	for _, size := range []struct {
		name          string
		points, years int
	}{{"10y", 20, 10}, {"100y", 100, 100}} {
		b.Run(size.name, func(b *testing.B) { throughput(b, sizedTasks(1000, size.points, size.years)) })
	}
}

func throughput(b *testing.B, tasks []compute.Task) {
	n := len(tasks)
	b.Run("in-process", func(b *testing.B) {
		for b.Loop() {
			runInProcess(b, tasks)
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/experiment")
	})
	for _, c := range []struct{ procs, conc int }{{1, 1}, {2, 1}, {1, runtime.NumCPU()}} {
		b.Run(fmt.Sprintf("workers=%dx%d", c.procs, c.conc), func(b *testing.B) {
			broker, err := compute.StartBroker(compute.BrokerOptions{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer broker.Close()
			auth := compute.Auth{Token: broker.Token()}
			pool, err := compute.NewPool(context.Background(), broker.URL(), auth, compute.PoolOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer pool.Close()
			l := local(c.procs, c.conc, "bench")
			l.Stderr = nil
			w, err := l.Launch(context.Background(), broker.URL(), auth)
			if err != nil {
				b.Fatal(err)
			}
			defer w.Stop()
			b.ResetTimer()
			for b.Loop() {
				job, err := pool.Submit(context.Background(), tasks, compute.SubmitOptions{Workers: w.Count()})
				if err != nil {
					b.Fatal(err)
				}
				results, err := job.Wait(context.Background(), nil)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range results {
					if r.Failed() {
						b.Fatal(r.Err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/experiment")
		})
	}
}

// runInProcess runs tasks in this process on one goroutine per core.
func runInProcess(b *testing.B, tasks []compute.Task) { runInProcessOn(b, tasks, runtime.NumCPU()) }

// runInProcessOn runs tasks in this process on goroutines goroutines.
func runInProcessOn(b *testing.B, tasks []compute.Task, goroutines int) {
	var wg sync.WaitGroup
	next := make(chan compute.Task)
	for range goroutines {
		wg.Go(func() {
			for t := range next {
				if _, err := compute.RunTask(context.Background(), t); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
}

// BenchmarkAttachFirstResult is what a notebook waits for from Attach
// to its first result: an embedded broker started, two local worker
// processes launched and connected, one tiny experiment mapped, and
// Close (workers stopped, broker closed). ms/attach is the figure.
func BenchmarkAttachFirstResult(b *testing.B) {
	b.Setenv("XDG_DATA_HOME", b.TempDir())
	b.Setenv(compute.BrokerURLEnv, "")
	tasks := tinyTasks(1)
	for b.Loop() {
		pool, err := compute.Attach(context.Background(), local(2, 1, "bench"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pool.Map(context.Background(), tasks); err != nil {
			b.Fatal(err)
		}
		if err := pool.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/attach")
}
