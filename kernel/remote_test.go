package kernel

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
)

// TestSlurmKernel runs a kernel as a job of a real single-node Slurm
// (started by the test), over the remote transport through a broker
// embedded in the client: the job is listed by squeue while the kernel
// runs, with the kernel's environment and not the client's; cells run,
// plots come back in one piece (a message far above NATS's payload is
// sent in parts); an endless cell is interrupted by message and the
// kernel keeps its variables; a restart is a new job; shutdown ends the
// job, and squeue forgets it.
func TestSlurmKernel(t *testing.T) {
	s := testslurm.Start(t)
	t.Setenv("FIRN_TEST_CLIENT_SECRET", "not for the kernel")
	var mu sync.Mutex
	var statuses []string
	launcher := SlurmLauncher{
		Slurm: compute.Slurm{Partition: "debug", Time: "10", Mem: "500M", Dir: filepath.Join(s.Dir, "kernels")},
		Status: func(msg string) {
			mu.Lock()
			statuses = append(statuses, msg)
			mu.Unlock()
		},
	}
	k, ctx := startKernel(t, Options{Launcher: launcher, Env: []string{"FIRN_TEST_KERNEL_VAR=on the node"}})
	if got := k.Launcher(); got.Name != "slurm" || got.Transport != "nats" {
		t.Errorf("launcher %+v", got)
	}
	jobs := func() []string {
		out, err := exec.Command("squeue", "-h", "-o", "%i|%j|%T").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(out))
	}
	first := jobs()
	if len(first) != 1 || !strings.HasSuffix(first[0], "|firn|RUNNING") {
		t.Fatalf("squeue while the kernel runs: %q, want one running job named firn", first)
	}
	firstID, _, _ := strings.Cut(first[0], "|")

	if _, out := run(t, ctx, k, `import "os"`); out != "" {
		t.Fatalf("import: %q", out)
	}
	_, out := run(t, ctx, k, `os.Getenv("SLURM_JOB_ID") + " " + os.Getenv("FIRN_TEST_KERNEL_VAR") + " [" + os.Getenv("FIRN_TEST_CLIENT_SECRET") + "]"`)
	if want := "[execute_result] \"" + firstID + " on the node []\"\n"; out != want {
		t.Errorf("the kernel's job and environment: %q, want %q", out, want)
	}
	// 21 MiB of output: three parts at the embedded broker's 8 MiB
	// payload.
	_, out = run(t, ctx, k, `big := strings.Repeat("ice", 7<<20); len(big)`)
	if out != "[execute_result] 22020096\n" {
		t.Fatalf("len: %q", out)
	}
	_, out = run(t, ctx, k, `fmt.Print(big[:6], len(big))`)
	if out != "iceice22020096" {
		t.Errorf("print: %q", out)
	}
	_, out = run(t, ctx, k, `big`)
	if len(out) != len("[execute_result] \"\"\n")+22020096 || strings.Count(out, "ice") != 7<<20 {
		t.Errorf("a 21 MiB result arrived as %d bytes", len(out))
	}

	interruptKeepsVariables(t, ctx, k)

	if err := k.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	_, out = run(t, ctx, k, `os.Getenv("SLURM_JOB_ID")`)
	secondID := strings.Trim(strings.TrimSuffix(strings.TrimPrefix(out, "[execute_result] "), "\n"), `"`)
	if secondID == firstID || secondID == "" {
		t.Errorf("after a restart the kernel runs in job %q (before: %s), want a new job", secondID, firstID)
	}
	if err := k.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	testslurm.WaitFor(t, "squeue to forget the kernel's jobs", func() bool { return len(jobs()) == 0 })
	for _, id := range []string{firstID, secondID} {
		log := filepath.Join(s.Dir, "kernels", "job-"+id+".out")
		if _, err := os.Stat(log); err != nil {
			t.Errorf("job %s's output: %v", id, err)
		}
	}
	mu.Lock()
	t.Logf("queue states seen while starting: %q", statuses)
	mu.Unlock()
}

// TestSlurmKernelQueued: while the node is taken by another job, the
// kernel's job waits in the queue and its client hears so (Options.Status:
// the job, "pending", Slurm's reason and its start estimate), as the
// notebook shows it; when the other job is cancelled the kernel starts
// and runs cells.
func TestSlurmKernelQueued(t *testing.T) {
	s := testslurm.Start(t)
	freeNode := s.TakeNode(t)
	statuses := make(chan string, 100)
	type started struct {
		k   *Kernel
		err error
	}
	done := make(chan started, 1)
	go func() {
		k, err := Start(context.Background(), Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: t.TempDir(),
			Launcher: SlurmLauncher{Slurm: compute.Slurm{Partition: "debug", Time: "10", Mem: "500M", Dir: filepath.Join(s.Dir, "kernels")}},
			Status:   func(msg string) { statuses <- msg }})
		done <- started{k, err}
	}()
	var pending string
	for pending == "" {
		select {
		case msg := <-statuses:
			if strings.Contains(msg, ": pending (") {
				pending = msg
			}
		case r := <-done:
			t.Fatalf("the kernel started (%v) while the node was taken", r.err)
		}
	}
	if !strings.HasPrefix(pending, "Slurm job ") || !strings.Contains(pending, "estimated start") {
		t.Errorf("queue status %q", pending)
	}
	freeNode()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.k.Shutdown(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, out := run(t, ctx, r.k, "6*7"); out != "[execute_result] 42\n" {
		t.Errorf("6*7: %q", out)
	}
	t.Logf("while the node was taken: %q", pending)
}

// TestSlurmKernelJobCancelled: when the kernel's job is cancelled behind
// the client's back (scancel, a node failure, the time limit), the
// running cell ends with the kernel's death, whose cause names the job,
// instead of waiting for ever.
func TestSlurmKernelJobCancelled(t *testing.T) {
	s := testslurm.Start(t)
	k, ctx := startKernel(t, Options{NoAutoRestart: true,
		Launcher: SlurmLauncher{Slurm: compute.Slurm{Partition: "debug", Time: "10", Mem: "500M", Dir: filepath.Join(s.Dir, "kernels")}}})
	out, err := exec.Command("squeue", "-h", "-o", "%i").Output()
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(string(out))
	_, cellOut, err := cellStarted(t, ctx, k, "fmt.Println(\"started\")\nfor {}", func() {
		if out, err := exec.Command("scancel", id).CombinedOutput(); err != nil {
			t.Errorf("scancel %s: %v %s", id, err, out)
		}
	})
	var died *DiedError
	if !errors.As(err, &died) || !strings.Contains(died.Cause, "ended with its Slurm job "+id) {
		t.Fatalf("the cell after scancel: %v (output %q), want the kernel's death naming job %s", err, cellOut, id)
	}
	t.Logf("cause: %s", died.Cause)
}

// interruptKeepsVariables: an endless cell on kernel k, interrupted once
// it has started, ends as Interrupted, and a variable defined before it
// is still there.
func interruptKeepsVariables(t *testing.T, ctx context.Context, k *Kernel) {
	t.Helper()
	run(t, ctx, k, "keep := 11")
	reply, cellOut, err := cellStarted(t, ctx, k, "fmt.Println(\"started\")\nfor {}", func() {
		if err := k.Interrupt(); err != nil {
			t.Error(err)
		}
	})
	if err != nil || reply.Status != "error" || reply.EName != "Interrupted" {
		t.Fatalf("interrupt: reply %+v, err %v, output %q", reply, err, cellOut)
	}
	if _, out := run(t, ctx, k, "keep"); out != "[execute_result] 11\n" {
		t.Errorf("after the interrupt: %q", out)
	}
}
