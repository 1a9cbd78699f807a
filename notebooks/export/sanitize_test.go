package export

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/sanitize/sanitizetest"
	"github.com/firnglacier/firn/notebooks"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// checkClean parses sanitized HTML or SVG as a browser would and fails
// the test for anything in it that runs code or fetches: a script,
// iframe, object, embed, foreignObject or animation element, an event
// handler, a javascript:/vbscript: URL, or a URL of another site.
func checkClean(t *testing.T, out string) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatalf("parsing %q: %v", out, err)
	}
	for _, root := range nodes {
		for _, n := range findAll(root, func(*html.Node) bool { return true }) {
			switch strings.ToLower(n.Data) {
			case "script", "iframe", "object", "embed", "foreignobject", "set", "animate", "base", "meta", "link":
				t.Errorf("sanitized output has a <%s> element:\n%s", n.Data, out)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				v := strings.ToLower(strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, a.Val))
				switch {
				case strings.HasPrefix(key, "on"):
					t.Errorf("sanitized output has an event handler %s=%q:\n%s", a.Key, a.Val, out)
				case strings.Contains(v, "javascript:") || strings.Contains(v, "vbscript:"):
					t.Errorf("sanitized output has a script URL %s=%q:\n%s", a.Key, a.Val, out)
				case strings.Contains(v, "evil.example"):
					t.Errorf("sanitized output refers to another site: %s=%q:\n%s", a.Key, a.Val, out)
				}
			}
		}
	}
}

// TestHostileTable exports a notebook made of the shared table of
// hostile inputs (internal/sanitize/sanitizetest): each HTML and SVG case
// as an output, each Markdown case as a Markdown cell. What the page shows
// of each must satisfy the same expectations as the kernel's and the
// notebook page's sanitizers.
func TestHostileTable(t *testing.T) {
	cases, err := sanitizetest.Cases("")
	if err != nil {
		t.Fatal(err)
	}
	nb := notebooks.New()
	for _, c := range cases {
		switch c.Kind {
		case "html", "svg":
			mime := mimeHTML
			if c.Kind == "svg" {
				mime = mimeSVG
			}
			nb.Cells = append(nb.Cells, &notebooks.Cell{Type: notebooks.Code, Source: "x", Outputs: []*notebooks.Output{
				{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mime: c.Input}},
			}})
		case "markdown":
			nb.Cells = append(nb.Cells, &notebooks.Cell{Type: notebooks.Markdown, Source: c.Input})
		}
	}
	var b bytes.Buffer
	if err := HTML(&b, nb, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	cells := findAll(doc, func(n *html.Node) bool { return hasClass(n, "cell") })
	if len(cells) != len(cases) {
		t.Fatalf("%d cells in the page; want %d", len(cells), len(cases))
	}
	for i, c := range cases {
		t.Run(c.Kind+"/"+c.Name, func(t *testing.T) {
			var out string
			switch c.Kind {
			case "html":
				out = innerHTML(t, findAll(cells[i], func(n *html.Node) bool { return hasClass(n, "html-output") }))
			case "markdown":
				out = innerHTML(t, findAll(cells[i], func(n *html.Node) bool { return hasClass(n, "md") }))
			case "svg":
				imgs := findAll(cells[i], func(n *html.Node) bool { return n.Data == "img" })
				if len(imgs) != 1 {
					if !c.MayReject {
						t.Fatalf("no SVG image shown")
					}
					return
				}
				src := attrOf(imgs[0], "src")
				data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/svg+xml;base64,"))
				if err != nil {
					t.Fatalf("the SVG image is not a base64 data: URI: %.80s", src)
				}
				out = string(data)
			}
			for _, p := range sanitizetest.Check(c, out) {
				t.Error(p)
			}
			if t.Failed() {
				t.Logf("input:  %s\noutput: %s", c.Input, out)
			}
		})
	}
}

