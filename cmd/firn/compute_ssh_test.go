package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/testslurm"
	"github.com/firnglacier/firn/internal/testsshd"
	"golang.org/x/crypto/ssh"
)

// TestModelRunOnSSH: `firn model run --on ssh://USER@HOST:PORT` logs in
// to a test sshd with a key file and a known_hosts file, starts two
// `firn worker` processes there (--remote-firn), which reach the embedded
// broker through the SSH connection; each run's CSV is what firn model
// run writes alone. A host whose key is not in the known_hosts file is
// refused with its fingerprint, and nothing runs.
func TestModelRunOnSSH(t *testing.T) {
	s := testsshd.Start(t)
	dir := t.TempDir()
	exps, store := filepath.Join(dir, "exps"), filepath.Join(dir, "store")
	for i, ela := range []float64{2500, 2600, 2700} {
		writeExperiment(t, filepath.Join(exps, fmt.Sprintf("ela%d.json", int(ela))), 50+10*i, ela, 120)
	}
	on := "ssh://" + s.User + "@127.0.0.1:" + strconv.Itoa(s.Port)
	out := filepath.Join(dir, "out")
	r := firn(t, "", "model", "run", exps, "--on", on, "--ssh-key", s.UserKey, "--known-hosts", s.KnownHosts,
		"--remote-firn", firnBin, "--workers", "2", "--concurrency", "1", "--out-dir", out, "--store", store)
	if r.code != 0 {
		t.Fatalf("exit %d: %s\nsshd: %s", r.code, r.stderr, s.Log())
	}
	if !strings.Contains(r.stderr, "3 runs: 3 done, 0 failed") {
		t.Errorf("stderr: %q", r.stderr)
	}
	for _, name := range []string{"ela2500", "ela2600", "ela2700"} {
		got, err := os.ReadFile(filepath.Join(out, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if one := firn(t, "", "model", "run", filepath.Join(exps, name+".json"), "--quiet"); string(got) != one.stdout {
			t.Errorf("%s.csv differs from firn model run alone", name)
		}
	}

	empty := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(dir, "out2")
	r = firn(t, "", "model", "run", exps, "--on", on, "--ssh-key", s.UserKey, "--known-hosts", empty,
		"--remote-firn", firnBin, "--out-dir", out2, "--store", store)
	if r.code == 0 || !strings.Contains(r.stderr, "is not known") || !strings.Contains(r.stderr, ssh.FingerprintSHA256(s.HostKey)) {
		t.Errorf("an unknown host: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("the refused run made %s: %v", out2, err)
	}
	for _, bad := range []string{"ssh://", "ssh://h/pbs", "ssh://u:pw@h", "ssh://h:0"} {
		if r := firn(t, "", "model", "run", exps, "--on", bad, "--out-dir", out2); r.code != 2 || !strings.Contains(r.stderr, "--on") {
			t.Errorf("--on %s: exit %d: %s", bad, r.code, r.stderr)
		}
	}
}

// remoteWorkers are the command lines of this machine's `firn worker`
// processes named after host (the SSH launcher's default prefix).
func remoteWorkers(host string) []string {
	var out []string
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil {
			continue
		}
		line := strings.ReplaceAll(string(data), "\x00", " ")
		if strings.HasPrefix(line, firnBin+" worker ") && strings.Contains(line, "--name "+host+"-") {
			out = append(out, line)
		}
	}
	return out
}

// TestModelRunOnSSHKilled: when `firn model run --on ssh://…` is killed
// (kill -9: it cannot stop anything), its SSH connection ends and so do
// the workers it started on the host.
func TestModelRunOnSSHKilled(t *testing.T) {
	s := testsshd.Start(t)
	dir := t.TempDir()
	exps := filepath.Join(dir, "exps")
	writeExperiment(t, filepath.Join(exps, "a_short.json"), 30, 2600, 10)
	for i := range 4 {
		writeExperiment(t, filepath.Join(exps, fmt.Sprintf("long%d.json", i)), 200, 2600, 100000)
	}
	cmd := exec.Command(firnBin, "model", "run", exps, "--on", "ssh://"+s.User+"@127.0.0.1:"+strconv.Itoa(s.Port),
		"--ssh-key", s.UserKey, "--known-hosts", s.KnownHosts, "--remote-firn", firnBin, "--workers", "2", "--concurrency", "1",
		"--out-dir", filepath.Join(dir, "out"), "--store", filepath.Join(dir, "store"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	// Once the short run is done, the workers on the host run the long
	// ones.
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "runs: 1 of 5 done") {
	}
	testslurm.WaitFor(t, "two workers on the host", func() bool { return len(remoteWorkers("127.0.0.1")) == 2 })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	testslurm.WaitFor(t, "the host's workers to end", func() bool { return len(remoteWorkers("127.0.0.1")) == 0 })
}
