package export

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/firnglacier/firn/notebooks"
)

// MarkdownOptions are the options of Markdown. The zero value works:
// images are inlined as data: URIs.
type MarkdownOptions struct {
	// Name is the notebook's name without extension, such as "intro"; the
	// files of images are named Name_files/output_C_O.ext as nbconvert
	// names them (C the cell's index, O the output's, both from 0). If
	// empty, it is "notebook".
	Name string
	// WriteFile, if not nil, is called for each image of an output or
	// attachment with its path relative to the Markdown file (always with
	// forward slashes) and its data; the Markdown links to the path. If nil,
	// images are inlined as data: URIs.
	WriteFile func(name string, data []byte) error
	// Language is the info string of code cells' fences. If empty, it is
	// the notebook's metadata.language_info.name, or else "go".
	Language string
}

// Markdown writes nb as Markdown: markdown cells as they are, code cells
// as fenced code, outputs as text blocks, HTML (sanitized) or images. It
// fails if nb is nil, WriteFile fails or w fails; an output that cannot be
// shown is replaced by a note saying why.
func Markdown(w io.Writer, nb *notebooks.Notebook, opts MarkdownOptions) error {
	if nb == nil {
		return errors.New("export: Markdown: no notebook")
	}
	e := &mdExport{opts: opts, lang: language(nb, opts.Language)}
	if e.opts.Name == "" {
		e.opts.Name = "notebook"
	}
	var b bytes.Buffer
	for i, c := range nb.Cells {
		if c == nil {
			continue
		}
		if err := e.cell(&b, i, c); err != nil {
			return fmt.Errorf("export: Markdown: cell %d: %w", i+1, err)
		}
	}
	out := bytes.TrimRight(b.Bytes(), "\n")
	out = append(out, '\n')
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("export: Markdown: writing: %w", err)
	}
	return nil
}

type mdExport struct {
	opts MarkdownOptions
	lang string
}

// block writes a block of Markdown followed by an empty line.
func block(b *bytes.Buffer, s string) {
	b.WriteString(strings.TrimRight(s, "\n"))
	b.WriteString("\n\n")
}

func (e *mdExport) cell(b *bytes.Buffer, index int, c *notebooks.Cell) error {
	switch c.Type {
	case notebooks.Markdown:
		md, err := e.markdownText(index, c.Source, c.Attachments)
		if err != nil {
			return err
		}
		block(b, md)
	case notebooks.Code:
		block(b, fence(c.Source, e.lang))
		outputs := c.Outputs
		for j := 0; j < len(outputs); j++ {
			o := outputs[j]
			if o == nil {
				continue
			}
			if o.Type == notebooks.Stream {
				// Consecutive parts of a stream are one block, as Jupyter
				// shows them. (Indices name image files, so later outputs
				// keep their own.)
				joined := *o
				for j+1 < len(outputs) && outputs[j+1] != nil && outputs[j+1].Type == notebooks.Stream && outputs[j+1].Name == o.Name {
					j++
					joined.Text += outputs[j].Text
				}
				o = &joined
			}
			if err := e.output(b, index, j, o); err != nil {
				return fmt.Errorf("output %d: %w", j+1, err)
			}
		}
	case notebooks.Raw:
		switch rawFormat(c) {
		case mimeMarkdown:
			md, err := e.markdownText(index, c.Source, c.Attachments)
			if err != nil {
				return err
			}
			block(b, md)
		case mimeHTML:
			block(b, htmlBlock(sanitizeHTML(c.Source)))
		}
	}
	return nil
}

// markdownText is Markdown from the notebook (a cell, a text/markdown or
// text/latex output) as the export writes it: as it is, with its
// attachments' links pointing to their files, when safeMarkdown finds
// nothing in it that the sanitizing policy would remove; otherwise as the
// sanitized HTML it renders to, the same as in the HTML export, in one
// HTML block.
func (e *mdExport) markdownText(index int, src string, attachments map[string]notebooks.MIMEBundle) (string, error) {
	links, err := e.attachments(index, attachments)
	if err != nil {
		return "", err
	}
	if safeMarkdown(src, attachments) {
		return replaceAttachments(src, links), nil
	}
	r, err := renderMarkdown(src, attachments)
	if err != nil {
		return "", err
	}
	out := r.HTML
	if e.opts.WriteFile != nil {
		// The attachments are data: URIs in the HTML: link their files
		// instead.
		for name, link := range links {
			if uri, ok := attachmentURI(attachments, name); ok {
				out = strings.ReplaceAll(out, `"`+uri+`"`, `"`+html.EscapeString(link)+`"`)
			}
		}
	}
	return htmlBlock(out), nil
}

// htmlBlock wraps sanitized HTML in one Markdown HTML block: a <div> on
// one line, with line breaks written as character references, so that no
// blank line ends the block and lets the rest be read as Markdown (where
// text such as [x](javascript:…) would become a link).
func htmlBlock(s string) string {
	s = strings.NewReplacer("\r\n", "&#10;", "\n", "&#10;", "\r", "&#10;").Replace(s)
	return "<div>" + s + "</div>"
}

