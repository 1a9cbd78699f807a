package export

import (
	"encoding/json"
	"testing"

	"github.com/firnglacier/firn/notebooks"
)

func TestChooseMIME(t *testing.T) {
	all := notebooks.MIMEBundle{
		mimeText: "t", mimeJSON: map[string]any{}, mimeLaTeX: "$x$", mimeMarkdown: "*m*",
		mimeJPEG: "/9j/", mimePNG: "iVBO", mimeSVG: "<svg/>", mimeHTML: "<b>h</b>",
	}
	without := func(types ...string) notebooks.MIMEBundle {
		b := notebooks.MIMEBundle{}
		for k, v := range all {
			b[k] = v
		}
		for _, t := range types {
			delete(b, t)
		}
		return b
	}
	for _, tc := range []struct {
		name     string
		data     notebooks.MIMEBundle
		html, md string
	}{
		{"everything", all, mimeHTML, mimeHTML},
		{"a plot: SVG, PNG, text", notebooks.MIMEBundle{mimeSVG: "<svg/>", mimePNG: "iVBO", mimeText: "SVG image"}, mimeSVG, mimeSVG},
		{"no HTML", without(mimeHTML), mimeSVG, mimeMarkdown},
		{"images and text", without(mimeHTML, mimeSVG, mimeMarkdown, mimeLaTeX), mimePNG, mimePNG},
		{"JPEG only", notebooks.MIMEBundle{mimeJPEG: "/9j/", mimeText: "x"}, mimeJPEG, mimeJPEG},
		{"JSON and text", notebooks.MIMEBundle{mimeJSON: []any{json.Number("1")}, mimeText: "[1]"}, mimeJSON, mimeJSON},
		{"markdown and text", notebooks.MIMEBundle{mimeMarkdown: "*m*", mimeText: "m"}, mimeMarkdown, mimeMarkdown},
		{"text only", notebooks.MIMEBundle{mimeText: "t"}, mimeText, mimeText},
		{"text as lines", notebooks.MIMEBundle{mimeText: []any{"a\n", "b"}}, mimeText, mimeText},
		{"HTML that is not text is skipped", notebooks.MIMEBundle{mimeHTML: 42, mimeText: "t"}, mimeText, mimeText},
		{"unknown types only", notebooks.MIMEBundle{"application/vnd.x+json": map[string]any{}}, "", ""},
		{"empty", notebooks.MIMEBundle{}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := chooseMIME(tc.data, htmlPriority); got != tc.html {
				t.Errorf("HTML export chooses %q; want %q", got, tc.html)
			}
			if got := chooseMIME(tc.data, markdownPriority); got != tc.md {
				t.Errorf("Markdown export chooses %q; want %q", got, tc.md)
			}
		})
	}
}

func TestJSONText(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{map[string]any{"b": json.Number("1.50"), "a": []any{true, nil}}, "{\n  \"a\": [\n    true,\n    null\n  ],\n  \"b\": 1.50\n}"},
		{`{"x":"<b>"}`, "{\n  \"x\": \"<b>\"\n}"},
		{"not json", `"not json"`},
	} {
		got, err := jsonText(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("jsonText(%v) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
