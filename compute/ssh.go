package compute

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSH starts workers from another machine (a cluster's login node, a
// workstation) that it reaches over SSH: a notebook on a laptop runs
// Slurm's commands there, or worker processes, and the workers' broker
// connections come back through the SSH connection.
//
//	compute.SSH{Host: "login.hpc.example.org", User: "me",
//	    Then: compute.Slurm{Partition: "short", Workers: 4}}
//	compute.SSH{Host: "workstation", Then: compute.Local{Workers: 2}}
//
// Then says what to start on the host: a [Slurm] job array (sbatch,
// squeue and scancel run on the host, and the job script is written
// there), or [Local] worker processes on the host itself (nil: one
// process sharing the host's cores). Either runs [SSH].Command on the
// host unless it has a Command of its own.
//
// The broker's connection: a broker URL on loopback (the embedded one)
// is forwarded from the host's loopback (an SSH remote port forward, as
// `ssh -R`), and the workers are given that forwarded address. A port
// on the host's loopback reaches processes on the host only: worker
// processes, or Slurm jobs that run on the host itself; but any user of
// a shared host (a login node) can connect to it, so only the broker's
// token keeps them out. Workers on a cluster's
// compute nodes need a broker they can reach, an external NATS server
// over TLS ($FIRN_COMPUTE_URL), whose URL they are given as it is.
//
// Authentication: IdentityFile's key when set, else the user's ssh-agent
// ($SSH_AUTH_SOCK) and the keys ~/.ssh/id_ed25519, id_ecdsa and id_rsa
// that have no passphrase. The host's key must be in KnownHosts: a host
// that is not there, or whose key differs, is refused with its key's
// fingerprint and the file named, never accepted. ~/.ssh/config is not
// read: give Host, Port and User here.
//
// The broker's token travels to the host on the SSH session's standard
// input and reaches the workers in their environment, never on a
// command line that other users of the host could see (a broker URL
// with a user name or password in it is refused, since it would be on
// the workers' command lines). A credentials
// file ([Auth].CredsFile, on this machine) is copied to the host, to a
// new file only the user reads (for Slurm, in the job's folder, which
// the compute nodes see), whose path the workers get; stopping them
// removes it. Slurm's commands
// (and [SSHClient.Run]'s) go in turn to one sh on the host, started once,
// so that the login shell's start-up (seconds, on some hosts) is not
// paid for each squeue.
type SSH struct {
	// Host is the host name or address; Port its SSH port (0 is 22).
	Host string
	Port int
	// User to log in as; "" is this user's name.
	User string
	// IdentityFile is a private key without a passphrase; "" uses the
	// ssh-agent and ~/.ssh's id_* keys.
	IdentityFile string
	// KnownHosts is the known_hosts file that holds the host's key; ""
	// is ~/.ssh/known_hosts.
	KnownHosts string
	// Command is the firn program on the host, for a Then without a
	// Command: a path, or a name found on the PATH that the host's sshd
	// gives commands; "" is "firn". Workers run `Command worker`.
	Command string
	// Then starts the workers on the host: a Slurm or a Local launcher;
	// nil is Local{}.
	Then Launcher
	// KeepAlive is how often the connection sends the host a
	// keepalive@openssh.com request (as ssh's ServerAliveInterval): when
	// the host has answered none for three intervals (a network path
	// gone silent, without a reset), the connection is taken for lost
	// and closed, so that nothing waits on it for ever. 0 is 15 s; a
	// negative value sends none.
	KeepAlive time.Duration
	// StopTimeout bounds how long stopping the workers waits for them to
	// end (for Slurm, for scancel) before it closes the connection and
	// reports the workers it could not confirm stopped, and then how long
	// it waits for the removal of the copy of the credentials file; 0 is
	// 30 s.
	StopTimeout time.Duration
}

// DefaultSSHKeepAlive and DefaultStopTimeout are [SSH].KeepAlive's and
// [SSH].StopTimeout's defaults.
const (
	DefaultSSHKeepAlive = 15 * time.Second
	DefaultStopTimeout  = 30 * time.Second
)

// keepAliveMisses is how many keepalive intervals without an answer
// mean a lost connection (ssh's ServerAliveCountMax).
const keepAliveMisses = 3

// stopTimeout is StopTimeout or its default.
func (s SSH) stopTimeout() time.Duration {
	if s.StopTimeout > 0 {
		return s.StopTimeout
	}
	return DefaultStopTimeout
}

// String names the workers in progress displays: "2 local workers on
// login.example.org".
func (s SSH) String() string {
	then := "workers"
	if t, ok := s.Then.(fmt.Stringer); ok {
		then = t.String()
	}
	return then + " on " + s.Host
}

// address is host:port.
func (s SSH) address() string {
	port := s.Port
	if port == 0 {
		port = 22
	}
	return net.JoinHostPort(s.Host, strconv.Itoa(port))
}

// Launch connects to the host, forwards the broker there when it is on
// loopback, and starts Then's workers on the host. Stopping them (for
// Slurm, scancel on the host) closes the connection.
func (s SSH) Launch(ctx context.Context, brokerURL string, auth Auth) (Workers, error) {
	if err := checkNoURLCredentials("ssh", brokerURL); err != nil {
		return nil, err
	}
	c, err := s.Dial(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.launch(ctx, c, brokerURL, auth)
	if err != nil {
		c.Close()
		return nil, err
	}
	return w, nil
}

func (s SSH) launch(ctx context.Context, c *SSHClient, brokerURL string, auth Auth) (Workers, error) {
	remoteURL := brokerURL // a list of servers, or one not on loopback: as it is
	if u, err := url.Parse(brokerURL); err == nil && !strings.Contains(brokerURL, ",") && isLoopback(u.Hostname()) {
		remote, err := c.Forward(u.Host)
		if err != nil {
			return nil, err
		}
		u.Host = remote
		remoteURL = u.String()
	}
	firn := s.Command
	if firn == "" {
		firn = "firn"
	}
	switch t := s.Then.(type) {
	case *Slurm:
		return s.slurm(ctx, c, *t, firn, remoteURL, auth)
	case Slurm:
		return s.slurm(ctx, c, t, firn, remoteURL, auth)
	case *Local:
		return s.processes(ctx, c, *t, firn, remoteURL, auth)
	case Local:
		return s.processes(ctx, c, t, firn, remoteURL, auth)
	case nil:
		return s.processes(ctx, c, Local{}, firn, remoteURL, auth)
	default:
		return nil, fmt.Errorf("ssh launcher: Then is a %T: on %s it starts a compute.Slurm or a compute.Local", s.Then, s.Host)
	}
}

// slurm submits t's job array on the host.
func (s SSH) slurm(ctx context.Context, c *SSHClient, t Slurm, firn, url string, auth Auth) (Workers, error) {
	if t.Command == nil {
		t.Command = []string{firn, "worker"}
	}
	// The credentials file is on this machine: the workers get a copy
	// in the job's folder, which the compute nodes see.
	var creds string
	if auth.CredsFile != "" {
		dir, err := sshRunner{c}.jobDir(t.Dir)
		if err != nil {
			return nil, fmt.Errorf("slurm launcher on %s: %w", s.Host, err)
		}
		t.Dir = dir
		if creds, err = c.copyCreds(ctx, auth.CredsFile, dir); err != nil {
			return nil, err
		}
		auth.CredsFile = creds
	}
	job, err := t.launch(ctx, sshRunner{c}, url, auth)
	if err != nil {
		if creds != "" {
			err = errors.Join(err, c.removeCreds(creds, s.stopTimeout()))
		}
		return nil, fmt.Errorf("on %s: %w", s.Host, err)
	}
	job.stopped = func() error {
		var err error
		if creds != "" {
			err = c.removeCreds(creds, s.stopTimeout())
		}
		return errors.Join(err, c.Close())
	}
	job.stopTimeout = s.stopTimeout()
	job.host = s.Host
	return job, nil
}

// processWrapper runs "$@" on the host with the environment entries
// that come first on its standard input (a line each, ended by an empty
// line), in the background, until the rest of its standard input ends:
// when the launcher stops the workers, or the SSH connection is lost.
// Then it stops the worker with SIGTERM (its unfinished chunks go back
// to the broker) and ends with the worker's status.
const processWrapper = envPrelude + `"$@" </dev/null & pid=$!; cat >/dev/null; kill -TERM "$pid" 2>/dev/null; wait "$pid"`

// processes starts l's worker processes on the host, each in an SSH
// session of its own.
func (s SSH) processes(ctx context.Context, c *SSHClient, l Local, firn, url string, auth Auth) (Workers, error) {
	n := max(1, l.Workers)
	conc := l.Concurrency
	if conc <= 0 {
		out, err := c.Run(ctx, "getconf _NPROCESSORS_ONLN", nil)
		cores, perr := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil || perr != nil || cores < 1 {
			return nil, fmt.Errorf("ssh launcher: the number of cores of %s (getconf _NPROCESSORS_ONLN): %v %q", s.Host, err, out)
		}
		conc = max(1, (cores+n-1)/n)
	}
	cmd := l.Command
	if cmd == nil {
		cmd = []string{firn, "worker"}
	}
	prefix := l.Name
	if prefix == "" {
		prefix = s.Host
	}
	env, err := envLines(append(append([]string(nil), l.Env...), TokenEnv+"="+auth.Token))
	if err != nil {
		return nil, fmt.Errorf("ssh launcher: %w", err)
	}
	w := &sshWorkers{count: n * conc, client: c, host: s.Host, timeout: s.stopTimeout()}
	if auth.CredsFile != "" {
		// The credentials file is on this machine: the workers get a
		// copy on the host, removed when they stop.
		if w.creds, err = c.copyCreds(ctx, auth.CredsFile, ""); err != nil {
			return nil, err
		}
	}
	for i := range n {
		args := append(append([]string(nil), cmd...), "--connect", url, "--concurrency", strconv.Itoa(conc),
			"--name", prefix+"-"+strconv.Itoa(i))
		if w.creds != "" {
			args = append(args, "--creds", w.creds)
		}
		line := "sh -c " + shellQuote(processWrapper) + " sh"
		for _, a := range args {
			line += " " + shellQuote(a)
		}
		sess, err := c.c.NewSession()
		if err != nil {
			w.stop()
			return nil, fmt.Errorf("ssh launcher: worker %d on %s: %w", i, s.Host, err)
		}
		stdin, err := sess.StdinPipe()
		if err != nil {
			sess.Close()
			w.stop()
			return nil, fmt.Errorf("ssh launcher: worker %d on %s: %w", i, s.Host, err)
		}
		if l.Stderr != nil {
			sess.Stdout, sess.Stderr = l.Stderr, l.Stderr
		}
		if err := sess.Start(line); err != nil {
			sess.Close()
			w.stop()
			return nil, fmt.Errorf("ssh launcher: starting worker %d (%s) on %s: %w", i, cmd[0], s.Host, err)
		}
		w.sessions = append(w.sessions, sess)
		w.stdins = append(w.stdins, stdin)
		if _, err := stdin.Write(env); err != nil {
			w.stop()
			return nil, fmt.Errorf("ssh launcher: worker %d on %s: %w", i, s.Host, err)
		}
	}
	return w, nil
}

// sshWorkers are worker processes on a host, one SSH session each.
type sshWorkers struct {
	count    int
	host     string
	client   *SSHClient
	timeout  time.Duration // bounds Stop's wait (SSH.StopTimeout)
	creds    string        // the copy of the credentials file on the host, removed by Stop
	sessions []*ssh.Session
	stdins   []io.WriteCloser
	once     sync.Once
	err      error
}

func (w *sshWorkers) Count() int { return w.count }

// Stop ends the workers' standard input, on which each one's wrapper
// sends it SIGTERM, waits for them and closes the connection. It waits
// at most the launcher's StopTimeout (and less if the keepalives find
// the connection lost): workers whose end it could not see are named in
// its error.
func (w *sshWorkers) Stop() error {
	w.once.Do(w.stop)
	return w.err
}

func (w *sshWorkers) stop() {
	type ended struct {
		i   int
		err error
	}
	done := make(chan ended, len(w.sessions))
	for i, s := range w.sessions {
		go func() {
			_ = w.stdins[i].Close()
			done <- ended{i, s.Wait()}
		}()
	}
	timeout := w.timeout
	if timeout <= 0 {
		timeout = DefaultStopTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var errs []error
	seen := make([]bool, len(w.sessions))
	for left := len(w.sessions); left > 0; left-- {
		var e ended
		select {
		case e = <-done:
		case <-timer.C:
			var unconfirmed []string
			for i, ok := range seen {
				if !ok {
					unconfirmed = append(unconfirmed, strconv.Itoa(i))
				}
			}
			which := "worker "
			if len(unconfirmed) > 1 {
				which = "workers "
			}
			errs = append(errs, fmt.Errorf("ssh launcher: %s%s on %s: not confirmed stopped: no exit status within %v; the connection is closed, and the host's sshd then stops them when it notices",
				which, strings.Join(unconfirmed, ", "), w.host, timeout))
			left = 0
			continue
		}
		seen[e.i] = true
		var ee *ssh.ExitError
		switch {
		case e.err == nil || errors.As(e.err, &ee) && ee.ExitStatus() == 128+15: // 143: our SIGTERM, before the worker could take it
		case w.client.lost() != nil:
			errs = append(errs, fmt.Errorf("ssh launcher: worker %d on %s: not confirmed stopped: %w", e.i, w.host, w.client.lost()))
		default:
			errs = append(errs, fmt.Errorf("ssh launcher: worker %d on %s: %w", e.i, w.host, e.err))
		}
	}
	if w.creds != "" {
		if err := w.client.removeCreds(w.creds, timeout); err != nil {
			errs = append(errs, err)
		}
	}
	if err := w.client.Close(); err != nil {
		errs = append(errs, err)
	}
	w.err = errors.Join(errs...)
}

// copyCreds copies the broker's credentials file local (on this machine)
// to a new file only its owner reads (mode 0600) in dir on the host (""
// is $TMPDIR, or /tmp), and returns its path there. Its content goes on
// the connection's standard input, on no command line.
func (c *SSHClient) copyCreds(ctx context.Context, local, dir string) (string, error) {
	data, err := os.ReadFile(local)
	if err != nil {
		return "", fmt.Errorf("ssh %s: the broker's credentials file: %w", c.dest, err)
	}
	script := `umask 077 && f=$(mktemp "${1:-${TMPDIR:-/tmp}}/firn-creds-XXXXXX") && cat >"$f" && chmod 600 "$f" && printf '%s\n' "$f"`
	out, err := c.Run(ctx, "sh -c "+shellQuote(script)+" sh "+shellQuote(dir), data)
	if err != nil {
		return "", fmt.Errorf("ssh %s: copying the broker's credentials file %s to the host: %w", c.dest, local, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// removeCreds removes the copy of the credentials file that copyCreds
// made, waiting for the host at most timeout.
func (c *SSHClient) removeCreds(path string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := c.Run(ctx, "rm -f "+shellQuote(path), nil); err != nil {
		return fmt.Errorf("ssh launcher: the copy of the broker's credentials file on %s, %s, could not be removed: %w", c.dest, path, err)
	}
	return nil
}

// checkNoURLCredentials refuses a broker URL (or list of URLs) with a
// user name or password in it, for a launcher that puts the URL where
// others can read it: the workers' command lines on other machines, job
// scripts, a Job's arguments.
func checkNoURLCredentials(launcher, raw string) error {
	for _, one := range strings.Split(raw, ",") {
		if u, err := url.Parse(strings.TrimSpace(one)); err == nil && u.User != nil {
			return fmt.Errorf("%s launcher: the broker URL %s has a user name or password in it, which would go on the workers' command lines where other users can read it: "+
				"give the broker's credentials as a token ($%s) or a credentials file ($%s, --creds) instead", launcher, redact(strings.TrimSpace(one)), BrokerTokenEnv, BrokerCredsEnv)
		}
	}
	return nil
}

// envLines is env as the lines that processWrapper and sshRunner read
// from standard input, ended by an empty line.
func envLines(env []string) ([]byte, error) {
	var b bytes.Buffer
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !validEnvName(k) || strings.ContainsAny(v, "\n\r\x00") {
			return nil, fmt.Errorf("environment entry %q: want NAME=value on one line", kv)
		}
		b.WriteString(kv + "\n")
	}
	b.WriteString("\n")
	return b.Bytes(), nil
}

func validEnvName(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	return strings.IndexFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) < 0
}

// sshRunner runs the Slurm launcher's commands on a host through an SSH
// connection, in the environment the host's sshd gives commands.
type sshRunner struct{ c *SSHClient }

// envPrelude exports the environment entries read from standard input
// (envLines).
const envPrelude = `while IFS= read -r kv && [ -n "$kv" ]; do export "$kv"; done; `

func (r sshRunner) run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	in, err := envLines(env)
	if err != nil {
		return nil, err
	}
	script := envPrelude + `if [ -n "$1" ]; then cd "$1" || exit 1; fi; shift; exec "$@"`
	line := "sh -c " + shellQuote(script) + " sh " + shellQuote(dir) + " " + shellQuote(name)
	for _, a := range args {
		line += " " + shellQuote(a)
	}
	return r.c.Run(ctx, line, in)
}

func (r sshRunner) writeFile(path string, data []byte) error {
	_, err := r.c.Run(context.Background(), "sh -c "+shellQuote(`umask 077 && cat >"$1" && chmod 700 "$1"`)+" sh "+shellQuote(path), data)
	return err
}

func (r sshRunner) jobDir(dir string) (string, error) {
	script := `mkdir -p -m 700 .firn-slurm && mktemp -d "$PWD/.firn-slurm/job-XXXXXX"`
	if dir != "" {
		script = `mkdir -p -m 700 "$1" && cd "$1" && pwd`
	}
	out, err := r.c.Run(context.Background(), "sh -c "+shellQuote(script)+" sh "+shellQuote(dir), nil)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// An SSHClient is a connection to a host made by [SSH.Dial]: it runs
// commands there and forwards ports from there.
type SSHClient struct {
	c    *ssh.Client
	dest string // user@host:port, for messages
	// done is closed by Close: the keepalives stop.
	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	lns       []net.Listener
	lostErr   error // why the keepalives closed the connection
	// shell runs the commands of Run, one at a time.
	shellMu sync.Mutex
	shell   *remoteShell
}

// Dial connects to the host and logs in (see [SSH] for the keys and the
// host key check). ctx bounds the connecting.
func (s SSH) Dial(ctx context.Context) (*SSHClient, error) {
	if s.Host == "" {
		return nil, errors.New("ssh: no Host")
	}
	name := s.User
	if name == "" {
		u, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("ssh %s: your user name (give User): %w", s.Host, err)
		}
		name = u.Username
	}
	addr := s.address()
	dest := name + "@" + addr
	check, algos, err := hostKeyCheck(s.KnownHosts, addr)
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", dest, err)
	}
	methods, tried, closeAgent, err := s.authMethods()
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", dest, err)
	}
	defer closeAgent()
	cfg := &ssh.ClientConfig{User: name, Auth: methods, HostKeyCallback: check, HostKeyAlgorithms: algos}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", dest, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if !stop() || err != nil {
		conn.Close()
		if err == nil {
			err = ctx.Err()
		}
		if strings.Contains(err.Error(), "unable to authenticate") {
			err = fmt.Errorf("%w (keys tried: %s)", err, tried)
		}
		return nil, fmt.Errorf("ssh %s: %w", dest, err)
	}
	_ = conn.SetDeadline(time.Time{})
	c := &SSHClient{c: ssh.NewClient(cc, chans, reqs), dest: dest, done: make(chan struct{})}
	every := s.KeepAlive
	if every == 0 {
		every = DefaultSSHKeepAlive
	}
	if every > 0 {
		go c.keepAlive(every)
	}
	return c, nil
}

