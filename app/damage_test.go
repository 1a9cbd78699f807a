package app

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/notebooks/examples"
)

// damagedNotebook is a notebook of ten cells as Jupyter writes it, whose
// sixth cell (index 5) has a cell type Firn does not know.
func damagedNotebook(t testing.TB) []byte {
	t.Helper()
	var cells []any
	for i := range 10 {
		c := map[string]any{"cell_type": "code", "id": "c" + string(rune('0'+i)), "metadata": map[string]any{},
			"source": []string{"x" + string(rune('0'+i)) + " := 1"}, "outputs": []any{}, "execution_count": nil}
		if i == 5 {
			c = map[string]any{"cell_type": "widget", "id": "c5", "metadata": map[string]any{"w": true}, "source": []string{"a cell of a future nbformat"}}
		}
		cells = append(cells, c)
	}
	b, err := json.MarshalIndent(map[string]any{
		"cells": cells, "nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
	}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestDamagedNotebookNotOverwritten: GET tells the damage (with the cell
// and field) and gives the readable cells; a save over the damaged file
// is refused (409 with the damage), the file staying byte for byte,
// unless it says that the damaged parts may go.
func TestDamagedNotebookNotOverwritten(t *testing.T) {
	h := newHarness(t, nil)
	raw := damagedNotebook(t)
	file := filepath.Join(h.dir, "damaged.ipynb")
	must(t, os.WriteFile(file, raw, 0o644))

	var doc struct {
		savedDoc
		Damage []string `json:"damage"`
	}
	h.doJSON("GET", "/api/files/content?path=damaged.ipynb", nil, 200, &doc)
	if len(doc.Damage) != 1 || !strings.Contains(doc.Damage[0], "cells[5]") || !strings.Contains(doc.Damage[0], `unknown cell type "widget"`) {
		t.Errorf("damage: %q", doc.Damage)
	}
	var nb struct{ Cells []json.RawMessage }
	must(t, json.Unmarshal(doc.Notebook, &nb))
	if len(nb.Cells) != 9 {
		t.Errorf("the readable part has %d cells, want 9", len(nb.Cells))
	}

	// What the page would autosave: the nine readable cells.
	var refused struct {
		Error  string   `json:"error"`
		ETag   string   `json:"etag"`
		Damage []string `json:"damage"`
	}
	h.doJSON("PUT", "/api/files/content?path=damaged.ipynb", map[string]any{"notebook": doc.Notebook, "etag": doc.ETag}, 409, &refused)
	if !strings.Contains(refused.Error, "damaged") || len(refused.Damage) != 1 || refused.ETag != doc.ETag {
		t.Errorf("refusal: %+v", refused)
	}
	if got, _ := os.ReadFile(file); string(got) != string(raw) {
		t.Fatalf("the damaged file changed on disk:\n%s", got)
	}
	// Saved under another name, the readable part is a notebook of its own.
	h.doJSON("PUT", "/api/files/content?path=repaired.ipynb", map[string]any{"notebook": doc.Notebook, "etag": ""}, 200, nil)
	// Said so, the damaged parts go.
	h.doJSON("PUT", "/api/files/content?path=damaged.ipynb", map[string]any{"notebook": doc.Notebook, "etag": doc.ETag, "discard_damage": true}, 200, nil)
	var repaired struct {
		Damage []string `json:"damage"`
	}
	h.doJSON("GET", "/api/files/content?path=damaged.ipynb", nil, 200, &repaired)
	if len(repaired.Damage) != 0 {
		t.Errorf("damage after the repair: %q", repaired.Damage)
	}
}

// pythonNotebook is a notebook of Jupyter's Python kernel with stored
// outputs.
const pythonNotebook = `{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "id": "p1",
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "hello from Python\n"
     ]
    }
   ],
   "source": [
    "print(\"hello from Python\")"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3",
   "language": "python",
   "name": "python3"
  },
  "language_info": {
   "name": "python"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
`

// TestOtherLanguageNotRun: a notebook for Python says so when read, and
// the sessions API starts no kernel for it, with a message that names
// the kernel it wants.
func TestOtherLanguageNotRun(t *testing.T) {
	h := newHarness(t, nil)
	file := filepath.Join(h.dir, "py.ipynb")
	must(t, os.WriteFile(file, []byte(pythonNotebook), 0o644))
	want := "This notebook is for Python 3 (kernel python3); Firn runs Go."
	var doc struct {
		KernelMismatch string `json:"kernel_mismatch"`
	}
	h.doJSON("GET", "/api/files/content?path=py.ipynb", nil, 200, &doc)
	if doc.KernelMismatch != want {
		t.Errorf("kernel_mismatch %q, want %q", doc.KernelMismatch, want)
	}
	var refused struct{ Error string }
	h.doJSON("POST", "/api/sessions", map[string]string{"path": "py.ipynb"}, http.StatusUnprocessableEntity, &refused)
	if !strings.Contains(refused.Error, want) || !strings.Contains(refused.Error, "py.ipynb") {
		t.Errorf("refusal %q, want it to name the file and say %q", refused.Error, want)
	}
	var list []struct{ Path string }
	h.doJSON("GET", "/api/sessions", nil, 200, &list)
	if len(list) != 0 {
		t.Errorf("sessions after the refusal: %+v", list)
	}
	if got, _ := os.ReadFile(file); string(got) != pythonNotebook {
		t.Errorf("the notebook changed on disk:\n%s", got)
	}
	// Firn's own notebooks still get their kernels.
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": "go.ipynb"}, 201, nil)
	h.openSession("go.ipynb")
}

// TestDeleteEndsTheSession: deleting a notebook, or its folder, shuts its
// kernel down and tells its clients why; a notebook made later at the
// same path gets a fresh kernel and nothing of the old session.
func TestDeleteEndsTheSession(t *testing.T) {
	for _, tc := range []struct{ name, open, del string }{
		{"the notebook", "n.ipynb", "n.ipynb"},
		{"its folder", "week1/n.ipynb", "week1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.doJSON("POST", "/api/files", map[string]string{"op": "mkdir", "path": "week1"}, 201, nil)
			h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": tc.open}, 201, nil)
			id, c := h.ready(tc.open)
			if fs, _ := c.run("old", `fmt.Println("old output")`); !strings.Contains(output(fs, "old"), "old output") {
				t.Fatalf("no output: %q", output(fs, "old"))
			}
			pid := h.srv.sessions.Get(id).Info().Kernel.Pid
			h.doJSON("POST", "/api/files", map[string]string{"op": "delete", "path": tc.del}, 200, nil)
			if h.srv.sessions.Get(id) != nil {
				t.Fatalf("the session %s outlives its deleted notebook", id)
			}
			fs := c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "dead" })
			if last := fs[len(fs)-1]; last.Cause != "the notebook was deleted" || !strings.Contains(last.raw, `"ended":true`) {
				t.Errorf("last kernel frame %s, want cause %q and ended", last.raw, "the notebook was deleted")
			}
			if processRuns(pid) {
				t.Errorf("kernel %d still runs after its notebook was deleted", pid)
			}
			if tc.del == "week1" {
				h.doJSON("POST", "/api/files", map[string]string{"op": "mkdir", "path": "week1"}, 201, nil)
			}
			h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": tc.open}, 201, nil)
			var info struct {
				ID  string `json:"id"`
				Seq int64  `json:"seq"`
			}
			h.doJSON("POST", "/api/sessions", map[string]string{"path": tc.open}, 201, &info)
			if info.ID == id {
				t.Fatalf("the new notebook got the deleted one's session %s", id)
			}
			c2 := h.dial(info.ID, 0)
			for _, f := range c2.until(func(f frame) bool { return f.Type == "kernel" && f.State == "idle" }) {
				if strings.Contains(f.raw, "old output") {
					t.Errorf("the old session's output is replayed: %s", f.raw)
				}
			}
		})
	}
}

