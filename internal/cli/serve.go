package cli

import (
	"context"
	"io"

	"github.com/firnglacier/firn/app"
	"github.com/firnglacier/firn/frontend"
	"github.com/firnglacier/firn/kernel"
)

// serveCommand is `firn serve [DIR]`: the notebook server and its UI. With
// no DIR the workspace is Firn's folder in the user's data directory,
// seeded with the lessons. Ctrl-C stops the kernels and flushes saves.
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn serve")
	addr := fs.String("addr", "", "address to listen on, HOST:PORT (default "+app.DefaultAddr+", or the next free port; port 0 picks any free one)")
	noBrowser := fs.Bool("no-browser", false, "do not open a browser")
	appNotebook := fs.String("app", "", "show `NOTEBOOK` as an app: its outputs and widgets with the code hidden, run from the top when the page opens (its folder is the workspace; with DIR, a path inside DIR)")
	var allowHosts stringList
	fs.Var(&allowHosts, "allow-host", "a host `NAME` browsers may use to reach the server besides localhost and IP addresses (repeatable)")
	noLessons := fs.Bool("no-lessons", false, "do not put the lessons in a new workspace (DIR/lessons)")
	token := fs.String("token", "", "login token (default: a random one, printed in the URL)")
	trusted := fs.Bool("trusted", false, "lift the kernels' sandbox: cells may start programs, use the network and write anywhere")
	memLimit := fs.String("memory-limit", "2GiB", "memory limit of each kernel")
	var passEnv envNames
	fs.Var(&passEnv, "kernel-env", kernelEnvUsage)
	launcher := addKernelFlag(fs)
	cullIdle := fs.Duration("cull-idle", 0, "stop kernels idle for longer than this, e.g. 1h (outputs saved first; a Slurm kernel's job ends); 0: never")
	profiles := fs.String("kernels", "", "a JSON `FILE` of named kernels for the picker, each a --kernel value: {\"kernels\": [{\"name\": \"hpc-short\", \"description\": \"…\", \"kernel\": \"slurm:partition=short,time=1:00:00\"}, …]}")
	if err := parse(fs, "firn serve [DIR] [--app NOTEBOOK] [--addr HOST:PORT] [--no-browser] [--no-lessons] [--token T] [--allow-host NAME] [--kernel-env NAME ...] [--kernel local|local-tcp|slurm:…|ssh://…] [--kernels FILE] [--cull-idle D]", args, stdout); err != nil {
		return err
	}
	if *cullIdle < 0 {
		return usagef("firn serve: --cull-idle %s: want a duration such as 1h (0: never)", *cullIdle)
	}
	var kernels []app.KernelChoice
	if *profiles != "" {
		more, err := app.ReadKernelProfiles(*profiles)
		if err != nil {
			return usagef("firn serve: --%v", err)
		}
		kernels = append(app.DefaultKernels(), more...)
	}
	if fs.NArg() > 1 {
		return usagef("firn serve: want at most one workspace folder")
	}
	if *token != "" && len(*token) < app.MinTokenLength {
		return usagef("firn serve: --token: %d characters; at least %d, as a short token can be guessed", len(*token), app.MinTokenLength)
	}
	limit, err := kernel.ParseBytes(*memLimit)
	if err != nil {
		return usagef("firn serve: --memory-limit: %v", err)
	}
	// The kernels' broker for compute.Attach (see serverBroker).
	brokerEnv, stopBroker := serverBroker(stderr)
	defer stopBroker()
	return app.Serve(ctx, app.ServeOptions{
		Dir: fs.Arg(0), App: *appNotebook, Addr: *addr, NoBrowser: *noBrowser, NoLessons: *noLessons, AllowHosts: allowHosts, Token: *token,
		Static:        frontend.Dist(),
		KernelOptions: kernel.Options{MemoryLimit: limit, Trusted: *trusted, PassEnv: passEnv, Env: brokerEnv, Launcher: launcher.launcher},
		Kernels:       kernels,
		CullIdle:      *cullIdle,
		Stderr:        stderr,
	})
}
