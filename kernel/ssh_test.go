//go:build unix

package kernel

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testsshd"
)

// TestSSHKernel: a kernel on a host reached over SSH (Debian's sshd on
// loopback, started by the test; the host is this machine): it runs in
// the launcher's folder there, with the environment the user added and
// not the client's own, its broker forwarded through the SSH
// connection; interrupt keeps its variables, restart starts a new
// process; a kernel killed on the host is reported dead at once with how
// its session ended, and comes back; shutdown leaves no process.
func TestSSHKernel(t *testing.T) {
	s := testsshd.Start(t)
	t.Setenv("FIRN_TEST_CLIENT_SECRET", "not for the host")
	dir := filepath.Join(t.TempDir(), "on-the-host")
	launcher := SSHLauncher{
		SSH: compute.SSH{Host: "127.0.0.1", Port: s.Port, User: s.User, IdentityFile: s.UserKey, KnownHosts: s.KnownHosts, Command: os.Args[0]},
		Dir: dir,
	}
	k, ctx := startKernel(t, Options{Launcher: launcher, Env: []string{"FIRN_TEST_KERNEL_VAR=on the host"}})
	if got := k.Launcher(); got.Name != "ssh" || got.Transport != "nats" {
		t.Errorf("launcher %+v", got)
	}
	run(t, ctx, k, `import "os"`)
	_, out := run(t, ctx, k, `wd, _ := os.Getwd(); wd + " " + os.Getenv("FIRN_TEST_KERNEL_VAR") + " [" + os.Getenv("FIRN_TEST_CLIENT_SECRET") + "]"`)
	if want := "[execute_result] \"" + dir + " on the host []\"\n"; out != want {
		t.Errorf("the kernel's folder and environment: %q, want %q", out, want)
	}
	if _, out := run(t, ctx, k, `werr := os.WriteFile("made-there.txt", []byte("ice"), 0o644); fmt.Println(werr)`); out != "<nil>\n" {
		t.Errorf("write in its workspace: %q", out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "made-there.txt")); err != nil || string(b) != "ice" {
		t.Errorf("the file the cell wrote on the host: %q %v", b, err)
	}
	// A line a process on the host could read: the token is not on it.
	pid := func() int {
		_, out := run(t, ctx, k, `os.Getpid()`)
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(out, "[execute_result] ")))
		if err != nil {
			t.Fatalf("pid: %q", out)
		}
		return n
	}
	first := pid()
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(first) + "/cmdline")
	if !strings.Contains(string(cmdline), "--transport\x00nats") || strings.Contains(string(cmdline), "token") {
		t.Errorf("the kernel's command line on the host: %q", cmdline)
	}

	interruptKeepsVariables(t, ctx, k)
	if err := k.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, k, `import "os"`)
	second := pid()
	if second == first {
		t.Errorf("after a restart the kernel is still process %d", first)
	}

	// Killed on the host: the client hears it from the session's end,
	// without waiting for the heartbeat's silence.
	if err := exec.Command("kill", "-9", strconv.Itoa(second)).Run(); err != nil {
		t.Fatal(err)
	}
	e := waitEvent(t, k, EventDied)
	if !strings.Contains(e.Cause, "ended on 127.0.0.1") {
		t.Errorf("the death's cause: %q, want the host named", e.Cause)
	}
	waitEvent(t, k, EventRestarted)
	run(t, ctx, k, `import "os"`)
	third := pid()
	if err := k.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int{first, second, third} {
		if err := waitGone(p); err != nil {
			t.Errorf("kernel process %d after shutdown: %v", p, err)
		}
	}
}

// waitGone waits until process pid no longer exists (it is not our
// child: its end cannot be waited for otherwise).
func waitGone(pid int) error {
	deadline := time.Now().Add(testTimeout)
	for {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still there after %s", testTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSSHLauncherNamed: --kernel ssh://… as a user writes it, and the
// mistakes named.
func TestSSHLauncherNamed(t *testing.T) {
	for _, c := range []struct {
		name string
		want SSHLauncher
		err  string
	}{
		{"ssh://login.example.org", SSHLauncher{SSH: compute.SSH{Host: "login.example.org"}}, ""},
		{"ssh://me@login.example.org:2222/work/glaciers?key=/k/id&known_hosts=/k/kh&firn=/opt/firn/bin/firn",
			SSHLauncher{SSH: compute.SSH{Host: "login.example.org", Port: 2222, User: "me", IdentityFile: "/k/id", KnownHosts: "/k/kh", Command: "/opt/firn/bin/firn"}, Dir: "work/glaciers"}, ""},
		{"ssh://me@host//scratch/me", SSHLauncher{SSH: compute.SSH{Host: "host", User: "me"}, Dir: "/scratch/me"}, ""},
		{"ssh://me:pw@host", SSHLauncher{}, "no password in the URL"},
		{"ssh://host:99999", SSHLauncher{}, `port "99999"`},
		{"ssh://host?user=me", SSHLauncher{}, `unknown setting "user"`},
		{"ssh:///dir", SSHLauncher{}, "want ssh://[USER@]HOST"},
	} {
		got, err := SSHLauncherNamed(c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v %v, want %+v", c.name, got, err, c.want)
		}
	}
	if l, err := LauncherNamed("ssh://host"); err != nil || l.Info().Name != "ssh" {
		t.Errorf("LauncherNamed(ssh://host): %v %v", l, err)
	}
}
