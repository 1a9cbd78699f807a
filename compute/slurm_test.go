package compute_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/compute"
)

// TestSlurmScript: every knob of the Slurm launcher becomes its #SBATCH
// line, the extra lines follow as given, and the worker gets the broker
// URL, one goroutine per CPU and no token on its command line.
func TestSlurmScript(t *testing.T) {
	s := compute.Slurm{Workers: 8, Partition: "short", Account: "glaciers", QoS: "normal", Time: "2:00:00",
		CPUsPerTask: 4, Mem: "8G", GPUs: "1", Constraint: "haswell",
		Extra: []string{"--mail-type=END", "#SBATCH --exclusive"}, Command: []string{"/opt/firn dir/firn", "worker"}}
	script, err := s.Script("tls://login:4222", compute.Auth{Token: "secret"}, "/scratch/logs")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#!/bin/sh\n", "#SBATCH --job-name=firn-worker\n", "#SBATCH --array=0-7\n", "#SBATCH --cpus-per-task=4\n",
		"#SBATCH --output=/scratch/logs/worker-%A_%a.out\n", "#SBATCH --partition=short\n", "#SBATCH --account=glaciers\n",
		"#SBATCH --qos=normal\n", "#SBATCH --time=2:00:00\n", "#SBATCH --mem=8G\n", "#SBATCH --gpus=1\n",
		"#SBATCH --constraint=haswell\n", "#SBATCH --mail-type=END\n", "#SBATCH --exclusive\n",
		`exec '/opt/firn dir/firn' worker --connect tls://login:4222 --concurrency 4 --name "slurm-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"` + "\n",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q:\n%s", want, script)
		}
	}
	if strings.Contains(script, "secret") {
		t.Errorf("the token is in the script:\n%s", script)
	}
	// #SBATCH lines must come before the first command, or sbatch
	// ignores them.
	if i, j := strings.LastIndex(script, "#SBATCH"), strings.Index(script, "exec "); i > j {
		t.Errorf("an #SBATCH line after the command:\n%s", script)
	}
	if _, err := (compute.Slurm{Extra: []string{"--a\n--b"}}).Script("nats://127.0.0.1:1", compute.Auth{}, "/tmp"); err == nil {
		t.Error("an extra line with a line break was accepted")
	}
}

