// Command firn is Firn's headless program: it runs glacier experiments
// (`firn model`), and later serves notebooks, runs them headless and hosts
// kernels and workers. See `firn help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/firnglacier/firn/kernel"
)

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
  firn                      the notebook in your browser (as firn serve)
  firn help                 this text
  firn version              the version of Firn and Go
  firn model run EXP [--out FILE] [--profile FILE] [--every N] [--quiet]
                            run an experiment file (JSON or YAML; - reads stdin)
  firn model run --example NAME ...
                            run a bundled example experiment
  firn model examples       list the bundled examples
  firn model example NAME   print a bundled example (a start for your own)
  firn serve [DIR] [--addr HOST:PORT] [--no-browser] [--token T]
                            the notebook server and its browser UI (default
                            workspace: Firn's folder in your data directory)
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
  firn kernel               a kernel process (started by Firn itself; it speaks
                            the kernel protocol on descriptors 3 and 4)

Exit status: 0 done, 1 the run failed, 2 bad command line or input file,
130 interrupted. Progress goes to stderr; Ctrl-C stops a run cleanly and
writes no partial output.
`

func main() {
	if len(os.Args) > 1 && os.Args[1] == "kernel" {
		// A kernel process: its signals, descriptors and exit are its own.
		os.Exit(kernel.Main(append([]string{"--version", moduleVersion()}, os.Args[2:]...), os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "repl" {
		// The REPL handles Ctrl-C itself (it interrupts the running cell).
		os.Exit(replCommand(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdin, stdout, stderr)
	var ue usageError
	var ee *exitError
	switch {
	case err == nil:
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
		return serveCommand(ctx, nil, stderr)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, helpText)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "model":
		return modelCommand(ctx, args[1:], stdin, stdout, stderr)
	case "serve":
		return serveCommand(ctx, args[1:], stderr)
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "convert":
		return convertCommand(args[1:], stdout, stderr)
	case "export":
		return exportCommand(args[1:], stdout, stderr)
	}
	return usagef("unknown command %q (see firn help)", args[0])
}

// versionString reports the module version (or the VCS revision of a
// development build) and the Go version.
func versionString() string {
	return fmt.Sprintf("firn %s %s %s/%s", moduleVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// moduleVersion is Firn's module version, or "(devel)" and the VCS
// revision of a development build.
func moduleVersion() string {
	version, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return version + rev
}
