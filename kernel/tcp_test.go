package kernel

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// The client's side of the handshake refuses connections that do not
// prove the token, whatever they send or do not send, takes the kernel's
// and then closes its listener.
func TestTCPHandshakeClient(t *testing.T) {
	token, err := newToken()
	if err != nil {
		t.Fatal(err)
	}
	kernelHalf, clientHalf := tokenHalves(token)
	other, _ := newToken()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type accepted struct {
		c   net.Conn
		r   *bufio.Reader
		err error
	}
	got := make(chan accepted, 1)
	go func() {
		c, r, err := acceptKernel(ctx, ln, token, nil)
		ln.Close()
		got <- accepted{c, r, err}
	}()

	// A connection that says nothing does not hold the door shut.
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for _, tc := range []struct{ name, send string }{
		{"the client's half", clientHalf + "\n"},
		{"another token's half", other[:len(other)/2] + "\n"},
		{"the whole token", token + "\n"},
		{"the half and more", kernelHalf + "x\n"},
		{"a message", `{"header":{"msg_type":"execute_request"},"content":{"code":"1+1"}}` + "\n"},
		{"a long line", strings.Repeat("a", 4096) + "\n"},
		{"the half without its newline, then the end", kernelHalf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte(tc.send)); err != nil {
				t.Fatal(err)
			}
			if cw, ok := c.(*net.TCPConn); ok && !strings.HasSuffix(tc.send, "\n") {
				cw.CloseWrite()
			}
			// refused: closed without an answer
			// (a reset, when the kernel's side closed with data unread;
			// the deadline is a safety net for a side that answers)
			c.SetReadDeadline(time.Now().Add(2 * handshakeTimeout))
			if b, _ := io.ReadAll(c); len(b) != 0 {
				t.Errorf("answered %q, want the connection closed", b)
			}
		})
	}
	select {
	case a := <-got:
		t.Fatalf("a connection without the token was taken: %+v", a)
	default:
	}

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(kernelHalf + "\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != clientHalf+"\n" {
		t.Fatalf("the kernel got %q (%v), want the client's half", line, err)
	}
	a := <-got
	if a.err != nil {
		t.Fatal(a.err)
	}
	defer a.c.Close()
	// messages go on over the connection
	m, _ := protocol.New("s", protocol.Shell, protocol.KernelInfoRequest, nil, struct{}{})
	if err := protocol.NewConn(c, c).Send(m); err != nil {
		t.Fatal(err)
	}
	if r, err := protocol.NewConn(a.r, a.c).Receive(); err != nil || r.Type() != protocol.KernelInfoRequest {
		t.Errorf("after the handshake: %v, %v", r, err)
	}
	// and the listener is closed: nobody else connects
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("the listener still accepts after the kernel connected")
	}
}

