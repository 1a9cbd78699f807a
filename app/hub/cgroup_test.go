package hub

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/cgroup"
)

// TestCgroupPerUser (root, on a machine with a cgroup hierarchy with
// the cpu controller: this one's is v1): all of a user's kernels share
// one control group of the user's, with the user's CPU cap; another
// user's kernels are in their own; and a cell that takes more memory
// than all of the user's kernels may have together is stopped by the
// system, its page told that the kernel died.
func TestCgroupPerUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("control groups need root (CI runs the tests as root)")
	}
	if _, err := cgroup.Detect("/sys/fs/cgroup"); err != nil {
		t.Skipf("no cgroup hierarchy with cpu here: %v", err)
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	top := "firn-hub-test-" + hex.EncodeToString(b[:])
	// Registered first, so it runs after the hub's shutdown.
	t.Cleanup(func() {
		for _, h := range []string{"cpu", "memory", "unified", ""} {
			os.Remove(filepath.Join("/sys/fs/cgroup", h, top))
		}
	})
	th := newTestHub(t, func(o *Options) {
		o.Cgroups, o.CgroupName = "/sys/fs/cgroup", top
		o.Limits = Limits{CPUs: 0.5, UserMemory: 300 << 20}
	})
	alice, bob := th.aliceAndBob()

	pidOf := func(b *browser, user, id string) int {
		t.Helper()
		_, body := b.do("GET", "/user/"+user+"/api/sessions/"+id, nil)
		var s struct {
			Kernel struct{ Pid int } `json:"kernel"`
		}
		if err := json.Unmarshal(body, &s); err != nil || s.Kernel.Pid == 0 {
			t.Fatalf("session %s: %v %s", id, err, body)
		}
		return s.Kernel.Pid
	}
	a1 := alice.openNotebook("alice", "one.ipynb", "c1", "")
	a2 := alice.openNotebook("alice", "two.ipynb", "c1", "")
	b1 := bob.openNotebook("bob", "mine.ipynb", "c1", "")
	// Each kernel has started once it has answered a cell (before, its
	// pid is not known yet).
	for _, c := range []struct {
		b        *browser
		user, id string
	}{{alice, "alice", a2}, {bob, "bob", b1}} {
		conn, _ := c.b.dial("/user/" + c.user + "/api/sessions/" + c.id + "/ws")
		execute(t, conn, "s", "c1", `1`)
		until(t, conn, replyTo("s"))
	}
	conn, _ := alice.dial("/user/alice/api/sessions/" + a1 + "/ws")
	execute(t, conn, "m1", "c1", `1`)
	until(t, conn, replyTo("m1"))
	for _, c := range []struct {
		user string
		pids []int
	}{
		{"alice", []int{pidOf(alice, "alice", a1), pidOf(alice, "alice", a2)}},
		{"bob", []int{pidOf(bob, "bob", b1)}},
	} {
		for _, d := range th.hub.users[c.user].group.Procs() {
			raw, err := os.ReadFile(d)
			if err != nil {
				t.Fatal(err)
			}
			var in []int
			for _, f := range strings.Fields(string(raw)) {
				n, _ := strconv.Atoi(f)
				in = append(in, n)
			}
			slices.Sort(in)
			want := slices.Sorted(slices.Values(c.pids))
			if !slices.Equal(in, want) {
				t.Errorf("%s: %v, want %s's kernels %v", d, in, c.user, want)
			}
		}
	}
	dir := filepath.Dir(th.hub.users["alice"].group.Procs()[0])
	if q, err := os.ReadFile(filepath.Join(dir, "cpu.cfs_quota_us")); err == nil && strings.TrimSpace(string(q)) != "50000" {
		t.Errorf("alice's cpu.cfs_quota_us %s, want 50000 (Limits.CPUs 0.5)", q)
	} else if q, err := os.ReadFile(filepath.Join(dir, "cpu.max")); err == nil && !strings.HasPrefix(string(q), "50000 ") {
		t.Errorf("alice's cpu.max %s, want 50000 per 100000", q)
	}

	// 400 MiB touched, when alice's kernels together may have 300.
	execute(t, conn, "m2", "c1", `big := make([]byte, 400<<20)
for i := 0; i < len(big); i += 4096 { big[i] = 1 }
fmt.Println("allocated", len(big))`)
	frames := until(t, conn, replyTo("m2"))
	var saw []string
	for _, f := range frames {
		if f.Msg != nil {
			saw = append(saw, f.Msg.Type()+" "+string(f.Msg.Content))
		}
	}
	all := strings.Join(saw, "\n")
	if strings.Contains(all, "allocated 4") || !strings.Contains(all, `"ename":"MemoryLimit","evalue":"the kernels of alice together passed their memory limit of 300 MiB (a limit of this hub), and the system stopped this one: kernel process signal: killed"`) {
		t.Errorf("a cell over the user's memory: want it stopped, got:\n%s", all)
	}
	// Her other kernel, and bob's, were not touched.
	for _, c := range []struct {
		b          *browser
		user, id   string
		code, want string
	}{{alice, "alice", a2, "2+2", "4"}, {bob, "bob", b1, "3+3", "6"}} {
		conn, _ := c.b.dial("/user/" + c.user + "/api/sessions/" + c.id + "/ws")
		execute(t, conn, "x", "c1", c.code)
		fs := until(t, conn, replyTo("x"))
		found := false
		for _, f := range fs {
			if f.Msg != nil && f.Msg.Type() == "execute_result" && strings.Contains(string(f.Msg.Content), `"text/plain":"`+c.want+`"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s's %s after alice's kernel was stopped: no result %s", c.user, c.id, c.want)
		}
	}
}
