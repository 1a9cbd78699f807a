package export

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// htmlPolicy sanitizes HTML outputs and the HTML that Markdown becomes. It
// is built once and only read afterwards; bluemonday policies are safe for
// concurrent use then.
var htmlPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy() // no scripts, event handlers, iframes, forms or javascript: URLs
	p.AllowDataURIImages()      // plots and cell attachments are data: URIs
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Classes carry math (for KaTeX), highlighted code and tables' looks;
	// they can only refer to the page's own style sheet.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[A-Za-z0-9_ -]*$`)).Globally()
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[A-Za-z0-9_-]+$`)).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	// GFM task lists.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	// Table alignment and colours, checked against closed sets.
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(?i)(left|right|center|justify)$`)).OnElements("td", "th", "tr", "p", "div")
	p.AllowStyles("text-align").MatchingEnum("left", "right", "center", "justify").Globally()
	color := regexp.MustCompile(`^(?i)(#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\(\s*[0-9.]+%?\s*(,\s*[0-9.]+%?\s*){2,3}\))$`)
	p.AllowStyles("color", "background-color").Matching(color).Globally()
	p.AllowStyles("font-weight").MatchingEnum("normal", "bold").Globally()
	p.AllowStyles("font-style").MatchingEnum("normal", "italic").Globally()
	return p
})

// sanitizeHTML returns the HTML fragment s without anything that runs
// code or leaves the page (see htmlPolicy).
func sanitizeHTML(s string) string { return htmlPolicy().Sanitize(s) }

// svgKeep lists the SVG elements kept: shapes, text, structure, paint
// servers, clipping, masking and filters. Anything else is dropped with
// its content: script, foreignObject (HTML inside SVG), the animation
// elements (which can rewrite attributes), and HTML elements.
var svgKeep = lowerSet(`svg g defs symbol use title desc metadata switch style
	path rect circle ellipse line polyline polygon text tspan textPath image marker
	clipPath mask pattern linearGradient radialGradient stop filter
	feBlend feColorMatrix feComponentTransfer feComposite feFlood feFuncA feFuncB feFuncG
	feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset feTile feTurbulence feDropShadow`)

// lowerSet is the set of the lower-case forms of the space-separated names.
func lowerSet(names string) map[string]bool {
	set := map[string]bool{}
	for _, name := range strings.Fields(names) {
		set[strings.ToLower(name)] = true
	}
	return set
}

// svgUnwrap lists elements whose tags are dropped and whose content is
// kept: a link's text stays, the link goes.
var svgUnwrap = map[string]bool{"a": true}

// safeDataURI matches the only absolute URLs an SVG may refer to: embedded
// raster images.
var safeDataURI = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,`)

// cssURL matches a url(…) in CSS, to check that it is a fragment.
var cssURL = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")\s]*)`)

// safeSVGValue reports whether an attribute value or style sheet refers to
// nothing outside the document: no script URL, no CSS import, and url(…)
// only to fragments (#id) or embedded raster images.
func safeSVGValue(v string) bool {
	// Browsers skip control characters and white space inside a URL's
	// scheme ("java\tscript:"), so look at v without them.
	squeezed := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v))
	for _, bad := range []string{"javascript:", "vbscript:", "data:text", "expression(", "@import"} {
		if strings.Contains(squeezed, bad) {
			return false
		}
	}
	for _, m := range cssURL.FindAllStringSubmatch(v, -1) {
		if !strings.HasPrefix(m[1], "#") && !safeDataURI.MatchString(m[1]) {
			return false
		}
	}
	return true
}

// keepSVGAttr reports whether an attribute of a kept SVG element stays:
// no event handlers, links only to fragments of the document or to
// embedded raster images (so nothing is fetched and nothing navigates).
func keepSVGAttr(a xml.Attr) bool {
	name := strings.ToLower(a.Name.Local)
	if strings.HasPrefix(name, "on") || !safeSVGValue(a.Value) {
		return false
	}
	switch name {
	case "href", "src":
		v := strings.TrimSpace(a.Value)
		return strings.HasPrefix(v, "#") || safeDataURI.MatchString(v)
	}
	return true
}