// The kernel's side refuses a client that does not know the token's
// second half.
func TestTCPHandshakeKernel(t *testing.T) {
	token, _ := newToken()
	kernelHalf, clientHalf := tokenHalves(token)
	for _, tc := range []struct {
		name, answer string
		ok           bool
	}{
		{"the client's half", clientHalf + "\n", true},
		{"the kernel's half sent back", kernelHalf + "\n", false},
		{"nothing", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			heard := make(chan string, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				heard <- line
				c.Write([]byte(tc.answer))
				if tc.ok {
					m, _ := protocol.New("s", protocol.Shell, protocol.KernelInfoRequest, nil, struct{}{})
					protocol.NewConn(c, c).Send(m)
				}
			}()
			conn, err := dialClient(ln.Addr().String(), token)
			if line := <-heard; line != kernelHalf+"\n" {
				t.Errorf("the kernel sent %q, want its half of the token", line)
			}
			if !tc.ok {
				if err == nil {
					t.Fatal("connected to a client that did not prove the token")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m, err := conn.Receive(); err != nil || m.Type() != protocol.KernelInfoRequest {
				t.Errorf("after the handshake: %v, %v", m, err)
			}
		})
	}
}

// `firn kernel` refuses a TCP or NATS transport it cannot use safely,
// with a message, before it serves anything.
func TestKernelTransportFlags(t *testing.T) {
	token, _ := newToken()
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"unknown transport", []string{"--transport", "carrier-pigeon"}, nil, `--transport "carrier-pigeon": want pipe, tcp or nats`},
		{"nats without a subject", []string{"--transport", "nats", "--connect", "nats://127.0.0.1:9"}, nil, "--transport nats needs --connect URL and --subject S"},
		{"nats in clear to another machine", []string{"--transport", "nats", "--connect", "nats://192.0.2.1:4222", "--subject", "firn.kernel.x"}, nil, "192.0.2.1 is not this machine, and nats:// is not encrypted"},
		{"no address", []string{"--transport", "tcp"}, []string{TokenEnv + "=" + token}, "--connect"},
		{"not loopback", []string{"--transport", "tcp", "--connect", "tcp://192.0.2.1:9"}, []string{TokenEnv + "=" + token}, "only a loopback address"},
		{"no token", []string{"--transport", "tcp", "--connect", "tcp://127.0.0.1:9"}, nil, "no token"},
		{"a short token", []string{"--transport", "tcp", "--connect", "tcp://127.0.0.1:9"}, []string{TokenEnv + "=abc"}, "want 64 hex digits"},
		{"no client", []string{"--transport", "tcp", "--connect", "tcp://127.0.0.1:9"}, []string{TokenEnv + "=" + token}, "connect to the client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], append([]string{"--workspace", t.TempDir()}, tc.args...)...)
			cmd.Env = append(kernelEnv(os.Environ(), nil, nil, runtime.GOOS), append(tc.env, "FIRN_KERNEL_CHILD=1")...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "firn kernel: ") || !strings.Contains(string(out), tc.want) {
				t.Errorf("%v: %v\n%s\nwant exit status 2 and %q", tc.args, err, out, tc.want)
			}
		})
	}
}

// A kernel over TCP: its token is not on its command line nor in its
// cells' environment, it speaks over a socket, and it restarts over a
// new connection, after a death as when asked.
func TestTCPKernel(t *testing.T) {
	k, ctx := startKernel(t, Options{Launcher: TCPLauncher{}})
	pid := k.Pid()
	if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		args := strings.Split(string(cmdline), "\x00")
		if !strings.Contains(strings.Join(args, " "), "--transport tcp --connect tcp://127.0.0.1:") {
			t.Errorf("kernel command line %q", args)
		}
		for _, a := range args {
			if regexp.MustCompile(`[0-9a-f]{32}`).MatchString(a) {
				t.Errorf("a token on the kernel's command line: %q", a)
			}
		}
		// its protocol goes over a socket, not over descriptors 3 and 4
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		sockets := 0
		for _, fd := range fds {
			if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); strings.HasPrefix(l, "socket:") {
				sockets++
			}
		}
		if sockets != 1 {
			t.Errorf("the kernel has %d sockets open, want 1", sockets)
		}
	} else {
		t.Logf("no /proc: the command line is not checked (%v)", err)
	}
	if _, out := run(t, ctx, k, `os.Getenv("`+TokenEnv+`") + fmt.Sprint(strings.Contains(strings.Join(os.Environ(), " "), "`+TokenEnv+`"))`); out != "[execute_result] \"false\"\n" {
		t.Errorf("the token in a cell's environment: %q", out)
	}

	run(t, ctx, k, "x := 1")
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
	if e := waitEvent(t, k, EventDied); !strings.Contains(e.Cause, "kernel process") {
		t.Errorf("death cause %q", e.Cause)
	}
	waitEvent(t, k, EventRestarted)
	if reply, out := run(t, ctx, k, "x"); reply.Status != "error" || !strings.Contains(out, "undefined: x") {
		t.Errorf("after the restart: %s %q, want a fresh kernel", reply.Status, out)
	}
	if err := k.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if _, out := run(t, ctx, k, "1+1"); out != "[execute_result] 2\n" {
		t.Errorf("after Restart: %q", out)
	}
	if k.Pid() == pid {
		t.Error("the same process after two restarts")
	}
}

// A kernel over TCP that cannot start says why, with the crash message
// of the process.
func TestTCPKernelStartFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := Start(ctx, Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: t.TempDir(), Launcher: TCPLauncher{}, MemoryLimit: -1})
	if err == nil || !strings.Contains(err.Error(), "ended before it connected") || !strings.Contains(err.Error(), "--memory-limit") {
		t.Errorf("err = %v, want the kernel's end and its message", err)
	}
}
