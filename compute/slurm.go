package compute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Slurm starts workers as one Slurm job array, one worker per array task
// (`sbatch --array=0-N-1`), each running `firn worker` with one goroutine
// per CPU it was given. Unset fields leave Slurm's defaults (those of the
// partition and the site).
type Slurm struct {
	// Workers is the number of array tasks; 0 is 1.
	Workers int
	// Partition, Account, QoS: sbatch --partition, --account, --qos.
	Partition, Account, QoS string
	// Time limit of each worker, in sbatch's form ("30", "2:00:00",
	// "1-12").
	Time string
	// CPUsPerTask (sbatch --cpus-per-task) is also the worker's
	// concurrency; 0 is 1.
	CPUsPerTask int
	// Mem per node (sbatch --mem, "4G"); MemPerCPU (--mem-per-cpu).
	Mem, MemPerCPU string
	// GPUs (sbatch --gpus), Constraint (--constraint).
	GPUs, Constraint string
	// Extra are further #SBATCH lines, written as given ("--mail-type=END"
	// or "#SBATCH --mail-type=END").
	Extra []string
	// JobName is sbatch --job-name; "" is "firn-worker".
	JobName string
	// Dir holds the job script and the workers' logs
	// (worker-JOB_TASK.out); it must be visible from the compute nodes.
	// "" is a new folder under the current one's .firn-slurm.
	Dir string
	// Command is the worker program and its first arguments on the
	// nodes; nil is this executable's `worker` command.
	Command []string
	// Env is added to sbatch's environment, which the job inherits
	// (sbatch --export=ALL, Slurm's default).
	Env []string
}

// Script returns the job script that Launch submits for url. A URL
// with a user name or password in it is refused: the script and the
// workers' command lines would show them.
func (s Slurm) Script(url string, auth Auth, logDir string) (string, error) {
	if err := checkNoURLCredentials("slurm", url); err != nil {
		return "", err
	}
	cpus := max(1, s.CPUsPerTask)
	cmd := s.Command
	if cmd == nil {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("slurm launcher: %w", err)
		}
		cmd = []string{exe, "worker"}
	}
	args := append(append([]string(nil), cmd...), "--connect", url, "--concurrency", strconv.Itoa(cpus))
	if auth.CredsFile != "" {
		args = append(args, "--creds", auth.CredsFile)
	}
	return s.script("firn-worker", fmt.Sprintf("0-%d", max(1, s.Workers)-1), filepath.Join(logDir, "worker-%A_%a.out"),
		args, ` --name "slurm-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"`)
}

// script writes a job script: the #SBATCH lines of s (its JobName, or
// name), an array of the given range unless it is "", the output file,
// then exec args (quoted) and tail (as given).
func (s Slurm) script(name, array, output string, args []string, tail string) (string, error) {
	if s.JobName != "" {
		name = s.JobName
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	line := func(flag, v string) {
		if v != "" {
			fmt.Fprintf(&b, "#SBATCH --%s=%s\n", flag, v)
		}
	}
	line("job-name", name)
	line("array", array)
	line("ntasks", "1")
	line("cpus-per-task", strconv.Itoa(max(1, s.CPUsPerTask)))
	line("output", output)
	line("partition", s.Partition)
	line("account", s.Account)
	line("qos", s.QoS)
	line("time", s.Time)
	line("mem", s.Mem)
	line("mem-per-cpu", s.MemPerCPU)
	line("gpus", s.GPUs)
	line("constraint", s.Constraint)
	for _, e := range s.Extra {
		e = strings.TrimSpace(e)
		if strings.ContainsAny(e, "\n\r") {
			return "", fmt.Errorf("slurm launcher: extra #SBATCH line %q has a line break", e)
		}
		if !strings.HasPrefix(e, "#SBATCH") {
			e = "#SBATCH " + e
		}
		b.WriteString(e + "\n")
	}
	b.WriteString("# The broker's token comes in $" + TokenEnv + " (sbatch exports the environment).\n")
	b.WriteString("exec")
	for _, a := range args {
		b.WriteString(" " + shellQuote(a))
	}
	b.WriteString(tail + "\n")
	return b.String(), nil
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// String names the workers in progress displays: "4 Slurm workers
// (partition short)".
func (s Slurm) String() string {
	out := plural(max(1, s.Workers), "Slurm worker")
	if s.Partition != "" {
		out += " (partition " + s.Partition + ")"
	}
	return out
}

// Launch writes the job script and submits it with sbatch. When ctx
// ends while sbatch runs, sbatch still runs to its end, and the job it
// submitted is cancelled (scancel) before Launch returns ctx's error.
func (s Slurm) Launch(ctx context.Context, url string, auth Auth) (Workers, error) {
	return s.launch(ctx, localRunner{}, url, auth)
}

// launch is Launch with Slurm's commands run by r (here, or on a login
// node through SSH).
func (s Slurm) launch(ctx context.Context, r runner, url string, auth Auth) (*SlurmJob, error) {
	if err := checkNoURLCredentials("slurm", url); err != nil {
		return nil, err
	}
	dir, err := r.jobDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("slurm launcher: %w", err)
	}
	script, err := s.Script(url, auth, dir)
	if err != nil {
		return nil, err
	}
	job, err := s.submit(ctx, r, dir, "worker.sbatch", script, "", append(append([]string(nil), s.Env...), TokenEnv+"="+auth.Token), nil)
	if err != nil {
		return nil, err
	}
	job.count = max(1, s.Workers) * max(1, s.CPUsPerTask)
	return job, nil
}

// A runner runs the Slurm launcher's commands (sbatch, squeue, scancel)
// and writes its job scripts: on this machine ([localRunner]), or on a
// login node through an SSH connection ([SSH]).
type runner interface {
	// run runs name with args in dir ("": the runner's own) with env
	// added to its environment, and returns its standard output; an
	// error carries its standard error.
	run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error)
	// writeFile writes an executable file only its owner reads.
	writeFile(path string, data []byte) error
	// jobDir makes the folder of a job's script and logs (see
	// [Slurm].Dir) and returns its absolute path.
	jobDir(dir string) (string, error)
}

