package export

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/notebooks"
)

// readFixture reads a notebook of testdata.
func readFixture(t *testing.T, name string) *notebooks.Notebook {
	t.Helper()
	nb, err := notebooks.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

func TestMarkdownFiles(t *testing.T) {
	files := map[string][]byte{}
	var b bytes.Buffer
	err := Markdown(&b, testNotebook(t), MarkdownOptions{Name: "spinup", WriteFile: func(name string, data []byte) error {
		files[name] = data
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# Hintereisferner *flowline* spin-up\n\nThe ice flux is $q = u_s h$", // markdown as it is
		"```go\npackage main\n", // code as a Go fence
		"```\nvolume 22.5\n```\n\n```\nwarning: spin-up short\n```", // streams, ANSI removed
		"![svg](spinup_files/output_2_0.svg)",                       // images as files, named as nbconvert does
		"![png](spinup_files/output_2_1.png)",
		"<table><tr><th>ELA (m)</th>",                // HTML, sanitized
		"```json\n{\n  \"area_km2\": 8,",             // JSON pretty-printed
		"```\npanic: negative time step <dt = -1>\n", // traceback without ANSI
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "<script") || strings.Contains(md, "\x1b") {
		t.Errorf("Markdown has a script or an escape sequence:\n%s", md)
	}
	if len(files) != 2 {
		t.Errorf("wrote %d files; want 2", len(files))
	}
	if png := files["spinup_files/output_2_1.png"]; !bytes.Equal(png, testPNG(t)) {
		t.Errorf("the PNG file is not the output's image")
	}
	if svg := string(files["spinup_files/output_2_0.svg"]); !strings.HasPrefix(svg, "<svg") || strings.Contains(svg, "script") {
		t.Errorf("the SVG file is not the sanitized plot: %.200s", svg)
	}
}

func TestMarkdownInline(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, readFixture(t, "attachments.ipynb"), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	uri := "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
	for _, want := range []string{
		"![profile](" + uri + ")",    // attachment in Markdown
		`<img src="` + uri + `"`,     // attachment in HTML
		"```\nELA 2900 m\ndone\n```", // stream parts joined
		"![png](" + uri + ")",        // output image inline
		`$\mathrm{d}b/\mathrm{d}z`,   // math untouched
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestMarkdownAttachmentFiles(t *testing.T) {
	files := map[string]int{}
	var b bytes.Buffer
	err := Markdown(&b, readFixture(t, "attachments.ipynb"), MarkdownOptions{Name: "mb", WriteFile: func(name string, data []byte) error {
		files[name] = len(data)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"![profile](mb_files/attachment_0_mass_balance.png)", `<img src="mb_files/attachment_0_mass_balance.png"`, "![png](mb_files/output_1_2.png)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, b.String())
		}
	}
	if len(files) != 2 || files["mb_files/attachment_0_mass_balance.png"] == 0 || files["mb_files/output_1_2.png"] == 0 {
		t.Errorf("files written: %v", files)
	}
}

func TestMarkdownWriteFileError(t *testing.T) {
	full := errors.New("disk full")
	err := Markdown(&bytes.Buffer{}, testNotebook(t), MarkdownOptions{WriteFile: func(string, []byte) error { return full }})
	if !errors.Is(err, full) {
		t.Fatalf("err = %v; want it to wrap %v", err, full)
	}
	if want := "cell 3: output 1: writing notebook_files/output_2_0.svg"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q; want it to say %q", err, want)
	}
}

func TestFence(t *testing.T) {
	for _, tc := range []struct{ code, info, want string }{
		{"x := 1\n", "go", "```go\nx := 1\n```"},
		{"s := `raw`", "go", "```go\ns := `raw`\n```"},
		{"a\n```\nb", "", "````\na\n```\nb\n````"},
		{"", "", "```\n\n```"},
	} {
		if got := fence(tc.code, tc.info); got != tc.want {
			t.Errorf("fence(%q, %q) = %q; want %q", tc.code, tc.info, got, tc.want)
		}
	}
}

func TestMarkdownNil(t *testing.T) {
	if err := Markdown(os.Stdout, nil, MarkdownOptions{}); err == nil {
		t.Error("Markdown of a nil notebook: no error")
	}
}
