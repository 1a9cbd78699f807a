package testsshd

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Server is an sshd started by a test on 127.0.0.1.
type Server struct {
	// Addr is 127.0.0.1:Port.
	Addr string
	Port int
	// HostKey is the server's host key; KnownHosts a known_hosts file
	// that gives it for Addr.
	HostKey    ssh.PublicKey
	KnownHosts string
	// UserKey is a private key file (no passphrase) that may log in as
	// User, the current user.
	UserKey string
	User    string
	mu      sync.Mutex
	log     bytes.Buffer
}

// Keygen makes an ed25519 key pair at path and path.pub with ssh-keygen
// (no passphrase), as a user would, and returns its public key.
func Keygen(t testing.TB, path string) ssh.PublicKey {
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

// Start starts sshd -D with its own configuration (config lines are
// added to it: "SetEnv NAME=value" gives sessions a variable), waits
// until it says that it listens, and stops it when the test ends. It
// skips the test without openssh-server.
func Start(t testing.TB, config ...string) *Server {
	t.Helper()
	const bin = "/usr/sbin/sshd" // sshd must be started by its full path
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no %s (apt-get install openssh-server; scripts/test.sh does)", bin)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &Server{User: u.Username, UserKey: filepath.Join(dir, "user_ed25519")}
	s.HostKey = Keygen(t, filepath.Join(dir, "host_ed25519"))
	userPub := Keygen(t, s.UserKey)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(userPub), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		// Debian's sshd, run as root, wants its privilege separation
		// folder (its service makes it when it starts).
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
	conf := filepath.Join(dir, "sshd_config")
	lines := append([]string{
		"Port " + strconv.Itoa(s.Port),
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
	// Ready when its log (stderr, kept for Log) says it listens, or
	// when it ends.
	ready := make(chan struct{})
	go func() {
		var once sync.Once
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.log.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if strings.Contains(sc.Text(), "Server listening on "+s.Addr[:strings.LastIndex(s.Addr, ":")]+" port "+strconv.Itoa(s.Port)) {
				once.Do(func() { close(ready) })
			}
		}
		once.Do(func() { close(ready) })
	}()
	<-ready
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatalf("sshd is not listening on %s: %v\n%s", s.Addr, err, s.Log())
	}
	c.Close()
	s.KnownHosts = filepath.Join(dir, "known_hosts")
	s.WriteKnownHosts(t, s.KnownHosts, s.HostKey)
	return s
}

// Log is what sshd has logged so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// WriteKnownHosts writes a known_hosts file that gives key for s's
// address.
func (s *Server) WriteKnownHosts(t testing.TB, path string, key ssh.PublicKey) {
	t.Helper()
	line := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, key)
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
