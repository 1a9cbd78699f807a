package hub

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firnglacier/firn/app"
	"github.com/firnglacier/firn/app/internal/guard"
	"github.com/firnglacier/firn/internal/atomicfile"
	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/export"
)

// Bounds of a published folder and of a hand-in.
const (
	maxPublishedFiles = 10000
	maxPublishedBytes = 1 << 30
	maxHandinBytes    = 64 << 20
)

// Publication is a folder a teacher published to a class: its files are
// under DATA/published/CLASS/NAME and each student of the class gets a
// copy in their workspace's folder NAME.
type Publication struct {
	ID        int64
	Class     string
	Name      string
	Version   int // 1 for the first publication, one more for each update
	Published time.Time
}

// Handin is a copy of a student's file handed in to the teacher, kept
// under DATA/handins/CLASS/PUBLICATION/STUDENT/PATH.
type Handin struct {
	ID          int64
	Class       string
	Publication string
	Student     string
	Path        string // in the student's workspace, e.g. "glaciers-101/01-getting-started.ipynb"
	HandedIn    time.Time
}

// SyncReport says what a student's Sync did, by path in their workspace.
type SyncReport struct {
	Added   []string // new files
	Updated []string // files the student had not changed, replaced by the teacher's new version
	Kept    []string // files the student changed: theirs stays, the teacher's update is not applied
}

func (s *Store) publish(ctx context.Context, class, name string, now time.Time) (Publication, error) {
	stamp := now.UTC().Format(time.RFC3339Nano)
	var p Publication
	err := s.db.QueryRowContext(ctx, `INSERT INTO publications (group_id, name, version, published)
		SELECT id, ?, 1, ? FROM groups WHERE name = ?
		ON CONFLICT (group_id, name) DO UPDATE SET version = version + 1, published = excluded.published
		RETURNING id, version`, name, stamp, class).Scan(&p.ID, &p.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return Publication{}, fmt.Errorf("no class %s (add it with firn hub class add)", class)
	}
	if err != nil {
		return Publication{}, fmt.Errorf("publish %s to %s: %w", name, class, err)
	}
	p.Class, p.Name, p.Published = class, name, now.UTC()
	return p, nil
}

// publications are every publication (user == "") or those of the
// classes user is in, by class and name.
func (s *Store) publications(ctx context.Context, user string) ([]Publication, error) {
	q := `SELECT p.id, g.name, p.name, p.version, p.published FROM publications p JOIN groups g ON g.id = p.group_id`
	args := []any{}
	if user != "" {
		q += ` JOIN members m ON m.group_id = g.id JOIN users u ON u.id = m.user_id WHERE u.name = ?`
		args = append(args, user)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY g.name, p.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		var p Publication
		var stamp string
		if err := rows.Scan(&p.ID, &p.Class, &p.Name, &p.Version, &stamp); err != nil {
			return nil, err
		}
		p.Published, _ = time.Parse(time.RFC3339Nano, stamp)
		out = append(out, p)
	}
	return out, rows.Err()
}

// classes lists the names of the classes (groups), sorted.
func (s *Store) classes(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM groups ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("classes: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("classes: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Publications lists every folder published to a class.
func (s *Store) Publications(ctx context.Context) ([]Publication, error) {
	return s.publications(ctx, "")
}

func (s *Store) syncedVersion(ctx context.Context, pub int64, user string) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT s.version FROM synced s JOIN users u ON u.id = s.user_id
		WHERE s.publication_id = ? AND u.name = ?`, pub, user).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func (s *Store) setSynced(ctx context.Context, pub int64, user string, version int) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO synced (publication_id, user_id, version) SELECT ?, id, ? FROM users WHERE name = ?
		ON CONFLICT (publication_id, user_id) DO UPDATE SET version = excluded.version`, pub, version, user)
	return err
}

