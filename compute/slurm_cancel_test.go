package compute

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/testslurm"
)

// cancelDuringSbatch runs Slurm's commands with its runner, but cancels
// the launch's context as soon as sbatch's command is started, and then
// behaves as SSHClient.Run does: a command whose context ends is
// abandoned (it goes on to its end on the host) and run returns the
// context's error. sbatch's own output comes on out when it ends.
type cancelDuringSbatch struct {
	runner
	cancel context.CancelFunc
	out    chan []byte
}

func (r *cancelDuringSbatch) run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	if name != "sbatch" {
		return r.runner.run(ctx, dir, env, name, args...)
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := r.runner.run(context.WithoutCancel(ctx), dir, env, name, args...)
		r.out <- out
		done <- result{out, err}
	}()
	r.cancel()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-done:
		return res.out, res.err
	}
}

// TestSlurmCancelDuringSbatch: a launch cancelled while sbatch runs ends
// with the context's error, and the job array that sbatch submitted
// meanwhile is cancelled, not left queued or running with nobody to
// stop it.
func TestSlurmCancelDuringSbatch(t *testing.T) {
	sl := testslurm.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	r := &cancelDuringSbatch{runner: localRunner{}, cancel: cancel, out: make(chan []byte, 1)}
	s := Slurm{Workers: 2, Partition: "debug", Time: "10", Mem: "100M", Dir: filepath.Join(sl.Dir, "cancelled"),
		Command: []string{"sh", "-c", "exec sleep 600"}}
	_, err := s.launch(ctx, r, "nats://127.0.0.1:4222", Auth{Token: "t"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled launch: %v", err)
	}
	t.Log(err)
	id, _, _ := strings.Cut(strings.TrimSpace(string(<-r.out)), ";")
	if id == "" {
		t.Fatal("sbatch printed no job id")
	}
	defer func() { _ = exec.Command("scancel", id).Run() }() // if the test fails
	if err == nil || !strings.Contains(err.Error(), "job "+id+", submitted meanwhile, is cancelled") {
		t.Errorf("the error does not say that job %s was cancelled: %v", id, err)
	}
	testslurm.WaitFor(t, "job "+id+" to leave the queue", func() bool {
		out, err := exec.Command("squeue", "-h", "-r", "-j", id, "-t", "PENDING,RUNNING", "-o", "%i %T").Output()
		if err != nil {
			t.Fatalf("squeue: %v", err)
		}
		return strings.TrimSpace(string(out)) == ""
	})
}
