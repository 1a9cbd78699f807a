package hub

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShareLink: alice shares a notebook; bob, logged in, reads it at
// the link, read-only, as it is on disk when he opens it; someone not
// logged in is sent to the login page; sharing again gives the same
// link; after she stops sharing, the link is gone. A link to a file
// through a link out of her workspace, or to what is not a notebook, is
// refused.
func TestShareLink(t *testing.T) {
	th := newTestHub(t, nil)
	th.addUser("alice", "moraine-2026")
	th.addUser("bob", "drumlin-2026")
	alice, bob, anon := th.browser(), th.browser(), th.browser()
	alice.mustLogin("alice", "moraine-2026")
	bob.mustLogin("bob", "drumlin-2026")
	ws := th.hub.Workspace("alice")
	writeFile(t, filepath.Join(ws, "lesson.ipynb"), lessonNotebook("the ELA rises 150 m per kelvin"))

	st, body := alice.do("POST", "/hub/share", map[string]string{"path": "lesson.ipynb"})
	var link struct{ Path, URL string }
	if err := json.Unmarshal(body, &link); st != 200 || err != nil || !strings.HasPrefix(link.URL, "/share/") || len(link.URL) < len("/share/")+32 {
		t.Fatalf("share: %d %s", st, body)
	}
	if _, again := alice.do("POST", "/hub/share", map[string]string{"path": "lesson.ipynb"}); !strings.Contains(string(again), link.URL) {
		t.Errorf("sharing again: %s, want the same link %s", again, link.URL)
	}
	st, view := bob.do("GET", link.URL, nil)
	if st != 200 || !strings.Contains(string(view), "the ELA rises 150 m per kelvin") || !strings.Contains(string(view), "alice: lesson.ipynb (read-only)") ||
		strings.Contains(string(view), "<textarea") || strings.Contains(string(view), "<script") {
		t.Errorf("bob opens the link: %d %.400s", st, view)
	}
	// The file as it is when the link is opened.
	writeFile(t, filepath.Join(ws, "lesson.ipynb"), lessonNotebook("updated after sharing"))
	if _, view := bob.do("GET", link.URL, nil); !strings.Contains(string(view), "updated after sharing") {
		t.Errorf("the link after alice changed her notebook: %.300s", view)
	}
	if st, _ := anon.do("GET", link.URL, nil); st != http.StatusSeeOther {
		t.Errorf("not logged in: %d, want a redirect to the login page", st)
	}

	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.ipynb"), lessonNotebook("not alice's"))
	if err := os.Symlink(outside, filepath.Join(ws, "out")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		body   map[string]string
		status int
		want   string
	}{
		{map[string]string{"path": "out/secret.ipynb"}, 404, "share out/secret.ipynb"},
		{map[string]string{"path": "none.ipynb"}, 404, "no such notebook"},
		{map[string]string{"path": "notes.txt"}, 400, "want a notebook (.ipynb)"},
		{map[string]string{"path": "../bob/mine.ipynb"}, 400, "want a notebook (.ipynb) of your workspace"},
	} {
		if st, body := alice.do("POST", "/hub/share", c.body); st != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("share %v: %d %s, want %d %q", c.body, st, body, c.status, c.want)
		}
	}
	if st, body := anon.do("POST", "/hub/share", map[string]string{"path": "lesson.ipynb"}); st != http.StatusUnauthorized {
		t.Errorf("share without login: %d %s", st, body)
	}

	if st, body := alice.do("DELETE", "/hub/share?path=lesson.ipynb", nil); st != http.StatusNoContent {
		t.Fatalf("stop sharing: %d %s", st, body)
	}
	if st, body := bob.do("GET", link.URL, nil); st != http.StatusNotFound || !strings.Contains(string(body), "stopped sharing") {
		t.Errorf("the link after alice stopped sharing: %d %s", st, body)
	}
	if st, _ := alice.do("DELETE", "/hub/share?path=lesson.ipynb", nil); st != http.StatusNotFound {
		t.Errorf("stop sharing twice: %d, want 404", st)
	}
}
