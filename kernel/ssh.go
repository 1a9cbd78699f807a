package kernel

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firnglacier/firn/compute"
)

// SSHLauncher starts each kernel on another machine reached over SSH (a
// workstation, a cluster's login node): `firn kernel --transport nats`
// runs there in a session of its own, in the folder Dir, and meets its
// client on a NATS broker. The broker is, by default, embedded in the
// client for the kernel's life, on this machine's loopback, and
// forwarded from the host's loopback through the SSH connection (as
// `ssh -R`); an external one (Broker, Auth) is given as it is. The
// broker's token reaches the kernel on the session's standard input,
// never on a command line. The kernel ends when its client closes it,
// when the SSH connection is lost (its session's standard input ends),
// or when the host's kernel process dies, which its session reports at
// once.
//
// The kernel's files are the host's: its workspace is Dir there, not
// the notebook's folder here (cells that read a data file read the
// host's copy).
type SSHLauncher struct {
	// SSH is the host, its port, the user and the keys (see compute.SSH:
	// the host key must be in known_hosts). Its Command is the firn
	// program on the host ("" is firn on the PATH sshd gives commands).
	SSH compute.SSH
	// Dir is the kernel's workspace on the host, made if need be: a path,
	// absolute or relative to the login folder; "" is "firn".
	Dir string
	// Broker is a NATS URL both sides reach; "" embeds one and forwards
	// it. Auth proves both sides to an external broker.
	Broker string
	Auth   compute.Auth
	// StoreDir is the embedded broker's folder ("" is a temporary one).
	StoreDir string
}

// SSHLauncherNamed is the launcher of
// "ssh://[USER@]HOST[:PORT][/DIR][?key=FILE&known_hosts=FILE&firn=PROGRAM]"
// (`--kernel ssh://…`): the kernel runs on HOST, in DIR there (a path
// from the login folder; "//abs/path" for an absolute one; default
// "firn"), logged in with the key FILE (default: the ssh-agent and
// ~/.ssh's keys), the host's key checked against known_hosts (default
// ~/.ssh/known_hosts), running PROGRAM (default firn on the host's PATH).
func SSHLauncherNamed(name string) (SSHLauncher, error) {
	u, err := url.Parse(name)
	if err != nil || u.Scheme != "ssh" || u.Hostname() == "" || u.Opaque != "" || u.Fragment != "" {
		return SSHLauncher{}, fmt.Errorf("kernel %q: want ssh://[USER@]HOST[:PORT][/DIR][?key=FILE&known_hosts=FILE&firn=PROGRAM]", name)
	}
	l := SSHLauncher{SSH: compute.SSH{Host: u.Hostname(), User: u.User.Username()}}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SSHLauncher{}, fmt.Errorf("kernel %q: port %q: want 1 to 65535", name, p)
		}
		l.SSH.Port = n
	}
	if _, ok := u.User.Password(); ok {
		return SSHLauncher{}, fmt.Errorf("kernel %q: no password in the URL: log in with a key (key=FILE, or your ssh-agent)", name)
	}
	l.Dir = strings.TrimPrefix(u.Path, "/")
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "key":
			l.SSH.IdentityFile = v
		case "known_hosts":
			l.SSH.KnownHosts = v
		case "firn":
			l.SSH.Command = v
		default:
			return SSHLauncher{}, fmt.Errorf("kernel %q: unknown setting %q (want key, known_hosts or firn)", name, k)
		}
	}
	return l, nil
}

// Info is ssh, nats.
func (SSHLauncher) Info() LauncherInfo { return LauncherInfo{Name: "ssh", Transport: "nats"} }

// hostEnv is the part of a kernel's environment that goes to the host:
// what the user added, not this machine's HOME, PATH, locale or
// temporary folder (the host's sshd gives its own).
func hostEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "HOME" || k == "USER" || k == "LOGNAME" || k == "PATH" || k == "TMPDIR" || k == "TERM" || k == "TZ" || k == "LANG" || strings.HasPrefix(k, "LC_"):
		default:
			out = append(out, kv)
		}
	}
	return out
}

