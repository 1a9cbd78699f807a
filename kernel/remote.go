package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/kernel/protocol"
	"github.com/nats-io/nats.go"
)

// The remote transport: a kernel on another machine (a compute node) and
// its client meet on a NATS server that both reach, the broker of package
// compute (embedded in the client, or an external one by URL). The kernel
// connects out (`firn kernel --transport nats --connect URL --subject S`,
// the broker's token in $FIRN_WORKER_TOKEN), so nothing has to reach the
// node. The client sends on S.in and the kernel on S.out, one protocol
// message per NATS message (split into parts under the server's maximum
// payload, reassembled in order: one publisher's messages on one subject
// arrive in order). S holds 128 random bits, so only someone with the
// broker's token who is told S can talk to the kernel: the same trust as
// the broker's workers.
//
// Frames with a Firn-Frame header carry the link itself: "hello" (the
// kernel is up and subscribed: the client's Launch returns), "beat"
// (every remoteBeat from each side), "bye" (the sender is closing). A
// side that hears nothing from the other for remoteSilence takes it for
// gone: the kernel exits (its client died), the client reports the
// kernel dead (its node died); a client also asks Slurm and reports the
// job's end as soon as squeue stops listing it.

const (
	frameHeader   = "Firn-Frame"
	moreHeader    = "Firn-More" // "1" on every part of a message but the last
	remoteBeat    = 5 * time.Second
	remoteSilence = 30 * time.Second
)

// remoteLink is one side of the remote transport.
type remoteLink struct {
	nc       *nats.Conn
	send     string // subject this side publishes on
	sub      *nats.Subscription
	stopBeat chan struct{}
	once     sync.Once
	mu       sync.Mutex // one message's parts are published together
	silence  time.Duration
	// ended, when not nil, is cancelled when the peer is known to be
	// gone by other means (a Slurm job that ended); endErr says why.
	ended  context.Context
	endErr func() error
}

// newRemoteLink subscribes to recv and starts the heartbeat on send.
func newRemoteLink(nc *nats.Conn, send, recv string) (*remoteLink, error) {
	l := &remoteLink{nc: nc, send: send, stopBeat: make(chan struct{}), silence: remoteSilence}
	sub, err := nc.SubscribeSync(recv)
	if err != nil {
		return nil, fmt.Errorf("kernel: subscribe to %s: %w", recv, err)
	}
	// A slow reader must not lose messages: no pending limits.
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return nil, fmt.Errorf("kernel: subscription limits: %w", err)
	}
	if err := nc.Flush(); err != nil {
		return nil, fmt.Errorf("kernel: subscribe to %s: %w", recv, err)
	}
	l.sub = sub
	go l.beat()
	return l, nil
}

func (l *remoteLink) frame(kind string) error {
	m := nats.NewMsg(l.send)
	m.Header.Set(frameHeader, kind)
	return l.nc.PublishMsg(m)
}

func (l *remoteLink) beat() {
	t := time.NewTicker(remoteBeat)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = l.frame("beat")
		case <-l.stopBeat:
			return
		}
	}
}

// Send publishes one message, in parts if it is longer than the server
// takes.
func (l *remoteLink) Send(m *protocol.Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("protocol: encode %s: %w", m.Header.MsgType, err)
	}
	part := int(l.nc.MaxPayload()) - 1024 // room for the headers
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(b) > 0 {
		n := min(len(b), part)
		nm := nats.NewMsg(l.send)
		nm.Data = b[:n]
		if n < len(b) {
			nm.Header.Set(moreHeader, "1")
		}
		if err := l.nc.PublishMsg(nm); err != nil {
			return fmt.Errorf("protocol: send %s: %w", m.Header.MsgType, err)
		}
		b = b[n:]
	}
	return nil
}

