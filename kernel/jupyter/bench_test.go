package jupyter_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/firnglacier/firn/kernel/jupyter"
)

// BenchmarkJupyterKernel measures the Firn kernel and Debian's ipykernel
// side by side over ZeroMQ, each started as Jupyter starts kernels (a
// connection file): start, from the process's start to its first
// kernel_info_reply; execute, the round trip of a trivial cell (1+1),
// from the execute_request to its reply and its status idle.
//
//	go test -run '^$' -bench BenchmarkJupyterKernel ./kernel/jupyter/
func BenchmarkJupyterKernel(b *testing.B) {
	home := b.TempDir()
	env := append(os.Environ(), "HOME="+home, "IPYTHONDIR="+filepath.Join(home, "ipython"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(home, "runtime"), "PYDEVD_DISABLE_FILE_VALIDATION=1")
	kernels := []struct {
		name string
		argv []string
	}{
		{"firn", firnArgv()},
		{"ipykernel", []string{systemPython, "-m", "ipykernel_launcher", "-f", "{connection_file}"}},
	}
	for _, k := range kernels {
		opts := jupyter.StartOptions{Argv: k.argv, Dir: b.TempDir(), Env: env}
		b.Run(k.name+"/start", func(b *testing.B) {
			for b.Loop() {
				kern := startBench(b, opts)
				b.StopTimer()
				stopBench(b, kern)
				b.StartTimer()
			}
		})
		b.Run(k.name+"/execute", func(b *testing.B) {
			kern := startBench(b, opts)
			defer stopBench(b, kern)
			ctx := context.Background()
			for b.Loop() {
				if reply, err := kern.Execute(ctx, "1+1", nil); err != nil || reply.Status != "ok" {
					b.Fatal(reply, err)
				}
			}
		})
	}
}

func startBench(b *testing.B, opts jupyter.StartOptions) *jupyter.Kernel {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	k, err := jupyter.Start(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func stopBench(b *testing.B, k *jupyter.Kernel) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := k.Shutdown(ctx); err != nil {
		b.Error(err)
	}
}
