package export

import (
	"bytes"
	"strings"
	"testing"

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

func TestSanitizeHTML(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		keep     []string
	}{
		{"script element", `<b>bold</b><script>alert(1)</script>`, []string{"<b>bold</b>"}},
		{"event handler", `<img src="x.png" onerror="alert(1)">`, []string{`<img src="x.png"`}},
		{"javascript link", `<a href="javascript:alert(1)">click</a>`, []string{"click"}},
		{"obfuscated javascript link", `<a href="jav&#x09;ascript:alert(1)">x</a>`, []string{"x"}},
		{"iframe", `<iframe src="https://evil.example/"></iframe>ok`, []string{"ok"}},
		{"style element", `<style>body{display:none}</style><p style="color: red; position: fixed">t</p>`, []string{`<p style="color: red">t</p>`}},
		{"data image kept", `<img src="data:image/png;base64,iVBORw0KGgo=">`, []string{`src="data:image/png;base64,iVBORw0KGgo="`}},
		{"table kept", `<table><tr><th>a</th></tr><tr><td align="right">1</td></tr></table>`, []string{"<table>", `<td align="right">1</td>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := sanitizeHTML(tc.in)
			checkClean(t, out)
			for _, k := range tc.keep {
				if !strings.Contains(out, k) {
					t.Errorf("sanitized output lacks %q:\n%s", k, out)
				}
			}
		})
	}
}

func TestSanitizeSVG(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		keep     []string
		drop     []string
	}{
		{"script element", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="1" height="1"/></svg>`,
			[]string{`<rect width="1" height="1">`}, nil},
		{"event handlers", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="2" onclick="alert(2)"/></svg>`,
			[]string{`<circle r="2">`}, nil},
		{"external hrefs", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image href="https://evil.example/t.png"/><use xlink:href="https://evil.example/s.svg#a"/><use xlink:href="#local"/></svg>`,
			[]string{`<use xlink:href="#local">`, `<image>`}, nil},
		{"javascript link unwrapped", `<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>label</text></a></svg>`,
			[]string{"<text>label</text>"}, []string{"<a"}},
		{"foreignObject and animation", `<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></body></foreignObject><set attributeName="href" to="javascript:alert(1)"/><g/></svg>`,
			[]string{"<g></g>"}, []string{"<set"}},
		{"CSS fetches", `<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);</style><rect style="fill: url(https://evil.example/p)"/><rect fill="url(#grad)"/></svg>`,
			[]string{`<rect fill="url(#grad)">`}, []string{"<style", "style="}},
		{"safe style sheet kept", `<svg xmlns="http://www.w3.org/2000/svg"><style>.a { fill: #f00 }</style></svg>`,
			[]string{`<style>.a { fill: #f00 }</style>`}, nil},
		{"embedded raster image kept", `<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,iVBORw0KGgo="/></svg>`,
			[]string{`href="data:image/png;base64,iVBORw0KGgo="`}, nil},
		{"embedded SVG document dropped", `<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml;base64,PHN2Zz4="/></svg>`,
			[]string{"<image>"}, []string{"data:image/svg"}},
		{"DOCTYPE, comments and processing instructions dropped", `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><!-- c --><svg xmlns="http://www.w3.org/2000/svg"><!-- inner --><g/></svg>`,
			[]string{`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><g></g></svg>`}, []string{"DOCTYPE", "<?xml", "<!--"}},
		{"namespaces added for a standalone image", `<svg width="10"><text>a &lt; b</text></svg>`,
			[]string{`<svg width="10" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><text>a &lt; b</text></svg>`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := sanitizeSVG(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			checkClean(t, out)
			for _, k := range tc.keep {
				if !strings.Contains(out, k) {
					t.Errorf("sanitized SVG lacks %q:\n%s", k, out)
				}
			}
			for _, d := range tc.drop {
				if strings.Contains(out, d) {
					t.Errorf("sanitized SVG has %q:\n%s", d, out)
				}
			}
		})
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
