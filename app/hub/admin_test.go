package hub

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestAdminPage: an admin sees every user, who is online, each running
// kernel with its memory and CPU, and disk use; stopping a kernel saves
// its outputs into the notebook and its page is told why; nobody else
// sees the page or stops a kernel.
func TestAdminPage(t *testing.T) {
	th := newTestHub(t, nil)
	ctx := context.Background()
	if err := th.hub.Store().AddUser(ctx, "ada", RoleAdmin, "nunatak-2026", "", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	if err := th.hub.Store().AddUser(ctx, "tina", RoleTeacher, "cirque-2026", "", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	th.addUser("alice", "moraine-2026")
	th.addUser("bob", "drumlin-2026")
	admin, teacher, alice, anon := th.browser(), th.browser(), th.browser(), th.browser()
	admin.mustLogin("ada", "nunatak-2026")
	teacher.mustLogin("tina", "cirque-2026")
	alice.mustLogin("alice", "moraine-2026")

	id := alice.openNotebook("alice", "run.ipynb", "c1", `fmt.Println("kept")`)
	conn, _ := alice.dial("/user/alice/api/sessions/" + id + "/ws")
	execute(t, conn, "m1", "c1", `fmt.Println("kept")`)
	until(t, conn, replyTo("m1"))

	st, page := admin.do("GET", "/hub/admin", nil)
	if st != http.StatusOK {
		t.Fatalf("admin page: %d %s", st, page)
	}
	row := regexp.MustCompile(`(?s)<tr data-user="alice">.*?</tr>`).FindString(string(page))
	mem := regexp.MustCompile(`data-kernel="run.ipynb" data-memory="(\d+)"`).FindStringSubmatch(row)
	disk := regexp.MustCompile(`data-disk="(\d+)"`).FindStringSubmatch(row)
	if mem == nil || disk == nil || !strings.Contains(row, `data-connections="1"`) || !strings.Contains(row, "run.ipynb: idle") {
		t.Fatalf("alice's row: %s\n%s", row, page)
	}
	if m, _ := strconv.ParseInt(mem[1], 10, 64); m < 1<<20 {
		t.Errorf("alice's kernel uses %s bytes: want its resident memory", mem[1])
	}
	if d, _ := strconv.ParseInt(disk[1], 10, 64); d < 100 {
		t.Errorf("alice's disk use %s bytes: want her notebook's size", disk[1])
	}
	bob := regexp.MustCompile(`(?s)<tr data-user="bob">.*?</tr>`).FindString(string(page))
	if !strings.Contains(bob, "never") || !strings.Contains(bob, `data-connections="0"`) || strings.Contains(bob, "data-kernel") {
		t.Errorf("bob's row (never logged in, no kernels): %s", bob)
	}

	stop := func(b *browser, csrf string) *http.Response {
		form := url.Values{"csrf": {csrf}, "user": {"alice"}, "session": {id}}
		req, _ := http.NewRequest("POST", th.hs.URL+"/hub/admin/stop", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", th.hs.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, c := range []struct {
		who    *browser
		status int
	}{{teacher, http.StatusForbidden}, {alice, http.StatusForbidden}, {anon, http.StatusSeeOther}} {
		if r := stop(c.who, c.who.cookie("firn_csrf")); r.StatusCode != c.status {
			t.Errorf("stop by a non-admin: %d, want %d", r.StatusCode, c.status)
		}
		if st, _ := c.who.do("GET", "/hub/admin", nil); st != c.status {
			t.Errorf("admin page for a non-admin: %d, want %d", st, c.status)
		}
	}
	if r := stop(admin, "wrong"); r.StatusCode != http.StatusForbidden {
		t.Errorf("stop with a wrong CSRF value: %d", r.StatusCode)
	}
	if r := stop(admin, admin.cookie("firn_csrf")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("stop: %d", r.StatusCode)
	}
	// The page's connection is told the kernel ended, and why.
	until(t, conn, func(f frame) bool { return f.Type == "kernel" })
	raw, _ := os.ReadFile(filepath.Join(th.hub.Workspace("alice"), "run.ipynb"))
	if !strings.Contains(string(raw), "kept") {
		t.Errorf("the stopped kernel's output is not in the notebook: %s", raw)
	}
	if st, page := admin.do("GET", "/hub/admin", nil); st != http.StatusOK || strings.Contains(string(page), `data-kernel="run.ipynb"`) {
		t.Errorf("after the stop the kernel is still listed: %s", page)
	}
}