// keepAlive sends the host a keepalive@openssh.com request every
// interval unless one is still unanswered; after keepAliveMisses
// intervals without an answer it closes the connection, which ends the
// sessions' waits and the commands' reads (an answer of any kind, even
// a refusal, is one: the host is there).
func (c *SSHClient) keepAlive(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var pending chan error
	missed := 0
	for {
		select {
		case <-c.done:
			return
		case err := <-pending:
			if err != nil { // the connection is closed
				return
			}
			pending, missed = nil, 0
			continue
		case <-t.C:
		}
		if pending != nil {
			if missed++; missed >= keepAliveMisses {
				c.lose(fmt.Errorf("the host answered no keepalive for %v: the connection was taken for lost and closed", time.Duration(missed)*every))
				return
			}
			continue
		}
		reply := make(chan error, 1)
		go func() {
			_, _, err := c.c.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		pending = reply
	}
}

// lose closes a connection that the keepalives found lost, keeping why.
func (c *SSHClient) lose(why error) {
	c.mu.Lock()
	c.lostErr = why
	c.mu.Unlock()
	_ = c.c.Close()
}

// lost is why the keepalives closed the connection, or nil.
func (c *SSHClient) lost() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lostErr
}

// hostKeyCheck is the check of the host key at addr against the
// known_hosts file (file, or ~/.ssh/known_hosts), with messages that name
// the host, the key's fingerprint and the file, and the host key
// algorithms of the keys known for addr (so that a host with keys of
// several types offers the known one).
func hostKeyCheck(file, addr string) (ssh.HostKeyCallback, []string, error) {
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, nil, fmt.Errorf("known_hosts: %w (give KnownHosts)", err)
		}
		file = filepath.Join(home, ".ssh", "known_hosts")
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		return nil, nil, fmt.Errorf("the known hosts file: %w (the host's key must be there: log in once with ssh, checking its fingerprint)", err)
	}
	_, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	probe, _, _ := ed25519.GenerateKey(rand.Reader)
	pk, _ := ssh.NewPublicKey(probe)
	var algos []string
	var ke *knownhosts.KeyError
	if errors.As(cb(addr, &net.TCPAddr{IP: net.IPv4zero, Port: p}, pk), &ke) {
		for _, k := range ke.Want {
			switch t := k.Key.Type(); t {
			case ssh.KeyAlgoRSA:
				algos = append(algos, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, t)
			default:
				algos = append(algos, t)
			}
		}
	}
	check := func(host string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(host, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		fp := key.Type() + " key " + ssh.FingerprintSHA256(key)
		switch {
		case errors.As(err, &ke) && len(ke.Want) == 0:
			return fmt.Errorf("the host key of %s is not known: its %s is not in %s. Refused; if the host's administrators confirm that fingerprint, add its key there (log in once with ssh, or ssh-keyscan -p %d %s >> %s and compare)",
				host, fp, file, p, strings.Trim(strings.TrimSuffix(host, ":"+port), "[]"), file)
		case errors.As(err, &ke):
			w := ke.Want[0]
			return fmt.Errorf("the host key of %s has changed: it offers the %s, but %s:%d has the %s key %s for it. Refused: someone may be between you and the host; if its administrators say its key was replaced, remove the old line (ssh-keygen -R %s -f %s) and add the new key",
				host, fp, w.Filename, w.Line, w.Key.Type(), ssh.FingerprintSHA256(w.Key), knownhosts.Normalize(host), file)
		case errors.As(err, &re):
			return fmt.Errorf("the host key of %s (%s) is revoked in %s:%d: refused", host, fp, re.Revoked.Filename, re.Revoked.Line)
		}
		return err
	}
	return check, algos, nil
}

