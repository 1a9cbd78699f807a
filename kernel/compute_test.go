//go:build linux

package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/internal/testslurm"
	"github.com/firnglacier/firn/kernel/protocol"
	"github.com/firnglacier/firn/plots"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// baseExperiment is the experiment the compute tests vary: a small
// idealized glacier run for 100 years.
const baseExperiment = `{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 40}, "width_m": 300}],
 "mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3}, "years": {"end": 100}}`

// computeKernel starts a kernel as `firn serve` does for remote compute:
// with a broker of the server's in its environment. It returns the
// kernel, the broker and the workspace (holding base.json).
func computeKernel(t *testing.T, opts Options) (*Kernel, context.Context, *compute.Broker, string) {
	t.Helper()
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "base.json"), []byte(baseExperiment), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.Dir = ws
	opts.Env = append(opts.Env, b.Env()...)
	k, ctx := startKernel(t, opts)
	return k, ctx, b, ws
}

// progressState is the progress bar of a Map as a message carries it.
type progressState struct {
	id string // display id
	compute.Progress
	Title string `json:"title"`
}

// mapProgress returns the progress state a display message carries, if it
// is one of a Map.
func mapProgress(m *protocol.Message) (progressState, bool) {
	if m.Type() != protocol.DisplayData && m.Type() != protocol.UpdateDisplayData {
		return progressState{}, false
	}
	var c protocol.DisplayDataContent
	if m.Decode(&c) != nil {
		return progressState{}, false
	}
	raw, ok := c.Data["application/vnd.firn.progress+json"]
	if !ok {
		return progressState{}, false
	}
	data, _ := json.Marshal(raw)
	var p progressState
	if json.Unmarshal(data, &p) != nil || p.Job == "" {
		return progressState{}, false
	}
	if c.Transient != nil {
		p.id = c.Transient.DisplayID
	}
	return p, true
}

// workerProcesses lists the processes whose command line connects to the
// broker at url (the kernel's workers).
func workerProcesses(t *testing.T, url string) []string {
	t.Helper()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []string
	for _, d := range dirs {
		cmd, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !bytes.Contains(cmd, []byte(url)) {
			continue
		}
		if bytes.HasPrefix(cmd, []byte(os.Args[0])) {
			out = append(out, filepath.Base(d))
		}
	}
	return out
}

// pathData matches the drawing of an SVG path.
var pathData = regexp.MustCompile(`<path d="[^"]*"`)

// cellOK runs a cell that must succeed and returns its output.
func cellOK(t *testing.T, ctx context.Context, k *Kernel, code string) string {
	t.Helper()
	reply, out := run(t, ctx, k, code)
	if reply.Status != "ok" {
		t.Fatalf("cell %q: %s %s\n%s", code, reply.EName, reply.EValue, out)
	}
	return out
}

