package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firnglacier/firn/app/internal/workspace"
	"github.com/firnglacier/firn/notebooks/examples"
)

// maxNotebookBytes bounds a saved notebook (figures included).
const maxNotebookBytes = 256 << 20

// apiPath is a workspace path as the API returns it: "" for the root.
func apiPath(p string) string {
	if p == "." {
		return ""
	}
	return p
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	dir := r.URL.Query().Get("path")
	entries, err := s.ws.List(dir)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, _ := workspace.Clean(dir) // List succeeded: dir is clean
	writeJSON(w, http.StatusOK, map[string]any{"path": apiPath(c), "entries": entries})
}

// notebookDoc is the body of GET /api/files/content for notebooks.
type notebookDoc struct {
	Path           string    `json:"path"`
	Modified       time.Time `json:"modified"`
	ETag           string    `json:"etag"`
	Damage         []string  `json:"damage,omitempty"`
	KernelMismatch string    `json:"kernel_mismatch,omitempty"`
}

// writeNotebookDoc sends doc with "notebook": nb. The notebook's JSON is
// sent as it is (encoding/json would compact it again: slow for
// notebooks full of figures).
func writeNotebookDoc(w http.ResponseWriter, doc notebookDoc, nb []byte) {
	meta, err := json.Marshal(doc)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(meta)+len(`,"notebook":`)+len(nb)))
	_, _ = w.Write(meta[:len(meta)-1])
	_, _ = w.Write([]byte(`,"notebook":`))
	_, _ = w.Write(nb)
	_, _ = w.Write([]byte("}"))
}

func (s *Server) getContent(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query().Get("path")
	if workspace.IsNotebook(p) {
		// A client that has this version (the page checking for changes on disk) gets 304.
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			if etag, err := s.ws.FileETag(p); err == nil && inm == `"`+etag+`"` {
				w.Header().Set("ETag", inm)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		doc, err := s.ws.ReadNotebook(p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("ETag", `"`+doc.ETag+`"`)
		writeNotebookDoc(w, notebookDoc{
			Path: doc.Path, Modified: doc.Modified, ETag: doc.ETag, Damage: doc.Damage, KernelMismatch: doc.KernelMismatch,
		}, doc.JSON)
		return
	}
	s.serveFile(w, r, p, false)
}

// serveFile sends the file at p as it is. Files of the workspace are the
// user's, not the server's: they get a sandboxing CSP, so an HTML file
// cannot script the API from the server's origin.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, p string, attachment bool) {
	f, e, err := s.ws.Open(p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	if ct := mime.TypeByExtension(path.Ext(e.Name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	if attachment {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Name}))
	}
	http.ServeContent(w, r, e.Name, e.Modified, f)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.serveFile(w, r, r.URL.Query().Get("path"), true)
}

func (s *Server) putContent(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Notebook      json.RawMessage `json:"notebook"`
		ETag          string          `json:"etag"`
		DiscardDamage bool            `json:"discard_damage"`
	}
	if !decodeJSON(w, r, maxNotebookBytes, &body) {
		return
	}
	if len(bytes.TrimSpace(body.Notebook)) == 0 || bytes.Equal(bytes.TrimSpace(body.Notebook), []byte("null")) {
		writeError(w, http.StatusBadRequest, `the request body has no "notebook"`)
		return
	}
	p := r.URL.Query().Get("path")
	isNew := int64(0)
	if s.sizeOf(p) == 0 {
		isNew = 1
	}
	if err := s.checkQuota(int64(len(body.Notebook))-s.sizeOf(p), isNew); err != nil {
		s.fail(w, r, fmt.Errorf("save %s: %w", p, err))
		return
	}
	doc, err := s.ws.WriteNotebook(p, body.Notebook, body.ETag, workspace.WriteOptions{DiscardDamage: body.DiscardDamage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if x := s.sessions.ByPath(doc.Path); x != nil {
		x.Saved(doc.ETag)
	}
	writeJSON(w, http.StatusOK, map[string]any{"path": doc.Path, "modified": doc.Modified, "etag": doc.ETag})
}

// fileOp is POST /api/files.
func (s *Server) fileOp(w http.ResponseWriter, r *http.Request) {
	var op struct {
		Op   string `json:"op"`
		Path string `json:"path"`
		To   string `json:"to"`
	}
	if !decodeJSON(w, r, 1<<20, &op) {
		return
	}
	var (
		e   workspace.Entry
		err error
	)
	status := http.StatusOK
	switch op.Op {
	case "create", "copy":
		add := int64(1 << 10)
		if op.Op == "copy" {
			add = s.sizeOf(op.Path)
		}
		if err := s.checkQuota(add, 1); err != nil {
			s.fail(w, r, fmt.Errorf("%s %s: %w", op.Op, op.Path, err))
			return
		}
	}
	switch op.Op {
	case "create":
		e, err = s.ws.Create(op.Path)
		status = http.StatusCreated
	case "mkdir":
		e, err = s.ws.Mkdir(op.Path)
		status = http.StatusCreated
	case "rename":
		e, err = s.ws.Rename(op.Path, op.To)
		if err == nil {
			if from, rerr := s.ws.Resolve(op.Path); rerr == nil {
				s.sessions.Rename(r.Context(), from, e.Path) // open notebooks keep their kernels
			}
		}
	case "copy":
		e, err = s.ws.Copy(op.Path, op.To)
		status = http.StatusCreated
	case "delete":
		id, err := s.trash(r.Context(), op.Path, "the notebook was deleted")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"trash_id": id})
		return
	case "restore":
		e, err = s.ws.Restore(op.Path)
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("op %q: want create, mkdir, rename, copy, delete or restore", op.Op))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, e)
}

