// Package compute runs many engine experiments on workers: tasks handed
// out through NATS JetStream, workers that connect out to it, and
// launchers that start the workers through the system that owns the
// machines. Firn does not grow a cluster of its own: the broker hands out
// tasks, redelivers them and stores results; processes, batch systems or
// Kubernetes place the workers.
//
// # Tasks
//
// A [Task] is an experiment file (engine/experiment's contract: its
// content and its name) and how often to record its diagnostics. A
// [Pool] submits a job's tasks in chunks, several tasks to a message
// ([SubmitOptions].ChunkSize; by default about four chunks per worker, at
// most 64 tasks each), so that a run of a millisecond does not pay a trip
// through the broker. [Job.Wait] gives one [Result] per task, in order:
// the run's [dynamics.History] (year, volume m³, area m², length m), or
// the error of its last attempt, which names the experiment file and, for
// a bad file, its line and key.
//
// # The broker
//
// [StartBroker] embeds a NATS server with JetStream (listening on
// 127.0.0.1 only, with a random token) that stores its streams under a
// folder ([DefaultStoreDir]: $XDG_DATA_HOME/firn/compute), so that the
// results of finished tasks survive a restart ([Pool.OpenJob]). An
// external NATS server with JetStream replaces it by URL: pools and
// workers only ever see a URL, the embedded server's is one on loopback.
// With [BrokerOptions].TLSCert and TLSKey it listens beyond loopback
// (tls://), and with Websocket for NATS over websocket (wss://) too, as
// `firn compute serve` does on a login node.
// [Broker.Account] gives a person an account of their own in it (a class
// on one hub shares one broker): the streams below then exist in each
// account, apart, and a client's token says which account it is in.
//
//	stream        subjects               what
//	FIRN_TASKS    firn.tasks.JOB         chunks (work queue; consumer firn-workers, explicit ack)
//	FIRN_RESULTS  firn.results.JOB.C.P   a chunk's Results (part P of chunk C; kept 30 days; see [DecodeResults])
//	FIRN_NOTICES  firn.notices.JOB       a chunk dropped: its results did not fit (in memory; kept a day)
//	(core NATS)   firn.progress.JOB      a worker's "start", "done" and "dropped" of each chunk
//	(core NATS)   firn.cancel.JOB        stop the job's running chunks
//
// A worker acknowledges a chunk after its results are stored, and tells
// the broker it is still working every third of the ack wait
// ([PoolOptions].AckWait, [DefaultAckWait]). A worker that dies (killed,
// out of memory, its batch job ended) stops doing so, and after the ack
// wait the broker gives the chunk to another worker. A chunk with a
// failed task is retried until [SubmitOptions].Attempts deliveries (3 by
// default); then its failed tasks are reported with their last error.
// A chunk delivered again after its last attempt (its workers died each
// time) is reported failed without running. A chunk's results travel
// together (as few messages as fit under 1 MiB), deduplicated by the
// broker on chunk and part, and [Job.Wait] keys them by task, so a task
// that ran twice is counted once. When the broker's store has no room
// for a chunk's results ([BrokerOptions].AccountStore, an external
// account's limits, a full disk) the worker drops the chunk instead of
// running it again, with a notice that ends the job's Wait with
// [ErrStoreFull]'s message (kept, so a Wait that starts later ends too);
// a Submit that does not fit fails with ErrStoreFull.
//
// # Workers and launchers
//
// A [Worker] (`firn worker --connect URL [--token T | --creds FILE]`)
// connects out, runs one chunk per core at a time ([Worker].Concurrency)
// and publishes results and progress. A URL to another machine must use
// TLS (tls:// or wss://): [Connect] refuses nats:// and ws:// to any host
// that is not loopback, since the token and the results would cross the
// network in clear. A [Launcher] starts workers, giving them the token in
// $FIRN_WORKER_TOKEN, never on the command line: [Local] starts N `firn
// worker` processes on this machine; [Slurm] submits a job array of N
// workers with sbatch ([Slurm.Script] is the job script: partition,
// account, QoS, time, CPUs per task, memory, GPUs, constraint and extra
// #SBATCH lines), reports its tasks from squeue ([SlurmJob.Status]: state,
// reason, start estimate) and cancels it with scancel when stopped. The
// Slurm nodes must reach the broker: the embedded one listens on loopback,
// so on a real cluster workers connect to an external NATS server over
// TLS.
//
// [Kubernetes] creates one Indexed Job through client-go (completion mode
// Indexed, parallelism and completions N: a pod per worker running `firn
// worker` from its Image), with CPU and Memory as each pod's requests and
// limits (CPU, rounded up, the worker's concurrency), a service account,
// image pull secrets, a node selector, and the kubeconfig and context to
// use. The token goes in a Secret of the Job's name, which the pods read
// into $FIRN_WORKER_TOKEN and the Job owns (Kubernetes removes it with
// the Job); [Kubernetes.Manifest] is the same Secret and Job as YAML.
// [KubernetesJob.Status] lists the pods with their phase and why they
// wait or failed (Unschedulable, ImagePullBackOff, OOMKilled, …), and
// Stop deletes the Job (propagation Background: its pods go too) and the
// Secret. Pods cannot reach this machine's loopback, so Launch refuses a
// loopback broker URL, saying to set $FIRN_COMPUTE_URL to a NATS server
// the cluster reaches. With no cluster on the development machines, the
// launcher's calls are tested against client-go's fake dynamic client and its
// manifest with kubectl's offline decoding (`kubectl set image --local`).
// [Kubernetes.StartCommand] runs one command (a remote kernel: `firn
// kernel --transport nats`) in one pod of a Job of one completion and a
// back-off limit of 0, with the same Secret (holding the command's
// environment too), image, resources, service account, ownership and
// Stop; [Kubernetes.CommandManifest] is its YAML, and
// [Kubernetes.CheckBroker] the check that pods can use a broker URL.
//
// [SSH] starts workers from another machine that it reaches over SSH
// (golang.org/x/crypto/ssh: the user's key file, or ssh-agent and
// ~/.ssh's keys; the host's key checked against known_hosts, an unknown
// or changed one refused with its fingerprint): its Then, a Slurm
// launcher whose sbatch, squeue and scancel run on the host (and whose
// job script is written there), or Local worker processes on the host.
// A broker on loopback is forwarded from the host's loopback (as `ssh
// -R`) and the workers get that forwarded address, so a notebook on a
// laptop needs no broker that other machines reach; the forward reaches
// processes on the host only, so Slurm workers on other nodes need an
// external broker over TLS. The token goes to the host on the session's
// standard input, never on a command line there. The program the workers
// run on the host is [SSH].Command ("firn" on the host's PATH by
// default).
//
// [Slurm.SubmitCommand] submits one job that runs any command, with the
// broker's token in its environment: a remote kernel (`firn kernel
// --transport nats`, started by package kernel's SlurmLauncher) is such a
// job.
//
// # Results
//
// [WriteCompiledNetCDF] writes many runs' histories as one NetCDF file
// (time × run: volume, area, length), as OGGM's compile_run_output does;
// xarray opens it.
//
// `firn model run EXP... --on local|slurm --workers N --out-dir DIR` is
// this package from the command line: each run's CSV, compiled.csv and
// compiled.nc.
//
// # From a notebook
//
// A cell attaches workers, maps experiments over them and plots what
// comes back; a later cell detaches:
//
//	import "firn/compute"
//
//	pool, err := compute.Attach(ctx, compute.Local{Workers: 2})
//	// or compute.Slurm{Partition: "short", Workers: 4, Time: "1:00:00"}
//	// or compute.Kubernetes{Image: "registry.example.org/firn:1", Workers: 8, CPU: "2"}
//
//	base, err := compute.File("glacier.yaml")
//	tasks, err := compute.Vary(base, "mass_balance.ela_m", compute.Steps(2800, 3200, 10)...)
//	runs, err := pool.Map(ctx, tasks)          // a progress bar, updated in place
//	fig, err := plots.TimeSeries(runs.Histories(), runs.Labels(), plots.TimeSeriesOptions{})
//
//	pool.Close()                               // stops the workers; scancel for Slurm, the Job deleted for Kubernetes
//
// [Attach] finds the broker, starts the workers through the launcher and
// returns a [Pool]; [Pool.Map] submits the tasks, waits for them and
// gives an [Ensemble]: a [Result] per task and the histories of those
// that ran ([Ensemble.Histories], [Ensemble.Labels]), which
// plots.TimeSeries draws; for a large ensemble, [Ensemble.Percentiles]
// gives a few percentile histories to draw instead, and
// [Ensemble.Summary] is the results table (a row per run: its last
// year's volume, area and length, its worker or its error). [File], [Files] and [Vary] make the tasks
// (experiment files, a glob of them, one number of a base experiment
// varied over values, each checked as `firn model run` checks a file).
// A Map shows its [Progress] through the view [Pool.ShowProgress] set:
// done, running and failed experiments and, while Slurm workers wait in
// the queue, the job id, how many wait, Slurm's reason and its start
// estimate (squeue, every second), and for Kubernetes the pods running,
// pending and failed, with the reason of one pending or failed (the
// Job's pods, every second). In a notebook the kernel sets that
// view to one display updated in place (update_display_data); a
// Progress is also a value that shows itself (its MIME method). When the
// Map's context ends (the cell's interrupt: ctx in a cell is the running
// cell's context) the tasks not done are cancelled ([Job.Cancel]: those
// queued removed, those running stopped), the display says
// "interrupted" and Map returns the results so far with an error; the
// workers stay attached for the next Map. When a Slurm pool's job leaves
// the queue (scancel, a node failure, its time limit) the Map does not
// wait for workers that will not come: it takes back what is left and
// ends with an error naming the job and its logs, the display saying
// "the job left the queue"; so too when a Kubernetes job is deleted or
// fails (its pods failed more often than its back-off limit).
// [Pool.Close] stops them (a Slurm job with scancel, a Kubernetes job
// deleted); local workers also end with the process that
// started them (Linux's parent-death signal), so a kernel that dies
// leaves none behind.
//
// Which broker: the one the environment names ($FIRN_COMPUTE_URL with
// $FIRN_COMPUTE_TOKEN or $FIRN_COMPUTE_CREDS, [BrokerURLEnv]), else an
// embedded one that Attach starts for the pool, in a new folder under
// [DefaultStoreDir] (or the temporary folder where that cannot be
// written), removed by Close. `firn serve` owns a broker (its store under
// [DefaultStoreDir], one broker per store folder: [ErrStoreInUse]) and
// gives it to every kernel in that environment ([Broker.Env]), because a
// kernel is confined: on Linux, Landlock lets it write only its
// workspace and its own temporary folder, so a broker in a kernel could
// not keep its streams under the user's data folder, and would end with
// the kernel. What a confined kernel can do is all Attach needs: start
// `firn worker` processes (they inherit the confinement, and write
// nothing), run sbatch, squeue and scancel (the job script goes to
// .firn-slurm in the workspace), call the Kubernetes API, and connect to
// the broker over loopback. A Slurm job does not inherit the kernel's cap on its address
// space (its memory limit): sbatch gets --propagate without AS, as Slurm
// would otherwise give the job the submitting process's limits. Local
// workers do inherit it, as any program a kernel starts.
//
// In the sandbox (a kernel without --trusted) cells reach only their
// kernel's broker, through Attach: Connect, NewPool, StartBroker and
// Worker are left out, Local and Slurm have no Command and Env (the
// workers run this program's `worker` command), and Kubernetes has no
// Kubeconfig (a kubeconfig may name a credential plugin, a program that
// client-go would run on this machine): cells use the user's.
// SSH refuses to launch there: it would log in with the user's SSH keys
// and agent.
package compute
