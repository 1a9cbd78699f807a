package kernel

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/firnglacier/firn/compute"
)

// workerMain is `firn worker` for the test binary: a kernel that attaches
// local or Slurm workers starts its own program with "worker" and the
// flags of compute's launchers, as `firn` does.
func workerMain(args []string) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	url := fs.String("connect", "", "")
	conc := fs.Int("concurrency", 1, "")
	name := fs.String("name", "", "")
	creds := fs.String("creds", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := &compute.Worker{URL: *url, Auth: compute.Auth{Token: os.Getenv(compute.TokenEnv), CredsFile: *creds},
		Name: *name, Concurrency: *conc, Log: os.Stderr}
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
