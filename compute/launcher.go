package compute

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"
)

// A Launcher starts workers through the system that owns the machines
// (processes here, a batch system, a cluster). Firn never places work on
// machines itself: the launcher starts `firn worker` processes that
// connect to the broker, and the broker hands them tasks.
type Launcher interface {
	// Launch starts the workers, connecting to url with auth.
	Launch(ctx context.Context, url string, auth Auth) (Workers, error)
}

// Workers are the workers one Launch started.
type Workers interface {
	// Count is the number of worker goroutines (for chunk sizes).
	Count() int
	// Stop ends the workers (their unfinished chunks go back to the
	// broker) and waits for them.
	Stop() error
}

// Local starts N worker processes on this machine: `firn worker`
// children of this process.
type Local struct {
	// Workers is the number of processes; 0 is 1.
	Workers int
	// Concurrency per process; 0 shares this machine's cores among the
	// processes (at least one each).
	Concurrency int
	// Command is the program and its first arguments, to which Launch
	// adds --connect URL --concurrency N --name NAME; nil is this
	// executable's `worker` command.
	Command []string
	// Env is added to the workers' environment.
	Env []string
	// Stderr gets the workers' standard error (nil: discarded).
	Stderr io.Writer
	// Name prefixes the workers' names (NAME-0, NAME-1, …); "" is
	// "local".
	Name string
}

// TokenEnv is the environment variable through which a launcher gives
// workers the broker's token (never on the command line, where other
// users of the machine could read it).
const TokenEnv = "FIRN_WORKER_TOKEN"

// String names the workers in progress displays: "2 local workers".
func (l Local) String() string { return plural(max(1, l.Workers), "local worker") }

// Launch starts the processes.
func (l Local) Launch(ctx context.Context, url string, auth Auth) (Workers, error) {
	n := max(1, l.Workers)
	conc := l.Concurrency
	if conc <= 0 {
		conc = max(1, (runtime.NumCPU()+n-1)/n)
	}
	cmd := l.Command
	if cmd == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("local launcher: %w", err)
		}
		cmd = []string{exe, "worker"}
	}
	prefix := l.Name
	if prefix == "" {
		prefix = "local"
	}
	lw := &localWorkers{count: n * conc}
	for i := range n {
		args := append(append([]string(nil), cmd[1:]...), "--connect", url, "--concurrency", strconv.Itoa(conc),
			"--name", prefix+"-"+strconv.Itoa(i))
		if auth.CredsFile != "" {
			args = append(args, "--creds", auth.CredsFile)
		}
		c := exec.Command(cmd[0], args...)
		c.Env = append(append(os.Environ(), l.Env...), TokenEnv+"="+auth.Token)
		c.Stderr = l.Stderr
		diesWithParent(c)
		if err := c.Start(); err != nil {
			_ = lw.Stop()
			return nil, fmt.Errorf("local launcher: starting worker %d (%s): %w", i, cmd[0], err)
		}
		lw.procs = append(lw.procs, c)
	}
	return lw, nil
}

type localWorkers struct {
	count int
	procs []*exec.Cmd
	once  sync.Once
	err   error
}

func (lw *localWorkers) Count() int { return lw.count }

// Processes returns the worker processes (for tests that kill one).
func (lw *localWorkers) Processes() []*os.Process {
	var ps []*os.Process
	for _, c := range lw.procs {
		ps = append(ps, c.Process)
	}
	return ps
}

func (lw *localWorkers) Stop() error {
	lw.once.Do(func() {
		for _, c := range lw.procs {
			_ = c.Process.Signal(syscall.SIGTERM)
		}
		var errs []error
		for i, c := range lw.procs {
			err := c.Wait()
			var ee *exec.ExitError
			if errors.As(err, &ee) && !ee.Exited() {
				continue // killed by a signal: ours, or a test's
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("local worker %d: %w", i, err))
			}
		}
		lw.err = errors.Join(errs...)
	})
	return lw.err
}
