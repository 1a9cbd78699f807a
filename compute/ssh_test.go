package compute_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshd is Debian's OpenSSH server started by a test on 127.0.0.1, with
// its own host key and a user key of the test's that may log in as the
// current user.
type sshd struct {
	addr       string // 127.0.0.1:PORT
	port       int
	hostKey    ssh.PublicKey
	knownHosts string // a known_hosts file with the host's key
	userKey    string // a private key file that may log in
	user       string
	mu         sync.Mutex
	log        bytes.Buffer
}

// keygen makes an ed25519 key pair with ssh-keygen, as a user would.
func keygen(t *testing.T, path string) ssh.PublicKey {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", filepath.Base(path), "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	data, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// startSSHD starts sshd -D with a configuration of its own (config lines
// are added to it) and waits until it says it listens; it skips the
// test without openssh-server.
func startSSHD(t *testing.T, config ...string) *sshd {
	t.Helper()
	const bin = "/usr/sbin/sshd"
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no %s (apt-get install openssh-server; scripts/test.sh does)", bin)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &sshd{user: u.Username, userKey: filepath.Join(dir, "user_ed25519")}
	s.hostKey = keygen(t, filepath.Join(dir, "host_ed25519"))
	userPub := keygen(t, s.userKey)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(userPub), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		// Debian's sshd, run as root, wants its privilege separation
		// folder (its service makes it at boot).
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	conf := filepath.Join(dir, "sshd_config")
	lines := append([]string{
		"Port " + strconv.Itoa(s.port),
		"ListenAddress 127.0.0.1",
		"HostKey " + filepath.Join(dir, "host_ed25519"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"StrictModes no",
		"UsePAM no",
		"PermitRootLogin prohibit-password",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"AllowTcpForwarding yes",
		"LogLevel VERBOSE",
	}, config...)
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-D", "-e", "-f", conf)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Ready when it says so; its log (stderr) goes on to s.log.
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			s.mu.Lock()
			s.log.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if strings.Contains(sc.Text(), "Server listening on 127.0.0.1 port "+strconv.Itoa(s.port)) {
				once.Do(func() { close(ready) })
			}
		}
		once.Do(func() { close(ready) }) // it ended without listening
	}()
	<-ready
	if c, err := net.Dial("tcp", s.addr); err != nil {
		t.Fatalf("sshd is not listening on %s: %v\n%s", s.addr, err, s.logText())
	} else {
		c.Close()
	}
	s.knownHosts = filepath.Join(dir, "known_hosts")
	s.writeKnownHosts(t, s.knownHosts, s.hostKey)
	return s
}

