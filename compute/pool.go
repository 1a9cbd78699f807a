package compute

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A Pool hands tasks to the workers connected to one broker and collects
// their results.
type Pool struct {
	nc *nats.Conn
	js jetstream.JetStream

	// Set by Attach: the workers it launched, the broker it started (nil
	// for one from the environment) and that broker's folder, and the
	// workers' name in progress displays.
	workers Workers
	broker  *Broker
	store   string
	where   string

	mu     sync.Mutex
	show   func(Progress) ProgressView
	closed sync.Once
	err    error
}

// PoolOptions configure NewPool.
type PoolOptions struct {
	// AckWait is how long a chunk may go without word from its worker
	// before another worker gets it (DefaultAckWait if 0). It is set
	// when the broker's streams are first created.
	AckWait time.Duration
}

// NewPool connects to the broker at url (an embedded Broker's URL or an
// external NATS server with JetStream) and makes sure its streams exist.
func NewPool(ctx context.Context, url string, auth Auth, o PoolOptions) (*Pool, error) {
	nc, err := Connect(url, auth, "firn pool")
	if err != nil {
		return nil, fmt.Errorf("pool: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("pool: %w", err)
	}
	if _, err := setup(ctx, js, o.AckWait); err != nil {
		nc.Close()
		return nil, fmt.Errorf("pool: %w", err)
	}
	return &Pool{nc: nc, js: js}, nil
}

// Close closes the pool's connection; tasks already submitted stay in
// the broker. A pool made by Attach also stops its workers (their
// unfinished chunks go back to the broker; a Slurm job is cancelled with
// scancel) and the broker Attach started, whose folder it removes.
// Later calls return the first call's error.
func (p *Pool) Close() error {
	p.closed.Do(func() {
		if p.workers != nil {
			p.err = p.workers.Stop()
		}
		p.nc.Close()
		if p.broker != nil {
			p.broker.Close()
			if p.store != "" {
				os.RemoveAll(p.store)
			}
		}
	})
	return p.err
}

// SubmitOptions configure Submit.
type SubmitOptions struct {
	// ChunkSize is the number of tasks per message; 0 chooses from the
	// number of tasks and Workers (about 4 chunks per worker, at most
	// 64 tasks each).
	ChunkSize int
	// Workers is the expected number of worker goroutines, for the
	// chunk size; 0 is 1.
	Workers int
	// Attempts bounds the deliveries of a chunk: a task still failing on
	// the last is reported failed with its last error. 0 is 3.
	Attempts int
	// JobID names the job (letters, digits, - and _); "" makes one.
	JobID string
}

// A Job is a submitted set of tasks.
type Job struct {
	ID    string
	pool  *Pool
	tasks []Task
}

// Submit publishes tasks as chunks on the task stream. Task ids must be
// unique; empty ids are given the task's index.
func (p *Pool) Submit(ctx context.Context, tasks []Task, o SubmitOptions) (*Job, error) {
	id := o.JobID
	if id == "" {
		id = randomID(8)
	}
	if !validToken(id) {
		return nil, fmt.Errorf("pool: job id %q: want letters, digits, - and _", id)
	}
	tasks = append([]Task(nil), tasks...)
	seen := map[string]bool{}
	for i := range tasks {
		if tasks[i].ID == "" {
			tasks[i].ID = strconv.Itoa(i)
		}
		if !validToken(tasks[i].ID) {
			return nil, fmt.Errorf("pool: task %s: id %q: want letters, digits, - and _", tasks[i].Name, tasks[i].ID)
		}
		if seen[tasks[i].ID] {
			return nil, fmt.Errorf("pool: task %s: id %q given twice", tasks[i].Name, tasks[i].ID)
		}
		seen[tasks[i].ID] = true
	}
	attempts := o.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	size := o.ChunkSize
	if size <= 0 {
		size = min(64, max(1, len(tasks)/(4*max(1, o.Workers))))
	}
	var acks []jetstream.PubAckFuture
	for _, c := range chunks(id, tasks, size, attempts) {
		data, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("pool: encoding chunk %s: %w", c.ID, err)
		}
		f, err := p.js.PublishAsync(taskSubject+id, data, jetstream.WithMsgID(c.ID))
		if err != nil {
			return nil, fmt.Errorf("pool: publishing chunk %s: %w", c.ID, err)
		}
		acks = append(acks, f)
	}
	for _, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return nil, fmt.Errorf("pool: storing a chunk of job %s: %w", id, storeFull(err))
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &Job{ID: id, pool: p, tasks: tasks}, nil
}

// OpenJob returns a job submitted earlier (by this or another process,
// before a restart of the broker), to collect its results.
func (p *Pool) OpenJob(id string, tasks []Task) *Job {
	return &Job{ID: id, pool: p, tasks: tasks}
}

// Tasks returns the job's tasks, with their ids.
func (j *Job) Tasks() []Task { return j.tasks }

