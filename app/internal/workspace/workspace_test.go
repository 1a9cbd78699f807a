package workspace

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		outside  bool
	}{
		{"", ".", false},
		{".", ".", false},
		{"a/b.ipynb", "a/b.ipynb", false},
		{"a//./b/", "a/b", false},
		{"100%25 sure.txt", "100%25 sure.txt", false},
		{"..", "", true},
		{"a/../b", "", true},
		{"/etc/passwd", "", true},
		{`a\..\b`, "", true},
		{"C:/x", "", true},
		{"%2e%2e/x", "", true},
		{"a%2f..%2fb", "", true},
		{"%2Fetc", "", true},
		{"x\x00", "", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Clean(tc.in)
			if tc.outside {
				if !errors.Is(err, ErrOutside) {
					t.Errorf("Clean(%q) = %q, %v; want ErrOutside", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Clean(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestSymlinksOutsideRefused(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "s.txt"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"abs": outside, "rel": "../" + filepath.Base(outside), "file": filepath.Join(outside, "s.txt")} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, p := range []string{"abs/s.txt", "rel/s.txt", "file", "abs/new.txt"} {
		if _, err := ws.Stat(p); !errors.Is(err, ErrOutside) {
			t.Errorf("Stat(%s): %v", p, err)
		}
		if _, err := ws.WriteFile(p, strings.NewReader("x")); !errors.Is(err, ErrOutside) {
			t.Errorf("WriteFile(%s): %v", p, err)
		}
		if _, err := ws.Trash(p); !errors.Is(err, ErrOutside) {
			t.Errorf("Trash(%s): %v", p, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "s.txt")); string(b) != "s" {
		t.Errorf("outside file changed: %q", b)
	}
}

func TestWriteNotebookConflict(t *testing.T) {
	ws, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	e, err := ws.Create("n.ipynb")
	if err != nil || e.Type != Notebook {
		t.Fatal(e, err)
	}
	doc, err := ws.ReadNotebook("n.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	saved, err := ws.WriteNotebook("n.ipynb", doc.JSON, doc.ETag, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var conflict *ConflictError
	if _, err := ws.WriteNotebook("n.ipynb", doc.JSON, "stale", WriteOptions{}); !errors.As(err, &conflict) || conflict.ETag != saved.ETag {
		t.Errorf("stale etag: %v", err)
	}
}

// TestLeftoverTempFiles: the temporary files of saves killed half-way
// (nobody holds their lock) go when the workspace opens and when a file
// of their folder is saved; other files stay.
func TestLeftoverTempFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "lessons"), 0o755); err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte("x"), 1<<20)
	left := func(p string) {
		if err := os.WriteFile(filepath.Join(dir, p), junk, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	left(".a.ipynb.tmp-0123")
	left("lessons/.b.ipynb.tmp-4567")
	left("lessons/keep.tmp-1") // not a temporary file of Firn's
	ws, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, p := range []string{".a.ipynb.tmp-0123", "lessons/.b.ipynb.tmp-4567"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s still there after Open (%v)", p, err)
		}
	}
	// A save that is killed later leaves one; the next save there removes it.
	left("lessons/.c.ipynb.tmp-89ab")
	if _, err := ws.WriteFile("lessons/notes.txt", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "lessons/.c.ipynb.tmp-89ab")); !os.IsNotExist(err) {
		t.Errorf("leftover still there after a save in its folder (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "lessons/keep.tmp-1")); err != nil {
		t.Errorf("a user's file was removed: %v", err)
	}
}
