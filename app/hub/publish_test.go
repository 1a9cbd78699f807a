package hub

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// lessonNotebook is a notebook whose one code cell prints what.
func lessonNotebook(what string) string {
	b, _ := json.Marshal(notebook("c1", `fmt.Println("`+what+`")`))
	return string(b)
}

// TestPublishAndSync: a teacher publishes a folder of their workspace to
// a class; each student gets a copy when they open their notebooks, and
// later versions update the files a student left alone, keep the ones
// they edited, bring back the ones they deleted and add new ones, as
// nbgitpuller does. Students of other classes get nothing; a student
// cannot publish.
func TestPublishAndSync(t *testing.T) {
	th := newTestHub(t, nil)
	ctx := context.Background()
	if err := th.hub.Store().AddUser(ctx, "tina", RoleTeacher, "cirque-2026", "", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	th.addUser("alice", "moraine-2026") // class glac101
	if err := th.hub.Store().AddUser(ctx, "oscar", RoleStudent, "esker-2026", "other", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	teacher, alice, oscar := th.browser(), th.browser(), th.browser()
	teacher.mustLogin("tina", "cirque-2026")
	alice.mustLogin("alice", "moraine-2026")
	oscar.mustLogin("oscar", "esker-2026")
	src := filepath.Join(th.hub.Workspace("tina"), "ice flow")
	writeFile(t, filepath.Join(src, "lesson.ipynb"), lessonNotebook("v1"))
	writeFile(t, filepath.Join(src, "data", "bed.csv"), "x,z\n0,3400\n")
	writeFile(t, filepath.Join(src, "keep.csv"), "one\n")
	writeFile(t, filepath.Join(src, ".answers.ipynb"), "hidden")

	publish := func(want int) {
		t.Helper()
		st, body := teacher.do("POST", "/hub/publish", map[string]string{"class": "glac101", "folder": "ice flow", "name": "ice-flow"})
		var got struct{ Version int }
		if st != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Version != want {
			t.Fatalf("publish: %d %s, want version %d", st, body, want)
		}
	}
	open := func(b *browser, name string) {
		t.Helper()
		if st, body := b.do("GET", "/user/"+name+"/", nil); st != http.StatusOK {
			t.Fatalf("%s opens the notebooks: %d %s", name, st, body)
		}
	}
	mine := func(rel string) string { return readFile(t, filepath.Join(th.hub.Workspace("alice"), "ice-flow", rel)) }

	publish(1)
	open(alice, "alice")
	if !strings.Contains(mine("lesson.ipynb"), "v1") || mine("data/bed.csv") != "x,z\n0,3400\n" || mine("keep.csv") != "one\n" {
		t.Fatalf("alice's copy: %q %q", mine("lesson.ipynb"), mine("data/bed.csv"))
	}
	if _, err := os.Stat(filepath.Join(th.hub.Workspace("alice"), "ice-flow", ".answers.ipynb")); err == nil {
		t.Error("a hidden file was handed out")
	}
	open(oscar, "oscar")
	if _, err := os.Stat(filepath.Join(th.hub.Workspace("oscar"), "ice-flow")); err == nil {
		t.Error("a student of another class got the folder")
	}

	// alice edits the lesson and deletes the bed; the teacher updates
	// everything and adds a file.
	writeFile(t, filepath.Join(th.hub.Workspace("alice"), "ice-flow", "lesson.ipynb"), lessonNotebook("alice's answer"))
	if err := os.Remove(filepath.Join(th.hub.Workspace("alice"), "ice-flow", "data", "bed.csv")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(src, "lesson.ipynb"), lessonNotebook("v2"))
	writeFile(t, filepath.Join(src, "data", "bed.csv"), "x,z\n0,3500\n")
	writeFile(t, filepath.Join(src, "keep.csv"), "two\n")
	writeFile(t, filepath.Join(src, "new.md"), "# more\n")
	publish(2)
	rep, err := th.hub.Sync(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ rel, want string }{
		{"lesson.ipynb", "alice's answer"}, // edited: hers stays
		{"data/bed.csv", "0,3500"},         // deleted: back, new version
		{"keep.csv", "two"},                // untouched: updated
		{"new.md", "# more"},               // new
	} {
		if got := mine(c.rel); !strings.Contains(got, c.want) {
			t.Errorf("%s after the update: %q, want %q", c.rel, got, c.want)
		}
	}
	if strings.Join(rep.Kept, ",") != "ice-flow/lesson.ipynb" || strings.Join(rep.Updated, ",") != "ice-flow/keep.csv" ||
		strings.Join(rep.Added, ",") != "ice-flow/data/bed.csv,ice-flow/new.md" {
		t.Errorf("report %+v", rep)
	}
	// A second sync of the same version does nothing.
	if rep, err := th.hub.Sync(ctx, "alice"); err != nil || len(rep.Added)+len(rep.Updated)+len(rep.Kept) != 0 {
		t.Errorf("sync again: %+v %v", rep, err)
	}

	for _, c := range []struct {
		who    *browser
		body   map[string]string
		status int
		want   string
	}{
		{alice, map[string]string{"class": "glac101", "folder": "x"}, http.StatusForbidden, "only a teacher or an admin"},
		{teacher, map[string]string{"class": "glac101", "folder": "gone"}, http.StatusUnprocessableEntity, "publish gone: stat"},
		{teacher, map[string]string{"class": "nope", "folder": "ice flow", "name": "x"}, http.StatusUnprocessableEntity, "no class nope"},
		{teacher, map[string]string{"class": "glac101", "folder": "../alice"}, http.StatusBadRequest, "not a folder of your workspace"},
		{teacher, map[string]string{"class": "glac101", "folder": "ice flow", "name": "Ice Flow"}, http.StatusUnprocessableEntity, "publication name"},
	} {
		st, body := c.who.do("POST", "/hub/publish", c.body)
		if st != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("publish %v: %d %s, want %d with %q", c.body, st, body, c.status, c.want)
		}
	}
}

// TestHandin: a student hands in a file of a published folder; the
// teacher sees who handed in what and opens it read-only; a student sees
// no hand-ins, and only files of published folders can be handed in.
func TestHandin(t *testing.T) {
	th := newTestHub(t, nil)
	ctx := context.Background()
	if err := th.hub.Store().AddUser(ctx, "tina", RoleTeacher, "cirque-2026", "", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	th.addUser("alice", "moraine-2026")
	teacher, alice, anon := th.browser(), th.browser(), th.browser()
	teacher.mustLogin("tina", "cirque-2026")
	alice.mustLogin("alice", "moraine-2026")
	writeFile(t, filepath.Join(th.hub.Workspace("tina"), "week1", "lesson.ipynb"), lessonNotebook("v1"))
	if _, err := th.hub.Publish(ctx, "glac101", "week1", filepath.Join(th.hub.Workspace("tina"), "week1")); err != nil {
		t.Fatal(err)
	}
	if _, err := th.hub.Sync(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(th.hub.Workspace("alice"), "week1", "lesson.ipynb"), lessonNotebook("the ELA rises 150 m per kelvin"))
	writeFile(t, filepath.Join(th.hub.Workspace("alice"), "mine.ipynb"), lessonNotebook("private"))

	if st, body := alice.do("POST", "/hub/handin", map[string]string{"path": "week1/lesson.ipynb"}); st != http.StatusOK {
		t.Fatalf("hand in: %d %s", st, body)
	}
	copyOnDisk := readFile(t, filepath.Join(th.hub.opts.Data, "handins", "glac101", "week1", "alice", "lesson.ipynb"))
	if !strings.Contains(copyOnDisk, "the ELA rises 150 m per kelvin") {
		t.Errorf("the handed-in copy: %q", copyOnDisk)
	}
	for _, c := range []struct {
		who    *browser
		method string
		path   string
		body   any
		status int
		want   string
	}{
		{alice, "POST", "/hub/handin", map[string]string{"path": "mine.ipynb"}, http.StatusUnprocessableEntity, "not in a folder your teacher published"},
		{alice, "POST", "/hub/handin", map[string]string{"path": "week1/none.ipynb"}, http.StatusNotFound, "no such file"},
		{alice, "POST", "/hub/handin", map[string]string{"path": "../tina/week1/lesson.ipynb"}, http.StatusBadRequest, "not a path in your workspace"},
		{alice, "GET", "/hub/handins", nil, http.StatusForbidden, "only a teacher"},
		{alice, "GET", "/hub/handins/1", nil, http.StatusForbidden, "only a teacher"},
		{anon, "GET", "/hub/handins", nil, http.StatusUnauthorized, "not logged in"},
		{anon, "POST", "/hub/handin", map[string]string{"path": "week1/lesson.ipynb"}, http.StatusUnauthorized, "not logged in"},
		{teacher, "GET", "/hub/handins/99", nil, http.StatusNotFound, "no hand-in 99"},
	} {
		st, body := c.who.do(c.method, c.path, c.body)
		if st != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s %v: %d %s, want %d with %q", c.method, c.path, c.body, st, body, c.status, c.want)
		}
	}
	st, page := teacher.do("GET", "/hub/handins", nil)
	link := regexp.MustCompile(`<tr data-student="alice">.*<a href="(/hub/handins/\d+)">week1/lesson.ipynb</a>`).FindStringSubmatch(string(page))
	if st != http.StatusOK || link == nil {
		t.Fatalf("the teacher's list: %d %s", st, page)
	}
	st, view := teacher.do("GET", link[1], nil)
	if st != http.StatusOK || !strings.Contains(string(view), "the ELA rises 150 m per kelvin") || strings.Contains(string(view), "<textarea") {
		t.Errorf("the read-only view: %d %.300s", st, view)
	}
}

// TestLinksOutOfTheWorkspace: a student's cells can make links in their
// workspace. A folder of a publication replaced by a link to a folder
// outside (another student's, the hub's) neither hands in the file
// there nor gets the teacher's next version written into it.
func TestLinksOutOfTheWorkspace(t *testing.T) {
	th := newTestHub(t, nil)
	ctx := context.Background()
	th.addUser("alice", "moraine-2026")
	alice := th.browser()
	alice.mustLogin("alice", "moraine-2026")
	lesson := filepath.Join(t.TempDir(), "week1")
	writeFile(t, filepath.Join(lesson, "lesson.ipynb"), lessonNotebook("v1"))
	if _, err := th.hub.Publish(ctx, "glac101", "week1", lesson); err != nil {
		t.Fatal(err)
	}
	if _, err := th.hub.Sync(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "lesson.ipynb"), lessonNotebook("someone else's secret"))
	mine := filepath.Join(th.hub.Workspace("alice"), "week1")
	if err := os.RemoveAll(mine); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, mine); err != nil {
		t.Fatal(err)
	}
	st, body := alice.do("POST", "/hub/handin", map[string]string{"path": "week1/lesson.ipynb"})
	if st == http.StatusOK {
		t.Errorf("hand in through a link out of the workspace: %d %s, want it refused", st, body)
	}
	if _, err := os.Stat(filepath.Join(th.hub.opts.Data, "handins", "glac101", "week1", "alice", "lesson.ipynb")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a hand-in copy was made from outside the workspace (%v)", err)
	}
	writeFile(t, filepath.Join(lesson, "lesson.ipynb"), lessonNotebook("v2"))
	writeFile(t, filepath.Join(lesson, "extra.ipynb"), lessonNotebook("new"))
	if _, err := th.hub.Publish(ctx, "glac101", "week1", lesson); err != nil {
		t.Fatal(err)
	}
	if _, err := th.hub.Sync(ctx, "alice"); err == nil {
		t.Errorf("sync through a link out of the workspace: no error")
	}
	if got := readFile(t, filepath.Join(outside, "lesson.ipynb")); !strings.Contains(got, "someone else's secret") {
		t.Errorf("the file outside was overwritten: %q", got)
	}
	if _, err := os.Stat(filepath.Join(outside, "extra.ipynb")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sync wrote a file outside the workspace (%v)", err)
	}
}

