package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/atomicfile"
	"github.com/firnglacier/firn/internal/buildinfo"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks"
	nbrun "github.com/firnglacier/firn/notebooks/run"
)

// gridFlags are firn run's --grid NAME=SPEC flags, in order.
type gridFlags []gridAxis

// gridAxis is one parameter's values.
type gridAxis struct {
	name   string
	values []string
}

func (g *gridFlags) String() string { return "" }

// Set takes NAME=START:STOP:STEP (STOP included when a step lands on
// it) or NAME=V1,V2,… or NAME=V.
func (g *gridFlags) Set(s string) error {
	name, spec, ok := strings.Cut(s, "=")
	if !ok || name == "" || spec == "" {
		return fmt.Errorf("%q: want NAME=START:STOP:STEP or NAME=V1,V2,…", s)
	}
	var values []string
	if parts := strings.Split(spec, ":"); len(parts) == 3 {
		var f [3]float64
		for i, p := range parts {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: %q is not a number", name, p)
			}
			f[i] = v
		}
		start, stop, step := f[0], f[1], f[2]
		if step <= 0 || stop < start {
			return fmt.Errorf("%s=%s: want START ≤ STOP and a STEP above 0", name, spec)
		}
		n := int(math.Floor((stop-start)/step+1e-9)) + 1
		if n > 10000 {
			return fmt.Errorf("%s=%s: %d values; at most 10,000", name, spec, n)
		}
		for i := range n {
			values = append(values, strconv.FormatFloat(start+float64(i)*step, 'g', 12, 64))
		}
	} else if strings.Contains(spec, ":") {
		return fmt.Errorf("%s=%s: a range is START:STOP:STEP", name, spec)
	} else {
		for _, v := range strings.Split(spec, ",") {
			if v = strings.TrimSpace(v); v != "" {
				values = append(values, v)
			}
		}
	}
	for _, a := range *g {
		if a.name == name {
			return fmt.Errorf("%s is given twice", name)
		}
	}
	*g = append(*g, gridAxis{name, values})
	return nil
}

// points are the grid's points: every combination, the first axis
// slowest.
func (g gridFlags) points() []map[string]string {
	out := []map[string]string{{}}
	for _, a := range g {
		var next []map[string]string
		for _, p := range out {
			for _, v := range a.values {
				q := map[string]string{}
				for k, x := range p {
					q[k] = x
				}
				q[a.name] = v
				next = append(next, q)
			}
		}
		out = next
	}
	return out
}

// pointName is the file name part of a point: "ela=2800_years=300".
func (g gridFlags) pointName(p map[string]string) string {
	var parts []string
	for _, a := range g {
		v := strings.Map(func(r rune) rune {
			if strings.ContainsRune(`/\:*?"<>| `, r) {
				return '_'
			}
			return r
		}, p[a.name])
		parts = append(parts, a.name+"="+v)
	}
	return strings.Join(parts, "_")
}

