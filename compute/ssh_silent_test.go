package compute_test

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
	"github.com/firnglacier/firn/internal/testsshd"
	"golang.org/x/crypto/ssh/knownhosts"
)

// silentProxy is a TCP proxy in front of an sshd whose path can go
// silent: once shut, it forwards nothing either way and closes nothing
// (a laptop's Wi-Fi gone, a NAT entry expired: no FIN, no RST).
type silentProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	shut  chan struct{} // closed to open the path again; nil: open
	conns []net.Conn
}

// startSilentProxy starts a proxy to addr and writes a known_hosts file
// that gives key for it.
func startSilentProxy(t *testing.T, s *testsshd.Server) (*silentProxy, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &silentProxy{ln: ln}
	t.Cleanup(p.close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", s.Addr)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(gatedWriter{p, c}, d); c.Close() }()
			go func() { _, _ = io.Copy(gatedWriter{p, d}, c); d.Close() }()
		}
	}()
	known := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(ln.Addr().String())}, s.HostKey)
	if err := os.WriteFile(known, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, known
}

func (p *silentProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// silence stops the forwarding, closing nothing.
func (p *silentProxy) silence() {
	p.mu.Lock()
	p.shut = make(chan struct{})
	p.mu.Unlock()
}

// close ends the connections and lets the blocked copies go.
func (p *silentProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	if p.shut != nil {
		close(p.shut)
		p.shut = nil
	}
	p.mu.Unlock()
}

func (p *silentProxy) wait() {
	p.mu.Lock()
	c := p.shut
	p.mu.Unlock()
	if c != nil {
		<-c
	}
}

type gatedWriter struct {
	p *silentProxy
	w io.Writer
}

func (w gatedWriter) Write(b []byte) (int, error) { w.p.wait(); return w.w.Write(b) }

// stopWithin calls w.Stop and returns its error, failing the test if it
// has not returned after a long time: it detects a Stop that hangs, it
// measures nothing.
func stopWithin(t *testing.T, w compute.Workers) error {
	t.Helper()
	stopped := make(chan error, 1)
	go func() { stopped <- w.Stop() }()
	select {
	case err := <-stopped:
		return err
	case <-time.After(2 * time.Minute):
		t.Fatal("Stop has not returned 2 minutes after the connection went silent")
		return nil
	}
}

// TestSSHStopOnSilentConnection: when the path to the host goes silent
// (no FIN or RST), stopping SSH workers still returns, and says that
// the workers could not be confirmed stopped and why: the keepalives
// find the connection lost and close it (which ends Stop's waits), or,
// without keepalives, Stop's own bound runs out. Before, Stop of worker
// processes waited for ever on their exit status, and a Slurm job's
// Stop on scancel's output.
func TestSSHStopOnSilentConnection(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keepAlive time.Duration
		stop      time.Duration
		want      []string
	}{
		{name: "keepalives", keepAlive: 100 * time.Millisecond, stop: time.Hour,
			want: []string{"worker 0 on 127.0.0.1: not confirmed stopped", "the host answered no keepalive for 300ms"}},
		{name: "stop timeout", keepAlive: -1, stop: time.Second,
			want: []string{"worker 0 on 127.0.0.1: not confirmed stopped: no exit status within 1s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testsshd.Start(t)
			p, known := startSilentProxy(t, s)
			e := start(t, t.TempDir(), 0)
			name := "sshsilent" + strings.ReplaceAll(tc.name, " ", "")
			l := compute.SSH{Host: "127.0.0.1", Port: p.port(), User: s.User, IdentityFile: s.UserKey, KnownHosts: known,
				KeepAlive: tc.keepAlive, StopTimeout: tc.stop,
				Then: compute.Local{Workers: 1, Concurrency: 1, Name: name, Command: []string{os.Args[0]},
					Env: []string{workerEnv + "=1", connectTimeoutEnv + "=10m"}, Stderr: os.Stderr}}
			w, err := l.Launch(context.Background(), e.broker.URL(), compute.Auth{Token: e.broker.Token()})
			if err != nil {
				t.Fatal(err)
			}
			worker := func() bool {
				for _, line := range workerCommandLines(t, "--name "+name+"-0") {
					if strings.HasPrefix(line, os.Args[0]+" ") {
						return true
					}
				}
				return false
			}
			testslurm.WaitFor(t, "the worker on the host", worker)
			p.silence()
			err = stopWithin(t, w)
			for _, want := range tc.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Stop's error lacks %q: %v", want, err)
				}
			}
			t.Log(err)
			// The path comes back with a reset: sshd ends the worker.
			p.close()
			testslurm.WaitFor(t, "the worker to end", func() bool { return !worker() })
		})
	}
	// A Slurm job array through SSH: scancel's command gets no answer.
	for _, tc := range []struct {
		name      string
		keepAlive time.Duration
		stop      time.Duration
		want      string
	}{
		{name: "slurm keepalives", keepAlive: 100 * time.Millisecond, stop: time.Hour, want: "the host answered no keepalive"},
		{name: "slurm stop timeout", keepAlive: -1, stop: time.Second, want: "context deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sl := testslurm.Start(t)
			s := testsshd.Start(t, "SetEnv SLURM_CONF="+sl.Conf)
			p, known := startSilentProxy(t, s)
			l := compute.SSH{Host: "127.0.0.1", Port: p.port(), User: s.User, IdentityFile: s.UserKey, KnownHosts: known,
				KeepAlive: tc.keepAlive, StopTimeout: tc.stop,
				Then: compute.Slurm{Workers: 1, Partition: "debug", Time: "10", Mem: "100M", Dir: filepath.Join(sl.Dir, "silent"),
					Command: []string{"sh", "-c", "exec sleep 600"}}}
			w, err := l.Launch(context.Background(), "nats://127.0.0.1:4222", compute.Auth{Token: "t"})
			if err != nil {
				t.Fatalf("%v\nsshd: %s", err, s.Log())
			}
			job := w.(*compute.SlurmJob)
			defer func() { // the array Stop could not cancel
				cmd := exec.Command("scancel", job.ID)
				cmd.Env = append(os.Environ(), "SLURM_CONF="+sl.Conf)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("scancel: %v %s", err, out)
				}
			}()
			p.silence()
			err = stopWithin(t, w)
			for _, want := range []string{"scancel " + job.ID + " on 127.0.0.1", tc.want,
				"not confirmed stopped: job " + job.ID + " may still be queued or running"} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Stop's error lacks %q: %v", want, err)
				}
			}
			t.Log(err)
		})
	}
}
