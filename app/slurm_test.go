package app

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
	"github.com/firnglacier/firn/kernel"
)

// TestSlurmKernelSession: a notebook served with `--kernel slurm` whose
// node is taken by another job shows its kernel waiting in the queue (a
// kernel frame "starting" whose cause names the job, "pending", Slurm's
// reason and the start estimate: what the status bar shows); when the
// node frees, the kernel becomes idle and runs the notebook's cells.
func TestSlurmKernelSession(t *testing.T) {
	s := testslurm.Start(t)
	freeNode := s.TakeNode(t)
	slurm := kernel.SlurmLauncher{Slurm: compute.Slurm{Partition: "debug", Time: "10", Mem: "500M", Dir: filepath.Join(s.Dir, "kernels")}}
	h := newHarness(t, func(o *Options) {
		o.KernelOptions.Launcher = slurm
		o.Kernels = append(LocalKernels(), SlurmKernel())
	})
	id := h.openSession("queued.ipynb")
	c := h.dial(id, 0)
	fs := c.until(func(f frame) bool {
		return f.Type == "kernel" && (f.State == "idle" || strings.Contains(f.Cause, ": pending ("))
	})
	last := fs[len(fs)-1]
	if last.State != "starting" || !strings.HasPrefix(last.Cause, "Slurm job ") || !strings.Contains(last.Cause, "estimated start") {
		t.Fatalf("while the node is taken: kernel frame %s", last.raw)
	}
	freeNode()
	c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "idle" })
	if k := h.sessionKernel(id); k.Name != "slurm" || k.Transport != "nats" {
		t.Errorf("session kernel %+v", k)
	}
	fs, reply := c.run("m1", "6*7")
	if reply.Status != "ok" || output(fs, "m1") != "42" {
		t.Errorf("6*7 on the Slurm kernel: %s %q", reply.Status, output(fs, "m1"))
	}
	t.Logf("the status while queued: %q", last.Cause)
}
