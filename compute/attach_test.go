package compute_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/engine/dynamics"
)

// views records what Map shows: one list of states per Map.
type views struct {
	mu   sync.Mutex
	maps [][]compute.Progress
	// onUpdate, when set, is called with every update.
	onUpdate func(compute.Progress)
}

type view struct {
	v *views
	i int
}

func (v view) Update(p compute.Progress) {
	v.v.mu.Lock()
	v.v.maps[v.i] = append(v.v.maps[v.i], p)
	f := v.v.onUpdate
	v.v.mu.Unlock()
	if f != nil {
		f(p)
	}
}

func (v *views) show(p compute.Progress) compute.ProgressView {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.maps = append(v.maps, []compute.Progress{p})
	return view{v, len(v.maps) - 1}
}

func (v *views) get(i int) []compute.Progress {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]compute.Progress(nil), v.maps[i]...)
}

// base is the experiment that the tests vary.
func base() compute.Task {
	return compute.Task{Name: "base.json", Data: experimentDoc(40, 2600, 80)}
}

// checkProgress: the states of a Map start at nothing done, only grow,
// and end all done.
func checkProgress(t *testing.T, states []compute.Progress, total int) {
	t.Helper()
	if len(states) < 3 {
		t.Errorf("%d progress states, want the first, some changes and the last: %+v", len(states), states)
	}
	if s := states[0]; s.Done != 0 || s.Total != total || s.State != "running" {
		t.Errorf("first state %+v", s)
	}
	for i := 1; i < len(states); i++ {
		if states[i].Done < states[i-1].Done {
			t.Errorf("done went back from %d to %d", states[i-1].Done, states[i].Done)
		}
	}
	last := states[len(states)-1]
	if last.Done != total || last.Failed != 0 || last.Running != 0 || last.State != "done" {
		t.Errorf("last state %+v, want all %d done", last, total)
	}
	if title := last.Title(); !strings.Contains(title, "done, "+strconv.Itoa(total)+" of "+strconv.Itoa(total)) {
		t.Errorf("last title %q", title)
	}
}

// TestAttachMap: Attach with the broker the environment names starts
// local worker processes; Map of a parameter grid gives the in-process
// runs, with a progress that grows to all done; Close stops the workers.
func TestAttachMap(t *testing.T) {
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), local(2, 1, "attach"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var v views
	pool.ShowProgress(v.show)
	tasks, err := compute.Vary(base(), "mass_balance.ela_m", compute.Steps(2400, 2990, 10)...)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 60 || tasks[0].Label != "ela_m = 2400" || tasks[59].Label != "ela_m = 2990" {
		t.Fatalf("%d tasks, labels %q … %q", len(tasks), tasks[0].Label, tasks[len(tasks)-1].Label)
	}
	ens, err := pool.Map(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	hs, labels := ens.Histories(), ens.Labels()
	if len(hs) != 60 || len(labels) != 60 || labels[1] != "ela_m = 2410" {
		t.Fatalf("%d histories, %d labels (%q)", len(hs), len(labels), labels)
	}
	for i, task := range tasks {
		if !sameHistory(hs[i], inProcess(t, task)) {
			t.Errorf("%s: history differs from the in-process run", task.Name)
		}
	}
	// The same experiment with the ELA written by hand: Vary changed only it.
	if !sameHistory(hs[20], inProcess(t, compute.Task{Name: "x.json", Data: experimentDoc(40, 2600, 80)})) {
		t.Error("ela 2600 from Vary differs from the experiment written with it")
	}
	states := v.get(0)
	checkProgress(t, states, 60)
	if states[0].Workers != "2 local workers" {
		t.Errorf("workers %q", states[0].Workers)
	}
	procs := pool.Workers().(interface{ Processes() []*os.Process }).Processes()
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if err := p.Signal(syscall.Signal(0)); !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("worker %d after Close: %v", p.Pid, err)
		}
	}
}

