package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/examples"
)

// nbJSON is a notebook with the given code cells as nbformat JSON.
func nbJSON(t testing.TB, sources ...string) json.RawMessage {
	t.Helper()
	nb := notebooks.New()
	for _, s := range sources {
		nb.AddCell(notebooks.NewCell(notebooks.Code, s))
	}
	var b bytes.Buffer
	if err := nb.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func q(p string) string { return url.QueryEscape(p) }

// Every way out of the workspace is refused with 403 and a JSON error.
func TestPathConfinement(t *testing.T) {
	h := newHarness(t, nil)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.ipynb"), nbJSON(t, "secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink(outside, filepath.Join(h.dir, "out")))
	must(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(h.dir, "file-out.txt")))
	must(t, os.Symlink("../"+filepath.Base(outside), filepath.Join(h.dir, "rel-out")))
	must(t, os.Mkdir(filepath.Join(h.dir, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(h.dir, "sub", "ok.txt"), []byte("fine"), 0o644))
	must(t, os.Symlink("sub", filepath.Join(h.dir, "in"))) // inside: allowed

	escapes := []struct{ name, raw string }{
		{"dot dot", ".."},
		{"dot dot file", "../secret.txt"},
		{"inner dot dot", "sub/../../secret.txt"},
		{"dot dot that stays inside", "sub/../sub/ok.txt"},
		{"absolute", "/etc/passwd"},
		{"absolute outside dir", filepath.Join(outside, "secret.txt")},
		{"backslashes", `..\..\secret.txt`},
		{"drive letter", `C:/Windows/win.ini`},
		{"symlinked folder", "out/secret.txt"},
		{"symlinked notebook", "out/secret.ipynb"},
		{"symlinked file", "file-out.txt"},
		{"relative symlink", "rel-out/secret.txt"},
		{"encoded twice", "%2e%2e/secret.txt"},
		{"encoded slash twice", "%2e%2e%2fsecret.txt"},
		{"NUL", "sub/ok.txt\x00"},
	}
	type call struct {
		name   string
		method string
		path   func(p string) string
		body   func(p string) any
	}
	calls := []call{
		{"list", "GET", func(p string) string { return "/api/files?path=" + q(p) }, nil},
		{"content", "GET", func(p string) string { return "/api/files/content?path=" + q(p) }, nil},
		{"download", "GET", func(p string) string { return "/api/files/download?path=" + q(p) }, nil},
		{"save", "PUT", func(p string) string { return "/api/files/content?path=" + q(p) }, func(string) any {
			return map[string]any{"notebook": nbJSON(t, "x"), "etag": ""}
		}},
		{"create", "POST", func(string) string { return "/api/files" }, func(p string) any { return map[string]string{"op": "create", "path": p} }},
		{"mkdir", "POST", func(string) string { return "/api/files" }, func(p string) any { return map[string]string{"op": "mkdir", "path": p} }},
		{"delete", "POST", func(string) string { return "/api/files" }, func(p string) any { return map[string]string{"op": "delete", "path": p} }},
		{"rename to", "POST", func(string) string { return "/api/files" }, func(p string) any {
			return map[string]string{"op": "rename", "path": "sub/ok.txt", "to": p}
		}},
		{"copy from", "POST", func(string) string { return "/api/files" }, func(p string) any { return map[string]string{"op": "copy", "path": p, "to": "stolen.txt"} }},
		{"upload into", "POST", func(p string) string { return "/api/files/upload?path=" + q(p) }, func(string) any { return "" }},
		{"session", "POST", func(string) string { return "/api/sessions" }, func(p string) any { return map[string]string{"path": p} }},
	}
	for _, e := range escapes {
		for _, c := range calls {
			t.Run(e.name+"/"+c.name, func(t *testing.T) {
				var body any
				if c.body != nil {
					body = c.body(e.raw)
				}
				status, out := h.do(c.method, c.path(e.raw), body)
				if status != http.StatusForbidden {
					t.Errorf("status %d, want 403: %s", status, out)
				}
				var msg struct{ Error string }
				if json.Unmarshal(out, &msg) != nil || msg.Error == "" {
					t.Errorf("no JSON error: %s", out)
				}
			})
		}
	}
	// The raw URL forms: decoded once by the server, the path is ".."
	for _, raw := range []string{"%2e%2e%2fsecret.txt", "%2E%2E/secret.txt", "..%2fsecret.txt", "%2fetc%2fpasswd"} {
		t.Run("raw query "+raw, func(t *testing.T) {
			if status, out := h.do("GET", "/api/files/content?path="+raw, nil); status != http.StatusForbidden {
				t.Errorf("status %d: %s", status, out)
			}
		})
	}
	// Links that stay inside work; nothing was written outside.
	if status, out := h.do("GET", "/api/files/content?path=in/ok.txt", nil); status != 200 || string(out) != "fine" {
		t.Errorf("link inside: %d %s", status, out)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 2 {
		t.Errorf("the outside folder changed: %v", entries)
	}
	// Listing the root leaves out the links that lead outside.
	var list struct{ Entries []struct{ Name string } }
	h.doJSON("GET", "/api/files?path=", nil, 200, &list)
	var names []string
	for _, e := range list.Entries {
		names = append(names, e.Name)
	}
	if got := strings.Join(names, ","); got != "in,sub" {
		t.Errorf("root lists %s, want in,sub", got)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type entry struct {
	Name, Path, Type string
	Size             int64
	Modified         string
}

type savedDoc struct {
	Path     string          `json:"path"`
	Modified string          `json:"modified"`
	ETag     string          `json:"etag"`
	Notebook json.RawMessage `json:"notebook"`
	Error    string          `json:"error"`
}

func TestFilesCRUD(t *testing.T) {
	h := newHarness(t, nil)
	var e entry
	h.doJSON("POST", "/api/files", map[string]string{"op": "mkdir", "path": "work"}, 201, &e)
	if e.Type != "directory" || e.Path != "work" {
		t.Errorf("mkdir: %+v", e)
	}
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": "work/a.ipynb"}, 201, &e)
	if e.Type != "notebook" || e.Name != "a.ipynb" {
		t.Errorf("create: %+v", e)
	}
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": "work/a.ipynb"}, 409, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": "work/a.txt"}, 400, nil)

	// Read, save with the etag, save again with the old one: conflict.
	var doc savedDoc
	h.doJSON("GET", "/api/files/content?path=work/a.ipynb", nil, 200, &doc)
	if doc.ETag == "" || !bytes.Contains(doc.Notebook, []byte(`"nbformat": 4`)) || doc.Path != "work/a.ipynb" {
		t.Fatalf("content: %+v", doc)
	}
	var saved savedDoc
	h.doJSON("PUT", "/api/files/content?path=work/a.ipynb", map[string]any{"notebook": nbJSON(t, "x := 1"), "etag": doc.ETag}, 200, &saved)
	if saved.ETag == doc.ETag || saved.Path != "work/a.ipynb" {
		t.Errorf("save: %+v", saved)
	}
	var conflict savedDoc
	h.doJSON("PUT", "/api/files/content?path=work/a.ipynb", map[string]any{"notebook": nbJSON(t, "x := 2"), "etag": doc.ETag}, 409, &conflict)
	if conflict.ETag != saved.ETag || !strings.Contains(conflict.Error, "changed on disk") {
		t.Errorf("conflict: %+v", conflict)
	}
	// A change on disk by someone else is a conflict too.
	must(t, os.WriteFile(filepath.Join(h.dir, "work", "a.ipynb"), nbJSON(t, "edited elsewhere"), 0o644))
	h.doJSON("PUT", "/api/files/content?path=work/a.ipynb", map[string]any{"notebook": nbJSON(t, "x := 3"), "etag": saved.ETag}, 409, nil)
	// A new file needs an empty etag; an existing one refuses it.
	h.doJSON("PUT", "/api/files/content?path=work/b.ipynb", map[string]any{"notebook": nbJSON(t, "b"), "etag": ""}, 200, nil)
	h.doJSON("PUT", "/api/files/content?path=work/b.ipynb", map[string]any{"notebook": nbJSON(t, "b2"), "etag": ""}, 409, nil)
	// Invalid notebooks are refused with the reason.
	status, out := h.do("PUT", "/api/files/content?path=work/c.ipynb", map[string]any{"notebook": map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{}, "cells": []any{map[string]any{"cell_type": "code"}}}})
	if status != 400 || !strings.Contains(string(out), "source") {
		t.Errorf("invalid notebook: %d %s", status, out)
	}

	// The text form: saved as // %% cells, read back as a notebook.
	h.doJSON("PUT", "/api/files/content?path=work/t.go", map[string]any{"notebook": nbJSON(t, "y := 2"), "etag": ""}, 200, nil)
	text, _ := os.ReadFile(filepath.Join(h.dir, "work", "t.go"))
	if !strings.Contains(string(text), "// %%") || !strings.Contains(string(text), "y := 2") {
		t.Errorf("text form on disk:\n%s", text)
	}
	h.doJSON("GET", "/api/files/content?path=work/t.go", nil, 200, &doc)
	if !bytes.Contains(doc.Notebook, []byte(`"y := 2"`)) || doc.ETag == "" {
		t.Errorf("text form read: %s", doc.Notebook)
	}

	// Rename, copy (the name picked), list.
	h.doJSON("POST", "/api/files", map[string]string{"op": "rename", "path": "work/b.ipynb", "to": "work/a.ipynb"}, 409, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "rename", "path": "work/b.ipynb", "to": "work/renamed.ipynb"}, 200, &e)
	h.doJSON("POST", "/api/files", map[string]string{"op": "copy", "path": "work/a.ipynb"}, 201, &e)
	if e.Path != "work/a-Copy1.ipynb" {
		t.Errorf("copy: %+v", e)
	}
	h.doJSON("POST", "/api/files", map[string]string{"op": "copy", "path": "work/a.ipynb"}, 201, &e)
	if e.Path != "work/a-Copy2.ipynb" {
		t.Errorf("second copy: %+v", e)
	}
	must(t, os.WriteFile(filepath.Join(h.dir, "work", ".hidden"), nil, 0o644))
	must(t, os.Mkdir(filepath.Join(h.dir, "work", "zdir"), 0o755))
	var list struct {
		Path    string
		Entries []entry
	}
	h.doJSON("GET", "/api/files?path=work", nil, 200, &list)
	var names []string
	for _, e := range list.Entries {
		names = append(names, e.Name+":"+e.Type)
	}
	if got := strings.Join(names, ","); list.Path != "work" || got != "zdir:directory,a-Copy1.ipynb:notebook,a-Copy2.ipynb:notebook,a.ipynb:notebook,renamed.ipynb:notebook,t.go:notebook" {
		t.Errorf("list %s: %s", list.Path, got)
	}

	// Delete into the trash; restore; restore over a new file: 409.
	var trashed struct {
		TrashID string `json:"trash_id"`
	}
	h.doJSON("POST", "/api/files", map[string]string{"op": "delete", "path": "work/renamed.ipynb"}, 200, &trashed)
	if _, err := os.Stat(filepath.Join(h.dir, "work", "renamed.ipynb")); !os.IsNotExist(err) {
		t.Errorf("deleted file still there: %v", err)
	}
	var trash []struct {
		TrashID string `json:"trash_id"`
		Path    string `json:"path"`
	}
	h.doJSON("GET", "/api/files/trash", nil, 200, &trash)
	if len(trash) != 1 || trash[0].TrashID != trashed.TrashID || trash[0].Path != "work/renamed.ipynb" {
		t.Errorf("trash: %+v", trash)
	}
	h.doJSON("POST", "/api/files", map[string]string{"op": "restore", "path": trashed.TrashID}, 200, &e)
	if e.Path != "work/renamed.ipynb" {
		t.Errorf("restore: %+v", e)
	}
	h.doJSON("POST", "/api/files", map[string]string{"op": "delete", "path": "work"}, 200, &trashed)
	h.doJSON("POST", "/api/files", map[string]string{"op": "mkdir", "path": "work"}, 201, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "restore", "path": trashed.TrashID}, 409, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "restore", "path": "../etc"}, 400, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "restore", "path": "nope"}, 404, nil)
	// The trash is not writable through the API.
	h.doJSON("POST", "/api/files", map[string]string{"op": "create", "path": ".trash/x.ipynb"}, 403, nil)
	h.doJSON("GET", "/api/files/content?path=nope.ipynb", nil, 404, nil)
	h.doJSON("POST", "/api/files", map[string]string{"op": "explode", "path": "x"}, 400, nil)
}

