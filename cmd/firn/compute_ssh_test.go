package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
