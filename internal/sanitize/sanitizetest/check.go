// Package sanitizetest holds the table of hostile inputs that every
// sanitizer of Firn must pass (hostile.json, which the frontend's tests
// read too) and Check, which tells what an output breaks of the policy and
// of a case's expectations. The tests of internal/sanitize, kernel/display
// and notebooks/export use it.
package sanitizetest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/internal/sanitize"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

//go:embed hostile.json
var hostileJSON []byte

// Case is one hostile input and what must hold of its sanitized form (see
// the "about" of hostile.json).
type Case struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"` // html, svg or markdown
	Input        string   `json:"input"`
	KeepText     []string `json:"keep_text"`
	KeepElements []string `json:"keep_elements"`
	KeepAttrs    []string `json:"keep_attrs"`
	KeepCSS      []string `json:"keep_css"`
	Absent       []string `json:"absent"`
	MayReject    bool     `json:"may_reject"`
}

// Cases are the cases of hostile.json of the given kind, or all if kind
// is "".
func Cases(kind string) ([]Case, error) {
	var table struct {
		About string `json:"about"`
		Cases []Case `json:"cases"`
	}
	if err := json.Unmarshal(hostileJSON, &table); err != nil {
		return nil, fmt.Errorf("sanitizetest: hostile.json: %w", err)
	}
	if kind == "" {
		return table.Cases, nil
	}
	return slices.DeleteFunc(table.Cases, func(c Case) bool { return c.Kind != kind }), nil
}

// Check returns what the sanitized output out of case c breaks: the
// policy (whatever the case) and the case's expectations. The output is
// read as a browser reads an output in the notebook page (an HTML
// fragment, SVG inline), and read again after being written back out, so
// that markup which changes on a second parse (mutation XSS) is caught.
func Check(c Case, out string) []string {
	pol := sanitize.DefaultPolicy()
	k := newChecker(pol, c.Kind == "svg")
	first, err := parse(out)
	if err != nil {
		return []string{fmt.Sprintf("the output does not parse: %v", err)}
	}
	var again strings.Builder
	for _, n := range first {
		if err := html.Render(&again, n); err != nil {
			return []string{fmt.Sprintf("the output does not render: %v", err)}
		}
	}
	second, err := parse(again.String())
	if err != nil {
		return []string{fmt.Sprintf("the output does not parse a second time: %v", err)}
	}
	var problems []string
	for pass, nodes := range [][]*html.Node{first, second} {
		for _, n := range nodes {
			for _, p := range k.walk(n) {
				if pass == 1 {
					p = "after a second parse: " + p
				}
				if !slices.Contains(problems, p) {
					problems = append(problems, p)
				}
			}
		}
	}
	problems = append(problems, expect(c, first)...)
	return problems
}

func parse(s string) ([]*html.Node, error) {
	return html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
}

// checker checks nodes against the policy with its own reading of
// policy.json (not the sanitizers' code).
type checker struct {
	svg          bool
	htmlElements map[string]bool
	svgElements  map[string]bool
	global       map[string]bool
	perElement   map[string]map[string]bool
	patterns     map[string]*regexp.Regexp
	links        map[string]bool // HTML link attributes
	images       map[string]bool // HTML image attributes
	linkSchemes  map[string]bool
	imageTypes   []string
	css          map[string]*regexp.Regexp
	svgAttrs     map[string]bool
	svgLinkEls   map[string]bool
	svgImageEls  map[string]bool
	svgCSS       map[string]bool
	svgCSSValue  *regexp.Regexp
}

func set(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

func newChecker(p sanitize.Policy, svg bool) *checker {
	k := &checker{
		svg:          svg,
		htmlElements: set(p.HTML.Elements),
		svgElements:  set(p.SVG.Elements),
		global:       set(p.HTML.GlobalAttributes),
		perElement:   map[string]map[string]bool{},
		patterns:     map[string]*regexp.Regexp{},
		links:        set(p.HTML.LinkAttributes),
		images:       set(p.HTML.ImageAttributes),
		linkSchemes:  set(p.LinkSchemes),
		css:          map[string]*regexp.Regexp{},
		svgAttrs:     set(p.SVG.Attributes),
		svgLinkEls:   set(p.SVG.LinkElements),
		svgImageEls:  set(p.SVG.ImageElements),
		svgCSS:       set(p.SVG.CSSProperties),
		svgCSSValue:  regexp.MustCompile("(?i)" + p.SVG.CSSValue),
	}
	for el, attrs := range p.HTML.Attributes {
		k.perElement[el] = set(attrs)
	}
	for name, expr := range p.HTML.AttributePatterns {
		k.patterns[name] = regexp.MustCompile("(?i)" + expr)
	}
	for prop, expr := range p.CSS.Properties {
		if named, ok := p.CSS.Values[expr]; ok {
			expr = named
		}
		k.css[prop] = regexp.MustCompile("(?i)" + expr)
	}
	for _, t := range p.EmbeddedImageTypes {
		k.imageTypes = append(k.imageTypes, "data:"+strings.ToLower(t)+";base64,")
	}
	return k
}

// squeeze is v lower case without control characters and white space, as
// a browser reads a URL scheme.
func squeeze(v string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v))
}