// authMethods are the keys to log in with: IdentityFile's, else the
// agent's and ~/.ssh's id_* keys without a passphrase. tried names them
// for an error message; closeAgent ends the agent's connection.
func (s SSH) authMethods() (methods []ssh.AuthMethod, tried string, closeAgent func(), err error) {
	closeAgent = func() {}
	if s.IdentityFile != "" {
		signer, err := readKey(s.IdentityFile)
		if err != nil {
			return nil, "", closeAgent, err
		}
		return []ssh.AuthMethod{ssh.PublicKeys(signer)}, s.IdentityFile, closeAgent, nil
	}
	var signers []ssh.Signer
	var names []string
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, "", closeAgent, fmt.Errorf("the ssh-agent at $SSH_AUTH_SOCK (%s): %w", sock, err)
		}
		closeAgent = func() { conn.Close() }
		as, err := agent.NewClient(conn).Signers()
		if err != nil {
			return nil, "", closeAgent, fmt.Errorf("the ssh-agent's keys: %w", err)
		}
		signers = append(signers, as...)
		names = append(names, plural(len(as), "key")+" of the ssh-agent")
	}
	if home, err := os.UserHomeDir(); err == nil {
		for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			path := filepath.Join(home, ".ssh", name)
			if signer, err := readKey(path); err == nil {
				signers = append(signers, signer)
				names = append(names, path)
			}
		}
	}
	if len(signers) == 0 {
		return nil, "", closeAgent, errors.New("no key to log in with: no ssh-agent ($SSH_AUTH_SOCK) with keys, and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa without a passphrase (give IdentityFile, or add your key to ssh-agent with ssh-add)")
	}
	return []ssh.AuthMethod{ssh.PublicKeys(signers...)}, strings.Join(names, ", "), closeAgent, nil
}

