package compute_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/experiment"
	"github.com/firnglacier/firn/internal/testworker"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The tests' workers are real processes: this test binary started again
// with workerEnv set, running compute.Worker as `firn worker` does.
const workerEnv = "FIRN_COMPUTE_TEST_WORKER"

// connectTimeoutEnv sets a test worker's ConnectTimeout (a duration).
const connectTimeoutEnv = testworker.ConnectTimeoutEnv

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		os.Exit(testworker.Main(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// local is a Local launcher of this test binary's workers.
func local(n, conc int, name string) compute.Local {
	return compute.Local{Workers: n, Concurrency: conc, Name: name, Stderr: os.Stderr,
		Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}}
}

// experimentDoc is a small idealized glacier: a linear bed of points
// points, a linear balance with its ELA, run for years years.
func experimentDoc(points int, ela float64, years int) []byte {
	return fmt.Appendf(nil, `{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": %d}, "width_m": 300}],
 "mass_balance": {"type": "linear", "ela_m": %g, "gradient_mm_we_per_m": 3}, "years": {"end": %d}}`, points, ela, years)
}

// inProcess runs the task's experiment with the engine directly, as firn
// model run does.
func inProcess(t testing.TB, task compute.Task) *dynamics.History {
	t.Helper()
	spec, err := experiment.Parse(task.Data, task.Name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := spec.Model()
	if err != nil {
		t.Fatal(err)
	}
	every := task.Every
	if every == 0 {
		every = int(spec.Years.Every)
	}
	h, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: spec.Years.End, Every: every})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type env struct {
	dir    string
	broker *compute.Broker
	pool   *compute.Pool
}

func start(t *testing.T, dir string, ackWait time.Duration) *env {
	t.Helper()
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	p, err := compute.NewPool(context.Background(), b.URL(), compute.Auth{Token: b.Token()}, compute.PoolOptions{AckWait: ackWait})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	e := &env{dir: dir, broker: b, pool: p}
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	e.pool.Close()
	e.broker.Close()
}

func (e *env) launch(t *testing.T, l compute.Local) compute.Workers {
	t.Helper()
	w, err := l.Launch(context.Background(), e.broker.URL(), compute.Auth{Token: e.broker.Token()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Stop(); err != nil {
			t.Error(err)
		}
	})
	return w
}

func sameHistory(a, b *dynamics.History) bool {
	return a != nil && b != nil && reflect.DeepEqual(a.Year, b.Year) && reflect.DeepEqual(a.Volume, b.Volume) &&
		reflect.DeepEqual(a.Area, b.Area) && reflect.DeepEqual(a.Length, b.Length)
}

// TestPoolMatchesInProcess: a table of runs through two local worker
// processes gives, number for number, what the engine gives in this
// process.
func TestPoolMatchesInProcess(t *testing.T) {
	yaml, err := os.ReadFile(filepath.Join("..", "engine", "experiment", "testdata", "tributary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tasks := []compute.Task{
		{Name: "ela2600.json", Data: experimentDoc(200, 2600, 300)},
		{Name: "ela2700.json", Data: experimentDoc(200, 2700, 300), Every: 10},
		{Name: "ela2900.json", Data: experimentDoc(50, 2900, 150)},
		{Name: "tributary.yaml", Data: yaml},
	}
	for i := range 12 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("small%d.json", i), Data: experimentDoc(30, 2400+float64(i)*50, 40+i)})
	}
	e := start(t, t.TempDir(), 0)
	w := e.launch(t, local(2, 1, "w"))
	job, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{Workers: w.Count(), ChunkSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	results, err := job.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	workers := map[string]bool{}
	for i, r := range results {
		if r.Failed() {
			t.Errorf("%s failed: %s", tasks[i].Name, r.Err)
			continue
		}
		if r.Name != tasks[i].Name {
			t.Errorf("result %d is %s, want %s", i, r.Name, tasks[i].Name)
		}
		if want := inProcess(t, tasks[i]); !sameHistory(r.History, want) {
			t.Errorf("%s: the workers' history differs from the in-process run (%d rows, want %d)", tasks[i].Name, r.History.Len(), want.Len())
		}
		workers[r.Worker] = true
	}
	if results[1].History.Len() != 31 {
		t.Errorf("every 10 years over 300: %d rows, want 31", results[1].History.Len())
	}
	t.Logf("workers that ran tasks: %v", workers)
}

