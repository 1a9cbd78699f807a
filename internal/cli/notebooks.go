package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/firnglacier/firn/internal/atomicfile"
	"github.com/firnglacier/firn/internal/buildinfo"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/export"
	nbrun "github.com/firnglacier/firn/notebooks/run"
)

// paramFlags collects repeated -p NAME=VALUE flags.
type paramFlags []nbrun.Parameter

func (p *paramFlags) String() string { return fmt.Sprint(*p) }
func (p *paramFlags) Set(s string) error {
	param, err := nbrun.ParseParameter(s)
	if err != nil {
		return err
	}
	*p = append(*p, param)
	return nil
}

// papermillParams rewrites papermill's form of a parameter, -p NAME VALUE
// (two arguments), into -p NAME=VALUE, which the flag package reads as one
// value. A -p whose next argument has an "=" is left alone.
func papermillParams(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if (a == "-p" || a == "--p") && i+2 < len(args) && !strings.Contains(args[i+1], "=") {
			out = append(out, a, args[i+1]+"="+args[i+2])
			i += 2
			continue
		}
		out = append(out, a)
	}
	return out
}

// runCommand is `firn run NB`: execute a notebook headless.
func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn run")
	var params paramFlags
	fs.Var(&params, "p", "set a parameter: NAME=VALUE, or NAME VALUE as papermill takes it (repeatable), typed as its default in the cell tagged parameters")
	out := fs.String("o", "", "write the executed notebook here (default: in place; .go input: the .ipynb beside it; - for stdout)")
	timeout := fs.Duration("timeout", 0, "interrupt and fail a cell that runs longer than this (e.g. 10m; default none)")
	allowErrors := fs.Bool("allow-errors", false, "run every cell even after one fails (the exit status still says it failed)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	trusted := fs.Bool("trusted", false, "lift the sandbox: cells may start programs, use the network and write anywhere")
	memLimit := fs.String("memory-limit", "2GiB", "memory limit of the kernel")
	var passEnv envNames
	fs.Var(&passEnv, "kernel-env", kernelEnvUsage)
	launcher := addKernelFlag(fs)
	var grid gridFlags
	fs.Var(&grid, "grid", "run over a parameter grid, as tasks of a pool of workers: NAME=START:STOP:STEP or NAME=V1,V2,… (repeatable; every combination)")
	var many manyOptions
	fs.StringVar(&many.on, "on", "", "with --grid: where the workers run, local or slurm (default local)")
	fs.StringVar(&many.outDir, "out-dir", "", "with --grid: the `folder` for each point's notebook (NB_NAME=VALUE….ipynb) and summary.csv")
	fs.IntVar(&many.workers, "workers", 1, "with --grid: the number of workers")
	fs.StringVar(&many.slurm.Partition, "partition", "", "with --on slurm: sbatch --partition")
	fs.StringVar(&many.slurm.Time, "time", "", "with --on slurm: sbatch --time")
	args = papermillParams(args)
	if err := parse(fs, "firn run NB [-p NAME=VALUE ...] [-o OUT.ipynb] [--timeout D] [--allow-errors] [--quiet] [--kernel local|local-tcp] [--grid NAME=SPEC ... [--on local|slurm] [--workers N] --out-dir DIR]", args, stdout); err != nil {
		return err
	}
	if len(grid) > 0 || many.on != "" {
		if len(grid) == 0 {
			return usagef("firn run: --on runs a notebook over a parameter grid: give --grid NAME=SPEC")
		}
		if fs.NArg() != 1 || *out != "" {
			return usagef("firn run: with --grid, one notebook and --out-dir DIR (not -o)")
		}
		if many.on == "" {
			many.on = "local"
		}
		many.quiet = *quiet
		return runGrid(ctx, fs.Arg(0), grid, params, many, stderr)
	}
	if fs.NArg() != 1 {
		return usagef("firn run: want one notebook (firn run NB [-p NAME=VALUE ...] [-o OUT.ipynb] [--timeout D] [--allow-errors])")
	}
	in := fs.Arg(0)
	limit, err := kernel.ParseBytes(*memLimit)
	if err != nil {
		return usagef("firn run: --memory-limit: %v", err)
	}
	nb, err := notebooks.ReadFile(in)
	if err != nil {
		return usageError{err}
	}
	dest := *out
	if dest == "" {
		dest = in
		if strings.EqualFold(filepath.Ext(in), ".go") {
			dest = strings.TrimSuffix(in, filepath.Ext(in)) + ".ipynb"
		}
	}
	dir, err := filepath.Abs(filepath.Dir(in))
	if err != nil {
		return err
	}
	name := filepath.Base(in)
	progress := func(p nbrun.Progress) {
		if *quiet {
			return
		}
		if p.Cell == 0 {
			fmt.Fprintf(stderr, "firn run: %s: %d code cells done in %s\n", name, p.Total, p.Elapsed.Round(time.Millisecond))
			return
		}
		fmt.Fprintf(stderr, "firn run: %s: cell %d of %d (cell %d, id %s)\n", name, p.Done+1, p.Total, p.Cell, p.ID)
	}
	runErr := nbrun.Notebook(ctx, nb, nbrun.Options{
		Kernel:     kernel.Options{Dir: dir, MemoryLimit: limit, Trusted: *trusted, PassEnv: passEnv, Launcher: launcher.launcher},
		Parameters: params, CellTimeout: *timeout, AllowErrors: *allowErrors,
		Progress: progress, Name: in, Version: buildinfo.Version(),
	})
	var cellErr *nbrun.CellError
	if runErr != nil && !errors.As(runErr, &cellErr) && !errors.Is(runErr, context.Canceled) {
		// Nothing ran (a bad parameter, no kernel): leave the file alone.
		var pe *nbrun.ParameterError
		if errors.As(runErr, &pe) {
			return usageError{runErr}
		}
		return runErr
	}
	// The notebook is written even when a cell failed or the run was
	// interrupted: its outputs, and the error, are what the user needs.
	if err := writeNotebook(dest, nb, stdout); err != nil {
		return err
	}
	if errors.Is(runErr, context.Canceled) {
		if dest != "-" {
			fmt.Fprintf(stderr, "firn run: interrupted; the outputs so far are in %s\n", dest)
		}
		return &exitError{code: exitCanceled}
	}
	if runErr != nil {
		return runErr
	}
	if !*quiet && dest != "-" {
		fmt.Fprintf(stderr, "firn run: wrote %s\n", dest)
	}
	return nil
}

