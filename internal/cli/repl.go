package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/peterh/liner"

	"github.com/firnglacier/firn/internal/buildinfo"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/repl"
)

// replCommand is `firn repl`: Go cells at a prompt (or a script on
// stdin), on a kernel process.
func replCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("firn repl")
	trusted := fs.Bool("trusted", false, "lift the sandbox: cells may start programs, use the network and write anywhere")
	memLimit := fs.String("memory-limit", "2GiB", "memory limit of the kernel")
	var passEnv envNames
	fs.Var(&passEnv, "kernel-env", kernelEnvUsage)
	plotDir := fs.String("plots", "plots", "folder for the plots cells show")
	images := fs.String("images", "auto", "draw plots in the terminal: auto, kitty, sixel or none")
	history := fs.String("history", "", "history file (default: $XDG_STATE_HOME/firn/repl_history)")
	launcher := addKernelFlag(fs)
	if err := parse(fs, "firn repl [--kernel local|local-tcp] [--trusted] [--memory-limit SIZE] [--kernel-env NAME ...] [--plots DIR] [--images auto|kitty|sixel|none] [--history FILE]", args, stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintln(stderr, "firn:", err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "firn repl: unexpected argument %q (pipe a script to stdin instead)\n", fs.Arg(0))
		return exitUsage
	}
	limit, err := kernel.ParseBytes(*memLimit)
	if err != nil {
		fmt.Fprintf(stderr, "firn repl: --memory-limit: %v\n", err)
		return exitUsage
	}
	interactive := stdin == os.Stdin && stdioIsTerminal()
	histFile := *history
	if histFile == "" && interactive {
		if histFile, err = repl.DefaultHistoryFile(os.Getenv); err != nil {
			fmt.Fprintf(stderr, "firn repl: no history: %v\n", err)
			histFile = ""
		}
	}
	// Ctrl-C belongs to the REPL (it interrupts the cell); only SIGTERM
	// ends the session.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	k, err := kernel.Start(ctx, kernel.Options{MemoryLimit: limit, Trusted: *trusted, PassEnv: passEnv, Launcher: launcher.launcher})
	if err != nil {
		fmt.Fprintf(stderr, "firn repl: %v\n", err)
		return exitFailure
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = k.Shutdown(sctx)
	}()
	go reportKernelEvents(k, stderr)
	err = repl.Run(ctx, k, repl.Options{
		In: stdin, Out: stdout, Err: stderr, Interactive: interactive,
		HistoryFile: histFile, PlotDir: *plotDir, Images: *images, Version: buildinfo.Version(),
	})
	var cellErr *repl.CellError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, repl.ErrInterrupted), errors.Is(err, context.Canceled):
		return exitCanceled
	case errors.As(err, &cellErr):
		return exitFailure
	default:
		fmt.Fprintf(stderr, "firn repl: %v\n", err)
		return exitFailure
	}
}

// reportKernelEvents tells the user when the kernel died or restarted.
func reportKernelEvents(k *kernel.Kernel, stderr io.Writer) {
	for e := range k.Events() {
		switch e.Kind {
		case kernel.EventDied:
			fmt.Fprintf(stderr, "\nfirn: the kernel died: %s\n", e.Cause)
		case kernel.EventRestarted:
			fmt.Fprintln(stderr, "firn: a fresh kernel was started; variables from before are gone")
		}
	}
}

// stdioIsTerminal reports whether standard input and output are terminals.
func stdioIsTerminal() bool {
	if _, err := liner.TerminalMode(); err != nil {
		return false
	}
	fi, err := os.Stdout.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
