package sanitize

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Sanitizer applies one Policy. It is safe for concurrent use.
type Sanitizer struct {
	p    Policy
	c    *compiled
	html *bluemonday.Policy
}

// New builds the sanitizer of a policy.
func New(p Policy) (*Sanitizer, error) {
	c, err := compile(p)
	if err != nil {
		return nil, err
	}
	s := &Sanitizer{p: p, c: c}
	s.html = s.bluemonday()
	return s, nil
}

// HTML sanitizes an HTML fragment with Firn's policy (see the package
// documentation).
func HTML(s string) string { return defaultSanitizer().HTML(s) }

// SVG sanitizes an SVG document with Firn's policy (see SVGResult).
func SVG(s string) (SVGResult, error) { return defaultSanitizer().SVG(s) }

// LinkURL reports whether Firn's policy lets a link go to u.
func LinkURL(u string) bool { return defaultSanitizer().LinkURL(u) }

// ImageURL reports whether Firn's policy lets an image load u.
func ImageURL(u string) bool { return defaultSanitizer().ImageURL(u) }

// Clean reports whether Firn's policy keeps the HTML fragment s as it is.
func Clean(s string) bool { return defaultSanitizer().Clean(s) }

// HTML returns the fragment s with only what the policy allows. Links to
// other sites get target="_blank" and rel="noopener noreferrer", so they
// open in a new tab that cannot reach back into the notebook.
func (s *Sanitizer) HTML(in string) string { return s.html.Sanitize(in) }

// bluemonday builds the HTML policy from the allowlist.
func (s *Sanitizer) bluemonday() *bluemonday.Policy {
	p, h := bluemonday.NewPolicy(), s.p.HTML
	p.AllowElements(h.Elements...)
	// Elements that need an attribute to mean anything (a link without
	// href, an image without src) go; the rest stay bare.
	bare := slices.DeleteFunc(slices.Clone(h.Elements), func(el string) bool { return el == "a" || el == "img" })
	p.AllowNoAttrs().OnElements(bare...)
	p.SkipElementsContent(h.DropWithContent...)
	p.AddSpaceWhenStrippingTag(true) // "<button>go</button>ok" reads "go ok"

	// URLs: bluemonday parses each and checks its scheme; the patterns
	// below keep link attributes to links and image sources to images.
	p.RequireParseableURLs(true)
	p.AllowURLSchemes(s.p.LinkSchemes...)
	p.AllowRelativeURLs(s.p.RelativeLinks || s.p.RemoteResources)
	p.AllowURLSchemeWithCustomPolicy("data", func(u *url.URL) bool { return s.ImageURL(u.String()) })
	if s.p.RemoteResources {
		p.AllowURLSchemes("http", "https")
	}
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)

	attrOn := func(name string, els ...string) {
		b := p.AllowAttrs(name)
		switch {
		case slices.Contains(h.LinkAttributes, name):
			b.Matching(s.linkPattern())
		case slices.Contains(h.ImageAttributes, name):
			b.Matching(s.imagePattern())
		case name == "style":
			return // style declarations are checked one by one below
		case s.c.attrPatterns[name] != nil:
			b.Matching(s.c.attrPatterns[name])
		}
		if len(els) == 0 {
			b.Globally()
		} else {
			b.OnElements(els...)
		}
	}
	for _, a := range h.GlobalAttributes {
		attrOn(a)
	}
	for el, attrs := range h.Attributes {
		for _, a := range attrs {
			attrOn(a, el)
		}
	}
	if slices.Contains(h.GlobalAttributes, "style") {
		for prop, re := range s.c.cssProps {
			p.AllowStyles(prop).Matching(re).Globally()
		}
	}
	return p
}

// linkPattern matches the values a link attribute may have before its URL
// is parsed: one of the link schemes, or (if relative links are allowed)
// no scheme at all.
func (s *Sanitizer) linkPattern() *regexp.Regexp {
	alts := []string{}
	for _, scheme := range s.p.LinkSchemes {
		alts = append(alts, regexp.QuoteMeta(scheme)+":")
	}
	if s.p.RelativeLinks {
		// Starts with something other than a letter (/, #, ., ?), or a
		// run of scheme characters not followed by a colon.
		alts = append(alts, `[^a-z]`, `[a-z][a-z0-9+.-]*([^a-z0-9+.:-]|$)`)
	}
	if len(alts) == 0 {
		return regexp.MustCompile(`^$.`) // matches nothing
	}
	return regexp.MustCompile(`(?i)^\s*(` + strings.Join(alts, "|") + `)`)
}

