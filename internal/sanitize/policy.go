package sanitize

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// policyJSON is the policy, shared with the frontend (which imports the
// same file to configure DOMPurify).
//
//go:embed policy.json
var policyJSON []byte

// Policy is the allowlist of policy.json: what untrusted HTML, SVG and CSS
// may keep. Everything not listed is removed.
type Policy struct {
	// RemoteResources, if true, lets images load from http(s) URLs and
	// relative paths. Firn's policy has it false: an output loads nothing
	// that is not in the notebook.
	RemoteResources bool `json:"remote_resources"`
	// LinkSchemes are the URL schemes a link (a href) may have.
	LinkSchemes []string `json:"link_schemes"`
	// RelativeLinks lets links be relative paths and fragments (#id).
	RelativeLinks bool `json:"relative_links"`
	// EmbeddedImageTypes are the MIME types of the base64 data: URLs an
	// image may show.
	EmbeddedImageTypes []string `json:"embedded_image_types"`

	HTML HTMLPolicy `json:"html"`
	CSS  CSSPolicy  `json:"css"`
	SVG  SVGPolicy  `json:"svg"`
}

// HTMLPolicy is what HTML keeps.
type HTMLPolicy struct {
	Elements []string `json:"elements"`
	// DropWithContent are elements removed with everything inside them;
	// other elements not allowed are removed, and their content kept.
	DropWithContent  []string            `json:"drop_with_content"`
	GlobalAttributes []string            `json:"global_attributes"`
	Attributes       map[string][]string `json:"attributes"`
	// AttributePatterns are the values an attribute may have, by name.
	AttributePatterns map[string]string `json:"attribute_patterns"`
	// LinkAttributes hold a link (see LinkURL), ImageAttributes an image
	// source (see ImageURL).
	LinkAttributes  []string `json:"link_attributes"`
	ImageAttributes []string `json:"image_attributes"`
}

// CSSPolicy is what a style attribute in HTML keeps: declarations of these
// properties whose value matches the property's pattern (or the named
// pattern of Values it refers to).
type CSSPolicy struct {
	About      string            `json:"about"`
	Properties map[string]string `json:"properties"`
	Values     map[string]string `json:"values"`
}

// SVGPolicy is what an SVG document keeps.
type SVGPolicy struct {
	About         string   `json:"about"`
	Elements      []string `json:"elements"`
	Attributes    []string `json:"attributes"`
	LinkElements  []string `json:"link_elements"`
	ImageElements []string `json:"image_elements"`
	// CSSProperties are kept in a style attribute when their value
	// matches CSSValue.
	CSSProperties []string `json:"css_properties"`
	CSSValue      string   `json:"css_value"`
}

// ParsePolicy reads a policy in the form of policy.json and checks that
// its patterns compile.
func ParsePolicy(data []byte) (Policy, error) {
	var p Policy
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&struct {
		About string `json:"about"`
		*Policy
	}{Policy: &p}); err != nil {
		return Policy{}, fmt.Errorf("sanitize: policy: %w", err)
	}
	if _, err := compile(p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// DefaultPolicy is Firn's policy, policy.json.
func DefaultPolicy() Policy {
	return defaultSanitizer().p
}

// defaultSanitizer is built once from policy.json and only read afterwards.
var defaultSanitizer = sync.OnceValue(func() *Sanitizer {
	p, err := ParsePolicy(policyJSON)
	if err != nil {
		panic(err) // policy.json is part of the program; its test reads it
	}
	s, err := New(p)
	if err != nil {
		panic(err)
	}
	return s
})

// compiled are a policy's patterns and sets, ready to use.
type compiled struct {
	attrPatterns map[string]*regexp.Regexp // HTML attribute values
	cssProps     map[string]*regexp.Regexp // HTML style declarations
	svgElements  map[string]bool           // lower-case local names
	svgAttrs     map[string]bool           // lower-case qualified names
	svgCSS       map[string]bool
	svgCSSValue  *regexp.Regexp
	svgLinks     map[string]bool
	svgImages    map[string]bool
	imageTypes   map[string]bool
	linkSchemes  map[string]bool
}

// pattern compiles a policy pattern: matched against the whole value,
// ignoring case.
func pattern(where, expr string) (*regexp.Regexp, error) {
	if !strings.HasPrefix(expr, "^") || !strings.HasSuffix(expr, "$") {
		return nil, fmt.Errorf("sanitize: policy: %s: pattern %q must start with ^ and end with $", where, expr)
	}
	re, err := regexp.Compile("(?i)" + expr)
	if err != nil {
		return nil, fmt.Errorf("sanitize: policy: %s: %w", where, err)
	}
	return re, nil
}

func lowerSet(names []string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[strings.ToLower(n)] = true
	}
	return set
}

func compile(p Policy) (*compiled, error) {
	c := &compiled{
		attrPatterns: map[string]*regexp.Regexp{},
		cssProps:     map[string]*regexp.Regexp{},
		svgElements:  lowerSet(p.SVG.Elements),
		svgAttrs:     lowerSet(p.SVG.Attributes),
		svgCSS:       lowerSet(p.SVG.CSSProperties),
		svgLinks:     lowerSet(p.SVG.LinkElements),
		svgImages:    lowerSet(p.SVG.ImageElements),
		imageTypes:   lowerSet(p.EmbeddedImageTypes),
		linkSchemes:  lowerSet(p.LinkSchemes),
	}
	for name, expr := range p.HTML.AttributePatterns {
		re, err := pattern("html.attribute_patterns."+name, expr)
		if err != nil {
			return nil, err
		}
		c.attrPatterns[name] = re
	}
	for prop, expr := range p.CSS.Properties {
		if named, ok := p.CSS.Values[expr]; ok {
			expr = named
		}
		re, err := pattern("css.properties."+prop, expr)
		if err != nil {
			return nil, err
		}
		c.cssProps[strings.ToLower(prop)] = re
	}
	re, err := pattern("svg.css_value", p.SVG.CSSValue)
	if err != nil {
		return nil, err
	}
	c.svgCSSValue = re
	for _, el := range slices.Concat(p.HTML.Elements, p.HTML.DropWithContent) {
		if el != strings.ToLower(el) {
			return nil, fmt.Errorf("sanitize: policy: HTML element %q must be lower case", el)
		}
	}
	return c, nil
}