// TestAttachOwnBroker: without a broker in the environment, Attach starts
// one under the user's data folder and Close removes it.
func TestAttachOwnBroker(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv(compute.BrokerURLEnv, "")
	pool, err := compute.Attach(context.Background(), local(1, 2, "own"))
	if err != nil {
		t.Fatal(err)
	}
	stores, _ := filepath.Glob(filepath.Join(data, "firn", "compute", "attach-*"))
	if len(stores) != 1 {
		t.Errorf("broker folders %v, want one under the data folder", stores)
	}
	tasks, err := compute.Vary(base(), "years.end", 40, 60)
	if err != nil {
		t.Fatal(err)
	}
	ens, err := pool.Map(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	if hs := ens.Histories(); len(hs) != 2 || hs[1].Year[hs[1].Len()-1] != 60 {
		t.Errorf("histories %v", hs)
	}
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stores[0]); !os.IsNotExist(err) {
		t.Errorf("the broker folder is left after Close: %v", err)
	}
}

// TestMapInterrupted: a Map whose context ends cancels what is not done
// (nothing of its job stays queued or running), says so, and the pool
// maps again.
func TestMapInterrupted(t *testing.T) {
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), local(1, 1, "int"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v := views{onUpdate: func(p compute.Progress) {
		if p.Done > 0 {
			cancel()
		}
	}}
	pool.ShowProgress(v.show)
	var tasks []compute.Task
	for range 8 {
		tasks = append(tasks, compute.Task{Name: "long.json", Data: experimentDoc(100, 2600, 3000)})
	}
	for i := range tasks {
		tasks[i].ID = "t" + strconv.Itoa(i)
	}
	ens, err := pool.Map(ctx, tasks)
	if err == nil || !strings.Contains(err.Error(), "map interrupted") {
		t.Fatalf("Map: %v", err)
	}
	states := v.get(0)
	last := states[len(states)-1]
	if last.State != "interrupted" || last.Done == 0 || last.Done == 8 || !strings.Contains(last.Title(), "cancelled") {
		t.Errorf("last state %+v (%s)", last, last.Title())
	}
	if n := len(ens.Failed()); n != 8-last.Done {
		t.Errorf("%d results failed or cancelled, want %d", n, 8-last.Done)
	}
	// Nothing of the job stays in the task stream.
	if n := queuedChunks(t, e, last.Job); n != 0 {
		t.Errorf("%d chunks of the interrupted job left in the task stream", n)
	}
	// The worker is free for the next Map.
	ens, err = pool.Map(context.Background(), []compute.Task{base()})
	if err != nil || len(ens.Histories()) != 1 {
		t.Fatalf("the next Map: %v", err)
	}
}

// TestVaryErrors: a bad key or value names the base file, the key and
// what is wrong.
func TestVaryErrors(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		value     float64
		want      string
	}{
		{"no such section", "mass_balanc.ela_m", 2600, `the experiment has no "mass_balanc"`},
		{"unknown key", "mass_balance.ela_mm", 2600, "ela_mm"},
		{"index out of range", "flowlines[3].width_m", 300, "want an index from 0 to 0"},
		{"bad path", "mass_balance..ela_m", 1, "want a path"},
		{"out of range", "years.end", -5, "years.end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compute.Vary(base(), tc.key, tc.value)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "base.json") {
				t.Errorf("error %v, want one naming base.json and %q", err, tc.want)
			}
		})
	}
	if tasks, err := compute.Vary(base(), "flowlines[0].width_m", 250); err != nil || !strings.Contains(string(tasks[0].Data), `"width_m":250`) {
		t.Errorf("flowlines[0].width_m: %v %s", err, tasks[0].Data)
	}
}

func TestSteps(t *testing.T) {
	for _, tc := range []struct {
		from, to, step float64
		want           int
	}{{2800, 3200, 50, 9}, {0, 1, 0.1, 11}, {3, 1, -1, 3}, {1, 2, 0, 1}, {2, 1, 1, 1}} {
		if got := compute.Steps(tc.from, tc.to, tc.step); len(got) != tc.want || got[0] != tc.from {
			t.Errorf("Steps(%g, %g, %g) = %v, want %d values", tc.from, tc.to, tc.step, got, tc.want)
		}
	}
}

