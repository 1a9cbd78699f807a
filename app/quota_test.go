package app

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func emptyNotebook(extra int) map[string]any {
	return map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{"pad": strings.Repeat("x", extra)}, "cells": []any{}}
}

// TestQuota: writes through the server that would take a workspace over
// its quota are refused with 507 and a message that says what to do, and
// nothing is left behind; the page reads the use and the quota.
func TestQuota(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Quota = Quota{Bytes: 20 << 10, Files: 4} })
	upload := func(name string, size int) (int, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(bytes.Repeat([]byte("z"), size))
		mw.Close()
		req, _ := http.NewRequest("POST", h.hs.URL+"/api/files/upload?path=", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set(CSRFHeader, h.csrf)
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		out.ReadFrom(resp.Body)
		return resp.StatusCode, out.Bytes()
	}
	for _, c := range []struct {
		name   string
		do     func() (int, []byte)
		status int
		want   string
	}{
		{"a small notebook", func() (int, []byte) {
			return h.do("PUT", "/api/files/content?path=a.ipynb", map[string]any{"notebook": emptyNotebook(1000), "etag": ""})
		}, http.StatusOK, ""},
		{"a notebook over the bytes", func() (int, []byte) {
			return h.do("PUT", "/api/files/content?path=big.ipynb", map[string]any{"notebook": emptyNotebook(30 << 10), "etag": ""})
		}, http.StatusInsufficientStorage, "save big.ipynb: over quota: your workspace holds "},
		{"an upload that fits", func() (int, []byte) { return upload("bed.csv", 8<<10) }, http.StatusCreated, ""},
		{"an upload over the bytes, not kept", func() (int, []byte) { return upload("dem.tif", 30<<10) }, http.StatusInsufficientStorage, "upload dem.tif (not kept): over quota"},
		{"a copy", func() (int, []byte) {
			return h.do("POST", "/api/files", map[string]string{"op": "copy", "path": "bed.csv", "to": "bed2.csv"})
		}, http.StatusCreated, ""},
		{"a copy over the bytes", func() (int, []byte) {
			return h.do("POST", "/api/files", map[string]string{"op": "copy", "path": "bed.csv", "to": "bed3.csv"})
		}, http.StatusInsufficientStorage, "copy bed.csv: over quota"},
		{"a new notebook", func() (int, []byte) {
			return h.do("POST", "/api/files", map[string]string{"op": "create", "path": "n.ipynb"})
		}, http.StatusCreated, ""},
		{"a fifth file", func() (int, []byte) {
			return h.do("POST", "/api/files", map[string]string{"op": "create", "path": "m.ipynb"})
		}, http.StatusInsufficientStorage, "over its quota of 20 KiB and 4 files: delete files you do not need, and empty the trash"},
		{"saving an existing notebook again", func() (int, []byte) {
			st, body := h.do("GET", "/api/files/content?path=a.ipynb", nil)
			var f struct{ ETag string }
			_ = json.Unmarshal(body, &f)
			if st != http.StatusOK {
				return st, body
			}
			return h.do("PUT", "/api/files/content?path=a.ipynb", map[string]any{"notebook": emptyNotebook(1200), "etag": f.ETag})
		}, http.StatusOK, ""},
	} {
		st, body := c.do()
		if st != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, st, body, c.status, c.want)
		}
	}
	for _, gone := range []string{"big.ipynb", "dem.tif", "bed3.csv", "m.ipynb"} {
		if _, err := os.Stat(filepath.Join(h.dir, gone)); err == nil {
			t.Errorf("%s was written over the quota", gone)
		}
	}
	var q map[string]int64
	h.doJSON("GET", "/api/quota", nil, http.StatusOK, &q)
	if q["used_files"] != 4 || q["quota_files"] != 4 || q["quota_bytes"] != 20<<10 || q["used_bytes"] < 10<<10 || q["used_bytes"] > 20<<10 {
		t.Errorf("GET /api/quota: %v", q)
	}
}

