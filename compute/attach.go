package compute

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Environment variables through which a server gives its kernels (and
// anything else it starts) the broker that Attach uses: `firn serve`
// starts one and sets them in each kernel's environment.
const (
	BrokerURLEnv   = "FIRN_COMPUTE_URL"
	BrokerTokenEnv = "FIRN_COMPUTE_TOKEN"
	BrokerCredsEnv = "FIRN_COMPUTE_CREDS"
)

// Env returns the environment entries that point Attach at b
// (FIRN_COMPUTE_URL and FIRN_COMPUTE_TOKEN).
func (b *Broker) Env() []string {
	return []string{BrokerURLEnv + "=" + b.URL(), BrokerTokenEnv + "=" + b.token}
}

// Attach finds a broker, starts workers through launcher and returns a
// pool whose Map runs experiments on them; Close detaches: it stops the
// workers (for Slurm, scancel) and the broker Attach started, if any.
//
//	pool, err := compute.Attach(ctx, compute.Local{Workers: 2})
//	pool, err := compute.Attach(ctx, compute.Slurm{Partition: "short", Workers: 4, Time: "1:00:00"})
//
// The broker is the one the environment names ($FIRN_COMPUTE_URL with
// $FIRN_COMPUTE_TOKEN or $FIRN_COMPUTE_CREDS: what `firn serve` gives its
// kernels), else an embedded one that Attach starts, storing its streams
// in a folder of its own under DefaultStoreDir (or, where that cannot be
// written, the temporary folder), removed by Close. A nil launcher is
// Local{}: one worker process per core on this machine.
//
// ctx bounds the attaching (sbatch, the connection); the pool outlives
// it, until Close.
func Attach(ctx context.Context, launcher Launcher) (*Pool, error) {
	if launcher == nil {
		launcher = Local{}
	}
	url := os.Getenv(BrokerURLEnv)
	auth := Auth{Token: os.Getenv(BrokerTokenEnv), CredsFile: os.Getenv(BrokerCredsEnv)}
	var (
		broker *Broker
		store  string
	)
	if url == "" {
		var err error
		if broker, store, err = ownBroker(); err != nil {
			return nil, fmt.Errorf("attach: %w", err)
		}
		url, auth = broker.URL(), Auth{Token: broker.Token()}
	}
	p, err := NewPool(ctx, url, auth, PoolOptions{})
	if err != nil {
		if broker != nil {
			broker.Close()
			os.RemoveAll(store)
		}
		return nil, fmt.Errorf("attach: %w", err)
	}
	p.broker, p.store = broker, store
	w, err := launcher.Launch(ctx, url, auth)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("attach: %w", err)
	}
	p.workers = w
	p.where = describe(launcher, w)
	return p, nil
}

// ownBroker starts the embedded broker of an Attach without one in its
// environment, in a new folder under DefaultStoreDir, or under the
// temporary folder where that cannot be written (a confined kernel).
func ownBroker() (*Broker, string, error) {
	var dir string
	if base, err := DefaultStoreDir(); err == nil {
		if os.MkdirAll(base, 0o700) == nil {
			dir, _ = os.MkdirTemp(base, "attach-")
		}
	}
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "firn-compute-"); err != nil {
			return nil, "", fmt.Errorf("a folder for the broker: %w", err)
		}
	}
	b, err := StartBroker(BrokerOptions{Dir: dir})
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	return b, dir, nil
}