// attrName is an attribute's name as written: xlink:href, xmlns:xlink.
func attrName(a html.Attribute) string {
	if a.Namespace != "" {
		prefix := a.Namespace
		switch a.Namespace {
		case "http://www.w3.org/1999/xlink":
			prefix = "xlink"
		case "http://www.w3.org/2000/xmlns/":
			prefix = "xmlns"
		case "http://www.w3.org/XML/1998/namespace":
			prefix = "xml"
		}
		return strings.ToLower(prefix + ":" + a.Key)
	}
	return strings.ToLower(a.Key)
}

var urlRef = regexp.MustCompile(`(?i)url\(\s*['"]?\s*(.?)`)

func (k *checker) walk(n *html.Node) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.CommentNode:
			bad("a comment is left: <!--%s-->", n.Data)
		case html.ElementNode:
			el := strings.ToLower(n.Data)
			inSVG := n.Namespace == "svg"
			switch {
			case inSVG && !k.svg:
				bad("<%s>: SVG inside an HTML output", n.Data)
			case inSVG && !k.svgElements[el]:
				bad("<%s>: an SVG element the policy does not allow", n.Data)
			case n.Namespace == "math":
				bad("<%s>: MathML", n.Data)
			case !inSVG && (k.svg || !k.htmlElements[el]):
				bad("<%s>: an HTML element the policy does not allow here", n.Data)
			}
			href := ""
			for _, a := range n.Attr {
				name, v := attrName(a), a.Val
				sq := squeeze(v)
				if strings.HasPrefix(name, "on") {
					bad("<%s %s>: an event handler", n.Data, name)
					continue
				}
				for _, s := range []string{"javascript:", "vbscript:", "expression(", "@import"} {
					if strings.Contains(sq, s) {
						bad("<%s %s=%q>: %s", n.Data, name, v, s)
					}
				}
				for _, m := range urlRef.FindAllStringSubmatch(v, -1) {
					if !inSVG || m[1] != "#" {
						bad("<%s %s=%q>: url() that leaves the document", n.Data, name, v)
					}
				}
				if el == "a" && (name == "target" || name == "rel") {
					continue
				}
				if inSVG {
					k.svgAttr(n.Data, name, v, bad)
				} else {
					k.htmlAttr(el, name, v, bad)
				}
				if name == "href" || name == "xlink:href" {
					href = sq
				}
			}
			if el == "a" && (strings.HasPrefix(href, "http:") || strings.HasPrefix(href, "https:")) {
				target, rel := "", ""
				for _, a := range n.Attr {
					switch a.Key {
					case "target":
						target = a.Val
					case "rel":
						rel = a.Val
					}
				}
				if target != "_blank" || !strings.Contains(rel, "noopener") {
					bad("<a href=%q>: a link to another site without target=_blank and rel=noopener (target %q, rel %q)", href, target, rel)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return problems
}

func (k *checker) link(v string) bool {
	sq := squeeze(v)
	i := strings.IndexAny(sq, ":/?#")
	if i < 0 || sq[i] != ':' {
		return true // relative
	}
	return k.linkSchemes[sq[:i]]
}

func (k *checker) image(v string) bool {
	sq := squeeze(v)
	return slices.ContainsFunc(k.imageTypes, func(p string) bool { return strings.HasPrefix(sq, p) })
}

func (k *checker) htmlAttr(el, name, v string, bad func(string, ...any)) {
	if !k.global[name] && !k.perElement[el][name] {
		bad("<%s %s>: an attribute the policy does not allow", el, name)
		return
	}
	switch {
	case k.links[name]:
		if !k.link(v) {
			bad("<%s %s=%q>: a link the policy does not allow", el, name, v)
		}
	case k.images[name]:
		if !k.image(v) {
			bad("<%s %s=%q>: an image source the policy does not allow", el, name, v)
		}
	case name == "style":
		for _, d := range declarations(v) {
			re := k.css[d[0]]
			if re == nil || !re.MatchString(d[1]) {
				bad("<%s style=%q>: the declaration %s: %s", el, v, d[0], d[1])
			}
		}
	case k.patterns[name] != nil:
		if !k.patterns[name].MatchString(v) {
			bad("<%s %s=%q>: a value that does not match %s", el, name, v, k.patterns[name])
		}
	}
}

func (k *checker) svgAttr(el, name, v string, bad func(string, ...any)) {
	lel := strings.ToLower(el)
	if strings.HasPrefix(name, "xmlns") {
		return // namespace declarations are inert in HTML
	}
	if !k.svgAttrs[name] {
		bad("<%s %s>: an SVG attribute the policy does not allow", el, name)
		return
	}
	switch {
	case name == "href" || name == "xlink:href":
		switch {
		case k.svgLinkEls[lel]:
			if !k.link(v) {
				bad("<%s %s=%q>: a link the policy does not allow", el, name, v)
			}
		case k.svgImageEls[lel]:
			if !k.image(v) {
				bad("<%s %s=%q>: an image source the policy does not allow", el, name, v)
			}
		default:
			if !strings.HasPrefix(strings.TrimSpace(v), "#") {
				bad("<%s %s=%q>: a reference outside the document", el, name, v)
			}
		}
	case name == "style":
		for _, d := range declarations(v) {
			if !k.svgCSS[d[0]] || !k.svgCSSValue.MatchString(d[1]) {
				bad("<%s style=%q>: the declaration %s: %s", el, v, d[0], d[1])
			}
		}
	}
}

// declarations splits a style attribute into [property, value] pairs,
// the property lower case, both with CSS escapes decoded as a browser
// decodes them (bluemonday keeps escapes whose decoded value is allowed).
func declarations(style string) [][2]string {
	var ds [][2]string
	for _, d := range strings.Split(style, ";") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		prop, val, _ := strings.Cut(d, ":")
		ds = append(ds, [2]string{strings.ToLower(strings.TrimSpace(unescapeCSS(prop))), strings.TrimSpace(unescapeCSS(val))})
	}
	return ds
}

