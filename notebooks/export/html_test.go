package export

import (
	"bytes"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/firnglacier/firn/notebooks"
)

func exportHTML(t *testing.T, nb *notebooks.Notebook, opts HTMLOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, nb, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func notebookOf(cells ...*notebooks.Cell) *notebooks.Notebook {
	nb := notebooks.New()
	nb.Cells = cells
	return nb
}

func TestHTMLTitle(t *testing.T) {
	heading := &notebooks.Cell{Type: notebooks.Markdown, Source: "Intro text\n\n## The $A$ & *B* glacier\n\n# Later"}
	plain := &notebooks.Cell{Type: notebooks.Markdown, Source: "no heading"}
	for _, tc := range []struct {
		name string
		nb   *notebooks.Notebook
		opts HTMLOptions
		want string
	}{
		{"option wins", notebookOf(heading), HTMLOptions{Title: "Given <1>", Name: "x.ipynb"}, "<title>Given &lt;1&gt;</title>"},
		{"first heading", notebookOf(plain, heading), HTMLOptions{Name: "x.ipynb"}, "<title>The A &amp; B glacier</title>"},
		{"file name", notebookOf(plain), HTMLOptions{Name: "spin-up.ipynb"}, "<title>spin-up</title>"},
		{"default", notebookOf(), HTMLOptions{}, "<title>Notebook</title>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if page := exportHTML(t, tc.nb, tc.opts); !strings.Contains(page, tc.want) {
				t.Errorf("page lacks %s", tc.want)
			}
		})
	}
}

// fetchable matches what a browser could fetch from the page: a src or
// href that is not a data: URI or a fragment (a link to click, <a href>,
// fetches nothing and is allowed), CSS url()s and imports.
var fetchable = regexp.MustCompile(`(?i)<(img|script|link|iframe|source|video|audio|embed|object)\b[^>]*\b(src|href)="(?:[^d#]|d[^a])|url\((?:['"]?)(?:[^d'"#]|d[^a])|@import`)