// sanitizeSVG rewrites the SVG document s keeping only the elements of
// svgKeep and the attributes that keepSVGAttr accepts; comments,
// processing instructions and the DOCTYPE (whose entities could expand)
// go. The root gets the SVG and XLink namespace declarations if it lacks
// them, so the result works as a standalone image (an <img> data: URI).
//
// It works on encoding/xml's raw tokens so that prefixes (xlink:href) stay
// as written, and escapes every text and attribute value again, so the
// only markup in the result is the tags written here.
func sanitizeSVG(s string) (string, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var (
		b     strings.Builder
		stack []xml.Name // open elements
		skip  int        // depth inside a dropped element
		open  []bool     // for each element not inside a dropped one: whether its tags are written
		root  bool
	)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("invalid SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name)
			depth := len(stack)
			if skip > 0 {
				skip++
				continue
			}
			local := strings.ToLower(t.Name.Local)
			if depth == 1 {
				if root || local != "svg" {
					return "", fmt.Errorf("invalid SVG: root element <%s>; want one <svg>", t.Name.Local)
				}
				root = true
			}
			if svgUnwrap[local] {
				open = append(open, false)
				continue
			}
			if !svgKeep[local] {
				skip = 1
				continue
			}
			if local == "style" {
				// Read the style sheet whole to check it; keep it only if
				// it fetches nothing.
				css, ok, err := readStyle(d)
				if err != nil {
					return "", err
				}
				stack = stack[:len(stack)-1]
				if ok && safeSVGValue(css) {
					fmt.Fprintf(&b, "<%s>%s</%s>", rawName(t.Name), escapeXML(css), rawName(t.Name))
				}
				continue
			}
			open = append(open, true)
			b.WriteByte('<')
			b.WriteString(rawName(t.Name))
			hasNS, hasXLink := false, false
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local == "xmlns" {
					hasNS = true
				}
				if a.Name.Space == "xmlns" && a.Name.Local == "xlink" {
					hasXLink = true
				}
				if !keepSVGAttr(a) {
					continue
				}
				fmt.Fprintf(&b, ` %s="%s"`, rawName(a.Name), escapeXML(a.Value))
			}
			if depth == 1 {
				if !hasNS {
					b.WriteString(` xmlns="http://www.w3.org/2000/svg"`)
				}
				if !hasXLink {
					b.WriteString(` xmlns:xlink="http://www.w3.org/1999/xlink"`)
				}
			}
			b.WriteByte('>')
		case xml.EndElement:
			// RawToken does not match end tags with start tags.
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				line, _ := d.InputPos()
				return "", fmt.Errorf("invalid SVG: line %d: unexpected </%s>", line, rawName(t.Name))
			}
			stack = stack[:len(stack)-1]
			if skip > 0 {
				skip--
				continue
			}
			if open[len(open)-1] {
				fmt.Fprintf(&b, "</%s>", rawName(t.Name))
			}
			open = open[:len(open)-1]
		case xml.CharData:
			if skip == 0 && len(stack) > 0 {
				b.WriteString(escapeXML(string(t)))
			}
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("invalid SVG: <%s> is not closed", rawName(stack[len(stack)-1]))
	}
	if !root {
		return "", errors.New("invalid SVG: no <svg> element")
	}
	return b.String(), nil
}

// readStyle reads the content of a <style> element up to its end tag.
// ok is false if the element holds other elements, which a style sheet
// cannot.
func readStyle(d *xml.Decoder) (css string, ok bool, err error) {
	var b strings.Builder
	ok = true
	for depth := 1; ; {
		tok, err := d.RawToken()
		if err != nil {
			return "", false, fmt.Errorf("invalid SVG: in <style>: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			ok = false
		case xml.EndElement:
			depth--
			if depth == 0 {
				return b.String(), ok, nil
			}
		case xml.CharData:
			b.Write(t)
		}
	}
}

// rawName is an XML name as written: prefix:local.
func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// escapeXML escapes text or an attribute value for XML.
func escapeXML(s string) string {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return "" // strings.Builder does not fail
	}
	return b.String()
}
