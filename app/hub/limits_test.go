package hub

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadLimits: a limits file sets the defaults over the command line's
// and the classes' profiles; a user gets the defaults, raised by the
// profiles of their classes (the most generous); bad fields are named.
func TestReadLimits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("limits.json", `{"default": {"kernels": 3, "disk": "1GiB", "cpu_time": "2h", "cpus": 1, "user_memory": "3GiB"},
		"classes": {"glac-advanced": {"memory": "4GiB", "kernels": 6, "cpus": 2}, "glac101": {"disk": "2GiB", "kernels": 4, "cpus": 0.5}}}`)
	def, classes, err := ReadLimits(good, Limits{Memory: 2 << 30, Files: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if def != (Limits{Memory: 2 << 30, CPUTime: 2 * time.Hour, Kernels: 3, Disk: 1 << 30, Files: 10000, CPUs: 1, UserMemory: 3 << 30}) {
		t.Errorf("defaults %+v", def)
	}
	h := &Hub{opts: Options{Limits: def, ClassLimits: classes}}
	for _, c := range []struct {
		classes []string
		want    Limits
	}{
		{nil, def},
		{[]string{"other"}, def},
		{[]string{"glac101"}, Limits{Memory: 2 << 30, CPUTime: 2 * time.Hour, Kernels: 4, Disk: 2 << 30, Files: 10000, CPUs: 0.5, UserMemory: 3 << 30}},
		{[]string{"glac-advanced", "glac101"}, Limits{Memory: 4 << 30, CPUTime: 2 * time.Hour, Kernels: 6, Disk: 2 << 30, Files: 10000, CPUs: 2, UserMemory: 3 << 30}},
	} {
		if got := h.limitsFor(c.classes); got != c.want {
			t.Errorf("limits of a user in %v: %+v, want %+v", c.classes, got, c.want)
		}
	}
	for _, c := range []struct{ body, want string }{
		{`{"default": {"memory": "lots"}}`, "default.memory"},
		{`{"classes": {"glac101": {"cpu_time": "forever"}}}`, `classes.glac101.cpu_time "forever"`},
		{`{"classes": {"Glac 101": {}}}`, `class name "Glac 101"`},
		{`{"default": {"kernels": -1}}`, "kernels, files and cpus may not be negative"},
		{`{"classes": {"glac101": {"cpus": -2}}}`, "classes.glac101: kernels, files and cpus may not be negative"},
		{`{"default": {"user_memory": "most"}}`, "default.user_memory"},
		{`{"default": `, "unexpected end of JSON input"},
	} {
		if _, _, err := ReadLimits(write("bad.json", c.body), Limits{}); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("%s: %v, want the file and %q", c.body, err, c.want)
		}
	}
}

// TestHubLimits: a user's limits reach their notebook server: a save
// over their disk quota is refused through the hub.
func TestHubLimits(t *testing.T) {
	th := newTestHub(t, func(o *Options) {
		o.Limits = Limits{Disk: 8 << 10}
		o.ClassLimits = map[string]Limits{"glac102": {Disk: 64 << 10}}
	})
	th.addUser("alice", "moraine-2026") // glac101: the default
	if err := th.hub.Store().AddUser(context.Background(), "bob", RoleStudent, "drumlin-2026", "glac102", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	alice, bob := th.browser(), th.browser()
	alice.mustLogin("alice", "moraine-2026")
	bob.mustLogin("bob", "drumlin-2026")
	nb := notebook("c1", "// "+strings.Repeat("x", 16<<10))
	st, body := alice.do("PUT", "/user/alice/api/files/content?path=big.ipynb", map[string]any{"notebook": nb, "etag": ""})
	if st != http.StatusInsufficientStorage || !strings.Contains(string(body), "over its quota of 8 KiB") {
		t.Errorf("alice's save over her quota: %d %s", st, body)
	}
	if st, body := bob.do("PUT", "/user/bob/api/files/content?path=big.ipynb", map[string]any{"notebook": nb, "etag": ""}); st != http.StatusOK {
		t.Errorf("bob's class has room for it: %d %s", st, body)
	}
	st, body = alice.do("GET", "/user/alice/api/quota", nil)
	if st != http.StatusOK || !strings.Contains(string(body), `"quota_bytes":8192`) {
		t.Errorf("alice's quota: %d %s", st, body)
	}
}

// TestOutputLimit: a user's kernels keep at most Limits.Output bytes of
// output in the hub's memory: a cell printing 2 MiB leaves its last
// part for a page that connects later, which is told (a gap frame) that
// the rest was dropped.
func TestOutputLimit(t *testing.T) {
	th := newTestHub(t, func(o *Options) { o.Limits.Output = 64 << 10 })
	th.addUser("alice", "moraine-2026")
	alice := th.browser()
	alice.mustLogin("alice", "moraine-2026")
	id := alice.openNotebook("alice", "loud.ipynb", "c1", "")
	conn, _ := alice.dial("/user/alice/api/sessions/" + id + "/ws")
	execute(t, conn, "m1", "c1", `line := strings.Repeat("x", 1000)
for i := 0; i < 2000; i++ { fmt.Printf("%04d %s\n", i, line) }`)
	until(t, conn, replyTo("m1"))
	conn.Close()

	later, _ := alice.dial("/user/alice/api/sessions/" + id + "/ws?since=0")
	frames := until(t, later, replyTo("m1"))
	if frames[0].Type != "gap" {
		t.Errorf("the first frame for a page connecting after 2 MiB of output: %q, want a gap", frames[0].Type)
	}
	text := textOf(frames)
	if len(text) > 64<<10 || !strings.Contains(text, "1999 xxx") {
		t.Errorf("the replayed output: %d bytes, ends %q; want at most 64 KiB, with the last line", len(text), text[max(0, len(text)-40):])
	}
}
