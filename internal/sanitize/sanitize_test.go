package sanitize_test

import (
	"os"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/sanitize"
	"github.com/firnglacier/firn/internal/sanitize/sanitizetest"
)

// TestHostile runs the shared table of hostile inputs through HTML and
// SVG; kernel/display, notebooks/export and the frontend run the same
// table through their own paths.
func TestHostile(t *testing.T) {
	cases, err := sanitizetest.Cases("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		var out string
		switch c.Kind {
		case "html":
			out = sanitize.HTML(c.Input)
		case "svg":
			r, err := sanitize.SVG(c.Input)
			if err != nil {
				if !c.MayReject {
					t.Errorf("%s: SVG refused: %v", c.Name, err)
				}
				continue
			}
			out = r.SVG
		default:
			continue // Markdown: notebooks/export and the frontend
		}
		t.Run(c.Kind+"/"+c.Name, func(t *testing.T) {
			for _, p := range sanitizetest.Check(c, out) {
				t.Error(p)
			}
			if t.Failed() {
				t.Logf("input:  %s\noutput: %s", c.Input, out)
			}
		})
	}
}

func TestPolicyFile(t *testing.T) {
	data, err := os.ReadFile("policy.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := sanitize.ParsePolicy(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.RemoteResources {
		t.Error("policy.json lets outputs load remote resources")
	}
	for _, bad := range []string{"script", "style", "iframe", "object", "embed", "form", "input", "base", "meta", "link", "svg", "math"} {
		for _, el := range p.HTML.Elements {
			if el == bad {
				t.Errorf("policy.json allows <%s> in HTML", el)
			}
		}
	}
	for _, bad := range []string{"script", "style", "foreignObject", "set", "animate"} {
		for _, el := range p.SVG.Elements {
			if strings.EqualFold(el, bad) {
				t.Errorf("policy.json allows <%s> in SVG", el)
			}
		}
	}
	for _, prop := range []string{"position", "top", "left", "width", "height", "transform", "background", "background-image", "z-index"} {
		if _, ok := p.CSS.Properties[prop]; ok {
			t.Errorf("policy.json allows the CSS property %s in HTML", prop)
		}
	}
	for _, bad := range []string{`{"html": {"elements": ["P"]}, "svg": {"css_value": "^$"}}`, `{"unknown": 1}`, `{"svg": {"css_value": "no anchors"}}`} {
		if _, err := sanitize.ParsePolicy([]byte(bad)); err == nil {
			t.Errorf("ParsePolicy(%s): no error", bad)
		}
	}
}

func TestURLs(t *testing.T) {
	for _, tc := range []struct {
		url         string
		link, image bool
	}{
		{"https://oggm.org/", true, false},
		{"HTTP://oggm.org/", true, false},
		{"mailto:a@example.org", true, false},
		{"#top", true, false},
		{"docs/a.html", true, false},
		{"/api/files", true, false},
		{"//remote.invalid/x.png", true, false},
		{"javascript:alert(1)", false, false},
		{" java\tscript:alert(1)", false, false},
		{"\x01javascript:alert(1)", false, false},
		{"vbscript:x", false, false},
		{"data:text/html;base64,PHA+", false, false},
		{"data:image/png;base64,iVBORw0KGgo=", false, true},
		{"DATA:IMAGE/JPEG;base64,/9j/", false, true},
		{"data:image/jpg;base64,/9j/", false, true},
		{"data:image/svg+xml;base64,PHN2Zz4=", false, false},
		{"data:image/png,raw", false, false},
		{"java script:x", false, false},
	} {
		if got := sanitize.LinkURL(tc.url); got != tc.link {
			t.Errorf("LinkURL(%q) = %v; want %v", tc.url, got, tc.link)
		}
		if got := sanitize.ImageURL(tc.url); got != tc.image {
			t.Errorf("ImageURL(%q) = %v; want %v", tc.url, got, tc.image)
		}
	}
}

// TestRemoteResources checks the option: with it, images may come from
// other hosts; without it (Firn's policy), they may not.
func TestRemoteResources(t *testing.T) {
	p := sanitize.DefaultPolicy()
	p.RemoteResources = true
	s, err := sanitize.New(p)
	if err != nil {
		t.Fatal(err)
	}
	in := `<img src="https://oggm.org/logo.png" alt="logo">`
	if got := s.HTML(in); !strings.Contains(got, `src="https://oggm.org/logo.png"`) {
		t.Errorf("with remote resources: %s", got)
	}
	if got := sanitize.HTML(in); strings.Contains(got, "oggm.org") {
		t.Errorf("without remote resources: %s", got)
	}
	if !s.ImageURL("https://oggm.org/logo.png") || sanitize.ImageURL("https://oggm.org/logo.png") {
		t.Error("ImageURL does not follow the option")
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in    string
		clean bool
	}{
		{`<p>a <b>b</b></p>`, true},
		{`<a href="https://oggm.org/">x</a>`, true},
		{`<img src="data:image/png;base64,iVBORw0KGgo=" width="40">`, true},
		{`<td style="text-align:right">1</td>`, true},
		{`<p style="color: red;">a</p>`, true},
		{`<img src="x" onerror="alert(1)">`, false},
		{`<a href="javascript:alert(1)">x</a>`, false},
		{`<img src="https://remote.invalid/a.png">`, false},
		{`<p style="position:fixed">a</p>`, false},
		{`<!-- note -->`, false},
		{`<foo>x</foo>`, false},
	} {
		if got := sanitize.Clean(tc.in); got != tc.clean {
			t.Errorf("Clean(%q) = %v; want %v (sanitized: %s)", tc.in, got, tc.clean, sanitize.HTML(tc.in))
		}
	}
}

func TestSVGInvalid(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "no <svg> element"},
		{`<html><svg/></html>`, "the root element is <html>; want <svg>"},
		{`<svg><g></svg>`, "unexpected </svg>"},
		{`<svg><g>`, "invalid SVG"},
		{`<svg/><svg/>`, "more than one root element"},
		{`<!DOCTYPE svg [<!ENTITY x "boom">]><svg><text>&x;</text></svg>`, "invalid SVG"},
	} {
		if _, err := sanitize.SVG(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SVG(%q): error %v; want one saying %q", tc.in, err, tc.want)
		}
	}
}

func TestSVGIdempotent(t *testing.T) {
	cases, err := sanitizetest.Cases("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		r, err := sanitize.SVG(c.Input)
		if err != nil {
			continue
		}
		again, err := sanitize.SVG(r.SVG)
		if err != nil {
			t.Errorf("%s: the sanitized SVG is not well-formed: %v\n%s", c.Name, err, r.SVG)
			continue
		}
		if again.SVG != r.SVG {
			t.Errorf("%s: sanitizing twice changed the SVG:\n%s\n%s", c.Name, r.SVG, again.SVG)
		}
	}
}

// TestCheckCatches makes sure the table's checks see the hostile inputs
// as they are: a sanitizer that passed its input through would fail.
func TestCheckCatches(t *testing.T) {
	cases, err := sanitizetest.Cases("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Kind == "markdown" || len(c.Absent) == 0 {
			continue
		}
		if len(sanitizetest.Check(c, c.Input)) == 0 {
			t.Errorf("%s/%s: the unsanitized input passes the checks", c.Kind, c.Name)
		}
	}
}
