package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/firnglacier/firn/compute"
)

// workerCommand is `firn worker --connect URL [--token T | --creds FILE]
// [--concurrency N] [--name NAME]`: a worker that takes chunks of
// experiments from the broker and runs them until stopped.
func workerCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn worker")
	url := fs.String("connect", "", "the broker's `URL`: nats://127.0.0.1:PORT on this machine, else tls://HOST:PORT or wss://HOST/PATH")
	token := fs.String("token", "", "the broker's `token` (default: $"+compute.TokenEnv+")")
	creds := fs.String("creds", "", "a NATS credentials `file` (JWT and key) instead of a token")
	conc := fs.Int("concurrency", 0, "chunks run at once (default: one per core)")
	name := fs.String("name", "", "the worker's `name` in results and progress (default: host:pid)")
	timeout := fs.Duration("connect-timeout", time.Minute, "how long to try reaching the broker (at first, and after losing it)")
	if err := parse(fs, "firn worker --connect URL [--token T | --creds FILE] [--concurrency N] [--name NAME] [--connect-timeout D]", args, stdout); err != nil {
		return err
	}
	if *url == "" || fs.NArg() > 0 {
		return usagef("worker: want --connect URL and no other arguments (see firn worker --help)")
	}
	if *token == "" {
		*token = os.Getenv(compute.TokenEnv)
	}
	if *token != "" && *creds != "" {
		return usagef("worker: give --token or --creds, not both")
	}
	if *conc < 0 {
		return usagef("worker: --concurrency must be positive")
	}
	w := &compute.Worker{URL: *url, Auth: compute.Auth{Token: *token, CredsFile: *creds}, Name: *name, Concurrency: *conc, Log: stderr, ConnectTimeout: *timeout,
		Notebooks: runNotebookTask}
	if err := w.Run(ctx); err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}
