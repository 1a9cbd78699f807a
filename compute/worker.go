package compute

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A Worker takes chunks of tasks from the broker, runs them with the
// engine and publishes their results and progress. It connects out (a
// compute node can usually reach the login node, not the reverse).
type Worker struct {
	// URL of the NATS server; Auth its credentials.
	URL  string
	Auth Auth
	// Name identifies the worker in results and progress; "" is
	// host:pid.
	Name string
	// Concurrency is the number of chunks run at once; 0 is one per
	// core.
	Concurrency int
	// Log, when not nil, gets a line per chunk.
	Log io.Writer
	// Notebooks runs notebook tasks (Task.Kind KindNotebook): it returns
	// the executed notebook, and with a failed cell also an error naming
	// it. `firn worker` sets it (a notebook needs a kernel, above this
	// package); nil fails such tasks with a message that says so.
	Notebooks func(ctx context.Context, t Task) (output []byte, err error)
	// ConnectTimeout is how long the worker tries to reach the broker,
	// at first and after losing it, with growing pauses between tries
	// (0.1 s doubling to 5 s); 0 is one minute.
	ConnectTimeout time.Duration
	// GCPercent is the garbage collector's target (debug.SetGCPercent)
	// for the process while Run runs; 0 is DefaultWorkerGCPercent, a
	// negative value leaves the process's own, and so does a $GOGC in
	// the environment.
	GCPercent int
}

// DefaultWorkerGCPercent is Worker.GCPercent's default. A worker's live
// heap is small (a chunk's tasks and results, a model per run at once:
// a few MB), so Go's default of 100 collects after every few MB
// allocated, which is a few dozen 100-year runs; at 400 it collects a
// quarter as often, for a few MB more. On the 10,000-run Slurm benchmark
// (2 workers on 2 cores) this halved the overhead per task, from 136 to
// 68 µs (BenchmarkSlurmEnsemble).
const DefaultWorkerGCPercent = 400

// progress is a message on firn.progress.JOB.
type progress struct {
	Worker string `json:"worker"`
	Chunk  string `json:"chunk"`
	Event  string `json:"event"` // "start", "done" or "dropped"
	Tasks  int    `json:"tasks"`
	// Attempt is the chunk's delivery count.
	Attempt int `json:"attempt"`
	// Err says why a chunk was dropped (also as a notice on
	// noticeSubject, for a Wait that starts later): its results did not
	// fit in the broker's store, and running it again would not change
	// that.
	Err string `json:"err,omitempty"`
}

// Run serves until ctx ends (then it returns nil, however far it had
// got) or the connection fails for good.
func (w *Worker) Run(ctx context.Context) error {
	if gc := cmp.Or(w.GCPercent, DefaultWorkerGCPercent); gc > 0 && os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(gc))
	}
	err := w.run(ctx)
	if ctx.Err() != nil {
		return nil // stopped: not a failure
	}
	return err
}

