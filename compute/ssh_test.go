package compute_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
	"github.com/firnglacier/firn/internal/testsshd"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshLauncher is an SSH launcher to s with its key file and known hosts.
func sshLauncher(s *testsshd.Server, then compute.Launcher) compute.SSH {
	return compute.SSH{Host: "127.0.0.1", Port: s.Port, User: s.User, IdentityFile: s.UserKey, KnownHosts: s.KnownHosts, Then: then}
}

// countingAgent is an agent whose signatures are counted.
type countingAgent struct {
	agent.Agent
	signs atomic.Int32
}

func (a *countingAgent) Sign(key ssh.PublicKey, data []byte) (*ssh.Signature, error) {
	a.signs.Add(1)
	return a.Agent.Sign(key, data)
}

// serveAgent serves a keyring holding the private key in file on a unix
// socket, as ssh-agent does, and returns the socket's path.
func serveAgent(t *testing.T, file string) (string, *countingAgent) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	ring := &countingAgent{Agent: agent.NewKeyring()}
	if err := ring.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = agent.ServeAgent(ring, c)
			}()
		}
	}()
	return sock, ring
}

// TestSSHLogin: a known host and an authorized key (a file, the agent,
// ~/.ssh/id_ed25519) log in and run a command; an unknown or changed
// host key, a missing known_hosts, no key or a wrong key are refused
// with a message that says which (the host's fingerprint and the file
// for host keys), and nothing runs.
func TestSSHLogin(t *testing.T) {
	s := testsshd.Start(t)
	dir := t.TempDir()
	fingerprint := ssh.FingerprintSHA256(s.HostKey)
	// Another host's key: in known_hosts for another name, and in place
	// of this host's (a changed key).
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _ := ssh.NewPublicKey(other)
	unknown := filepath.Join(dir, "unknown_hosts")
	if err := os.WriteFile(unknown, []byte(knownhosts.Line([]string{"login.example.org"}, s.HostKey)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "changed_hosts")
	s.WriteKnownHosts(t, changed, otherPub)
	wrongKey := filepath.Join(dir, "wrong_ed25519")
	testsshd.Keygen(t, wrongKey)
	// A home with this user's key as ~/.ssh/id_ed25519 and the host in
	// ~/.ssh/known_hosts; an empty one.
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(s.UserKey)
	if err := os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	s.WriteKnownHosts(t, filepath.Join(home, ".ssh", "known_hosts"), s.HostKey)
	empty := filepath.Join(dir, "empty")
	if err := os.MkdirAll(filepath.Join(empty, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.WriteKnownHosts(t, filepath.Join(empty, ".ssh", "known_hosts"), s.HostKey)
	sock, ring := serveAgent(t, s.UserKey)

	for _, tc := range []struct {
		name        string
		home, agent string // $HOME and $SSH_AUTH_SOCK
		keyFile     string
		knownHosts  string // "" is ~/.ssh/known_hosts
		wantErr     []string
		agentSigns  bool
	}{
		{name: "key file", home: empty, keyFile: s.UserKey, knownHosts: s.KnownHosts},
		{name: "ssh-agent", home: empty, agent: sock, agentSigns: true},
		{name: "~/.ssh/id_ed25519", home: home},
		{name: "unknown host key", home: empty, keyFile: s.UserKey, knownHosts: unknown,
			wantErr: []string{"host key of " + s.Addr + " is not known", "ssh-ed25519 key " + fingerprint, "is not in " + unknown, "Refused"}},
		{name: "changed host key", home: empty, keyFile: s.UserKey, knownHosts: changed,
			wantErr: []string{"host key of " + s.Addr + " has changed", "it offers the ssh-ed25519 key " + fingerprint,
				changed + ":1 has the ssh-ed25519 key " + ssh.FingerprintSHA256(otherPub), "Refused"}},
		{name: "no known_hosts", home: empty, keyFile: s.UserKey, knownHosts: filepath.Join(dir, "missing"),
			wantErr: []string{"known hosts file", filepath.Join(dir, "missing")}},
		{name: "no key", home: empty, wantErr: []string{"no key to log in with"}},
		{name: "wrong key", home: empty, keyFile: wrongKey, knownHosts: s.KnownHosts,
			wantErr: []string{"unable to authenticate", "keys tried: " + wrongKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", tc.home)
			t.Setenv("SSH_AUTH_SOCK", tc.agent)
			before := ring.signs.Load()
			l := compute.SSH{Host: "127.0.0.1", Port: s.Port, User: s.User, IdentityFile: tc.keyFile, KnownHosts: tc.knownHosts}
			c, err := l.Dial(context.Background())
			if tc.wantErr != nil {
				if err == nil {
					c.Close()
					t.Fatal("logged in")
				}
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("the error lacks %q: %v", want, err)
					}
				}
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatalf("%v\nsshd: %s", err, s.Log())
			}
			defer c.Close()
			out, err := c.Run(context.Background(), "cat; id -un", []byte("hello from stdin\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out); got != "hello from stdin\n"+s.User+"\n" {
				t.Errorf("the command printed %q", got)
			}
			if used := ring.signs.Load() > before; used != tc.agentSigns {
				t.Errorf("the agent signed: %v, want %v", used, tc.agentSigns)
			}
			// A failing command's error has its standard error.
			if _, err := c.Run(context.Background(), "echo broken >&2; exit 3", nil); err == nil || !strings.Contains(err.Error(), "broken") {
				t.Errorf("a failing command: %v", err)
			}
			// A command whose context ends: Run returns, and the next
			// one runs (the abandoned one ends when the test lets it).
			tmp := t.TempDir()
			started, release, ended := filepath.Join(tmp, "started"), filepath.Join(tmp, "release"), filepath.Join(tmp, "ended")
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := c.Run(ctx, "echo > "+started+"; while [ ! -e "+release+" ]; do sleep 0.1; done; echo > "+ended, nil)
				errc <- err
			}()
			defer func() {
				if err := os.WriteFile(release, nil, 0o600); err != nil {
					t.Error(err)
				}
				testslurm.WaitFor(t, "the abandoned command to end", func() bool { _, err := os.Stat(ended); return err == nil })
			}()
			testslurm.WaitFor(t, "the long command to start", func() bool { _, err := os.Stat(started); return err == nil })
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("a cancelled command: %v", err)
			}
			if out, err := c.Run(context.Background(), "echo again", nil); err != nil || string(out) != "again\n" {
				t.Errorf("after a cancelled command: %q %v", out, err)
			}
		})
	}
}