// localRunner runs Slurm's commands on this machine, in this process's
// environment.
type localRunner struct{}

func (localRunner) run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%v: %s", err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

func (localRunner) writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o700) }

func (localRunner) jobDir(dir string) (string, error) {
	if dir != "" {
		return dir, os.MkdirAll(dir, 0o700)
	}
	if err := os.MkdirAll(".firn-slurm", 0o700); err != nil {
		return "", err
	}
	d, err := os.MkdirTemp(".firn-slurm", "job-")
	if err != nil {
		return "", err
	}
	return filepath.Abs(d)
}

// submit writes script to dir/name and submits it with sbatch and the
// further arguments args, with env added to sbatch's environment (which
// the job inherits unless args has --export), from workDir ("": dir).
func (s Slurm) submit(ctx context.Context, r runner, dir, name, script, workDir string, env, args []string) (*SlurmJob, error) {
	path := filepath.Join(dir, name)
	if err := r.writeFile(path, []byte(script)); err != nil {
		return nil, fmt.Errorf("slurm launcher: %w", err)
	}
	flags := []string{"--parsable"}
	if _, ok := r.(localRunner); ok {
		flags = append(flags, propagateFlags()...) // this process's limits, not a login node's
	}
	if workDir == "" {
		workDir = dir
	}
	// sbatch runs to its end even if ctx ends meanwhile: stopped half
	// way (a killed process, an SSH command abandoned), it may have
	// submitted a job whose id nobody learns. The job is cancelled then.
	out, err := r.run(context.WithoutCancel(ctx), workDir, env, "sbatch", append(append(flags, args...), path)...)
	if err != nil {
		return nil, fmt.Errorf("slurm launcher: sbatch %s: %w", path, err)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return nil, fmt.Errorf("slurm launcher: sbatch printed %q, not a job id", out)
	}
	job := &SlurmJob{ID: id, Dir: dir, count: 1, runner: r}
	if ctx.Err() != nil {
		return nil, errors.Join(fmt.Errorf("slurm launcher: sbatch %s: %w; job %s, submitted meanwhile, is cancelled", path, context.Cause(ctx), id), job.Stop())
	}
	return job, nil
}

