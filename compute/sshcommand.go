package compute

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"
)

// commandWrapper reads the environment lines on standard input, goes to
// the folder $1 (made if need be; "" is the login folder) and runs the
// command; a watcher sends the command SIGTERM when standard input ends
// (Stop, or the connection lost), and the session ends with the
// command, with its status.
//
// A background list's standard input is /dev/null in sh, so the watcher
// reads the session's through descriptor 3.
const commandWrapper = envPrelude + `if [ -n "$1" ]; then mkdir -p "$1" && cd "$1" || exit 1; fi; shift; exec 3<&0; ` +
	`"$@" </dev/null 3<&- & pid=$!; { cat <&3 >/dev/null; kill -TERM "$pid" 2>/dev/null; } >/dev/null 2>&1 & watch=$!; exec 3<&-; ` +
	`wait "$pid"; status=$?; kill "$watch" 2>/dev/null; exit $status`

// SSHCommand is a command running on the host in an SSH session of its
// own (SSHClient.Start): it runs while its standard input on this side
// stays open, and ends with SIGTERM when Stop closes it or when the
// connection is lost.
type SSHCommand struct {
	sess  *ssh.Session
	stdin io.WriteCloser
	done  chan struct{}
	err   error
	once  sync.Once
}

// Start starts args on the host in folder dir (made if need be; "" is
// the login folder), with env (NAME=value entries, sent on the session's
// standard input, never on a command line that other users of the host
// could see) added to the environment the host's sshd gives commands.
// Its standard output and error go to out (nil: discarded).
func (c *SSHClient) Start(dir string, args, env []string, out io.Writer) (*SSHCommand, error) {
	if len(args) == 0 {
		return nil, errors.New("ssh: no command")
	}
	lines, err := envLines(env)
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", c.dest, err)
	}
	line := "sh -c " + shellQuote(commandWrapper) + " sh " + shellQuote(dir)
	for _, a := range args {
		line += " " + shellQuote(a)
	}
	sess, err := c.c.NewSession()
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", c.dest, err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("ssh %s: %w", c.dest, err)
	}
	if out != nil {
		sess.Stdout, sess.Stderr = out, out
	}
	if err := sess.Start(line); err != nil {
		sess.Close()
		return nil, fmt.Errorf("ssh %s: starting %s: %w", c.dest, args[0], err)
	}
	p := &SSHCommand{sess: sess, stdin: stdin, done: make(chan struct{})}
	go func() {
		p.err = sess.Wait()
		close(p.done)
	}()
	if _, err := stdin.Write(lines); err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("ssh %s: %w", c.dest, err)
	}
	return p, nil
}

// Done is closed when the command has ended (or the session with it).
func (p *SSHCommand) Done() <-chan struct{} { return p.done }

// Err is how the command ended, once Done is closed: nil, an
// *ssh.ExitError with its status, or the lost connection's error.
func (p *SSHCommand) Err() error {
	<-p.done
	return p.err
}

// Stop closes the command's standard input (its wrapper then sends it
// SIGTERM) and waits for its end; the end that Stop caused is no error.
func (p *SSHCommand) Stop() error {
	p.once.Do(func() { _ = p.stdin.Close() })
	<-p.done
	var ee *ssh.ExitError
	if p.err != nil && errors.As(p.err, &ee) && (ee.ExitStatus() == 128+15 || ee.ExitStatus() == 0) {
		return nil
	}
	return p.err
}

// Close ends the session at once (the command, its standard input
// gone, is sent SIGTERM by its wrapper on the host).
func (p *SSHCommand) Close() error {
	p.once.Do(func() { _ = p.stdin.Close() })
	return p.sess.Close()
}