// readKey reads a private key without a passphrase.
func readKey(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("the SSH key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	var pe *ssh.PassphraseMissingError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("the SSH key %s has a passphrase: add it to your ssh-agent (ssh-add %s) and leave IdentityFile empty", path, path)
	}
	if err != nil {
		return nil, fmt.Errorf("the SSH key %s: %w", path, err)
	}
	return signer, nil
}

// Run runs command on the host with sh, with stdin as its standard
// input, and returns its standard output; an error carries its standard
// error. The commands of one client go in turn to one sh on the host,
// started once (through the login shell that sshd gives it, whose
// start-up can take seconds), not to a session each. When ctx ends
// Run returns; that sh is closed (the command goes on to its end on the
// host) and the next Run starts another.
func (c *SSHClient) Run(ctx context.Context, command string, stdin []byte) ([]byte, error) {
	c.shellMu.Lock()
	defer c.shellMu.Unlock()
	sh, err := c.startShell(ctx)
	if err != nil {
		return nil, err
	}
	// The command's input and output stay off the shell's own: its input
	// decoded from base64 (printf is the shell's own, so no process's
	// arguments show it), its output and errors in files that follow a
	// header with their lengths.
	var b strings.Builder
	b.WriteString("( ")
	if len(stdin) > 0 {
		b.WriteString("printf %s " + shellQuote(base64.StdEncoding.EncodeToString(stdin)) + " | base64 -d | ")
	}
	b.WriteString("sh -c " + shellQuote(command))
	if len(stdin) == 0 {
		b.WriteString(" </dev/null")
	}
	b.WriteString(` ) >"$T/o" 2>"$T/e"; printf '` + sh.mark + ` %d %d %d\n' "$?" "$(($(wc -c <"$T/o")))" "$(($(wc -c <"$T/e")))"; cat "$T/o" "$T/e"` + "\n")
	type result struct {
		status    int
		out, errb []byte
		err       error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		if _, r.err = io.WriteString(sh.in, b.String()); r.err != nil {
			return
		}
		line, err := sh.out.ReadString('\n')
		if err != nil {
			r.err = err
			return
		}
		var no, ne int
		if _, err := fmt.Sscanf(strings.TrimPrefix(line, sh.mark), " %d %d %d", &r.status, &no, &ne); err != nil || !strings.HasPrefix(line, sh.mark) {
			r.err = fmt.Errorf("the shell on the host answered %q", line)
			return
		}
		r.out, r.errb = make([]byte, no), make([]byte, ne)
		if _, r.err = io.ReadFull(sh.out, r.out); r.err == nil {
			_, r.err = io.ReadFull(sh.out, r.errb)
		}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		c.dropShell()
		return nil, fmt.Errorf("ssh %s: %w", c.dest, ctx.Err())
	}
	if r.err != nil {
		c.dropShell()
		if lost := c.lost(); lost != nil {
			return nil, fmt.Errorf("ssh %s: %w", c.dest, lost)
		}
		return nil, fmt.Errorf("ssh %s: the shell on the host: %w", c.dest, r.err)
	}
	if r.status != 0 {
		return r.out, fmt.Errorf("on %s: exit status %d: %s", c.dest, r.status, strings.TrimSpace(string(r.errb)))
	}
	return r.out, nil
}

