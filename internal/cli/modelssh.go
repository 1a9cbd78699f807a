package cli

import (
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/compute"
)

// sshOptions are the flags of --on ssh://….
type sshOptions struct {
	key, knownHosts, firn string
}

// sshLauncher is the launcher of --on ssh://[USER@]HOST[:PORT] (worker
// processes on the host) or ssh://[USER@]HOST[:PORT]/slurm (a Slurm job
// array submitted there), with the Slurm flags in o.slurm.
func sshLauncher(o manyOptions, stderr io.Writer) (compute.Launcher, error) {
	u, err := url.Parse(o.on)
	if err != nil || u.Hostname() == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, usagef("model run: --on %q: want ssh://[USER@]HOST[:PORT] or ssh://[USER@]HOST[:PORT]/slurm", o.on)
	}
	l := compute.SSH{Host: u.Hostname(), User: u.User.Username(), IdentityFile: o.ssh.key, KnownHosts: o.ssh.knownHosts, Command: o.ssh.firn}
	if _, set := u.User.Password(); set {
		return nil, usagef("model run: --on %s: no passwords; Firn logs in with your SSH keys", o.on)
	}
	if p := u.Port(); p != "" {
		if l.Port, err = strconv.Atoi(p); err != nil || l.Port < 1 || l.Port > 65535 {
			return nil, usagef("model run: --on %s: port %q", o.on, p)
		}
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "":
		l.Then = compute.Local{Workers: o.workers, Concurrency: o.concurrency, Stderr: stderr}
	case "/slurm":
		if o.concurrency > 0 {
			return nil, usagef("model run: with --on %s, --cpus-per-task sets each worker's concurrency", o.on)
		}
		s := o.slurm
		s.Workers = o.workers
		l.Then = s
	default:
		return nil, usagef("model run: --on %s: want ssh://HOST (worker processes there) or ssh://HOST/slurm (a Slurm job array submitted there)", o.on)
	}
	return l, nil
}
