package export

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// artifactDir is where the end-to-end test keeps the page and its
// screenshot: $FIRN_ARTIFACTS if set, else a temporary directory.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("FIRN_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "notebooks-export")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHTMLInChromium exports the test notebook, opens the page in headless
// Chromium, and checks the DOM after scripts ran (KaTeX typeset every
// formula, no TeX delimiter is left, code is highlighted, the error's ANSI
// colours are spans, nothing was blocked by the page's Content Security
// Policy and no script failed) and the screenshot (the PNG and the SVG
// plot are drawn). It fails if Chromium is not installed.
func TestHTMLInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("headless Chromium is needed for this test: %v (apt-get install chromium)", err)
	}
	dir := artifactDir(t)
	page := filepath.Join(dir, "notebook.html")
	shot := filepath.Join(dir, "notebook.png")
	var buf bytes.Buffer
	if err := HTML(&buf, testNotebook(t), HTMLOptions{Name: "spinup.ipynb"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(shot)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(),
		"--enable-logging=stderr", "--v=0", // console messages, CSP violations among them
		"--virtual-time-budget=5000", // let scripts and fonts finish
		"--window-size=1280,2000",
		"--screenshot="+shot,
		"--dump-dom",
		"file://"+page)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, tail(stderr.String(), 2000))
	}
	t.Logf("chromium took %v; page %s (%d bytes), screenshot %s", time.Since(start).Round(time.Millisecond), page, buf.Len(), shot)

	// The console: no CSP violation (nothing was fetched or tried to be),
	// no script error.
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") {
			t.Errorf("console message: %s", line)
		}
	}

	doc, err := html.Parse(&stdout)
	if err != nil {
		t.Fatalf("parsing the DOM: %v", err)
	}
	checkDOM(t, doc)
	checkScreenshot(t, shot)
}

func checkDOM(t *testing.T, doc *html.Node) {
	t.Helper()
	// Every formula of the notebook was typeset: 8 .math elements, each
	// holding KaTeX's output, and no KaTeX error.
	maths := findAll(doc, func(n *html.Node) bool { return hasClass(n, "math") })
	if len(maths) != 8 {
		t.Errorf("%d elements of class math; want 8", len(maths))
	}
	for _, m := range maths {
		if len(findAll(m, func(n *html.Node) bool { return hasClass(n, "katex") })) == 0 {
			t.Errorf("math not typeset by KaTeX: %q", textOf(m, nil))
		}
	}
	if errs := findAll(doc, func(n *html.Node) bool { return hasClass(n, "katex-error") }); len(errs) > 0 {
		t.Errorf("KaTeX errors: %q", textOf(errs[0], nil))
	}
	if n := len(findAll(doc, func(n *html.Node) bool { return hasClass(n, "katex") })); n < 8 {
		t.Errorf("%d elements of class katex; want ≥ 8", n)
	}
	// No TeX delimiter is left in the text of markdown cells outside
	// KaTeX's output (whose MathML annotation holds the TeX); the dollars
	// of money are not math.
	skipKaTeX := func(n *html.Node) bool { return hasClass(n, "katex") }
	for _, md := range findAll(doc, func(n *html.Node) bool { return hasClass(n, "markdown-cell") }) {
		text := strings.Replace(textOf(md, skipKaTeX), "costs $5 and $10", "costs 5 and 10", 1)
		for _, delim := range []string{"$", `\(`, `\[`, `\)`, `\]`} {
			if strings.Contains(text, delim) {
				t.Errorf("markdown cell text has %q after KaTeX ran: %q", delim, text)
			}
		}
	}
	// Emphasis outside math worked, and not inside it.
	if ems := findAll(doc, func(n *html.Node) bool { return n.Data == "em" }); len(ems) != 1 || textOf(ems[0], nil) != "flowline" {
		t.Errorf("want exactly one <em>flowline</em>; got %d", len(ems))
	}
	// The title is the first heading.
	if titles := findAll(doc, func(n *html.Node) bool { return n.Data == "title" }); len(titles) != 1 || textOf(titles[0], nil) != "Hintereisferner flowline spin-up" {
		t.Errorf("title: want the first heading")
	}
	// Go code is highlighted with classes: "func" is a declaration keyword.
	keywords := findAll(doc, func(n *html.Node) bool { return hasClass(n, "kd") && textOf(n, nil) == "func" })
	if len(keywords) == 0 {
		t.Error(`no highlighted "func" keyword (span.kd)`)
	}
	// The error's ANSI colours are spans.
	red := findAll(doc, func(n *html.Node) bool { return hasClass(n, "ansi-red-fg") && hasClass(n, "ansi-bold") })
	if len(red) != 1 || textOf(red[0], nil) != "panic" {
		t.Errorf("want one bold red span holding panic in the traceback; got %d", len(red))
	}
	// Two images, both data: URIs; no script survived sanitizing other
	// than the page's own four (KaTeX, auto-render, init).
	imgs := findAll(doc, func(n *html.Node) bool { return n.Data == "img" })
	if len(imgs) != 2 {
		t.Errorf("%d images; want 2", len(imgs))
	}
	for _, img := range imgs {
		if src := attr(img, "src"); !strings.HasPrefix(src, "data:image/") {
			t.Errorf("image src %.40q is not a data: URI", src)
		}
	}
	if n := len(findAll(doc, func(n *html.Node) bool { return n.Data == "script" })); n != 3 {
		t.Errorf("%d scripts; want KaTeX's, auto-render's and the page's", n)
	}
	// The long stream scrolls.
	if n := len(findAll(doc, func(n *html.Node) bool { return hasClass(n, "scroll") })); n != 1 {
		t.Errorf("%d scroll boxes; want 1", n)
	}
}

// checkScreenshot looks for the colours of the PNG and of the SVG's bar.
func checkScreenshot(t *testing.T, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %v; want 1280 × 2000", b.Size())
	}
	for _, c := range []struct {
		what string
		rgb  color.RGBA
		min  int
	}{
		{"PNG output", pngColor, 200 * 100}, // 232 × 112 inside the frame
		{"SVG plot's bar", svgColor, 35 * 100},
	} {
		if n := countColor(img, c.rgb); n < c.min {
			t.Errorf("%s: %d pixels of its colour in the screenshot; want ≥ %d", c.what, n, c.min)
		}
	}
}

func countColor(img image.Image, want color.RGBA) int {
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d >= -3 && d <= 3 }
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, want.R) && near(g, want.G) && near(bl, want.B) {
				n++
			}
		}
	}
	return n
}

func findAll(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var found []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			found = append(found, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return found
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// textOf is the text under n, leaving out subtrees that skip matches.
func textOf(n *html.Node, skip func(*html.Node) bool) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && skip != nil && skip(n) {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

var spaces = regexp.MustCompile(`\s+`)

func tail(s string, n int) string {
	s = spaces.ReplaceAllString(s, " ")
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
