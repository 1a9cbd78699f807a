package export

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/firnglacier/firn/notebooks"
)

// HTMLOptions are the options of HTML. The zero value works.
type HTMLOptions struct {
	// Title is the page's title. If empty, it is the text of the
	// notebook's first heading, or Name without its extension, or
	// "Notebook".
	Title string
	// Name is the notebook's file name, such as "intro.ipynb".
	Name string
	// Language is the language that code cells are highlighted as, a
	// chroma lexer name. If empty, it is the notebook's
	// metadata.language_info.name, or else "go".
	Language string
}

// scrollLines is the number of lines beyond which a stream is shown in a
// box that scrolls (on screen; in print it is shown whole).
const scrollLines = 40

//go:embed page.css
var pageCSS string

// HTML writes nb as one self-contained static HTML page (see the package
// documentation). It fails only if nb is nil or w fails; an output that
// cannot be shown (an image whose data is not base64, an SVG that is not
// well-formed) is replaced by a note saying why.
func HTML(w io.Writer, nb *notebooks.Notebook, opts HTMLOptions) error {
	if nb == nil {
		return errors.New("export: HTML: no notebook")
	}
	p := &htmlPage{lang: language(nb, opts.Language)}
	var body bytes.Buffer
	for i, c := range nb.Cells {
		if c == nil {
			continue
		}
		p.cell(&body, i, c)
	}
	title := opts.Title
	if title == "" {
		title = p.heading
	}
	if title == "" {
		title = strings.TrimSuffix(opts.Name, ".ipynb")
	}
	if title == "" {
		title = "Notebook"
	}
	var b bytes.Buffer
	b.Grow(body.Len() + len(pageCSS) + 16<<10)
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	fmt.Fprintf(&b, "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n", contentSecurityPolicy)
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<meta name=\"generator\" content=\"firn export\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n", html.EscapeString(title))
	b.WriteString("<style>\n")
	b.WriteString(pageCSS)
	b.WriteString(codeCSS())
	b.WriteString("</style>\n")
	if p.math {
		writeKaTeXStyle(&b)
	}
	b.WriteString("</head>\n<body>\n<main class=\"notebook\">\n")
	b.Write(body.Bytes())
	b.WriteString("</main>\n")
	if p.math {
		writeKaTeXScripts(&b)
	}
	b.WriteString("</body>\n</html>\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("export: HTML: writing the page: %w", err)
	}
	return nil
}

// contentSecurityPolicy forbids the page every fetch: images and fonts
// come only from data: URIs, styles and scripts only from the page.
const contentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; script-src 'unsafe-inline'"

// language is the language of the notebook's code cells.
func language(nb *notebooks.Notebook, lang string) string {
	if lang != "" {
		return lang
	}
	if info, ok := nb.Metadata["language_info"].(map[string]any); ok {
		if name, ok := info["name"].(string); ok && name != "" {
			return name
		}
	}
	if ks, ok := nb.Metadata["kernelspec"].(map[string]any); ok {
		if name, ok := ks["language"].(string); ok && name != "" {
			return name
		}
	}
	return "go"
}

// htmlPage is the state of one HTML export.
type htmlPage struct {
	lang    string
	heading string // the first heading of a markdown cell
	math    bool   // the page has math: KaTeX is included
}

