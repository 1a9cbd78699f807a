package desktop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/firnglacier/firn/internal/atomicfile"
)

// MaxRecent is how many recent files the File menu lists.
const MaxRecent = 10

// Default window size in pixels, and the smallest one remembered.
const (
	DefaultWidth, DefaultHeight = 1280, 800
	MinWidth, MinHeight         = 480, 320
)

// Window is the window's geometry in screen pixels.
type Window struct {
	X, Y          int
	Width, Height int
	// Placed says whether X and Y were saved (else the window manager
	// places the window).
	Placed    bool
	Maximised bool
}

// State is what the desktop app remembers between starts: the file
// desktop.json in Dirs.Config.
type State struct {
	Window Window `json:"window"`
	// Recent are workspace-relative paths of the notebooks last opened,
	// newest first, at most MaxRecent.
	Recent []string `json:"recent"`
	// Seeded says the first start (lessons copied, Getting started
	// opened) is done.
	Seeded bool `json:"seeded"`
}

// stateFile is the name of the settings file in Dirs.Config.
const stateFile = "desktop.json"

// LoadState reads the state in dir; a missing file gives the defaults,
// and so does a damaged one (with the error, for the log): settings are
// never worth refusing to start over.
func LoadState(dir string) (State, error) {
	st := State{Window: Window{Width: DefaultWidth, Height: DefaultHeight}}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("desktop: settings: %w", err)
	}
	var got State
	if err := json.Unmarshal(b, &got); err != nil {
		return st, fmt.Errorf("desktop: settings %s: %w (using the defaults)", filepath.Join(dir, stateFile), err)
	}
	got.Window = got.Window.sane()
	if len(got.Recent) > MaxRecent {
		got.Recent = got.Recent[:MaxRecent]
	}
	return got, nil
}

// Save writes st into dir atomically (a crash leaves the old file or the
// new one, never half of one).
func (st State) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("desktop: settings: %w", err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("desktop: settings: %w", err)
	}
	err = atomicfile.Write(filepath.Join(dir, stateFile), 0o644, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("desktop: settings: %w", err)
	}
	return nil
}

// sane replaces a size too small to use (or missing) by the default.
func (w Window) sane() Window {
	if w.Width < MinWidth || w.Height < MinHeight {
		w.Width, w.Height = DefaultWidth, DefaultHeight
	}
	return w
}

// AddRecent puts path first in the recent list (once) and keeps at most
// MaxRecent.
func (st *State) AddRecent(path string) {
	if path == "" {
		return
	}
	st.Recent = slices.DeleteFunc(st.Recent, func(p string) bool { return p == path })
	st.Recent = slices.Insert(st.Recent, 0, path)
	if len(st.Recent) > MaxRecent {
		st.Recent = st.Recent[:MaxRecent]
	}
}