var cssEscape = regexp.MustCompile(`\\([0-9a-fA-F]{1,6}[ \t\n]?|.)`)

// unescapeCSS decodes CSS escapes: \65 is "e", \: is ":".
func unescapeCSS(s string) string {
	return cssEscape.ReplaceAllStringFunc(s, func(m string) string {
		hex := strings.TrimRight(m[1:], " \t\n")
		if n, err := strconv.ParseUint(hex, 16, 32); err == nil && len(hex) > 0 {
			return string(rune(n))
		}
		return m[1:]
	})
}

// expect checks what case c says must stay and must go.
func expect(c Case, nodes []*html.Node) []string {
	var (
		text     strings.Builder
		elements = map[string]bool{}
		attrs    = map[string]bool{}
		css      = map[string]bool{}
		names    []string // element names, attribute names and values
	)
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			text.WriteString(n.Data)
		case html.ElementNode:
			elements[strings.ToLower(n.Data)] = true
			names = append(names, n.Data)
			for _, a := range n.Attr {
				name := attrName(a)
				attrs[name+"="+a.Val] = true
				names = append(names, name)
				if name != "title" && name != "alt" {
					names = append(names, a.Val)
				}
				if name == "style" {
					for _, d := range declarations(a.Val) {
						css[d[0]] = true
					}
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			visit(ch)
		}
	}
	for _, n := range nodes {
		visit(n)
	}
	var problems []string
	for _, s := range c.KeepText {
		if !strings.Contains(text.String(), s) {
			problems = append(problems, fmt.Sprintf("lost the text %q (text: %q)", s, text.String()))
		}
	}
	for _, s := range c.KeepElements {
		if !elements[s] {
			problems = append(problems, fmt.Sprintf("lost the element <%s>", s))
		}
	}
	for _, s := range c.KeepAttrs {
		if !attrs[s] {
			problems = append(problems, fmt.Sprintf("lost the attribute %s", s))
		}
	}
	for _, s := range c.KeepCSS {
		if !css[s] {
			problems = append(problems, fmt.Sprintf("lost the style property %s", s))
		}
	}
	all := strings.ToLower(strings.Join(names, "\x00"))
	for _, s := range c.Absent {
		if strings.Contains(all, strings.ToLower(s)) {
			problems = append(problems, fmt.Sprintf("%q is left in an element or attribute", s))
		}
	}
	return problems
}
