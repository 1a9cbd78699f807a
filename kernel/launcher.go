package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/cgroup"
	"github.com/firnglacier/firn/kernel/protocol"
)

// A Launcher starts kernel processes for a Kernel and connects it to
// them: where a kernel runs, and what carries its messages. The local
// ones are PipeLauncher (descriptors 3 and 4, the default on Unix) and
// TCPLauncher (loopback TCP with a token, the default on Windows); a
// remote worker's connection is another carrier of the same messages.
// Whatever the launcher, *Kernel does the rest: requests and replies,
// interrupts (by message), deaths and restarts.
type Launcher interface {
	// Launch starts the kernel process spec describes and returns it
	// connected, or an error when it could not start or connect.
	Launch(ctx context.Context, spec Spec) (Process, error)
	// Info says where its kernels run and what carries their messages.
	Info() LauncherInfo
}

// LauncherInfo names a launcher, as the session API shows it.
type LauncherInfo struct {
	// Name is where kernels run: "local" (a process on this machine).
	Name string `json:"name"`
	// Transport is what carries their messages: "pipe", "tcp".
	Transport string `json:"transport"`
}

// Spec describes a kernel process to start.
type Spec struct {
	// Command is the program and its arguments (`firn kernel` and its
	// flags). A launcher adds the flags of its transport, and a local
	// one --temp, the kernel's temporary folder, which it makes and
	// removes when the process has ended.
	Command []string
	// Dir is the working directory: the workspace.
	Dir string
	// Env is the process's whole environment (NAME=VALUE).
	Env []string
	// Stderr receives the process's descriptors 1 and 2 (where the Go
	// runtime writes a fatal error: the cause of a death).
	Stderr io.Writer
	// Status, when not nil, hears how a launch that waits goes, in a
	// sentence ("Slurm job 12: pending (Resources), estimated start …"):
	// a batch system's queue. Local launchers never wait.
	Status func(string)
	// RunAs, when not nil, is the Unix account the process runs under
	// (Options.RunAs).
	RunAs *Account
	// Cgroups are the cgroup.procs files the process joins once started
	// (Options.Cgroups).
	Cgroups []string
}

// Account is a Unix account a kernel process runs under.
type Account struct {
	Name     string // its login name, for messages
	UID, GID uint32
}

// Process is a kernel process started by a Launcher, and the connection
// to it. Send and Receive carry the protocol's messages (Receive from
// one goroutine); Receive fails once the process has gone.
type Process interface {
	protocol.Transport
	// Close ends the connection: a kernel whose client has gone ends.
	Close() error
	// Kill ends the process at once.
	Kill() error
	// Wait waits until the process has ended and returns how it ended
	// (nil, or an *exec.ExitError for a local process). It may be called
	// once.
	Wait() error
}

// launcherNames are the names LauncherNamed knows (`--kernel NAME` of
// `firn serve`, `firn run` and `firn repl`).
const launcherNames = "local (this machine, over pipes; over loopback TCP on Windows), local-tcp (loopback TCP with a token, as on Windows), local-pipe, slurm[:KEY=VALUE,…] (a Slurm job; see SlurmLauncherNamed), ssh://[USER@]HOST[:PORT][/DIR][?key=FILE&known_hosts=FILE&firn=PROGRAM] (a kernel on that host, in DIR there), kubernetes:image=IMAGE[,KEY=VALUE,…] (a pod; see KubernetesLauncherNamed)"

// DefaultLauncher is the launcher of Options with none: PipeLauncher, or
// TCPLauncher on Windows, where a process cannot inherit descriptors 3
// and 4.
func DefaultLauncher() Launcher {
	if runtime.GOOS == "windows" {
		return TCPLauncher{}
	}
	return PipeLauncher{}
}

