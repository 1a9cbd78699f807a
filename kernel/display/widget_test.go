package display

import (
	"strings"
	"testing"
)

func TestNumberWidgets(t *testing.T) {
	tests := []struct {
		name      string
		make      func(d *Display) *Number
		set       any // the reader's value; nil: none
		want      float64
		wantText  string
		wantValue float64 // in the published description
	}{
		{"slider starts at its value", func(d *Display) *Number { return d.Slider("ELA (m)", 2500, 3500, 10, 3000) }, nil, 3000, "ELA (m) = 3000 (slider from 2500 to 3500)", 3000},
		{"slider takes the reader's value", func(d *Display) *Number { return d.Slider("ELA (m)", 2500, 3500, 10, 3000) }, 3120.0, 3120, "ELA (m) = 3120 (slider from 2500 to 3500)", 3120},
		{"a value off the steps goes to the nearest step", func(d *Display) *Number { return d.Slider("ELA (m)", 2500, 3500, 10, 3000) }, 3124.0, 3120, "", 3120},
		{"a value above the range is clamped", func(d *Display) *Number { return d.Slider("ELA (m)", 2500, 3500, 10, 3000) }, 9000.0, 3500, "", 3500},
		{"a word is not a number: the slider keeps its value", func(d *Display) *Number { return d.Slider("ELA (m)", 2500, 3500, 10, 3000) }, true, 3000, "", 3000},
		{"a starting value off the steps", func(d *Display) *Number { return d.Slider("gradient", 0, 10, 0.5, 3.3) }, nil, 3.5, "", 3.5},
		{"decimal steps keep their digits", func(d *Display) *Number { return d.Slider("bias (K)", -2, 2, 0.1, 0) }, 0.7, 0.7, "bias (K) = 0.7 (slider from -2 to 2)", 0.7},
		{"step 0 is any number", func(d *Display) *Number { return d.NumberInput("years", 0, 1000, 0, 300) }, 123.456, 123.456, "years = 123.456 (number from 0 to 1000)", 123.456},
		{"play control", func(d *Display) *Number { return d.Play("year", 0, 300, 10, 0) }, 150.0, 150, "year = 150 (play control from 0 to 300)", 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			d := New(r)
			// The reader's value is known before the cell runs, as the kernel sets it.
			if tt.set != nil {
				d.SetWidgetValues(map[string]any{"ELA (m)": tt.set, "gradient": tt.set, "bias (K)": tt.set, "years": tt.set, "year": tt.set})
			}
			n := tt.make(d)
			if got := n.Value(); got != tt.want {
				t.Errorf("Value() = %v, want %v", got, tt.want)
			}
			if len(r.calls) != 1 {
				t.Fatalf("published %d outputs, want 1", len(r.calls))
			}
			b := r.calls[0].b
			desc, _ := b.Data[WidgetMIME].(map[string]any)
			if desc["value"] != tt.wantValue {
				t.Errorf("published value %v, want %v", desc["value"], tt.wantValue)
			}
			if tt.wantText != "" && b.Data["text/plain"] != tt.wantText {
				t.Errorf("text %q, want %q", b.Data["text/plain"], tt.wantText)
			}
			view, _ := b.Data[JupyterWidgetViewMIME].(map[string]any)
			if view["model_id"] != desc["model_id"] || view["model_id"] == "" {
				t.Errorf("Jupyter view %v does not name the model %v", view, desc["model_id"])
			}
		})
	}
}

func TestWidgetValueChangesWithoutRerunningItsCell(t *testing.T) {
	d := New(&recorder{})
	ela := d.Slider("ELA (m)", 2500, 3500, 10, 3000)
	if ela.Value() != 3000 {
		t.Fatalf("before: %v", ela.Value())
	}
	d.SetWidgetValues(map[string]any{"ELA (m)": 2800.0})
	if ela.Value() != 2800 || ela.Int() != 2800 || ela.String() != "ELA (m) = 2800" {
		t.Errorf("after the reader moved it: %v %v %q", ela.Value(), ela.Int(), ela.String())
	}
}

