package display

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// WidgetMIME is the MIME type of a widget's output: a JSON object that
// describes the control (kind, label, value and, by kind, min, max, step
// and options). The notebook page draws it as a live control; exports
// draw it as a still one with its value.
const WidgetMIME = "application/vnd.firn.widget+json"

// JupyterWidgetViewMIME is ipywidgets' output of a widget: a reference to
// a widget model by id, which JupyterLab draws when a widget front end is
// installed and the model is known (its state in the notebook's metadata
// or from the kernel's comm messages).
const JupyterWidgetViewMIME = "application/vnd.jupyter.widget-view+json"

// The kinds of widget.
const (
	KindSlider   = "slider"
	KindNumber   = "number"
	KindPlay     = "play"
	KindDropdown = "dropdown"
	KindCheckbox = "checkbox"
	KindButton   = "button"
)

// widgetValues is the state of a Display's widgets: the value the reader
// chose for each label.
type widgetValues struct {
	mu sync.Mutex
	v  map[string]any
}

func (w *widgetValues) get(label string) (any, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v, ok := w.v[label]
	return v, ok
}

func (w *widgetValues) set(label string, v any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.v == nil {
		w.v = map[string]any{}
	}
	w.v[label] = v
}

// SetWidgetValues sets the values the reader chose, by widget label: the
// kernel calls it before a cell runs with what the notebook page holds
// (or when a Jupyter front end moves a control). A widget whose value does
// not fit it (a word for a slider, a choice that is not among the
// options) keeps the value it had; a number out of a slider's range is
// clamped to it.
func (d *Display) SetWidgetValues(values map[string]any) {
	if d == nil {
		return
	}
	for k, v := range values {
		d.widgets.set(k, v)
	}
}

// WidgetValue returns the value the reader chose for the widget of that
// label, if any.
func (d *Display) WidgetValue(label string) (any, bool) {
	if d == nil {
		return nil, false
	}
	return d.widgets.get(label)
}

// widget is what every control has: where it lives and what it shows.
type widget struct {
	d     *Display
	kind  string
	label string
}

// ModelID is the widget's id in Jupyter's widget state: the same for the
// same label in every run, so that a saved notebook's state and its
// outputs agree.
func ModelID(label string) string {
	sum := sha256.Sum256([]byte(label))
	return "firn-" + hex.EncodeToString(sum[:8])
}

func checkLabel(fn, label string) {
	if strings.TrimSpace(label) == "" {
		panic(fmt.Sprintf("display.%s: the label is empty; give the control a name the reader sees (it also identifies the control's value)", fn))
	}
}

// show publishes the widget's output: Firn's own description, ipywidgets'
// view of the same model, and a line of text.
func (w widget) show(desc map[string]any, text string) {
	desc["kind"] = w.kind
	desc["label"] = w.label
	desc["model_id"] = ModelID(w.label)
	b := Bundle{Data: map[string]any{
		WidgetMIME:            desc,
		JupyterWidgetViewMIME: map[string]any{"model_id": ModelID(w.label), "version_major": 2, "version_minor": 0},
		mimeText:              text,
	}}
	w.d.publishWidget(w.d.newID(), desc, b)
}

// Number is a control whose value is a number: a slider, a number input
// or a play control. Value reads the number the reader chose, so a cell
// that uses it runs again (reactively) with the new number when the
// reader moves the control.
type Number struct {
	widget
	min, max, step, initial float64
}

// Value is the control's number: what the reader chose, else the value it
// was made with, within [min, max] and on a step.
func (n *Number) Value() float64 {
	if n == nil {
		return 0
	}
	v, ok := n.d.WidgetValue(n.label)
	if !ok {
		return n.initial
	}
	f, ok := toFloat(v)
	if !ok {
		return n.initial
	}
	return n.fit(f)
}

// Int is Value rounded to the nearest whole number.
func (n *Number) Int() int { return int(math.Round(n.Value())) }

