package notebooks

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/atomicfile"
)

func TestWriteReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"nb.ipynb", "nb.go", "NB.IPYNB"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			nb := builtNotebook()
			if err := WriteFile(path, nb); err != nil {
				t.Fatal(err)
			}
			back, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Ext(name) == ".go" {
				if got, want := withoutOutputs(t, back), withoutOutputs(t, nb); got != want {
					t.Errorf("round trip through %s: %s", name, diffLine([]byte(got), []byte(want)))
				}
			} else if got, want := writeBytes(t, back), writeBytes(t, nb); !bytes.Equal(got, want) {
				t.Errorf("round trip through %s: %s", name, diffLine(got, want))
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("new file has mode %v, want 0644", fi.Mode().Perm())
			}
		})
	}
	if err := WriteFile(filepath.Join(dir, "nb.txt"), New()); err == nil || !strings.Contains(err.Error(), "unknown notebook format") {
		t.Errorf("WriteFile(.txt): %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.ipynb")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing): %v", err)
	}
	assertNoTemp(t, dir)
}

func TestWriteFileKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "private.ipynb")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, New()); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteFileSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.ipynb")
	link := filepath.Join(dir, "link.ipynb")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.ipynb", link); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := WriteFile(link, New()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link replaced by a file: %v", err)
	}
	if _, err := ReadFile(real); err != nil {
		t.Errorf("target not written: %v", err)
	}
}

// failingWriter writes some of the notebook and then fails, as a full disk
// would.
type failingWriter struct{ after int }

func (f failingWriter) write(w io.Writer) error {
	b := bytes.Repeat([]byte("{\n \"cells\": ["), 1000)
	if _, err := w.Write(b[:f.after]); err != nil {
		return err
	}
	return errors.New("disk full")
}

func TestWriteFileFailure(t *testing.T) {
	for _, after := range []int{0, 10, 5000, 12000} {
		dir := t.TempDir()
		path := filepath.Join(dir, "nb.ipynb")
		if err := WriteFile(path, builtNotebook()); err != nil {
			t.Fatal(err)
		}
		old, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		err = atomicfile.Write(path, 0o644, failingWriter{after}.write)
		if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), path) {
			t.Errorf("after %d bytes: error %v, want one naming the file and the cause", after, err)
		}
		now, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(now, old) {
			t.Errorf("after %d bytes: old file changed (%v)", after, err)
		}
		assertNoTemp(t, dir)
	}
	// A notebook that cannot be encoded fails the same way.
	dir := t.TempDir()
	path := filepath.Join(dir, "nb.ipynb")
	nb := New()
	nb.Metadata["bad"] = func() {}
	if err := WriteFile(path, nb); err == nil {
		t.Error("WriteFile of a func value: no error")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed write left %s: %v", path, err)
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestPlotsStoredAsPNG: a plot (PNG and SVG of one image) is stored as the
// PNG only, which Jupyter's tools and GitHub draw; an output that Jupyter
// would show as HTML keeps all its forms.
func TestPlotsStoredAsPNG(t *testing.T) {
	png := "iVBORw0KGgo="
	nb := New()
	c := nb.AddCell(NewCell(Code, "plots.Glacier(g)"))
	c.Outputs = []*Output{
		{Type: DisplayData, Data: MIMEBundle{"image/svg+xml": "<svg><path d='M0 0'/></svg>", "image/png": png, "text/plain": "profile plot"},
			Metadata: map[string]any{"image/png": map[string]any{"width": 605}, "image/svg+xml": map[string]any{"isolated": true}}},
		{Type: DisplayData, Data: MIMEBundle{"text/html": "<table></table>", "image/svg+xml": "<svg/>", "image/png": png}},
		{Type: DisplayData, Data: MIMEBundle{"image/svg+xml": "<svg/>", "text/plain": "svg only"}},
	}
	path := filepath.Join(t.TempDir(), "plots.ipynb")
	if err := WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	outs := back.Cells[0].Outputs
	if d := outs[0].Data; d["image/svg+xml"] != nil || d["image/png"] != png || d["text/plain"] != "profile plot" || outs[0].Metadata["image/svg+xml"] != nil || outs[0].Metadata["image/png"] == nil {
		t.Errorf("plot stored as %v %v, want the PNG, its metadata and the text", d, outs[0].Metadata)
	}
	if d := outs[1].Data; d["image/svg+xml"] == nil || d["text/html"] == nil {
		t.Errorf("an HTML output lost a form: %v", d)
	}
	if d := outs[2].Data; d["image/svg+xml"] == nil {
		t.Errorf("an SVG without a PNG was dropped: %v", d)
	}
	// The notebook in memory keeps the SVG (a session still shows it).
	if nb.Cells[0].Outputs[0].Data["image/svg+xml"] == nil {
		t.Error("WriteFile changed the notebook in memory")
	}
}
