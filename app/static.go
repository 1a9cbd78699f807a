package app

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// placeholder is the page served when the server has no frontend.
const placeholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firn</title></head>
<body><h1>Firn</h1>
<p>The notebook server runs, but this build has no frontend. The API is at <code>/api/</code>.</p>
</body></html>
`

// static serves the frontend: its files, and index.html for every other
// path without an extension (the frontend routes itself).
func (s *Server) static() http.Handler {
	pageHeaders := func(w http.ResponseWriter) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
	}
	getOnly := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return false
		}
		pageHeaders(w)
		return true
	}
	if s.opts.Static == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !getOnly(w, r) {
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(placeholder))
		})
	}
	files := http.FileServerFS(s.opts.Static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !getOnly(w, r) {
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" {
			name = "."
		}
		if _, err := fs.Stat(s.opts.Static, name); err != nil && path.Ext(name) == "" {
			http.ServeFileFS(w, r, s.opts.Static, "index.html")
			return
		}
		files.ServeHTTP(w, r)
	})
}