// safeID matches cell ids that can be element ids as they are (nbformat
// allows [a-zA-Z0-9-_]{1,64}).
var safeID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (p *htmlPage) cell(b *bytes.Buffer, index int, c *notebooks.Cell) {
	id := ""
	if safeID.MatchString(c.ID) {
		id = ` id="cell-` + c.ID + `"`
	}
	switch c.Type {
	case notebooks.Markdown:
		fmt.Fprintf(b, "<div class=\"cell markdown-cell\"%s>\n<div class=\"row\"><div class=\"prompt\"></div><div class=\"body md\">", id)
		p.markdown(b, c.Source, c.Attachments)
		b.WriteString("</div></div>\n</div>\n")
	case notebooks.Code:
		fmt.Fprintf(b, "<div class=\"cell code-cell\"%s>\n", id)
		fmt.Fprintf(b, "<div class=\"row input\"><div class=\"prompt in\">In&nbsp;[%s]:</div><div class=\"body source\">", count(c.ExecutionCount))
		if err := highlight(b, c.Source, p.lang); err != nil {
			note(b, fmt.Sprintf("cell %d: highlighting: %v", index+1, err))
		}
		b.WriteString("</div></div>\n")
		if len(c.Outputs) > 0 {
			b.WriteString("<div class=\"outputs\">\n")
			for _, o := range mergeStreams(c.Outputs) {
				p.output(b, o)
			}
			b.WriteString("</div>\n")
		}
		b.WriteString("</div>\n")
	case notebooks.Raw:
		// As nbconvert: a raw cell is in the page only if it is HTML or
		// Markdown.
		switch rawFormat(c) {
		case mimeHTML:
			fmt.Fprintf(b, "<div class=\"cell raw-cell\"%s>\n<div class=\"row\"><div class=\"prompt\"></div><div class=\"body\">%s</div></div>\n</div>\n", id, sanitizeHTML(c.Source))
		case mimeMarkdown:
			fmt.Fprintf(b, "<div class=\"cell raw-cell\"%s>\n<div class=\"row\"><div class=\"prompt\"></div><div class=\"body md\">", id)
			p.markdown(b, c.Source, c.Attachments)
			b.WriteString("</div></div>\n</div>\n")
		}
	}
}

// rawFormat is the MIME type a raw cell's metadata gives it.
func rawFormat(c *notebooks.Cell) string {
	for _, k := range []string{"format", "raw_mimetype"} {
		if f, ok := c.Metadata[k].(string); ok {
			return f
		}
	}
	return ""
}

func (p *htmlPage) markdown(b *bytes.Buffer, src string, attachments map[string]notebooks.MIMEBundle) {
	r, err := renderMarkdown(src, attachments)
	if err != nil {
		note(b, err.Error())
		return
	}
	if p.heading == "" {
		p.heading = r.Heading
	}
	p.math = p.math || r.Math
	b.WriteString(r.HTML)
}

// count is an execution count as a prompt shows it: a space if none.
func count(n *int) string {
	if n == nil {
		return "&nbsp;"
	}
	return fmt.Sprint(*n)
}

// mergeStreams joins consecutive stream outputs of the same name, as
// Jupyter shows them.
func mergeStreams(outputs []*notebooks.Output) []*notebooks.Output {
	var merged []*notebooks.Output
	for _, o := range outputs {
		if o == nil {
			continue
		}
		if n := len(merged); n > 0 && o.Type == notebooks.Stream && merged[n-1].Type == notebooks.Stream && merged[n-1].Name == o.Name {
			joined := *merged[n-1]
			joined.Text += o.Text
			merged[n-1] = &joined
			continue
		}
		merged = append(merged, o)
	}
	return merged
}

func (p *htmlPage) output(b *bytes.Buffer, o *notebooks.Output) {
	prompt := `<div class="prompt"></div>`
	if o.Type == notebooks.ExecuteResult {
		prompt = fmt.Sprintf(`<div class="prompt out">Out[%s]:</div>`, count(o.ExecutionCount))
	}
	fmt.Fprintf(b, "<div class=\"row output\">%s<div class=\"body\">", prompt)
	switch o.Type {
	case notebooks.Stream:
		text := terminalText(o.Text)
		class := "stream stdout"
		if o.Name == "stderr" {
			class = "stream stderr"
		}
		if strings.Count(strings.TrimSuffix(text, "\n"), "\n")+1 > scrollLines {
			class += " scroll"
		}
		fmt.Fprintf(b, `<pre class="%s">%s</pre>`, class, ansiHTML(text))
	case notebooks.Error:
		tb := strings.Join(o.Traceback, "\n")
		if tb == "" {
			tb = o.EName + ": " + o.EValue
		}
		fmt.Fprintf(b, `<pre class="error">%s</pre>`, ansiHTML(tb))
	case notebooks.ExecuteResult, notebooks.DisplayData:
		p.bundle(b, o)
	default:
		note(b, fmt.Sprintf("an output of unknown type %q", o.Type))
	}
	b.WriteString("</div></div>\n")
}

