package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/experiment"
	"github.com/firnglacier/firn/internal/atomicfile"
)

// manyOptions are firn model run's flags for many experiments through a
// pool of workers.
type manyOptions struct {
	on, outDir, connect, token, creds, store string
	workers, concurrency, every, attempts    int
	quiet                                    bool
	slurm                                    compute.Slurm
	ssh                                      sshOptions
	kube                                     compute.Kubernetes
	// manifest prints the Kubernetes Secret and Job instead of creating
	// them (--manifest).
	manifest bool
}

// compiledName is the file with every run, next to each run's own, and
// compiledNetCDF the same runs as NetCDF (time × run).
const (
	compiledName   = "compiled.csv"
	compiledNetCDF = "compiled.nc"
)

// modelRunMany is `firn model run EXP|DIR ... --on local --out-dir DIR`:
// each experiment a task of one job, run by local worker processes
// through the broker (embedded, or --connect URL), each run's
// diagnostics written to DIR/NAME.csv and all of them to
// DIR/compiled.csv and DIR/compiled.nc. Nothing is written until every
// run has ended.
func modelRunMany(ctx context.Context, paths []string, o manyOptions, stderr io.Writer) error {
	launcher, err := o.launcher(stderr, "model run")
	if err != nil {
		return err
	}
	tasks, names, err := loadTasks(paths, o.every)
	if err != nil {
		return err
	}
	pool, workers, done, err := o.startPool(ctx, launcher, stderr)
	if err != nil {
		return err
	}
	defer done()
	job, err := pool.Submit(ctx, tasks, compute.SubmitOptions{Workers: workers.Count(), Attempts: o.attempts})
	if err != nil {
		return err
	}
	results, err := o.wait(ctx, job, workers, stderr)
	if err != nil {
		return err
	}

	// Every run has ended: write each one's diagnostics and the compiled
	// file, each atomically.
	var compiled bytes.Buffer
	compiled.WriteString("run,year,volume_m3,area_m2,length_m\n")
	var failed, doneNames []string
	var doneRuns []*dynamics.History
	files := map[string][]byte{}
	for i, r := range results {
		if r.Failed() {
			failed = append(failed, r.Err)
			continue
		}
		doneNames, doneRuns = append(doneNames, names[i]), append(doneRuns, r.History)
		var diag bytes.Buffer
		if err := r.History.WriteCSV(&diag); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		files[names[i]+".csv"] = diag.Bytes()
		// The compiled rows are the run's rows with its name in front.
		rows := strings.Split(strings.TrimSuffix(diag.String(), "\n"), "\n")[1:]
		for _, row := range rows {
			compiled.WriteString(csvField(names[i]) + "," + row + "\n")
		}
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return fmt.Errorf("--out-dir: %w", err)
	}
	written := make([]string, 0, len(files))
	for name := range files {
		written = append(written, name)
	}
	sort.Strings(written)
	for _, name := range written {
		if err := atomicfile.WriteBytes(filepath.Join(o.outDir, name), 0o644, files[name]); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteBytes(filepath.Join(o.outDir, compiledName), 0o644, compiled.Bytes()); err != nil {
		return err
	}
	both := compiledName
	if len(doneRuns) > 0 {
		// The same runs as NetCDF (time × run), as OGGM's
		// compile_run_output writes them, for xarray.
		err := atomicfile.Write(filepath.Join(o.outDir, compiledNetCDF), 0o644, func(w io.Writer) error {
			return compute.WriteCompiledNetCDF(w, doneNames, doneRuns, "firn model run --on "+o.on)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", compiledNetCDF, err)
		}
		both += " and " + compiledNetCDF
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "%d runs: %d done, %d failed; wrote %d files, %s in %s\n",
			len(results), len(results)-len(failed), len(failed), len(written), both, o.outDir)
	}
	if len(failed) > 0 {
		for _, f := range failed {
			fmt.Fprintln(stderr, "failed:", f)
		}
		return &exitError{code: exitFailure}
	}
	return nil
}

// loadTasks reads the experiment files (a directory gives its .json,
// .yaml and .yml files), refusing a bad one before anything runs, and
// names each run by its file name without the extension.
func loadTasks(paths []string, every int) ([]compute.Task, []string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("experiment: %w", err)}
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("experiment folder: %w", err)}
		}
		n := 0
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".json", ".yaml", ".yml":
				if !e.IsDir() {
					files = append(files, filepath.Join(p, e.Name()))
					n++
				}
			}
		}
		if n == 0 {
			return nil, nil, usagef("experiment folder %s has no .json, .yaml or .yml files", p)
		}
	}
	tasks := make([]compute.Task, len(files))
	names := make([]string, len(files))
	byName := map[string]string{}
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("experiment: %w", err)}
		}
		if _, err := experiment.Parse(data, f); err != nil {
			return nil, nil, usageError{err}
		}
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if name == strings.TrimSuffix(compiledName, ".csv") {
			return nil, nil, usagef("%s: a run may not be named %q (that is the compiled file)", f, name)
		}
		if other, ok := byName[name]; ok {
			return nil, nil, usagef("%s and %s would both write %s.csv: rename one", other, f, name)
		}
		byName[name] = f
		tasks[i] = compute.Task{ID: strconv.Itoa(i), Name: f, Data: data, Every: every}
		names[i] = name
	}
	return tasks, names, nil
}