// LauncherNamed returns the launcher of a name: "local" (or "", the
// default), "local-tcp" or "local-pipe"; "slurm[:KEY=VALUE,…]" (see
// SlurmLauncherNamed), "ssh://…" (SSHLauncherNamed) or
// "kubernetes:image=IMAGE,…" (KubernetesLauncherNamed).
func LauncherNamed(name string) (Launcher, error) {
	switch name {
	case "", "local":
		return DefaultLauncher(), nil
	case "local-tcp":
		return TCPLauncher{}, nil
	case "local-pipe":
		if runtime.GOOS == "windows" {
			return nil, errors.New(`kernel "local-pipe": a process on Windows cannot inherit descriptors 3 and 4; use "local" (loopback TCP)`)
		}
		return PipeLauncher{}, nil
	}
	if name == "slurm" || strings.HasPrefix(name, "slurm:") {
		return SlurmLauncherNamed(name)
	}
	if strings.HasPrefix(name, "ssh://") {
		return SSHLauncherNamed(name)
	}
	if name == "kubernetes" || strings.HasPrefix(name, "kubernetes:") {
		return KubernetesLauncherNamed(name)
	}
	return nil, fmt.Errorf("no kernel named %q: want one of %s", name, launcherNames)
}

// localProcess is a kernel process on this machine.
type localProcess struct {
	protocol.Transport
	cmd     *exec.Cmd
	release func() error  // closes the connection
	done    chan struct{} // closed when the process has ended
	err     error         // how it ended, once done
}

func (p *localProcess) Close() error { return p.release() }
func (p *localProcess) Kill() error  { return p.cmd.Process.Kill() }
func (p *localProcess) Pid() int     { return p.cmd.Process.Pid }

func (p *localProcess) Wait() error {
	<-p.done
	return p.err
}

// startLocal starts the kernel process of spec with more arguments,
// environment entries and inherited files (descriptors 3, 4, ...), in a
// process group of its own and with its own temporary folder (--temp),
// removed when it has ended. The caller connects it (Transport, release).
func startLocal(spec Spec, args, env []string, files []*os.File) (*localProcess, error) {
	if len(spec.Command) == 0 {
		return nil, errors.New("kernel: no command")
	}
	// The kernel's temporary folder, its TMPDIR: the one place outside
	// the workspace where compiled code run by a sandboxed cell may
	// write (gonum's PDF fonts, mime/multipart), gone with the kernel.
	tmp, err := os.MkdirTemp("", "firn-kernel-")
	if err != nil {
		return nil, fmt.Errorf("kernel: temporary folder: %w", err)
	}
	if spec.RunAs != nil {
		if err := os.Chown(tmp, int(spec.RunAs.UID), int(spec.RunAs.GID)); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("kernel: temporary folder for %s: %w", spec.RunAs.Name, err)
		}
	}
	argv := append(append(append([]string(nil), spec.Command[1:]...), args...), "--temp", tmp)
	cmd := exec.Command(spec.Command[0], argv...)
	cmd.Dir = spec.Dir
	cmd.Env = append(append([]string(nil), spec.Env...), env...)
	cmd.ExtraFiles = files
	cmd.Stdout = spec.Stderr
	cmd.Stderr = spec.Stderr
	if err := setProcessAttr(cmd, spec.RunAs); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		if spec.RunAs != nil {
			return nil, fmt.Errorf("kernel: start %s as %s: %w", spec.Command[0], spec.RunAs.Name, err)
		}
		return nil, fmt.Errorf("kernel: start %s: %w", spec.Command[0], err)
	}
	if err := cgroup.Join(spec.Cgroups, cmd.Process.Pid); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("kernel: %w", err)
	}
	p := &localProcess{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		os.RemoveAll(tmp)
		close(p.done)
	}()
	return p, nil
}

// PipeLauncher starts a kernel process on this machine that speaks the
// protocol on descriptors 3 (requests) and 4 (everything else), pipes it
// inherits (`firn kernel --transport pipe`, the default on Unix; not on
// Windows).
type PipeLauncher struct{}