// bundle writes the richest MIME type of an output's bundle.
func (p *htmlPage) bundle(b *bytes.Buffer, o *notebooks.Output) {
	mime := chooseMIME(o.Data, htmlPriority)
	text, _ := textData(o.Data[mime])
	switch mime {
	case mimeWidget:
		w, _ := widget(o.Data[mime])
		b.WriteString(widgetHTML(w))
	case mimeHTML:
		class := "html-output"
		if hasMath(text) {
			class += " math-scan"
			p.math = true
		}
		fmt.Fprintf(b, `<div class="%s">%s</div>`, class, sanitizeHTML(text))
	case mimeSVG:
		doc, err := svgText(o.Data)
		if err != nil {
			note(b, err.Error())
			return
		}
		clean, err := sanitizeSVG(doc)
		if err != nil {
			note(b, err.Error())
			return
		}
		img(b, dataURI(mimeSVG, []byte(clean)), "SVG image", o.Metadata, mime)
	case mimePNG, mimeJPEG, mimeGIF:
		data, err := binaryData(o.Data, mime)
		if err != nil {
			note(b, err.Error())
			return
		}
		img(b, dataURI(mime, data), strings.ToUpper(imageExt(mime))+" image", o.Metadata, mime)
	case mimeMarkdown:
		b.WriteString(`<div class="md">`)
		p.markdown(b, text, nil)
		b.WriteString(`</div>`)
	case mimeLaTeX:
		p.math = true
		fmt.Fprintf(b, `<div class="latex math-scan">%s</div>`, html.EscapeString(text))
	case mimeJSON:
		s, err := jsonText(o.Data[mime])
		if err != nil {
			note(b, err.Error())
			return
		}
		fmt.Fprintf(b, `<pre class="json">%s</pre>`, html.EscapeString(s))
	case mimeText:
		fmt.Fprintf(b, `<pre class="text">%s</pre>`, ansiHTML(text))
	default:
		if len(o.Data) == 0 {
			return
		}
		types := slices.Sorted(maps.Keys(o.Data))
		note(b, "output of type "+strings.Join(types, ", ")+" is not shown")
	}
}

// img writes an <img> of a data: URI, with the size the output's metadata
// asks for.
func img(b *bytes.Buffer, uri, alt string, meta map[string]any, mime string) {
	fmt.Fprintf(b, `<img src="%s" alt="%s"`, uri, alt)
	w, h := imageSize(meta, mime)
	if w != "" {
		fmt.Fprintf(b, ` width="%s"`, html.EscapeString(w))
	}
	if h != "" {
		fmt.Fprintf(b, ` height="%s"`, html.EscapeString(h))
	}
	b.WriteString(">")
}

// note writes a remark of the exporter where something could not be shown.
func note(b *bytes.Buffer, msg string) {
	fmt.Fprintf(b, `<div class="export-note">%s</div>`, html.EscapeString(msg))
}

// mathInHTML matches what auto-render would typeset in an HTML output:
// $$…$$, \(…\), \[…\], or $…$ by the rules of the Markdown math.
var mathInHTML = regexp.MustCompile(`\$\$|\\\(|\\\[|\$[^\s$]([^$]*[^\s$])?\$([^0-9]|$)`)

// hasMath reports whether an HTML output seems to have math, so the page
// needs KaTeX.
func hasMath(s string) bool { return mathInHTML.MatchString(s) }
