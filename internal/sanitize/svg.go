package sanitize

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// SVGResult is a sanitized SVG document.
type SVGResult struct {
	// SVG is the document: the root <svg> element with the namespace
	// declarations it needs to stand alone (as an <img> data: URL or a
	// file), and no XML declaration, DOCTYPE, comment or processing
	// instruction.
	SVG string
	// Width and Height are the root's width and height attributes, as
	// written ("" if absent).
	Width, Height string
}

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

// SVG rewrites an SVG document keeping only the policy's elements and
// attributes. Elements not allowed are removed with their content; an
// attribute is removed if it is not allowed, if its value has a script URL
// (javascript:, vbscript:) or CSS expression(), or a url(…) that points
// outside the document, or if it is a link that the policy does not allow:
// href and xlink:href are checked as links (LinkURL) on link elements, as
// images (ImageURL) on image elements, and must be fragments (#id)
// elsewhere. A style attribute keeps the declarations of the policy's
// SVG properties whose value matches its pattern. Links get
// target="_blank".
//
// It works on encoding/xml's raw tokens, so namespace prefixes (xlink:href)
// are written back as they were read, and every '<', '>', '&' and quote of
// text and attribute values is escaped again: the only markup in the
// result is the tags written here. It fails on a document that is not
// well-formed XML or whose root is not <svg>.
func (s *Sanitizer) SVG(in string) (SVGResult, error) {
	d := xml.NewDecoder(strings.NewReader(in))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var (
		r     SVGResult
		b     strings.Builder
		stack []xml.Name // open elements
		skip  int        // depth inside a removed element
		open  bool       // a start tag is written without its closing '>'
		root  bool
	)
	b.Grow(len(in))
	closeTag := func() {
		if open {
			b.WriteByte('>')
			open = false
		}
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return SVGResult{}, fmt.Errorf("invalid SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name)
			if skip > 0 {
				skip++
				continue
			}
			local := strings.ToLower(t.Name.Local)
			depth := len(stack)
			if depth == 1 {
				if root {
					return SVGResult{}, errors.New("invalid SVG: more than one root element")
				}
				if local != "svg" {
					return SVGResult{}, fmt.Errorf("invalid SVG: the root element is <%s>; want <svg>", qname(t.Name))
				}
				root = true
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "width":
						r.Width = a.Value
					case "height":
						r.Height = a.Value
					}
				}
			}
			if !s.c.svgElements[local] {
				skip = 1
				continue
			}
			closeTag()
			b.WriteByte('<')
			b.WriteString(qname(t.Name))
			hasNS, hasXLink, link := false, false, false
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					hasNS = true
				case a.Name.Space == "xmlns" && a.Name.Local == "xlink":
					hasXLink = true
				}
				v, ok := s.svgAttr(local, a)
				if !ok {
					continue
				}
				if isHref(a.Name) && s.c.svgLinks[local] {
					link = true
				}
				attr(&b, qname(a.Name), v)
			}
			if depth == 1 {
				if !hasNS && t.Name.Space == "" {
					attr(&b, "xmlns", svgNS)
				}
				if !hasXLink {
					attr(&b, "xmlns:xlink", xlinkNS)
				}
			}
			if link {
				attr(&b, "target", "_blank")
				attr(&b, "rel", "noopener noreferrer")
			}
			open = true
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				line, _ := d.InputPos()
				return SVGResult{}, fmt.Errorf("invalid SVG: line %d: unexpected </%s>", line, qname(t.Name))
			}
			stack = stack[:len(stack)-1]
			if skip > 0 {
				skip--
				continue
			}
			if open {
				b.WriteString("/>")
				open = false
				continue
			}
			b.WriteString("</")
			b.WriteString(qname(t.Name))
			b.WriteByte('>')
		case xml.CharData:
			if skip > 0 || len(stack) == 0 {
				continue
			}
			closeTag()
			escapeXML(&b, string(t), false)
		}
	}
	if len(stack) > 0 {
		return SVGResult{}, fmt.Errorf("invalid SVG: <%s> is not closed", qname(stack[len(stack)-1]))
	}
	if !root {
		return SVGResult{}, errors.New("invalid SVG: no <svg> element")
	}
	r.SVG = b.String()
	return r, nil
}

func isHref(n xml.Name) bool { return strings.EqualFold(n.Local, "href") }

// svgAttr returns the value to keep of attribute a of element el (a
// lower-case local name), or ok false if it goes.
func (s *Sanitizer) svgAttr(el string, a xml.Attr) (string, bool) {
	name := strings.ToLower(qname(a.Name))
	if a.Name.Space == "xmlns" || name == "xmlns" {
		// Namespace declarations: only those of SVG and XLink, so that a
		// prefixed document stays well-formed.
		return a.Value, a.Value == svgNS || a.Value == xlinkNS
	}
	if !s.c.svgAttrs[name] {
		return "", false
	}
	if !safeValue(a.Value) {
		return "", false
	}
	switch {
	case isHref(a.Name):
		switch {
		case s.c.svgLinks[el]:
			return a.Value, s.LinkURL(a.Value)
		case s.c.svgImages[el]:
			return a.Value, s.ImageURL(a.Value)
		}
		return a.Value, strings.HasPrefix(strings.TrimSpace(a.Value), "#")
	case name == "style":
		v := s.svgStyle(a.Value)
		return v, v != ""
	}
	return a.Value, true
}

// cssURL matches a url( in CSS and what follows it, to check that it
// points to a fragment.
var cssURL = regexp.MustCompile(`(?i)url\(\s*['"]?\s*(.?)`)

// safeValue reports whether an attribute value has no script URL, no CSS
// expression() and no url(…) that leaves the document. The value is read
// as a browser reads it: entities are already decoded, and control
// characters and white space, which browsers skip inside a URL scheme,
// are removed.
func safeValue(v string) bool {
	squeezed := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v))
	for _, bad := range []string{"javascript:", "vbscript:", "expression(", "@import"} {
		if strings.Contains(squeezed, bad) {
			return false
		}
	}
	for _, m := range cssURL.FindAllStringSubmatch(v, -1) {
		if m[1] != "#" {
			return false
		}
	}
	return true
}

// svgStyle keeps the declarations of a style attribute whose property is
// one of the policy's SVG CSS properties and whose value matches its
// pattern: the value unchanged if all are kept, else the kept ones.
func (s *Sanitizer) svgStyle(style string) string {
	var kept []string
	all := true
	for _, decl := range strings.Split(style, ";") {
		if strings.TrimSpace(decl) == "" {
			continue
		}
		prop, val, ok := strings.Cut(decl, ":")
		prop, val = strings.ToLower(strings.TrimSpace(prop)), strings.TrimSpace(val)
		if !ok || !s.c.svgCSS[prop] || !s.c.svgCSSValue.MatchString(val) {
			all = false
			continue
		}
		kept = append(kept, prop+":"+val)
	}
	if all {
		return style
	}
	return strings.Join(kept, ";")
}

// qname is a raw XML name as written: prefix:local.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// attr writes ` name="value"` with the value escaped.
func attr(b *strings.Builder, name, value string) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	escapeXML(b, value, true)
	b.WriteByte('"')
}

// escapeXML writes s with the XML special characters escaped; in an
// attribute value also quotes and the white space that attribute-value
// normalization would otherwise turn into spaces.
func escapeXML(b *strings.Builder, s string, inAttr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case inAttr && c == '"':
			esc = "&quot;"
		case inAttr && c == '\n':
			esc = "&#xA;"
		case inAttr && c == '\t':
			esc = "&#x9;"
		case c == '\r':
			esc = "&#xD;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}