// runGrid is `firn run NB --on local|slurm --grid NAME=SPEC … --out-dir
// DIR`: the notebook runs once per point of the grid, each run a task
// for the pool's workers (firn worker runs notebooks with a kernel of its
// own), with the point's values as parameters (-p). Each executed
// notebook is written to DIR/STEM_POINT.ipynb, and DIR/summary.csv has a
// row per point (its values, ok or the error, the worker). A failed
// point fails the run (exit status 1) after every point has run.
func runGrid(ctx context.Context, in string, grid gridFlags, fixed []nbrun.Parameter, o manyOptions, stderr io.Writer) error {
	launcher, err := o.launcher(stderr, "firn run")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return usageError{err}
	}
	nb, err := notebooks.Read(bytes.NewReader(data), in)
	if err != nil {
		return usageError{err}
	}
	if strings.EqualFold(filepath.Ext(in), ".go") {
		// The workers take .ipynb.
		var b bytes.Buffer
		if err := nb.Write(&b); err != nil {
			return err
		}
		data = b.Bytes()
	}
	dir, err := filepath.Abs(filepath.Dir(in))
	if err != nil {
		return err
	}
	stem := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
	points := grid.points()
	tasks := make([]compute.Task, len(points))
	for i, p := range points {
		params := map[string]string{}
		for _, f := range fixed {
			params[f.Name] = f.Value
		}
		for k, v := range p {
			params[k] = v
		}
		tasks[i] = compute.Task{ID: strconv.Itoa(i), Name: stem + "_" + grid.pointName(p) + ".ipynb", Kind: compute.KindNotebook, Data: data, Params: params, Dir: dir}
	}
	// A bad parameter fails every point alike: try the first here, before
	// any worker starts (nothing runs: the notebook is only read).
	if err := nbrun.CheckParameters(nb, paramList(tasks[0].Params), in); err != nil {
		return usageError{err}
	}
	pool, workers, done, err := o.startPool(ctx, launcher, stderr)
	if err != nil {
		return err
	}
	defer done()
	// A notebook is seconds of work: one per chunk; a cell that fails
	// fails the same way again, so one retry is for a worker that died.
	job, err := pool.Submit(ctx, tasks, compute.SubmitOptions{Workers: workers.Count(), Attempts: max(2, o.attempts), ChunkSize: 1})
	if err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "firn run: %s over %d points on %s\n", in, len(points), o.on)
	}
	results, err := o.wait(ctx, job, workers, stderr)
	if errors.Is(err, context.Canceled) {
		return &exitError{code: exitCanceled}
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return fmt.Errorf("--out-dir: %w", err)
	}
	var summary bytes.Buffer
	for _, a := range grid {
		summary.WriteString(csvField(a.name) + ",")
	}
	summary.WriteString("notebook,status,error,worker\n")
	failed := 0
	for i, r := range results {
		if len(r.Output) > 0 {
			if err := atomicfile.WriteBytes(filepath.Join(o.outDir, tasks[i].Name), 0o644, r.Output); err != nil {
				return err
			}
		}
		state := "ok"
		if r.Failed() {
			state = "failed"
			failed++
		}
		for _, a := range grid {
			summary.WriteString(csvField(points[i][a.name]) + ",")
		}
		file := tasks[i].Name
		if len(r.Output) == 0 {
			file = ""
		}
		summary.WriteString(strings.Join([]string{csvField(file), state, csvField(r.Err), csvField(r.Worker)}, ",") + "\n")
	}
	if err := atomicfile.WriteBytes(filepath.Join(o.outDir, "summary.csv"), 0o644, summary.Bytes()); err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "firn run: %d points: %d ok, %d failed; notebooks and summary.csv in %s\n", len(points), len(points)-failed, failed, o.outDir)
	}
	if failed > 0 {
		return fmt.Errorf("firn run: %d of %d points failed (summary.csv says which and why)", failed, len(points))
	}
	return nil
}

func paramList(m map[string]string) []nbrun.Parameter {
	var out []nbrun.Parameter
	for k, v := range m {
		out = append(out, nbrun.Parameter{Name: k, Value: v})
	}
	return out
}

// runNotebookTask is how firn worker runs a notebook task: with a kernel
// of its own in the task's folder when the worker has it (else a
// temporary one), the task's parameters injected. It returns the
// executed notebook, and with it the error of a failed cell.
func runNotebookTask(ctx context.Context, t compute.Task) ([]byte, error) {
	nb, err := notebooks.Read(bytes.NewReader(t.Data), t.Name)
	if err != nil {
		return nil, err
	}
	dir := t.Dir
	if fi, err := os.Stat(dir); dir == "" || err != nil || !fi.IsDir() {
		tmp, err := os.MkdirTemp("", "firn-notebook-task-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	runErr := nbrun.Notebook(ctx, nb, nbrun.Options{
		Kernel: kernel.Options{Dir: dir}, Parameters: paramList(t.Params), Name: t.Name, Version: buildinfo.Version(),
	})
	var cellErr *nbrun.CellError
	if runErr != nil && !errors.As(runErr, &cellErr) {
		return nil, runErr
	}
	var b bytes.Buffer
	if err := nb.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), runErr
}
