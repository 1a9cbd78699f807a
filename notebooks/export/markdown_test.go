package export

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/sanitize/sanitizetest"
	"github.com/firnglacier/firn/notebooks"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	goldhtml "github.com/yuin/goldmark/renderer/html"
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
		{"<img src=x onerror=alert(1)>", "go`x", "```go\n<img src=x onerror=alert(1)>\n```"},
		{"<img src=x onerror=alert(1)>", "go\n<b>", "```go\n<img src=x onerror=alert(1)>\n```"},
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

// exportMarkdownToDisk exports nb as `firn export --to markdown` does:
// NAME.md in a fresh directory, images in NAME_files/ beside it. It
// returns the directory and the Markdown file's content read back.
func exportMarkdownToDisk(t *testing.T, nb *notebooks.Notebook, name string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	var b bytes.Buffer
	err := Markdown(&b, nb, MarkdownOptions{Name: name, WriteFile: func(file string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(file))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".md"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, name+".md"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, string(md)
}

// viewerHTML renders Markdown as a Markdown viewer that passes raw HTML on
// would (GitHub-flavoured, raw HTML kept): what a reader of the exported
// file could be shown. Links to the export's own files are replaced by an
// embedded image, which the policy allows, so that only what came from
// the notebook is judged.
func viewerHTML(t *testing.T, md string, files []string) string {
	t.Helper()
	var b bytes.Buffer
	viewer := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(goldhtml.WithUnsafe()))
	if err := viewer.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	// Such a viewer opens links to other sites in a new tab.
	out := regexp.MustCompile(`<a href="(https?:)`).ReplaceAllString(b.String(), `<a target="_blank" rel="noopener" href="$1`)
	for _, f := range files {
		out = strings.ReplaceAll(out, `"`+f+`"`, `"data:image/png;base64,iVBORw0KGgo="`)
	}
	return out
}

// TestMarkdownHostileOnDisk exports a notebook whose Markdown cell has an
// SVG attachment stored as Jupyter stores it (base64) and whose outputs
// and cells carry event handlers and javascript: links. The Markdown file
// on disk has none of them, whatever renders it; the SVG is a sanitized
// file in NAME_files/ that the Markdown shows.
func TestMarkdownHostileOnDisk(t *testing.T) {
	dir, md := exportMarkdownToDisk(t, readFixture(t, "hostile-markdown.ipynb"), "hostile")
	// (javascript: may stay as text inside HTML, where it is no link; the
	// viewer's rendering below is judged for that.)
	for _, bad := range []string{"onerror", "onclick", "onload", "<script", "](javascript:"} {
		if strings.Contains(strings.ReplaceAll(md, "[html](javascript:", ""), bad) {
			t.Errorf("hostile.md has %q:\n%s", bad, md)
		}
	}
	svgFile := "hostile_files/attachment_0_diagram.svg"
	if want := "![diagram](" + svgFile + ")"; !strings.Contains(md, want) {
		t.Errorf("hostile.md lacks %q:\n%s", want, md)
	}
	svg, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(svgFile)))
	if err != nil {
		t.Fatalf("the SVG attachment's file: %v", err)
	}
	if !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), `<rect width="20" height="10" fill="#1a5fb4"/>`) ||
		strings.Contains(string(svg), "script") || strings.Contains(string(svg), "onload") {
		t.Errorf("%s is not the sanitized drawing:\n%s", svgFile, svg)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "hostile_files"))
	if err != nil || len(entries) != 1 {
		t.Errorf("hostile_files holds %v (%v); want the one SVG", entries, err)
	}
	c := sanitizetest.Case{Kind: "markdown", KeepText: []string{"A diagram", "Look:", "click", "there", "html", "raw", "a link"},
		Absent: []string{"onerror", "onclick", "javascript", "alert"}}
	for _, p := range sanitizetest.Check(c, viewerHTML(t, md, []string{svgFile})) {
		t.Error(p)
	}
	if t.Failed() {
		t.Logf("hostile.md:\n%s", md)
	}
}

// TestMarkdownHostileTable writes the shared table of hostile inputs
// (internal/sanitize/sanitizetest) into a Markdown export: each Markdown
// case as a cell and as a text/markdown output, each HTML case as a
// text/html output. What a viewer renders of the file, each case alone
// and all together, satisfies the same expectations as the page.
func TestMarkdownHostileTable(t *testing.T) {
	cases, err := sanitizetest.Cases("")
	if err != nil {
		t.Fatal(err)
	}
	all := notebooks.New()
	for _, c := range cases {
		var cells []*notebooks.Cell
		switch c.Kind {
		case "markdown":
			cells = []*notebooks.Cell{
				{Type: notebooks.Markdown, Source: c.Input},
				{Type: notebooks.Code, Source: "x", Outputs: []*notebooks.Output{{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeMarkdown: c.Input}}}},
			}
		case "html":
			cells = []*notebooks.Cell{{Type: notebooks.Code, Source: "x", Outputs: []*notebooks.Output{{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeHTML: c.Input}}}}}
		default:
			continue
		}
		all.Cells = append(all.Cells, cells...)
		t.Run(c.Kind+"/"+c.Name, func(t *testing.T) {
			nb := notebooks.New()
			nb.Cells = cells
			_, md := exportMarkdownToDisk(t, nb, "case")
			out := viewerHTML(t, md, nil)
			// The code cell's source is shown too; judge only the rest.
			out = strings.ReplaceAll(out, "<pre><code class=\"language-go\">x\n</code></pre>", "")
			for _, p := range sanitizetest.Check(c, out) {
				t.Error(p)
			}
			if t.Failed() {
				t.Logf("input: %s\nMarkdown:\n%s", c.Input, md)
			}
		})
	}
	// All cases in one file: nothing in one case changes how another reads.
	_, md := exportMarkdownToDisk(t, all, "all")
	hostile := sanitizetest.Case{Kind: "markdown", Absent: []string{"onerror", "javascript", "alert", "remote.invalid"}}
	for _, p := range sanitizetest.Check(hostile, strings.ReplaceAll(viewerHTML(t, md, nil), "<pre><code class=\"language-go\">x\n</code></pre>", "")) {
		t.Errorf("all cases in one file: %s", p)
	}
}