// SubmitCommand submits one job (not an array) that runs args on a node
// with the #SBATCH lines of s (Workers is not used): from workDir (the
// job's working directory, which must be visible from the nodes), with
// env as its whole environment and the broker's token added in
// $FIRN_WORKER_TOKEN, never on the command line. sbatch itself runs in
// this process's environment (where it finds its configuration) and
// exports to the job only the variables env names (sbatch --export=…),
// so a kernel's job gets the kernel's environment, not the client's.
// Its output goes to Log. A remote kernel is such a job (`firn kernel
// --transport nats`).
func (s Slurm) SubmitCommand(ctx context.Context, args []string, workDir string, env []string, auth Auth) (*SlurmJob, error) {
	if len(args) == 0 {
		return nil, errors.New("slurm launcher: no command")
	}
	dir, err := localRunner{}.jobDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("slurm launcher: %w", err)
	}
	script, err := s.script("firn", "", filepath.Join(dir, "job-%j.out"), args, "")
	if err != nil {
		return nil, err
	}
	names := []string{TokenEnv}
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); ok && k != "" && !strings.Contains(k, ",") {
			names = append(names, k)
		}
	}
	all := append(append([]string(nil), env...), TokenEnv+"="+auth.Token)
	job, err := s.submit(ctx, localRunner{}, dir, "job.sbatch", script, workDir, all, []string{"--export=" + strings.Join(names, ",")})
	if err != nil {
		return nil, err
	}
	return job, nil
}

// Log is the output file of a job submitted with SubmitCommand.
func (j *SlurmJob) Log() string { return filepath.Join(j.Dir, "job-"+j.ID+".out") }

// SlurmJob is the job array of a Slurm launch.
type SlurmJob struct {
	// ID is the array's job id; Dir holds its script and logs.
	ID, Dir string
	count   int
	runner  runner // where sbatch ran: squeue and scancel run there
	// stopped is called after scancel (an SSH launch closes its
	// connection).
	stopped func() error
	// stopTimeout bounds scancel (0: DefaultStopTimeout); host is where
	// it runs, "" for this machine (for messages).
	stopTimeout time.Duration
	host        string
	once        sync.Once
	err         error
}

// run is the runner of j's Slurm commands.
func (j *SlurmJob) run() runner {
	if j.runner == nil {
		return localRunner{}
	}
	return j.runner
}

// Count is the number of worker goroutines asked for.
func (j *SlurmJob) Count() int { return j.count }

// Stop cancels the job array (scancel). scancel gets at most
// DefaultStopTimeout ([SSH].StopTimeout through SSH): a scancel that
// does not answer in time is an error saying that the job may still be
// queued or running.
func (j *SlurmJob) Stop() error {
	j.once.Do(func() {
		timeout := j.stopTimeout
		if timeout <= 0 {
			timeout = DefaultStopTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if _, err := j.run().run(ctx, "", nil, "scancel", j.ID); err != nil {
			on := ""
			if j.host != "" {
				on = " on " + j.host
			}
			j.err = fmt.Errorf("slurm launcher: scancel %s%s: %w", j.ID, on, err)
			if !strings.Contains(err.Error(), "Invalid job id") { // one that ended is stopped
				j.err = fmt.Errorf("%w: not confirmed stopped: job %s may still be queued or running (scancel %s%s to cancel it)", j.err, j.ID, j.ID, on)
			}
		}
		if j.stopped != nil {
			j.err = errors.Join(j.err, j.stopped())
		}
	})
	return j.err
}

// A SlurmTask is the state of one array task as Slurm reports it.
type SlurmTask struct {
	// ID is JOB_TASK (or JOB_[RANGE] for tasks still pending together).
	ID string
	// State: PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, …
	State string
	// Reason Slurm gives for a pending task (Priority, Resources, …),
	// and its estimated start ("N/A" when Slurm has none).
	Reason, Start string
}

// Status asks squeue for the array's tasks still in the queue (pending
// or running), with the reason and start estimate of those pending.
// Finished tasks leave squeue after Slurm's MinJobAge; sacct, where
// accounting is on, keeps them.
func (j *SlurmJob) Status(ctx context.Context) ([]SlurmTask, error) {
	out, err := j.run().run(ctx, "", nil, "squeue", "-h", "-r", "-j", j.ID, "-o", "%i|%T|%r|%S")
	if err != nil {
		return nil, fmt.Errorf("slurm launcher: squeue -j %s: %w", j.ID, err)
	}
	var tasks []SlurmTask
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(l, "|")
		if len(f) != 4 {
			continue
		}
		tasks = append(tasks, SlurmTask{ID: f[0], State: f[1], Reason: f[2], Start: f[3]})
	}
	return tasks, nil
}