// copies are the SHA-256 of each file handed out to user, by path in the
// publication.
func (s *Store) copies(ctx context.Context, pub int64, user string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.path, c.sha256 FROM copies c JOIN users u ON u.id = c.user_id
		WHERE c.publication_id = ? AND u.name = ?`, pub, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, h string
		if err := rows.Scan(&p, &h); err != nil {
			return nil, err
		}
		out[p] = h
	}
	return out, rows.Err()
}

func (s *Store) setCopy(ctx context.Context, pub int64, user, rel, sum string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO copies (publication_id, user_id, path, sha256) SELECT ?, id, ?, ? FROM users WHERE name = ?
		ON CONFLICT (publication_id, user_id, path) DO UPDATE SET sha256 = excluded.sha256`, pub, rel, sum, user)
	return err
}

func (s *Store) handIn(ctx context.Context, pub int64, user, rel string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO handins (publication_id, user_id, path, handed_in) SELECT ?, id, ?, ? FROM users WHERE name = ?
		ON CONFLICT (publication_id, user_id, path) DO UPDATE SET handed_in = excluded.handed_in`,
		pub, rel, now.UTC().Format(time.RFC3339Nano), user)
	return err
}

const handinQuery = `SELECT h.id, g.name, p.name, u.name, h.path, h.handed_in FROM handins h
	JOIN publications p ON p.id = h.publication_id JOIN groups g ON g.id = p.group_id JOIN users u ON u.id = h.user_id`

func scanHandin(sc interface{ Scan(...any) error }) (Handin, error) {
	var x Handin
	var stamp string
	if err := sc.Scan(&x.ID, &x.Class, &x.Publication, &x.Student, &x.Path, &stamp); err != nil {
		return Handin{}, err
	}
	x.HandedIn, _ = time.Parse(time.RFC3339Nano, stamp)
	return x, nil
}

// Handins lists the files handed in, by class, publication, student and
// path.
func (s *Store) Handins(ctx context.Context) ([]Handin, error) {
	rows, err := s.db.QueryContext(ctx, handinQuery+` ORDER BY g.name, p.name, u.name, h.path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Handin
	for rows.Next() {
		x, err := scanHandin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func (s *Store) handin(ctx context.Context, id int64) (Handin, error) {
	return scanHandin(s.db.QueryRowContext(ctx, handinQuery+` WHERE h.id = ?`, id))
}

// publishedDir is where a publication's files are.
func (h *Hub) publishedDir(class, name string) string {
	return filepath.Join(h.opts.Data, "published", class, name)
}

// Publish publishes the files of folder (a folder on the hub's machine,
// such as a teacher's workspace folder) to class as name: a snapshot of
// its files (hidden files and symbolic links left out) is kept under
// DATA/published/CLASS/NAME, replacing an earlier one, and each student
// of the class gets it in the folder NAME of their workspace the next
// time they open their notebooks (Sync).
func (h *Hub) Publish(ctx context.Context, class, name, folder string) (Publication, error) {
	if err := CheckName("class name", class); err != nil {
		return Publication{}, err
	}
	if err := CheckName("publication name", name); err != nil {
		return Publication{}, err
	}
	fi, err := os.Stat(folder)
	if err != nil {
		return Publication{}, fmt.Errorf("publish %s: %w", folder, err)
	}
	if !fi.IsDir() {
		return Publication{}, fmt.Errorf("publish %s: not a folder", folder)
	}
	files, err := listFiles(folder)
	if err != nil {
		return Publication{}, fmt.Errorf("publish %s: %w", folder, err)
	}
	if len(files) == 0 {
		return Publication{}, fmt.Errorf("publish %s: no files to publish", folder)
	}
	dest := h.publishedDir(class, name)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return Publication{}, fmt.Errorf("publish: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "."+name+".new-")
	if err != nil {
		return Publication{}, fmt.Errorf("publish: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, rel := range files {
		if err := copyFile(filepath.Join(folder, filepath.FromSlash(rel)), filepath.Join(tmp, filepath.FromSlash(rel))); err != nil {
			return Publication{}, fmt.Errorf("publish %s: %w", folder, err)
		}
	}
	// The new snapshot replaces the old one at once: a student's Sync
	// sees one or the other.
	old := dest + ".old"
	_ = os.RemoveAll(old)
	if err := os.Rename(dest, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Publication{}, fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		_ = os.Rename(old, dest)
		return Publication{}, fmt.Errorf("publish: %w", err)
	}
	_ = os.RemoveAll(old)
	p, err := h.store.publish(ctx, class, name, h.now())
	if err != nil {
		return Publication{}, err
	}
	h.logger.Info("published", "class", class, "name", name, "version", p.Version, "files", len(files))
	return p, nil
}

// listFiles are the regular files under dir, slash-separated and sorted,
// without hidden files or folders and symbolic links, within the bounds.
func listFiles(dir string) ([]string, error) {
	var out []string
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") || atomicfile.IsTemp(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		total += fi.Size()
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		if len(out) > maxPublishedFiles || total > maxPublishedBytes {
			return fmt.Errorf("more than %d files or %d MiB: publish a smaller folder", maxPublishedFiles, maxPublishedBytes>>20)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	return writeCopy(src, to)
}

// writeCopy writes what src holds to the file to, atomically, making its
// folders.
func writeCopy(src io.Reader, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(to, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

func fileSum(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return sumOf(f)
}

// sumOf is the SHA-256 of what r holds, in hex.
func sumOf(f io.Reader) (string, error) {
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// Sync gives user the folders published to their classes, as
// nbgitpuller does: a file they do not have is copied in (also one they
// deleted), a file they have not changed since it was handed out is
// replaced by the teacher's newer version, and a file they changed is
// theirs: it stays as it is. Files the teacher removed stay too. A
// publication is synced once per version.
func (h *Hub) Sync(ctx context.Context, user string) (SyncReport, error) {
	h.syncMu.Lock()
	defer h.syncMu.Unlock()
	var rep SyncReport
	pubs, err := h.store.publications(ctx, user)
	if err != nil {
		return rep, fmt.Errorf("sync %s: %w", user, err)
	}
	for _, p := range pubs {
		done, err := h.store.syncedVersion(ctx, p.ID, user)
		if err != nil {
			return rep, fmt.Errorf("sync %s: %w", user, err)
		}
		if done >= p.Version {
			continue
		}
		if err := h.syncOne(ctx, user, p, &rep); err != nil {
			return rep, fmt.Errorf("sync %s of class %s to %s: %w", p.Name, p.Class, user, err)
		}
		if err := h.store.setSynced(ctx, p.ID, user, p.Version); err != nil {
			return rep, err
		}
	}
	if len(rep.Added)+len(rep.Updated)+len(rep.Kept) > 0 {
		h.logger.Info("synced", "user", user, "added", len(rep.Added), "updated", len(rep.Updated), "kept", len(rep.Kept))
	}
	return rep, nil
}

func (h *Hub) syncOne(ctx context.Context, user string, p Publication, rep *SyncReport) error {
	src := h.publishedDir(p.Class, p.Name)
	files, err := listFiles(src)
	if err != nil {
		return err
	}
	given, err := h.store.copies(ctx, p.ID, user)
	if err != nil {
		return err
	}
	acct, err := h.account(user)
	if err != nil {
		return err
	}
	// The copies go through the workspace as an os.Root: a link the
	// user's cells made in it (week1 → /etc) is not followed out of it.
	if err := os.MkdirAll(h.Workspace(user), 0o700); err != nil {
		return err
	}
	ws, err := os.OpenRoot(h.Workspace(user))
	if err != nil {
		return err
	}
	defer ws.Close()
	for _, rel := range files {
		from := filepath.Join(src, filepath.FromSlash(rel))
		where := path.Join(p.Name, rel)
		sum, err := fileSum(from)
		if err != nil {
			return err
		}
		have, err := fileSumIn(ws, where)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.Added = append(rep.Added, where)
		case err != nil:
			return err
		case have == sum:
			// Already the teacher's version.
			if err := h.store.setCopy(ctx, p.ID, user, rel, sum); err != nil {
				return err
			}
			continue
		case given[rel] == have:
			rep.Updated = append(rep.Updated, where)
		default:
			rep.Kept = append(rep.Kept, where)
			continue
		}
		if err := copyInto(ws, where, from, acct); err != nil {
			return err
		}
		if err := h.store.setCopy(ctx, p.ID, user, rel, sum); err != nil {
			return err
		}
	}
	return nil
}

// copyInto copies the file from to name in root, atomically, making its
// folders; with an account, what it makes is the account's.
func copyInto(root *os.Root, name, from string, acct *kernel.Account) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := root.MkdirAll(path.Dir(name), 0o755); err != nil {
		return err
	}
	err = atomicfile.WriteIn(root, name, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
	if err != nil || acct == nil {
		return err
	}
	for p := name; p != "."; p = path.Dir(p) {
		if err := root.Lchown(p, int(acct.UID), int(acct.GID)); err != nil {
			return err
		}
	}
	return nil
}

// fileSumIn is fileSum of name in root.
func fileSumIn(root *os.Root, name string) (string, error) {
	f, err := root.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return sumOf(f)
}

// decodeBody reads a small JSON request body into v, or answers 400
// naming what (the action) and the shape wanted.
func decodeBody(w http.ResponseWriter, r *http.Request, what, shape string, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, what+": want a JSON body "+shape+": "+err.Error())
		return false
	}
	return true
}

// workspacePath is raw as a clean slash-separated path inside a
// workspace, or false if it is none (empty, with . or .. elements, or
// backslashes).
func workspacePath(raw string) (string, bool) {
	rel := path.Clean(strings.Trim(raw, "/"))
	if rel == "." || dotted(rel) || strings.HasPrefix(rel, "../") || strings.Contains(raw, "\\") {
		return "", false
	}
	return rel, true
}

// handinDir is where a student's hand-ins to a publication are.
func (h *Hub) handinDir(class, pub, user string) string {
	return filepath.Join(h.opts.Data, "handins", class, pub, user)
}

// checked is the login of r's session with the checks of a state change
// (the CSRF header and the hub's own Origin), or false after answering.
func (h *Hub) checked(w http.ResponseWriter, r *http.Request) (User, bool) {
	u, csrf, ok := h.authenticated(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "not logged in: log in at /login")
		return User{}, false
	}
	if guard.Unsafe(r.Method) {
		if !guard.CSRF(r, app.CSRFCookie, app.CSRFHeader, csrf) {
			writeError(w, http.StatusForbidden, "missing or wrong "+app.CSRFHeader+" header (it must equal the "+app.CSRFCookie+" cookie)")
			return User{}, false
		}
		if !guard.SameOrigin(r, nil, true) {
			writeError(w, http.StatusForbidden, "request from another origin: "+r.Header.Get("Origin"))
			return User{}, false
		}
	}
	return u, true
}

// handIn is POST /hub/handin {"path": P}: the logged-in student hands in
// the file P of their workspace, which must be in a folder published to
// one of their classes. The copy replaces their earlier hand-in of P.
func (h *Hub) handIn(w http.ResponseWriter, r *http.Request) {
	u, ok := h.checked(w, r)
	if !ok {
		return
	}
	var body struct {
		Path string `json:"path"`
	}
	if !decodeBody(w, r, "hand in", `{"path": …}`, &body) {
		return
	}
	rel, ok := workspacePath(body.Path)
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("hand in %q: not a path in your workspace", body.Path))
		return
	}
	first, inner, _ := strings.Cut(rel, "/")
	pubs, err := h.store.publications(r.Context(), u.Name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	i := slices.IndexFunc(pubs, func(p Publication) bool { return p.Name == first })
	if i < 0 || inner == "" {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("hand in %s: it is not in a folder your teacher published to your class; hand in a file of one of those folders", rel))
		return
	}
	p := pubs[i]
	from, err := h.openInWorkspace(u.Name, rel)
	var large *tooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		writeError(w, http.StatusNotFound, "hand in "+rel+": no such file")
		return
	case errors.Is(err, errNotAFile):
		writeError(w, http.StatusUnprocessableEntity, "hand in "+rel+": not a file")
		return
	case errors.As(err, &large):
		writeError(w, http.StatusRequestEntityTooLarge, "hand in "+rel+": "+err.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	to := filepath.Join(h.handinDir(p.Class, p.Name, u.Name), filepath.FromSlash(inner))
	err = writeCopy(from, to)
	from.Close()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "hand in "+rel+": "+err.Error())
		return
	}
	now := h.now()
	if err := h.store.handIn(r.Context(), p.ID, u.Name, rel, now); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	h.logger.Info("handed in", "user", u.Name, "class", p.Class, "publication", p.Name, "path", rel)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"path": rel, "class": p.Class, "handed_in": now.UTC().Format(time.RFC3339)})
}