// describe names the workers for the progress display: "2 local workers",
// "Slurm job 123".
func describe(l Launcher, w Workers) string {
	if j, ok := w.(*SlurmJob); ok {
		return "Slurm job " + j.ID
	}
	if j, ok := w.(*KubernetesJob); ok {
		return j.String()
	}
	if s, ok := l.(fmt.Stringer); ok {
		return s.String()
	}
	return plural(w.Count(), "worker")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Workers returns the workers Attach started (a *SlurmJob for Slurm), nil
// for a pool made by NewPool.
func (p *Pool) Workers() Workers { return p.workers }

// A ProgressView shows the progress of one Map, updated in place.
type ProgressView interface {
	Update(Progress)
}

// ShowProgress sets how Map shows its progress: show is called with a
// Map's first state and returns the view that gets every change, the
// last one final (Progress.State is then "done", "failed" or
// "interrupted"). In a notebook the kernel sets it to a display updated
// in place (Jupyter's update_display_data); nil shows nothing.
func (p *Pool) ShowProgress(show func(Progress) ProgressView) {
	p.mu.Lock()
	p.show = show
	p.mu.Unlock()
}

// Map runs tasks on the pool's workers and returns their results, in the
// order of tasks, as an Ensemble whose histories the plots draw
// (plots.TimeSeries(e.Histories(), e.Labels(), …)). Its progress goes to
// the view ShowProgress set. When ctx ends (a cell's interrupt), Map
// cancels the tasks not yet done — those queued are removed, those
// running stopped — and returns the results so far with an error that
// says so; the workers stay attached for the next Map. Tasks that failed
// make an error too (naming each task's experiment file and its error),
// returned with the whole Ensemble.
func (p *Pool) Map(ctx context.Context, tasks []Task) (*Ensemble, error) {
	if len(tasks) == 0 {
		return nil, errors.New("map: no experiments")
	}
	n := 0
	if p.workers != nil {
		n = p.workers.Count()
	}
	// The job's id is chosen here, so that a Submit that ctx ends half
	// way can be taken back.
	id := randomID(8)
	job, err := p.Submit(ctx, tasks, SubmitOptions{Workers: n, JobID: id})
	if err != nil {
		if ctx.Err() != nil {
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = (&Job{ID: id, pool: p}).Cancel(cctx)
		}
		return nil, fmt.Errorf("map: %w", err)
	}
	p.mu.Lock()
	show := p.show
	p.mu.Unlock()
	m := newMonitor(p, job, show)
	// A Slurm job that leaves the queue (scancel, a node failure, its
	// time limit) leaves no worker to run what is left: the wait ends
	// then, rather than never.
	wctx, stopWait := context.WithCancel(ctx)
	defer stopWait()
	go func() {
		select {
		case <-m.gone:
			stopWait()
		case <-wctx.Done():
		}
	}()
	results, werr := job.Wait(wctx, m.status)
	all := job.Tasks()
	if len(results) != len(all) {
		results = make([]Result, len(all))
	}
	missing := "cancelled"
	if ctx.Err() == nil {
		missing = "no result: the map stopped"
	}
	for i, r := range results {
		if r.TaskID == "" {
			results[i] = Result{TaskID: all[i].ID, Name: all[i].Name, Err: all[i].Name + ": " + missing}
		}
	}
	e := &Ensemble{Tasks: all, Results: results}
	if werr != nil && ctx.Err() == nil && isClosed(m.gone) {
		short, long := m.queued.gone()
		for i, r := range results {
			if r.Err == all[i].Name+": "+missing {
				results[i].Err = all[i].Name + ": not run: " + short
			}
		}
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = job.Cancel(cctx) // take back what no worker will run
		st := m.end("workers gone")
		return e, fmt.Errorf("map stopped: %s: %d of %d experiments done, %d failed, the other %d not run",
			long, st.Done, st.Total, st.Failed, st.Total-st.Done-st.Failed)
	}
	if werr != nil {
		if ctx.Err() != nil {
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cerr := job.Cancel(cctx)
			st := m.end("interrupted")
			err := fmt.Errorf("map interrupted: %d of %d experiments done, %d failed, the other %d cancelled",
				st.Done, st.Total, st.Failed, st.Total-st.Done-st.Failed)
			if cerr != nil {
				err = fmt.Errorf("%w; %w", err, cerr)
			}
			return e, err
		}
		m.end("failed")
		return e, fmt.Errorf("map: %w", werr)
	}
	st := m.end("done")
	if st.Failed > 0 {
		return e, e.failure()
	}
	return e, nil
}

// Progress is the state of one Map, as its progress display shows it:
// how many of its experiments are done, running and failed, and, while
// Slurm workers wait in the queue, how many, why (Slurm's reason:
// Priority, Resources, …) and when Slurm expects to start them.
type Progress struct {
	// Job is the Map's job id in the broker; Workers names the pool's
	// workers ("2 local workers", "Slurm job 123").
	Job     string `json:"job"`
	Workers string `json:"workers"`
	// Counts of experiments.
	Total   int `json:"total"`
	Done    int `json:"done"`
	Running int `json:"running"`
	Failed  int `json:"failed"`
	// Slurm: worker tasks running and pending, the reason and the start
	// estimate ("N/A" when Slurm has none) of the pending ones, and the
	// error of the last squeue, if it failed. Kubernetes: worker pods
	// running, pending and failed, the reason of a pending or failed one
	// (Unschedulable, ImagePullBackOff, …; no start estimate), and the
	// error of the last look at the Job.
	WorkersRunning int    `json:"workers_running,omitempty"`
	WorkersPending int    `json:"workers_pending,omitempty"`
	WorkersFailed  int    `json:"workers_failed,omitempty"`
	Reason         string `json:"reason,omitempty"`
	Start          string `json:"start,omitempty"`
	QueueErr       string `json:"queue_error,omitempty"`
	// State is "running" until the Map ends, then "done", "failed" (the
	// broker was lost), "interrupted" or "workers gone" (the Slurm job
	// left the queue: scancel, a node failure, its time limit).
	State string `json:"state"`
}

// Title is the progress in one line: "2 local workers: 37 running, 0
// failed", "Slurm job 123: 1 worker running, 1 pending (Resources, start
// 2026-12-05T14:05:00): 12 running, 0 failed", "done: 200 of 200, 0
// failed".
func (p Progress) Title() string {
	var b strings.Builder
	b.WriteString(p.Workers)
	if p.WorkersPending > 0 || p.WorkersRunning > 0 || p.WorkersFailed > 0 {
		fmt.Fprintf(&b, ", %s running", plural(p.WorkersRunning, "worker"))
		if p.WorkersPending > 0 {
			fmt.Fprintf(&b, ", %d pending (%s", p.WorkersPending, p.Reason)
			if p.Start != "" {
				b.WriteString(", start " + p.Start)
			}
			b.WriteString(")")
		}
	}
	if p.WorkersFailed > 0 {
		fmt.Fprintf(&b, ", %d failed", p.WorkersFailed)
		if p.WorkersPending == 0 && p.Reason != "" {
			b.WriteString(" (" + p.Reason + ")")
		}
	}
	if p.QueueErr != "" {
		b.WriteString(" (" + p.QueueErr + ")")
	}
	switch p.State {
	case "done":
		fmt.Fprintf(&b, ": done, %d of %d, %d failed", p.Done, p.Total, p.Failed)
	case "interrupted":
		fmt.Fprintf(&b, ": interrupted, %d done, %d failed, %d cancelled", p.Done, p.Failed, p.Total-p.Done-p.Failed)
	case "failed":
		fmt.Fprintf(&b, ": stopped, %d done, %d failed", p.Done, p.Failed)
	case "workers gone":
		fmt.Fprintf(&b, ": the job left the queue (cancelled, failed or out of time), %d done, %d failed, %d not run", p.Done, p.Failed, p.Total-p.Done-p.Failed)
	default:
		fmt.Fprintf(&b, ": %d running, %d failed", p.Running, p.Failed)
	}
	return b.String()
}

// String is the progress as a line of text: the title, and while the
// Map runs how many of its experiments are done.
func (p Progress) String() string {
	if p.State != "running" {
		return p.Title()
	}
	return fmt.Sprintf("%s — %d of %d done", p.Title(), p.Done, p.Total)
}

// MIME shows the progress in a notebook (Firn's progress bar, with the
// state in its title, and HTML for other front ends).
func (p Progress) MIME() (map[string][]byte, error) {
	bar := struct {
		Title string `json:"title"`
		Progress
	}{p.Title(), p}
	data, err := jsonMarshal(bar)
	if err != nil {
		return nil, err
	}
	pct := 0
	if p.Total > 0 {
		pct = p.Done * 100 / p.Total
	}
	html := fmt.Sprintf(`<div class="firn-progress"><span>%s</span> <progress value="%d" max="%d"></progress> %d %% (%d/%d)</div>`,
		htmlEscape(p.Title()), p.Done, p.Total, pct, p.Done, p.Total)
	return map[string][]byte{
		"text/plain": []byte(p.String()),
		"text/html":  []byte(html),
		// The notebook's progress bar (kernel/display's ProgressBar uses
		// the same type): title, done, total, and the rest of Progress.
		"application/vnd.firn.progress+json": data,
	}, nil
}

// queuedWorkers are workers that a batch system or a cluster places and
// reports on (a Slurm job, a Kubernetes job): a Map shows their state,
// and stops waiting for them when they are gone.
type queuedWorkers interface {
	Workers
	queueState(ctx context.Context) (workerQueue, error)
	// gone says what became of the workers: briefly, for each task not
	// run, and at length, for the Map's error.
	gone() (short, long string)
}

// workerQueue is the state of queued workers.
type workerQueue struct {
	running, pending, failed int
	reason, start            string
	gone                     bool // no worker will come
}

// queueState asks squeue for the array's tasks.
func (j *SlurmJob) queueState(ctx context.Context) (workerQueue, error) {
	tasks, err := j.Status(ctx)
	if err != nil {
		return workerQueue{}, err
	}
	q := workerQueue{gone: len(tasks) == 0}
	for _, t := range tasks {
		switch t.State {
		case "PENDING":
			q.pending += pendingCount(t.ID)
			q.reason, q.start = t.Reason, t.Start
		case "RUNNING":
			q.running++
		}
	}
	return q, nil
}

func (j *SlurmJob) gone() (short, long string) {
	return "the workers' Slurm job left the queue",
		fmt.Sprintf("Slurm job %s has left the queue (cancelled, failed or out of time; its logs are in %s)", j.ID, j.Dir)
}

// queueState counts the Job's pods by phase, with the reason of a
// pending one (or else of a failed one).
func (j *KubernetesJob) queueState(ctx context.Context) (workerQueue, error) {
	pods, err := j.Status(ctx)
	var gone *jobGoneError
	if err != nil && !errors.As(err, &gone) {
		return workerQueue{}, err
	}
	q := workerQueue{gone: gone != nil}
	failed := ""
	for _, p := range pods {
		switch p.Phase {
		case "Pending":
			q.pending++
			if q.reason == "" {
				q.reason = p.Reason
			}
		case "Running":
			q.running++
		case "Failed":
			q.failed++
			if failed == "" {
				failed = p.Reason
			}
		}
	}
	if q.reason == "" {
		q.reason = failed
	}
	if q.pending > 0 && q.reason == "" {
		q.reason = "Pending"
	}
	return q, nil
}

func (j *KubernetesJob) gone() (short, long string) {
	return "the workers' Kubernetes job is gone",
		fmt.Sprintf("Kubernetes job %s in namespace %s is gone (deleted, or its pods failed too often: kubectl -n %s describe job %s)",
			j.Name, j.Namespace, j.Namespace, j.Name)
}

// monitor keeps a Map's Progress and shows its changes: Job.Wait's status
// callbacks and, for queued workers (Slurm, Kubernetes), their state
// every second.
type monitor struct {
	view    ProgressView
	queued  queuedWorkers // nil for other workers
	mu      sync.Mutex
	cur     Progress
	changed chan struct{}
	stop    chan struct{}
	wg      sync.WaitGroup
	// gone is closed when squeue no longer lists the Slurm job, or the
	// Kubernetes job is deleted or failed.
	gone     chan struct{}
	goneOnce sync.Once
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// slurmPoll is how often a Map asks squeue (or Kubernetes) for its
// queued workers.
const slurmPoll = time.Second

func newMonitor(p *Pool, job *Job, show func(Progress) ProgressView) *monitor {
	m := &monitor{
		cur:     Progress{Job: job.ID, Workers: p.where, Total: len(job.Tasks()), State: "running"},
		changed: make(chan struct{}, 1),
		stop:    make(chan struct{}),
		gone:    make(chan struct{}),
	}
	if m.cur.Workers == "" {
		m.cur.Workers = "workers"
	}
	queued, _ := p.workers.(queuedWorkers)
	m.queued = queued
	if queued != nil {
		m.queue(queued)
	}
	if show == nil {
		return m
	}
	m.view = show(m.cur)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		last := m.cur
		for {
			select {
			case <-m.stop:
				return
			case <-m.changed:
			}
			m.mu.Lock()
			now := m.cur
			m.mu.Unlock()
			if now != last {
				m.view.Update(now)
				last = now
			}
		}
	}()
	if queued != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			t := time.NewTicker(slurmPoll)
			defer t.Stop()
			for {
				select {
				case <-m.stop:
					return
				case <-t.C:
					m.queue(queued)
					m.signal()
				}
			}
		}()
	}
	return m
}

