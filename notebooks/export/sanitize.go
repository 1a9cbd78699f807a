package export

import "github.com/firnglacier/firn/internal/sanitize"

// sanitizeHTML returns the HTML fragment s without anything that runs
// code, loads from elsewhere or leaves its place: Firn's one sanitizing
// policy (internal/sanitize), the same as the kernel's and the notebook
// page's.
func sanitizeHTML(s string) string { return sanitize.HTML(s) }

// sanitizeSVG rewrites the SVG document s with the same policy; the
// result has the namespace declarations it needs to be an image of its
// own (an <img> data: URI, a file).
func sanitizeSVG(s string) (string, error) {
	r, err := sanitize.SVG(s)
	return r.SVG, err
}
