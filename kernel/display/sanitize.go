package display

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// htmlPolicy is built once; a bluemonday policy is safe for concurrent use
// once built, and nothing changes it afterwards.
var htmlPolicy = sync.OnceValue(newHTMLPolicy)

// newHTMLPolicy is bluemonday's policy for user-generated content (text
// formatting, headings, lists, tables, links, images; no scripts, event
// handlers, iframes, forms or javascript: URLs) plus a few CSS properties
// in style attributes whose values are checked against a closed set, so a
// cell can colour and align text but not place or size anything.
func newHTMLPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AddTargetBlankToFullyQualifiedLinks(true) // links must not replace the notebook
	p.AllowDataURIImages()                      // a plot embedded as <img src="data:image/png;base64,…">
	p.AddSpaceWhenStrippingTag(true)            // "<button>go</button>ok" reads "go ok"
	color := regexp.MustCompile(`^(?i)(#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\(\s*[0-9.]+%?\s*(,\s*[0-9.]+%?\s*){2,3}\))$`)
	p.AllowStyles("color", "background-color").Matching(color).Globally()
	p.AllowStyles("text-align").MatchingEnum("left", "right", "center", "justify").Globally()
	p.AllowStyles("vertical-align").MatchingEnum("top", "middle", "bottom", "baseline").Globally()
	p.AllowStyles("font-weight").MatchingEnum("normal", "bold", "lighter", "bolder", "100", "200", "300", "400", "500", "600", "700", "800", "900").Globally()
	p.AllowStyles("font-style").MatchingEnum("normal", "italic").Globally()
	p.AllowStyles("text-decoration").MatchingEnum("none", "underline", "line-through", "overline").Globally()
	p.AllowStyles("white-space").MatchingEnum("normal", "nowrap", "pre", "pre-wrap").Globally()
	return p
}

func sanitizeHTML(s string) string { return htmlPolicy().Sanitize(s) }

// htmlBlocks start and end a line in the text form of HTML; those marked
// true are paragraphs, followed by an empty line.
var htmlBlocks = map[string]bool{
	"address": false, "article": true, "aside": true, "blockquote": true, "br": false, "caption": false,
	"dd": false, "details": true, "div": false, "dl": true, "dt": false, "figcaption": false, "figure": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "li": false,
	"ol": true, "p": true, "pre": true, "section": true, "summary": false, "table": true, "tr": false, "ul": true,
}

// htmlText is the text of an HTML fragment: tags removed, entities
// decoded, white space collapsed except in <pre>, a line per block
// element and an empty line after a paragraph, table cells separated by
// two spaces.
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var (
		b     strings.Builder
		pre   int    // depth in <pre>
		brk   int    // line breaks due before the next text
		sep   string // separator due before the next text on this line
		cells int    // cells so far in this table row
	)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimRight(b.String(), " \n")
		case html.TextToken:
			t := string(z.Text())
			space := false // a space is due after t
			if pre == 0 {
				t = collapseSpace(t)
				if strings.HasPrefix(t, " ") {
					t = t[1:]
					if sep == "" {
						sep = " "
					}
				}
				if strings.HasSuffix(t, " ") {
					t, space = t[:len(t)-1], true
				}
			}
			if t == "" {
				continue
			}
			switch {
			case b.Len() == 0:
			case brk > 0:
				b.WriteString(strings.Repeat("\n", brk))
			default:
				b.WriteString(sep)
			}
			brk, sep = 0, ""
			if space {
				sep = " "
			}
			b.WriteString(t)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			start := tt != html.EndTagToken
			switch tag {
			case "pre":
				if start {
					pre++
				} else if pre > 0 {
					pre--
				}
			case "tr":
				cells = 0
			case "td", "th":
				if start {
					if cells > 0 {
						sep = "  "
					} else {
						sep = ""
					}
					cells++
				}
			}
			if para, ok := htmlBlocks[tag]; ok {
				n := 1
				if para && !start {
					n = 2
				}
				brk = max(brk, n)
			}
		}
	}
}

