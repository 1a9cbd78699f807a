package notebooks

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

func TestPySplitLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a\n"}},
		{"a\nb", []string{"a\n", "b"}},
		{"\n\n", []string{"\n", "\n"}},
		{"a\r\nb\rc", []string{"a\r\n", "b\r", "c"}},
		{"\r\r\n", []string{"\r", "\r\n"}},
		{"a\vb\fc\x1cd\x1de\x1ef", []string{"a\v", "b\f", "c\x1c", "d\x1d", "e\x1e", "f"}},
		{"a\u0085b\u2028c\u2029d", []string{"a\u0085", "b\u2028", "c\u2029", "d"}},
		{"a\tb\x1fc", []string{"a\tb\x1fc"}},
	}
	for _, tc := range tests {
		if got := pySplitLines(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("pySplitLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPyEncoder checks values against what Python's json.dumps(v,
// indent=1, sort_keys=True, ensure_ascii=False) gives.
func TestPyEncoder(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"<b>&</b> \u2028\u2029 ❄ \x7f", "\"<b>&</b> \u2028\u2029 ❄ \x7f\""},
		{"\"\\\n\r\t\b\f\x00\x1b", `"\"\\\n\r\t\b\f\u0000\u001b"`},
		{"bad \xff utf8", "\"bad \uFFFD utf8\""},
		{json.Number("1.0"), "1.0"},
		{json.Number("1e-07"), "1e-07"},
		{1.0, "1.0"},
		{1e-7, "1e-07"},
		{1e16, "1e+16"},
		{1e15, "1000000000000000.0"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{-2.5, "-2.5"},
		{1.0 / 3, "0.3333333333333333"},
		{math.Inf(1), "Infinity"},
		{math.NaN(), "NaN"},
		{42, "42"},
		{nil, "null"},
		{map[string]any{}, "{}"},
		{[]any{}, "[]"},
		{map[string]any{"b": 1, "a": []any{true, nil}, "ä": "x", "Z": map[string]any{}},
			"{\n \"Z\": {},\n \"a\": [\n  true,\n  null\n ],\n \"b\": 1,\n \"ä\": \"x\"\n}"},
		{[]string{"x"}, "[\n \"x\"\n]"},
		{map[string]string{"k": "v"}, "{\n \"k\": \"v\"\n}"},
		{json.RawMessage(`{"b":1,"a":2.50}`), "{\n \"a\": 2.50,\n \"b\": 1\n}"},
	}
	for _, tc := range tests {
		var e pyEncoder
		if err := e.value(tc.in, 0); err != nil {
			t.Errorf("%#v: %v", tc.in, err)
			continue
		}
		if string(e.buf) != tc.want {
			t.Errorf("%#v: got %s, want %s", tc.in, e.buf, tc.want)
		}
	}
	e := pyEncoder{oneLine: true}
	e.value(map[string]any{"b": []any{1, "x"}, "a": map[string]any{"c": nil}}, 0)
	if want := `{"a": {"c": null}, "b": [1, "x"]}`; string(e.buf) != want {
		t.Errorf("one line: got %s, want %s", e.buf, want)
	}
	var bad pyEncoder
	if err := bad.value(json.Number("1x"), 0); err == nil {
		t.Error("invalid json.Number accepted")
	}
}