// Receive returns the next message; io.EOF once the peer said bye, an
// error when it fell silent or (client side) its job ended.
func (l *remoteLink) Receive() (*protocol.Message, error) {
	var buf []byte
	for {
		base := l.ended
		if base == nil {
			base = context.Background()
		}
		ctx, cancel := context.WithTimeout(base, l.silence)
		nm, err := l.sub.NextMsgWithContext(ctx)
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
		switch {
		case err == nil:
		case base.Err() != nil:
			return nil, l.endErr()
		case timedOut:
			return nil, fmt.Errorf("kernel: no word from the other side of %s for %v (its machine or network is gone)", l.send, l.silence)
		case errors.Is(err, nats.ErrBadSubscription), errors.Is(err, nats.ErrConnectionClosed):
			return nil, io.EOF
		default:
			return nil, fmt.Errorf("kernel: receive: %w", err)
		}
		switch nm.Header.Get(frameHeader) {
		case "":
		case "bye":
			return nil, io.EOF
		default: // hello, beat
			continue
		}
		buf = append(buf, nm.Data...)
		if len(buf) > protocol.MaxMessageSize {
			return nil, fmt.Errorf("protocol: message longer than %d bytes", protocol.MaxMessageSize)
		}
		if nm.Header.Get(moreHeader) != "" {
			continue
		}
		var m protocol.Message
		if err := json.Unmarshal(buf, &m); err != nil {
			return nil, fmt.Errorf("protocol: bad message: %w", err)
		}
		if m.Header.MsgType == "" {
			return nil, errors.New("protocol: message without header.msg_type")
		}
		return &m, nil
	}
}

// Close says bye, stops the heartbeat and unsubscribes (the connection
// stays the caller's).
func (l *remoteLink) Close() error {
	l.once.Do(func() {
		close(l.stopBeat)
		_ = l.frame("bye")
		_ = l.nc.Flush()
		_ = l.sub.Unsubscribe()
	})
	return nil
}

// dialRemote is the kernel's side (`--transport nats`): connect to the
// broker at url with the token of $FIRN_WORKER_TOKEN (removed from the
// environment), listen on subject.in and say hello on subject.out.
func dialRemote(url, subject string) (protocol.Transport, error) {
	if url == "" || subject == "" {
		return nil, errors.New("--transport nats needs --connect URL and --subject S")
	}
	token := os.Getenv(compute.TokenEnv)
	_ = os.Unsetenv(compute.TokenEnv)
	nc, err := compute.Connect(url, compute.Auth{Token: token}, "firn-kernel "+subject)
	if err != nil {
		return nil, err
	}
	l, err := newRemoteLink(nc, subject+".out", subject+".in")
	if err != nil {
		nc.Close()
		return nil, err
	}
	if err := l.frame("hello"); err != nil {
		nc.Close()
		return nil, fmt.Errorf("kernel: hello on %s.out: %w", subject, err)
	}
	return l, nil
}

// SlurmLauncher starts each kernel as a Slurm job (`firn kernel
// --transport nats` on a compute node) that connects out to a NATS
// broker: an external one (Broker, Auth; a URL to another machine must
// be tls://) or, when Broker is "", one embedded in the client for the
// kernel's life, which listens on 127.0.0.1 and so serves a Slurm whose
// nodes are this machine (a workstation, the tests). The job's script and
// output go to Slurm.Dir, by default $XDG_STATE_HOME/firn/slurm/ID (see
// slurmStateDir). Launch returns once
// the kernel has said hello; while the job waits in the queue Status, if
// set, hears Slurm's state, reason and start estimate.
type SlurmLauncher struct {
	// Slurm holds the job's #SBATCH settings (partition, time, memory…;
	// Workers and Command are not used).
	Slurm compute.Slurm
	// Broker is the NATS URL both sides reach; "" embeds one.
	Broker string
	// Auth proves the client and the kernel to an external broker.
	Auth compute.Auth
	// StoreDir is the embedded broker's folder ("" is a temporary one).
	StoreDir string
	// Status hears the job's queue state while Launch waits.
	Status func(string)
}

