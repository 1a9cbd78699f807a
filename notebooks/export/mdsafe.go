package export

import (
	"net/url"
	"strings"

	"github.com/firnglacier/firn/internal/sanitize"
	"github.com/firnglacier/firn/notebooks"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

// safeMarkdown reports whether Markdown from a notebook can be written
// into the exported Markdown file as it is: whatever renders it shows
// nothing that the sanitizing policy would remove, even next to the other
// cells of the file. It is, if
//
//   - every link (inline, reference, autolink) goes where the policy lets
//     a link go, and every image is an attachment of the cell or an image
//     the policy allows;
//   - every reference definition is an allowed link (definitions reach
//     the whole file, so another cell could use one as an image: an
//     unresolved image reference, "![x][r]", makes the Markdown unsafe);
//   - every piece of raw HTML is made of whole tags that the policy keeps
//     as they are (sanitize.Clean), with attachments counted as the
//     images they are;
//   - every HTML block that only its end tag or marker closes (<pre>,
//     <script>, <!--, …) is closed, so that it cannot take in what
//     follows it in the file.
func safeMarkdown(src string, attachments map[string]notebooks.MIMEBundle) bool {
	source := []byte(src)
	pc := parser.NewContext()
	doc := markdown().Parser().Parse(text.NewReader(source), parser.WithContext(pc))
	for _, ref := range pc.References() {
		if !sanitize.LinkURL(string(ref.Destination())) {
			return false
		}
	}
	safe := true
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			safe = sanitize.LinkURL(string(n.Destination))
		case *ast.Image:
			dest := string(n.Destination)
			if name, ok := strings.CutPrefix(dest, "attachment:"); ok {
				_, safe = attachmentURI(attachments, name)
			} else {
				safe = sanitize.ImageURL(dest)
			}
		case *ast.AutoLink:
			u := string(n.URL(source))
			if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(u), "mailto:") {
				u = "mailto:" + u
			}
			safe = sanitize.LinkURL(u)
		case *ast.Text:
			if strings.Contains(string(n.Value(source)), "![") {
				safe = false // an image reference that another cell might define
			}
		case *ast.RawHTML:
			var b strings.Builder
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				b.Write(seg.Value(source))
			}
			safe = cleanHTML(b.String(), attachments)
		case *ast.HTMLBlock:
			var b strings.Builder
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(source))
			}
			if n.HasClosure() {
				b.Write(n.ClosureLine.Value(source))
			} else if n.HTMLBlockType != ast.HTMLBlockType6 && n.HTMLBlockType != ast.HTMLBlockType7 {
				safe = false // open to the end of the file
			}
			safe = safe && cleanHTML(b.String(), attachments)
		}
		if !safe {
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return err == nil && safe
}

// cleanHTML reports whether raw HTML from Markdown is whole tags and text
// that the policy keeps as they are, once attachment:NAME references are
// replaced with the images they stand for.
func cleanHTML(s string, attachments map[string]notebooks.MIMEBundle) bool {
	if !wholeTags(s) {
		return false
	}
	for name := range attachments {
		if uri, ok := attachmentURI(attachments, name); ok {
			for _, form := range []string{name, url.PathEscape(name), strings.ReplaceAll(name, " ", "%20")} {
				s = strings.ReplaceAll(s, `"attachment:`+form+`"`, `"`+uri+`"`)
			}
		}
	}
	return sanitize.Clean(s)
}

// wholeTags reports whether s ends outside a tag: an HTML tokenizer reads
// all of it as complete tokens, so nothing after it in the file can
// become part of its last tag.
func wholeTags(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	n := 0
	for {
		if z.Next() == html.ErrorToken {
			return n == len(s)
		}
		n += len(z.Raw())
	}
}