// imagePattern matches the values an image source may have.
func (s *Sanitizer) imagePattern() *regexp.Regexp {
	if s.p.RemoteResources {
		return regexp.MustCompile(`.*`)
	}
	var types []string
	for _, t := range s.p.EmbeddedImageTypes {
		types = append(types, regexp.QuoteMeta(t))
	}
	return regexp.MustCompile(`(?i)^\s*data:(` + strings.Join(types, "|") + `);base64,[a-z0-9+/=\s]*$`)
}

// browserURL is u as a browser reads it: leading and trailing control
// characters and spaces removed, and tabs and newlines anywhere.
func browserURL(u string) string {
	u = strings.TrimFunc(u, func(r rune) bool { return r <= ' ' })
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
}

// scheme returns the lower-case scheme of u, "" for a relative URL, and
// ok false if u has a colon before any '/', '?' or '#' that does not end
// a valid scheme (which a sanitizer must not guess about).
func scheme(u string) (string, bool) {
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return "", true
	}
	sch := strings.ToLower(u[:i])
	if !validScheme.MatchString(sch) {
		return "", false
	}
	return sch, true
}

var validScheme = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)

// LinkURL reports whether a link may go to u: one of the policy's link
// schemes, or a relative URL or fragment if the policy allows them.
func (s *Sanitizer) LinkURL(u string) bool {
	sch, ok := scheme(browserURL(u))
	switch {
	case !ok:
		return false
	case sch == "":
		return s.p.RelativeLinks
	}
	return s.c.linkSchemes[sch]
}

// ImageURL reports whether an image may load u: a base64 data: URL of an
// embedded image type, or (only if the policy allows remote resources) an
// http(s) URL or relative path.
func (s *Sanitizer) ImageURL(u string) bool {
	u = browserURL(u)
	sch, ok := scheme(u)
	switch {
	case !ok:
		return false
	case sch == "data":
		mime, _, found := strings.Cut(u[len("data:"):], ";base64,")
		return found && s.c.imageTypes[strings.ToLower(mime)]
	case s.p.RemoteResources:
		return sch == "" || sch == "http" || sch == "https"
	}
	return false
}

// Clean reports whether the policy keeps the HTML fragment in as it is:
// sanitizing it would remove nothing (the rel and target that links get
// aside). Both are compared as a browser parses them.
func (s *Sanitizer) Clean(in string) bool {
	a, errA := parseFragment(in)
	b, errB := parseFragment(s.HTML(in))
	if errA != nil || errB != nil || len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameTree(a[i], b[i]) {
			return false
		}
	}
	return true
}

func parseFragment(s string) ([]*html.Node, error) {
	return html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
}

// sameTree compares two parsed trees: node types, names, text and
// attributes (style without white space; rel and target ignored).
func sameTree(a, b *html.Node) bool {
	if a.Type != b.Type || a.Data != b.Data || a.Namespace != b.Namespace {
		return false
	}
	if !sameAttrs(a.Attr, b.Attr) {
		return false
	}
	ca, cb := a.FirstChild, b.FirstChild
	for ; ca != nil && cb != nil; ca, cb = ca.NextSibling, cb.NextSibling {
		if !sameTree(ca, cb) {
			return false
		}
	}
	return ca == nil && cb == nil
}

func sameAttrs(a, b []html.Attribute) bool {
	norm := func(attrs []html.Attribute) map[string]string {
		m := map[string]string{}
		for _, at := range attrs {
			switch at.Key {
			case "rel", "target":
				continue
			case "style":
				at.Val = strings.TrimSuffix(strings.Join(strings.Fields(at.Val), ""), ";")
			}
			m[at.Namespace+":"+at.Key] = at.Val
		}
		return m
	}
	ma, mb := norm(a), norm(b)
	if len(ma) != len(mb) {
		return false
	}
	for k, v := range ma {
		if mb[k] != v {
			return false
		}
	}
	return true
}
