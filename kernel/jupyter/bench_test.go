package jupyter_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/firnglacier/firn/kernel/jupyter"
)

// BenchmarkJupyterKernel measures the Firn kernel and Debian's ipykernel
// side by side over ZeroMQ, each started as Jupyter starts kernels (a
// connection file): start, from the process's start to its first
// kernel_info_reply; first-result, from the process's start to the
// result of a first cell (1+1); execute, the round trip of a trivial
// cell, from the execute_request to its reply and its status idle.
// Firn is the program users install: `firn` as scripts/release.sh builds
// the CLI (without cgo), and "firn-cgo" built with cgo, as the desktop
// app is (its kernels confine themselves with a second start).
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
		{"firn", []string{buildFirn(b, "0"), "kernel", "--connection-file", "{connection_file}"}},
		{"firn-cgo", []string{buildFirn(b, "1"), "kernel", "--connection-file", "{connection_file}"}},
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
		b.Run(k.name+"/first-result", func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				kern := startBench(b, opts)
				if reply, err := kern.Execute(ctx, "1+1", nil); err != nil || reply.Status != "ok" {
					b.Fatal(reply, err)
				}
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

// buildFirn builds the firn program (cmd/firn) with CGO_ENABLED=cgo and
// returns its path.
func buildFirn(b *testing.B, cgo string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "firn")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/firnglacier/firn/cmd/firn")
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build cmd/firn (CGO_ENABLED=%s): %v\n%s", cgo, err, out)
	}
	return bin
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
