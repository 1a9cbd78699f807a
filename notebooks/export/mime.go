package export

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/firnglacier/firn/notebooks"
)

// MIME types that export shows.
const (
	mimeHTML     = "text/html"
	mimeMarkdown = "text/markdown"
	mimeLaTeX    = "text/latex"
	mimeSVG      = "image/svg+xml"
	mimePNG      = "image/png"
	mimeJPEG     = "image/jpeg"
	mimeGIF      = "image/gif"
	mimeJSON     = "application/json"
	mimeText     = "text/plain"
)

// htmlPriority is the order in which the HTML export picks one MIME type
// of an output's bundle: the richest first, as Jupyter does.
// A widget is drawn as a still control rather than its line of text.
var htmlPriority = []string{mimeWidget, mimeHTML, mimeSVG, mimePNG, mimeJPEG, mimeGIF, mimeMarkdown, mimeLaTeX, mimeJSON, mimeText}

// markdownPriority is the order for the Markdown export, as nbconvert's:
// what Markdown can hold as it is first.
var markdownPriority = []string{mimeHTML, mimeMarkdown, mimeSVG, mimeLaTeX, mimePNG, mimeJPEG, mimeGIF, mimeJSON, mimeText}

// chooseMIME returns the first MIME type of priority that the bundle has
// with usable data, or "" if it has none of them.
func chooseMIME(data notebooks.MIMEBundle, priority []string) string {
	for _, t := range priority {
		v, ok := data[t]
		if !ok || v == nil {
			continue
		}
		switch t {
		case mimeJSON:
		case mimeWidget:
			if _, ok := widget(v); !ok {
				continue
			}
		default:
			if _, ok := textData(v); !ok {
				continue
			}
		}
		return t
	}
	return ""
}

// textData returns the text of a bundle entry: a string, or the lines of
// a multi-line string as nbformat writes them.
func textData(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case []string:
		return strings.Join(v, ""), true
	case []any:
		var b strings.Builder
		for _, line := range v {
			s, ok := line.(string)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	}
	return "", false
}

// binaryData decodes the base64 data of a bundle's image entry.
func binaryData(data notebooks.MIMEBundle, mime string) ([]byte, error) {
	s, ok := textData(data[mime])
	if !ok {
		return nil, fmt.Errorf("%s data is a %T; want a base64 string", mime, data[mime])
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s data is not base64: %w", mime, err)
	}
	return b, nil
}

// dataURI is data as a data: URI of the given MIME type.
func dataURI(mime string, data []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// jsonText is a JSON value indented for reading. A string is taken as
// JSON text if it parses.
func jsonText(v any) (string, error) {
	if s, ok := v.(string); ok {
		var parsed any
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		if err := d.Decode(&parsed); err == nil {
			v = parsed
		}
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return "", fmt.Errorf("application/json data: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// imageExt is the file extension for an image MIME type.
func imageExt(mime string) string {
	switch mime {
	case mimeSVG:
		return "svg"
	case mimeJPEG:
		return "jpg"
	case mimeGIF:
		return "gif"
	}
	return "png"
}

// imageSize returns the width and height that an output's metadata asks
// for an image (Jupyter's metadata[mime].width/height, in CSS pixels), as
// strings, "" when absent.
func imageSize(meta map[string]any, mime string) (w, h string) {
	m, _ := meta[mime].(map[string]any)
	dim := func(k string) string {
		switch v := m[k].(type) {
		case json.Number:
			return v.String()
		case float64:
			return fmt.Sprint(v)
		case int:
			return fmt.Sprint(v)
		}
		return ""
	}
	return dim("width"), dim("height")
}

// svgText is the document of a bundle's image/svg+xml entry: text, as
// outputs hold it, or base64, as Jupyter stores the SVG attachments of
// Markdown cells.
func svgText(bundle notebooks.MIMEBundle) (string, error) {
	s, ok := textData(bundle[mimeSVG])
	if !ok {
		return "", fmt.Errorf("%s data is a %T; want a string", mimeSVG, bundle[mimeSVG])
	}
	if t := strings.TrimLeft(s, " \t\r\n\ufeff"); t == "" || strings.HasPrefix(t, "<") {
		return s, nil
	}
	data, err := binaryData(bundle, mimeSVG)
	if err != nil {
		return "", fmt.Errorf("%s data is neither SVG nor base64: %w", mimeSVG, err)
	}
	return string(data), nil
}