// TestSSHForward: a connection made on the host to the forwarded address
// reaches a listener on this machine, both ways.
func TestSSHForward(t *testing.T) {
	s := testsshd.Start(t)
	c, err := sshLauncher(s, nil).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		line, _ := bufio.NewReader(conn).ReadString('\n')
		fmt.Fprintf(conn, "local listener got %s", line)
	}()
	remote, err := c.Forward(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if host, port, _ := net.SplitHostPort(remote); host != "127.0.0.1" || port == "0" || remote == ln.Addr().String() {
		t.Fatalf("forwarded address %s (local %s)", remote, ln.Addr())
	}
	// The host's side (sshd on this machine) dials the forwarded port:
	// the ssh client's own test, a connection from a command on the
	// host, goes through bash's /dev/tcp.
	out, err := c.Run(context.Background(), `exec bash -c 'exec 3<>/dev/tcp/${0%:*}/${0##*:}; echo ping >&3; cat <&3' `+remote, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "local listener got ping\n" {
		t.Errorf("through the forward: %q", out)
	}
}

// workerCommandLines are the command lines of this machine's processes
// that hold s.
func workerCommandLines(t *testing.T, s string) []string {
	t.Helper()
	var lines []string
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if line := strings.ReplaceAll(string(data), "\x00", " "); strings.Contains(line, s) {
			lines = append(lines, line)
		}
	}
	return lines
}