// queue asks squeue (or Kubernetes) for the workers' state.
func (m *monitor) queue(j queuedWorkers) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q, err := j.queueState(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.cur.QueueErr = err.Error()
		return
	}
	m.cur.QueueErr = ""
	if q.gone {
		m.goneOnce.Do(func() { close(m.gone) })
	}
	m.cur.WorkersRunning, m.cur.WorkersPending, m.cur.WorkersFailed = q.running, q.pending, q.failed
	m.cur.Reason, m.cur.Start = q.reason, q.start
}

// pendingCount is the number of array tasks in a squeue id: 1 for
// "123_4", 3 for "123_[2-4]", 2 for "123_[1,5]".
func pendingCount(id string) int {
	_, r, ok := strings.Cut(id, "_[")
	if !ok {
		return 1
	}
	r, _, _ = strings.Cut(r, "%") // a throttle: 123_[2-4%2]
	r = strings.TrimSuffix(r, "]")
	n := 0
	for _, part := range strings.Split(r, ",") {
		var a, b int
		if _, err := fmt.Sscanf(part, "%d-%d", &a, &b); err == nil && b >= a {
			n += b - a + 1
		} else {
			n++
		}
	}
	return max(1, n)
}

func (m *monitor) signal() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// status is Job.Wait's callback.
func (m *monitor) status(s Status) {
	m.mu.Lock()
	m.cur.Done, m.cur.Failed = s.Done, s.Failed
	m.cur.Running = min(s.Running, s.Total-s.Done-s.Failed)
	m.mu.Unlock()
	m.signal()
}

// end stops the updates and shows the final state.
func (m *monitor) end(state string) Progress {
	close(m.stop)
	m.wg.Wait()
	if m.queued != nil && m.view != nil {
		m.queue(m.queued) // the workers' state at the end
	}
	m.mu.Lock()
	m.cur.State = state
	if state != "running" {
		m.cur.Running = 0
	}
	final := m.cur
	m.mu.Unlock()
	if m.view != nil {
		m.view.Update(final)
	}
	return final
}