// String is the control's label and number, as "ELA (m) = 3000".
func (n *Number) String() string {
	if n == nil {
		return "<nil>"
	}
	return n.label + " = " + formatNumber(n.Value())
}

// fit clamps f to the range and puts it on the nearest step.
func (n *Number) fit(f float64) float64 {
	if math.IsNaN(f) {
		return n.initial
	}
	if n.step > 0 {
		k := math.Round((f - n.min) / n.step)
		f = n.min + k*n.step
		// The step's rounding must not change the number's digits.
		f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
	}
	return math.Min(n.max, math.Max(n.min, f))
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func (d *Display) number(fn, kind, label string, min, max, step, value float64) *Number {
	if d == nil {
		d = new(Display)
	}
	checkLabel(fn, label)
	for _, x := range []struct {
		name string
		v    float64
	}{{"min", min}, {"max", max}, {"step", step}, {"value", value}} {
		if math.IsNaN(x.v) || math.IsInf(x.v, 0) {
			panic(fmt.Sprintf("display.%s(%q): %s is %v; want a finite number", fn, label, x.name, x.v))
		}
	}
	if min >= max {
		panic(fmt.Sprintf("display.%s(%q): min %v is not below max %v", fn, label, min, max))
	}
	if step < 0 || step > max-min {
		panic(fmt.Sprintf("display.%s(%q): step %v is not between 0 (any number) and max−min = %v", fn, label, step, max-min))
	}
	n := &Number{widget: widget{d: d, kind: kind, label: label}, min: min, max: max, step: step}
	n.initial = n.fit(value)
	v := n.Value()
	what := map[string]string{KindSlider: "slider", KindNumber: "number", KindPlay: "play control"}[kind]
	n.show(map[string]any{"value": v, "min": min, "max": max, "step": step},
		fmt.Sprintf("%s = %s (%s from %s to %s)", label, formatNumber(v), what, formatNumber(min), formatNumber(max)))
	return n
}

// Slider shows a slider from min to max in steps of step (0: any number)
// that starts at value, and returns it. A cell that reads its Value runs
// again when the reader moves it:
//
//	ela := display.Slider("ELA (m)", 2500, 3500, 10, 3000)
//	// in another cell:
//	g := edu.NewGlacier(bed, edu.NewMassBalance(ela.Value(), 4))
//
// The label names the control for the reader and identifies its value:
// two controls with the same label share it. Bad bounds (min not below
// max, a step larger than the range, a value that is not a number) panic
// with a message that names the control.
func (d *Display) Slider(label string, min, max, step, value float64) *Number {
	return d.number("Slider", KindSlider, label, min, max, step, value)
}

// NumberInput shows a box for a number between min and max (on steps of
// step; 0: any number) that starts at value, and returns it.
func (d *Display) NumberInput(label string, min, max, step, value float64) *Number {
	return d.number("NumberInput", KindNumber, label, min, max, step, value)
}

// Play shows a slider with a play button that moves it from its value to
// max, one step at a time, each step waiting for the cells that use it to
// finish: an animation of what the cells draw. The step must not be 0.
func (d *Display) Play(label string, min, max, step, value float64) *Number {
	if step == 0 {
		panic(fmt.Sprintf("display.Play(%q): step is 0; a play control needs a step to advance by", label))
	}
	return d.number("Play", KindPlay, label, min, max, step, value)
}

// Choice is a dropdown: one of a list of words.
type Choice struct {
	widget
	options []string
	initial string
}

// Dropdown shows a list of options with value chosen (the first option
// when value is not among them), and returns it.
func (d *Display) Dropdown(label string, options []string, value string) *Choice {
	if d == nil {
		d = new(Display)
	}
	checkLabel("Dropdown", label)
	if len(options) == 0 {
		panic(fmt.Sprintf("display.Dropdown(%q): no options to choose from", label))
	}
	c := &Choice{widget: widget{d: d, kind: KindDropdown, label: label}, options: slices.Clone(options), initial: value}
	if !slices.Contains(options, value) {
		c.initial = options[0]
	}
	v := c.Value()
	c.show(map[string]any{"value": v, "options": c.options},
		fmt.Sprintf("%s = %s (one of %s)", label, v, strings.Join(options, ", ")))
	return c
}

// Value is the option chosen.
func (c *Choice) Value() string {
	if c == nil {
		return ""
	}
	if v, ok := c.d.WidgetValue(c.label); ok {
		if s, ok := v.(string); ok && slices.Contains(c.options, s) {
			return s
		}
	}
	return c.initial
}

// Index is the position of the option chosen in the list.
func (c *Choice) Index() int {
	if c == nil {
		return -1
	}
	return slices.Index(c.options, c.Value())
}

// String is the control's label and choice.
func (c *Choice) String() string {
	if c == nil {
		return "<nil>"
	}
	return c.label + " = " + c.Value()
}

// Toggle is a checkbox: on or off.
type Toggle struct {
	widget
	initial bool
}

// Checkbox shows a checkbox, ticked when value is true, and returns it.
func (d *Display) Checkbox(label string, value bool) *Toggle {
	if d == nil {
		d = new(Display)
	}
	checkLabel("Checkbox", label)
	t := &Toggle{widget: widget{d: d, kind: KindCheckbox, label: label}, initial: value}
	v := t.Value()
	mark := "[ ]"
	if v {
		mark = "[x]"
	}
	t.show(map[string]any{"value": v}, mark+" "+label)
	return t
}

// Value reports whether the box is ticked.
func (t *Toggle) Value() bool {
	if t == nil {
		return false
	}
	if v, ok := t.d.WidgetValue(t.label); ok {
		if b, ok := v.(bool); ok {
			return b
		}
	}
	return t.initial
}

// String is the control's label and state.
func (t *Toggle) String() string {
	if t == nil {
		return "<nil>"
	}
	return t.label + " = " + strconv.FormatBool(t.Value())
}

// PushButton is a button; each press runs the cells that read its Clicks.
type PushButton struct{ widget }

// Button shows a button and returns it.
func (d *Display) Button(label string) *PushButton {
	if d == nil {
		d = new(Display)
	}
	checkLabel("Button", label)
	b := &PushButton{widget{d: d, kind: KindButton, label: label}}
	b.show(map[string]any{"value": b.Clicks()}, "["+label+"]")
	return b
}

// Clicks is how many times the button was pressed.
func (b *PushButton) Clicks() int {
	if b == nil {
		return 0
	}
	v, ok := b.d.WidgetValue(b.label)
	if !ok {
		return 0
	}
	f, ok := toFloat(v)
	if !ok || f < 0 || math.IsNaN(f) {
		return 0
	}
	return int(f)
}

// String is the button's label and clicks.
func (b *PushButton) String() string {
	if b == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s (pressed %d times)", b.label, b.Clicks())
}

// Slider, NumberInput, Play, Dropdown, Checkbox and Button outside a
// notebook print the control's text form and return its starting value's
// control; in a notebook cell the kernel binds them to its Display.

// Slider shows a slider (see Display.Slider).
func Slider(label string, min, max, step, value float64) *Number {
	return new(Display).Slider(label, min, max, step, value)
}

// NumberInput shows a number box (see Display.NumberInput).
func NumberInput(label string, min, max, step, value float64) *Number {
	return new(Display).NumberInput(label, min, max, step, value)
}

// Play shows a play control (see Display.Play).
func Play(label string, min, max, step, value float64) *Number {
	return new(Display).Play(label, min, max, step, value)
}

// Dropdown shows a dropdown (see Display.Dropdown).
func Dropdown(label string, options []string, value string) *Choice {
	return new(Display).Dropdown(label, options, value)
}

// Checkbox shows a checkbox (see Display.Checkbox).
func Checkbox(label string, value bool) *Toggle {
	return new(Display).Checkbox(label, value)
}

// Button shows a button (see Display.Button).
func Button(label string) *PushButton {
	return new(Display).Button(label)
}
