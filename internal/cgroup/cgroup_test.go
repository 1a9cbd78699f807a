package cgroup

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The test binary is also the child process the tests put into groups:
// FIRN_CGROUP_CHILD=wait waits for stdin to close; =alloc touches 512
// MiB and then waits.
func TestMain(m *testing.M) {
	switch os.Getenv("FIRN_CGROUP_CHILD") {
	case "wait":
		_, _ = os.Stdin.Read(make([]byte, 1))
		os.Exit(0)
	case "alloc":
		_, _ = os.Stdin.Read(make([]byte, 1)) // joined the group
		b := make([]byte, 512<<20)
		for i := range b {
			if i%4096 == 0 {
				b[i] = 1
			}
		}
		os.Stdout.WriteString("allocated\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestGroupOnThisMachine makes a real group in the machine's hierarchy
// (root only; this machine's is v1, cgroup v2 having no cpu controller
// in its hybrid layout): the limits read back from the kernel's files, a
// process joins it, and a process that touches more memory than the
// group's cap is killed by the kernel.
func TestGroupOnThisMachine(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making cgroups needs root (CI runs the tests as root)")
	}
	h, err := Detect("/sys/fs/cgroup")
	if err != nil {
		t.Skipf("no usable hierarchy here: %v", err)
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	top := "firn-test-" + hex.EncodeToString(b[:])
	g, err := h.Group(top+"/alice", Limits{Weight: 100, CPUs: 0.5, Memory: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Remove(); err != nil {
			t.Errorf("remove: %v", err)
		}
		for _, d := range g.dirs {
			os.Remove(filepath.Dir(d))
		}
	})
	t.Logf("cgroup v%d: %v", h.Version, g.dirs)
	switch h.Version {
	case 1:
		if got := read(t, filepath.Join(g.dirs[0], "cpu.cfs_quota_us")); got != "50000" {
			t.Errorf("cpu.cfs_quota_us %s, want 50000 (half a CPU)", got)
		}
		if got := read(t, filepath.Join(g.dirs[0], "cpu.shares")); got != "1024" {
			t.Errorf("cpu.shares %s, want 1024", got)
		}
		if len(g.dirs) == 2 {
			if got := read(t, filepath.Join(g.dirs[1], "memory.limit_in_bytes")); got != "268435456" {
				t.Errorf("memory.limit_in_bytes %s, want 268435456", got)
			}
		}
	case 2:
		if got := read(t, filepath.Join(g.dirs[0], "cpu.max")); got != "50000 100000" {
			t.Errorf("cpu.max %q, want half a CPU", got)
		}
	}

	child := func(mode string) (*exec.Cmd, *os.File) {
		c := exec.Command(os.Args[0])
		c.Env = append(os.Environ(), "FIRN_CGROUP_CHILD="+mode)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		c.Stdin = r
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		return c, w
	}
	c, stdin := child("wait")
	if err := g.Join(c.Process.Pid); err != nil {
		t.Fatal(err)
	}
	for _, procs := range g.Procs() {
		if got := read(t, procs); got != strconv.Itoa(c.Process.Pid) {
			t.Errorf("%s: %q, want the child %d alone", procs, got, c.Process.Pid)
		}
	}
	stdin.Close()
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}

	if h.Version == 1 && len(g.dirs) < 2 {
		return
	}
	c, stdin = child("alloc")
	if err := g.Join(c.Process.Pid); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	err = c.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("a process touching 512 MiB in a group capped at 256 MiB ended with %v, want killed (SIGKILL) by the kernel", err)
	}
}

// TestGroupV2Files: on cgroup v2 (not on this machine: the writes are
// checked on a folder laid out as the kernel lays out a v2 root with
// the cpu and memory controllers), Detect delegates the controllers at
// the root, Group at each level above the group, and the limits go into
// cpu.weight, cpu.max and memory.max; no cap is "max".
func TestGroupV2Files(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "cgroup.controllers"), "cpuset cpu io memory pids\n")
	write(filepath.Join(root, "cgroup.subtree_control"), "")
	write(filepath.Join(root, "firn-hub", "cgroup.controllers"), "cpu memory\n")
	write(filepath.Join(root, "firn-hub", "cgroup.subtree_control"), "")
	for _, u := range []string{"alice", "bob"} {
		write(filepath.Join(root, "firn-hub", u, "memory.max"), "max\n")
	}
	h, err := Detect(root)
	if err != nil || h.Version != 2 {
		t.Fatalf("Detect: %+v %v, want v2", h, err)
	}
	if got := read(t, filepath.Join(root, "cgroup.subtree_control")); got != "+cpu +memory" {
		t.Errorf("the root's subtree_control: %q", got)
	}
	for _, c := range []struct {
		user   string
		l      Limits
		weight string
		cpuMax string
		memMax string
	}{
		{"alice", Limits{Weight: 100, CPUs: 1.5, Memory: 4 << 30}, "100", "150000 100000", "4294967296"},
		{"bob", Limits{Weight: 200}, "200", "max 100000", "max"},
	} {
		g, err := h.Group("firn-hub/"+c.user, c.l)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "firn-hub", c.user)
		if got := read(t, filepath.Join(dir, "cpu.weight")); got != c.weight {
			t.Errorf("%s cpu.weight %q, want %q", c.user, got, c.weight)
		}
		if got := read(t, filepath.Join(dir, "cpu.max")); got != c.cpuMax {
			t.Errorf("%s cpu.max %q, want %q", c.user, got, c.cpuMax)
		}
		if got := read(t, filepath.Join(dir, "memory.max")); got != c.memMax {
			t.Errorf("%s memory.max %q, want %q", c.user, got, c.memMax)
		}
		if p := g.Procs(); len(p) != 1 || p[0] != filepath.Join(dir, "cgroup.procs") {
			t.Errorf("%s procs %v", c.user, p)
		}
	}
	if got := read(t, filepath.Join(root, "firn-hub", "cgroup.subtree_control")); got != "+cpu +memory" {
		t.Errorf("firn-hub's subtree_control: %q", got)
	}
}

// TestDetectRefuses: a v2 root without the cpu controller and no v1 cpu
// hierarchy is refused, saying what is missing; bad names and limits
// are refused.
func TestDetectRefuses(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte("hugetlb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Detect(root); err == nil || !strings.Contains(err.Error(), "no cgroup hierarchy with the cpu controller under "+root) {
		t.Errorf("Detect without cpu: %v", err)
	}
	h := &Hierarchy{Version: 1, cpu: t.TempDir()}
	for _, c := range []struct {
		name string
		l    Limits
		want string
	}{
		{"../escape", Limits{}, "want a relative path"},
		{"/abs", Limits{}, "want a relative path"},
		{"firn-hub/alice", Limits{Weight: 20000}, "want 1 to 10000"},
		{"firn-hub/alice", Limits{CPUs: -1}, "want 0 or more"},
		{"firn-hub/alice", Limits{Memory: 1 << 30}, "needs the v1 memory hierarchy"},
	} {
		if _, err := h.Group(c.name, c.l); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Group(%q, %+v): %v, want %q", c.name, c.l, err, c.want)
		}
	}
}
