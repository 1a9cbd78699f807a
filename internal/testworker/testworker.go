package testworker

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/firnglacier/firn/compute"
)

// ConnectTimeoutEnv, when set to a duration, is the worker's
// ConnectTimeout.
const ConnectTimeoutEnv = "FIRN_TEST_WORKER_CONNECT_TIMEOUT"

// Main runs a compute.Worker with the flags args (--connect URL,
// --concurrency N, --name NAME, --creds FILE; the token from
// $FIRN_WORKER_TOKEN) until SIGINT or SIGTERM, and returns the exit
// status: 0, 1 when the worker failed, 2 for bad flags.
func Main(args []string) int {
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
	if d, err := time.ParseDuration(os.Getenv(ConnectTimeoutEnv)); err == nil {
		w.ConnectTimeout = d
	}
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
