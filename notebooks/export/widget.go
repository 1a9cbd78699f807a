package export

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/kernel/display"
	"github.com/firnglacier/firn/kernel/protocol"
)

// mimeWidget is the output of a widget (display.Slider and the others):
// Firn's description of the control, with the value the reader chose.
const mimeWidget = display.WidgetMIME

// widget reads an output's widget description, if it is a usable one.
func widget(v any) (protocol.Widget, bool) {
	if v == nil {
		return protocol.Widget{}, false
	}
	w, err := protocol.ParseWidget(v)
	return w, err == nil
}

// widgetHTML draws a widget as a still control: its label and value, a
// slider's or play control's value as a bar between its bounds (a
// <meter>, which needs neither script nor style), a dropdown's choice
// among its options, a checkbox ticked or not, a button. It is Firn's
// own markup, every text escaped, without form controls or style
// attributes, so it keeps to the page's policy (see Safety).
func widgetHTML(w protocol.Widget) string {
	var b strings.Builder
	esc := html.EscapeString
	label := `<span class="widget-label">` + esc(w.Label) + `</span>`
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	value := func() string {
		switch v := w.Value.(type) {
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64)
		case string:
			return v
		case bool:
			return strconv.FormatBool(v)
		}
		return fmt.Sprint(w.Value)
	}
	fmt.Fprintf(&b, `<div class="widget widget-%s">`, esc(w.Kind))
	switch w.Kind {
	case "slider", "play":
		kind := "slider"
		if w.Kind == "play" {
			kind = "play control"
		}
		fmt.Fprintf(&b, `%s <meter min="%s" max="%s" value="%s" title="%s"></meter> <span class="widget-value">%s</span> <span class="widget-note">%s from %s to %s</span>`,
			label, esc(num(w.Min)), esc(num(w.Max)), esc(value()), esc(w.Label+" = "+value()), esc(value()), kind, esc(num(w.Min)), esc(num(w.Max)))
	case "number":
		fmt.Fprintf(&b, `%s <span class="widget-value">%s</span> <span class="widget-note">a number from %s to %s</span>`,
			label, esc(value()), esc(num(w.Min)), esc(num(w.Max)))
	case "dropdown":
		var opts []string
		for _, o := range w.Options {
			if o == value() {
				opts = append(opts, "<b>"+esc(o)+"</b>")
			} else {
				opts = append(opts, esc(o))
			}
		}
		fmt.Fprintf(&b, `%s <span class="widget-value">%s</span> <span class="widget-note">one of %s</span>`,
			label, esc(value()), strings.Join(opts, ", "))
	case "checkbox":
		mark, state := "☐", "not ticked"
		if w.Value == true {
			mark, state = "☑", "ticked"
		}
		fmt.Fprintf(&b, `<span class="widget-check" title="%s">%s</span> %s`, state, mark, label)
	case "button":
		fmt.Fprintf(&b, `<span class="widget-button">%s</span>`, esc(w.Label))
	}
	b.WriteString(`</div>`)
	return b.String()
}
