package desktop

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Dirs are where the desktop app keeps the user's files.
type Dirs struct {
	// Workspace is the folder of the user's notebooks (Documents/Firn).
	Workspace string
	// Config is Firn's settings folder (e.g. ~/.config/firn).
	Config string
}

// DefaultDirs returns the workspace in the user's documents folder and
// the settings folder in the user config dir. On Linux the documents
// folder is $XDG_DOCUMENTS_DIR, else the XDG_DOCUMENTS_DIR line of
// user-dirs.dirs in $XDG_CONFIG_HOME (as xdg-user-dir reads it), else
// ~/Documents.
func DefaultDirs() (Dirs, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Dirs{}, fmt.Errorf("desktop: home folder: %w", err)
	}
	config, err := os.UserConfigDir()
	if err != nil {
		return Dirs{}, fmt.Errorf("desktop: config folder: %w", err)
	}
	docs := filepath.Join(home, "Documents")
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		if d := xdgDocuments(home, config, os.Getenv("XDG_DOCUMENTS_DIR")); d != "" {
			docs = d
		}
	}
	return Dirs{Workspace: filepath.Join(docs, "Firn"), Config: filepath.Join(config, "firn")}, nil
}

// xdgDocuments is the XDG documents folder: env if absolute, else the
// XDG_DOCUMENTS_DIR line of config/user-dirs.dirs; "" if neither says.
func xdgDocuments(home, config, env string) string {
	if filepath.IsAbs(env) {
		return env
	}
	f, err := os.Open(filepath.Join(config, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		v, ok := strings.CutPrefix(line, "XDG_DOCUMENTS_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			v = home + rest
		}
		// "$HOME/" alone means "no documents folder" (xdg-user-dirs).
		if !filepath.IsAbs(v) || filepath.Clean(v) == filepath.Clean(home) {
			return ""
		}
		return filepath.Clean(v)
	}
	return ""
}

// errNoDirs is returned for a Config without folders.
var errNoDirs = errors.New("desktop: Config.Dirs needs a workspace and a config folder")
