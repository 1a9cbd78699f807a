package export

import (
	"html"
	"io"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// codeStyle is the light chroma theme of highlighted code; its CSS is in
// the page once, and code carries only class names.
const codeStyle = "github"

func codeFormatter() *chromahtml.Formatter {
	return chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4))
}

// highlight writes code as a <pre> highlighted for language lang (a
// chroma lexer name or alias such as "go"); code in a language chroma does
// not know is written escaped, unhighlighted.
func highlight(w io.Writer, code, lang string) error {
	lexer := lexers.Get(lang)
	if lexer == nil || lang == "" {
		_, err := io.WriteString(w, `<pre class="chroma"><code>`+html.EscapeString(code)+"</code></pre>")
		return err
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code)
	if err != nil {
		_, err := io.WriteString(w, `<pre class="chroma"><code>`+html.EscapeString(code)+"</code></pre>")
		return err
	}
	return codeFormatter().Format(w, styles.Get(codeStyle), it)
}

// codeCSS is the style sheet for highlighted code.
func codeCSS() string {
	var b strings.Builder
	if err := codeFormatter().WriteCSS(&b, styles.Get(codeStyle)); err != nil {
		return "" // a strings.Builder does not fail
	}
	return b.String()
}