// collapseSpace replaces each run of white space with one space.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// svgElements are the SVG 1.1 and 2 elements that draw or structure a
// picture. Everything else is removed with its content: script, handler,
// listener and foreignObject (which holds HTML), the animation elements
// (set and animate can rewrite an href to javascript:), and any HTML
// element, some of which (p, img, meta, base, …) would end the SVG in a
// browser's HTML parser and start HTML.
var svgElements = map[string]bool{
	"a": true, "circle": true, "clippath": true, "defs": true, "desc": true, "ellipse": true,
	"feblend": true, "fecolormatrix": true, "fecomponenttransfer": true, "fecomposite": true,
	"feconvolvematrix": true, "fediffuselighting": true, "fedisplacementmap": true,
	"fedistantlight": true, "fedropshadow": true, "feflood": true, "fefunca": true, "fefuncb": true,
	"fefuncg": true, "fefuncr": true, "fegaussianblur": true, "feimage": true, "femerge": true,
	"femergenode": true, "femorphology": true, "feoffset": true, "fepointlight": true,
	"fespecularlighting": true, "fespotlight": true, "fetile": true, "feturbulence": true,
	"filter": true, "g": true, "image": true, "line": true, "lineargradient": true, "marker": true,
	"mask": true, "metadata": true, "path": true, "pattern": true, "polygon": true, "polyline": true,
	"radialgradient": true, "rect": true, "stop": true, "style": true, "svg": true, "switch": true,
	"symbol": true, "text": true, "textpath": true, "title": true, "tspan": true, "use": true, "view": true,
}

// urlAttrs are the attributes whose value is a URL that a browser loads or
// follows.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true}

// safeDataImage matches the data: URLs an SVG may embed: raster images.
var safeDataImage = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,`)

// keepSVGAttr reports whether attribute a of a kept SVG element is safe:
// no event handlers (on…), no URL other than a fragment, a relative path,
// http(s) or an embedded raster image, and no javascript:/vbscript: or
// CSS expression() anywhere. The value is checked as a browser reads it:
// entities are already decoded and control characters and white space,
// which browsers skip inside a URL scheme, are removed.
func keepSVGAttr(a xml.Attr) bool {
	name := strings.ToLower(a.Name.Local)
	if strings.HasPrefix(name, "on") {
		return false
	}
	v := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, a.Value))
	if strings.Contains(v, "javascript:") || strings.Contains(v, "vbscript:") || strings.Contains(v, "expression(") {
		return false
	}
	if urlAttrs[name] {
		scheme, _, found := strings.Cut(v, ":")
		if found && !strings.ContainsAny(scheme, "/?#") {
			// Absolute URL.
			return scheme == "http" || scheme == "https" || safeDataImage.MatchString(v)
		}
	}
	return true
}

// sanitizeSVG rewrites an SVG document keeping only the elements of
// svgElements and the attributes keepSVGAttr accepts. Comments, processing
// instructions and the DOCTYPE (whose entities could expand) are dropped.
// It returns the root's width and height attributes.
//
// The pass works on encoding/xml's raw tokens, so namespace prefixes
// (xlink:href, xmlns:xlink) are written back as they were read, and every
// '<', '>' and '&' of text and attribute values is escaped again: the only
// markup in the result is the tags written here.
func sanitizeSVG(s string) (clean, width, height string, err error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var (
		b     strings.Builder
		stack []xml.Name // open elements
		skip  int        // depth inside a removed element
		open  bool       // a start tag is written without its closing '>'
		root  bool
	)
	b.Grow(len(s))
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
			return "", "", "", fmt.Errorf("invalid SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name)
			if skip > 0 {
				skip++
				continue
			}
			local := strings.ToLower(t.Name.Local)
			if len(stack) == 1 {
				if root {
					return "", "", "", errors.New("invalid SVG: more than one root element")
				}
				if local != "svg" {
					return "", "", "", fmt.Errorf("invalid SVG: the root element is <%s>; want <svg>", qname(t.Name))
				}
				root = true
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "width":
						width = a.Value
					case "height":
						height = a.Value
					}
				}
			}
			if !svgElements[local] {
				skip = 1
				continue
			}
			closeTag()
			b.WriteByte('<')
			b.WriteString(qname(t.Name))
			for _, a := range t.Attr {
				if !keepSVGAttr(a) {
					continue
				}
				b.WriteByte(' ')
				b.WriteString(qname(a.Name))
				b.WriteString(`="`)
				escapeXML(&b, a.Value, true)
				b.WriteByte('"')
			}
			open = true
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				line, _ := d.InputPos()
				return "", "", "", fmt.Errorf("invalid SVG: line %d: unexpected </%s>", line, qname(t.Name))
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
		return "", "", "", fmt.Errorf("invalid SVG: <%s> is not closed", qname(stack[len(stack)-1]))
	}
	if !root {
		return "", "", "", errors.New("invalid SVG: no <svg> element")
	}
	return b.String(), width, height, nil
}

// qname is a raw XML name as written: prefix:local.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// escapeXML writes s with the XML special characters escaped; in an
// attribute value also quotes and the white space that attribute-value
// normalization would otherwise turn into spaces.
func escapeXML(b *strings.Builder, s string, attr bool) {
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
		case attr && c == '"':
			esc = "&quot;"
		case attr && c == '\n':
			esc = "&#xA;"
		case attr && c == '\r':
			esc = "&#xD;"
		case attr && c == '\t':
			esc = "&#x9;"
		case !attr && c == '\r':
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