// csvField quotes a field when CSV needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// statusPrinter reports a job's counts: on a terminal on one line that it
// rewrites, elsewhere on a new line every 10 % of the runs ended.
func statusPrinter(w io.Writer) func(compute.Status) {
	term := isTerminal(w)
	var mu sync.Mutex
	last := -1
	lastLine := ""
	return func(s compute.Status) {
		mu.Lock()
		defer mu.Unlock()
		ended := s.Done + s.Failed
		s.Running = min(s.Running, s.Total-ended)
		line := fmt.Sprintf("runs: %d of %d done, %d running, %d failed", s.Done, s.Total, s.Running, s.Failed)
		if term {
			if line != lastLine {
				fmt.Fprintf(w, "\r%s   ", line)
				lastLine = line
			}
			return
		}
		step := 10 * ended / max(1, s.Total)
		if step == last {
			return
		}
		last = step
		fmt.Fprintln(w, line)
	}
}

// reportQueue says, whenever it changes, how many of a Slurm array's
// workers are still queued, why, and when Slurm expects to start them.
func reportQueue(ctx context.Context, j *compute.SlurmJob, w io.Writer) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	last := ""
	for {
		if tasks, err := j.Status(ctx); err == nil {
			pending, running, reason, start := 0, 0, "", ""
			for _, task := range tasks {
				switch task.State {
				case "PENDING":
					pending++
					reason, start = task.Reason, task.Start
				case "RUNNING":
					running++
				}
			}
			line := ""
			if pending > 0 {
				line = fmt.Sprintf("queued: Slurm job %s, %d workers running, %d pending (%s), estimated start %s", j.ID, running, pending, reason, start)
			}
			if line != last && line != "" {
				fmt.Fprintln(w, line)
			}
			last = line
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// separateBroker starts an embedded broker in a new folder under the
// default store folder, which the caller removes after closing it.
func separateBroker() (*compute.Broker, string, error) {
	base, err := compute.DefaultStoreDir()
	if err != nil {
		return nil, "", err
	}
	dir, err := os.MkdirTemp(base, "run-")
	if err != nil {
		return nil, "", fmt.Errorf("broker: %w", err)
	}
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: dir})
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	return b, dir, nil
}

// launcher is the launcher --on names, its flags checked; cmd names the
// command in messages ("model run", "firn run").
func (o *manyOptions) launcher(stderr io.Writer, cmd string) (compute.Launcher, error) {
	var launcher compute.Launcher
	switch o.on {
	case "local":
		launcher = compute.Local{Workers: o.workers, Concurrency: o.concurrency, Stderr: stderr}
	case "slurm":
		if o.concurrency > 0 {
			return nil, usagef("%s: with --on slurm, --cpus-per-task sets each worker's concurrency", cmd)
		}
		o.slurm.Workers = o.workers
		launcher = o.slurm
	case "kubernetes":
		if o.kube.Image == "" {
			return nil, usagef("%s: --on kubernetes needs --image, the container image with firn in it", cmd)
		}
		if o.connect == "" {
			return nil, usagef("%s: --on kubernetes needs --connect URL: a NATS server with JetStream that the cluster's pods reach (the embedded broker listens on this machine's loopback)", cmd)
		}
		if o.concurrency > 0 {
			return nil, usagef("%s: with --on kubernetes, --pod-cpu sets each worker's concurrency", cmd)
		}
		o.kube.Workers = o.workers
		launcher = o.kube
	default:
		if !strings.HasPrefix(o.on, "ssh://") {
			return nil, usagef("%s: --on %q: want local, slurm, kubernetes or ssh://HOST", cmd, o.on)
		}
		l, err := sshLauncher(*o, stderr)
		if err != nil {
			return nil, err
		}
		launcher = l
	}
	if o.outDir == "" {
		return nil, usagef("%s: --on needs --out-dir DIR for the runs' files", cmd)
	}
	if o.workers < 0 || o.concurrency < 0 || o.attempts < 0 {
		return nil, usagef("%s: --workers, --concurrency and --attempts must be positive", cmd)
	}
	if o.token != "" && o.creds != "" {
		return nil, usagef("%s: give --token or --creds, not both", cmd)
	}
	if o.connect == "" && (o.token != "" || o.creds != "") {
		return nil, usagef("%s: --token and --creds go with --connect URL", cmd)
	}
	return launcher, nil
}

