//go:build unix

package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/firnglacier/firn/internal/cgroup"
	"github.com/firnglacier/firn/kernel"
)

// unixTestHub is a hub run as root with a Unix account per user and the
// sandbox lifted. Its accounts have a prefix of their own, and are
// removed after the test. The kernel program (this test binary) is
// copied where every account may run it.
func unixTestHub(t *testing.T) (*testHub, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("Unix accounts per user need root (CI runs the tests as root)")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		t.Fatal("the Unix account tests need useradd (Debian's passwd package)")
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	prefix := "ft" + hex.EncodeToString(b[:]) + "-"
	bin, err := os.MkdirTemp("", "firn-unix-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	prog := filepath.Join(bin, "firn")
	copyProgram(t, os.Args[0], prog)
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, name := range []string{"alice", "bob"} {
			if _, err := user.Lookup(prefix + name); err == nil {
				if out, err := exec.Command("userdel", prefix+name).CombinedOutput(); err != nil {
					t.Errorf("userdel %s: %v %s", prefix+name, err, out)
				}
			}
		}
	})
	// The data folder's parent must be passable for the accounts
	// (t.TempDir's are 0700).
	data := filepath.Join(bin, "data")
	// With control groups too, where the machine has them, as a hub run
	// as root has by default.
	cgroups, top := "", prefix+"hub"
	if _, err := cgroup.Detect("/sys/fs/cgroup"); err == nil {
		cgroups = "/sys/fs/cgroup"
		t.Cleanup(func() {
			for _, h := range []string{"cpu", "memory", "unified", ""} {
				os.Remove(filepath.Join("/sys/fs/cgroup", h, top))
			}
		})
	}
	th := newTestHub(t, func(o *Options) {
		o.UnixUsers, o.UnixPrefix, o.LiftSandbox = true, prefix, true
		o.KernelOptions.Command = []string{prog}
		o.Data = data
		o.Cgroups, o.CgroupName = cgroups, top
	})
	return th, prefix
}

