package kernel

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// Descriptors of the protocol pipes in a kernel process: the client
// passes them as the first two extra files.
const (
	requestFD = 3 // the kernel reads requests here
	replyFD   = 4 // and writes replies and published messages here
)

// DefaultMemoryLimit is a kernel's memory limit unless configured (bytes).
const DefaultMemoryLimit = 2 << 30

// Main is the body of `firn kernel`: it serves the kernel protocol over
// its transport, with the process's own descriptors 1 and 2 redirected
// into cell output. It returns the process exit status.
//
// Transports (--transport): "pipe", descriptors 3 (requests) and 4
// (messages to the client), the default except on Windows; "tcp", a
// connection to the client at --connect tcp://127.0.0.1:PORT that proves
// the token of --token-file FILE or $FIRN_KERNEL_TOKEN first (see
// tcp.go), the default on Windows.
//
// Other flags: --workspace DIR (default: the working directory),
// --memory-limit BYTES|2GiB|512MiB, --trusted, --version V, --temp DIR,
// --no-landlock, and --connection-file FILE (see MainWith).
func Main(args []string, stderr io.Writer) int { return MainWith(args, stderr, nil) }

// A Listener opens the transport of a kernel that Jupyter started with a
// connection file: its ZeroMQ sockets (package kernel/jupyter, which
// this package cannot import, gives one). Main closes the transport when
// it is an io.Closer and the kernel has ended.
type Listener func(ctx context.Context, connectionFile string) (protocol.Transport, error)