// TestSessionETag: a session knows the version of its file that its
// frames belong to (read when it started, then each save's), so a
// client finds a file changed by someone else by its etag.
func TestSessionETag(t *testing.T) {
	h := newHarness(t, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": "e.ipynb"}, 201, nil)
	var doc savedDoc
	h.doJSON("GET", "/api/files/content?path=e.ipynb", nil, 200, &doc)
	var info struct {
		ID   string `json:"id"`
		ETag string `json:"etag"`
	}
	h.doJSON("POST", "/api/sessions", map[string]string{"path": "e.ipynb"}, 201, &info)
	if info.ETag != doc.ETag {
		t.Errorf("a new session's etag %q, the file's %q", info.ETag, doc.ETag)
	}
	var saved savedDoc
	h.doJSON("PUT", "/api/files/content?path=e.ipynb", map[string]any{"notebook": nbJSON(t, "x := 1"), "etag": doc.ETag}, 200, &saved)
	h.doJSON("GET", "/api/sessions/"+info.ID, nil, 200, &info)
	if info.ETag != saved.ETag {
		t.Errorf("after a save the session's etag is %q, want the save's %q", info.ETag, saved.ETag)
	}
	// Changed outside Firn: the file's etag is not the session's.
	must(t, os.WriteFile(filepath.Join(h.dir, "e.ipynb"), nbJSON(t, "y := 2"), 0o644))
	h.doJSON("GET", "/api/files/content?path=e.ipynb", nil, 200, &doc)
	h.doJSON("POST", "/api/sessions", map[string]string{"path": "e.ipynb"}, 200, &info)
	if info.ETag == doc.ETag || info.ETag != saved.ETag {
		t.Errorf("after an outside change the session's etag is %q (file %q, last save %q)", info.ETag, doc.ETag, saved.ETag)
	}
}

// TestLessonReset: resetting a lesson puts the bundled file back byte for
// byte, the student's copy in the trash and its session ended.
func TestLessonReset(t *testing.T) {
	h := newHarness(t, nil)
	file := examples.List()[0].File
	bundled, err := fs.ReadFile(examples.FS(), file)
	must(t, err)
	var e entry
	h.doJSON("POST", "/api/lessons/open", map[string]string{"file": file}, 201, &e)
	if got, _ := os.ReadFile(filepath.Join(h.dir, "lessons", file)); string(got) != string(bundled) {
		t.Errorf("an opened lesson is not the bundled file byte for byte")
	}
	var doc savedDoc
	h.doJSON("GET", "/api/files/content?path="+q(e.Path), nil, 200, &doc)
	h.doJSON("PUT", "/api/files/content?path="+q(e.Path), map[string]any{"notebook": nbJSON(t, "// my work"), "etag": doc.ETag}, 200, nil)
	id, c := h.ready(e.Path)

	var reset struct {
		Path    string `json:"path"`
		TrashID string `json:"trash_id"`
	}
	h.doJSON("POST", "/api/lessons/reset", map[string]string{"file": file}, 200, &reset)
	if got, _ := os.ReadFile(filepath.Join(h.dir, "lessons", file)); string(got) != string(bundled) {
		t.Errorf("after the reset the lesson is not the bundled file byte for byte")
	}
	if reset.Path != e.Path || reset.TrashID == "" {
		t.Errorf("reset answer %+v", reset)
	}
	fs := c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "dead" })
	if cause := fs[len(fs)-1].Cause; cause != "the lesson was reset" {
		t.Errorf("the session ended with cause %q", cause)
	}
	if h.srv.sessions.Get(id) != nil {
		t.Errorf("the session of the student's copy is still there")
	}
	// The student's copy is in the trash, and comes back after the reset
	// copy is out of its way.
	h.doJSON("POST", "/api/files", map[string]string{"op": "delete", "path": e.Path}, 200, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "restore", "path": reset.TrashID}, 200, nil)
	h.doJSON("GET", "/api/files/content?path="+q(e.Path), nil, 200, &doc)
	if !strings.Contains(string(doc.Notebook), "my work") {
		t.Errorf("the trashed copy is not the student's")
	}
	// A lesson never opened is simply copied; unknown ones are 404.
	second := examples.List()[1].File
	var fresh struct {
		Path    string `json:"path"`
		TrashID string `json:"trash_id"`
	}
	h.doJSON("POST", "/api/lessons/reset", map[string]string{"file": second}, 200, &fresh)
	if fresh.TrashID != "" || fresh.Path != "lessons/"+second {
		t.Errorf("reset of a lesson never opened: %+v", fresh)
	}
	h.doJSON("POST", "/api/lessons/reset", map[string]string{"file": "../x.ipynb"}, 404, nil)
}

// TestContentNotModified: a client that asks with the etag it has (the
// page checking, on focus, whether the file changed on disk) gets 304
// and no body while the file is that version, the file once it is not.
func TestContentNotModified(t *testing.T) {
	h := newHarness(t, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": "m.ipynb"}, 201, nil)
	var doc savedDoc
	h.doJSON("GET", "/api/files/content?path=m.ipynb", nil, 200, &doc)
	get := func() (int, string) {
		req, err := http.NewRequest("GET", h.hs.URL+"/api/files/content?path=m.ipynb", nil)
		must(t, err)
		req.Header.Set("If-None-Match", `"`+doc.ETag+`"`)
		resp, err := h.client.Do(req)
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get(); status != http.StatusNotModified || body != "" {
		t.Errorf("unchanged file: %d %q, want 304 and no body", status, body)
	}
	must(t, os.WriteFile(filepath.Join(h.dir, "m.ipynb"), nbJSON(t, "changed := true"), 0o644))
	if status, body := get(); status != http.StatusOK || !strings.Contains(body, "changed := true") {
		t.Errorf("changed file: %d %.80q, want 200 and the new version", status, body)
	}
}