// queuedChunks counts the chunks of job ("" every job) still in the task
// stream: none may stay after a job is cancelled or taken back.
func queuedChunks(t *testing.T, e *env, job string) uint64 {
	t.Helper()
	nc, err := nats.Connect(e.broker.URL(), nats.Token(e.broker.Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	s, err := js.Stream(context.Background(), "FIRN_TASKS")
	if err != nil {
		t.Fatal(err)
	}
	filter := "firn.tasks.>"
	if job != "" {
		filter = "firn.tasks." + job
	}
	info, err := s.Info(context.Background(), jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// storedResults counts the results of each task stored in the broker
// for the job.
func storedResults(t *testing.T, e *env, job string) map[string]int {
	t.Helper()
	nc, err := nats.Connect(e.broker.URL(), nats.Token(e.broker.Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	s, err := js.Stream(ctx, "FIRN_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter("firn.results."+job+".>"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs uint64
	for _, c := range info.State.Subjects {
		msgs += c
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"firn.results." + job + ".>"}})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.FetchNoWait(int(msgs))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for m := range batch.Messages() {
		rs, err := compute.DecodeResults(m.Data())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			count[r.Name]++
		}
	}
	return count
}

type progressEvent struct {
	Worker, Chunk, Event string
	Attempt              int
}

// watchProgress subscribes to the workers' progress reports of a job.
func watchProgress(t *testing.T, e *env, job string) <-chan progressEvent {
	t.Helper()
	nc, err := nats.Connect(e.broker.URL(), nats.Token(e.broker.Token()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ch := make(chan progressEvent, 100)
	if _, err := nc.Subscribe("firn.progress."+job, func(m *nats.Msg) {
		var p progressEvent
		if json.Unmarshal(m.Data, &p) == nil {
			ch <- p
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return ch
}

// TestWorkerKilledMidTask: a worker killed with SIGKILL while it runs a
// chunk; the broker gives the chunk to another worker after the ack wait,
// and every task has exactly one result.
func TestWorkerKilledMidTask(t *testing.T) {
	e := start(t, t.TempDir(), time.Second)
	tasks := []compute.Task{{Name: "long.json", Data: experimentDoc(200, 2600, 20000)}}
	for i := range 5 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("short%d.json", i), Data: experimentDoc(30, 2500, 50)})
	}
	// The job id is known before it is submitted, so its progress can be
	// watched from the start.
	const jobID = "killed"
	events := watchProgress(t, e, jobID)
	job, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{ChunkSize: 1, JobID: jobID})
	if err != nil {
		t.Fatal(err)
	}
	a := e.launch(t, local(1, 1, "a"))
	for ev := range events {
		if ev.Worker == "a-0" && ev.Chunk == jobID+".0" && ev.Event == "start" {
			break
		}
	}
	// The long run is under way in a: kill it.
	proc := a.(interface{ Processes() []*os.Process }).Processes()[0]
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	e.launch(t, local(1, 1, "b"))
	results, err := job.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Failed() {
			t.Errorf("%s failed: %s", r.Name, r.Err)
		} else if !sameHistory(r.History, inProcess(t, tasks[i])) {
			t.Errorf("%s: history differs from the in-process run", r.Name)
		}
	}
	if r := results[0]; r.Worker != "b-0" || r.Attempts != 2 {
		t.Errorf("the killed worker's chunk: worker %s, attempt %d; want b-0, 2", r.Worker, r.Attempts)
	}
	stored := storedResults(t, e, jobID)
	for _, task := range tasks {
		if stored[task.Name] != 1 {
			t.Errorf("the broker holds %d results of %s, want 1", stored[task.Name], task.Name)
		}
	}
	if len(stored) != len(tasks) {
		t.Errorf("the broker holds results of %d tasks, want %d", len(stored), len(tasks))
	}
}

// TestTaskFailsAfterAttempts: a task that always fails ends "failed"
// with the error of its last attempt, which names the experiment file
// and the key; the others finish.
func TestTaskFailsAfterAttempts(t *testing.T) {
	e := start(t, t.TempDir(), 0)
	bad := strings.Replace(string(experimentDoc(30, 2600, 20)), `"ela_m"`, `"ela"`, 1)
	tasks := []compute.Task{
		{Name: "good0.json", Data: experimentDoc(30, 2600, 20)},
		{Name: "runs/bad.json", Data: []byte(bad)},
		{Name: "good1.json", Data: experimentDoc(30, 2700, 20)},
	}
	e.launch(t, local(1, 2, "w"))
	job, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{ChunkSize: 1, Attempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	results, err := job.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 2} {
		if results[i].Failed() {
			t.Errorf("%s failed: %s", tasks[i].Name, results[i].Err)
		}
	}
	r := results[1]
	if !r.Failed() || r.Attempts != 2 {
		t.Fatalf("bad.json: failed %v after %d attempts, want failed after 2", r.Failed(), r.Attempts)
	}
	for _, want := range []string{"runs/bad.json", "mass_balance", "ela"} {
		if !strings.Contains(r.Err, want) {
			t.Errorf("error %q does not name %q", r.Err, want)
		}
	}
	t.Logf("the failed task's error: %s", r.Err)
}

// TestBrokerRestartKeepsResults: results stored before the broker stops
// are there when a new broker starts on the same folder.
func TestBrokerRestartKeepsResults(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir, 0)
	var tasks []compute.Task
	for i := range 6 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("r%d.json", i), Data: experimentDoc(40, 2500+float64(i)*40, 60)})
	}
	w := e.launch(t, local(1, 2, "w"))
	job, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{ChunkSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	before, err := job.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	e.close()

	e2 := start(t, dir, 0)
	after, err := e2.pool.OpenJob(job.ID, job.Tasks()).Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tasks {
		if after[i].Failed() || !sameHistory(after[i].History, before[i].History) {
			t.Errorf("%s after the restart: %+v", tasks[i].Name, after[i].Err)
		}
	}
}

// TestCancel: canceling a job removes its waiting tasks from the broker.
func TestCancel(t *testing.T) {
	e := start(t, t.TempDir(), 0)
	var tasks []compute.Task
	for i := range 4 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("c%d.json", i), Data: experimentDoc(30, 2500, 50)})
	}
	job, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{ChunkSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Cancel(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := queuedChunks(t, e, ""); n != 0 {
		t.Errorf("%d chunks left after cancel", n)
	}
}

// TestClearTextToAnotherMachineRefused: a nats:// URL that is not
// loopback is refused before anything is sent, with a message that says
// to use TLS.
func TestClearTextToAnotherMachineRefused(t *testing.T) {
	for _, url := range []string{"nats://192.0.2.7:4222", "nats://login.example.org:4222", "ws://192.0.2.7:8080"} {
		_, err := compute.NewPool(context.Background(), url, compute.Auth{Token: "t"}, compute.PoolOptions{})
		if err == nil || !strings.Contains(err.Error(), "not encrypted") || !strings.Contains(err.Error(), "tls://") {
			t.Errorf("%s: %v", url, err)
		}
	}
}

// TestWorkerGivesUp: a worker that cannot reach the broker tries again
// with back-off and then says so.
func TestWorkerGivesUp(t *testing.T) {
	// A port nothing listens on: a broker that was started and stopped.
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	url := b.URL()
	b.Close()
	w := &compute.Worker{URL: url, ConnectTimeout: 500 * time.Millisecond}
	err = w.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "gave up reaching the broker after") || !strings.Contains(err.Error(), url[len("nats://"):]) {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(err.Error(), "after 1 tries") {
		t.Errorf("no second try: %v", err)
	}
	t.Logf("%v", err)
}

// TestBrokerRestartDuringRun: the broker stops in the middle of a job and
// starts again on the same folder and port; the workers reconnect and go
// on, and every task has its result once.
func TestBrokerRestartDuringRun(t *testing.T) {
	dir := t.TempDir()
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: dir, Token: "restart-token"})
	if err != nil {
		t.Fatal(err)
	}
	url := b.URL()
	port := 0
	if _, err := fmt.Sscanf(url[strings.LastIndex(url, ":")+1:], "%d", &port); err != nil {
		t.Fatal(err)
	}
	auth := compute.Auth{Token: "restart-token"}
	pool, err := compute.NewPool(context.Background(), url, auth, compute.PoolOptions{AckWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var tasks []compute.Task
	for i := range 12 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("r%d.json", i), Data: experimentDoc(100, 2500+float64(i)*20, 3000)})
	}
	e := &env{dir: dir, broker: b, pool: pool}
	events := watchProgress(t, e, "restart")
	job, err := pool.Submit(context.Background(), tasks, compute.SubmitOptions{ChunkSize: 1, JobID: "restart"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := local(1, 2, "w").Launch(context.Background(), url, auth)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// A first chunk done: the job is under way. Stop the broker.
	for ev := range events {
		if ev.Event == "done" {
			break
		}
	}
	before := len(storedResults(t, e, job.ID))
	if before == len(tasks) {
		t.Fatalf("all %d tasks were done before the broker stopped", before)
	}
	t.Logf("%d of %d tasks done when the broker stopped", before, len(tasks))
	pool.Close()
	b.Close()

	b2, err := compute.StartBroker(compute.BrokerOptions{Dir: dir, Token: "restart-token", Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	pool2, err := compute.NewPool(context.Background(), b2.URL(), auth, compute.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool2.Close()
	results, err := pool2.OpenJob(job.ID, job.Tasks()).Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Failed() || !sameHistory(r.History, inProcess(t, tasks[i])) {
			t.Errorf("%s: %q, or its history differs", r.Name, r.Err)
		}
	}
	stored := storedResults(t, &env{broker: b2}, job.ID)
	for _, task := range tasks {
		if stored[task.Name] != 1 {
			t.Errorf("%d results of %s stored, want 1", stored[task.Name], task.Name)
		}
	}
}

// TestChunkWhoseWorkersDie: a chunk whose worker dies on its last
// attempt is reported failed by the next worker that gets it, without
// running it again.
func TestChunkWhoseWorkersDie(t *testing.T) {
	e := start(t, t.TempDir(), time.Second)
	tasks := []compute.Task{
		{Name: "deadly.json", Data: experimentDoc(200, 2600, 20000)},
		{Name: "fine.json", Data: experimentDoc(30, 2500, 50)},
	}
	const jobID = "deadly"
	events := watchProgress(t, e, jobID)
	job, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{ChunkSize: 1, JobID: jobID, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := e.launch(t, local(1, 1, "a"))
	for ev := range events {
		if ev.Worker == "a-0" && ev.Chunk == jobID+".0" && ev.Event == "start" {
			break
		}
	}
	if err := a.(interface{ Processes() []*os.Process }).Processes()[0].Kill(); err != nil {
		t.Fatal(err)
	}
	e.launch(t, local(1, 1, "b"))
	results, err := job.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if !r.Failed() || !strings.Contains(r.Err, "deadly.json: no result after 1 attempts") || r.Worker != "b-0" {
		t.Errorf("deadly.json: worker %s, error %q", r.Worker, r.Err)
	}
	if results[1].Failed() {
		t.Errorf("fine.json: %s", results[1].Err)
	}
}
