package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/firnglacier/firn/kernel/jupyter"
)

const jupyterUsage = `usage: firn jupyter install [--user | --sys-prefix | --prefix DIR]
       firn jupyter uninstall [--user | --sys-prefix | --prefix DIR]

install makes Firn a kernel of Jupyter (notebook, JupyterLab, nbconvert,
jupyter console, papermill): it writes the kernelspec "firn" ("Go (Firn)"),
which starts this firn as ` + "`firn kernel --connection-file FILE`" + `.
uninstall removes it. Where:
  --user        your Jupyter data folder (the default; ~/.local/share/jupyter
                on Linux, ~/Library/Jupyter on macOS, %APPDATA%\jupyter on
                Windows, or $JUPYTER_DATA_DIR)
  --sys-prefix  the environment of the Python that runs jupyter on PATH
                (a virtual or conda environment: PREFIX/share/jupyter)
  --prefix DIR  DIR/share/jupyter
`

// jupyterCommand is `firn jupyter install|uninstall`.
func jupyterCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stdout, jupyterUsage)
		if len(args) == 0 {
			return usagef("firn jupyter: say install or uninstall")
		}
		return nil
	}
	action := args[0]
	if action != "install" && action != "uninstall" {
		return usagef("firn jupyter: unknown action %q (install or uninstall)", action)
	}
	flags := newFlags("firn jupyter " + action)
	user := flags.Bool("user", false, "your Jupyter data folder (the default)")
	sysPrefix := flags.Bool("sys-prefix", false, "the environment of the Python that runs jupyter on PATH")
	prefix := flags.String("prefix", "", "install under `DIR`/share/jupyter")
	if err := parse(flags, "firn jupyter "+action+" [--user | --sys-prefix | --prefix DIR]", args[1:], stdout); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return usagef("firn jupyter %s: unexpected argument %q", action, flags.Arg(0))
	}
	n := 0
	for _, set := range []bool{*user, *sysPrefix, *prefix != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usagef("firn jupyter %s: give one of --user, --sys-prefix and --prefix", action)
	}
	var dataDir string
	var err error
	switch {
	case *prefix != "":
		abs, err := filepath.Abs(*prefix)
		if err != nil {
			return err
		}
		dataDir = jupyter.PrefixDataDir(abs)
	case *sysPrefix:
		p, err := jupyter.SysPrefix()
		if err != nil {
			return err
		}
		dataDir = jupyter.PrefixDataDir(p)
	default:
		if dataDir, err = jupyter.UserDataDir(); err != nil {
			return err
		}
	}
	if action == "uninstall" {
		dir, err := jupyter.Uninstall(dataDir)
		if errors.Is(err, fs.ErrNotExist) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed the Firn kernel from %s\n", dir)
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("firn jupyter install: where is this program: %w", err)
	}
	dir, err := jupyter.Install(dataDir, jupyter.Spec(exe))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed the Firn kernel (Go (Firn), kernel name %q) in %s\nit runs %s kernel --connection-file FILE\n", jupyter.KernelName, dir, exe)
	return nil
}
