package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestWidgetValues reads saved widget state as the notebook page writes
// it (frontend/src/notebook/reactive.ts setWidgetValue), from JSON as a
// notebook file holds it.
func TestWidgetValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state string // metadata.widgets
		want  map[string]any
	}{
		{"every kind", `{"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0, "state": {
			"a": {"model_name": "FloatSliderModel", "state": {"description": "ELA (m)", "value": 2800, "min": 2500, "max": 3500, "step": 10}},
			"b": {"model_name": "BoundedFloatTextModel", "state": {"description": "years", "value": 150.5}},
			"c": {"model_name": "PlayModel", "state": {"description": "year", "value": 1900}},
			"d": {"model_name": "DropdownModel", "state": {"description": "climate", "_options_labels": ["steady", "warming"], "index": 1}},
			"e": {"model_name": "CheckboxModel", "state": {"description": "warmer", "value": true}},
			"f": {"model_name": "ButtonModel", "state": {"description": "go", "clicks": 3}}}}}`,
			map[string]any{"ELA (m)": 2800.0, "years": 150.5, "year": 1900.0, "climate": "warming", "warmer": true, "go": 3.0}},
		{"what holds no value is left out", `{"application/vnd.jupyter.widget-state+json": {"state": {
			"a": {"model_name": "FloatSliderModel", "state": {"value": 2800}},
			"b": {"model_name": "DropdownModel", "state": {"description": "climate", "_options_labels": ["steady"], "index": 4}},
			"c": {"model_name": "DropdownModel", "state": {"description": "kind", "_options_labels": ["x"], "index": null}},
			"d": {"model_name": "CheckboxModel", "state": {"description": "warmer", "value": "yes"}},
			"e": {"model_name": "ButtonModel", "state": {"description": "go"}},
			"f": {"model_name": "LayoutModel", "state": {}}}}}`,
			map[string]any{}},
		{"no widget state", `{}`, map[string]any{}},
		{"not an object", `[1, 2]`, map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			d := json.NewDecoder(strings.NewReader(tc.state))
			d.UseNumber() // as notebooks.ReadFile decodes
			if err := d.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if got := WidgetValues(v); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("WidgetValues = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWidgetStateRoundTrip: the value in a widget's ipywidgets state
// reads back as the value (ValueOf), for every kind; a dropdown's update
// carries only its index.
func TestWidgetStateRoundTrip(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	for _, w := range []Widget{
		{Kind: "slider", Label: "ELA (m)", ModelID: "m1", Value: 2800.0, Min: f(2500), Max: f(3500), Step: f(10)},
		{Kind: "number", Label: "years", ModelID: "m2", Value: 300.0, Min: f(0), Max: f(1000), Step: f(0)},
		{Kind: "play", Label: "year", ModelID: "m3", Value: 1850.0, Min: f(1800), Max: f(2000), Step: f(1)},
		{Kind: "dropdown", Label: "climate", ModelID: "m4", Value: "warming", Options: []string{"steady", "warming"}},
		{Kind: "checkbox", Label: "warmer", ModelID: "m5", Value: true},
	} {
		st := w.State()
		if st["_model_name"] != w.ModelName() || st["description"] != w.Label {
			t.Errorf("%s: state %v", w.Kind, st)
		}
		if v, ok := w.ValueOf(st); !ok || v != w.Value {
			t.Errorf("%s: ValueOf(State()) = %v, %v; want %v", w.Kind, v, ok, w.Value)
		}
	}
	dd := Widget{Kind: "dropdown", Label: "climate", ModelID: "m4", Value: "steady", Options: []string{"steady", "warming"}}
	if v, ok := dd.ValueOf(map[string]any{"index": 1.0}); !ok || v != "warming" {
		t.Errorf("a dropdown's index update reads %v, %v; want warming", v, ok)
	}
	if st := (Widget{Kind: "number", Label: "x", ModelID: "m", Value: 1.0, Min: f(0), Max: f(10), Step: f(0)}).State(); st["step"] != 0.01 {
		t.Errorf("step 0 (any number) gives ipywidgets' step %v, want (max-min)/1000", st["step"])
	}
	if _, err := ParseWidget(map[string]any{"kind": "knob", "label": "x", "model_id": "m"}); err == nil {
		t.Error("ParseWidget took a kind Firn has not")
	}
}
