package notebooks

import (
	"reflect"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	nb := New()
	if nb.NBFormat != 4 || nb.NBFormatMinor != 5 || len(nb.Cells) != 0 {
		t.Errorf("New: nbformat %d.%d with %d cells", nb.NBFormat, nb.NBFormatMinor, len(nb.Cells))
	}
	ks := nb.Metadata["kernelspec"].(map[string]any)
	if ks["name"] != "firn" || ks["display_name"] != "Go (Firn)" || ks["language"] != "go" {
		t.Errorf("kernelspec %v", ks)
	}
	li := nb.Metadata["language_info"].(map[string]any)
	if li["name"] != "go" || li["file_extension"] != ".go" || li["mimetype"] != "text/x-go" {
		t.Errorf("language_info %v", li)
	}
}

func TestCellIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := NewCell(Code, "")
		if !ValidID(c.ID) {
			t.Fatalf("NewCell id %q is not valid", c.ID)
		}
		seen[c.ID] = true
	}
	if len(seen) < 990 {
		t.Errorf("only %d distinct ids in 1000", len(seen))
	}
	nb := New()
	a := nb.AddCell(NewCell(Code, "a"))
	b := nb.AddCell(&Cell{ID: a.ID, Type: Code})
	c := nb.AddCell(&Cell{ID: "not valid!", Type: Code})
	d := nb.AddCell(&Cell{Type: Code})
	ids := map[string]bool{}
	for _, c := range []*Cell{a, b, c, d} {
		if !ValidID(c.ID) || ids[c.ID] {
			t.Errorf("AddCell left id %q", c.ID)
		}
		ids[c.ID] = true
	}
}

func TestEnsureIDs(t *testing.T) {
	tests := []struct {
		ids     []string
		keep    []bool // which ids must stay
		changed bool
	}{
		{[]string{"a", "b"}, []bool{true, true}, false},
		{[]string{"a", "a"}, []bool{true, false}, true},
		{[]string{"", "x"}, []bool{false, true}, true},
		{[]string{"with space", strings.Repeat("x", 64), strings.Repeat("y", 65)}, []bool{false, true, false}, true},
		{[]string{"A-Z_0-9"}, []bool{true}, false},
	}
	for _, tc := range tests {
		nb := New()
		for _, id := range tc.ids {
			nb.Cells = append(nb.Cells, &Cell{ID: id, Type: Raw})
		}
		if got := nb.EnsureIDs(); got != tc.changed {
			t.Errorf("EnsureIDs(%q) = %v, want %v", tc.ids, got, tc.changed)
		}
		seen := map[string]bool{}
		for i, c := range nb.Cells {
			if !ValidID(c.ID) || seen[c.ID] {
				t.Errorf("EnsureIDs(%q): cell %d id %q", tc.ids, i, c.ID)
			}
			seen[c.ID] = true
			if tc.keep[i] != (c.ID == tc.ids[i]) {
				t.Errorf("EnsureIDs(%q): cell %d id %q, keep=%v", tc.ids, i, c.ID, tc.keep[i])
			}
		}
	}
}

func TestAppendStream(t *testing.T) {
	type call struct{ name, text string }
	type out struct{ typ, name, text string }
	tests := []struct {
		name  string
		pre   []*Output
		calls []call
		want  []out
	}{
		{"merge same name", nil, []call{{"stdout", "a"}, {"stdout", "b\n"}}, []out{{Stream, "stdout", "ab\n"}}},
		{"other name", nil, []call{{"stdout", "a"}, {"stderr", "b"}, {"stdout", "c"}},
			[]out{{Stream, "stdout", "a"}, {Stream, "stderr", "b"}, {Stream, "stdout", "c"}}},
		{"after display", []*Output{{Type: DisplayData}}, []call{{"stdout", "a"}}, []out{{DisplayData, "", ""}, {Stream, "stdout", "a"}}},
		{"after stream", []*Output{{Type: Stream, Name: "stdout", Text: "x\n"}}, []call{{"stdout", "y\r"}}, []out{{Stream, "stdout", "x\ny\r"}}},
	}
	for _, tc := range tests {
		c := NewCell(Code, "")
		c.Outputs = tc.pre
		for _, k := range tc.calls {
			c.AppendStream(k.name, k.text)
		}
		var got []out
		for _, o := range c.Outputs {
			got = append(got, out{o.Type, o.Name, o.Text})
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: outputs %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestClearOutputs(t *testing.T) {
	n := 3
	c := &Cell{Type: Code, ExecutionCount: &n, Outputs: []*Output{{Type: Stream}}}
	c.ClearOutputs()
	if c.Outputs != nil || c.ExecutionCount != nil {
		t.Errorf("ClearOutputs left %v, %v", c.Outputs, c.ExecutionCount)
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		meta map[string]any
		want []string
	}{
		{nil, nil},
		{map[string]any{"tags": []any{"parameters", 3, "skip"}}, []string{"parameters", "skip"}},
		{map[string]any{"tags": []string{"a"}}, []string{"a"}},
		{map[string]any{"tags": "parameters"}, nil},
	}
	for _, tc := range tests {
		c := &Cell{Metadata: tc.meta}
		if got := c.Tags(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Tags(%v) = %v, want %v", tc.meta, got, tc.want)
		}
		for _, tag := range tc.want {
			if !c.HasTag(tag) {
				t.Errorf("HasTag(%q) false for %v", tag, tc.meta)
			}
		}
		if c.HasTag("other") {
			t.Errorf("HasTag(other) true for %v", tc.meta)
		}
	}
}

func TestZeroNotebook(t *testing.T) {
	var nb Notebook
	nb.AddCell(&Cell{Type: Markdown, Source: "x"})
	out := string(writeBytes(t, &nb))
	for _, want := range []string{`"nbformat": 4,`, `"nbformat_minor": 5`, `"metadata": {},`, `"id": "`} {
		if !strings.Contains(out, want) {
			t.Errorf("zero notebook written without %s:\n%s", want, out)
		}
	}
}
