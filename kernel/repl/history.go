package repl

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/firnglacier/firn/internal/atomicfile"
)

// HistoryLimit is the number of entries a history file keeps (the newest).
const HistoryLimit = 1000

// history is the list of lines typed at the prompt, kept in a file with
// one entry a line (the format of liner and of most shells).
type history struct {
	path    string // "" keeps the history in memory only
	entries []string
}

// loadHistory reads the history file at path. A missing file is an empty
// history. When the file cannot be read, the history returned is kept in
// memory only, so that the file is not overwritten.
func loadHistory(path string) (*history, error) {
	h := &history{path: path}
	if path == "" {
		return h, nil
	}
	entries, err := readHistoryFile(path)
	if err != nil {
		h.path = ""
		return h, err
	}
	h.entries = entries
	return h, nil
}

// readHistoryFile returns the last HistoryLimit entries of a history file
// (none if it does not exist), skipping blank lines and lines that are not
// UTF-8.
func readHistoryFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	var entries []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || !utf8.ValidString(line) {
			continue
		}
		entries = append(entries, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	return lastEntries(entries), nil
}

func lastEntries(e []string) []string {
	if n := len(e); n > HistoryLimit {
		return append([]string(nil), e[n-HistoryLimit:]...)
	}
	return e
}

// add appends a typed line (not blank, not a repeat of the last entry)
// to the history and to its file, and reports whether it was added.
//
// The file is read again and rewritten with the line appended, so two
// sessions open at once both keep their lines. It is written atomically:
// a temporary file in the same folder renamed over the old one, so a
// crash leaves the old or the new file, never half of one. It is private
// (0600): typed lines may hold secrets. A file that cannot be read is not
// overwritten (an error, and the line is kept in memory).
func (h *history) add(line string) (bool, error) {
	if strings.TrimSpace(line) == "" || strings.ContainsAny(line, "\n\r") {
		return false, nil
	}
	if n := len(h.entries); n > 0 && h.entries[n-1] == line {
		return false, nil
	}
	h.entries = lastEntries(append(h.entries, line))
	if h.path == "" {
		return true, nil
	}
	onDisk, err := readHistoryFile(h.path)
	if err != nil {
		return true, err
	}
	if n := len(onDisk); n == 0 || onDisk[n-1] != line {
		onDisk = lastEntries(append(onDisk, line))
	}
	var b strings.Builder
	for _, e := range onDisk {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	if err := writeFileAtomic(h.path, []byte(b.String()), 0o600); err != nil {
		return true, fmt.Errorf("history: %w", err)
	}
	return true, nil
}

// writeFileAtomic writes data to path (its folder created if needed).
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, perm, data)
}

// DefaultHistoryFile is where `firn repl` keeps its history:
// $XDG_STATE_HOME/firn/repl_history, or ~/.local/state/firn/repl_history
// when XDG_STATE_HOME is unset. getenv is os.Getenv when nil.
func DefaultHistoryFile(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "firn", "repl_history"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("history: no home folder: %w", err)
		}
	}
	return filepath.Join(home, ".local", "state", "firn", "repl_history"), nil
}