// Info is slurm, nats.
func (SlurmLauncher) Info() LauncherInfo { return LauncherInfo{Name: "slurm", Transport: "nats"} }

// slurmPoll is how often a Slurm kernel's client asks squeue about the
// job while it waits for the kernel and while the kernel runs.
const slurmPoll = 2 * time.Second

// Launch submits the kernel's job and waits for its hello.
func (s SlurmLauncher) Launch(ctx context.Context, spec Spec) (Process, error) {
	if len(spec.Command) == 0 {
		return nil, errors.New("kernel: no command")
	}
	if spec.RunAs != nil {
		return nil, fmt.Errorf("kernel: a Slurm kernel runs as whoever submits its job, not as %s", spec.RunAs.Name)
	}
	if len(spec.Cgroups) > 0 {
		return nil, errors.New("kernel: a Slurm kernel's CPU and memory are Slurm's to bound (its job's request), not this machine's cgroups")
	}
	m, err := meet(s.Broker, s.Auth, s.StoreDir)
	if err != nil {
		return nil, err
	}
	defer m.helloSub.Unsubscribe()
	p := &slurmProcess{done: make(chan struct{}), stderr: spec.Stderr, meeting: m}
	url, auth, subject, hello := m.url, m.auth, m.subject, m.hello
	args := append(append([]string(nil), spec.Command...), "--transport", "nats", "--connect", url, "--subject", subject)
	job := s.Slurm
	if job.Dir == "" {
		if job.Dir, err = slurmStateDir(subject); err != nil {
			p.cleanup()
			return nil, err
		}
	}
	if p.job, err = job.SubmitCommand(ctx, args, spec.Dir, spec.Env, auth); err != nil {
		p.cleanup()
		return nil, err
	}
	ended, stop := context.WithCancel(context.Background())
	p.remoteLink.ended, p.remoteLink.endErr, p.endLink = ended, p.endError, stop
	go p.watch()
	last := ""
	t := time.NewTicker(slurmPoll)
	defer t.Stop()
	for {
		select {
		case <-hello:
			return p, nil
		case <-p.done:
			err := p.endError()
			p.cleanup()
			return nil, fmt.Errorf("kernel: the kernel never started: it %w", err)
		case <-ctx.Done():
			_ = p.Kill()
			p.cleanup()
			return nil, fmt.Errorf("kernel: waiting for Slurm job %s: %w", p.job.ID, ctx.Err())
		case <-t.C:
			if s.Status == nil && spec.Status == nil {
				continue
			}
			if st, err := p.job.Status(ctx); err == nil && len(st) == 1 {
				msg := fmt.Sprintf("Slurm job %s: %s", p.job.ID, strings.ToLower(st[0].State))
				if st[0].State == "PENDING" {
					msg += fmt.Sprintf(" (%s), estimated start %s", st[0].Reason, st[0].Start)
				}
				if msg != last {
					for _, f := range []func(string){s.Status, spec.Status} {
						if f != nil {
							f(msg)
						}
					}
					last = msg
				}
			}
		}
	}
}