// Info is local, pipe.
func (PipeLauncher) Info() LauncherInfo { return LauncherInfo{Name: "local", Transport: "pipe"} }

// Launch starts the kernel process with the pipes.
func (PipeLauncher) Launch(_ context.Context, spec Spec) (Process, error) {
	if runtime.GOOS == "windows" {
		return nil, errors.New("kernel: a process on Windows cannot inherit descriptors 3 and 4: use the loopback TCP transport")
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("kernel: pipe: %w", err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, fmt.Errorf("kernel: pipe: %w", err)
	}
	p, err := startLocal(spec, nil, nil, []*os.File{reqR, repW}) // descriptors 3 and 4
	reqR.Close()
	repW.Close()
	if err != nil {
		reqW.Close()
		repR.Close()
		return nil, err
	}
	p.Transport = protocol.NewConn(repR, reqW)
	p.release = func() error { return errors.Join(reqW.Close(), repR.Close()) }
	return p, nil
}

// connectArg is the argument of `firn kernel --connect` for a listener's
// address ("127.0.0.1:PORT").
func connectArg(addr string) string { return "tcp://" + addr }

// parseConnect reads the argument of --connect: tcp://IP:PORT with a
// loopback IP (the connection is not encrypted).
func parseConnect(s string) (string, error) {
	addr, ok := strings.CutPrefix(s, "tcp://")
	if !ok {
		return "", fmt.Errorf("%q: want tcp://127.0.0.1:PORT", s)
	}
	if !isLoopback(addr) {
		return "", fmt.Errorf("%q: only a loopback address (127.0.0.1, [::1]) is allowed: the connection is not encrypted", s)
	}
	return addr, nil
}

// SlurmLauncherNamed reads "slurm" or "slurm:KEY=VALUE,…" (`--kernel` of
// serve, run and repl) into a SlurmLauncher. The keys are sbatch's:
// partition, account, qos, time, mem, mem-per-cpu, cpus (per task),
// gpus, constraint; and broker (an external NATS URL, tls:// unless on
// this machine; its token in $FIRN_WORKER_TOKEN) — without it the
// client embeds a broker on 127.0.0.1, which only nodes of this machine
// reach.
func SlurmLauncherNamed(name string) (Launcher, error) {
	var l SlurmLauncher
	err := specOptions(name, func(k, v string) error {
		switch k {
		case "partition":
			l.Slurm.Partition = v
		case "account":
			l.Slurm.Account = v
		case "qos":
			l.Slurm.QoS = v
		case "time":
			l.Slurm.Time = v
		case "mem":
			l.Slurm.Mem = v
		case "mem-per-cpu":
			l.Slurm.MemPerCPU = v
		case "cpus":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("kernel %q: cpus=%s: want a whole number ≥ 1", name, v)
			}
			l.Slurm.CPUsPerTask = n
		case "gpus":
			l.Slurm.GPUs = v
		case "constraint":
			l.Slurm.Constraint = v
		case "broker":
			l.Broker = v
			l.Auth.Token = os.Getenv(compute.TokenEnv)
		default:
			return fmt.Errorf("kernel %q: unknown key %q (want partition, account, qos, time, mem, mem-per-cpu, cpus, gpus, constraint or broker)", name, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// specOptions calls set with each KEY=VALUE of a kernel spec
// "KIND:KEY=VALUE,…" (none for a bare "KIND"), in order, and returns
// its first error, or one for a pair without a value.
func specOptions(name string, set func(key, value string) error) error {
	_, opts, _ := strings.Cut(name, ":")
	if opts == "" {
		return nil
	}
	for _, kv := range strings.Split(opts, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || v == "" {
			return fmt.Errorf("kernel %q: %q is not KEY=VALUE", name, kv)
		}
		if err := set(k, v); err != nil {
			return err
		}
	}
	return nil
}
