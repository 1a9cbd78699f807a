package display

import (
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/internal/sanitize/sanitizetest"
	"github.com/firnglacier/firn/plots"
)

func TestHTML(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		keep    []string // in text/html
		drop    []string // not in text/html (case-insensitive)
		text    string   // text/plain
		anyText bool     // do not check text/plain
	}{
		{
			name: "script",
			in:   `<p>hi</p><script>alert(1)</script><SCRIPT SRC="https://evil.example/x.js"></SCRIPT>`,
			keep: []string{"<p>hi</p>"},
			drop: []string{"script", "alert", "evil"},
			text: "hi",
		},
		{
			name: "event handlers",
			in:   `<img src="data:image/png;base64,iVBORw0KGgo=" onerror="alert(1)"><p onclick="steal()" onmouseover=x>text</p>`,
			keep: []string{`<img src="data:image/png;base64,iVBORw0KGgo=">`, "<p>text</p>"},
			drop: []string{"onerror", "onclick", "onmouseover", "alert", "steal"},
			text: "text",
		},
		{
			name: "javascript URLs",
			in:   `<a href="javascript:alert(1)">a</a> <a href="JaVaScRiPt:alert(2)">b</a> <a href="jav&#x09;ascript:alert(3)">c</a> <img src="javascript:alert(4)">`,
			keep: []string{"a", "b", "c"},
			drop: []string{"javascript", "alert", "href", "src", "<a", "<img"},
			text: "a b c",
		},
		{
			name: "iframes, objects, forms, base and meta",
			in: `<iframe src="https://evil.example"></iframe><object data="x.swf"></object><embed src="x.swf">` +
				`<form action="https://evil.example"><input name="password"><button>go</button></form>` +
				`<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">ok`,
			keep: []string{"ok"},
			drop: []string{"iframe", "object", "embed", "form", "input", "button", "base", "meta", "evil"},
			text: "go ok",
		},
		{
			name: "style element and disallowed CSS",
			in:   `<style>body{display:none}</style><span style="color: #ff0000; background-image: url(https://evil.example/t.png); position: fixed">red</span><span style="color: expression(alert(1))">e</span>`,
			keep: []string{`<span style="color: #ff0000">red</span>`, "<span>e</span>"},
			drop: []string{"<style", "display", "background", "position", "expression", "evil"},
			text: "rede",
		},
		{
			name: "tables and alignment",
			in: `<table><caption>Runs</caption><thead><tr><th>ELA</th><th style="text-align: right">volume</th></tr></thead>` +
				`<tbody><tr><td>2600</td><td style="text-align: right; float: left" colspan="1">0.42</td></tr></tbody></table>`,
			keep: []string{"<table>", "<caption>Runs</caption>", "<thead>", `<th style="text-align: right">volume</th>`, `<td style="text-align: right" colspan="1">0.42</td>`, "</table>"},
			drop: []string{"float"},
			text: "Runs\nELA  volume\n2600  0.42",
		},
		{
			name: "formatting",
			in:   "<h2>Title</h2>\n<p><b>bold</b> <em>em</em> <code>x := 1</code> H<sub>2</sub>O, m<sup>3</sup></p><ul><li>one</li><li>two</li></ul><pre>a\n  b</pre><p>a &amp; b &lt; c</p>",
			keep: []string{"<h2>Title</h2>", "<b>bold</b>", "<em>em</em>", "<code>x := 1</code>", "<sub>2</sub>", "<sup>3</sup>", "<ul><li>one</li><li>two</li></ul>", "<pre>a\n  b</pre>", "a &amp; b &lt; c"},
			text: "Title\n\nbold em x := 1 H2O, m3\n\none\ntwo\n\na\n  b\n\na & b < c",
		},
		{
			name: "links open in a new tab",
			in:   `<a href="https://oggm.org">OGGM</a> <a href="#top">top</a>`,
			keep: []string{`href="https://oggm.org"`, `target="_blank"`, `rel="noreferrer noopener"`, `<a href="#top">top</a>`},
			text: "OGGM top",
		},
		{
			name: "embedded raster image kept, HTML data URL dropped",
			in:   `<img src="data:image/png;base64,iVBORw0KGgo="><a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`,
			keep: []string{`<img src="data:image/png;base64,iVBORw0KGgo=">`},
			drop: []string{"text/html"},
			text: "x",
		},
		{
			name: "SVG inside HTML",
			in:   `<svg onload="alert(1)"><script>alert(2)</script></svg>after`,
			drop: []string{"svg", "alert", "script"},
			text: "after",
		},
		{
			name: "progress and meter",
			in:   `<progress value="3" max="10"></progress><meter value="0.5">half</meter>`,
			keep: []string{`<progress value="3" max="10"></progress>`, `<meter value="0.5">half</meter>`},
			text: "half",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := HTML(c.in)
			got, _ := b.Data[mimeHTML].(string)
			for _, k := range c.keep {
				if !strings.Contains(got, k) {
					t.Errorf("sanitized HTML lost %q:\n%s", k, got)
				}
			}
			for _, d := range c.drop {
				if strings.Contains(strings.ToLower(got), strings.ToLower(d)) {
					t.Errorf("sanitized HTML kept %q:\n%s", d, got)
				}
			}
			if text := b.Data[mimeText]; !c.anyText && text != c.text {
				t.Errorf("text/plain = %q, want %q", text, c.text)
			}
		})
	}
}