// slurmStateDir is the folder of a kernel job's script and output when
// the launcher names none: $XDG_STATE_HOME/firn/slurm/ID (by default
// ~/.local/state/…), in the home folder, which a cluster's nodes share
// with its login node, and out of the user's workspace.
func slurmStateDir(subject string) (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("kernel: a folder for the Slurm job: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "firn", "slurm", strings.TrimPrefix(subject, "firn.kernel.")), nil
}

// meeting is the client's side of a remote kernel's start: the broker
// both sides reach (embedded in the client for the kernel's life when
// none is given: it listens on 127.0.0.1), the client's connection, its
// link on a subject of its own, and the kernel's hello to wait for.
type meeting struct {
	*remoteLink
	url       string
	auth      compute.Auth
	subject   string
	nc        *nats.Conn
	broker    *compute.Broker
	brokerDir string
	hello     chan struct{} // closed at the kernel's hello
	helloSub  *nats.Subscription
}

// meet starts (or reaches) the broker, connects, and listens for the
// kernel of a new subject.
func meet(broker string, auth compute.Auth, storeDir string) (m *meeting, err error) {
	m = &meeting{url: broker, auth: auth, hello: make(chan struct{})}
	defer func() {
		if err != nil {
			m.cleanup()
		}
	}()
	if m.url == "" {
		dir := storeDir
		if dir == "" {
			d, err := os.MkdirTemp("", "firn-kernel-broker-")
			if err != nil {
				return m, fmt.Errorf("kernel: broker folder: %w", err)
			}
			dir, m.brokerDir = d, d
		}
		b, err := compute.StartBroker(compute.BrokerOptions{Dir: dir})
		if err != nil {
			return m, err
		}
		m.broker, m.url, m.auth = b, b.URL(), compute.Auth{Token: b.Token()}
	}
	if m.nc, err = compute.Connect(m.url, m.auth, "firn-kernel-client"); err != nil {
		return m, err
	}
	m.subject = "firn.kernel." + protocol.NewID()
	if m.remoteLink, err = newRemoteLink(m.nc, m.subject+".in", m.subject+".out"); err != nil {
		return m, err
	}
	m.helloSub, err = m.nc.Subscribe(m.subject+".out", func(msg *nats.Msg) {
		if msg.Header.Get(frameHeader) == "hello" {
			select {
			case <-m.hello:
			default:
				close(m.hello)
			}
		}
	})
	if err != nil {
		return m, fmt.Errorf("kernel: subscribe to %s.out: %w", m.subject, err)
	}
	if err := m.nc.Flush(); err != nil {
		return m, err
	}
	return m, nil
}

// cleanup closes the connection and the embedded broker.
func (m *meeting) cleanup() {
	if m.nc != nil {
		m.nc.Close()
	}
	if m.broker != nil {
		m.broker.Close()
	}
	if m.brokerDir != "" {
		_ = os.RemoveAll(m.brokerDir)
	}
}

// slurmProcess is a kernel in a Slurm job.
type slurmProcess struct {
	*meeting
	job    *compute.SlurmJob
	stderr io.Writer

	done    chan struct{}      // closed when squeue no longer lists the job
	endLink context.CancelFunc // ends the link's waits, then
	state   string             // the job's last state seen in squeue
}

// watch asks squeue about the job until it has left the queue, then
// copies the job's output to the spec's Stderr (where a kernel's fatal
// error is read from) and closes done.
func (p *slurmProcess) watch() {
	t := time.NewTicker(slurmPoll)
	defer t.Stop()
	for {
		st, err := p.job.Status(context.Background())
		if err == nil && len(st) == 0 {
			break
		}
		if err == nil {
			p.state = st[0].State
		}
		<-t.C
	}
	if p.stderr != nil {
		if b, err := os.ReadFile(p.job.Log()); err == nil {
			_, _ = p.stderr.Write(b)
		}
	}
	close(p.done)
	p.endLink()
}

// endError says how the job ended, for a Receive or Wait after it.
func (p *slurmProcess) endError() error {
	return fmt.Errorf("ended with its Slurm job %s (last seen %s; the job's output is in %s)", p.job.ID, strings.ToLower(p.state), p.job.Log())
}

// Close says bye to the kernel, which then ends, and ends the job should
// it not.
func (p *slurmProcess) Close() error {
	_ = p.remoteLink.Close()
	go func() {
		select {
		case <-p.done:
		case <-time.After(remoteSilence):
			_ = p.job.Stop()
		}
		p.cleanup()
	}()
	return nil
}

// Kill cancels the job (scancel).
func (p *slurmProcess) Kill() error { return p.job.Stop() }

// Wait waits until the job has left the queue and says so: a kernel
// that ends by itself also ends its job, so the end of the job is how
// every Slurm kernel ends.
func (p *slurmProcess) Wait() error {
	<-p.done
	return p.endError()
}