func TestHTMLSelfContained(t *testing.T) {
	for s, want := range map[string]bool{
		`<img src="https://x/a.png">`: true, `<img alt="a" src="x.png">`: true, `b{background:url('http://x')}`: true,
		`@import "x.css";`: true, `<img src="data:image/png;base64,AA">`: false, `<a href="https://oggm.org">`: false,
		`fill:url(#g)`: false, `url(data:font/woff2;base64,AA)`: false,
	} {
		if got := fetchable.MatchString(s); got != want {
			t.Fatalf("fetchable matches %q: %v; want %v", s, got, want)
		}
	}
	empty := exportHTML(t, notebookOf(), HTMLOptions{})
	t.Logf("page of an empty notebook: %d bytes", len(empty))
	with := exportHTML(t, testNotebook(t), HTMLOptions{})
	withoutNB := testNotebook(t)
	withoutNB.Cells = withoutNB.Cells[1:] // no math
	without := exportHTML(t, withoutNB, HTMLOptions{})
	t.Logf("page of the test notebook: %d bytes with KaTeX; without the math cell %d bytes (KaTeX adds %d bytes)",
		len(with), len(without), len(katexJS)+len(katexCSS)+len(katexAutoRender)+len(katexInit))
	scripts := regexp.MustCompile(`(?s)<script>.*?</script>`)
	for name, page := range map[string]string{"with math": with, "without math": without} {
		// KaTeX's code has HTML in its strings; the CSP covers what it
		// makes.
		if m := fetchable.FindString(scripts.ReplaceAllString(page, "<script></script>")); m != "" {
			t.Errorf("%s: the page fetches something: %q", name, m)
		}
		csp := `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; script-src 'unsafe-inline'">`
		if i := strings.Index(page, csp); i < 0 || i > strings.Index(page, "<style>") {
			t.Errorf("%s: the page lacks the Content-Security-Policy before its styles", name)
		}
		if !strings.Contains(page, `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
			t.Errorf("%s: no viewport meta tag", name)
		}
	}
	if !strings.Contains(with, "renderMathInElement") || !strings.Contains(with, "font/woff2;base64,") {
		t.Error("the page with math lacks KaTeX or its fonts")
	}
	if strings.Contains(without, "KaTeX_") || strings.Contains(without, "<script") {
		t.Error("the page without math has KaTeX or a script")
	}
}

func TestHTMLLatexAndHTMLMathIncludeKaTeX(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  notebooks.MIMEBundle
		katex bool
	}{
		{"text/latex", notebooks.MIMEBundle{mimeLaTeX: `$$x^2$$`}, true},
		{"HTML with inline math", notebooks.MIMEBundle{mimeHTML: `<p>area $A_0$ km²</p>`}, true},
		{"HTML with \\(", notebooks.MIMEBundle{mimeHTML: `<p>\(x\)</p>`}, true},
		{"HTML with prices", notebooks.MIMEBundle{mimeHTML: `<p>$5 and $10</p>`}, false},
		{"markdown output with math", notebooks.MIMEBundle{mimeMarkdown: `volume $V$`}, true},
		{"plain text with dollars", notebooks.MIMEBundle{mimeText: `$x$`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nb := notebookOf(&notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{{Type: notebooks.DisplayData, Data: tc.data}}})
			if got := strings.Contains(exportHTML(t, nb, HTMLOptions{}), "renderMathInElement"); got != tc.katex {
				t.Errorf("page has KaTeX: %v; want %v", got, tc.katex)
			}
		})
	}
}

func TestHTMLCells(t *testing.T) {
	png := base64.StdEncoding.EncodeToString(testPNG(t))
	for _, tc := range []struct {
		name string
		cell *notebooks.Cell
		opts HTMLOptions
		want []string
		not  []string
	}{
		{"unexecuted cell", &notebooks.Cell{Type: notebooks.Code, Source: "x"},
			HTMLOptions{}, []string{"In&nbsp;[&nbsp;]:"}, []string{`class="outputs"`}},
		{"prompts", &notebooks.Cell{Type: notebooks.Code, ExecutionCount: ptr(12), Source: "x", Outputs: []*notebooks.Output{
			{Type: notebooks.ExecuteResult, ExecutionCount: ptr(12), Data: notebooks.MIMEBundle{mimeText: "42"}}}},
			HTMLOptions{}, []string{"In&nbsp;[12]:", `<div class="prompt out">Out[12]:</div>`, `<pre class="text">42</pre>`}, nil},
		{"Go highlighted with classes", &notebooks.Cell{Type: notebooks.Code, Source: `func f() string { return "s" }`},
			HTMLOptions{}, []string{`<span class="kd">func</span>`, `<span class="s">&#34;s&#34;</span>`}, []string{`style="`}},
		{"language option", &notebooks.Cell{Type: notebooks.Code, Source: `def f(): pass`},
			HTMLOptions{Language: "python"}, []string{`<span class="k">def</span>`}, nil},
		{"unknown language is escaped", &notebooks.Cell{Type: notebooks.Code, Source: `<b>`},
			HTMLOptions{Language: "no-such-language"}, []string{`<pre class="chroma"><code>&lt;b&gt;</code></pre>`}, nil},
		{"fenced code in Markdown highlighted", &notebooks.Cell{Type: notebooks.Markdown, Source: "```go\nfunc f() {}\n```"},
			HTMLOptions{}, []string{`<span class="kd">func</span>`}, nil},
		{"streams of one name joined", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.Stream, Name: "stdout", Text: "a\n"}, {Type: notebooks.Stream, Name: "stdout", Text: "b\n"},
			{Type: notebooks.Stream, Name: "stderr", Text: "c\n"}}},
			HTMLOptions{}, []string{`<pre class="stream stdout">a` + "\nb\n</pre>", `<pre class="stream stderr">c`}, nil},
		{"long stream scrolls, short does not", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.Stream, Name: "stdout", Text: longLog(scrollLines)}, {Type: notebooks.Stream, Name: "stderr", Text: longLog(scrollLines + 1)}}},
			HTMLOptions{}, []string{`<pre class="stream stdout">year 00`, `<pre class="stream stderr scroll">year 00`}, nil},
		{"progress counter shows its last state", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.Stream, Name: "stdout", Text: "10%\r50%\r100%\n"}}},
			HTMLOptions{}, []string{`<pre class="stream stdout">100%` + "\n</pre>"}, nil},
		{"PNG with the size from metadata", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimePNG: png[:40] + "\n" + png[40:]},
				Metadata: map[string]any{mimePNG: map[string]any{"width": 120.0}}}}},
			HTMLOptions{}, []string{`<img src="data:image/png;base64,` + png + `" alt="PNG image" width="120">`}, nil},
		{"image that is not base64", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimePNG: "not base64!"}}}},
			HTMLOptions{}, []string{`<div class="export-note">image/png data is not base64`}, []string{"<img"}},
		{"SVG that is not XML", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeSVG: "<svg"}}}},
			HTMLOptions{}, []string{`<div class="export-note">invalid SVG`}, []string{"<img"}},
		{"unknown MIME type", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{"application/vnd.widget+json": map[string]any{}}}}},
			HTMLOptions{}, []string{`output of type application/vnd.widget+json is not shown`}, nil},
		{"error without traceback", &notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{
			{Type: notebooks.Error, EName: "panic", EValue: "boom"}}},
			HTMLOptions{}, []string{`<pre class="error">panic: boom</pre>`}, nil},
		{"raw HTML cell sanitized", &notebooks.Cell{Type: notebooks.Raw, Source: "<b>r</b><script>x</script>", Metadata: map[string]any{"format": "text/html"}},
			HTMLOptions{}, []string{"<b>r</b>"}, []string{"<script"}},
		{"other raw cell left out", &notebooks.Cell{Type: notebooks.Raw, Source: "\\section{x}", Metadata: map[string]any{"format": "text/latex"}},
			HTMLOptions{}, nil, []string{"section"}},
		{"cell id as element id", &notebooks.Cell{ID: "abc-1", Type: notebooks.Markdown, Source: "x"},
			HTMLOptions{}, []string{`<div class="cell markdown-cell" id="cell-abc-1">`}, nil},
		{"attachment as data URI", &notebooks.Cell{Type: notebooks.Markdown, Source: "![a](attachment:a.png)",
			Attachments: map[string]notebooks.MIMEBundle{"a.png": {mimePNG: png}}},
			HTMLOptions{}, []string{`<img src="data:image/png;base64,` + png + `" alt="a">`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := exportHTML(t, notebookOf(tc.cell), tc.opts)
			body := page[strings.Index(page, "<main"):]
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("page has %q:\n%s", n, body)
				}
			}
		})
	}
}

