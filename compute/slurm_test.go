package compute_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
)

// TestSlurmScript: every knob of the Slurm launcher becomes its #SBATCH
// line, the extra lines follow as given, and the worker gets the broker
// URL, one goroutine per CPU and no token on its command line.
func TestSlurmScript(t *testing.T) {
	s := compute.Slurm{Workers: 8, Partition: "short", Account: "glaciers", QoS: "normal", Time: "2:00:00",
		CPUsPerTask: 4, Mem: "8G", GPUs: "1", Constraint: "haswell",
		Extra: []string{"--mail-type=END", "#SBATCH --exclusive"}, Command: []string{"/opt/firn dir/firn", "worker"}}
	script, err := s.Script("tls://login:4222", compute.Auth{Token: "secret"}, "/scratch/logs")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#!/bin/sh\n", "#SBATCH --job-name=firn-worker\n", "#SBATCH --array=0-7\n", "#SBATCH --cpus-per-task=4\n",
		"#SBATCH --output=/scratch/logs/worker-%A_%a.out\n", "#SBATCH --partition=short\n", "#SBATCH --account=glaciers\n",
		"#SBATCH --qos=normal\n", "#SBATCH --time=2:00:00\n", "#SBATCH --mem=8G\n", "#SBATCH --gpus=1\n",
		"#SBATCH --constraint=haswell\n", "#SBATCH --mail-type=END\n", "#SBATCH --exclusive\n",
		`exec '/opt/firn dir/firn' worker --connect tls://login:4222 --concurrency 4 --name "slurm-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"` + "\n",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q:\n%s", want, script)
		}
	}
	if strings.Contains(script, "secret") {
		t.Errorf("the token is in the script:\n%s", script)
	}
	// #SBATCH lines must come before the first command, or sbatch
	// ignores them.
	if i, j := strings.LastIndex(script, "#SBATCH"), strings.Index(script, "exec "); i > j {
		t.Errorf("an #SBATCH line after the command:\n%s", script)
	}
	if _, err := (compute.Slurm{Extra: []string{"--a\n--b"}}).Script("nats://127.0.0.1:1", compute.Auth{}, "/tmp"); err == nil {
		t.Error("an extra line with a line break was accepted")
	}
}

// TestSlurmLauncher: two workers as a job array on a real single-node
// Slurm run a table of experiments (the numbers of the in-process runs);
// squeue shows them running; Stop cancels the array.
func TestSlurmLauncher(t *testing.T) {
	s := testslurm.Start(t)
	e := start(t, t.TempDir(), 0)
	var tasks []compute.Task
	for i := range 10 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("s%d.json", i), Data: experimentDoc(40, 2450+float64(i)*30, 80)})
	}
	launcher := compute.Slurm{Workers: 2, Partition: "debug", Time: "10", Mem: "300M", JobName: "firn-test",
		Extra: []string{"--comment=firn-test"}, Dir: filepath.Join(s.Dir, "job"),
		Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}}
	w, err := launcher.Launch(context.Background(), e.broker.URL(), compute.Auth{Token: e.broker.Token()})
	if err != nil {
		t.Fatal(err)
	}
	job := w.(*compute.SlurmJob)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = job.Stop()
		}
	})
	pj, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{Workers: w.Count(), ChunkSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	results, err := pj.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	byWorker := map[string]int{}
	for i, r := range results {
		if r.Failed() || !sameHistory(r.History, inProcess(t, tasks[i])) {
			t.Errorf("%s: %q, or its history differs from the in-process run", r.Name, r.Err)
		}
		byWorker[r.Worker]++
	}
	for name := range byWorker {
		if !strings.HasPrefix(name, "slurm-"+job.ID+"_") {
			t.Errorf("a result from worker %q, not one of job %s", name, job.ID)
		}
	}
	t.Logf("results by worker: %v", byWorker)
	// The workers serve until canceled: squeue comes to list both
	// running (the second may have been pending until now).
	testslurm.WaitFor(t, "both workers running in squeue", func() bool {
		st, err := job.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		running := 0
		for _, task := range st {
			if task.State == "RUNNING" {
				running++
			}
		}
		return running == 2 && len(st) == 2
	})
	if err := job.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	// The array ends CANCELLED (the completion log of jobcomp/filetxt).
	testslurm.WaitFor(t, "the canceled array in the completion log", func() bool {
		data, _ := os.ReadFile(filepath.Join(s.Dir, "log", "jobcomp.txt"))
		return strings.Count(string(data), "JobState=CANCELLED") >= 2
	})
	testslurm.WaitFor(t, "squeue to forget the canceled array", func() bool {
		st, err := job.Status(context.Background())
		return err == nil && len(st) == 0
	})
}

// TestMapSlurmJobCancelled: a Map whose Slurm workers are cancelled
// (scancel, as an admin or the time limit would end them) does not wait
// for ever: it ends with an error naming the job and saying what ran,
// the progress display ends "the job left the queue", the experiments
// not run say so, and none stays queued in the broker.
func TestMapSlurmJobCancelled(t *testing.T) {
	s := testslurm.Start(t)
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), compute.Slurm{Workers: 1, Partition: "debug", Time: "10", Mem: "300M",
		Dir: filepath.Join(s.Dir, "job"), Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	job := pool.Workers().(*compute.SlurmJob)
	var v views
	cancelled := false
	v.onUpdate = func(p compute.Progress) {
		// Once some runs are done, the job is cancelled behind the
		// Map's back.
		if p.Done > 0 && !cancelled {
			cancelled = true
			if out, err := exec.Command("scancel", job.ID).CombinedOutput(); err != nil {
				t.Errorf("scancel: %v %s", err, out)
			}
		}
	}
	pool.ShowProgress(v.show)
	var tasks []compute.Task
	for i := range 400 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("long%d.json", i), Data: experimentDoc(200, 2600+float64(i%20), 3000)})
	}
	ens, mapErr := pool.Map(context.Background(), tasks)
	if mapErr == nil || !strings.Contains(mapErr.Error(), "Slurm job "+job.ID+" has left the queue") || !strings.Contains(mapErr.Error(), "not run") {
		t.Fatalf("Map after scancel: %v", mapErr)
	}
	states := v.get(0)
	last := states[len(states)-1]
	if last.State != "workers gone" || !strings.Contains(last.Title(), "the job left the queue") {
		t.Errorf("the display ends %+v (%s)", last, last.Title())
	}
	notRun := 0
	for _, r := range ens.Results {
		if strings.HasSuffix(r.Err, "not run: the workers' Slurm job left the queue") {
			notRun++
		}
	}
	if notRun == 0 || notRun != last.Total-last.Done-last.Failed {
		t.Errorf("%d results say not run; the display says %d", notRun, last.Total-last.Done-last.Failed)
	}
	if n := queuedChunks(t, e, last.Job); n != 0 {
		t.Errorf("%d chunks of the job left in the task stream", n)
	}
	t.Logf("%v; display: %s", mapErr, last.Title())
}