// attachments stores the images among a cell's attachments as files (or
// data: URIs when there is no WriteFile) and returns their links by
// attachment name.
func (e *mdExport) attachments(index int, attachments map[string]notebooks.MIMEBundle) (map[string]string, error) {
	links := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(attachments)) {
		bundle := attachments[name]
		mime := chooseMIME(bundle, []string{mimePNG, mimeJPEG, mimeGIF, mimeSVG})
		if mime == "" {
			continue
		}
		data, err := imageBytes(bundle, mime)
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", name, err)
		}
		file := fmt.Sprintf("%s_files/attachment_%d_%s", e.opts.Name, index, fileSafe(name))
		if !strings.HasSuffix(strings.ToLower(file), "."+imageExt(mime)) {
			file += "." + imageExt(mime)
		}
		link, err := e.image(file, mime, data)
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", name, err)
		}
		links[name] = link
	}
	return links, nil
}

// replaceAttachments replaces the references attachment:NAME in src with
// the links.
func replaceAttachments(src string, links map[string]string) string {
	if len(links) == 0 {
		return src
	}
	// Longer names first, so that a name that begins another does not
	// take its place.
	names := slices.SortedFunc(maps.Keys(links), func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, name := range names {
		for _, form := range slices.Compact([]string{name, url.PathEscape(name), strings.ReplaceAll(name, " ", "%20")}) {
			pairs = append(pairs, "attachment:"+form, links[name])
		}
	}
	return strings.NewReplacer(pairs...).Replace(src)
}

// fileSafe keeps the letters, digits, dots, dashes and underscores of a
// name, so that an attachment's name cannot leave the files directory.
func fileSafe(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
	return strings.TrimLeft(s, ".")
}

// imageBytes is the data of an image entry: SVG sanitized, others decoded
// from base64.
func imageBytes(bundle notebooks.MIMEBundle, mime string) ([]byte, error) {
	if mime == mimeSVG {
		s, err := svgText(bundle)
		if err != nil {
			return nil, err
		}
		clean, err := sanitizeSVG(s)
		if err != nil {
			return nil, err
		}
		return []byte(clean), nil
	}
	return binaryData(bundle, mime)
}

// image stores an image as the file name through WriteFile and returns
// its link (the name, escaped for a Markdown link), or returns a data: URI
// if there is no WriteFile.
func (e *mdExport) image(name, mime string, data []byte) (string, error) {
	if e.opts.WriteFile == nil {
		return dataURI(mime, data), nil
	}
	if err := e.opts.WriteFile(name, data); err != nil {
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	return (&url.URL{Path: name}).EscapedPath(), nil
}

func (e *mdExport) output(b *bytes.Buffer, cell, index int, o *notebooks.Output) error {
	switch o.Type {
	case notebooks.Stream:
		block(b, fence(stripANSI(terminalText(o.Text)), ""))
	case notebooks.Error:
		tb := strings.Join(o.Traceback, "\n")
		if tb == "" {
			tb = o.EName + ": " + o.EValue
		}
		block(b, fence(stripANSI(tb), ""))
	case notebooks.ExecuteResult, notebooks.DisplayData:
		mime := chooseMIME(o.Data, markdownPriority)
		text, _ := textData(o.Data[mime])
		switch mime {
		case mimeHTML:
			block(b, htmlBlock(sanitizeHTML(text)))
		case mimeMarkdown, mimeLaTeX:
			md, err := e.markdownText(cell, text, nil)
			if err != nil {
				return err
			}
			block(b, md)
		case mimeSVG, mimePNG, mimeJPEG, mimeGIF:
			data, err := imageBytes(o.Data, mime)
			if err != nil {
				block(b, fmt.Sprintf("*(%s not shown: %s)*", mime, markdownEscape(err.Error())))
				return nil
			}
			name := fmt.Sprintf("%s_files/output_%d_%d.%s", e.opts.Name, cell, index, imageExt(mime))
			link, err := e.image(name, mime, data)
			if err != nil {
				return err
			}
			block(b, fmt.Sprintf("![%s](%s)", imageExt(mime), link))
		case mimeJSON:
			s, err := jsonText(o.Data[mime])
			if err != nil {
				block(b, fmt.Sprintf("*(%s not shown: %s)*", mime, markdownEscape(err.Error())))
				return nil
			}
			block(b, fence(s, "json"))
		case mimeText:
			block(b, fence(stripANSI(text), ""))
		}
	}
	return nil
}

// fence is code in a fenced block with the given info string; the fence
// is longer than any run of backticks in the code. The info string is
// cut at the first character that is not a letter, digit or one of
// "_+.#-": it comes from the notebook's metadata, and a backtick or a
// line break in it would end the fence and let the code be read as
// Markdown.
func fence(code, info string) string {
	if i := strings.IndexFunc(info, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+.#-", r))
	}); i >= 0 {
		info = info[:i]
	}
	longest, run := 0, 0
	for i := 0; i < len(code); i++ {
		if code[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", max(3, longest+1))
	return f + info + "\n" + strings.TrimRight(code, "\n") + "\n" + f
}

// markdownEscape escapes the characters of s that Markdown would read as
// markup.
func markdownEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~$", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