func TestHTMLFixture(t *testing.T) {
	page := exportHTML(t, readFixture(t, "attachments.ipynb"), HTMLOptions{})
	for _, want := range []string{
		"<title>Mass balance</title>",
		`<img src="data:image/png;base64,iVBORw0KGgo`, // attachment
		`<span class="math inline">\(\mathrm{d}b/\mathrm{d}z = 7\ \mathrm{mm\,w.e.\,m^{-1}}\)</span>`,
		"<pre class=\"stream stdout\">ELA 2900 m\ndone\n</pre>",
		`alt="PNG image" width="320">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "attachment:") {
		t.Error("an attachment: URL is left")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("pipe closed") }

func TestHTMLErrors(t *testing.T) {
	if err := HTML(&bytes.Buffer{}, nil, HTMLOptions{}); err == nil {
		t.Error("HTML of a nil notebook: no error")
	}
	err := HTML(failingWriter{}, notebookOf(), HTMLOptions{})
	if err == nil || !strings.Contains(err.Error(), "export: HTML: writing the page: pipe closed") {
		t.Errorf("err = %v; want the writer's error with context", err)
	}
}

func TestSafeInElement(t *testing.T) {
	for _, tc := range []struct{ in, elem, want string }{
		{`a="</script>"`, "script", `a="<\/script>"`},
		{`x</SCRIPT y</script`, "script", `x<\/SCRIPT y<\/script`},
		{`content:"</style>"`, "style", `content:"<\/style>"`},
		{`no end`, "script", `no end`},
	} {
		if got := safeInElement(tc.in, tc.elem); got != tc.want {
			t.Errorf("safeInElement(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
	for name, s := range map[string]string{"katex.min.js": katexJS, "auto-render.min.js": katexAutoRender, "init": katexInit} {
		if strings.Contains(strings.ToLower(s), "</script") {
			t.Errorf("%s has </script", name)
		}
	}
	if strings.Contains(strings.ToLower(katexCSS), "</style") {
		t.Error("katex.min.css has </style")
	}
}
