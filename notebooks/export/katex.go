package export

import (
	"bytes"
	_ "embed"
	"strings"
)

// KaTeX 0.19.1 from the npm registry (MIT licence, katex/LICENSE);
// katex/fetch.go updates the files. The style sheet has its woff2 fonts
// inlined as data: URIs. Together they add about 650 kB to a page with
// math; a page without math does not carry them.
var (
	//go:embed katex/katex.min.js
	katexJS string
	//go:embed katex/katex.min.css
	katexCSS string
	//go:embed katex/auto-render.min.js
	katexAutoRender string
)

// katexInit typesets the page's math once KaTeX is loaded: each element
// of class "math" holds TeX between \( \) or \[ \], as the Markdown math
// extension writes it, and is typeset as it is; HTML outputs and
// text/latex outputs that have math (class "math-scan") are searched for
// delimiters by KaTeX's auto-render, as Jupyter does. A formula KaTeX
// cannot parse is shown as its source in red (throwOnError: false).
const katexInit = `(function () {
  "use strict";
  if (typeof katex === "undefined") { return; }
  document.querySelectorAll(".math").forEach(function (el) {
    var tex = el.textContent;
    if (tex.length >= 4) { tex = tex.slice(2, -2); }
    try {
      katex.render(tex, el, {displayMode: el.classList.contains("display"), throwOnError: false});
    } catch (e) { /* left as TeX */ }
  });
  if (typeof renderMathInElement === "undefined") { return; }
  document.querySelectorAll(".math-scan").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        {left: "$$", right: "$$", display: true},
        {left: "\\[", right: "\\]", display: true},
        {left: "\\(", right: "\\)", display: false},
        {left: "$", right: "$", display: false}
      ],
      throwOnError: false
    });
  });
})();
`

// writeKaTeXStyle writes KaTeX's style sheet in a <style> element.
func writeKaTeXStyle(b *bytes.Buffer) {
	b.WriteString("<style>\n")
	b.WriteString(safeInElement(katexCSS, "style"))
	b.WriteString("\n</style>\n")
}

// writeKaTeXScripts writes KaTeX, auto-render and the code that typesets
// the page, each in a <script> element.
func writeKaTeXScripts(b *bytes.Buffer) {
	for _, js := range []string{katexJS, katexAutoRender, katexInit} {
		b.WriteString("<script>")
		b.WriteString(safeInElement(js, "script"))
		b.WriteString("</script>\n")
	}
}

// safeInElement makes sure that text inside a <script> or <style> element
// cannot end it early: "</script" becomes "<\/script", which means the
// same in JavaScript strings and regular expressions and in CSS strings.
// (The embedded files have none; this guards an update.)
func safeInElement(s, elem string) string {
	if !strings.Contains(strings.ToLower(s), "</"+elem) {
		return s
	}
	var b strings.Builder
	lower := strings.ToLower(s)
	for {
		i := strings.Index(lower, "</"+elem)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+1])
		b.WriteString(`\/`)
		b.WriteString(s[i+2 : i+2+len(elem)])
		s, lower = s[i+2+len(elem):], lower[i+2+len(elem):]
	}
}
