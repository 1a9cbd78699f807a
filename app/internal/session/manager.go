package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

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
// keeps its kernel, its variables and a run under way.
func (m *Manager) Rename(from, to string) {
	m.mu.Lock()
	defer m.mu.Unlock()
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
