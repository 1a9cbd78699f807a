package compute_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
)

// BenchmarkSlurmEnsemble is the ensemble on a real Slurm (a
// single node of 2 CPUs on loopback, started by the benchmark): N
// experiments of 100 years (100 points; FIRN_SLURM_BENCH_N, default
// 10,000) mapped over a job array of 1 and of 2 workers (one goroutine
// each), against the same runs in this process on as many goroutines.
// It reports both in µs/experiment (wall time), the overhead per task
// in a worker's time beyond the run itself ((Slurm − in-process) ×
// workers / N), the ratio of the totals, and attach-to-first-result:
// from Attach (job submitted, pending, started, workers connected) to
// the first result of a one-run map, on the idle cluster.
//
//	go test -run '^$' -bench SlurmEnsemble -benchtime 1x ./compute
func BenchmarkSlurmEnsemble(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("FIRN_SLURM_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	s := testslurm.Start(b)
	tasks := sizedTasks(n, 100, 100)
	broker, err := compute.StartBroker(compute.BrokerOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer broker.Close()
	for _, kv := range broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		b.Setenv(k, v)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			t0 := time.Now()
			runInProcessOn(b, tasks, workers)
			inProcess := time.Since(t0)
			launcher := compute.Slurm{Workers: workers, CPUsPerTask: 1, Partition: "debug", Time: "10", Mem: "300M", JobName: "firn-bench",
				Dir: filepath.Join(s.Dir, "job"), Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}}
			var slurm, attach time.Duration
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				pool, err := compute.Attach(context.Background(), launcher)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := pool.Map(context.Background(), tasks[:1]); err != nil {
					b.Fatal(err)
				}
				attach = time.Since(t0)
				t1 := time.Now()
				results, err := pool.Map(context.Background(), tasks)
				if err != nil {
					b.Fatal(err)
				}
				slurm = time.Since(t1)
				if f := results.Failed(); len(f) > 0 || results.Len() != n {
					b.Fatalf("%d results, %d failed (%v)", results.Len(), len(f), f)
				}
				if err := pool.Close(); err != nil {
					b.Fatal(err)
				}
			}
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
			b.ReportMetric(per(inProcess), "in-process-µs/exp")
			b.ReportMetric(per(slurm), "slurm-µs/exp")
			b.ReportMetric((per(slurm)-per(inProcess))*float64(workers), "overhead-µs/task")
			b.ReportMetric(float64(slurm)/float64(inProcess), "slurm/in-process")
			b.ReportMetric(float64(attach.Milliseconds()), "attach-first-result-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