// publishRequest is POST /hub/publish {"class": C, "folder": F, "name":
// N}: a teacher publishes the folder F of their own workspace to class C
// as N (default: F's last element). The teacher's page posts the same
// as a form (fields class, folder, name, csrf) and is sent back to the
// page, which says what was published or why not.
func (h *Hub) publishRequest(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Class  string `json:"class"`
		Folder string `json:"folder"`
		Name   string `json:"name"`
	}
	form := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	var u User
	if form {
		var ok bool
		if u, ok = h.teacherForm(w, r); !ok {
			return
		}
		body.Class, body.Folder, body.Name = r.PostForm.Get("class"), r.PostForm.Get("folder"), r.PostForm.Get("name")
	} else {
		var ok bool
		if u, ok = h.teacher(w, r); !ok {
			return
		}
		if !decodeBody(w, r, "publish", `{"class": …, "folder": …}`, &body) {
			return
		}
	}
	answer := func(status int, msg string, p Publication) {
		if form {
			q := url.Values{}
			if status == http.StatusOK {
				q.Set("published", fmt.Sprintf("Published %s to %s (version %d): each student gets it when they next open their notebooks.", p.Name, p.Class, p.Version))
			} else {
				q.Set("error", msg)
			}
			http.Redirect(w, r, "/hub/handins?"+q.Encode(), http.StatusSeeOther)
			return
		}
		if status != http.StatusOK {
			writeError(w, status, msg)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"class": p.Class, "name": p.Name, "version": p.Version})
	}
	rel, ok := workspacePath(body.Folder)
	if !ok {
		answer(http.StatusBadRequest, fmt.Sprintf("publish %q: not a folder of your workspace", body.Folder), Publication{})
		return
	}
	name := body.Name
	if name == "" {
		name = path.Base(rel)
	}
	p, err := h.Publish(r.Context(), body.Class, name, filepath.Join(h.Workspace(u.Name), filepath.FromSlash(rel)))
	if err != nil {
		answer(http.StatusUnprocessableEntity, strings.ReplaceAll(err.Error(), h.Workspace(u.Name)+string(filepath.Separator), ""), Publication{})
		return
	}
	answer(http.StatusOK, "", p)
}