// TestSSHProcessesMap: Attach through SSH with worker processes on the
// host: real `firn worker` processes there connect to the broker through
// the forward (their --connect is the host's forwarded port, not the
// broker's), a Map of a parameter grid gives the in-process runs, the
// token is on no command line, and Close ends the remote processes.
func TestSSHProcessesMap(t *testing.T) {
	s := testsshd.Start(t)
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), sshLauncher(s, compute.Local{Workers: 2, Concurrency: 1, Name: "sshtest",
		Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}, Stderr: os.Stderr}))
	if err != nil {
		t.Fatalf("%v\nsshd: %s", err, s.Log())
	}
	defer pool.Close()
	var v views
	pool.ShowProgress(v.show)
	tasks, err := compute.Vary(base(), "mass_balance.ela_m", compute.Steps(2400, 2790, 10)...)
	if err != nil {
		t.Fatal(err)
	}
	ens, err := pool.Map(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	byWorker := map[string]int{}
	for i, r := range ens.Results {
		if r.Failed() || !sameHistory(r.History, inProcess(t, tasks[i])) {
			t.Errorf("%s: %q, or its history differs from the in-process run", r.Name, r.Err)
		}
		byWorker[r.Worker]++
	}
	for name := range byWorker {
		if name != "sshtest-0" && name != "sshtest-1" {
			t.Errorf("a result from worker %q", name)
		}
	}
	states := v.get(0)
	checkProgress(t, states, len(tasks))
	if states[0].Workers != "2 local workers on 127.0.0.1" {
		t.Errorf("workers %q", states[0].Workers)
	}
	// The host's processes (a login shell's start-up can be slow: the
	// Map may have ended before the second worker started).
	_, brokerPort, _ := net.SplitHostPort(strings.TrimPrefix(e.broker.URL(), "nats://"))
	var workers []string
	testslurm.WaitFor(t, "two worker processes on the host", func() bool {
		workers = workers[:0]
		for _, line := range workerCommandLines(t, "--name sshtest-") {
			if strings.Contains(line, e.broker.Token()) {
				t.Fatalf("the token is on a command line: %s", line)
			}
			if strings.HasPrefix(line, os.Args[0]+" ") {
				workers = append(workers, line)
			}
		}
		return len(workers) == 2
	})
	for _, line := range workers {
		i := strings.Index(line, "--connect nats://127.0.0.1:")
		if i < 0 || strings.HasPrefix(line[i+len("--connect nats://127.0.0.1:"):], brokerPort+" ") {
			t.Errorf("a worker does not connect through the forward (broker port %s): %s", brokerPort, line)
		}
	}
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	if left := workerCommandLines(t, "--name sshtest-"); len(left) > 0 {
		t.Errorf("processes left after Close: %q", left)
	}
}

// TestSSHSlurm: Attach through SSH to a Slurm on the host (the test's
// single-node Slurm, whose configuration sshd gives the session while
// this process's $SLURM_CONF points nowhere, so sbatch, squeue and
// scancel can only work there): the job array's workers connect back
// through the forward and run the Map; Close cancels the array on the
// host.
func TestSSHSlurm(t *testing.T) {
	sl := testslurm.Start(t)
	s := testsshd.Start(t, "SetEnv SLURM_CONF="+sl.Conf)
	t.Setenv("SLURM_CONF", filepath.Join(t.TempDir(), "no-slurm.conf"))
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), sshLauncher(s, compute.Slurm{Workers: 2, Partition: "debug", Time: "10", Mem: "300M",
		Dir: filepath.Join(sl.Dir, "job"), Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}}))
	if err != nil {
		t.Fatalf("%v\nsshd: %s", err, s.Log())
	}
	defer pool.Close()
	job, ok := pool.Workers().(*compute.SlurmJob)
	if !ok {
		t.Fatalf("the workers are a %T", pool.Workers())
	}
	var v views
	pool.ShowProgress(v.show)
	var tasks []compute.Task
	for i := range 10 {
		tasks = append(tasks, compute.Task{Name: fmt.Sprintf("s%d.json", i), Data: experimentDoc(40, 2450+float64(i)*30, 80)})
	}
	ens, err := pool.Map(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range ens.Results {
		if r.Failed() || !sameHistory(r.History, inProcess(t, tasks[i])) {
			t.Errorf("%s: %q, or its history differs from the in-process run", r.Name, r.Err)
		}
		if !strings.HasPrefix(r.Worker, "slurm-"+job.ID+"_") {
			t.Errorf("a result from worker %q, not one of job %s", r.Worker, job.ID)
		}
	}
	if w := v.get(0)[0].Workers; w != "Slurm job "+job.ID {
		t.Errorf("workers %q", w)
	}
	script, err := os.ReadFile(filepath.Join(sl.Dir, "job", "worker.sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(script), e.broker.URL()) || !strings.Contains(string(script), "--connect nats://127.0.0.1:") {
		t.Errorf("the job script does not connect through the forward (broker %s):\n%s", e.broker.URL(), script)
	}
	// squeue through SSH, as the Map's progress did.
	if st, err := job.Status(context.Background()); err != nil || len(st) == 0 {
		t.Errorf("squeue through SSH: %v %v", st, err)
	}
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	testslurm.WaitFor(t, "the canceled array in the completion log", func() bool {
		data, _ := os.ReadFile(filepath.Join(sl.Dir, "log", "jobcomp.txt"))
		return strings.Count(string(data), "JobState=CANCELLED") >= 2
	})
	// After Close the connection is gone: the job's Status cannot ask.
	if _, err := job.Status(context.Background()); err == nil {
		t.Error("squeue after Close worked")
	}
}

// TestSSHThenRefused: a launcher other than Slurm or Local is refused by
// name, before anything runs on the host.
func TestSSHThenRefused(t *testing.T) {
	s := testsshd.Start(t)
	_, err := sshLauncher(s, compute.SSH{Host: "elsewhere"}).Launch(context.Background(), "nats://127.0.0.1:4222", compute.Auth{})
	if err == nil || !strings.Contains(err.Error(), "Then is a compute.SSH") {
		t.Errorf("SSH in SSH: %v", err)
	}
}

// TestSSHConnectionLost: when the SSH connection is lost (here cut by a
// proxy in front of sshd; a laptop that sleeps, a kernel killed), the
// workers it started on the host end, although they would go on trying
// to reach the broker for ten minutes.
func TestSSHConnectionLost(t *testing.T) {
	s := testsshd.Start(t)
	proxy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := proxy.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", s.Addr)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, d)
			mu.Unlock()
			go func() { _, _ = io.Copy(c, d); c.Close() }()
			go func() { _, _ = io.Copy(d, c); d.Close() }()
		}
	}()
	port := proxy.Addr().(*net.TCPAddr).Port
	known := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(proxy.Addr().String())}, s.HostKey)
	if err := os.WriteFile(known, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := start(t, t.TempDir(), 0)
	l := compute.SSH{Host: "127.0.0.1", Port: port, User: s.User, IdentityFile: s.UserKey, KnownHosts: known,
		Then: compute.Local{Workers: 1, Concurrency: 1, Name: "sshlost", Command: []string{os.Args[0]},
			Env: []string{workerEnv + "=1", connectTimeoutEnv + "=10m"}, Stderr: os.Stderr}}
	w, err := l.Launch(context.Background(), e.broker.URL(), compute.Auth{Token: e.broker.Token()})
	if err != nil {
		t.Fatal(err)
	}
	worker := func() bool {
		for _, line := range workerCommandLines(t, "--name sshlost-0") {
			if strings.HasPrefix(line, os.Args[0]+" ") {
				return true
			}
		}
		return false
	}
	testslurm.WaitFor(t, "the worker on the host", worker)
	mu.Lock()
	for _, c := range conns {
		c.Close()
	}
	mu.Unlock()
	testslurm.WaitFor(t, "the worker to end with the connection", func() bool { return !worker() })
	_ = w.Stop() // the connection is gone: its error is expected
}