// remoteShell is the sh on the host that runs a client's commands.
type remoteShell struct {
	sess *ssh.Session
	in   io.WriteCloser
	out  *bufio.Reader
	mark string // begins the header of each command's output
}

// startShell starts the client's sh on the host unless it runs; c.shellMu
// is held.
func (c *SSHClient) startShell(ctx context.Context) (*remoteShell, error) {
	if c.shell != nil {
		return c.shell, nil
	}
	fail := func(err error) (*remoteShell, error) {
		return nil, fmt.Errorf("ssh %s: starting sh on the host: %w", c.dest, err)
	}
	sess, err := c.c.NewSession()
	if err != nil {
		return fail(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return fail(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		sess.Close()
		return fail(err)
	}
	if err := sess.Start("exec sh"); err != nil {
		sess.Close()
		return fail(err)
	}
	sh := &remoteShell{sess: sess, in: in, out: bufio.NewReader(out), mark: "FIRN-" + randomID(8)}
	// Whatever the login shell printed comes before the ready line.
	ready := make(chan error, 1)
	go func() {
		if _, err := io.WriteString(in, `T=$(mktemp -d) || exit 1; trap 'rm -rf "$T"' EXIT; echo `+sh.mark+"\n"); err != nil {
			ready <- err
			return
		}
		for {
			line, err := sh.out.ReadString('\n')
			if err != nil {
				ready <- fmt.Errorf("%w (the login shell's start-up failed?)", err)
				return
			}
			if line == sh.mark+"\n" {
				ready <- nil
				return
			}
		}
	}()
	select {
	case err = <-ready:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		sess.Close()
		return fail(err)
	}
	c.shell = sh
	return sh, nil
}

// dropShell closes the client's sh (its input ends, so it exits after
// the command it runs); c.shellMu is held.
func (c *SSHClient) dropShell() {
	if c.shell != nil {
		c.shell.sess.Close()
		c.shell = nil
	}
}

// Forward listens on the host's loopback, on a port the host chooses
// (as `ssh -R`), and carries each connection made to it there to local,
// a host:port reached from this machine. It returns the host's address
// ("127.0.0.1:PORT"), which Close stops.
func (c *SSHClient) Forward(local string) (string, error) {
	ln, err := c.c.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("ssh %s: forwarding a port on the host to %s (the host's sshd must allow TCP forwarding): %w", c.dest, local, err)
	}
	c.mu.Lock()
	c.lns = append(c.lns, ln)
	c.mu.Unlock()
	go func() {
		for {
			rc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				lc, err := net.Dial("tcp", local)
				if err != nil {
					rc.Close()
					return
				}
				pipe(rc, lc)
			}()
		}
	}()
	return ln.Addr().String(), nil
}

// pipe copies a to b and b to a until either ends, then closes both.
func pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(a, b); done <- struct{}{} }()
	go func() { _, _ = io.Copy(b, a); done <- struct{}{} }()
	<-done
	a.Close()
	b.Close()
	<-done
}

// Close stops the forwards and closes the connection.
// The connection closes first: a forward's Close asks the host to stop
// it and waits for the answer, which a host that went silent never
// gives.
func (c *SSHClient) Close() error {
	c.closeOnce.Do(func() { close(c.done) })
	err := c.c.Close()
	c.mu.Lock()
	for _, ln := range c.lns {
		_ = ln.Close()
	}
	c.lns = nil
	c.mu.Unlock()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("ssh %s: %w", c.dest, err)
	}
	return nil
}
