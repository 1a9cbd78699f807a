package jupyter

import (
	"context"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/firnglacier/firn/kernel/protocol"
)

// Client is a frontend's side of Jupyter's wire protocol: DEALER sockets
// on a kernel's shell, control and stdin ports (one identity, as Jupyter
// requires), a SUB socket on its iopub port. It is a protocol.Transport
// seen from the client: Send sends a request on the socket its Channel
// names (shell when empty; stdin for input_reply), Receive returns
// replies, published messages and input requests, each with its Channel.
// Messages are signed with the connection's key, and the kernel's are
// checked: a message with a bad signature is dropped.
type Client struct {
	info *ConnectionInfo
	sign *signer

	shell, control, stdin, iopub zmq4.Socket

	in     chan *protocol.Message
	errs   chan error
	closed chan struct{}
	once   sync.Once
}

// dialRetry is the pause between two attempts to reach a kernel.
const dialRetry = 2 * time.Millisecond

// Dial connects to the kernel of info, waiting (within ctx) for it to
// listen.
func Dial(ctx context.Context, info *ConnectionInfo) (*Client, error) {
	if err := info.check(); err != nil {
		return nil, fmt.Errorf("jupyter: %w", err)
	}
	s, err := newSigner(info)
	if err != nil {
		return nil, fmt.Errorf("jupyter: %w", err)
	}
	c := &Client{info: info, sign: s, in: make(chan *protocol.Message, 256), errs: make(chan error, 4), closed: make(chan struct{})}
	id := zmq4.SocketIdentity(protocol.NewID())
	// A kernel being started binds its sockets when it is ready: dial
	// again every few milliseconds until then, or until ctx is done
	// (the sockets live on their own context, until Close).
	quiet := zmq4.WithLogger(log.New(io.Discard, "", 0))
	retry, forever := zmq4.WithDialerRetry(dialRetry), zmq4.WithDialerMaxRetries(-1)
	bg := context.Background()
	c.shell = zmq4.NewDealer(bg, zmq4.WithID(id), quiet, retry, forever)
	c.control = zmq4.NewDealer(bg, zmq4.WithID(zmq4.SocketIdentity(protocol.NewID())), quiet, retry, forever)
	c.stdin = zmq4.NewDealer(bg, zmq4.WithID(id), quiet, retry, forever)
	c.iopub = zmq4.NewSub(bg, quiet, retry, forever)
	dialing := make(chan struct{})
	defer close(dialing)
	go func() {
		select {
		case <-ctx.Done():
			c.Close()
		case <-dialing:
		}
	}()
	for _, d := range []struct {
		name string
		s    zmq4.Socket
		port int
	}{{"shell", c.shell, info.ShellPort}, {"control", c.control, info.ControlPort}, {"stdin", c.stdin, info.StdinPort}, {"iopub", c.iopub, info.IOPubPort}} {
		if err := d.s.Dial(info.endpoint(d.port)); err != nil {
			c.Close()
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("jupyter: %s socket: %w", d.name, err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, fmt.Errorf("jupyter: subscribe: %w", err)
	}
	for _, r := range []struct {
		s       zmq4.Socket
		channel string
	}{{c.shell, protocol.Shell}, {c.control, protocol.Control}, {c.stdin, Stdin}, {c.iopub, protocol.IOPub}} {
		go c.read(r.s, r.channel)
	}
	return c, nil
}

func (c *Client) read(s zmq4.Socket, channel string) {
	for {
		raw, err := s.Recv()
		if err != nil {
			select {
			case c.errs <- fmt.Errorf("jupyter: %s socket: %w", channel, err):
			default:
			}
			return
		}
		f, err := parseFrames(raw.Frames)
		if err != nil || !c.sign.verify(f.sig, f.header, f.parent, f.metadata, f.content) {
			continue
		}
		m, err := f.message(channel)
		if err != nil {
			continue
		}
		select {
		case c.in <- m:
		case <-c.closed:
			return
		}
	}
}

// Send sends a request (or an input_reply) to the kernel.
func (c *Client) Send(m *protocol.Message) error {
	f, err := encode(m, nil)
	if err != nil {
		return fmt.Errorf("jupyter: %s: %w", m.Type(), err)
	}
	s := c.shell
	switch m.Channel {
	case protocol.Control:
		s = c.control
	case Stdin:
		s = c.stdin
	}
	if err := s.SendMulti(zmq4.NewMsgFrom(f.signed(c.sign).list()...)); err != nil {
		return fmt.Errorf("jupyter: send %s: %w", m.Type(), err)
	}
	return nil
}

// Receive returns the next message from the kernel, on any socket.
func (c *Client) Receive() (*protocol.Message, error) {
	select {
	case m := <-c.in:
		return m, nil
	case <-c.closed:
		return nil, io.EOF
	case err := <-c.errs:
		select {
		case <-c.closed:
			return nil, io.EOF
		default:
		}
		return nil, err
	}
}

// Close closes the sockets.
func (c *Client) Close() error {
	c.once.Do(func() {
		close(c.closed)
		for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub} {
			if s != nil {
				s.Close()
			}
		}
	})
	return nil
}

// Heartbeat sends one ping on the kernel's heartbeat socket and waits for
// its echo.
func Heartbeat(ctx context.Context, info *ConnectionInfo) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req := zmq4.NewReq(ctx, zmq4.WithLogger(log.New(io.Discard, "", 0)))
	defer req.Close()
	if err := req.Dial(info.endpoint(info.HBPort)); err != nil {
		return fmt.Errorf("jupyter: heartbeat: %w", err)
	}
	if err := req.Send(zmq4.NewMsgString("ping")); err != nil {
		return fmt.Errorf("jupyter: heartbeat: %w", err)
	}
	m, err := req.Recv()
	if err != nil {
		return fmt.Errorf("jupyter: heartbeat: %w", err)
	}
	if string(m.Bytes()) != "ping" {
		return fmt.Errorf("jupyter: heartbeat: echoed %q, want \"ping\"", m.Bytes())
	}
	return nil
}