// innerHTML is the markup inside the one node of nodes.
func innerHTML(t *testing.T, nodes []*html.Node) string {
	t.Helper()
	if len(nodes) != 1 {
		t.Fatalf("%d nodes; want 1", len(nodes))
	}
	var b strings.Builder
	for c := nodes[0].FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestSanitizeSVGStandalone checks that a sanitized SVG declares the
// namespaces it needs to be an image of its own.
func TestSanitizeSVGStandalone(t *testing.T) {
	out, err := sanitizeSVG(`<svg width="10"><text>a &lt; b</text></svg>`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<svg width="10" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><text>a &lt; b</text></svg>`; out != want {
		t.Errorf("sanitizeSVG = %s; want %s", out, want)
	}
}

func TestSanitizeSVGErrors(t *testing.T) {
	for _, in := range []string{
		``,
		`<html><body/></html>`,
		`<svg><g></svg>`,
		`<svg/><svg/>`,
		`not xml`,
	} {
		if out, err := sanitizeSVG(in); err == nil {
			t.Errorf("sanitizeSVG(%q) = %q, nil; want an error", in, out)
		}
	}
}

// TestSanitizeMarkdown checks that what Markdown lets through as raw HTML
// or as links cannot run code.
func TestSanitizeMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, in, keep string
	}{
		{"javascript link", `[click](javascript:alert(1))`, "click"},
		{"javascript autolink", `<javascript:alert(1)>`, ""},
		{"raw script", "text\n\n<script>alert(1)</script>\n\nafter", "after"},
		{"raw img with handler", `<img src="x.png" onerror="alert(1)"> ok`, "ok"},
		{"inline handler", `a <span onclick="alert(1)">b</span>`, "<span>b</span>"},
		{"javascript image", `![x](javascript:alert(1))`, `alt="x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := renderMarkdown(tc.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkClean(t, r.HTML)
			if !strings.Contains(r.HTML, tc.keep) {
				t.Errorf("HTML lacks %q:\n%s", tc.keep, r.HTML)
			}
		})
	}
}

// TestHTMLOutputsSanitized exports a notebook whose every output tries to
// run a script.
func TestHTMLOutputsSanitized(t *testing.T) {
	nb := notebooks.New()
	nb.Cells = []*notebooks.Cell{
		{Type: notebooks.Markdown, Source: "<img src=x onerror=alert(1)> [a](javascript:alert(2))"},
		{Type: notebooks.Code, Source: "x", Outputs: []*notebooks.Output{
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeHTML: `<script>alert(1)</script><b onmouseover="alert(1)">b</b>`}},
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeSVG: `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>`}},
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeMarkdown: `[x](javascript:alert(1)) <iframe src="https://evil.example"></iframe>`}},
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeLaTeX: `$x</div><script>alert(1)</script>$`}},
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeJSON: map[string]any{"k": "<script>alert(1)</script>"}}},
			{Type: notebooks.Stream, Name: "stdout", Text: "<script>alert(1)</script>"},
			{Type: notebooks.Error, EName: "e", Traceback: []string{"\x1b[31m<img src=x onerror=alert(1)>\x1b[0m"}},
		}},
	}
	var b bytes.Buffer
	if err := HTML(&b, nb, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	// The page's own scripts are KaTeX's (the LaTeX output has math);
	// look only at the notebook.
	page := b.String()
	start, end := strings.Index(page, `<main class="notebook">`), strings.Index(page, "</main>")
	checkClean(t, page[start:end])
	// The SVG is a data: URI; decode and check it too.
	const prefix = `src="data:image/svg+xml;base64,`
	i := strings.Index(page, prefix)
	if i < 0 {
		t.Fatal("no SVG image in the page")
	}
	data, err := binaryData(notebooks.MIMEBundle{mimeSVG: page[i+len(prefix) : i+len(prefix)+strings.IndexByte(page[i+len(prefix):], '"')]}, mimeSVG)
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, string(data))
}
