package app

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatusCodes: the HTTP status says what is wrong with the request
// (4xx: the user can change it), and the message names the path; 500 is
// left for the server's own failures.
func TestStatusCodes(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.MaxUploadBytes = 1 << 20 })
	must(t, os.WriteFile(filepath.Join(h.dir, "notes.txt"), []byte("hi"), 0o644))
	long := strings.Repeat("a", 300)               // over NAME_MAX (255)
	deep := strings.Repeat("d/", 2100) + "x.ipynb" // over PATH_MAX (4096)
	for _, tc := range []struct {
		name, method, path string
		body               any
		want               int
		says               string
	}{
		{"list a file", "GET", "/api/files?path=notes.txt", nil, 400, "notes.txt"},
		{"content of a long name", "GET", "/api/files/content?path=" + long + ".ipynb", nil, 400, "too long"},
		{"create a long name", "POST", "/api/files", map[string]string{"op": "create", "path": long + ".ipynb"}, 400, "too long"},
		{"mkdir a long name", "POST", "/api/files", map[string]string{"op": "mkdir", "path": long}, 400, "too long"},
		{"a path too deep", "GET", "/api/files/content?path=" + deep, nil, 400, "too long"},
		{"create too deep", "POST", "/api/files", map[string]string{"op": "create", "path": deep}, 400, "too long"},
		{"create below a file", "POST", "/api/files", map[string]string{"op": "create", "path": "notes.txt/a.ipynb"}, 400, "notes.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := h.do(tc.method, tc.path, tc.body)
			var e struct{ Error string }
			_ = json.Unmarshal(out, &e)
			if status != tc.want || !strings.Contains(e.Error, tc.says) {
				t.Errorf("%s %.80s: %d %.200s, want %d and a message with %q", tc.method, tc.path, status, out, tc.want, tc.says)
			}
		})
	}
	t.Run("upload over the limit", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("file", "big.csv")
		_, _ = w.Write(bytes.Repeat([]byte("x"), 2<<20))
		mw.Close()
		req, _ := http.NewRequest("POST", h.hs.URL+"/api/files/upload?path=", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set(CSRFHeader, h.csrf)
		resp, err := h.client.Do(req)
		must(t, err)
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(e.Error, "1 MiB") {
			t.Errorf("upload of 2 MiB over a 1 MiB limit: %d %q, want 413 naming the limit", resp.StatusCode, e.Error)
		}
		if _, err := os.Stat(filepath.Join(h.dir, "big.csv")); !os.IsNotExist(err) {
			t.Errorf("a partial upload was left: %v", err)
		}
	})
}
