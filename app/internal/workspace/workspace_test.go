package workspace

import (
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
	saved, err := ws.WriteNotebook("n.ipynb", doc.JSON, doc.ETag)
	if err != nil {
		t.Fatal(err)
	}
	var conflict *ConflictError
	if _, err := ws.WriteNotebook("n.ipynb", doc.JSON, "stale"); !errors.As(err, &conflict) || conflict.ETag != saved.ETag {
		t.Errorf("stale etag: %v", err)
	}
}
