package display

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// MIME types of the bundles this package makes.
const (
	mimeText     = "text/plain"
	mimeMarkdown = "text/markdown"
	mimeHTML     = "text/html"
	mimeSVG      = "image/svg+xml"
	mimePNG      = "image/png"
	mimeJSON     = "application/json"
	mimeProgress = "application/vnd.firn.progress+json"
)

// Bundle is a Jupyter MIME bundle ready for JSON: Data maps a MIME type to
// its data, a string for text types (text/*, image/svg+xml), a base64
// string for binary images (image/png), and a JSON-marshalable value for
// application/json and other JSON types. Metadata is keyed by MIME type,
// as in Jupyter; image/png carries {"width": px, "height": px}.
//
// The constructors of this package (Markdown, HTML, SVG, PNG, JSON, Text,
// Table, Rows) always give a text/plain entry, so every frontend has
// something to show, and sanitize HTML and SVG; so does Render, except that
// it passes a Bundle on as it is. A Bundle written by hand is shown as it is.
type Bundle struct {
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// MIME returns the bundle's data as bytes keyed by MIME type: text types
// as UTF-8, base64 images decoded, JSON values marshaled. It lets a Bundle
// that is a cell's last expression render itself, like a plot's figure.
func (b Bundle) MIME() (map[string][]byte, error) {
	out := make(map[string][]byte, len(b.Data))
	for _, k := range slices.Sorted(maps.Keys(b.Data)) {
		v := b.Data[k]
		if isJSONType(k) {
			raw, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("display: bundle data for %s: %w", k, err)
			}
			out[k] = raw
			continue
		}
		var s []byte
		switch v := v.(type) {
		case string:
			s = []byte(v)
		case []byte:
			s = v
		default:
			return nil, fmt.Errorf("display: bundle data for %s is a %T; want a string", k, v)
		}
		if isBase64Type(k) {
			raw, err := base64.StdEncoding.DecodeString(string(s))
			if err != nil {
				return nil, fmt.Errorf("display: bundle data for %s is not base64: %w", k, err)
			}
			s = raw
		}
		out[k] = s
	}
	return out, nil
}

// text is the bundle's text/plain form, or a note naming its MIME types.
func (b Bundle) text() string {
	if s, ok := b.Data[mimeText].(string); ok {
		return s
	}
	if len(b.Data) == 0 {
		return ""
	}
	return "[display of " + strings.Join(slices.Sorted(maps.Keys(b.Data)), ", ") + "]"
}

// isJSONType reports whether data of MIME type t is a JSON value:
// application/json and the structured-syntax suffix +json.
func isJSONType(t string) bool {
	return t == mimeJSON || strings.HasSuffix(t, "+json")
}

// isBase64Type reports whether data of MIME type t travels as base64:
// binary images.
func isBase64Type(t string) bool {
	switch t {
	case mimePNG, "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}

// Text returns a bundle that shows s as plain text.
func Text(s string) Bundle {
	return Bundle{Data: map[string]any{mimeText: s}}
}

// errorBundle shows a message explaining why a value could not be shown.
func errorBundle(format string, args ...any) Bundle {
	return Text(fmt.Sprintf(format, args...))
}

// Markdown returns a bundle that shows s as Markdown (and as itself in
// plain text). Math between $…$ or $$…$$ is left for the frontend to
// typeset. The frontend sanitizes the HTML the Markdown becomes.
func Markdown(s string) Bundle {
	return Bundle{Data: map[string]any{mimeMarkdown: s, mimeText: s}}
}

// HTML returns a bundle that shows the HTML fragment s, sanitized: scripts,
// event handlers, javascript: URLs, iframes, forms and styles other than a
// few safe properties are removed; text formatting, lists, tables, links
// and images stay. Its text/plain form is the text without tags.
func HTML(s string) Bundle {
	clean := sanitizeHTML(s)
	return Bundle{Data: map[string]any{mimeHTML: clean, mimeText: htmlText(clean)}}
}

// SVG returns a bundle that shows the SVG document s, sanitized (see the
// package documentation). A document that is not well-formed XML with an
// <svg> root gives a text bundle explaining why.
func SVG(s string) Bundle {
	clean, w, h, err := sanitizeSVG(s)
	if err != nil {
		return errorBundle("display.SVG: %v", err)
	}
	return Bundle{Data: map[string]any{mimeSVG: clean, mimeText: svgText(w, h)}}
}

func svgText(w, h string) string {
	if w == "" || h == "" {
		return "SVG image"
	}
	return "SVG image, " + w + " × " + h
}

// pngSignature starts every PNG file (PNG spec, section 5.2).
var pngSignature = [8]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

// pngSize reads the width and height in pixels from a PNG's IHDR chunk,
// which must follow the signature (PNG spec, sections 5.3 and 11.2.2).
func pngSize(b []byte) (w, h int, err error) {
	if len(b) < 8 || !bytes.Equal(b[:8], pngSignature[:]) {
		n := min(len(b), 8)
		return 0, 0, fmt.Errorf("not a PNG image: it starts with % x, want % x", b[:n], pngSignature[:])
	}
	if len(b) < 24 || string(b[12:16]) != "IHDR" {
		return 0, 0, fmt.Errorf("PNG image of %d bytes has no IHDR chunk after its signature", len(b))
	}
	w32, h32 := binary.BigEndian.Uint32(b[16:20]), binary.BigEndian.Uint32(b[20:24])
	if w32 == 0 || h32 == 0 || w32 > 1<<31-1 || h32 > 1<<31-1 {
		return 0, 0, fmt.Errorf("PNG image has an invalid size %d × %d pixels", w32, h32)
	}
	return int(w32), int(h32), nil
}

// PNG returns a bundle that shows the PNG image b, with its width and
// height in pixels (read from the image header) as metadata. Data that is
// not a PNG image gives a text bundle explaining why.
func PNG(b []byte) Bundle {
	w, h, err := pngSize(b)
	if err != nil {
		return errorBundle("display.PNG: %v", err)
	}
	return Bundle{
		Data: map[string]any{
			mimePNG:  base64.StdEncoding.EncodeToString(b),
			mimeText: fmt.Sprintf("PNG image, %d × %d pixels", w, h),
		},
		Metadata: map[string]any{mimePNG: map[string]any{"width": w, "height": h}},
	}
}

// JSON returns a bundle that shows v as JSON: a tree view where the
// frontend has one, indented JSON as plain text. The value is encoded when
// JSON is called, so later changes to v do not show. A value that
// encoding/json cannot encode (a channel, a NaN, a failing MarshalJSON)
// gives a text bundle explaining why.
func JSON(v any) (b Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = errorBundle("display.JSON: encoding %T panicked: %v", v, r)
		}
	}()
	raw, err := json.Marshal(v)
	if err != nil {
		return errorBundle("display.JSON: cannot encode %T: %v", v, err)
	}
	val, err := decodeJSON(raw)
	if err != nil {
		return errorBundle("display.JSON: %v", err)
	}
	var ind bytes.Buffer
	if err := json.Indent(&ind, raw, "", "  "); err != nil {
		return errorBundle("display.JSON: %v", err)
	}
	return Bundle{Data: map[string]any{mimeJSON: val, mimeText: ind.String()}}
}

// decodeJSON decodes one JSON value into plain maps, slices, strings,
// bools and json.Numbers (which keep the digits of large integers).
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("invalid JSON: more than one value")
	}
	return v, nil
}
