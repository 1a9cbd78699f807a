package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// Manager holds the sessions of a server: one per notebook path.
type Manager struct {
	opts Options // template: Path is set per session

	mu     sync.Mutex
	byID   map[string]*Session
	byPath map[string]*Session
	closed bool
}

// ErrClosed is returned by Open after CloseAll.
var ErrClosed = errors.New("session: the server is shutting down")

// NewManager returns a manager whose sessions are started with opts
// (its Path is ignored).
func NewManager(opts Options) *Manager {
	return &Manager{opts: opts, byID: map[string]*Session{}, byPath: map[string]*Session{}}
}

// Open returns the session of the notebook at path, starting one if
// there is none; created says which.
func (m *Manager) Open(path string) (s *Session, created bool, err error) {
	return m.OpenWith(path, "", nil)
}

// OpenWith is Open that starts a new session's kernel with launcher l,
// named spec in the server's list of kernels (nil l: the manager's
// options'). An existing session keeps its kernel.
func (m *Manager) OpenWith(path, spec string, l kernel.Launcher) (s *Session, created bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, false, ErrClosed
	}
	if s := m.byPath[path]; s != nil {
		return s, false, nil
	}
	opts := m.opts
	opts.Path = path
	if l != nil {
		opts.Kernel.Launcher, opts.KernelName = l, spec
	}
	s = Start(protocol.NewID(), opts)
	m.byID[s.ID()] = s
	m.byPath[path] = s
	return s, true, nil
}

// Get returns the session with id, or nil.
func (m *Manager) Get(id string) *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byID[id]
}

// ByPath returns the session of the notebook at path, or nil.
func (m *Manager) ByPath(path string) *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byPath[path]
}

// List returns the sessions, by path.
func (m *Manager) List() []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Session, 0, len(m.byID))
	for _, s := range m.byID {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Session) int { return strings.Compare(a.Path(), b.Path()) })
	return out
}

// Rename moves the sessions of the notebook at from, or of every notebook
// under the folder from, to their paths under to: a renamed notebook
// keeps its kernel, its variables and a run under way. A session left at
// a path that a moved notebook takes (its file had gone outside Firn)
// ends.
func (m *Manager) Rename(ctx context.Context, from, to string) {
	m.mu.Lock()
	var displaced []*Session
	defer func() {
		m.mu.Unlock()
		for _, s := range displaced {
			_ = s.CloseFor(ctx, "another notebook was moved to its path")
		}
	}()
	moves := map[string]*Session{}
	for p, s := range m.byPath {
		var moved string
		switch {
		case p == from:
			moved = to
		case strings.HasPrefix(p, from+"/"):
			moved = to + p[len(from):]
		default:
			continue
		}
		delete(m.byPath, p)
		moves[moved] = s
	}
	for moved, s := range moves {
		if old := m.byPath[moved]; old != nil {
			delete(m.byID, old.ID())
			displaced = append(displaced, old)
		}
		m.byPath[moved] = s
		s.SetPath(moved)
	}
}

// Close shuts down the session with id; it reports whether there was one.
func (m *Manager) Close(ctx context.Context, id string) (bool, error) {
	m.mu.Lock()
	s := m.byID[id]
	if s != nil {
		delete(m.byID, id)
		delete(m.byPath, s.Path())
	}
	m.mu.Unlock()
	if s == nil {
		return false, nil
	}
	return true, s.Close(ctx)
}

// CloseUnder shuts down the session of the notebook at path, or of every
// notebook under the folder path (the notebook or folder was deleted, or
// replaced), with cause as the last kernel frame's cause; it returns how
// many it closed. A notebook opened later at such a path gets a new
// session, so nothing of the old one is replayed onto another file.
func (m *Manager) CloseUnder(ctx context.Context, path, cause string) (int, error) {
	m.mu.Lock()
	var gone []*Session
	for p, s := range m.byPath {
		if p == path || strings.HasPrefix(p, path+"/") || path == "." {
			delete(m.byPath, p)
			delete(m.byID, s.ID())
			gone = append(gone, s)
		}
	}
	m.mu.Unlock()
	errs := make([]error, len(gone))
	var wg sync.WaitGroup
	for i, s := range gone {
		wg.Go(func() { errs[i] = s.CloseFor(ctx, cause) })
	}
	wg.Wait()
	return len(gone), errors.Join(errs...)
}

// CloseAll shuts every session down, in parallel, and refuses new ones.
func (m *Manager) CloseAll(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	all := make([]*Session, 0, len(m.byID))
	for _, s := range m.byID {
		all = append(all, s)
	}
	m.byID, m.byPath = map[string]*Session{}, map[string]*Session{}
	m.mu.Unlock()
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, s := range all {
		wg.Go(func() { errs[i] = s.Close(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