func (w *Worker) run(ctx context.Context) error {
	name := w.Name
	if name == "" {
		host, _ := os.Hostname()
		name = host + ":" + strconv.Itoa(os.Getpid())
	}
	n := w.Concurrency
	if n <= 0 {
		n = runtime.NumCPU()
	}
	nc, err := w.connect(ctx, name)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	cons, err := setup(ctx, js, 0)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	ws := &workerState{w: w, name: name, nc: nc, js: js, ackWait: info.Config.AckWait,
		running: map[string]map[*chunkRun]bool{}, canceled: map[string]bool{}}
	sub, err := nc.Subscribe(cancelSubject+"*", func(m *nats.Msg) { ws.cancelJob(strings.TrimPrefix(m.Subject, cancelSubject)) })
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer sub.Unsubscribe()
	if err := nc.Flush(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- ws.loop(ctx, cons)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// connect reaches the broker, trying again with back-off until
// ConnectTimeout; a URL refused outright (clear text to another machine)
// is not tried again.
func (w *Worker) connect(ctx context.Context, name string) (*nats.Conn, error) {
	if _, err := checkURL(w.URL); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	limit := w.ConnectTimeout
	if limit <= 0 {
		limit = time.Minute
	}
	deadline := time.Now().Add(limit)
	pause := 100 * time.Millisecond
	tries := 0
	for {
		tries++
		nc, err := Connect(w.URL, w.Auth, "firn worker "+name,
			nats.MaxReconnects(int(limit/(200*time.Millisecond))+1))
		if err == nil {
			return nc, nil
		}
		if time.Now().Add(pause).After(deadline) {
			return nil, fmt.Errorf("worker: gave up reaching the broker after %d tries in %v: %w", tries, limit, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

type workerState struct {
	w       *Worker
	name    string
	nc      *nats.Conn
	js      jetstream.JetStream
	ackWait time.Duration

	mu       sync.Mutex
	running  map[string]map[*chunkRun]bool // by job
	canceled map[string]bool
}

type chunkRun struct{ cancel context.CancelFunc }

func (ws *workerState) cancelJob(job string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.canceled[job] = true
	for r := range ws.running[job] {
		r.cancel()
	}
}

// loop fetches chunks one at a time and runs them. A chunk's results are
// stored and the chunk acknowledged while the next one runs (at most one
// such finish at a time), so that the trips to the broker between two
// chunks do not leave the core idle.
func (ws *workerState) loop(ctx context.Context, cons jetstream.Consumer) error {
	finishing := make(chan struct{}, 1)        // a token while a finish runs
	defer func() { finishing <- struct{}{} }() // the last finish has ended
	for ctx.Err() == nil {
		batch, err := cons.Fetch(1, jetstream.FetchContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, nats.ErrConnectionClosed) {
				return fmt.Errorf("worker: the connection to the broker closed")
			}
			continue
		}
		for msg := range batch.Messages() {
			if finish := ws.handle(ctx, msg); finish != nil {
				finishing <- struct{}{}
				go func() {
					defer func() { <-finishing }()
					finish()
				}()
			}
		}
		if err := batch.Error(); err != nil && ctx.Err() == nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			if errors.Is(err, nats.ErrConnectionClosed) {
				return fmt.Errorf("worker: the connection to the broker closed")
			}
		}
	}
	return nil
}

// handle runs the chunk of msg. When it ran to the end it returns the
// rest: storing the results and acknowledging the chunk, which the
// caller runs while it takes the next chunk; nil when there is nothing
// left to do.
func (ws *workerState) handle(ctx context.Context, msg jetstream.Msg) (finish func()) {
	var c chunk
	if err := json.Unmarshal(msg.Data(), &c); err != nil {
		ws.logf("dropping a malformed chunk on %s: %v", msg.Subject(), err)
		_ = msg.Term()
		return nil
	}
	attempt := 1
	if md, err := msg.Metadata(); err == nil {
		attempt = int(md.NumDelivered)
	}
	if c.Attempts <= 0 {
		c.Attempts = 1
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run := &chunkRun{cancel: cancel}
	ws.mu.Lock()
	if ws.canceled[c.Job] {
		ws.mu.Unlock()
		_ = msg.Term()
		return nil
	}
	if ws.running[c.Job] == nil {
		ws.running[c.Job] = map[*chunkRun]bool{}
	}
	ws.running[c.Job][run] = true
	ws.mu.Unlock()
	defer func() {
		ws.mu.Lock()
		delete(ws.running[c.Job], run)
		if len(ws.running[c.Job]) == 0 {
			delete(ws.running, c.Job)
		}
		ws.mu.Unlock()
	}()

	if attempt > c.Attempts {
		// Delivered again after its last attempt: the workers that had
		// it stopped (killed, out of memory, their job ended) without a
		// result.
		results := make([]Result, len(c.Tasks))
		for i, t := range c.Tasks {
			results[i] = Result{TaskID: t.ID, Name: t.Name, Attempts: attempt, Worker: ws.name,
				Err: fmt.Sprintf("%s: no result after %d attempts: the workers running it stopped without one", t.Name, c.Attempts)}
		}
		switch err := ws.publish(ctx, c, results); {
		case err == nil:
			_ = msg.Ack()
		case errors.Is(err, ErrStoreFull):
			ws.dropStoreFull(msg, c, attempt, err)
		}
		return nil
	}
	ws.progress(c, "start", attempt)

	// Tell the broker the chunk is alive while it runs.
	beat := make(chan struct{})
	go func() {
		t := time.NewTicker(max(ws.ackWait/3, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-beat:
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	results := make([]Result, len(c.Tasks))
	failed := false
	for i, t := range c.Tasks {
		r := Result{TaskID: t.ID, Name: t.Name, Attempts: attempt, Worker: ws.name}
		if t.Kind == KindNotebook {
			out, err := ws.runNotebook(rctx, t)
			r.Output = out
			if err != nil {
				r.Err = err.Error()
				failed = true
			}
		} else if h, err := RunTask(rctx, t); err != nil {
			r.Err = err.Error()
			failed = true
		} else {
			r.History = h
		}
		results[i] = r
		if rctx.Err() != nil {
			break
		}
	}
	close(beat)
	switch {
	case rctx.Err() != nil && ctx.Err() == nil:
		// The job was canceled.
		_ = msg.Term()
		return nil
	case ctx.Err() != nil:
		// The worker is stopping: another takes the chunk.
		_ = msg.Nak()
		return nil
	case failed && attempt < c.Attempts:
		ws.logf("chunk %s failed on attempt %d of %d; retrying", c.ID, attempt, c.Attempts)
		_ = msg.Nak()
		return nil
	}
	// The chunk is done: store its results and acknowledge it, even if
	// the worker is being stopped meanwhile.
	return func() {
		fctx, cancelFinish := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancelFinish()
		if err := ws.publish(fctx, c, results); err != nil {
			ws.logf("chunk %s: publishing results: %v", c.ID, err)
			if errors.Is(err, ErrStoreFull) {
				ws.dropStoreFull(msg, c, attempt, err)
				return
			}
			_ = msg.Nak()
			return
		}
		if err := msg.DoubleAck(fctx); err != nil {
			ws.logf("chunk %s: ack: %v", c.ID, err)
		}
		ws.progress(c, "done", attempt)
	}
}

// maxResultBytes bounds one results message, below NATS' default
// message limit of 1 MiB.
const maxResultBytes = 768 << 10

// publish stores a chunk's results: as few messages as fit (one for a
// chunk of small runs), each a results message (resultcodec.go),
// deduplicated by the broker on the chunk and part.
func (ws *workerState) publish(ctx context.Context, c chunk, results []Result) error {
	var parts [][]byte
	var cur [][]byte
	size := 0
	for _, r := range results {
		data := encodeResult(nil, r)
		if len(cur) > 0 && size+len(data) > maxResultBytes {
			parts = append(parts, joinResults(cur))
			cur, size = nil, 0
		}
		cur = append(cur, data)
		size += len(data)
	}
	parts = append(parts, joinResults(cur))
	index := strings.TrimPrefix(c.ID, c.Job+".")
	var acks []jetstream.PubAckFuture
	for i, p := range parts {
		part := index + "." + strconv.Itoa(i)
		f, err := ws.js.PublishAsync(resultSubject+c.Job+"."+part, p, jetstream.WithMsgID(c.Job+"/"+part))
		if err != nil {
			return fmt.Errorf("publishing the results of chunk %s: %w", c.ID, storeFull(err))
		}
		acks = append(acks, f)
	}
	for _, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("storing the results of chunk %s: %w", c.ID, storeFull(err))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// dropStoreFull ends a chunk whose results the broker's store has no
// room for: running it again would only fill the store as far, so the
// chunk is terminated (not delivered again) and the job's Wait told why.
func (ws *workerState) dropStoreFull(msg jetstream.Msg, c chunk, attempt int, err error) {
	p := progress{Worker: ws.name, Chunk: c.ID, Event: "dropped", Tasks: len(c.Tasks), Attempt: attempt, Err: err.Error()}
	data, _ := json.Marshal(p)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, nerr := ws.js.Publish(ctx, noticeSubject+c.Job, data); nerr != nil {
		ws.logf("chunk %s: notice of the full store: %v", c.ID, nerr)
	}
	_ = msg.Term()
	ws.send(p, c.Job)
}

func (ws *workerState) progress(c chunk, event string, attempt int) {
	ws.send(progress{Worker: ws.name, Chunk: c.ID, Event: event, Tasks: len(c.Tasks), Attempt: attempt}, c.Job)
}

func (ws *workerState) send(p progress, job string) {
	data, _ := json.Marshal(p)
	// No Flush: the connection sends it at once, without waiting for
	// the broker's answer.
	_ = ws.nc.Publish(progressSubj+job, data)
}

func (ws *workerState) logf(format string, args ...any) {
	if ws.w.Log != nil {
		fmt.Fprintf(ws.w.Log, "firn worker %s: "+format+"\n", append([]any{ws.name}, args...)...)
	}
}

// runNotebook runs a notebook task with the worker's Notebooks.
func (ws *workerState) runNotebook(ctx context.Context, t Task) ([]byte, error) {
	if ws.w.Notebooks == nil {
		return nil, fmt.Errorf("%s: this worker runs experiments only, not notebooks (start it with firn worker)", t.Name)
	}
	return ws.w.Notebooks(ctx, t)
}