// TestHostileTable runs the shared table of hostile inputs
// (internal/sanitize/sanitizetest) through display.HTML and display.SVG:
// what a cell shows must satisfy the same expectations as the exported
// page and the notebook page.
func TestHostileTable(t *testing.T) {
	cases, err := sanitizetest.Cases("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		var b Bundle
		switch c.Kind {
		case "html":
			b = HTML(c.Input)
		case "svg":
			b = SVG(c.Input)
		default:
			continue // Markdown is rendered by the notebook page
		}
		t.Run(c.Kind+"/"+c.Name, func(t *testing.T) {
			out, ok := b.Data[mimeHTML].(string)
			if c.Kind == "svg" {
				out, ok = b.Data[mimeSVG].(string)
			}
			if !ok {
				if !c.MayReject {
					t.Fatalf("refused: %v", b.Data[mimeText])
				}
				return
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

func TestSVGHostile(t *testing.T) {
	const ns = `xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"`
	cases := []struct {
		name string
		in   string
		keep []string // in the sanitized SVG
		drop []string // not in it (case-insensitive)
	}{
		{
			name: "script",
			in:   `<svg ` + ns + `><script>alert(1)</script><script xlink:href="https://evil.example/x.js"/><rect width="1" height="1"/></svg>`,
			keep: []string{`<rect width="1" height="1"/>`},
			drop: []string{"script", "alert", "evil"},
		},
		{
			name: "script with a prefix",
			in:   `<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script><s:g/></s:svg>`,
			keep: []string{`<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><s:g/></s:svg>`},
			drop: []string{"script", "alert"},
		},
		{
			name: "event handlers",
			in:   `<svg ` + ns + ` onload="alert(1)"><circle r="1" onclick="steal()" ONMOUSEOVER="x()" fill="red"/></svg>`,
			keep: []string{`<circle r="1" fill="red"/>`},
			drop: []string{"onload", "onclick", "onmouseover", "alert", "steal"},
		},
		{
			name: "foreignObject",
			in:   `<svg ` + ns + `><foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/><p>html</p></body></foreignObject><text>ok</text></svg>`,
			keep: []string{"<text>ok</text>"},
			drop: []string{"foreignObject", "body", "img", "onerror", "alert", "html</p>"},
		},
		{
			name: "javascript links",
			in: `<svg ` + ns + `><a href="javascript:alert(1)"><text>a</text></a><a xlink:href=" JaVaScRiPt:alert(2)"><text>b</text></a>` +
				`<a href="jav&#x09;ascript:alert(3)"><text>c</text></a><a href="&#106;avascript:alert(4)"><text>d</text></a></svg>`,
			keep: []string{"<a><text>a</text></a>", "<a><text>b</text></a>", "<a><text>c</text></a>", "<a><text>d</text></a>"},
			drop: []string{"javascript", "alert", "href"},
		},
		{
			name: "animation rewriting a link",
			in: `<svg ` + ns + `><a><animate attributeName="href" values="javascript:alert(1)"/><set attributeName="xlink:href" to="javascript:alert(2)"/><text>x</text></a>` +
				`<animateTransform attributeName="transform" type="rotate" from="0" to="360" dur="1s"/></svg>`,
			keep: []string{"<a><text>x</text></a>"},
			drop: []string{"animate", "<set", "javascript", "alert"},
		},
		{
			name: "data URLs",
			in: `<svg ` + ns + `><a href="data:text/html;base64,PHNjcmlwdD4="><text>x</text></a>` +
				`<image href="data:image/svg+xml;base64,PHN2Zz4=" width="1" height="1"/><image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="2" height="2"/></svg>`,
			keep: []string{"<a><text>x</text></a>", `<image width="1" height="1"/>`, `<image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="2" height="2"/>`},
			drop: []string{"text/html", "svg+xml"},
		},
		{
			name: "safe links kept",
			in:   `<svg ` + ns + `><defs><path id="p" d="M0 0"/></defs><use href="#p"/><use xlink:href="#p"/><a href="https://oggm.org"><text>OGGM</text></a><a href="docs/x.html"><text>rel</text></a></svg>`,
			keep: []string{`<use href="#p"/>`, `<use xlink:href="#p"/>`, `<a href="https://oggm.org" target="_blank" rel="noopener noreferrer">`, `<a href="docs/x.html" target="_blank"`},
		},
		{
			name: "HTML elements that would end the SVG",
			in: `<svg ` + ns + `><p><style><g title="&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;"/></style></p>` +
				`<style><![CDATA[</style><img src=x onerror=alert(2)>]]></style><iframe src="https://evil.example"></iframe><meta http-equiv="refresh"/></svg>`,
			drop: []string{"<p", "<img", "<iframe", "<meta", "evil", "<style"},
		},
		{
			name: "text that looks like markup",
			in:   `<svg ` + ns + `><text><![CDATA[<script>alert(1)</script>]]> &amp; &lt;b&gt;</text><title>a "quoted" &#60;title&#62;</title></svg>`,
			keep: []string{"<text>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;</text>", `<title>a "quoted" &lt;title&gt;</title>`},
			drop: []string{"<script", "<b>"},
		},
		{
			name: "attribute that breaks out of its quotes",
			in:   `<svg ` + ns + `><text font-family='a"onload="alert(1)'>x</text></svg>`,
			keep: []string{`font-family="a&quot;onload=&quot;alert(1)"`},
		},
		{
			name: "comments, processing instructions and DOCTYPE",
			in:   `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol">]><!-- a comment --><svg ` + ns + `><?php echo 1 ?><!-- <script>alert(1)</script> --><g/></svg>`,
			keep: []string{`<svg ` + ns + `><g/></svg>`},
			drop: []string{"DOCTYPE", "ENTITY", "<?", "comment", "script", "php"},
		},
		{
			name: "CSS expression and javascript in style",
			in:   `<svg ` + ns + `><rect style="fill: red; width: expression(alert(1))"/><rect style="fill:url('javascript:alert(2)')"/><rect style="fill:red"/></svg>`,
			keep: []string{`<rect style="fill:red"/>`},
			drop: []string{"expression", "javascript", "alert"},
		},
		{
			name: "HTML entities",
			in:   `<svg ` + ns + `><text>a&nbsp;b &copy; &#x2212;4</text></svg>`,
			keep: []string{"<text>a\u00a0b © −4</text>"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := SVG(c.in)
			got, ok := b.Data[mimeSVG].(string)
			if !ok {
				t.Fatalf("no SVG in the bundle; text: %v", b.Data[mimeText])
			}
			for _, k := range c.keep {
				if !strings.Contains(got, k) {
					t.Errorf("sanitized SVG lost %q:\n%s", k, got)
				}
			}
			for _, d := range c.drop {
				if strings.Contains(strings.ToLower(got), strings.ToLower(d)) {
					t.Errorf("sanitized SVG kept %q:\n%s", d, got)
				}
			}
			// The result is well-formed and sanitizing it again changes nothing.
			again, _, _, err := sanitizeSVG(got)
			if err != nil {
				t.Fatalf("sanitized SVG is not well-formed: %v\n%s", err, got)
			}
			if again != got {
				t.Errorf("sanitizing twice changed the SVG:\n%s\n%s", got, again)
			}
		})
	}
}

func TestSVGInvalid(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "no <svg> element"},
		{"not SVG", `<html><svg/></html>`, "the root element is <html>; want <svg>"},
		{"unclosed", `<svg><g></svg>`, "unexpected </svg>"},
		{"truncated", `<svg><g>`, "invalid SVG"},
		{"two roots", `<svg/><svg/>`, "more than one root element"},
		{"unknown entity", `<!DOCTYPE svg [<!ENTITY x "boom">]><svg><text>&x;</text></svg>`, "invalid SVG"},
		{"text", "a plot", "no <svg> element"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := SVG(c.in)
			if _, ok := b.Data[mimeSVG]; ok {
				t.Fatalf("invalid SVG %q was shown", c.in)
			}
			text, _ := b.Data[mimeText].(string)
			if !strings.HasPrefix(text, "display.SVG: ") || !strings.Contains(text, c.want) {
				t.Errorf("text = %q, want a display.SVG message with %q", text, c.want)
			}
		})
	}
}

// TestSVGPlotIntact checks that a figure of the plots package (gonum/plot's
// SVG) passes the sanitizer with the same elements, attributes and text.
func TestSVGPlotIntact(t *testing.T) {
	f, err := plots.MassBalanceProfile(
		[]massbalance.Model{massbalance.Linear{ELA: 2600, Gradient: 3}, massbalance.Linear{ELA: 2700, Gradient: 4}},
		[]string{"ELA 2600 m", "ELA 2700 m"}, plots.MassBalanceOptions{Title: `Linear <mass> "balance" & more`})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	b := SVG(string(svg))
	got, ok := b.Data[mimeSVG].(string)
	if !ok {
		t.Fatalf("plot SVG rejected: %v", b.Data[mimeText])
	}
	want, have := svgTokens(t, string(svg)), svgTokens(t, got)
	if len(want) < 50 {
		t.Fatalf("only %d tokens in the plot's SVG", len(want))
	}
	if !reflect.DeepEqual(want, have) {
		for i := range min(len(want), len(have)) {
			if !reflect.DeepEqual(want[i], have[i]) {
				t.Fatalf("token %d differs:\n%#v\n%#v", i, want[i], have[i])
			}
		}
		t.Fatalf("%d tokens, want %d", len(have), len(want))
	}
	if text := b.Data[mimeText]; text != "SVG image, 453.54pt × 283.46pt" {
		t.Errorf("text/plain = %q", text)
	}
}

// svgTokens lists the elements, attributes and text inside the root of an
// SVG document.
func svgTokens(t *testing.T, s string) []xml.Token {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var toks []xml.Token
	depth := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return toks
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			toks = append(toks, tok.Copy())
		case xml.EndElement:
			depth--
			toks = append(toks, tok)
		case xml.CharData:
			if depth > 0 {
				toks = append(toks, tok.Copy())
			}
		}
	}
}
