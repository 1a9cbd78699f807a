package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/firnglacier/firn/app/internal/session"
)

// Quota bounds a workspace: the size and number of its files (the trash
// included). Zero fields are no bound.
type Quota struct {
	Bytes int64
	Files int64
}

// ErrQuota is wrapped by the errors of writes that would take a
// workspace over its quota (HTTP 507).
var ErrQuota = errors.New("over quota")

// usage is the size and number of the regular files of the workspace.
func (s *Server) usage() (bytes, files int64) { return DiskUse(s.opts.Workspace) }

// DiskUse is the size and number of the regular files under dir.
func DiskUse(dir string) (bytes, files int64) {
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			bytes += fi.Size()
			files++
		}
		return nil
	})
	return bytes, files
}

// checkQuota says whether the workspace may grow by addBytes in addFiles
// more files (negative: shrink), with an error wrapping ErrQuota that
// says what to do when it may not.
func (s *Server) checkQuota(addBytes, addFiles int64) error {
	q := s.opts.Quota
	if q.Bytes <= 0 && q.Files <= 0 {
		return nil
	}
	bytes, files := s.usage()
	overBytes := q.Bytes > 0 && addBytes > 0 && bytes+addBytes > q.Bytes
	overFiles := q.Files > 0 && addFiles > 0 && files+addFiles > q.Files
	if !overBytes && !overFiles {
		return nil
	}
	return fmt.Errorf("%w: your workspace holds %s in %d files, and this would take it over its quota of %s: delete files you do not need, and empty the trash (.trash), then try again",
		ErrQuota, humanSize(bytes), files, quotaText(q))
}

// overQuota is checkQuota's error when the workspace is over its quota
// now (after a write whose size was not known before).
func (s *Server) overQuota() error {
	q := s.opts.Quota
	bytes, files := s.usage()
	if (q.Bytes > 0 && bytes > q.Bytes) || (q.Files > 0 && files > q.Files) {
		return fmt.Errorf("%w: your workspace would hold %s in %d files, over its quota of %s: delete files you do not need, and empty the trash (.trash), then try again",
			ErrQuota, humanSize(bytes), files, quotaText(q))
	}
	return nil
}

// humanSize is a size to read: "117.7 MiB".
func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func quotaText(q Quota) string {
	switch {
	case q.Bytes > 0 && q.Files > 0:
		return fmt.Sprintf("%s and %d files", sizeText(q.Bytes), q.Files)
	case q.Bytes > 0:
		return sizeText(q.Bytes)
	}
	return fmt.Sprintf("%d files", q.Files)
}

// sizeOf is the size of the file p of the workspace (0 if there is none).
func (s *Server) sizeOf(p string) int64 {
	c, err := s.ws.Resolve(p)
	if err != nil {
		return 0
	}
	fi, err := os.Stat(filepath.Join(s.opts.Workspace, filepath.FromSlash(c)))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// getQuota is GET /api/quota: the workspace's use and its quota (0: none).
func (s *Server) getQuota(w http.ResponseWriter, r *http.Request) {
	bytes, files := s.usage()
	writeJSON(w, http.StatusOK, map[string]int64{
		"used_bytes": bytes, "used_files": files, "quota_bytes": s.opts.Quota.Bytes, "quota_files": s.opts.Quota.Files,
	})
}

// makeRoom keeps the notebooks with a running kernel within MaxKernels
// before one more opens: it stops the kernel idle the longest (outputs
// saved, its page told why), or refuses when every kernel is busy.
func (s *Server) makeRoom(ctx context.Context) error {
	max := s.opts.MaxKernels
	if max <= 0 {
		return nil
	}
	for {
		list := s.sessions.List()
		if len(list) < max {
			return nil
		}
		var oldest *session.Session
		var since time.Time
		for _, x := range list {
			if idle, t := x.Idle(); idle && (oldest == nil || t.Before(since)) {
				oldest, since = x, t
			}
		}
		if oldest == nil {
			return fmt.Errorf("%w: %d notebooks are running cells, the most you may run at once: wait for one to finish, or interrupt it", ErrTooManyKernels, len(list))
		}
		cause := fmt.Sprintf("stopped to make room for another notebook: you may run %d kernels at once (outputs saved)", max)
		if _, err := s.stopSession(ctx, oldest, cause, true); err != nil {
			return err
		}
		s.logger.Info("kernel stopped to make room", "path", oldest.Path(), "max", max)
	}
}

// ErrTooManyKernels is wrapped by the error of a session refused
// because every allowed kernel is busy (HTTP 429).
var ErrTooManyKernels = errors.New("too many kernels")