// inProcessRuns runs the tasks of compute.Vary in this process.
func inProcessRuns(t *testing.T, key string, values []float64) ([]compute.Task, []*dynamics.History) {
	t.Helper()
	tasks, err := compute.Vary(compute.Task{Name: "base.json", Data: []byte(baseExperiment)}, key, values...)
	if err != nil {
		t.Fatal(err)
	}
	hs := make([]*dynamics.History, len(tasks))
	for i, task := range tasks {
		if hs[i], err = compute.RunTask(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	return tasks, hs
}

// TestKernelComputeMap: cells attach two local workers (`firn worker`
// processes the kernel starts), map 200 experiments of an ELA grid with a
// progress display updated in place to all done, get the histories of
// the in-process runs, plot them, and detach, which ends the workers.
func TestKernelComputeMap(t *testing.T) {
	k, ctx, b, ws := computeKernel(t, Options{})
	cellOK(t, ctx, k, `import "firn/compute"
pool, err := compute.Attach(ctx, compute.Local{Workers: 2})
if err != nil { panic(err) }`)
	if procs := workerProcesses(t, b.URL()); len(procs) != 2 {
		t.Errorf("worker processes %v, want 2", procs)
	}
	cellOK(t, ctx, k, `base, err := compute.File("base.json")
if err != nil { panic(err) }
tasks, err := compute.Vary(base, "mass_balance.ela_m", compute.Steps(2400, 3395, 5)...)
if err != nil { panic(err) }`)

	var mu sync.Mutex
	var states []progressState
	var msgs []string
	reply, err := k.Execute(ctx, `runs, err := pool.Map(ctx, tasks)
if err != nil { panic(err) }
fmt.Println(runs)`, func(m *protocol.Message) {
		mu.Lock()
		defer mu.Unlock()
		msgs = append(msgs, m.Type())
		if p, ok := mapProgress(m); ok {
			if len(states) == 0 && m.Type() != protocol.DisplayData {
				t.Errorf("the first progress is a %s, want display_data", m.Type())
			}
			states = append(states, p)
		}
	})
	if err != nil || reply.Status != "ok" {
		t.Fatalf("map: %v %+v (%v)", err, reply, msgs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(states) < 4 {
		t.Fatalf("%d progress displays, want the first and several updates: %+v", len(states), states)
	}
	rising := 0
	for i, s := range states {
		if s.id == "" || s.id != states[0].id {
			t.Errorf("progress %d has display id %q, want the first's %q", i, s.id, states[0].id)
		}
		if i > 0 && s.Done < states[i-1].Done {
			t.Errorf("done went back from %d to %d", states[i-1].Done, s.Done)
		}
		if i > 0 && s.Done > states[i-1].Done {
			rising++
		}
	}
	first, last := states[0], states[len(states)-1]
	if first.Done != 0 || first.Total != 200 || !strings.HasPrefix(first.Title, "2 local workers: ") {
		t.Errorf("first progress %+v", first)
	}
	if rising < 3 {
		t.Errorf("done rose %d times, want several updates on the way: %+v", rising, states)
	}
	if last.State != "done" || last.Done != 200 || last.Failed != 0 || last.Title != "2 local workers: done, 200 of 200, 0 failed" {
		t.Errorf("last progress %+v", last)
	}
	t.Logf("%d progress updates for 200 experiments", len(states))

	// The histories, as the cells have them, are the in-process runs'.
	cellOK(t, ctx, k, `import "encoding/json"
data, err := json.Marshal(runs.Histories())
if err != nil { panic(err) }
os.WriteFile("runs.json", data, 0o644)`)
	checkRuns(t, ws, "mass_balance.ela_m", compute.Steps(2400, 3395, 5))
	tasks, want := inProcessRuns(t, "mass_balance.ela_m", compute.Steps(2400, 3395, 5))

	// The plot of the ensemble is the plot of the in-process runs: the
	// same 200 lines.
	var fig protocol.DisplayDataContent
	reply, err = k.Execute(ctx, `fig, err := plots.TimeSeries(runs.Histories(), runs.Labels(), plots.TimeSeriesOptions{Quantity: plots.Length})
if err != nil { panic(err) }
fig`, func(m *protocol.Message) {
		if m.Type() == protocol.ExecuteResult {
			_ = m.Decode(&fig)
		}
	})
	if err != nil || reply.Status != "ok" {
		t.Fatalf("plot: %v %+v", err, reply)
	}
	labels := make([]string, len(tasks))
	for i, task := range tasks {
		labels[i] = task.Label
	}
	wantFig, err := plots.TimeSeries(want, labels, plots.TimeSeriesOptions{Quantity: plots.Length})
	if err != nil {
		t.Fatal(err)
	}
	mime, err := wantFig.MIME()
	if err != nil {
		t.Fatal(err)
	}
	// The notebook's SVG is sanitized (re-serialized), so compare what is
	// drawn: every path, in order.
	svg, _ := fig.Data["image/svg+xml"].(string)
	gotPaths, wantPaths := pathData.FindAllString(svg, -1), pathData.FindAllString(string(mime["image/svg+xml"]), -1)
	if len(gotPaths) < 200 || !reflect.DeepEqual(gotPaths, wantPaths) {
		t.Errorf("the ensemble's plot draws %d paths, the in-process runs' %d, or they differ", len(gotPaths), len(wantPaths))
	}
	if !strings.Contains(svg, "ela_m = 2400") || !strings.Contains(svg, "ela_m = 3395") {
		t.Error("the plot's legend lacks the runs' labels")
	}

	// The results table: a row per run, shown as a table.
	var table protocol.DisplayDataContent
	reply, err = k.Execute(ctx, `runs.Summary()[:2]`, func(m *protocol.Message) {
		if m.Type() == protocol.ExecuteResult {
			_ = m.Decode(&table)
		}
	})
	html, _ := table.Data["text/html"].(string)
	if err != nil || reply.Status != "ok" || !strings.Contains(html, "volume (km³)") || !strings.Contains(html, "ela_m = 2405") {
		t.Errorf("the results table: %v %+v\n%s", err, reply, html)
	}
	last2 := want[1]
	if v := fmt.Sprint(last2.Volume[last2.Len()-1] / 1e9); !strings.Contains(html, ">"+v+"<") {
		t.Errorf("the table lacks the second run's volume %s km³:\n%s", v, html)
	}

	// Detaching ends the workers.
	cellOK(t, ctx, k, `if err := pool.Close(); err != nil { panic(err) }`)
	if procs := workerProcesses(t, b.URL()); len(procs) != 0 {
		t.Errorf("worker processes %v after Close", procs)
	}
}

// TestKernelComputeInterrupt: interrupting a cell in the middle of a Map
// cancels what had not run (nothing of its job stays queued or running
// in the broker); the kernel and the pool go on, and Close ends the
// workers.
func TestKernelComputeInterrupt(t *testing.T) {
	k, ctx, b, _ := computeKernel(t, Options{})
	cellOK(t, ctx, k, `import "firn/compute"
pool, err := compute.Attach(ctx, compute.Local{Workers: 1, Concurrency: 1})
if err != nil { panic(err) }
keep := 7`)
	nc, err := nats.Connect(b.URL(), nats.Token(b.Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	cancelled := make(chan string, 1)
	if _, err := nc.Subscribe("firn.cancel.*", func(m *nats.Msg) { cancelled <- strings.TrimPrefix(m.Subject, "firn.cancel.") }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var job string
	// 40 runs of 2,000 years, 2 to a chunk: the interrupt comes when the
	// first chunk is done, long before the last.
	reply, err := k.Execute(ctx, `base, _ := compute.File("base.json")
tasks, err := compute.Vary(base, "years.end", compute.Steps(2000, 2039, 1)...)
if err != nil { panic(err) }
runs, err := pool.Map(ctx, tasks)`, func(m *protocol.Message) {
		if p, ok := mapProgress(m); ok && p.Done > 0 {
			once.Do(func() {
				job = p.Job
				if err := k.Interrupt(); err != nil {
					t.Error(err)
				}
			})
		}
	})
	if err != nil || reply.Status != "error" || reply.EName != "Interrupted" {
		t.Fatalf("reply %+v, err %v", reply, err)
	}
	if job == "" {
		t.Fatal("no progress with a run done before the cell ended")
	}
	select {
	case got := <-cancelled:
		if got != job {
			t.Errorf("job %s cancelled, want %s", got, job)
		}
	case <-ctx.Done():
		t.Fatal("the interrupted Map did not cancel its job")
	}
	js, _ := jetstream.New(nc)
	s, err := js.Stream(ctx, "FIRN_TASKS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter("firn.tasks."+job))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Errorf("%d chunks of the interrupted Map left in the task stream", info.State.Msgs)
	}
	// The chunk the worker was running is stopped too (terminated, not
	// run to its end): nothing stays pending. The broker reports it only
	// when asked.
	cons, err := js.Consumer(ctx, "FIRN_TASKS", "firn-workers")
	if err != nil {
		t.Fatal(err)
	}
	for {
		ci, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.NumAckPending == 0 && ci.NumPending == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("chunks still pending after the interrupt: %+v", ci)
		case <-time.After(50 * time.Millisecond):
		}
	}
	// The kernel, its variables and the pool are still there. (The
	// interrupted Map's last update of its display, "interrupted", may
	// come during this cell: the kernel sends updates with the request
	// running when they are made.)
	if out := cellOK(t, ctx, k, `keep`); !strings.Contains(out, "[execute_result] 7\n") {
		t.Errorf("after the interrupt: %q", out)
	}
	out := cellOK(t, ctx, k, `again, err := pool.Map(ctx, tasks[:3])
if err != nil { panic(err) }
fmt.Println(again)`)
	if !strings.Contains(out, "3 runs, 3 done, 0 failed") {
		t.Errorf("a Map after the interrupt: %q", out)
	}
	cellOK(t, ctx, k, `pool.Close()`)
	if procs := workerProcesses(t, b.URL()); len(procs) != 0 {
		t.Errorf("worker processes %v after Close", procs)
	}
}

// TestKernelComputeSandbox: sandboxed cells reach only the kernel's
// broker, through Attach, and start only `firn worker`.
func TestKernelComputeSandbox(t *testing.T) {
	k, ctx, _, _ := computeKernel(t, Options{})
	cellOK(t, ctx, k, `import "firn/compute"`)
	for _, tc := range []struct{ code, want string }{
		{`compute.Connect("nats://127.0.0.1:4222", compute.Auth{}, "x")`, "compute.Connect is not available in Firn's sandbox"},
		{`compute.NewPool(ctx, "nats://127.0.0.1:4222", compute.Auth{}, compute.PoolOptions{})`, "compute.NewPool is not available in Firn's sandbox"},
		{`compute.Local{Workers: 1, Command: []string{"/bin/sh"}}`, "Command"},
		{`compute.Slurm{Env: []string{"LD_PRELOAD=/x.so"}}`, "Env"},
		// A kubeconfig names a credential plugin that client-go runs here.
		{`compute.Kubernetes{Image: "firn:1", Kubeconfig: "plugin.yaml"}`, "Kubeconfig"},
		// The kernel's broker is on loopback, which pods cannot reach.
		{`if _, err := compute.Attach(ctx, compute.Kubernetes{Image: "firn:1"}); err != nil { panic(err) }`,
			"loopback, which pods in the cluster cannot reach"},
		{`if _, err := compute.Attach(ctx, compute.SSH{Host: "login.example.org", Then: compute.Slurm{}}); err != nil { panic(err) }`, "compute.SSH is not available in Firn's sandbox (it logs in to other machines with your SSH keys and agent)"},
	} {
		reply, out := run(t, ctx, k, tc.code)
		if reply.Status != "error" || !strings.Contains(out, tc.want) {
			t.Errorf("%s: %s\n%s", tc.code, reply.Status, out)
		}
	}
}

// TestKernelComputeSlurm: a cell attaches three Slurm workers to a real
// single-node Slurm of two CPUs; while one waits in the queue the
// progress display says so, with Slurm's job id, reason and start
// estimate; the Map gives the in-process runs, and Close cancels the job.
func TestKernelComputeSlurm(t *testing.T) {
	testslurm.Start(t)
	k, ctx, b, ws := computeKernel(t, Options{PassEnv: []string{"SLURM_CONF"}})
	attached := time.Now()
	var firstResult time.Duration
	cellOK(t, ctx, k, `import (
	"encoding/json"
	"firn/compute"
)
pool, err := compute.Attach(ctx, compute.Slurm{Workers: 3, Partition: "debug", Time: "10", Mem: "300M"})
if err != nil { panic(err) }
job := pool.Workers().(*compute.SlurmJob)`)
	var mu sync.Mutex
	var states []progressState
	reply, err := k.Execute(ctx, `base, _ := compute.File("base.json")
tasks, err := compute.Vary(base, "years.end", compute.Steps(3000, 3059, 1)...)
if err != nil { panic(err) }
runs, err := pool.Map(ctx, tasks)
if err != nil { panic(err) }
data, _ := json.Marshal(runs.Histories())
os.WriteFile("runs.json", data, 0o644)`, func(m *protocol.Message) {
		if p, ok := mapProgress(m); ok {
			mu.Lock()
			states = append(states, p)
			if p.Done > 0 && firstResult == 0 {
				firstResult = time.Since(attached)
			}
			mu.Unlock()
		}
	})
	if err != nil || reply.Status != "ok" {
		t.Fatalf("map on Slurm: %v %+v", err, reply)
	}
	out := cellOK(t, ctx, k, `job.ID`)
	id := strings.Trim(strings.TrimPrefix(strings.TrimSpace(out), "[execute_result] "), `"`)
	mu.Lock()
	defer mu.Unlock()
	pending := false
	for _, p := range states {
		if !strings.HasPrefix(p.Title, "Slurm job "+id) {
			t.Errorf("progress title %q does not name Slurm job %s", p.Title, id)
		}
		// At most two workers run on the node's two CPUs, so at every
		// look of squeue at least one waits, with the reason Slurm gives
		// (None until its scheduler has looked, then Resources) and its
		// start estimate (N/A until it has one): the bar shows them.
		// (Whether a look falls while two run depends on how long the
		// 60 runs take: with Firn's implicit steps they can all be done
		// within the second between two looks.)
		if p.WorkersPending >= 1 && p.WorkersRunning+p.WorkersPending == 3 && p.Reason != "" && p.Start != "" &&
			strings.Contains(p.Title, fmt.Sprintf("Slurm job %s, %d %s running, %d pending (%s, start %s)", id, p.WorkersRunning, map[bool]string{true: "worker", false: "workers"}[p.WorkersRunning == 1], p.WorkersPending, p.Reason, p.Start)) {
			pending = true
		}
		if p.WorkersRunning > 2 {
			t.Errorf("progress %q: more workers running than the node's 2 CPUs", p.Title)
		}
	}
	if !pending {
		t.Errorf("no progress showed a pending worker with its reason and start estimate: %+v", states)
	}
	if last := states[len(states)-1]; last.State != "done" || last.Done != 60 {
		t.Errorf("last progress %+v", last)
	}
	t.Logf("titles: first %q, last %q", states[0].Title, states[len(states)-1].Title)
	t.Logf("from Attach to the first result: %v (sbatch, the workers started by Slurm and connected, a chunk of 5 runs)", firstResult)
	checkRuns(t, ws, "years.end", compute.Steps(3000, 3059, 1))
	// Slurm gives a job the limits of the process that submitted it; the
	// kernel's cap on its address space (its memory limit) must not
	// reach the workers, whose memory Slurm governs.
	workers := workerProcesses(t, b.URL())
	if len(workers) != 2 {
		t.Errorf("worker processes %v, want 2", workers)
	}
	for _, pid := range workers {
		limits, _ := os.ReadFile("/proc/" + pid + "/limits")
		for _, l := range strings.Split(string(limits), "\n") {
			if f := strings.Fields(strings.TrimPrefix(l, "Max address space")); len(f) == 3 && f[0] != f[1] {
				t.Errorf("Slurm worker %s has the kernel's address-space cap: %s", pid, l)
			}
		}
	}
	cellOK(t, ctx, k, `pool.Close()`)
	testslurm.WaitFor(t, "squeue to forget the cancelled workers", func() bool {
		o, err := exec.Command("squeue", "-h", "-j", id).Output()
		return err == nil && strings.TrimSpace(string(o)) == ""
	})
}

// checkRuns compares the histories a cell wrote to runs.json with the
// in-process runs of the base experiment varied at key.
func checkRuns(t *testing.T, ws, key string, values []float64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ws, "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []*dynamics.History
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	tasks, want := inProcessRuns(t, key, values)
	if len(got) != len(want) {
		t.Fatalf("%d histories, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Year, want[i].Year) || !reflect.DeepEqual(got[i].Volume, want[i].Volume) ||
			!reflect.DeepEqual(got[i].Length, want[i].Length) || !reflect.DeepEqual(got[i].Area, want[i].Area) {
			t.Errorf("%s: the history differs from the in-process run", tasks[i].Name)
		}
	}
}

// TestKernelComputeOwnBroker: a kernel given no broker (`firn repl`, `firn
// run`) attaches all the same: compute.Attach starts one in the kernel.
// The kernel is confined (Landlock) to writing its workspace and its
// temporary folder, so the broker's streams go to the temporary folder,
// not to the user's data folder.
func TestKernelComputeOwnBroker(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "base.json"), []byte(baseExperiment), 0o644); err != nil {
		t.Fatal(err)
	}
	k, ctx := startKernel(t, Options{Dir: ws})
	out := cellOK(t, ctx, k, `import "firn/compute"
pool, err := compute.Attach(ctx, compute.Local{Workers: 1})
if err != nil { panic(err) }
base, _ := compute.File("base.json")
tasks, _ := compute.Vary(base, "mass_balance.ela_m", 2500, 2600, 2700)
runs, err := pool.Map(ctx, tasks)
if err != nil { panic(err) }
fmt.Println(runs)
pool.Close()`)
	if !strings.Contains(out, "3 runs, 3 done, 0 failed") {
		t.Errorf("output %q", out)
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "firn")); !os.IsNotExist(err) {
		t.Errorf("the confined kernel wrote to the data folder: %v", err)
	}
}
