package protocol

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Widgets over comms: ipywidgets' widget messaging protocol (version 2,
// ipywidgets 7 and 8), which JupyterLab's widget front end speaks.
const (
	// WidgetTarget is the comm target of widget models: the kernel opens
	// a comm of this target for each widget, its id the widget's model
	// id and its data {state, buffer_paths}.
	WidgetTarget = "jupyter.widget"
	// WidgetProtocolVersion is the version of ipywidgets' messaging
	// protocol, in comm_open's metadata {"version": …}.
	WidgetProtocolVersion = "2.1.0"
	// WidgetStateMIME is the key of the widget state that nbformat keeps
	// in a notebook's metadata.widgets: {version_major, version_minor,
	// state: {model id: {model_name, model_module, model_module_version,
	// state}}}.
	WidgetStateMIME = "application/vnd.jupyter.widget-state+json"
	// WidgetModule is the JavaScript module of ipywidgets' controls and
	// WidgetModuleVersion its version (ipywidgets 8).
	WidgetModule        = "@jupyter-widgets/controls"
	WidgetModuleVersion = "2.0.0"
)

// Widget is Firn's description of a widget, the object a cell publishes
// under display.WidgetMIME: its kind ("slider", "number", "play",
// "dropdown", "checkbox", "button"), label, model id (the comm's id),
// value (a number, an option, a bool; a button's clicks) and, by kind,
// its range and step or its options.
type Widget struct {
	Kind    string   `json:"kind"`
	Label   string   `json:"label"`
	ModelID string   `json:"model_id"`
	Value   any      `json:"value"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Step    *float64 `json:"step,omitempty"`
	Options []string `json:"options,omitempty"`
}

// widgetModels are ipywidgets' model and view of each kind, as the
// notebook page names them in the widget state it saves.
var widgetModels = map[string][2]string{
	"slider":   {"FloatSliderModel", "FloatSliderView"},
	"number":   {"BoundedFloatTextModel", "FloatTextView"},
	"play":     {"PlayModel", "PlayView"},
	"dropdown": {"DropdownModel", "DropdownView"},
	"checkbox": {"CheckboxModel", "CheckboxView"},
	"button":   {"ButtonModel", "ButtonView"},
}

// ParseWidget reads a widget's description: the display.WidgetMIME
// object as a cell made it or as JSON decoded it. A kind Firn does not
// know, or no label or model id, is an error.
func ParseWidget(desc any) (Widget, error) {
	var w Widget
	b, err := json.Marshal(desc)
	if err == nil {
		err = json.Unmarshal(b, &w)
	}
	if err != nil {
		return w, fmt.Errorf("widget description: %w", err)
	}
	if _, ok := widgetModels[w.Kind]; !ok {
		return w, fmt.Errorf("widget description: kind %q is none of slider, number, play, dropdown, checkbox, button", w.Kind)
	}
	if w.Label == "" || w.ModelID == "" {
		return w, fmt.Errorf("widget description of kind %s: no label or model_id", w.Kind)
	}
	return w, nil
}

// ModelName is ipywidgets' model of the widget ("FloatSliderModel", …).
func (w Widget) ModelName() string { return widgetModels[w.Kind][0] }

// State is the widget's full ipywidgets model state, as comm_open and a
// request_state's update carry it: the model's and view's names and
// modules, the description (the label) and, by kind, value, min, max,
// step, or the options and the index chosen. Layout and style are left
// to the front end's defaults.
func (w Widget) State() map[string]any {
	m := widgetModels[w.Kind]
	s := map[string]any{
		"_model_name": m[0], "_model_module": WidgetModule, "_model_module_version": WidgetModuleVersion,
		"_view_name": m[1], "_view_module": WidgetModule, "_view_module_version": WidgetModuleVersion,
		"_dom_classes": []string{}, "description": w.Label, "description_allow_html": false,
		"disabled": false, "tabbable": nil, "tooltip": nil,
	}
	num := func(p *float64, dflt float64) float64 {
		if p == nil {
			return dflt
		}
		return *p
	}
	switch w.Kind {
	case "slider", "number", "play":
		lo, hi := num(w.Min, 0), num(w.Max, 100)
		step := num(w.Step, 0)
		if step <= 0 {
			// Firn's step 0 is any number; ipywidgets' controls need one.
			step = (hi - lo) / 1000
		}
		s["min"], s["max"], s["step"] = lo, hi, step
		s["value"], _ = toNumber(w.Value)
		switch w.Kind {
		case "slider":
			s["orientation"], s["readout"], s["readout_format"] = "horizontal", true, readoutFormat(step)
			s["behavior"] = "drag-tap"
			// The value reaches the kernel when the reader lets go, not
			// at every pixel of the drag.
			s["continuous_update"] = false
		case "number":
			s["continuous_update"] = false
		case "play":
			s["interval"], s["playing"], s["repeat"], s["show_repeat"] = 500, false, false, true
		}
	case "dropdown":
		opts := w.Options
		if opts == nil {
			opts = []string{}
		}
		s["_options_labels"] = opts
		s["index"] = nil
		if v, ok := w.Value.(string); ok {
			if i := slices.Index(opts, v); i >= 0 {
				s["index"] = i
			}
		}
	case "checkbox":
		b, _ := w.Value.(bool)
		s["value"], s["indent"] = b, true
	case "button":
		s["button_style"], s["icon"] = "", ""
	}
	return s
}

// ValueOf is the widget's value (as a cell reads it, by label) in an
// ipywidgets state or state update of its model: the value of a slider,
// number, play or checkbox; the option at a dropdown's index (among the
// state's _options_labels, else the widget's options); a button's
// clicks. ok is false when the state does not hold one.
func (w Widget) ValueOf(state map[string]any) (v any, ok bool) {
	if w.Kind == "dropdown" {
		if _, has := state["_options_labels"]; !has {
			state = mergeState(state, map[string]any{"_options_labels": w.Options})
		}
	}
	return stateValue(w.ModelName(), state)
}

func mergeState(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range b {
		out[k] = v
	}
	for k, v := range a {
		out[k] = v
	}
	return out
}

// stateValue reads the value of a model's state: the mapping of the
// notebook page's widget state (frontend/src/notebook/reactive.ts).
func stateValue(model string, st map[string]any) (any, bool) {
	switch model {
	case "DropdownModel":
		i, ok := toNumber(st["index"])
		var labels []string
		switch l := st["_options_labels"].(type) {
		case []string:
			labels = l
		case []any:
			for _, x := range l {
				s, _ := x.(string)
				labels = append(labels, s)
			}
		}
		if !ok || i != math.Trunc(i) || i < 0 || int(i) >= len(labels) {
			return nil, false
		}
		return labels[int(i)], true
	case "ButtonModel":
		n, ok := toNumber(st["clicks"])
		return n, ok
	}
	v, ok := st["value"]
	if !ok {
		return nil, false
	}
	if model == "CheckboxModel" {
		b, ok := v.(bool)
		return b, ok
	}
	f, ok := toNumber(v)
	return f, ok
}

// WidgetValues reads the values a notebook's saved widget state holds
// (its metadata.widgets, as nbformat and the notebook page keep it), by
// widget label: what a cell's widgets read when the notebook runs
// headless. Models without a description, or of a kind without a value,
// are left out; a state that is not the expected shape gives none.
func WidgetValues(metadataWidgets any) map[string]any {
	w, _ := metadataWidgets.(map[string]any)
	ws, _ := w[WidgetStateMIME].(map[string]any)
	models, _ := ws["state"].(map[string]any)
	out := map[string]any{}
	for _, raw := range models {
		m, _ := raw.(map[string]any)
		st, _ := m["state"].(map[string]any)
		label, _ := st["description"].(string)
		name, _ := m["model_name"].(string)
		if label == "" {
			continue
		}
		if v, ok := stateValue(name, st); ok {
			out[label] = v
		}
	}
	return out
}

func toNumber(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// readoutFormat is the d3 format that shows a slider's value with the
// decimals of its step: ".0f" for 10, ".2f" for 0.25.
func readoutFormat(step float64) string {
	s := strconv.FormatFloat(step, 'f', -1, 64)
	d := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		d = min(len(s)-i-1, 6)
	}
	return "." + strconv.Itoa(d) + "f"
}
