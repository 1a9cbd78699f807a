package kernel

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// The loopback TCP transport. The client listens on 127.0.0.1, on a port
// the system picks, and starts the kernel with `--transport tcp
// --connect tcp://127.0.0.1:PORT` and a token of 64 hex digits in its
// environment (TokenEnv; or in a file, --token-file): never on the command
// line, where other users' ps would show it. The kernel connects back;
// then, before any message, each side proves it knows the token: the
// kernel sends the token's first half on a line of its own, the client
// compares it (in constant time) and answers with the second half, which
// the kernel compares in turn. A connection that does not prove the
// token within handshakeTimeout is closed; the listener closes once the
// kernel is connected, so nothing else can connect afterwards. Proving
// both ways keeps a kernel from running the code of whoever listens on
// the port should its client have died before the kernel connected. The
// kernel removes the token from its environment (and the file, if any)
// before any cell runs (on Linux /proc/self/environ, the environment the
// process started with, still shows it, but by then the token is spent:
// the listener is closed). The connection then goes on as
// newline-delimited JSON, as over pipes. Interrupts come by message (interrupt_request on
// the control channel), as on every transport.

// TokenEnv is the environment variable that gives a kernel started with
// `--transport tcp` its token (unless --token-file does).
const TokenEnv = "FIRN_KERNEL_TOKEN"

const (
	tokenBytes       = 32               // 64 hex digits: two halves of 128 bits
	handshakeTimeout = 10 * time.Second // for one connection to prove the token
	connectTimeout   = time.Minute      // for a started kernel to connect
)

// TCPLauncher starts a kernel process on this machine that connects back
// to its client over loopback TCP and proves a token (`firn kernel
// --transport tcp`): the default on Windows, and on every system with
// `--kernel local-tcp`.
type TCPLauncher struct{}

// Info is local, tcp.
func (TCPLauncher) Info() LauncherInfo { return LauncherInfo{Name: "local", Transport: "tcp"} }

// Launch listens on 127.0.0.1, starts the kernel process and waits until
// it has connected and proved the token (or ends, or ctx ends).
func (TCPLauncher) Launch(ctx context.Context, spec Spec) (Process, error) {
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("kernel: listen on loopback: %w", err)
	}
	defer ln.Close()
	p, err := startLocal(spec, []string{"--transport", "tcp", "--connect", connectArg(ln.Addr().String())}, []string{TokenEnv + "=" + token}, nil)
	if err != nil {
		return nil, err
	}
	c, r, err := acceptKernel(ctx, ln, token, p.done)
	if err != nil {
		_ = p.Kill()
		<-p.done
		return nil, err
	}
	p.Transport = protocol.NewConn(r, c)
	p.release = c.Close
	return p, nil
}

// newToken makes a token: 64 random hex digits.
func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("kernel: token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// tokenHalves splits a token into what the kernel proves and what the
// client proves.
func tokenHalves(token string) (kernelHalf, clientHalf string) {
	return token[:len(token)/2], token[len(token)/2:]
}

// acceptKernel accepts connections on ln until one proves token, and
// returns it with the reader to go on with. It gives up when the process
// ends (exited), ctx ends or no kernel connected within connectTimeout.
func acceptKernel(ctx context.Context, ln net.Listener, token string, exited <-chan struct{}) (net.Conn, *bufio.Reader, error) {
	type conn struct {
		c net.Conn
		r *bufio.Reader
	}
	won := make(chan conn)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by Launch
			}
			go func() {
				r, err := proveClient(c, token)
				if err != nil {
					c.Close()
					return
				}
				select {
				case won <- conn{c, r}:
				case <-done:
					c.Close()
				}
			}()
		}
	}()
	t := time.NewTimer(connectTimeout)
	defer t.Stop()
	select {
	case w := <-won:
		return w.c, w.r, nil
	case <-exited:
		return nil, nil, errors.New("kernel: the kernel process ended before it connected")
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("kernel: waiting for the kernel to connect: %w", ctx.Err())
	case <-t.C:
		return nil, nil, fmt.Errorf("kernel: the kernel process did not connect within %s", connectTimeout)
	}
}

// proveClient is the client's side of the handshake on c: the kernel's
// half of the token in, the client's out.
func proveClient(c net.Conn, token string) (*bufio.Reader, error) {
	kernelHalf, clientHalf := tokenHalves(token)
	if err := c.SetDeadline(time.Now().Add(handshakeTimeout)); err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(c, 128)
	if err := expectLine(r, kernelHalf); err != nil {
		return nil, err
	}
	if _, err := c.Write([]byte(clientHalf + "\n")); err != nil {
		return nil, err
	}
	return r, c.SetDeadline(time.Time{})
}

// dialClient is the kernel's side: it connects to its client at addr
// and proves token, and checks that the client knows it too.
func dialClient(addr, token string) (protocol.Transport, error) {
	if len(token) != 2*tokenBytes {
		return nil, fmt.Errorf("the token has %d characters, want %d hex digits", len(token), 2*tokenBytes)
	}
	kernelHalf, clientHalf := tokenHalves(token)
	c, err := net.DialTimeout("tcp", addr, handshakeTimeout)
	if err != nil {
		return nil, fmt.Errorf("connect to the client: %w", err)
	}
	fail := func(err error) (protocol.Transport, error) {
		c.Close()
		return nil, fmt.Errorf("connect to the client at %s: %w", addr, err)
	}
	if err := c.SetDeadline(time.Now().Add(handshakeTimeout)); err != nil {
		return fail(err)
	}
	if _, err := c.Write([]byte(kernelHalf + "\n")); err != nil {
		return fail(err)
	}
	r := bufio.NewReaderSize(c, 128)
	if err := expectLine(r, clientHalf); err != nil {
		return fail(fmt.Errorf("the client did not prove the token: %w", err))
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		return fail(err)
	}
	return protocol.NewConn(r, c), nil
}

// expectLine reads one line (at most the reader's buffer) and compares
// it with want in constant time.
func expectLine(r *bufio.Reader, want string) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(line[:len(line)-1], []byte(want)) != 1 {
		return errors.New("wrong token")
	}
	return nil
}

// kernelToken reads the kernel's token from file (if not "") or TokenEnv,
// and removes both: no cell gets it.
func kernelToken(file string) (string, error) {
	token := os.Getenv(TokenEnv)
	os.Unsetenv(TokenEnv)
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		_ = os.Remove(file)
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return "", fmt.Errorf("no token: --transport tcp needs --token-file FILE or $%s", TokenEnv)
	}
	return token, nil
}

// isLoopback reports whether addr (HOST:PORT) is an IP address of this
// machine's loopback interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