func TestChoiceToggleButton(t *testing.T) {
	r := &recorder{}
	d := New(r)
	climate := d.Dropdown("climate", []string{"constant", "random", "historical"}, "random")
	warm := d.Checkbox("warmer", false)
	again := d.Button("run again")
	if climate.Value() != "random" || climate.Index() != 1 || warm.Value() || again.Clicks() != 0 {
		t.Fatalf("starting values: %v %v %v %v", climate.Value(), climate.Index(), warm.Value(), again.Clicks())
	}
	d.SetWidgetValues(map[string]any{"climate": "historical", "warmer": true, "run again": 3.0})
	if climate.Value() != "historical" || climate.Index() != 2 || !warm.Value() || again.Clicks() != 3 {
		t.Errorf("chosen values: %v %v %v %v", climate.Value(), climate.Index(), warm.Value(), again.Clicks())
	}
	d.SetWidgetValues(map[string]any{"climate": "tropical", "warmer": "yes", "run again": -1.0})
	if climate.Value() != "random" || warm.Value() || again.Clicks() != 0 {
		t.Errorf("values that do not fit must give the starting ones: %v %v %v", climate.Value(), warm.Value(), again.Clicks())
	}
	if d.Dropdown("scenario", []string{"a", "b"}, "c").Value() != "a" {
		t.Error("a dropdown whose value is not an option starts at the first")
	}
	texts := []string{}
	for _, c := range r.calls {
		texts = append(texts, c.b.Data["text/plain"].(string))
	}
	want := []string{"climate = random (one of constant, random, historical)", "[ ] warmer", "[run again]", "scenario = a (one of a, b)"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("texts %q, want %q", texts, want)
	}
}

func TestWidgetBadArgumentsNameTheControl(t *testing.T) {
	tests := []struct {
		name string
		f    func(d *Display)
		want string
	}{
		{"empty label", func(d *Display) { d.Slider(" ", 0, 1, 0, 0) }, "display.Slider: the label is empty"},
		{"min above max", func(d *Display) { d.Slider("ELA", 3500, 2500, 10, 3000) }, `display.Slider("ELA"): min 3500 is not below max 2500`},
		{"step too large", func(d *Display) { d.NumberInput("n", 0, 10, 20, 5) }, `display.NumberInput("n"): step 20 is not between 0`},
		{"not a number", func(d *Display) { d.Slider("x", 0, 1, 0, nan()) }, `display.Slider("x"): value is NaN`},
		{"play without step", func(d *Display) { d.Play("year", 0, 10, 0, 0) }, `display.Play("year"): step is 0`},
		{"no options", func(d *Display) { d.Dropdown("c", nil, "") }, `display.Dropdown("c"): no options`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("panic %q, want it to contain %q", msg, tt.want)
				}
				if len(r.calls) != 0 {
					t.Errorf("a bad control was shown")
				}
			}()
			tt.f(New(r))
		})
	}
}

func TestModelIDStable(t *testing.T) {
	// The id of a label is the same in every run (saved notebooks' widget
	// state is keyed by it) and differs between labels.
	if got := ModelID("ELA (m)"); got != "firn-6361f67c031f568f" || got == ModelID("ELA") {
		t.Errorf("ModelID(\"ELA (m)\") = %q, want firn-6361f67c031f568f, unlike ModelID(\"ELA\") = %q", got, ModelID("ELA"))
	}
}

// modelKeeper is a WidgetPublisher: it records the widgets opened and
// the displays published, in order.
type modelKeeper struct {
	recorder
	events []string
}

func (m *modelKeeper) OpenWidget(desc map[string]any) {
	m.events = append(m.events, "open "+desc["kind"].(string)+" "+desc["model_id"].(string))
}

func (m *modelKeeper) Publish(id string, b Bundle) {
	m.events = append(m.events, "publish "+b.Data["text/plain"].(string))
	m.recorder.Publish(id, b)
}

// TestWidgetPublisherOpensModels: a Publisher that keeps widget models
// gets each control's description before the display that shows it;
// other outputs open nothing.
func TestWidgetPublisherOpensModels(t *testing.T) {
	m := &modelKeeper{}
	d := New(m)
	d.Slider("ELA (m)", 2500, 3500, 10, 3000)
	d.Show("a line")
	d.Checkbox("warmer", true)
	want := []string{
		"open slider " + ModelID("ELA (m)"), "publish ELA (m) = 3000 (slider from 2500 to 3500)",
		"publish a line",
		"open checkbox " + ModelID("warmer"), "publish [x] warmer",
	}
	if strings.Join(m.events, "\n") != strings.Join(want, "\n") {
		t.Errorf("the publisher saw\n\t%s\nwant\n\t%s", strings.Join(m.events, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func nan() float64 { var z float64; return z / z }