// BenchmarkSSHRun: one command on the host through the connection, as
// each sbatch, squeue and scancel of a Slurm launcher over SSH (the sh
// on the host already started).
func BenchmarkSSHRun(b *testing.B) {
	s := testsshd.Start(b)
	c, err := sshLauncher(s, nil).Dial(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Run(context.Background(), "true", nil); err != nil { // the shell starts
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Run(context.Background(), "true", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// credsRecorder is a worker command that records, in out.path, out.mode
// and out.data, the --creds file it was given (its path, its mode and
// its content), then sleeps until it is stopped.
func credsRecorder(out string) []string {
	return []string{"sh", "-c", `while [ $# -gt 0 ]; do if [ "$1" = --creds ]; then p=$2; fi; shift; done
stat -c %a "$p" > "$0.mode"; cat "$p" > "$0.data"; printf '%s\n' "$p" > "$0.path.tmp"; mv "$0.path.tmp" "$0.path"; exec sleep 600`, out}
}

// TestSSHCredsFileCopied: a broker credentials file ([compute.Auth].CredsFile)
// is a file on this machine: through SSH the workers (processes on the
// host, or a Slurm job array there) get a copy on the host, at another
// path, mode 0600, with the same content, removed when they stop.
// Before, they were given this machine's path.
func TestSSHCredsFileCopied(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "user.creds")
	content := "-----BEGIN NATS USER JWT-----\nnot a real one\n------END NATS USER JWT------\n"
	if err := os.WriteFile(creds, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		then func(out string, sl *testslurm.Cluster) compute.Launcher
		dir  func(sl *testslurm.Cluster) string // where the copy must be; "" anywhere
	}{
		{name: "processes", then: func(out string, _ *testslurm.Cluster) compute.Launcher {
			return compute.Local{Workers: 1, Concurrency: 1, Command: credsRecorder(out)}
		}},
		{name: "slurm", then: func(out string, sl *testslurm.Cluster) compute.Launcher {
			return compute.Slurm{Workers: 1, Partition: "debug", Time: "10", Mem: "100M", Dir: filepath.Join(sl.Dir, "creds"),
				Command: credsRecorder(out)}
		}, dir: func(sl *testslurm.Cluster) string { return filepath.Join(sl.Dir, "creds") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sl *testslurm.Cluster
			var config []string
			if tc.dir != nil {
				sl = testslurm.Start(t)
				config = append(config, "SetEnv SLURM_CONF="+sl.Conf)
			}
			s := testsshd.Start(t, config...)
			out := filepath.Join(t.TempDir(), "worker")
			w, err := sshLauncher(s, tc.then(out, sl)).Launch(context.Background(), "nats://127.0.0.1:4222",
				compute.Auth{Token: "t", CredsFile: creds})
			if err != nil {
				t.Fatalf("%v\nsshd: %s", err, s.Log())
			}
			defer w.Stop()
			testslurm.WaitFor(t, "the worker to record its --creds", func() bool { _, err := os.Stat(out + ".path"); return err == nil })
			path, _ := os.ReadFile(out + ".path")
			copied := strings.TrimSpace(string(path))
			if copied == creds || copied == "" {
				t.Errorf("the worker was given --creds %q, this machine's file %s", copied, creds)
			}
			if tc.dir != nil && filepath.Dir(copied) != tc.dir(sl) {
				t.Errorf("the copy %s is not in the job's folder %s", copied, tc.dir(sl))
			}
			if mode, _ := os.ReadFile(out + ".mode"); strings.TrimSpace(string(mode)) != "600" {
				t.Errorf("the copy's mode is %q, want 600", mode)
			}
			if data, _ := os.ReadFile(out + ".data"); string(data) != content {
				t.Errorf("the copy holds %q", data)
			}
			if err := w.Stop(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(copied); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the copy %s is still there after Stop: %v", copied, err)
			}
			if _, err := os.Stat(creds); err != nil {
				t.Errorf("this machine's file: %v", err)
			}
		})
	}
}

// TestSlurmSSHKubernetesRefuseURLCredentials: a broker URL with a user name
// or password in it would go on the workers' command lines on other
// machines, in job scripts and in a Job's arguments: the SSH, Slurm and
// Kubernetes launchers refuse it before anything runs or is written,
// saying what to use instead, and do not repeat the password.
func TestSlurmSSHKubernetesRefuseURLCredentials(t *testing.T) {
	t.Chdir(t.TempDir()) // a Slurm launch would make .firn-slurm here
	for _, url := range []string{"tls://firn:hunter2@nats.example.org:4222", "tls://hunter2@nats.example.org:4222",
		"tls://nats.example.org:4222,tls://firn:hunter2@nats2.example.org:4222"} {
		auth := compute.Auth{Token: "t"}
		for _, tc := range []struct {
			name string
			call func() error
		}{
			{"ssh", func() error {
				_, err := compute.SSH{Host: "127.0.0.1", Port: 1, Then: compute.Local{}}.Launch(context.Background(), url, auth)
				return err
			}},
			{"ssh", func() error {
				_, err := compute.SSH{Host: "127.0.0.1", Port: 1, Then: compute.Slurm{}}.Launch(context.Background(), url, auth)
				return err
			}},
			{"slurm", func() error { _, err := compute.Slurm{}.Launch(context.Background(), url, auth); return err }},
			{"slurm", func() error { _, err := compute.Slurm{}.Script(url, auth, "/tmp"); return err }},
			{"kubernetes", func() error {
				_, err := compute.Kubernetes{Image: "firn:1", Kubeconfig: "/nonexistent"}.Launch(context.Background(), url, auth)
				return err
			}},
			{"kubernetes", func() error { _, err := compute.Kubernetes{Image: "firn:1"}.Manifest(url, auth); return err }},
		} {
			err := tc.call()
			if err == nil || !strings.HasPrefix(err.Error(), tc.name+" launcher: the broker URL ") ||
				!strings.Contains(err.Error(), "has a user name or password in it") || !strings.Contains(err.Error(), "$"+compute.BrokerCredsEnv) {
				t.Errorf("%s with %s: %v", tc.name, url, err)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: the error shows the password: %v", tc.name, err)
			}
		}
		if _, err := os.Stat(".firn-slurm"); err == nil {
			t.Errorf("%s: the Slurm launcher made its folder", url)
		}
	}
}