// MainWith is Main with a way to serve Jupyter: with --connection-file
// FILE the kernel serves on the transport listen opens for FILE instead
// of descriptors 3 and 4.
func MainWith(args []string, stderr io.Writer, listen Listener) int {
	fs := flag.NewFlagSet("firn kernel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	workspace := fs.String("workspace", "", "folder cells may write to (default: the working directory)")
	limit := fs.String("memory-limit", "2GiB", "memory limit of the kernel process (e.g. 512MiB, 2GiB, or bytes)")
	cpuLimit := fs.Duration("cpu-limit", 0, "CPU time the kernel process may use over its life, e.g. 1h (0: no limit; Unix)")
	trusted := fs.Bool("trusted", false, "lift the sandbox: cells may start programs, use the network and write anywhere")
	version := fs.String("version", "dev", "version reported to clients")
	temp := fs.String("temp", "", "the kernel's own temporary folder, its TMPDIR (the client makes and removes it)")
	confineReads := fs.Bool("confine-reads", false, "also confine reading to the workspace and the system's folders with Landlock (Linux), as firn hub does for its users; the kernel does not start without Landlock")
	noLandlock := fs.Bool("no-landlock", false, "do not restrict writing to the workspace with Landlock (Linux); the in-process sandbox still holds")
	connectionFile := fs.String("connection-file", "", "serve Jupyter's wire protocol on the sockets of this connection file (a kernelspec's {connection_file}) instead of --transport")
	defaultTransport := "pipe"
	if runtime.GOOS == "windows" {
		defaultTransport = "tcp"
	}
	transport := fs.String("transport", defaultTransport, "what carries the protocol: pipe (descriptors 3 and 4), tcp (--connect) or nats (--connect, --subject: a remote kernel)")
	connect := fs.String("connect", "", "with --transport tcp: the client's address, tcp://127.0.0.1:PORT; with --transport nats: the broker's URL (its token in $FIRN_WORKER_TOKEN)")
	subject := fs.String("subject", "", "with --transport nats: the subject prefix the client gave")
	tokenFile := fs.String("token-file", "", "with --transport tcp: a file holding the token (read and removed; default: $"+TokenEnv+")")
	confinedStack := fs.String("confined", "", "set by the kernel itself when it has started again confined (Linux): the stack limit to put back")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	memLimit, err := ParseBytes(*limit)
	if err != nil {
		fmt.Fprintf(stderr, "firn kernel: --memory-limit: %v\n", err)
		return 2
	}
	ws := *workspace
	if ws == "" {
		if ws, err = os.Getwd(); err != nil {
			fmt.Fprintf(stderr, "firn kernel: %v\n", err)
			return 1
		}
	} else if ws, err = filepath.Abs(ws); err != nil {
		fmt.Fprintf(stderr, "firn kernel: workspace: %v\n", err)
		return 1
	} else if err := os.Chdir(ws); err != nil {
		fmt.Fprintf(stderr, "firn kernel: workspace: %v\n", err)
		return 1
	}
	// On Linux the kernel starts itself again, confined (confine_linux.go);
	// a failure leaves it unconfined, with the in-process sandbox and the
	// memory watch. The warnings do not start with "firn kernel:", which
	// the client takes for the cause of a death.
	if *temp != "" {
		setTempDir(*temp)
	}
	limitAS := false
	if *confinedStack == "" {
		landlock := !*trusted && !*noLandlock
		rules := fsRules{workspace: ws, temp: *temp, reads: *confineReads && landlock}
		done, err := confineInProcess(rules, landlock)
		if !done {
			err = confine(rules, landlock)
		}
		switch {
		case err != nil && rules.reads:
			// Reads confined is a promise to other users (firn hub):
			// no kernel without it.
			fmt.Fprintf(stderr, "firn kernel: --confine-reads: %v (it needs Landlock, Linux 5.13 or later)\n", err)
			return 1
		case err != nil && !errors.Is(err, errors.ErrUnsupported):
			fmt.Fprintf(stderr, "warning: the firn kernel runs unconfined: %v\n", err)
		}
		limitAS = done
	} else if err := confined(*confinedStack); err != nil {
		fmt.Fprintf(stderr, "warning: firn kernel: %v\n", err)
	} else {
		limitAS = true
	}
	if *cpuLimit > 0 {
		seconds := uint64(max(time.Second, *cpuLimit) / time.Second)
		if err := limitCPU(seconds); err != nil {
			fmt.Fprintf(stderr, "warning: firn kernel: --cpu-limit: %v\n", err)
		} else {
			// Go ignores SIGXCPU: at the soft limit the kernel ends
			// itself, saying why (the hard limit kills it 5 s later).
			atCPULimit(func() {
				fmt.Fprintf(stderr, "firn kernel: %s at its CPU time limit of %d s\n", cpuLimitNote, seconds)
				os.Exit(3)
			})
		}
	}
	var conn protocol.Transport
	if *connectionFile != "" {
		if listen == nil {
			fmt.Fprintln(stderr, "firn kernel: --connection-file: this program does not serve Jupyter")
			return 2
		}
		if conn, err = listen(context.Background(), *connectionFile); err != nil {
			fmt.Fprintf(stderr, "firn kernel: %v\n", err)
			return 1
		}
		if c, ok := conn.(io.Closer); ok {
			defer c.Close()
		}
	} else if conn, err = kernelTransport(*transport, *connect, *tokenFile, *subject); err != nil {
		fmt.Fprintf(stderr, "firn kernel: %v\n", err)
		return 2
	}
	// Interrupts arrive as messages; SIGINT is one too (kill -INT).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)

	outR, errR, orig, err := redirectStdio()
	if err != nil {
		fmt.Fprintf(stderr, "firn kernel: %v\n", err)
		return 1
	}
	err = Serve(context.Background(), conn, ServerOptions{
		Workspace: ws, Trusted: *trusted, Version: *version,
		Stdout: os.Stdout, Stderr: os.Stderr, StdoutPipe: outR, ErrPipe: errR,
		Interrupts: sigs, MemoryLimit: memLimit, LimitAddressSpace: limitAS,
		Fatal: func(err error) {
			fmt.Fprintf(orig, "firn kernel: %v\n", err)
			os.Exit(3)
		},
		// Without its client the kernel has no purpose (and a running
		// cell could spin for ever): end at once.
		ClientGone: func() { os.Exit(0) },
	})
	if err != nil {
		fmt.Fprintf(orig, "firn kernel: %v\n", err)
		return 1
	}
	return 0
}

// kernelTransport connects a kernel process to its client.
func kernelTransport(transport, connect, tokenFile, subject string) (protocol.Transport, error) {
	switch transport {
	case "nats":
		return dialRemote(connect, subject)
	case "pipe":
		requests, replies, err := protocolFiles()
		if err != nil {
			return nil, fmt.Errorf("descriptors 3 and 4 must be the protocol pipes (start kernels with the kernel package's client): %w", err)
		}
		return protocol.NewConn(requests, replies), nil
	case "tcp":
		addr, err := parseConnect(connect)
		if err != nil {
			return nil, fmt.Errorf("--connect: %w", err)
		}
		token, err := kernelToken(tokenFile)
		if err != nil {
			return nil, err
		}
		return dialClient(addr, token)
	}
	return nil, fmt.Errorf("--transport %q: want pipe, tcp or nats", transport)
}

// ParseBytes reads a size such as "2GiB", "512MiB", "1.5GB" or "1048576".
func ParseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a size (want e.g. 2GiB, 512MiB or a number of bytes)", s)
	}
	return int64(v * mult), nil
}

// setTempDir makes dir the process's temporary folder (os.TempDir).
func setTempDir(dir string) {
	if runtime.GOOS == "windows" {
		os.Setenv("TMP", dir)
		os.Setenv("TEMP", dir)
		return
	}
	os.Setenv("TMPDIR", dir)
}
