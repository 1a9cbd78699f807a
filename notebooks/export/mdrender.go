package export

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/firnglacier/firn/notebooks"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	goldhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown is the goldmark converter of markdown cells and outputs: GFM
// (tables, strikethrough, autolinks, task lists), math kept for KaTeX,
// fenced code highlighted, and raw HTML passed on, since the result is
// sanitized as a whole afterwards. A goldmark.Markdown is safe for
// concurrent use; it is built once.
var markdown = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, mathExtension{}),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(
			goldhtml.WithUnsafe(),
			renderer.WithNodeRenderers(util.Prioritized(fencedCodeRenderer{}, 100)),
		),
	)
})

// renderedMarkdown is Markdown converted to sanitized HTML.
type renderedMarkdown struct {
	HTML    string
	Heading string // the text of the first heading, if any
	Math    bool   // it has math for KaTeX
}

// renderMarkdown converts Markdown to sanitized HTML. The URL
// attachment:NAME of an image refers to the cell's attachment NAME and
// becomes a data: URI.
func renderMarkdown(src string, attachments map[string]notebooks.MIMEBundle) (renderedMarkdown, error) {
	var r renderedMarkdown
	source := []byte(src)
	md := markdown()
	doc := md.Parser().Parse(text.NewReader(source))
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if r.Heading == "" {
				r.Heading = strings.TrimSpace(plainText(n, source))
			}
		case *mathInline, *mathBlock:
			r.Math = true
		case *ast.Image:
			if name, ok := strings.CutPrefix(string(n.Destination), "attachment:"); ok {
				if uri, ok := attachmentURI(attachments, name); ok {
					n.Destination = []byte(uri)
				}
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return r, err
	}
	var b bytes.Buffer
	if err := md.Renderer().Render(&b, source, doc); err != nil {
		return r, fmt.Errorf("rendering Markdown: %w", err)
	}
	out := b.String()
	// Raw HTML in the cell: <img src="attachment:NAME">.
	for _, name := range slices.Sorted(maps.Keys(attachments)) {
		if uri, ok := attachmentURI(attachments, name); ok {
			out = strings.ReplaceAll(out, `"attachment:`+name+`"`, `"`+uri+`"`)
		}
	}
	r.HTML = sanitizeHTML(out)
	return r, nil
}

// attachmentURI is the data: URI of a cell attachment, its first image
// type; an SVG is sanitized first.
func attachmentURI(attachments map[string]notebooks.MIMEBundle, name string) (string, bool) {
	bundle, ok := attachments[name]
	if !ok {
		// Destinations are URL-escaped in the HTML: "a%20b.png".
		if unescaped, err := url.PathUnescape(name); err == nil {
			bundle, ok = attachments[unescaped]
		}
		if !ok {
			return "", false
		}
	}
	for _, mime := range []string{mimePNG, mimeJPEG, mimeGIF, mimeSVG} {
		if _, ok := bundle[mime]; !ok {
			continue
		}
		if mime == mimeSVG {
			s, err := svgText(bundle)
			if err != nil {
				continue
			}
			clean, err := sanitizeSVG(s)
			if err != nil {
				continue
			}
			return dataURI(mime, []byte(clean)), true
		}
		data, err := binaryData(bundle, mime)
		if err != nil {
			continue
		}
		return dataURI(mime, data), true
	}
	return "", false
}

// plainText is the text of a node's inline content: what a heading reads.
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Value(source))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *mathInline:
			b.Write(c.TeX)
		default:
			b.WriteString(plainText(c, source))
		}
	}
	return b.String()
}

// fencedCodeRenderer highlights fenced code blocks with chroma.
type fencedCodeRenderer struct{}

func (fencedCodeRenderer) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindFencedCodeBlock, func(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkSkipChildren, nil
		}
		n := node.(*ast.FencedCodeBlock)
		var code strings.Builder
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			code.Write(seg.Value(source))
		}
		if err := highlight(w, code.String(), string(n.Language(source))); err != nil {
			return ast.WalkStop, err
		}
		return ast.WalkSkipChildren, w.WriteByte('\n')
	})
}
