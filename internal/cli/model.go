package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/experiment"
	"github.com/firnglacier/firn/internal/atomicfile"
)

const modelUsage = `usage: firn model run EXP|- [--out FILE] [--profile FILE] [--every N] [--quiet]
       firn model run --example NAME ...
       firn model run EXP|DIR ... --on local|slurm [--workers N] [--partition P ...] --out-dir DIR
       firn model examples
       firn model example NAME

Runs glacier experiments: an experiment file (JSON or YAML; - reads it
from stdin) grows a glacier and writes its yearly volume, area and length
as CSV. With --on local (or slurm), many experiment files (or folders of
them) run on worker processes (or a Slurm job array) through a broker; each run's diagnostics go to
DIR/NAME.csv and all of them to DIR/compiled.csv and DIR/compiled.nc
(NetCDF, time × run, for xarray). firn model run --help
lists its flags.
`

func modelCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("model: want a subcommand: run, examples or example (see firn model --help)")
	}
	if isHelp(args[0]) || (len(args) > 1 && isHelp(args[1]) && args[0] != "run") {
		fmt.Fprint(stdout, modelUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "run":
		return modelRun(ctx, args[1:], stdin, stdout, stderr)
	case "examples":
		names, err := assets.ExperimentNames()
		if err != nil {
			return err
		}
		for _, n := range names {
			fmt.Fprintln(stdout, n)
		}
		return nil
	case "example":
		if len(args) != 2 {
			return usagef("model example: want one example name (see firn model examples)")
		}
		data, err := assets.Experiment(args[1])
		if err != nil {
			return usageError{err}
		}
		_, err = stdout.Write(data)
		return err
	}
	return usagef("model: unknown subcommand %q (want run, examples or example)", args[0])
}

func modelRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("firn model run")
	out := fs.String("out", "-", "diagnostics CSV `file` (year,volume_m3,area_m2,length_m); - is stdout")
	profile := fs.String("profile", "", "write the main flowline's final profile CSV to `file`")
	every := fs.Int("every", 0, "diagnostics every `N` years (default: the experiment's years.every, else 1)")
	example := fs.String("example", "", "run the bundled example `NAME` instead of a file")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	var many manyOptions
	fs.StringVar(&many.on, "on", "", "run many experiments on workers: `local` (worker processes on this machine), slurm (a job array; the nodes must reach the broker: --connect URL unless Slurm runs here), ssh://[USER@]HOST[:PORT] (worker processes on that host, reached over SSH), ssh://HOST/slurm (a job array submitted there) or kubernetes (an Indexed Job: --image, --connect URL)")
	fs.StringVar(&many.outDir, "out-dir", "", "with --on: the `folder` for each run's NAME.csv, compiled.csv (run,year,volume_m3,area_m2,length_m) and compiled.nc (NetCDF: volume, area, length over time × run)")
	fs.IntVar(&many.workers, "workers", 1, "with --on: the number of workers (`N` processes, or array tasks)")
	fs.IntVar(&many.concurrency, "concurrency", 0, "with --on: runs at once per worker (default: the cores shared among the workers)")
	fs.IntVar(&many.attempts, "attempts", 3, "with --on: deliveries of a failing run before it counts as failed")
	fs.StringVar(&many.connect, "connect", "", "with --on: an external NATS server's `URL` (JetStream) instead of the embedded broker")
	fs.StringVar(&many.token, "token", "", "with --connect: the server's `token`")
	fs.StringVar(&many.creds, "creds", "", "with --connect: a NATS credentials `file`")
	fs.StringVar(&many.slurm.Partition, "partition", "", "with --on slurm: sbatch --partition")
	fs.StringVar(&many.slurm.Account, "account", "", "with --on slurm: sbatch --account")
	fs.StringVar(&many.slurm.QoS, "qos", "", "with --on slurm: sbatch --qos")
	fs.StringVar(&many.slurm.Time, "time", "", "with --on slurm: each worker's time limit (sbatch --time)")
	fs.IntVar(&many.slurm.CPUsPerTask, "cpus-per-task", 0, "with --on slurm: CPUs (and runs at once) per worker")
	fs.StringVar(&many.slurm.Mem, "mem", "", "with --on slurm: memory per worker (sbatch --mem)")
	fs.StringVar(&many.slurm.GPUs, "gpus", "", "with --on slurm: sbatch --gpus")
	fs.StringVar(&many.slurm.Constraint, "constraint", "", "with --on slurm: sbatch --constraint")
	fs.Func("sbatch", "with --on slurm: an extra #SBATCH `line` (repeatable)", func(v string) error {
		many.slurm.Extra = append(many.slurm.Extra, v)
		return nil
	})
	fs.StringVar(&many.slurm.Dir, "slurm-dir", "", "with --on slurm: the `folder` for the job script and worker logs, visible from the nodes (default: .firn-slurm/job-* here)")
	fs.StringVar(&many.ssh.key, "ssh-key", "", "with --on ssh://…: the private key `file` to log in with (default: your ssh-agent and ~/.ssh/id_*)")
	fs.StringVar(&many.ssh.knownHosts, "known-hosts", "", "with --on ssh://…: the known_hosts `file` that has the host's key (default ~/.ssh/known_hosts)")
	fs.StringVar(&many.ssh.firn, "remote-firn", "", "with --on ssh://…: the firn `program` on the host (default: firn on its PATH)")
	fs.StringVar(&many.store, "store", "", "with --on: the embedded broker's `folder` (default: Firn's compute folder in your data directory)")
	fs.StringVar(&many.kube.Image, "image", "", "with --on kubernetes: the container `image` with firn on its PATH")
	fs.StringVar(&many.kube.Namespace, "namespace", "", "with --on kubernetes: the `namespace` of the Job (default: the kubeconfig context's)")
	fs.StringVar(&many.kube.CPU, "pod-cpu", "", "with --on kubernetes: each pod's CPU request and limit, e.g. 2 (also its runs at once)")
	fs.StringVar(&many.kube.Memory, "pod-memory", "", "with --on kubernetes: each pod's memory request and limit, e.g. 4Gi")
	fs.StringVar(&many.kube.ServiceAccount, "service-account", "", "with --on kubernetes: the pods' service account (default: the namespace's, its token not mounted)")
	fs.StringVar(&many.kube.Kubeconfig, "kubeconfig", "", "with --on kubernetes: the kubeconfig `file` (default $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&many.kube.Context, "kube-context", "", "with --on kubernetes: the kubeconfig context (default its current one)")
	fs.BoolVar(&many.manifest, "manifest", false, "with --on kubernetes: print the Secret and the Job (YAML, for kubectl apply -f -) instead of creating them; nothing runs")
	if err := parse(fs, "firn model run EXP|- [--out FILE] [--profile FILE] [--every N] [--quiet]\n       firn model run --example NAME ...\n       firn model run EXP|DIR ... --on local|slurm|kubernetes|ssh://HOST[/slurm] [--workers N] [--partition P ...] [--image IMG ...] --out-dir DIR", args, stdout); err != nil {
		return err
	}
	pos := fs.Args()
	if *every < 0 {
		return usagef("model run: --every must be a positive number of years")
	}
	if many.on != "" {
		if *example != "" || *profile != "" || *out != "-" || len(pos) == 0 {
			return usagef("model run: --on runs experiment files or folders into --out-dir (not --example, --out or --profile)")
		}
		many.every, many.quiet = *every, *quiet
		if many.manifest {
			return kubernetesManifest(many, stdout)
		}
		return modelRunMany(ctx, pos, many, stderr)
	}
	if many.outDir != "" {
		return usagef("model run: --out-dir goes with --on local (one experiment: --out FILE)")
	}
	var spec *experiment.Spec
	switch {
	case *example != "" && len(pos) == 0:
		data, err := assets.Experiment(*example)
		if err != nil {
			return usageError{err}
		}
		spec, err = experiment.Parse(data, *example+".json")
		if err != nil {
			return fmt.Errorf("bundled example: %w", err)
		}
	case *example == "" && len(pos) == 1:
		if pos[0] == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return fmt.Errorf("reading standard input: %w", err)
			}
			spec, err = experiment.Parse(data, "-")
			if err != nil {
				return usageError{err}
			}
		} else {
			var err error
			if spec, err = experiment.Load(pos[0]); err != nil {
				return usageError{err}
			}
		}
	default:
		return usagef("model run: want one experiment file (or - for stdin) or --example NAME; many run with --on local --out-dir DIR")
	}
	if *every < 0 {
		return usagef("model run: --every must be a positive number of years")
	}
	if *every == 0 {
		*every = int(spec.Years.Every)
	}
	m, err := spec.Model()
	if err != nil {
		return usageError{err}
	}
	progress := func(dynamics.Progress) {}
	if !*quiet {
		progress = progressPrinter(stderr)
	}
	hist, err := m.Run(ctx, dynamics.RunOptions{EndYear: spec.Years.End, Every: *every, Progress: progress})
	if !*quiet && isTerminal(stderr) {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	var diag bytes.Buffer
	if err := hist.WriteCSV(&diag); err != nil {
		return err
	}
	var prof bytes.Buffer
	if *profile != "" {
		if err := m.Profile(m.Glacier().Main).WriteCSV(&prof); err != nil {
			return err
		}
	}
	// Write only after a complete run, each file atomically.
	if *out == "-" {
		if _, err := stdout.Write(diag.Bytes()); err != nil {
			return err
		}
	} else if err := atomicfile.WriteBytes(*out, 0o644, diag.Bytes()); err != nil {
		return err
	}
	if *profile != "" {
		if err := atomicfile.WriteBytes(*profile, 0o644, prof.Bytes()); err != nil {
			return err
		}
	}
	if !*quiet {
		d := m.Diagnostics()
		fmt.Fprintf(stderr, "year %g: volume %.4g km³, area %.4g km², length %.4g km; %d steps\n",
			d.Year, d.Volume/1e9, d.Area/1e6, d.Length/1e3, m.Steps())
	}
	return nil
}

// progressPrinter reports the year and the share done: on a terminal on
// one line that it rewrites at most once per percent, elsewhere (a pipe, a
// log file, a batch job) on a new line every 10 %.
func progressPrinter(w io.Writer) func(dynamics.Progress) {
	step, format := 10, "running: year %g of %g (%d%%)\n"
	if isTerminal(w) {
		step, format = 1, "\rrunning: year %g of %g (%3d%%)"
	}
	last := -1
	return func(p dynamics.Progress) {
		pct := int(100 * p.Fraction())
		if pct/step == last {
			return
		}
		last = pct / step
		fmt.Fprintf(w, format, p.Year, p.End, pct)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