// TestMaxKernels: with room for two kernels, opening a third notebook
// stops the kernel idle the longest (its outputs saved, its page told
// why); when both run cells, the third is refused with 429.
func TestMaxKernels(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.MaxKernels = 2 })
	for _, n := range []string{"a", "b", "c", "d"} {
		nb := map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{},
			"cells": []any{map[string]any{"cell_type": "code", "id": "c1", "source": "", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}}}
		h.do("PUT", "/api/files/content?path="+n+".ipynb", map[string]any{"notebook": nb, "etag": ""})
	}
	_, ca := h.ready("a.ipynb")
	ca.execute("m1", "c1", `fmt.Println("a's result")`)
	if r := ca.until(replyTo("m1")); r[len(r)-1].reply().Status != "ok" {
		t.Fatalf("a: %+v", r[len(r)-1].reply())
	}
	_, cb := h.ready("b.ipynb")
	if _, r := cb.run("m2", `1`); r.Status != "ok" {
		t.Fatalf("b: %+v", r)
	}
	_, cc := h.ready("c.ipynb") // a is idle the longest: it stops
	fs := ca.until(func(f frame) bool { return f.Type == "kernel" && f.State == "dead" })
	if cause := fs[len(fs)-1].Cause; !strings.Contains(cause, "stopped to make room for another notebook: you may run 2 kernels at once (outputs saved)") {
		t.Errorf("a's page was told %q", cause)
	}
	if raw, _ := os.ReadFile(filepath.Join(h.dir, "a.ipynb")); !strings.Contains(string(raw), "a's result") {
		t.Errorf("a's output was not saved: %s", raw)
	}
	var list []struct{ Path string }
	h.doJSON("GET", "/api/sessions", nil, http.StatusOK, &list)
	if len(list) != 2 {
		t.Errorf("sessions after the third opened: %v", list)
	}
	// Both running cells: no room.
	cb.execute("m3", "cell-m3", "select {}")
	cc.execute("m4", "cell-m4", "select {}")
	cb.until(func(f frame) bool { return f.msgType() == "execute_input" })
	cc.until(func(f frame) bool { return f.msgType() == "execute_input" })
	st, body := h.do("POST", "/api/sessions", map[string]string{"path": "d.ipynb"})
	if st != http.StatusTooManyRequests || !strings.Contains(string(body), "2 notebooks are running cells, the most you may run at once") {
		t.Errorf("a fourth notebook while both run: %d %s", st, body)
	}
}

// TestShutdownSavesOutputs: when the server stops (firn serve or firn
// hub restarting), the outputs its kernels made are written into the
// notebooks first; a cell still running ends with KernelStopped saying
// so, after its output so far.
func TestShutdownSavesOutputs(t *testing.T) {
	h := newHarness(t, nil)
	nb := map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{}, "cells": []any{
		map[string]any{"cell_type": "code", "id": "done", "source": "", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil},
		map[string]any{"cell_type": "code", "id": "long", "source": "", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil},
	}}
	h.doJSON("PUT", "/api/files/content?path=run.ipynb", map[string]any{"notebook": nb, "etag": ""}, http.StatusOK, nil)
	_, c := h.ready("run.ipynb")
	c.execute("m1", "done", `fmt.Println("finished before")`)
	c.until(replyTo("m1"))
	c.execute("m2", "long", "fmt.Println(\"started\")\nselect {}")
	c.until(func(f frame) bool { return strings.Contains(f.text(), "started") })
	if err := h.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(h.dir, "run.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var saved struct {
		Metadata struct {
			Firn struct {
				KernelStopped struct{ Cause, At string } `json:"kernel_stopped"`
			} `json:"firn"`
		} `json:"metadata"`
		Cells []struct {
			ID      string           `json:"id"`
			Outputs []map[string]any `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &saved); err != nil {
		t.Fatal(err)
	}
	// The page tells whoever opens it next why the kernel went.
	if ks := saved.Metadata.Firn.KernelStopped; ks.Cause != "the server stopped" || ks.At == "" {
		t.Errorf("metadata.firn.kernel_stopped after the shutdown: %+v", ks)
	}
	text := func(i int) string { b, _ := json.Marshal(saved.Cells[i].Outputs); return string(b) }
	if !strings.Contains(text(0), "finished before") || strings.Contains(text(0), "KernelStopped") {
		t.Errorf("the finished cell's outputs: %s", text(0))
	}
	if !strings.Contains(text(1), "started") || !strings.Contains(text(1), `"ename":"KernelStopped"`) || !strings.Contains(text(1), "the server stopped") {
		t.Errorf("the running cell's outputs: %s", text(1))
	}
}