func copyProgram(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// ownerOf is the uid that owns file.
func ownerOf(t *testing.T, file string) uint32 {
	t.Helper()
	fi, err := os.Lstat(file)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Uid
}

// TestUnixAccounts: with the hub as root and --unix-users, each user's
// kernels run under their own account (made by the hub), and the
// system keeps them apart even with the sandbox lifted: bob's cell
// cannot read alice's file, list the users' folders or read the hub's
// database. Everything in a user's workspace is theirs, whoever wrote
// it: a notebook the page saved, a published lesson synced in, files
// their cells wrote, so that their cells can change all of them.
func TestUnixAccounts(t *testing.T) {
	th, prefix := unixTestHub(t)
	th.addUser("alice", "moraine-2026")
	th.addUser("bob", "drumlin-2026")
	lesson := filepath.Join(t.TempDir(), "week1")
	writeFile(t, filepath.Join(lesson, "lesson.ipynb"), lessonNotebook("v1"))
	if _, err := th.hub.Publish(context.Background(), "glac101", "week1", lesson); err != nil {
		t.Fatal(err)
	}
	alice, bob := th.browser(), th.browser()
	alice.mustLogin("alice", "moraine-2026")
	bob.mustLogin("bob", "drumlin-2026")
	for _, b := range []*browser{alice, bob} {
		if st, body := b.do("GET", "/user/"+map[*browser]string{alice: "alice", bob: "bob"}[b]+"/", nil); st != 200 {
			t.Fatalf("the notebooks page: %d %.200s", st, body)
		}
	}

	accounts := map[string]uint32{}
	for _, name := range []string{"alice", "bob"} {
		u, err := user.Lookup(prefix + name)
		if err != nil {
			t.Fatalf("the hub made no account for %s: %v", name, err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		accounts[name] = uint32(uid)
		if u.HomeDir != th.hub.Workspace(name) {
			t.Errorf("%s's account's home: %s, want the workspace %s", name, u.HomeDir, th.hub.Workspace(name))
		}
	}
	aws := th.hub.Workspace("alice")
	aID := alice.openNotebook("alice", "work.ipynb", "c1", "")
	aconn, _ := alice.dial("/user/alice/api/sessions/" + aID + "/ws")
	run := func(conn interface {
		WriteJSON(any) error
	}, id, code string) {
		t.Helper()
		if err := conn.WriteJSON(map[string]any{"type": "execute", "msg_id": id, "cell_id": "c1", "code": code}); err != nil {
			t.Fatal(err)
		}
	}
	run(aconn, "a1", `import "os/exec"
os.WriteFile("secret.txt", []byte("alice's answer"), 0o644)
os.WriteFile("week1/out.csv", []byte("year,volume\n"), 0o644)
nb, _ := os.ReadFile("work.ipynb")
os.WriteFile("work-copy.ipynb", nb, 0o644)
who, err := exec.Command("id", "-un").Output()
fmt.Printf("uid=%d who=%s err=%v\n", os.Getuid(), strings.TrimSpace(string(who)), err)`)
	out := textOf(until(t, aconn, replyTo("a1")))
	if want := fmt.Sprintf("uid=%d who=%s%s err=<nil>", accounts["alice"], prefix, "alice"); !strings.Contains(out, want) {
		t.Fatalf("alice's cell printed %q, want %q (her account, a program run: the sandbox is lifted)", out, want)
	}
	for _, f := range []string{"", "work.ipynb", "secret.txt", "week1", "week1/lesson.ipynb", "week1/out.csv", "work-copy.ipynb"} {
		if got := ownerOf(t, filepath.Join(aws, f)); got != accounts["alice"] {
			t.Errorf("alice's %q belongs to uid %d, want her account's %d", f, got, accounts["alice"])
		}
	}
	if g := th.hub.users["alice"].group; g != nil {
		raw, err := os.ReadFile(g.Procs()[0])
		if err != nil || !strings.Contains(string(raw), strconv.Itoa(alicePid(t, alice, aID))) {
			t.Errorf("alice's kernel, under her account, is not in her control group: %v %q", err, raw)
		}
	}
	if fi, _ := os.Stat(aws); fi.Mode().Perm() != 0o700 {
		t.Errorf("alice's workspace has mode %s, want 0700", fi.Mode().Perm())
	}

	bID := bob.openNotebook("bob", "mine.ipynb", "c1", "")
	bconn, _ := bob.dial("/user/bob/api/sessions/" + bID + "/ws")
	run(bconn, "b1", fmt.Sprintf(`for _, p := range []string{%q, %q, %q} {
	_, err := os.ReadFile(p)
	fmt.Println("read:", err)
}
_, err := os.ReadDir(%q)
fmt.Println("list:", err)
fmt.Println("write:", os.WriteFile(%q, []byte("bob was here"), 0o644))`,
		filepath.Join(aws, "secret.txt"), filepath.Join(aws, "work.ipynb"), filepath.Join(th.hub.opts.Data, "hub.db"),
		filepath.Join(th.hub.opts.Data, "users"), filepath.Join(aws, "bob.txt")))
	out = textOf(until(t, bconn, replyTo("b1")))
	if n := strings.Count(out, "permission denied"); n != 5 {
		t.Errorf("bob's cell, reading alice's files and the hub's database, listing the users and writing into alice's folder, printed:\n%s\nwant 5 times permission denied", out)
	}
	if _, err := os.Stat(filepath.Join(aws, "bob.txt")); err == nil {
		t.Error("bob's cell wrote into alice's workspace")
	}

	// The page saves alice's notebook again (the hub writes it as root):
	// it stays hers, and her cell can still change it.
	var doc struct {
		ETag string `json:"etag"`
	}
	_, body := alice.do("GET", "/user/alice/api/files/content?path=work.ipynb", nil)
	if err := json.Unmarshal(body, &doc); err != nil || doc.ETag == "" {
		t.Fatalf("GET work.ipynb: %v %.200s", err, body)
	}
	if st, body := alice.do("PUT", "/user/alice/api/files/content?path=work.ipynb", map[string]any{"notebook": notebook("c1", "1+1"), "etag": doc.ETag}); st != 200 {
		t.Fatalf("save work.ipynb: %d %s", st, body)
	}
	if got := ownerOf(t, filepath.Join(aws, "work.ipynb")); got != accounts["alice"] {
		t.Errorf("work.ipynb saved by the page belongs to uid %d, want alice's %d", got, accounts["alice"])
	}
	run(aconn, "a2", `fmt.Println("rewrite:", os.WriteFile("work.ipynb", nb, 0o644))`)
	if out := textOf(until(t, aconn, replyTo("a2"))); !strings.Contains(out, "rewrite: <nil>") {
		t.Errorf("alice's cell rewriting her saved notebook: %q", out)
	}
}

// alicePid is the process of alice's kernel of session id.
func alicePid(t *testing.T, b *browser, id string) int {
	t.Helper()
	_, body := b.do("GET", "/user/alice/api/sessions/"+id, nil)
	var s struct {
		Kernel struct{ Pid int } `json:"kernel"`
	}
	if err := json.Unmarshal(body, &s); err != nil || s.Kernel.Pid == 0 {
		t.Fatalf("session %s: %v %s", id, err, body)
	}
	return s.Kernel.Pid
}

// TestUnixAccountsRefused: a hub not run as root, an account of the
// name that is someone else's, and the sandbox lifted without accounts
// are refused with a message that says what to do.
func TestUnixAccountsRefused(t *testing.T) {
	if _, err := New(Options{Data: t.TempDir(), LiftSandbox: true}); err == nil || !strings.Contains(err.Error(), "--unix-users") {
		t.Errorf("the sandbox lifted without accounts: %v", err)
	}
	if os.Geteuid() != 0 {
		t.Skip("the rest needs root")
	}
	closed, err := os.MkdirTemp("", "firn-closed-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(closed)
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(closed, "firn")
	copyProgram(t, os.Args[0], prog)
	_, err = New(Options{Data: t.TempDir(), UnixUsers: true, KernelOptions: kernel.Options{Command: []string{prog}}})
	if err == nil || !strings.Contains(err.Error(), "the folder "+closed+" is closed to other users") || !strings.Contains(err.Error(), "/usr/local/bin") {
		t.Errorf("a kernel program the accounts cannot run: %v", err)
	}
	data := filepath.Join(closed, "data")
	_, err = New(Options{Data: data, UnixUsers: true, KernelOptions: kernel.Options{Command: []string{"/bin/true"}}})
	if err == nil || !strings.Contains(err.Error(), "cannot reach their workspaces in "+data) || !strings.Contains(err.Error(), "the folder "+closed+" is closed") {
		t.Errorf("a data folder the accounts cannot reach: %v", err)
	}

	// "daemon" is the system's, with its own home: not this hub's.
	th, _ := unixTestHub(t)
	th.hub.opts.UnixPrefix = ""
	if err := th.hub.Store().AddUser(context.Background(), "daemon", RoleStudent, "glacier-2026", "", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	b := th.browser()
	b.mustLogin("daemon", "glacier-2026")
	st, body := b.do("GET", "/user/daemon/api/files", nil)
	if st != 503 || !strings.Contains(string(body), "not this hub's") {
		t.Errorf("a user whose account name is the system's daemon: %d %s, want 503 saying the account is not this hub's", st, body)
	}
}