func (s *sshd) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// writeKnownHosts writes a known_hosts file that gives key for s's
// address.
func (s *sshd) writeKnownHosts(t *testing.T, path string, key ssh.PublicKey) {
	t.Helper()
	line := knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, key)
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// launcher is an SSH launcher to s with its key file and known hosts.
func (s *sshd) launcher(then compute.Launcher) compute.SSH {
	return compute.SSH{Host: "127.0.0.1", Port: s.port, User: s.user, IdentityFile: s.userKey, KnownHosts: s.knownHosts, Then: then}
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
	s := startSSHD(t)
	dir := t.TempDir()
	fingerprint := ssh.FingerprintSHA256(s.hostKey)
	// Another host's key: in known_hosts for another name, and in place
	// of this host's (a changed key).
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _ := ssh.NewPublicKey(other)
	unknown := filepath.Join(dir, "unknown_hosts")
	if err := os.WriteFile(unknown, []byte(knownhosts.Line([]string{"login.example.org"}, s.hostKey)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "changed_hosts")
	s.writeKnownHosts(t, changed, otherPub)
	wrongKey := filepath.Join(dir, "wrong_ed25519")
	keygen(t, wrongKey)
	// A home with this user's key as ~/.ssh/id_ed25519 and the host in
	// ~/.ssh/known_hosts; an empty one.
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(s.userKey)
	if err := os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	s.writeKnownHosts(t, filepath.Join(home, ".ssh", "known_hosts"), s.hostKey)
	empty := filepath.Join(dir, "empty")
	if err := os.MkdirAll(filepath.Join(empty, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.writeKnownHosts(t, filepath.Join(empty, ".ssh", "known_hosts"), s.hostKey)
	sock, ring := serveAgent(t, s.userKey)

	for _, tc := range []struct {
		name        string
		home, agent string // $HOME and $SSH_AUTH_SOCK
		keyFile     string
		knownHosts  string // "" is ~/.ssh/known_hosts
		wantErr     []string
		agentSigns  bool
	}{
		{name: "key file", home: empty, keyFile: s.userKey, knownHosts: s.knownHosts},
		{name: "ssh-agent", home: empty, agent: sock, agentSigns: true},
		{name: "~/.ssh/id_ed25519", home: home},
		{name: "unknown host key", home: empty, keyFile: s.userKey, knownHosts: unknown,
			wantErr: []string{"host key of " + s.addr + " is not known", "ssh-ed25519 key " + fingerprint, "is not in " + unknown, "Refused"}},
		{name: "changed host key", home: empty, keyFile: s.userKey, knownHosts: changed,
			wantErr: []string{"host key of " + s.addr + " has changed", "it offers the ssh-ed25519 key " + fingerprint,
				changed + ":1 has the ssh-ed25519 key " + ssh.FingerprintSHA256(otherPub), "Refused"}},
		{name: "no known_hosts", home: empty, keyFile: s.userKey, knownHosts: filepath.Join(dir, "missing"),
			wantErr: []string{"known hosts file", filepath.Join(dir, "missing")}},
		{name: "no key", home: empty, wantErr: []string{"no key to log in with"}},
		{name: "wrong key", home: empty, keyFile: wrongKey, knownHosts: s.knownHosts,
			wantErr: []string{"unable to authenticate", "keys tried: " + wrongKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", tc.home)
			t.Setenv("SSH_AUTH_SOCK", tc.agent)
			before := ring.signs.Load()
			l := compute.SSH{Host: "127.0.0.1", Port: s.port, User: s.user, IdentityFile: tc.keyFile, KnownHosts: tc.knownHosts}
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
				t.Fatalf("%v\nsshd: %s", err, s.logText())
			}
			defer c.Close()
			out, err := c.Run(context.Background(), "cat; id -un", []byte("hello from stdin\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out); got != "hello from stdin\n"+s.user+"\n" {
				t.Errorf("the command printed %q", got)
			}
			if used := ring.signs.Load() > before; used != tc.agentSigns {
				t.Errorf("the agent signed: %v, want %v", used, tc.agentSigns)
			}
			// A failing command's error has its standard error.
			if _, err := c.Run(context.Background(), "echo broken >&2; exit 3", nil); err == nil || !strings.Contains(err.Error(), "broken") {
				t.Errorf("a failing command: %v", err)
			}
		})
	}
}

// TestSSHForward: a connection made on the host to the forwarded address
// reaches a listener on this machine, both ways.
func TestSSHForward(t *testing.T) {
	s := startSSHD(t)
	c, err := s.launcher(nil).Dial(context.Background())
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
	s := startSSHD(t)
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), s.launcher(compute.Local{Workers: 2, Concurrency: 1, Name: "sshtest",
		Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}, Stderr: os.Stderr}))
	if err != nil {
		t.Fatalf("%v\nsshd: %s", err, s.logText())
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
	s := startSSHD(t, "SetEnv SLURM_CONF="+sl.Conf)
	t.Setenv("SLURM_CONF", filepath.Join(t.TempDir(), "no-slurm.conf"))
	e := start(t, t.TempDir(), 0)
	for _, kv := range e.broker.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pool, err := compute.Attach(context.Background(), s.launcher(compute.Slurm{Workers: 2, Partition: "debug", Time: "10", Mem: "300M",
		Dir: filepath.Join(sl.Dir, "job"), Command: []string{os.Args[0]}, Env: []string{workerEnv + "=1"}}))
	if err != nil {
		t.Fatalf("%v\nsshd: %s", err, s.logText())
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
	s := startSSHD(t)
	_, err := s.launcher(compute.SSH{Host: "elsewhere"}).Launch(context.Background(), "nats://127.0.0.1:4222", compute.Auth{})
	if err == nil || !strings.Contains(err.Error(), "Then is a compute.SSH") {
		t.Errorf("SSH in SSH: %v", err)
	}
}