// slurm is a single-node Slurm cluster on loopback, started by a test
// (docs: PLATFORM.md's recipe), with its own configuration and ports.
type slurm struct {
	dir, conf string
	procs     []*exec.Cmd
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitFor polls check until it holds: Slurm reports state changes only
// through its commands.
func waitFor(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func startSlurm(t *testing.T) *slurm {
	t.Helper()
	for _, p := range []string{"/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("no %s (apt-get install slurm-wlm munge; scripts/test.sh does)", p)
		}
	}
	if os.Getuid() != 0 {
		t.Skip("a Slurm of its own needs root here (SlurmdUser=root)")
	}
	dir, err := os.MkdirTemp("", "firn-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"state", "spool", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if exec.Command("sh", "-c", "munge -n | unmunge").Run() != nil {
		for _, d := range []string{"/run/munge", "/var/lib/munge", "/var/log/munge"} {
			_ = os.MkdirAll(d, 0o755)
			_ = exec.Command("chown", "munge:munge", d).Run()
		}
		if out, err := exec.Command("runuser", "-u", "munge", "--", "/usr/sbin/munged").CombinedOutput(); err != nil {
			t.Fatalf("munged: %v %s", err, out)
		}
		waitFor(t, "munge", func() bool { return exec.Command("sh", "-c", "munge -n | unmunge").Run() == nil })
	}
	mem := 2048
	conf := fmt.Sprintf(`ClusterName=firntest
SlurmctldHost=localhost
SlurmctldPort=%d
SlurmdPort=%d
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=%[3]s/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=200
SchedulerType=sched/backfill
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0,bf_interval=1
MailProg=/bin/true
ReturnToService=2
MinJobAge=300
KillWait=5
SlurmctldPidFile=%[3]s/slurmctld.pid
SlurmdPidFile=%[3]s/slurmd.pid
SlurmdSpoolDir=%[3]s/spool
StateSaveLocation=%[3]s/state
SlurmctldLogFile=%[3]s/log/slurmctld.log
SlurmdLogFile=%[3]s/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=%d State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`, freePort(t), freePort(t), dir, mem)
	s := &slurm{dir: dir, conf: filepath.Join(dir, "slurm.conf")}
	if err := os.WriteFile(s.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLURM_CONF", s.conf)
	for _, args := range [][]string{{"/usr/sbin/slurmctld", "-D", "-i"}, {"/usr/sbin/slurmd", "-D", "-N", "localhost"}} {
		c := exec.Command(args[0], args[1:]...)
		c.Env = append(os.Environ(), "SLURM_CONF="+s.conf)
		log, err := os.Create(filepath.Join(dir, "log", filepath.Base(args[0])+".stdout"))
		if err != nil {
			t.Fatal(err)
		}
		c.Stdout, c.Stderr = log, log
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		s.procs = append(s.procs, c)
	}
	t.Cleanup(func() {
		for i := len(s.procs) - 1; i >= 0; i-- {
			_ = s.procs[i].Process.Kill()
			_ = s.procs[i].Wait()
		}
	})
	waitFor(t, "an idle Slurm node", func() bool {
		out, _ := exec.Command("sinfo", "-h", "-o", "%t").Output()
		return strings.TrimSpace(string(out)) == "idle"
	})
	return s
}

// TestSlurmLauncher: two workers as a job array on a real single-node
// Slurm run a table of experiments (the numbers of the in-process runs);
// squeue shows them running; Stop cancels the array.
func TestSlurmLauncher(t *testing.T) {
	s := startSlurm(t)
	e := start(t, t.TempDir(), 0)
	var tasks []compute.Task
	for i := range 10 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("s%d.json", i), Data: experimentDoc(40, 2450+float64(i)*30, 80)})
	}
	launcher := compute.Slurm{Workers: 2, Partition: "debug", Time: "10", Mem: "300M", JobName: "firn-test",
		Extra: []string{"--comment=firn-test"}, Dir: filepath.Join(s.dir, "job"),
		Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}}
	w, err := launcher.Launch(context.Background(), e.broker.URL(), compute.Auth{Token: e.broker.Token()})
	if err != nil {
		t.Fatal(err)
	}
	job := w.(*compute.SlurmJob)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = job.Stop()
		}
	})
	pj, err := e.pool.Submit(context.Background(), tasks, compute.SubmitOptions{Workers: w.Count(), ChunkSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	results, err := pj.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	byWorker := map[string]int{}
	for i, r := range results {
		if r.Failed() || !sameHistory(r.History, inProcess(t, tasks[i])) {
			t.Errorf("%s: %q, or its history differs from the in-process run", r.Name, r.Err)
		}
		byWorker[r.Worker]++
	}
	for name := range byWorker {
		if !strings.HasPrefix(name, "slurm-"+job.ID+"_") {
			t.Errorf("a result from worker %q, not one of job %s", name, job.ID)
		}
	}
	t.Logf("results by worker: %v", byWorker)
	// The workers serve until canceled: squeue lists both running.
	st, err := job.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, task := range st {
		if task.State == "RUNNING" {
			running++
		}
	}
	if running != 2 {
		t.Errorf("squeue: %+v; want 2 tasks running", st)
	}
	if err := job.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	// The array ends CANCELLED (the completion log of jobcomp/filetxt).
	waitFor(t, "the canceled array in the completion log", func() bool {
		data, _ := os.ReadFile(filepath.Join(s.dir, "log", "jobcomp.txt"))
		return strings.Count(string(data), "JobState=CANCELLED") >= 2
	})
	waitFor(t, "squeue to forget the canceled array", func() bool {
		st, err := job.Status(context.Background())
		return err == nil && len(st) == 0
	})
}