func TestUploadDownload(t *testing.T) {
	h := newHarness(t, nil)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	files := map[string]string{"climate.csv": "year,t\n2000,1.5\n", "notes.html": "<script>alert(1)</script>"}
	for name, content := range files {
		w, err := mw.CreateFormFile("file", name)
		must(t, err)
		_, _ = w.Write([]byte(content))
	}
	must(t, mw.Close())
	req, _ := http.NewRequest("POST", h.hs.URL+"/api/files/upload?path=", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set(CSRFHeader, h.csrf)
	resp, err := h.client.Do(req)
	must(t, err)
	var entries []entry
	must(t, json.NewDecoder(resp.Body).Decode(&entries))
	resp.Body.Close()
	if resp.StatusCode != 201 || len(entries) != 2 {
		t.Fatalf("upload: %d %+v", resp.StatusCode, entries)
	}
	for name, content := range files {
		resp, err := h.client.Get(h.hs.URL + "/api/files/download?path=" + name)
		must(t, err)
		var got bytes.Buffer
		_, _ = got.ReadFrom(resp.Body)
		resp.Body.Close()
		if got.String() != content || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %s: %q, %q", name, got.String(), resp.Header.Get("Content-Disposition"))
		}
		if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download %s without a sandbox CSP", name)
		}
	}
	status, out := h.do("GET", "/api/files/content?path=climate.csv", nil)
	if status != 200 || string(out) != files["climate.csv"] {
		t.Errorf("content of a csv: %d %q", status, out)
	}
	// Bad names: a path in the name is cut to its last element (by
	// mime/multipart), a backslash is refused.
	for _, name := range []string{"../x.txt", `a\b.txt`} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("file", "placeholder")
		_, _ = w.Write([]byte("x"))
		mw.Close()
		raw := strings.Replace(body.String(), `filename="placeholder"`, fmt.Sprintf("filename=%q", name), 1)
		req, _ := http.NewRequest("POST", h.hs.URL+"/api/files/upload?path=", strings.NewReader(raw))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set(CSRFHeader, h.csrf)
		resp, err := h.client.Do(req)
		must(t, err)
		resp.Body.Close()
		want := 400
		if name == "../x.txt" {
			want = 201
			if _, err := os.Stat(filepath.Join(h.dir, "x.txt")); err != nil {
				t.Errorf("upload %q: %v", name, err)
			}
		}
		if resp.StatusCode != want {
			t.Errorf("upload %q: %d, want %d", name, resp.StatusCode, want)
		}
	}
}

