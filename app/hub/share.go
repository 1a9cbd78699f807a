package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/export"
)

// Share links: a user hands anyone who can log in to the hub a
// read-only view of one of their notebooks, as it is on disk when the
// link is opened (outputs included), without the kernel or the other
// files. A link is a random token (a read capability of that file);
// sharing the same notebook again gives the same link; stopping sharing
// deletes it.

// Share is one user's share link.
type Share struct {
	Token, Path string
	Created     time.Time
}

// share returns the link of user's path, made if there is none.
func (s *Store) share(ctx context.Context, user, path string, now time.Time) (string, error) {
	token := randomHex(24)
	_, err := s.db.ExecContext(ctx, `INSERT INTO shares (token, user_id, path, created)
		SELECT ?, id, ?, ? FROM users WHERE name = ? ON CONFLICT (user_id, path) DO NOTHING`,
		token, path, now.UTC().Format(time.RFC3339), user)
	if err != nil {
		return "", fmt.Errorf("share %s of %s: %w", path, user, err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT s.token FROM shares s JOIN users u ON u.id = s.user_id WHERE u.name = ? AND s.path = ?`, user, path).Scan(&token)
	if err != nil {
		return "", fmt.Errorf("share %s of %s: %w", path, user, err)
	}
	return token, nil
}

// unshare deletes the link of user's path; it reports whether there was
// one.
func (s *Store) unshare(ctx context.Context, user, path string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM shares WHERE path = ? AND user_id = (SELECT id FROM users WHERE name = ?)`, path, user)
	if err != nil {
		return false, fmt.Errorf("stop sharing %s of %s: %w", path, user, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// shared is the owner and path of a link (sql.ErrNoRows: no such link,
// or its owner disabled).
func (s *Store) shared(ctx context.Context, token string) (owner, path string, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT u.name, s.path FROM shares s JOIN users u ON u.id = s.user_id
		WHERE s.token = ? AND u.disabled = 0`, token).Scan(&owner, &path)
	return owner, path, err
}

// shareRequest is POST /hub/share {"path": P} (the link of the user's
// notebook P, made the first time: {"path", "url"}) and DELETE
// /hub/share?path=P (the link deleted: 204, or 404 without one).
func (h *Hub) shareRequest(w http.ResponseWriter, r *http.Request) {
	u, ok := h.checked(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodDelete {
		rel, ok := workspacePath(r.URL.Query().Get("path"))
		if !ok {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("stop sharing %q: not a path in your workspace", r.URL.Query().Get("path")))
			return
		}
		gone, err := h.store.unshare(r.Context(), u.Name, rel)
		switch {
		case err != nil:
			writeError(w, http.StatusInternalServerError, err.Error())
		case !gone:
			writeError(w, http.StatusNotFound, "stop sharing "+rel+": it is not shared")
		default:
			h.logger.Info("share link deleted", "user", u.Name, "path", rel)
			w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	var body struct {
		Path string `json:"path"`
	}
	if !decodeBody(w, r, "share", `{"path": …}`, &body) {
		return
	}
	rel, ok := workspacePath(body.Path)
	if !ok || !strings.HasSuffix(rel, ".ipynb") {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("share %q: want a notebook (.ipynb) of your workspace", body.Path))
		return
	}
	if _, err := h.openShared(u.Name, rel); err != nil {
		writeError(w, http.StatusNotFound, "share "+rel+": "+err.Error())
		return
	}
	token, err := h.store.share(r.Context(), u.Name, rel, h.now())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	h.logger.Info("share link", "user", u.Name, "path", rel)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"path": rel, "url": "/share/" + token})
}

// errNotAFile: a workspace path that is a folder, a link or a device.
var errNotAFile = errors.New("not a file")

// tooLargeError: a file larger than the hub copies or shows.
type tooLargeError struct{ size int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%d MiB, more than %d MiB", e.size>>20, maxHandinBytes>>20)
}

// openInWorkspace opens the regular file rel (slash-separated) of user's
// workspace, of at most maxHandinBytes, through an os.Root of the
// workspace: a link a cell made (week1 → /etc) is not followed out of it.
// A missing file is fs.ErrNotExist; errNotAFile and *tooLargeError say
// the rest.
func (h *Hub) openInWorkspace(user, rel string) (*os.File, error) {
	root, err := os.OpenRoot(h.Workspace(user))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	fi, err := root.Lstat(rel)
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, errNotAFile
	case fi.Size() > maxHandinBytes:
		return nil, &tooLargeError{fi.Size()}
	}
	return root.Open(rel)
}

// openShared reads the notebook rel of user's workspace (openInWorkspace).
func (h *Hub) openShared(user, rel string) (*notebooks.Notebook, error) {
	f, err := h.openInWorkspace(user, rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("no such notebook")
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return notebooks.Read(f, rel)
}

// staticHeaders are the headers of a notebook shown as a static page
// (a hand-in, a share link): no scripts, nothing from elsewhere.
func staticHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'none'")
}

// sharedView is GET /share/{token}: the shared notebook as it is on disk
// now, as a static page (notebooks/export; no scripts), for anyone
// logged in to the hub; a redirect to /login otherwise.
func (h *Hub) sharedView(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := h.authenticated(r); !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	owner, rel, err := h.store.shared(r.Context(), r.PathValue("token"))
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "no such share link: it was never made, or its owner stopped sharing")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	nb, err := h.openShared(owner, rel)
	if err != nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s's %s: %v", owner, rel, err))
		return
	}
	staticHeaders(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := export.HTML(w, nb, export.HTMLOptions{Name: owner + ": " + rel + " (read-only)"}); err != nil {
		h.logger.Error("shared view", "owner", owner, "path", rel, "err", err)
	}
}
