// Package cli is the program firn: every command of it (serve, run, repl,
// model, kernel, jupyter, export, convert, desktop, …), one dispatch for every
// build. cmd/firn and the module root are two thin mains over Main; the
// root adds the desktop window when it is built with the desktop tags
// (Program.Desktop), so `go install` of the module, `go build .` and the
// desktop app are the same program with the same commands:
//
//	os.Exit(cli.Main(os.Args[1:], cli.Program{}))
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/firnglacier/firn/internal/buildinfo"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/jupyter"
)

// Program is what one build of firn adds to the commands every build
// has.
type Program struct {
	// Desktop opens the desktop window on the notebooks named in args
	// (none: the last one open, or the first lesson) and returns when
	// the window closes. Nil: this build has no window.
	Desktop func(args []string) error
	// DesktopDefault makes the window what firn does with no command, or
	// with notebook files as its only arguments (as a file manager starts
	// it); else that is the notebook in the browser (firn serve).
	DesktopDefault bool
}

// Main runs the command line args (without the program's name) and
// returns the exit status.
func Main(args []string, p Program) int {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch {
	case cmd == "kernel":
		// A kernel process: its signals, descriptors and exit are its own.
		// With --connection-file it is a kernel Jupyter started.
		return kernel.MainWith(append([]string{"--version", buildinfo.Version()}, args[1:]...), os.Stderr, jupyter.ListenKernel)
	case cmd == "repl":
		// The REPL handles Ctrl-C itself (it interrupts the running cell).
		return replCommand(args[1:], os.Stdin, os.Stdout, os.Stderr)
	case cmd == "desktop":
		return desktopCommand(p, args[1:], os.Stdout, os.Stderr)
	case p.DesktopDefault && p.Desktop != nil && allNotebooks(args):
		return desktopCommand(p, args, os.Stdout, os.Stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

// allNotebooks reports whether every argument names a notebook file (no
// arguments: true).
func allNotebooks(args []string) bool {
	for _, a := range args {
		n := strings.ToLower(a)
		if strings.HasPrefix(a, "-") || !(strings.HasSuffix(n, ".ipynb") || strings.HasSuffix(n, ".go")) {
			return false
		}
	}
	return true
}

const desktopUsage = `usage: firn desktop [NOTEBOOK ...]

The notebook UI in a window of its own, on the workspace in your documents
folder (Documents/Firn); notebooks named here open in it (a notebook from
elsewhere is copied into Documents/Firn/Imported).
`

const noDesktop = `this firn was built without its desktop window. The desktop app is the same
program built from the module root with the desktop tags (on Linux with the
GTK 3 and WebKitGTK 4.1 -dev packages; see the README):
    go build -tags desktop,production,webkit2_41 -o firn .
The same notebooks in your browser: firn serve`

// desktopCommand is `firn desktop [NB...]`: the notebook UI in a window
// of its own.
func desktopCommand(p Program, args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if isHelp(a) {
			fmt.Fprint(stdout, desktopUsage)
			return exitOK
		}
	}
	if p.Desktop == nil {
		fmt.Fprintln(stderr, "firn:", noDesktop)
		return exitFailure
	}
	if err := p.Desktop(args); err != nil {
		fmt.Fprintln(stderr, "firn:", err)
		return exitFailure
	}
	return exitOK
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// Exit statuses.
const (
	exitOK       = 0
	exitFailure  = 1   // the work failed (e.g. a numerical instability)
	exitUsage    = 2   // bad command line or bad input file
	exitCanceled = 130 // interrupted (Ctrl-C), as a shell reports SIGINT
)

// usageError marks errors in what the user gave: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

const helpText = `Firn — a glacier modelling workbench.

Usage:
  firn                      the notebook in your browser (as firn serve); in the
                            desktop build, the desktop window (as firn desktop)
  firn help                 this text (every command takes --help too)
  firn version              the version of Firn and Go
  firn serve [DIR] [--addr HOST:PORT] [--no-browser] [--no-lessons] [--token T]
                            the notebook server and its browser UI (default
                            workspace: Firn's folder in your data directory;
                            a new DIR is created and given the lessons)
  firn hub [--addr HOST:PORT] [--data DIR]
                            a class on one server: logins, each user's own
                            notebooks and kernels (firn hub user add|list|disable)
  firn desktop [NB ...]     the notebook UI in a window of its own (desktop build)
  firn run NB [-p NAME=VALUE ...] [-o OUT.ipynb] [--timeout D] [--allow-errors] [--quiet]
                            execute a notebook (.ipynb or .go text form) in a fresh
                            kernel, storing outputs (in place unless -o)
  firn convert NB [-o OUT] [--recover]
                            .ipynb to the .go text form (// %% cells) and back;
                            --recover saves what a damaged notebook still holds
  firn export NB [--to html|markdown] [-o OUT]
                            a static page (or Markdown) of a notebook
  firn repl [--trusted] [--memory-limit SIZE] [--plots DIR] [--images auto|kitty|sixel|none]
                            Go cells at a prompt, on a kernel process
  firn model run EXP [--out FILE] [--profile FILE] [--every N] [--quiet]
                            run an experiment file (JSON or YAML; - reads stdin)
  firn model run --example NAME ...
                            run a bundled example experiment
  firn model run EXP|DIR ... --on local|slurm|ssh://HOST[/slurm] [--workers N] --out-dir DIR
                            many experiments through a pool of workers (local
                            processes, a Slurm job array, or either on a host
                            reached over SSH): each run's
                            diagnostics and a compiled.csv of all
  firn worker --connect URL [--token T | --creds FILE] [--concurrency N]
                            a worker: runs chunks of experiments from a broker
  firn compute serve [--listen HOST:PORT --tls-cert FILE --tls-key FILE] [--websocket HOST:PORT]
                            the broker alone (a login node's, a group's): workers,
                            firn model run --connect and notebooks reach it
  firn model examples       list the bundled examples
  firn model example NAME   print a bundled example (a start for your own)
  firn glacier prepare --outline FILE [--id RGI-ID] --dem FILE --climate FILE [--mb-obs FILE] --out DIR
                            a real glacier's directory: flowline, calibrated mass
                            balance, inverted ice thickness, provenance
  firn glacier run DIR --climate constant --y0 YEAR [--halfsize N] [--years N] [--out FILE]
                            run a glacier directory's glacier in a constant climate
  firn kernel               a kernel process (started by Firn itself; it speaks
                            the kernel protocol on descriptors 3 and 4, or over
                            loopback TCP: --transport tcp --connect ADDR)
  firn kernel --connection-file FILE
                            a kernel for Jupyter: its wire protocol over ZeroMQ
  firn jupyter install [--user | --sys-prefix | --prefix DIR]
                            make Firn a Jupyter kernel ("Go (Firn)"); uninstall
                            removes it

serve, run and repl start kernels with --trusted, --memory-limit SIZE and
--kernel-env NAME (repeatable): kernels get only HOME, USER, LOGNAME, LANG,
LC_*, TZ, PATH, TMPDIR and TERM of your environment, and the variables named.
--kernel local (the default: a process on this machine, over pipes; over
loopback TCP on Windows) or local-tcp (over loopback TCP) chooses the kernel.

Exit status: 0 done, 1 the run failed, 2 bad command line or input file,
130 interrupted. Progress goes to stderr; Ctrl-C stops a run cleanly and
writes no partial output.
`

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdin, stdout, stderr)
	var ue usageError
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "firn: interrupted; nothing was written")
		return exitCanceled
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "firn:", err)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "firn:", err)
		return exitFailure
	}
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		// Firn's main job: the notebook in the browser, on the user's
		// workspace (seeded with the lessons).
		return serveCommand(ctx, nil, stdout, stderr)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, helpText)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, buildinfo.String())
		return nil
	case "model":
		return modelCommand(ctx, args[1:], stdin, stdout, stderr)
	case "glacier":
		return glacierCommand(ctx, args[1:], stdout, stderr)
	case "serve":
		return serveCommand(ctx, args[1:], stdout, stderr)
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "convert":
		return convertCommand(args[1:], stdout, stderr)
	case "export":
		return exportCommand(args[1:], stdout, stderr)
	case "jupyter":
		return jupyterCommand(args[1:], stdout, stderr)
	case "worker":
		return workerCommand(ctx, args[1:], stdout, stderr)
	case "compute":
		return computeCommand(ctx, args[1:], stdout, stderr)
	case "hub":
		return hubCommand(ctx, args[1:], stdin, stdout, stderr)
	}
	return usagef("unknown command %q (see firn help)", args[0])
}
