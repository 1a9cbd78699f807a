// Package kernel runs notebook cells: Go code, interpreted by yaegi, in a
// kernel process of its own, spoken to with Jupyter's message semantics
// (package protocol) over a transport: a pair of pipes, or loopback TCP
// with a token (see Transports).
//
// Everything in Firn that runs cells — the notebook server, `firn run`,
// `firn repl`, the desktop app — uses the client in this package:
//
//	k, err := kernel.Start(ctx, kernel.Options{Dir: workspace})
//	if err != nil { … }
//	defer k.Shutdown(ctx)
//	reply, err := k.Execute(ctx, `g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
//	g.ProgressToYear(300)
//	g.Diagnostics().Volume`, func(m *protocol.Message) {
//		// stream, display_data, update_display_data, execute_result, error
//	})
//
// # Transports
//
// A Launcher starts kernel processes and connects the client to them;
// Options.Launcher chooses one, and *Kernel works the same over each:
//
//   - PipeLauncher (the default, except on Windows): the kernel reads
//     requests on descriptor 3 and writes everything else on descriptor
//     4, pipes it inherits (`firn kernel --transport pipe`).
//   - TCPLauncher (the default on Windows, where a process cannot
//     inherit descriptors 3 and 4; `--kernel local-tcp` elsewhere): the
//     client listens on 127.0.0.1 on a port the system picks, and starts
//     the kernel with `--transport tcp --connect tcp://127.0.0.1:PORT`
//     and a token in its environment ($FIRN_KERNEL_TOKEN; `firn kernel`
//     also reads it from --token-file), never on its command line. The
//     kernel connects back, and before any message each side proves the
//     token to the other (constant-time compares); a connection that
//     does not is closed, and the listener closes once the kernel is
//     connected. The kernel removes the token from its environment
//     before any cell runs (see tcp.go).
//   - SlurmLauncher (`--kernel slurm[:partition=P,time=T,…]`): the
//     kernel is a Slurm job on a compute node that connects out to a NATS
//     broker (package compute's, embedded in the client for the kernel's
//     life, or an external one by URL) with `--transport nats`; the two
//     sides meet on subjects of their own, with heartbeats, and the
//     client reports the job's queue state while it waits and its end
//     from squeue (see remote.go).
//   - KubernetesLauncher (`--kernel kubernetes:image=IMAGE,…`): the
//     kernel is one pod of a Kubernetes Job (compute.Kubernetes's
//     StartCommand: never retried, its token and environment in the Job's
//     Secret) that connects out to a NATS broker the cluster reaches
//     (broker= or $FIRN_COMPUTE_URL; this machine's loopback, where an
//     embedded broker listens, is refused). The client reports the pod's
//     phase and Kubernetes's reason while it waits ("Kubernetes pod P:
//     pending (Unschedulable: …)"), its end as the kernel's death (failed
//     (OOMKilled: exit code 137)), and deletes the Job on shutdown,
//     restart and kill (see kubernetes.go).
//
// Interrupts travel as messages on every transport (interrupt_request
// on the control channel, Jupyter's interrupt_mode "message"), so they
// need no signal, which Windows does not have; a kernel on Unix also
// takes SIGINT (kill -INT) as an interrupt. Another carrier of the same
// messages (Jupyter's ZeroMQ sockets, a remote worker's connection) is
// a protocol.Transport for Serve on the kernel's side and a Launcher on
// the client's.
//
// # Why a process
//
// A cell can loop forever, panic in a goroutine (which yaegi cannot
// recover: it kills the process), or allocate without end. In its own
// process none of this reaches the server or other users' kernels:
//
//   - Interrupt cancels the running cell; interpreted code stops between
//     two steps, engine runs stop between two time steps (glaciers made in
//     cells are bound to the running cell's context, and ctx in a cell is
//     that context). The kernel and its variables survive. A cell that has
//     not stopped after Options.InterruptGrace gets its kernel killed and
//     restarted, and the client says so.
//   - A memory limit (default 2 GiB) stops a cell that exceeds it with
//     the error MemoryLimit; if the memory cannot be reclaimed the kernel
//     exits and is restarted. On Linux not even one huge allocation gets
//     past it (see Memory limit).
//   - A CPU time limit (Options.CPULimit, none by default; `firn hub
//     --cpu-time`) ends a kernel that has used that much CPU over its
//     life (RLIMIT_CPU on Unix): the death's DiedError.Name is
//     "CPULimit" and its cause says so; the restarted kernel has a fresh
//     budget.
//   - Any death (crash, kill, limit) is reported with its cause: the
//     first lines of the crash report on the kernel's own stderr, where
//     the Go runtime writes fatal errors, and its exit status (Events,
//     then a *DiedError from the requests that were pending; for a death
//     over the memory limit, the error MemoryLimit of the cell that was
//     running). A stack overflow (a recursion without end) is named as
//     one, with its cell ("stack overflow in cell [3]", DiedError.Name
//     "StackOverflow"). Requests made while the client restarts the
//     kernel wait for the new process and run there.
//
// # Memory limit
//
// The kernel checks the Go runtime's memory every 20 ms: over the limit
// it stops the running cell ("cell [3] was stopped: memory limit: the
// kernel uses 268 MiB, more than its limit of 256 MiB") and lives on if a
// collection brings it back under the limit; otherwise it exits (never
// while a cell runs) and the client starts a new one. A check cannot stop
// one allocation in compiled code, such as strings.Repeat("x", 3<<30) or
// make([]byte, 3<<30), so on Linux the kernel also caps its own address
// space (RLIMIT_AS), once its interpreter is ready, at its size then plus
// the limit plus a headroom of a quarter of the limit, at least 128 MiB
// (the Go runtime reserves its heap in arenas of 64 MiB, and a slice that
// grows by appending leaves the addresses of its smaller copies behind).
// An allocation past the cap fails, the runtime ends the kernel ("fatal
// error: out of memory"), and the client fails the running cell with the
// error MemoryLimit, "cell [3] passed the kernel's memory limit of 256
// MiB", and starts a new kernel.
//
// A cap on address space needs a process whose address space does not
// grow by itself. A Firn built with cgo (the desktop app) therefore
// first starts itself again (Linux) with glibc's malloc kept to one
// arena (each thread's arena would reserve 64 MiB) and with 2 MiB thread
// stacks instead of 8 MiB; the CLI, built without cgo, has neither and
// needs no second start. A ready kernel then has 1.30 GB of address space
// (1.74 GB without those settings; most of it the Go runtime's
// reservations for its page allocator, never resident), 96 MB of data and
// 31 MB resident (Linux amd64, Go 1.26). Its peak resident memory stays
// under the limit plus the headroom plus 128 MiB (its own 31 MB and an
// arena reserved before the cap). With a limit of 256 MiB,
// TestKernelMemoryLimitHolds measured peaks of 31 MiB for
// strings.Repeat("x", 3<<30) and make([]byte, 3<<30), refused at once
// (without the cap the make succeeded, and the Repeat reached 456 MiB
// before the check ended the kernel: how far depends on the machine's
// speed), 220–310 MiB for a slice grown by appending, and 273 MiB for a
// loop keeping 16 MiB slices. A slice that doubles may meet the cap when
// its live data is about half the limit; programs a trusted cell starts
// inherit the cap. On other systems the check alone keeps the limit.
//
// Why not RLIMIT_DATA, which counts writable memory rather than address
// space: Linux does not apply it to a mapping made over address space
// already reserved, which is how the Go runtime commits its heap: in a
// test the heap grew 84 MiB past it, and whether one big allocation was
// stopped depended on the runtime needing some other new mapping for it.
//
// # Confinement
//
// Before it serves, a kernel on Linux confines itself (confine_linux.go):
// in the sandbox it is restricted by Landlock (Linux 5.13 and later). A
// program built without cgo (the CLI that scripts/release.sh builds)
// restricts all its threads at once (syscall.AllThreadsSyscall); one
// with cgo (the desktop app, test binaries) cannot, so it restricts the
// thread that executes itself again, with the settings above — a second
// start that costs its package initialization again (about 70 ms of
// the 150 ms to the first kernel_info_reply, against 80 ms without cgo:
// BenchmarkJupyterKernel). The kernel process can then create, write,
// truncate, rename, link or remove files only in the workspace and in
// its own temporary folder, whatever code tries it: a cell's os calls,
// Figure.Save of package plots, gonum's Plot.Save, a library's temporary
// file. That folder is made by the client for each kernel process
// (--temp), is the kernel's TMPDIR, and is removed when the process ends.
// Landlock does not cover changing a file's mode, owner or times, nor
// reading, nor the network; the in-process sandbox (kernel/internal/symbols)
// guards the first and leaves the network packages out. Without Landlock
// (an older kernel, another system, `firn kernel --no-landlock`) the
// in-process sandbox holds alone.
//
// Options.ConfineReads (`firn kernel --confine-reads`, what `firn hub`
// asks for) confines reading too: a cell then reads only the workspace,
// its temporary folder, its own program, its own /proc/self and the
// system's folders (/usr, /lib*, /bin, /sbin, /etc, /sys, /dev), so
// that one user's cells cannot read another user's files
// (TestKernelConfineReads). Such a kernel does not start without
// Landlock.
//
// # Environment
//
// A kernel does not inherit its client's environment, where `firn serve`
// may hold tokens, cloud keys and passwords. It gets only HOME, USER,
// LOGNAME, LANG, the LC_* variables, TZ, PATH, TMPDIR and TERM (on
// Windows also SYSTEMROOT, WINDIR, USERPROFILE, USERNAME, TEMP, TMP,
// APPDATA and LOCALAPPDATA), the variables Options.PassEnv names
// (`--kernel-env NAME` of `firn serve`, `firn repl` and `firn run`), and
// the entries of Options.Env (`firn serve` adds there its compute
// broker's FIRN_COMPUTE_URL and FIRN_COMPUTE_TOKEN, which compute.Attach
// in a cell uses). Cells read that environment with os.Getenv
// and os.Environ; the Go runtime's own variables (GOMAXPROCS, GOGC,
// GODEBUG, ...) reach a kernel only when named too. TMPDIR (TMP and
// TEMP on Windows) is then set to the kernel's own temporary folder, and
// on Linux MALLOC_ARENA_MAX=1 is added (see Memory limit).
//
// # Output
//
// The kernel process points its descriptor 1, and os.Stderr, into pipes,
// so that everything a cell writes — fmt.Println, os.Stdout.Write,
// fmt.Fprintln(os.Stderr, ...), log, println — becomes stream messages,
// sent while the cell runs. Cells write through duplicates of those
// streams: a cell that closes os.Stdout, os.Stderr or os.Stdin closes its
// own, and the next cell gets new ones. Descriptor 2 stays the client's:
// there the Go runtime writes a fatal error, which the client reports as
// the cause of the kernel's death. Over pipes the protocol comes on
// descriptors 3 (requests) and 4 (everything else); the kernel moves the
// pipes to descriptors of its own at start and leaves /dev/null in
// their place, so that not even a trusted cell's os.NewFile(4,
// "").Close() reaches them (sandboxed cells have no os.NewFile). Before a display, a result
// or a reply the kernel waits until the streams have been forwarded, so
// outputs arrive in the order the cell produced them.
//
// # Packages
//
// kernel/internal/interpreter executes cells (kernel/internal/cellsrc adapts today's Go to
// yaegi; kernel/internal/symbols holds what cells can import and the sandbox;
// kernel/display is what cells use to show things). kernel/repl is the
// terminal front end.
package kernel