// TestPublishForm: a teacher publishes from the classes page (a form
// with the CSRF value); the page lists their folders and the classes
// and then says what was published, or why not; a student, or a form
// without the CSRF value, is refused.
func TestPublishForm(t *testing.T) {
	th := newTestHub(t, nil)
	ctx := context.Background()
	if err := th.hub.Store().AddUser(ctx, "tina", RoleTeacher, "cirque-2026", "", th.clock.now()); err != nil {
		t.Fatal(err)
	}
	th.addUser("alice", "moraine-2026")
	teacher, alice := th.browser(), th.browser()
	teacher.mustLogin("tina", "cirque-2026")
	alice.mustLogin("alice", "moraine-2026")
	writeFile(t, filepath.Join(th.hub.Workspace("tina"), "week1", "lesson.ipynb"), lessonNotebook("v1"))

	st, page := teacher.do("GET", "/hub/handins", nil)
	if st != 200 || !strings.Contains(string(page), "<option>week1</option>") || !strings.Contains(string(page), "<option>glac101</option>") {
		t.Fatalf("the classes page: %d %s, want the folder week1 and the class glac101 to choose", st, page)
	}
	post := func(b *browser, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", th.hs.URL+"/hub/publish", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", th.hs.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	csrf := teacher.cookie("firn_csrf")
	for _, c := range []struct {
		who    *browser
		form   url.Values
		status int
		says   string // on the page it is sent back to
	}{
		{teacher, url.Values{"csrf": {csrf}, "folder": {"week1"}, "class": {"glac101"}}, 303, "Published week1 to glac101 (version 1)"},
		{teacher, url.Values{"csrf": {csrf}, "folder": {"week2"}, "class": {"glac101"}}, 303, "week2: no such file or directory"},
		{teacher, url.Values{"csrf": {csrf}, "folder": {"../alice"}, "class": {"glac101"}}, 303, `publish &#34;../alice&#34;: not a folder of your workspace`},
		{teacher, url.Values{"folder": {"week1"}, "class": {"glac101"}}, 403, ""},
		{alice, url.Values{"csrf": {alice.cookie("firn_csrf")}, "folder": {"week1"}, "class": {"glac101"}}, 403, ""},
	} {
		st, loc := post(c.who, c.form)
		if st != c.status {
			t.Errorf("publish form %v: %d, want %d", c.form, st, c.status)
			continue
		}
		if c.says == "" {
			continue
		}
		if !strings.HasPrefix(loc, "/hub/handins?") {
			t.Errorf("publish form %v: sent to %q, want the classes page", c.form, loc)
			continue
		}
		_, page := teacher.do("GET", loc, nil)
		if !strings.Contains(string(page), c.says) {
			t.Errorf("publish form %v: the page says\n%s\nwant %q", c.form, page, c.says)
		}
	}
	if _, err := th.hub.Sync(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(th.hub.Workspace("alice"), "week1", "lesson.ipynb")); !strings.Contains(got, "v1") {
		t.Errorf("alice's copy of the lesson published from the page: %q", got)
	}
}
