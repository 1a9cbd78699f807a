package testslurm

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Cluster is a single-node Slurm on loopback started by a test, with its
// own configuration, ports and state folder.
type Cluster struct {
	// Dir holds the configuration, state and logs (log/jobcomp.txt:
	// a line per finished job, with its JobState).
	Dir string
	// Conf is the slurm.conf; Start sets $SLURM_CONF to it for the
	// test.
	Conf  string
	procs []*exec.Cmd
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// WaitFor polls check until it holds: Slurm reports state changes only
// through its commands.
func WaitFor(t testing.TB, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Start starts munged (if no munge daemon answers), slurmctld and slurmd
// with a partition "debug" of one node (localhost, 2 CPUs), waits for the
// node to be idle and stops the daemons when the test ends. It skips the
// test without the Slurm daemons or without root.
func Start(t testing.TB) *Cluster {
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
		WaitFor(t, "munge", func() bool { return exec.Command("sh", "-c", "munge -n | unmunge").Run() == nil })
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
	s := &Cluster{Dir: dir, Conf: filepath.Join(dir, "slurm.conf")}
	if err := os.WriteFile(s.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLURM_CONF", s.Conf)
	for _, args := range [][]string{{"/usr/sbin/slurmctld", "-D", "-i"}, {"/usr/sbin/slurmd", "-D", "-N", "localhost"}} {
		c := exec.Command(args[0], args[1:]...)
		c.Env = append(os.Environ(), "SLURM_CONF="+s.Conf)
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
	WaitFor(t, "an idle Slurm node", func() bool {
		out, _ := exec.Command("sinfo", "-h", "-o", "%t").Output()
		return strings.TrimSpace(string(out)) == "idle"
	})
	return s
}

// TakeNode submits a job that holds both of the node's CPUs (sleeping),
// so that the next job waits in the queue (reason Resources), and
// returns a function that cancels it (also called when the test ends).
func (s *Cluster) TakeNode(t testing.TB) (free func()) {
	t.Helper()
	out, err := exec.Command("sbatch", "--parsable", "--job-name=blocker", "--cpus-per-task=2", "--mem=100M", "--output=/dev/null", "--wrap=sleep 600").Output()
	if err != nil {
		t.Fatalf("sbatch the blocker: %v", err)
	}
	id := strings.TrimSpace(string(out))
	free = func() {
		if err := exec.Command("scancel", id).Run(); err != nil {
			t.Errorf("scancel the blocker %s: %v", id, err)
		}
	}
	t.Cleanup(func() { _ = exec.Command("scancel", id).Run() })
	return free
}