// Status counts a job's tasks.
type Status struct {
	Total, Done, Failed int
	// Running counts the tasks in chunks a worker has started and not
	// finished (as the workers report it; a killed worker's chunk
	// counts until it runs again).
	Running int
}

// Wait collects a result for every task of the job, in the order of the
// job's tasks, calling onStatus (when not nil) whenever a count changes.
// Each task is counted once, however often it ran. When ctx ends, Wait
// returns ctx's error and the results so far.
func (j *Job) Wait(ctx context.Context, onStatus func(Status)) ([]Result, error) {
	index := make(map[string]int, len(j.tasks))
	for i, t := range j.tasks {
		index[t.ID] = i
	}
	results := make([]Result, len(j.tasks))
	have := make([]bool, len(j.tasks))
	var mu sync.Mutex
	st := Status{Total: len(j.tasks)}
	running := map[string]int{}
	var full error // a dropped chunk's notice
	var it jetstream.MessagesContext
	report := func() {
		if onStatus != nil {
			s := st
			for _, n := range running {
				s.Running += n
			}
			onStatus(s)
		}
	}
	sub, err := j.pool.nc.Subscribe(progressSubj+j.ID, func(m *nats.Msg) {
		var p progress
		if json.Unmarshal(m.Data, &p) != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if p.Event == "start" {
			running[p.Chunk] = p.Tasks
		} else {
			delete(running, p.Chunk)
		}
		report()
	})
	if err != nil {
		return nil, fmt.Errorf("job %s: progress: %w", j.ID, err)
	}
	defer sub.Unsubscribe()
	// A dropped chunk ends the wait: its results will not come. The
	// notices are kept, so one dropped before Wait started counts too.
	notices, err := j.pool.js.OrderedConsumer(ctx, noticeStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{noticeSubject + j.ID},
	})
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		notices = nil // an account without memory storage (see setup)
	} else if err != nil {
		return nil, fmt.Errorf("job %s: notices: %w", j.ID, err)
	}
	onNotice := func(m jetstream.Msg) {
		var p progress
		if json.Unmarshal(m.Data(), &p) != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if full == nil {
			full = fmt.Errorf("job %s: chunk %s dropped by worker %s: %w", j.ID, p.Chunk, p.Worker, workerStoreFull(p.Err))
			if it != nil {
				it.Stop()
			}
		}
	}
	if notices != nil {
		noticed, err := notices.Consume(onNotice)
		if err != nil {
			return nil, fmt.Errorf("job %s: notices: %w", j.ID, err)
		}
		defer noticed.Stop()
	}
	cons, err := j.pool.js.OrderedConsumer(ctx, resultStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{resultSubject + j.ID + ".>"},
	})
	if err != nil {
		return nil, fmt.Errorf("job %s: results: %w", j.ID, err)
	}
	messages, err := cons.Messages()
	if err != nil {
		return nil, fmt.Errorf("job %s: results: %w", j.ID, err)
	}
	stop := context.AfterFunc(ctx, messages.Stop)
	defer stop()
	defer messages.Stop()
	mu.Lock()
	it = messages
	if full != nil {
		messages.Stop()
	}
	report()
	mu.Unlock()
	for st.Done+st.Failed < st.Total {
		msg, err := messages.Next()
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case full != nil:
				return results, full
			case ctx.Err() != nil:
				return results, ctx.Err()
			}
			return results, fmt.Errorf("job %s: results: %w", j.ID, err)
		}
		rs, err := DecodeResults(msg.Data())
		if err != nil {
			return results, fmt.Errorf("job %s: results on %s: %w", j.ID, msg.Subject(), err)
		}
		mu.Lock()
		for _, r := range rs {
			i, ok := index[r.TaskID]
			if !ok || have[i] {
				continue
			}
			have[i], results[i] = true, r
			if r.Failed() {
				st.Failed++
			} else {
				st.Done++
			}
		}
		report()
		mu.Unlock()
	}
	return results, nil
}

// Cancel removes the job's tasks that no worker has started and tells
// the workers to stop those they run.
func (j *Job) Cancel(ctx context.Context) error {
	s, err := j.pool.js.Stream(ctx, taskStream)
	if err != nil {
		return fmt.Errorf("job %s: cancel: %w", j.ID, err)
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject(taskSubject+j.ID)); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("job %s: cancel: %w", j.ID, err)
	}
	if err := j.pool.nc.Publish(cancelSubject+j.ID, nil); err != nil {
		return fmt.Errorf("job %s: cancel: %w", j.ID, err)
	}
	return j.pool.nc.Flush()
}

func validToken(s string) bool {
	if s == "" {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0
}

// workerStoreFull is a worker's message that its results did not fit in
// the broker's store: errors.Is it ErrStoreFull.
type workerStoreFull string

func (e workerStoreFull) Error() string { return string(e) }
func (e workerStoreFull) Unwrap() error { return ErrStoreFull }
