package examples

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/run"
)

// The test binary is also the kernel (FIRN_KERNEL_CHILD=1).
func TestMain(m *testing.M) {
	if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
		os.Exit(kernel.Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

func TestLessons(t *testing.T) {
	want := []string{"01-getting-started.ipynb", "02-mass-balance.ipynb", "03-ice-flow.ipynb",
		"04-advance-and-retreat.ipynb", "05-temperature-index.ipynb", "06-surges-and-collections.ipynb", "07-a-real-glacier.ipynb",
		"08-welcome-tour.ipynb", "09-ice-on-an-incline.ipynb", "10-flowline-model-explained.ipynb", "11-low-pass-climate-response.ipynb",
		"12-glacier-water-resources.ipynb", "13-glacier-simulator.ipynb"}
	var got []string
	for _, l := range List() {
		got = append(got, l.File)
		if !strings.HasPrefix(l.Title, strings.TrimLeft(l.File[:2], "0")+".") {
			t.Errorf("%s: title %q does not start with its number", l.File, l.Title)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lessons %v, want %v", got, want)
	}
}

// Every lesson runs headless in a fresh kernel without an error, draws
// plots, and its stored outputs are those of a fresh run.
func TestLessonsRunAndStoreFreshOutputs(t *testing.T) {
	for _, l := range List() {
		t.Run(l.File, func(t *testing.T) {
			stored, err := files.ReadFile(l.File)
			if err != nil {
				t.Fatal(err)
			}
			nb, err := Read(l.File)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			err = run.Notebook(ctx, nb, run.Options{
				Kernel: kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: t.TempDir()},
				Name:   l.File, Version: versionOf(nb),
			})
			if err != nil {
				t.Fatalf("the lesson fails: %v", err)
			}
			plots, code := 0, 0
			for _, c := range nb.Cells {
				if c.Type != notebooks.Code {
					continue
				}
				code++
				for _, o := range c.Outputs {
					if _, ok := o.Data["image/png"]; ok {
						plots++
					}
				}
			}
			if plots == 0 || code < 5 {
				t.Errorf("%d code cells and %d plots; a lesson has at least 5 and 1", code, plots)
			}
			var fresh bytes.Buffer
			if err := nb.Write(&fresh); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fresh.Bytes(), stored) {
				a, b := strings.Split(string(stored), "\n"), strings.Split(fresh.String(), "\n")
				line := 0
				for line < min(len(a), len(b)) && a[line] == b[line] {
					line++
				}
				t.Errorf("the stored outputs differ from a fresh run from line %d on: run go generate ./notebooks/examples", line+1)
			}
		})
	}
}

// versionOf is the Firn version a lesson was stored with, so that the
// comparison with a fresh run is about outputs.
func versionOf(nb *notebooks.Notebook) string {
	if f, ok := nb.Metadata["firn"].(map[string]any); ok {
		if v, ok := f["version"].(string); ok {
			return v
		}
	}
	return ""
}

// Converting a lesson to the text form and back loses only outputs and
// execution counts.
func TestTextFormRoundTrip(t *testing.T) {
	for _, l := range List() {
		nb, err := Read(l.File)
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		if err := notebooks.WritePercent(&text, nb); err != nil {
			t.Fatal(err)
		}
		back, err := notebooks.ParsePercent(&text, l.File+".go")
		if err != nil {
			t.Fatalf("%s: %v", l.File, err)
		}
		if len(back.Cells) != len(nb.Cells) {
			t.Fatalf("%s: %d cells came back, want %d", l.File, len(back.Cells), len(nb.Cells))
		}
		for i, c := range nb.Cells {
			b := back.Cells[i]
			if b.ID != c.ID || b.Type != c.Type || b.Source != c.Source || !reflect.DeepEqual(b.Metadata, c.Metadata) {
				t.Errorf("%s: cell %d changed:\n%+v\n%+v", l.File, i+1, c, b)
			}
		}
		if !reflect.DeepEqual(back.Metadata["kernelspec"], nb.Metadata["kernelspec"]) {
			t.Errorf("%s: kernelspec %v came back as %v", l.File, nb.Metadata["kernelspec"], back.Metadata["kernelspec"])
		}
	}
}

// Jupyter's own tools agree: every lesson validates with nbformat and
// renders with nbconvert.
func TestJupyterToolsAgree(t *testing.T) {
	if _, err := exec.LookPath("jupyter-nbconvert"); err != nil {
		t.Fatal("jupyter-nbconvert is missing: apt-get install jupyter-nbconvert python3-nbformat")
	}
	dir := t.TempDir()
	var paths []string
	for _, l := range List() {
		b, _ := files.ReadFile(l.File)
		p := filepath.Join(dir, l.File)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	script := `import sys, nbformat
for p in sys.argv[1:]:
    nbformat.validate(nbformat.read(p, as_version=nbformat.NO_CONVERT))
    print("valid", p)`
	if out, err := exec.Command("/usr/bin/python3", append([]string{"-c", script}, paths...)...).CombinedOutput(); err != nil {
		t.Fatalf("nbformat: %v\n%s", err, out)
	}
	cmd := exec.Command("jupyter-nbconvert", append([]string{"--to", "html", "--output-dir", filepath.Join(dir, "html")}, paths...)...)
	cmd.Env = append(os.Environ(), "PYDEVD_DISABLE_FILE_VALIDATION=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert: %v\n%s", err, out)
	}
	for _, l := range List() {
		page, err := os.ReadFile(filepath.Join(dir, "html", strings.TrimSuffix(l.File, ".ipynb")+".html"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := files.ReadFile(l.File)
		nb, err := notebooks.Read(bytes.NewReader(b), l.File)
		if err != nil {
			t.Fatal(err)
		}
		plots := 0
		for _, c := range nb.Cells {
			for _, o := range c.Outputs {
				if o.Data["image/png"] != nil || o.Data["image/svg+xml"] != nil {
					plots++
				}
			}
		}
		drawn, blank := drawnImages(t, page)
		if drawn < plots || blank > 0 {
			t.Errorf("%s: nbconvert's page draws %d of the notebook's %d plots (%d shown blank)", l.File, drawn, plots, blank)
		}
	}
}

// drawnImages counts the images of an HTML page that show a drawing, and
// those that show nothing: PNGs (data: URLs) are decoded and must have
// at least a few hundred pixels that are neither white nor transparent
// in more than one colour; inline SVGs must hold drawn elements (path,
// polyline, line, rect, circle, polygon), not only text.
func drawnImages(t *testing.T, page []byte) (drawn, blank int) {
	t.Helper()
	for _, m := range regexp.MustCompile(`<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"`).FindAllSubmatch(page, -1) {
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
		if err != nil {
			t.Errorf("a PNG in the page does not decode: %v", err)
			blank++
			continue
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("a PNG in the page does not decode: %v", err)
			blank++
			continue
		}
		inked, colours := 0, map[color.RGBA]bool{}
		r := img.Bounds()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
				if c.A > 0 && (c.R < 240 || c.G < 240 || c.B < 240) {
					inked++
					colours[c] = true
				}
			}
		}
		if inked > 300 && len(colours) > 3 {
			drawn++
		} else {
			blank++
		}
	}
	for _, m := range regexp.MustCompile(`(?s)<svg[ >].*?</svg>`).FindAll(page, -1) {
		if regexp.MustCompile(`<(path|polyline|line|rect|circle|polygon)[ />]`).Match(m) {
			drawn++
		} else {
			blank++
		}
	}
	return drawn, blank
}

func TestCopyToKeepsExistingFiles(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "01-getting-started.ipynb")
	if err := os.WriteFile(mine, []byte("my edits"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CopyTo(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "my edits" {
		t.Errorf("CopyTo overwrote a student's file")
	}
	for _, l := range List()[1:] {
		if _, err := notebooks.ReadFile(filepath.Join(dir, l.File)); err != nil {
			t.Errorf("%s: %v", l.File, err)
		}
	}
}
