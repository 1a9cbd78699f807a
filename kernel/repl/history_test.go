package repl

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestHistory(t *testing.T) {
	many := make([]string, HistoryLimit+5)
	for i := range many {
		many[i] = fmt.Sprintf("x := %d", i)
	}
	tests := []struct {
		name    string
		file    *string // nil: no file yet
		add     []string
		want    []string // entries after adding
		inFile  string   // the file after adding
		skipped int      // lines of add not added
	}{
		{name: "new file", add: []string{"x := 40", "x + 2"}, want: []string{"x := 40", "x + 2"}, inFile: "x := 40\nx + 2\n"},
		{name: "appends", file: ptr("a\nb\n"), add: []string{"c"}, want: []string{"a", "b", "c"}, inFile: "a\nb\nc\n"},
		{name: "blank and repeats skipped", file: ptr("a\n"), add: []string{"a", "", "  ", "b", "b", "a"},
			want: []string{"a", "b", "a"}, inFile: "a\nb\na\n", skipped: 4},
		{name: "empty and bad lines in the file skipped", file: ptr("a\n\n\xff\xfe\r\nb\r\n"), want: []string{"a", "b"}},
		{name: "keeps the last 1000", file: ptr(strings.Join(many[:HistoryLimit+4], "\n") + "\n"), add: many[HistoryLimit+4:],
			want: many[5:], inFile: strings.Join(many[5:], "\n") + "\n"},
		{name: "indented line kept as typed", add: []string{"\treturn 2 * v"}, want: []string{"\treturn 2 * v"}, inFile: "\treturn 2 * v\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state", "firn", "repl_history")
			if tt.file != nil {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(*tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			h, err := loadHistory(path)
			if err != nil {
				t.Fatal(err)
			}
			skipped := 0
			for _, l := range tt.add {
				added, err := h.add(l)
				if err != nil {
					t.Fatal(err)
				}
				if !added {
					skipped++
				}
			}
			if skipped != tt.skipped {
				t.Errorf("%d lines skipped, want %d", skipped, tt.skipped)
			}
			if !reflect.DeepEqual(h.entries, tt.want) {
				t.Errorf("entries %q, want %q", h.entries, tt.want)
			}
			if tt.inFile != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != tt.inFile {
					t.Errorf("file holds %q, want %q", b, tt.inFile)
				}
				if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() != 0o600 {
					t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
				}
				// a new session reads what this one wrote
				h2, err := loadHistory(path)
				if err != nil || !reflect.DeepEqual(h2.entries, tt.want) {
					t.Errorf("reloaded %q (%v), want %q", h2.entries, err, tt.want)
				}
			}
			// no temporary files are left behind
			entries, _ := os.ReadDir(filepath.Dir(path))
			for _, e := range entries {
				if e.Name() != "repl_history" {
					t.Errorf("stray file %s", e.Name())
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestHistoryWithoutFile(t *testing.T) {
	h, err := loadHistory("")
	if err != nil {
		t.Fatal(err)
	}
	if added, err := h.add("x"); !added || err != nil {
		t.Errorf("add = %v, %v", added, err)
	}
}

func TestHistoryUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h := &history{path: filepath.Join(blocker, "history")} // a folder that is a file
	if _, err := h.add("x := 1"); err == nil {
		t.Fatal("no error writing under a file")
	}
	if len(h.entries) != 1 {
		t.Errorf("the entry was lost: %q", h.entries)
	}
}

// An unreadable history file is not overwritten by a session that could
// not read it.
func TestHistoryUnreadableKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "repl_history")
	long := strings.Repeat("x", 2<<20) + "\n" // longer than a line may be
	if err := os.WriteFile(path, []byte(long), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := loadHistory(path)
	if err == nil {
		t.Fatal("no error for an unreadable file")
	}
	if _, err := h.add("y := 2"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != long {
		t.Error("the unreadable history file was overwritten")
	}
}

func TestDefaultHistoryFile(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}, "/s/firn/repl_history"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/h"}, "/h/.local/state/firn/repl_history"},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/firn/repl_history"},
	}
	for _, tt := range tests {
		got, err := DefaultHistoryFile(func(k string) string { return tt.env[k] })
		if err != nil || got != filepath.FromSlash(tt.want) {
			t.Errorf("DefaultHistoryFile(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}

// Two sessions open at once both keep their lines in the file; each
// session's own list (for Up) holds its lines after those it loaded.
func TestHistoryTwoSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "repl_history")
	a, err := loadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		h    *history
		line string
	}{{a, "a1"}, {b, "b1"}, {a, "a2"}, {b, "a2"}} {
		if _, err := step.h.add(step.line); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a1\nb1\na2\n"; string(got) != want {
		t.Errorf("file %q, want %q", got, want)
	}
	if !reflect.DeepEqual(a.entries, []string{"a1", "a2"}) || !reflect.DeepEqual(b.entries, []string{"b1", "a2"}) {
		t.Errorf("sessions hold %q and %q", a.entries, b.entries)
	}
}