// trash moves p into the trash and ends the sessions of the notebooks it
// was or held (their kernels stop, their clients get a last kernel frame
// "dead" with cause): a notebook opened later at that path is another
// file and gets a fresh kernel, with nothing of the old one replayed.
func (s *Server) trash(ctx context.Context, p, cause string) (string, error) {
	c, err := s.ws.Resolve(p)
	if err != nil {
		return "", err
	}
	id, err := s.ws.Trash(c)
	if err != nil {
		return "", err
	}
	if n, err := s.sessions.CloseUnder(ctx, c, cause); err != nil {
		s.logger.Warn("closing the sessions of a deleted file", "path", c, "err", err)
	} else if n > 0 {
		s.logger.Info("sessions closed", "path", c, "sessions", n, "cause", cause)
	}
	return id, nil
}

func (s *Server) listTrash(w http.ResponseWriter, r *http.Request) {
	items, err := s.ws.TrashList()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items)
}

// upload is POST /api/files/upload?path=DIR with multipart field "file".
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	dir := r.URL.Query().Get("path")
	if e, err := s.ws.Stat(dir); err != nil {
		s.fail(w, r, err)
		return
	} else if e.Type != workspace.Directory {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("upload: %s is not a folder", dir))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUploadBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "upload: want a multipart/form-data body: "+err.Error())
		return
	}
	entries := []workspace.Entry{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("upload: larger than the limit of %s for an upload", sizeText(tooLarge.Limit)))
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "upload: "+err.Error())
			return
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		name := part.FileName()
		if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
			part.Close()
			writeError(w, http.StatusBadRequest, fmt.Sprintf("upload: bad file name %q", name))
			return
		}
		if err := s.checkQuota(1, 1); err != nil {
			part.Close()
			s.fail(w, r, fmt.Errorf("upload %s: %w", name, err))
			return
		}
		e, err := s.ws.WriteFile(path.Join(dir, name), part)
		part.Close()
		if err == nil {
			// Its size is known now: over the quota, it goes again.
			if qerr := s.overQuota(); qerr != nil {
				_ = os.Remove(filepath.Join(s.opts.Workspace, filepath.FromSlash(e.Path)))
				s.fail(w, r, fmt.Errorf("upload %s (not kept): %w", name, qerr))
				return
			}
		}
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("upload %s: larger than the limit of %s for an upload (nothing was written)", name, sizeText(tooLarge.Limit)))
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		writeError(w, http.StatusBadRequest, `upload: no form field "file"`)
		return
	}
	writeJSON(w, http.StatusCreated, entries)
}

// lessons is the bundled lessons, read once: they are embedded, and
// reading them parses every notebook (some 100 ms).
var lessons = sync.OnceValue(examples.List)

func (s *Server) listLessons(w http.ResponseWriter, r *http.Request) {
	type lesson struct {
		File  string `json:"file"`
		Title string `json:"title"`
	}
	out := []lesson{}
	for _, l := range lessons() {
		out = append(out, lesson{l.File, l.Title})
	}
	writeJSON(w, http.StatusOK, out)
}

// LessonsDir is the workspace folder lessons are copied into.
const LessonsDir = "lessons"

// lesson returns the bundled lesson named file (as GET /api/lessons
// lists them) and its bytes, or answers 404.
func (s *Server) lesson(w http.ResponseWriter, file string) ([]byte, bool) {
	found := false
	for _, l := range lessons() {
		found = found || l.File == file
	}
	var b []byte
	var err error
	if found {
		b, err = fs.ReadFile(examples.FS(), file)
	}
	if !found || err != nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no lesson %q (GET /api/lessons lists them)", file))
		return nil, false
	}
	return b, true
}

// copyLesson writes the bundled lesson's bytes to dest unless a file is
// there (then it leaves it).
func (s *Server) copyLesson(dest string, lesson []byte) error {
	if err := s.ws.MkdirAll(LessonsDir); err != nil {
		return err
	}
	var conflict *workspace.ConflictError
	if _, err := s.ws.WriteNotebook(dest, lesson, "", workspace.WriteOptions{}); err != nil && !errors.As(err, &conflict) {
		return err
	}
	return nil
}

// openLesson copies a lesson into lessons/ unless the student has a copy.
func (s *Server) openLesson(w http.ResponseWriter, r *http.Request) {
	var body struct {
		File string `json:"file"`
	}
	if !decodeJSON(w, r, 1<<20, &body) {
		return
	}
	b, ok := s.lesson(w, body.File)
	if !ok {
		return
	}
	dest := LessonsDir + "/" + body.File
	if e, err := s.ws.Stat(dest); err == nil {
		writeJSON(w, http.StatusOK, e)
		return
	}
	if err := s.copyLesson(dest, b); err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.ws.Stat(dest)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// sizeText is a size in bytes for a message: "1 MiB", "512 KiB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// resetLesson puts the bundled lesson back in place of the student's
// copy, which goes to the trash (restorable); the copy's session ends.
func (s *Server) resetLesson(w http.ResponseWriter, r *http.Request) {
	var body struct {
		File string `json:"file"`
	}
	if !decodeJSON(w, r, 1<<20, &body) {
		return
	}
	b, ok := s.lesson(w, body.File)
	if !ok {
		return
	}
	dest := LessonsDir + "/" + body.File
	var out struct {
		workspace.Entry
		TrashID string `json:"trash_id,omitempty"`
	}
	if _, err := s.ws.Stat(dest); err == nil {
		if out.TrashID, err = s.trash(r.Context(), dest, "the lesson was reset"); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.copyLesson(dest, b); err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.ws.Stat(dest)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out.Entry = e
	writeJSON(w, http.StatusOK, out)
}