func TestLessons(t *testing.T) {
	h := newHarness(t, nil)
	var lessons []struct{ File, Title string }
	h.doJSON("GET", "/api/lessons", nil, 200, &lessons)
	if len(lessons) != len(examples.List()) || len(lessons) == 0 || lessons[0].Title == "" {
		t.Fatalf("lessons: %+v", lessons)
	}
	file := lessons[0].File
	var e entry
	h.doJSON("POST", "/api/lessons/open", map[string]string{"file": file}, 201, &e)
	if e.Path != "lessons/"+file || e.Type != "notebook" {
		t.Errorf("open: %+v", e)
	}
	// The student's copy is never overwritten.
	var doc savedDoc
	h.doJSON("GET", "/api/files/content?path="+q(e.Path), nil, 200, &doc)
	h.doJSON("PUT", "/api/files/content?path="+q(e.Path), map[string]any{"notebook": nbJSON(t, "// my work"), "etag": doc.ETag}, 200, nil)
	h.doJSON("POST", "/api/lessons/open", map[string]string{"file": file}, 200, &e)
	h.doJSON("GET", "/api/files/content?path="+q(e.Path), nil, 200, &doc)
	if !bytes.Contains(doc.Notebook, []byte("my work")) {
		t.Errorf("the student's copy was overwritten")
	}
	h.doJSON("POST", "/api/lessons/open", map[string]string{"file": "../../etc/passwd"}, 404, nil)
}

func TestStaticPlaceholder(t *testing.T) {
	h := newHarness(t, nil)
	status, out := h.do("GET", "/", nil)
	if status != 200 || !strings.Contains(string(out), "Firn") {
		t.Errorf("placeholder: %d %s", status, out)
	}
	h.doJSON("GET", "/api/nothing", nil, 404, nil)
}