// startPool starts the broker (embedded, or --connect URL), a pool on it
// and the workers of launcher; done stops them all.
func (o *manyOptions) startPool(ctx context.Context, launcher compute.Launcher, stderr io.Writer) (pool *compute.Pool, workers compute.Workers, done func(), err error) {
	var stops []func()
	done = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	defer func() {
		if err != nil {
			done()
		}
	}()
	url, auth := o.connect, compute.Auth{Token: o.token, CredsFile: o.creds}
	if url == "" {
		b, err := compute.StartBroker(compute.BrokerOptions{Dir: o.store})
		if errors.Is(err, compute.ErrStoreInUse) && o.store == "" {
			// Another broker (a running `firn serve`) has the default
			// folder: this run gets a folder of its own beside it.
			var dir string
			if b, dir, err = separateBroker(); err == nil {
				stops = append(stops, func() { os.RemoveAll(dir) }) // after b.Close, stopped below
			}
		}
		if err != nil {
			return nil, nil, done, err
		}
		stops = append(stops, func() { b.Close() })
		url, auth = b.URL(), compute.Auth{Token: b.Token()}
	}
	pool, err = compute.NewPool(ctx, url, auth, compute.PoolOptions{})
	if err != nil {
		return nil, nil, done, err
	}
	p := pool // the named results are nil when an error returns below
	stops = append(stops, func() { p.Close() })
	workers, err = launcher.Launch(ctx, url, auth)
	if err != nil {
		return nil, nil, done, err
	}
	w := workers
	stops = append(stops, func() { w.Stop() })
	if j, ok := workers.(*compute.SlurmJob); ok && !o.quiet {
		fmt.Fprintf(stderr, "submitted Slurm job array %s (%d workers; script and logs in %s); scancel when done or interrupted\n", j.ID, max(1, o.workers), j.Dir)
		qctx, stopQueue := context.WithCancel(ctx)
		stops = append(stops, stopQueue)
		go reportQueue(qctx, j, stderr)
	}
	return pool, workers, done, nil
}

// wait collects the job's results, showing its counts unless quiet. On
// Ctrl-C (ctx ended) it takes back what has not run, stops what runs,
// and takes back what the stopping workers gave back, so that nothing of
// the job stays queued on the broker; it then returns context.Canceled.
func (o *manyOptions) wait(ctx context.Context, job *compute.Job, workers compute.Workers, stderr io.Writer) ([]compute.Result, error) {
	status := func(compute.Status) {}
	if !o.quiet {
		status = statusPrinter(stderr)
	}
	results, err := job.Wait(ctx, status)
	if !o.quiet && isTerminal(stderr) {
		fmt.Fprintln(stderr)
	}
	if err != nil && ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cerr := job.Cancel(cctx)
		_ = workers.Stop()
		if cerr == nil {
			cerr = job.Cancel(cctx)
		}
		if cerr != nil {
			fmt.Fprintln(stderr, "firn:", cerr)
		}
		return nil, context.Canceled
	}
	return results, err
}

// kubernetesManifest is `firn model run … --on kubernetes --manifest`:
// the Secret and the Job that --on kubernetes would create, as YAML on
// stdout, to review, or to apply with kubectl yourself (the workers then
// serve the --connect broker until the Job is deleted).
func kubernetesManifest(o manyOptions, stdout io.Writer) error {
	if o.on != "kubernetes" {
		return usagef("model run: --manifest goes with --on kubernetes")
	}
	l, err := o.launcher(io.Discard, "model run")
	if err != nil {
		return err
	}
	y, err := l.(compute.Kubernetes).Manifest(o.connect, compute.Auth{Token: o.token, CredsFile: o.creds})
	if err != nil {
		return err
	}
	_, err = stdout.Write(y)
	return err
}
