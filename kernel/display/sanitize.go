package display

import (
	"strings"

	"github.com/firnglacier/firn/internal/sanitize"
	"golang.org/x/net/html"
)

// sanitizeHTML and sanitizeSVG apply Firn's one sanitizing policy
// (internal/sanitize), the same as the HTML export and the notebook page.
func sanitizeHTML(s string) string { return sanitize.HTML(s) }

func sanitizeSVG(s string) (clean, width, height string, err error) {
	r, err := sanitize.SVG(s)
	return r.SVG, r.Width, r.Height, err
}

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
