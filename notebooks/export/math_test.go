package export

import (
	"strings"
	"testing"
)

func TestMathProtection(t *testing.T) {
	for _, tc := range []struct {
		name string
		md   string
		want []string // substrings of the HTML, in order
		not  []string // substrings the HTML must not have
		math bool
	}{{
		name: "underscores inside $ are not emphasis",
		md:   "The flux $q_1 = u_s h_s$ and $a_b$ _real emphasis_",
		want: []string{`<span class="math inline">\(q_1 = u_s h_s\)</span>`, `<span class="math inline">\(a_b\)</span>`, `<em>real emphasis</em>`},
		not:  []string{"<em>1", "<em>s"},
		math: true,
	}, {
		name: "asterisks inside math",
		md:   "*yes* $a*b*c$ **and** $x^*$",
		want: []string{"<em>yes</em>", `\(a*b*c\)`, "<strong>and</strong>", `\(x^*\)`},
		math: true,
	}, {
		name: "dollars of money are text",
		md:   "It costs $5 and $10.",
		want: []string{"It costs $5 and $10."},
		not:  []string{"math"},
	}, {
		name: "closing dollar followed by a digit",
		md:   "from $x to $5",
		not:  []string{"math"},
	}, {
		name: "escaped dollars",
		md:   `\$x_1\$ stays`,
		want: []string{"$x_1$ stays"},
		not:  []string{"math"},
	}, {
		name: "backslash parentheses and brackets",
		md:   `inline \(\alpha_1\) and display \[\beta_2\] here`,
		want: []string{`<span class="math inline">\(\alpha_1\)</span>`, `<span class="math display">\[\beta_2\]</span>`},
		math: true,
	}, {
		name: "double dollars in a paragraph",
		md:   `so $$\sum_i x_i$$ is display`,
		want: []string{`<span class="math display">\[\sum_i x_i\]</span>`},
		math: true,
	}, {
		name: "display block over lines keeps TeX line breaks",
		md:   "Before\n\n$$\n\\begin{aligned}\na_1 &= b_1 \\\\\nc_2 &= d_2\n\\end{aligned}\n$$\n\nAfter",
		want: []string{"<p>Before</p>", `<div class="math display">\[` + "\n\\begin{aligned}\na_1 &amp;= b_1 \\\\\nc_2 &amp;= d_2\n\\end{aligned}\n" + `\]</div>`, "<p>After</p>"},
		math: true,
	}, {
		name: "one-line block",
		md:   `$$E = m c^2$$`,
		want: []string{`<div class="math display">\[E = m c^2\]</div>`},
		math: true,
	}, {
		name: "bracket block",
		md:   "\\[\nx_1 + x_2\n\\]",
		want: []string{`<div class="math display">\[` + "\nx_1 + x_2\n" + `\]</div>`},
		math: true,
	}, {
		name: "block interrupting a paragraph",
		md:   "Glen's law:\n$$\nu = A\\tau^n\n$$\nholds.",
		want: []string{"<p>Glen&#39;s law:</p>", `<div class="math display">\[` + "\nu = A\\tau^n\n" + `\]</div>`, "<p>holds.</p>"},
		math: true,
	}, {
		name: "unclosed block is text",
		md:   "$$\nx_1\n\nmore *text*",
		want: []string{"<em>text</em>"},
		not:  []string{"math"},
	}, {
		name: "inline math across a line break",
		md:   "a $x_1 +\ny_1$ b",
		want: []string{`<span class="math inline">\(x_1 +` + "\n" + `y_1\)</span>`},
		math: true,
	}, {
		name: "math in code spans is code",
		md:   "`$x_1$` and\n\n```\n$y_1$\n```",
		want: []string{"<code>$x_1$</code>", "$y_1$"},
		not:  []string{"math"},
	}, {
		name: "HTML in math is escaped",
		md:   `$a < b$ and $<script>alert(1)</script>$`,
		want: []string{`\(a &lt; b\)`, `\(&lt;script&gt;alert(1)&lt;/script&gt;\)`},
		not:  []string{"<script"},
		math: true,
	}, {
		name: "escaped dollar inside math does not close it",
		md:   `$\$5 = x_1$`,
		want: []string{`\(\$5 = x_1\)`},
		math: true,
	}, {
		name: "space after opening dollar",
		md:   "a $ b_1$ c",
		not:  []string{"math"},
	}, {
		name: "math in a table cell",
		md:   "| q | v |\n|---|---|\n| $q_s$ | 1 |",
		want: []string{`<td><span class="math inline">\(q_s\)</span></td>`},
		math: true,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := renderMarkdown(tc.md, nil)
			if err != nil {
				t.Fatal(err)
			}
			rest := r.HTML
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("HTML lacks %q (in order)\nHTML: %s", w, r.HTML)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tc.not {
				if strings.Contains(r.HTML, n) {
					t.Errorf("HTML has %q\nHTML: %s", n, r.HTML)
				}
			}
			if r.Math != tc.math {
				t.Errorf("Math = %v; want %v", r.Math, tc.math)
			}
		})
	}
}
