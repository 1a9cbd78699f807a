// Command firn is Firn: `go install github.com/firnglacier/firn/cmd/firn`
// gives the same program as the module root (both are thin mains over
// internal/cli); see `firn help`. The desktop window is built from the
// module root with the desktop tags (see the README).
package main

import (
	"os"

	"github.com/firnglacier/firn/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], cli.Program{})) }
