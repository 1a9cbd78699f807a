package export

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/firnglacier/firn/notebooks"
)

// TestHTMLWidgets: a widget output is drawn as a still control with its
// label and the value the reader left, not as its line of text; labels
// are escaped; a description that is not a widget's falls back to the
// text.
func TestHTMLWidgets(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) } // numbers as notebooks.ReadFile gives them
	for _, tc := range []struct {
		name string
		desc map[string]any
		text string
		want []string
	}{
		{"slider", map[string]any{"kind": "slider", "label": "ELA (m)", "model_id": "firn-1", "value": n("2800"), "min": n("2500"), "max": n("3500"), "step": n("10")},
			"ELA (m) = 2800 (slider from 2500 to 3500)",
			[]string{`<div class="widget widget-slider"><span class="widget-label">ELA (m)</span> <meter min="2500" max="3500" value="2800" title="ELA (m) = 2800"></meter> <span class="widget-value">2800</span> <span class="widget-note">slider from 2500 to 3500</span></div>`}},
		{"play", map[string]any{"kind": "play", "label": "year", "model_id": "firn-2", "value": n("1850.5"), "min": n("1800"), "max": n("2000"), "step": n("0.5")},
			"year = 1850.5 (play control from 1800 to 2000)",
			[]string{`<span class="widget-label">year</span> <meter min="1800" max="2000" value="1850.5"`, `<span class="widget-note">play control from 1800 to 2000</span>`}},
		{"number", map[string]any{"kind": "number", "label": "gradient", "model_id": "firn-3", "value": n("4.5"), "min": n("0"), "max": n("10"), "step": n("0.5")},
			"gradient = 4.5 (number from 0 to 10)",
			[]string{`<span class="widget-label">gradient</span> <span class="widget-value">4.5</span> <span class="widget-note">a number from 0 to 10</span>`}},
		{"dropdown", map[string]any{"kind": "dropdown", "label": "climate", "model_id": "firn-4", "value": "warming", "options": []any{"steady", "warming", "<cooling>"}},
			"climate = warming (one of steady, warming, <cooling>)",
			[]string{`<span class="widget-label">climate</span> <span class="widget-value">warming</span> <span class="widget-note">one of steady, <b>warming</b>, &lt;cooling&gt;</span>`}},
		{"checkbox ticked", map[string]any{"kind": "checkbox", "label": "warmer", "model_id": "firn-5", "value": true},
			"[x] warmer", []string{`<span class="widget-check" title="ticked">☑</span> <span class="widget-label">warmer</span>`}},
		{"checkbox not ticked", map[string]any{"kind": "checkbox", "label": "a <b>bold</b> & risky label", "model_id": "firn-6", "value": false},
			"[ ] a <b>bold</b> & risky label", []string{`<span class="widget-check" title="not ticked">☐</span> <span class="widget-label">a &lt;b&gt;bold&lt;/b&gt; &amp; risky label</span>`}},
		{"button", map[string]any{"kind": "button", "label": "run again", "model_id": "firn-7", "value": n("3")},
			"[run again]", []string{`<div class="widget widget-button"><span class="widget-button">run again</span></div>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nb := notebookOf(&notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{
				mimeWidget: tc.desc,
				"application/vnd.jupyter.widget-view+json": map[string]any{"model_id": tc.desc["model_id"], "version_major": n("2"), "version_minor": n("0")},
				mimeText: tc.text,
			}}}})
			page := exportHTML(t, nb, HTMLOptions{})
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("the page lacks\n\t%s\nin\n\t%s", w, between(page, `<div class="outputs"`, "</main>"))
				}
			}
			if strings.Contains(page, `<pre class="text">`) {
				t.Error("the page shows the widget's text line as well as the control")
			}
			if strings.Contains(page, "<input") || strings.Contains(page, "<select") || strings.Contains(page, "<button") || strings.Contains(page, "style=") {
				t.Error("the widget has form controls or style attributes")
			}
		})
	}
	// Not a widget Firn knows: its text.
	nb := notebookOf(&notebooks.Cell{Type: notebooks.Code, Outputs: []*notebooks.Output{{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{
		mimeWidget: map[string]any{"kind": "knob", "label": "x"}, mimeText: "x = 1 (a knob)",
	}}}})
	if page := exportHTML(t, nb, HTMLOptions{}); !strings.Contains(page, `<pre class="text">x = 1 (a knob)</pre>`) {
		t.Errorf("an unknown widget kind is not shown as its text:\n%s", between(page, `<div class="outputs"`, "</main>"))
	}
}

// between is the part of s from the first start to the next end after it.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return s
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}