// Launch connects to the host, starts the kernel there and waits for its
// hello.
func (l SSHLauncher) Launch(ctx context.Context, spec Spec) (Process, error) {
	if len(spec.Command) == 0 {
		return nil, errors.New("kernel: no command")
	}
	if spec.RunAs != nil || len(spec.Cgroups) > 0 {
		return nil, errors.New("kernel: a kernel over SSH runs as the SSH user, under the host's limits, not this machine's accounts or cgroups")
	}
	c, err := l.SSH.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	m, err := meet(l.Broker, l.Auth, l.StoreDir)
	if err != nil {
		c.Close()
		return nil, err
	}
	defer m.helloSub.Unsubscribe()
	p := &sshProcess{meeting: m, client: c, host: l.SSH.Host}
	brokerURL := m.url
	if l.Broker == "" {
		// The embedded broker is on this machine's loopback: the kernel
		// reaches it through a port on the host's loopback.
		u, err := url.Parse(m.url)
		if err != nil {
			p.cleanup()
			return nil, fmt.Errorf("kernel: broker URL %q: %w", m.url, err)
		}
		at, err := c.Forward(u.Host)
		if err != nil {
			p.cleanup()
			return nil, fmt.Errorf("kernel: %w", err)
		}
		u.Host = at
		brokerURL = u.String()
	}
	firn := l.SSH.Command
	if firn == "" {
		firn = "firn"
	}
	dir := l.Dir
	if dir == "" {
		dir = "firn"
	}
	args := []string{firn}
	for i := 1; i < len(spec.Command); i++ {
		a := spec.Command[i]
		args = append(args, a)
		if a == "--workspace" && i+1 < len(spec.Command) {
			// The host's folder, where the session has gone.
			args = append(args, ".")
			i++
		}
	}
	args = append(args, "--transport", "nats", "--connect", brokerURL, "--subject", m.subject)
	env := append(hostEnv(spec.Env), compute.TokenEnv+"="+m.auth.Token)
	if p.cmd, err = c.Start(dir, args, env, spec.Stderr); err != nil {
		p.cleanup()
		return nil, fmt.Errorf("kernel: %w", err)
	}
	ended, stop := context.WithCancel(context.Background())
	p.remoteLink.ended, p.remoteLink.endErr = ended, p.endError
	go func() {
		<-p.cmd.Done()
		stop()
	}()
	select {
	case <-m.hello:
		return p, nil
	case <-p.cmd.Done():
		err := p.endError()
		p.cleanup()
		return nil, fmt.Errorf("kernel: the kernel never started on %s: it %w", l.SSH.Host, err)
	case <-ctx.Done():
		p.cleanup()
		return nil, fmt.Errorf("kernel: waiting for the kernel on %s: %w", l.SSH.Host, ctx.Err())
	}
}

// sshProcess is a kernel on a host, in an SSH session.
type sshProcess struct {
	*meeting
	client *compute.SSHClient
	cmd    *compute.SSHCommand
	host   string
	once   sync.Once
}

// endError says how the kernel's session ended.
func (p *sshProcess) endError() error {
	err := p.cmd.Err()
	if err == nil {
		return fmt.Errorf("ended on %s", p.host)
	}
	return fmt.Errorf("ended on %s: %w", p.host, err)
}

// Close says bye to the kernel, which then ends, and ends its session
// should it not.
func (p *sshProcess) Close() error {
	_ = p.remoteLink.Close()
	go func() {
		select {
		case <-p.cmd.Done():
		case <-time.After(remoteSilence):
		}
		p.cleanup()
	}()
	return nil
}

// Kill ends the kernel's session: its wrapper on the host sends the
// kernel SIGTERM.
func (p *sshProcess) Kill() error { return p.cmd.Close() }

// Wait waits for the kernel's session to end and says how.
func (p *sshProcess) Wait() error {
	<-p.cmd.Done()
	return p.endError()
}

// cleanup ends the session, the SSH connection, the client's broker
// connection and the embedded broker.
func (p *sshProcess) cleanup() {
	p.once.Do(func() {
		if p.cmd != nil {
			_ = p.cmd.Close()
		}
		_ = p.client.Close()
		p.meeting.cleanup()
	})
}