// exitError ends the program with a status and no further message.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func writeNotebook(dest string, nb *notebooks.Notebook, stdout io.Writer) error {
	if dest == "-" {
		var b bytes.Buffer
		if err := nb.Write(&b); err != nil {
			return err
		}
		_, err := stdout.Write(b.Bytes())
		return err
	}
	return notebooks.WriteFile(dest, nb)
}

// convertCommand is `firn convert IN [-o OUT]`: .ipynb to the percent text
// form (.go) and back.
func convertCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn convert")
	out := fs.String("o", "", "output file: .go (text form) or .ipynb (default: IN with the other extension; - for stdout)")
	recoverCells := fs.Bool("recover", false, "from a damaged notebook, write the cells that could be read (the damage is reported)")
	if err := parse(fs, "firn convert NB.ipynb|NB.go [-o OUT] [--recover]", args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("firn convert: want one file (firn convert NB.ipynb|NB.go [-o OUT] [--recover])")
	}
	in := fs.Arg(0)
	ext := strings.ToLower(filepath.Ext(in))
	if ext != ".ipynb" && ext != ".go" {
		return usagef("firn convert: %s: want a .ipynb notebook or a .go text form", in)
	}
	nb, err := notebooks.ReadFile(in)
	if err != nil {
		if !*recoverCells || nb == nil {
			if nb != nil {
				err = fmt.Errorf("%w\n(firn convert --recover -o OUT writes the %d cells that could be read)", err, len(nb.Cells))
			}
			return usageError{err}
		}
		fmt.Fprintf(stderr, "firn convert: %v\nfirn convert: recovering the %d cells that could be read\n", err, len(nb.Cells))
	}
	dest := *out
	if dest == "" {
		other := ".go"
		if ext == ".go" {
			other = ".ipynb"
		}
		dest = strings.TrimSuffix(in, filepath.Ext(in)) + other
	}
	if dest == "-" {
		if ext == ".ipynb" {
			return notebooks.WritePercent(stdout, nb)
		}
		return nb.Write(stdout)
	}
	if err := notebooks.WriteFile(dest, nb); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "firn convert: wrote %s\n", dest)
	return nil
}

// exportCommand is `firn export NB --to html|markdown [-o OUT]`.
func exportCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn export")
	to := fs.String("to", "html", "html (one self-contained page) or markdown (images in NAME_files/)")
	out := fs.String("o", "", "output file (default: NB with .html or .md; - for stdout)")
	if err := parse(fs, "firn export NB [--to html|markdown] [-o OUT]", args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("firn export: want one notebook (firn export NB --to html|markdown [-o OUT])")
	}
	in := fs.Arg(0)
	ext := map[string]string{"html": ".html", "markdown": ".md", "md": ".md"}[*to]
	if ext == "" {
		return usagef("firn export: --to %q: want html or markdown", *to)
	}
	nb, err := notebooks.ReadFile(in)
	if err != nil {
		return usageError{err}
	}
	dest := *out
	if dest == "" {
		dest = strings.TrimSuffix(in, filepath.Ext(in)) + ext
	}
	var b bytes.Buffer
	base := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
	if ext == ".html" {
		err = export.HTML(&b, nb, export.HTMLOptions{Name: filepath.Base(in)})
	} else {
		opts := export.MarkdownOptions{Name: base}
		if dest != "-" {
			dir := filepath.Dir(dest)
			opts.WriteFile = func(name string, data []byte) error {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return err
				}
				return os.WriteFile(p, data, 0o644)
			}
		}
		err = export.Markdown(&b, nb, opts)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if dest == "-" {
		_, err = stdout.Write(b.Bytes())
		return err
	}
	if err := atomicfile.WriteBytes(dest, 0o644, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "firn export: wrote %s\n", dest)
	return nil
}