// TestBrokerStoreInUse: a second broker on a store folder in use is
// refused (two would write the same streams), and the folder is free
// again once the first has closed.
func TestBrokerStoreInUse(t *testing.T) {
	dir := t.TempDir()
	a, err := compute.StartBroker(compute.BrokerOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := compute.StartBroker(compute.BrokerOptions{Dir: dir}); !errors.Is(err, compute.ErrStoreInUse) {
		if b != nil {
			b.Close()
		}
		t.Fatalf("a second broker on %s: %v, want ErrStoreInUse", dir, err)
	}
	a.Close()
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
}

// TestPercentiles: the percentile histories of an ensemble, year by year
// and quantity by quantity, with their labels.
func TestPercentiles(t *testing.T) {
	h := func(v ...float64) *dynamics.History {
		return &dynamics.History{Year: []float64{0, 10}, Volume: []float64{v[0], v[1]}, Area: []float64{v[2], v[3]}, Length: []float64{v[4], v[5]}}
	}
	e := &compute.Ensemble{Results: []compute.Result{
		{Name: "a", History: h(1, 10, 100, 7, 5, 1)},
		{Name: "b", History: h(3, 30, 300, 5, 4, 2)},
		{Name: "c", History: h(2, 20, 200, 6, 3, 3)},
		{Name: "failed", Err: "failed"},
		{Name: "d", History: h(4, 40, 400, 8, 2, 4)},
	}}
	hs, labels, err := e.Percentiles(0, 50, 100, 25)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"minimum", "median", "maximum", "25th percentile"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	for i, want := range []*dynamics.History{h(1, 10, 100, 5, 2, 1), h(2.5, 25, 250, 6.5, 3.5, 2.5), h(4, 40, 400, 8, 5, 4), h(1.75, 17.5, 175, 5.75, 2.75, 1.75)} {
		if !reflect.DeepEqual(hs[i], want) {
			t.Errorf("%s: %+v, want %+v", labels[i], hs[i], want)
		}
	}
	e.Results[1].History.Year = []float64{0, 5}
	if _, _, err := e.Percentiles(50); err == nil || !strings.Contains(err.Error(), "b records other years than a") {
		t.Errorf("runs of other years: %v", err)
	}
	if _, _, err := e.Percentiles(101); err == nil {
		t.Error("a percentile of 101 was accepted")
	}
}

// TestMapFailedTask: a task that fails on every attempt is reported with
// its file's error while the others finish; the progress counts it.
func TestMapFailedTask(t *testing.T) {
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), local(1, 2, "fail"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var v views
	pool.ShowProgress(v.show)
	tasks := []compute.Task{base(), {Name: "bad.json", Data: []byte(`{"flowlines": [], "mass_balance": {"type": "linear"}, "years": {"end": 10}}`)}, base()}
	ens, err := pool.Map(context.Background(), tasks)
	if err == nil || !strings.Contains(err.Error(), "map: 1 of 3 experiments failed") || !strings.Contains(err.Error(), "bad.json") {
		t.Fatalf("Map: %v", err)
	}
	if hs, f := ens.Histories(), ens.Failed(); len(hs) != 2 || len(f) != 1 || f[0].Name != "bad.json" || f[0].Attempts != 3 {
		t.Errorf("%d histories, failed %+v", len(hs), f)
	}
	states := v.get(0)
	if last := states[len(states)-1]; last.Done != 2 || last.Failed != 1 || last.Title() != "1 local worker: done, 2 of 3, 1 failed" {
		t.Errorf("last progress %+v: %s", last, last.Title())
	}
}

// TestSummary: the results table has a row per task, with the last
// year's volume, area and length in km³, km² and km, or the error.
func TestSummary(t *testing.T) {
	h := &dynamics.History{Year: []float64{0, 100}, Volume: []float64{0, 2.5e9}, Area: []float64{0, 4e6}, Length: []float64{0, 6500}}
	e := &compute.Ensemble{
		Tasks:   []compute.Task{{Name: "a.json", Label: "ela_m = 2600"}, {Name: "bad.json"}},
		Results: []compute.Result{{Name: "a.json", History: h, Worker: "w-0"}, {Name: "bad.json", Err: "bad.json: line 1: …"}},
	}
	want := []compute.RunSummary{
		{Run: "ela_m = 2600", Year: 100, Volume: 2.5, Area: 4, Length: 6.5, Worker: "w-0"},
		{Run: "bad.json", Error: "bad.json: line 1: …"},
	}
	if got := e.Summary(); !reflect.DeepEqual(got, want) {
		t.Errorf("summary %+v, want %+v", got, want)
	}
}
