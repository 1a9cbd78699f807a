// Command firn is Firn, a glacier modelling workbench: the notebook in
// the browser (firn, firn serve), notebooks run headless (firn run),
// Go cells at a prompt (firn repl), experiments (firn model), and every
// other command of `firn help`. It is the same program as cmd/firn (both
// are thin mains over internal/cli), so `go build .` here gives the whole
// CLI.
//
// Built with the desktop tags it is also the desktop app: the notebook UI
// in a window of its own (Wails v2), which is then what firn does with no
// command, and `firn desktop`:
//
//	go build -tags desktop,production,webkit2_41 -ldflags "-s -w" .
//
// or `wails build -tags webkit2_41`. The kernels are this same program,
// started as `firn kernel`.
package main

import (
	"os"

	"github.com/firnglacier/firn/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], program())) }