// teacherForm is teacher for a form posted by the hub's own page (the
// CSRF value in the form field csrf, or the header).
func (h *Hub) teacherForm(w http.ResponseWriter, r *http.Request) (User, bool) {
	u, csrf, ok := h.authenticated(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "not logged in: log in at /login")
		return User{}, false
	}
	if !formChecked(w, r, csrf) {
		return User{}, false
	}
	if u.Role != RoleTeacher && u.Role != RoleAdmin {
		writeError(w, http.StatusForbidden, "only a teacher or an admin publishes folders and sees the hand-ins")
		return User{}, false
	}
	return u, true
}

// teacher is r's login if it is a teacher's or an admin's, or false
// after answering.
func (h *Hub) teacher(w http.ResponseWriter, r *http.Request) (User, bool) {
	u, ok := h.checked(w, r)
	if !ok {
		return User{}, false
	}
	if u.Role != RoleTeacher && u.Role != RoleAdmin {
		writeError(w, http.StatusForbidden, "only a teacher or an admin publishes folders and sees the hand-ins")
		return User{}, false
	}
	return u, true
}

var handinsTmpl = template.Must(template.New("handins").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Classes — Firn</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ccc;text-align:left}
form.publish{display:flex;gap:.8rem;flex-wrap:wrap;align-items:end}form.publish label{display:flex;flex-direction:column;font-size:.9rem}.ok{color:#1a6b2f}.error{color:#a3141c}</style></head>
<body><h1>Classes</h1>
{{if .Published}}<p class="ok" role="status" data-testid="published">{{.Published}}</p>{{end}}
{{if .Error}}<p class="error" role="alert" data-testid="publish-error">{{.Error}}</p>{{end}}
<h2>Publish a folder</h2>
{{if and .Classes .Folders}}<form class="publish" method="post" action="/hub/publish"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label>Folder of your workspace <select name="folder" data-testid="publish-folder">{{range .Folders}}<option>{{.}}</option>{{end}}</select></label>
<label>To the class <select name="class" data-testid="publish-class">{{range .Classes}}<option>{{.}}</option>{{end}}</select></label>
<label>As (default: the folder's name) <input name="name" data-testid="publish-name" pattern="[A-Za-z0-9][A-Za-z0-9._ -]*"></label>
<button type="submit" data-testid="publish">Publish</button></form>
<p>Each student of the class gets a copy when they next open their notebooks. Publish again to update it: files a student changed stay theirs.</p>
{{else if .Classes}}<p>Make a folder in your workspace with the notebooks to hand out, then publish it here.</p>
{{else}}<p>There is no class yet: add one with <code>firn hub class add</code>.</p>{{end}}
<h2>Hand-ins</h2>
{{if .Handins}}<table><thead><tr><th>class</th><th>folder</th><th>student</th><th>file</th><th>handed in (UTC)</th></tr></thead><tbody>
{{range .Handins}}<tr data-student="{{.Student}}"><td>{{.Class}}</td><td>{{.Publication}}</td><td>{{.Student}}</td><td><a href="/hub/handins/{{.ID}}">{{.Path}}</a></td><td>{{.HandedIn.Format "2006-01-02 15:04"}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Nothing handed in yet.</p>{{end}}
<p><a href="/user/{{.Name}}/">Back to your notebooks</a></p></body></html>
`))

// handinsPage is GET /hub/handins: a teacher's page of their classes:
// a form to publish a folder of their workspace to a class (with what
// the last publish did, from ?published= or ?error=), and the list of
// what was handed in, each file a link to its read-only view.
func (h *Hub) handinsPage(w http.ResponseWriter, r *http.Request) {
	u, ok := h.teacher(w, r)
	if !ok {
		return
	}
	_, csrf, _ := h.authenticated(r)
	list, err := h.store.Handins(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	classes, err := h.store.classes(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var folders []string
	if entries, err := os.ReadDir(h.Workspace(u.Name)); err == nil {
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				folders = append(folders, e.Name())
			}
		}
	}
	pageHeaders(w)
	_ = handinsTmpl.Execute(w, struct {
		Name, CSRF, Published, Error string
		Classes, Folders             []string
		Handins                      []Handin
	}{u.Name, csrf, r.URL.Query().Get("published"), r.URL.Query().Get("error"), classes, folders, list})
}

// handinView is GET /hub/handins/{id}: a handed-in notebook as a static
// page (notebooks/export), read-only; another file as plain text.
func (h *Hub) handinView(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.teacher(w, r); !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "no hand-in "+r.PathValue("id"))
		return
	}
	x, err := h.store.handin(r.Context(), id)
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "no hand-in "+r.PathValue("id"))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	_, inner, _ := strings.Cut(x.Path, "/")
	file := filepath.Join(h.handinDir(x.Class, x.Publication, x.Student), filepath.FromSlash(inner))
	staticHeaders(w)
	if !strings.HasSuffix(file, ".ipynb") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		http.ServeFile(w, r, file)
		return
	}
	nb, err := notebooks.ReadFile(file)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("%s's %s: %v", x.Student, x.Path, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := export.HTML(w, nb, export.HTMLOptions{Name: x.Student + ": " + x.Path}); err != nil {
		h.logger.Error("hand-in view", "id", id, "err", err)
	}
}
