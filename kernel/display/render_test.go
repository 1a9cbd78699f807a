package display

import (
	"errors"
	"fmt"
	"image"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/plots"
)

type point struct{ X float64 }

type nested struct {
	Name string
	In   point
	P    *point
	N    *point
	M    map[string]int
	S    []string
	A    any
}

type node struct {
	Next *node
	V    int
}

type flowline struct {
	Name                      string
	Bed, Width                []float64
	ELA, Gradient, MaxBalance float64
}

// stringer has a String method, which panics on "boom".
type stringer string

func (s stringer) String() string {
	if s == "boom" {
		panic("String of boom")
	}
	return "stringer " + string(s)
}

// ptrStringer has a String method on its pointer.
type ptrStringer struct{ v int }

func (p *ptrStringer) String() string { return fmt.Sprint("ptr ", p.v) }

// stringerStruct is a struct with exported fields and a String method.
type stringerStruct struct{ X int }

func (s stringerStruct) String() string { return fmt.Sprint("<", s.X, ">") }

type failingError struct{}

func (*failingError) Error() string { panic("Error fails") }

func TestRenderText(t *testing.T) {
	n := &node{V: 1}
	n.Next = n
	deep := any(1)
	for range 10 {
		deep = []any{deep}
	}
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "nil"},
		{"nil pointer", (*point)(nil), "nil"},
		{"nil pointer with a String method", (*ptrStringer)(nil), "nil"},
		{"nil slice", []int(nil), "nil"},
		{"nil error", error(nil), "nil"},
		{"int", 42, "42"},
		{"negative int8", int8(-8), "-8"},
		{"uint64", uint64(math.MaxUint64), "18446744073709551615"},
		{"float %g", 3.5e-7, "3.5e-07"},
		{"float32", float32(0.1), "0.1"},
		{"large float", 1e21, "1e+21"},
		{"NaN", math.NaN(), "NaN"},
		{"complex", complex(1, -2), "(1-2i)"},
		{"bool", true, "true"},
		{"string as it is", "a \"quoted\"\nline", "a \"quoted\"\nline"},
		{"slice", []int{1, 2, 3}, "[1 2 3]"},
		{"strings quoted in a slice", []string{"a b", ""}, `["a b" ""]`},
		{"long slice elided", make([]int, 1000), "[0 0 0 0 0 0 0 0 0 0 … 990 more]"},
		{"array", [3]bool{true}, "[true false false]"},
		{"bytes", []byte("hi"), "[104 105]"},
		{"map sorted", map[string]int{"b": 2, "a": 1, "c": 3}, `map["a":1 "b":2 "c":3]`},
		{"map with number keys", map[int]string{10: "x", 9: "y", -1: "z"}, `map[-1:"z" 9:"y" 10:"x"]`},
		{"map with float keys", map[float64]bool{2.5: true, -1: false}, "map[-1:false 2.5:true]"},
		{"long map elided", func() map[int]int {
			m := map[int]int{}
			for i := range 25 {
				m[i] = i * i
			}
			return m
		}(), "map[0:0 1:1 2:4 3:9 4:16 5:25 6:36 7:49 8:64 9:81 … 15 more]"},
		{"nested struct", nested{Name: "a", In: point{1.5}, P: &point{2}, M: map[string]int{"z": 1, "a": 2}, S: []string{"x"}},
			`{Name:"a" In:{X:1.5} P:&{X:2} N:nil M:map["a":2 "z":1] S:["x"] A:nil}`},
		{"pointer to struct", &point{X: 1}, "&{X:1}"},
		{"unexported fields", struct{ a, b int }{1, 2}, "{a:1 b:2}"},
		{"interface slice", []any{1, "a", nil, []int{}, 2.5}, `[1 "a" nil [] 2.5]`},
		{"cycle", n, "&{Next:<cycle> V:1}"},
		{"deep nesting", deep, "[[[[[[[…]]]]]]]"},
		{"Stringer and error inside", []any{time.Second, errors.New("e"), stringer("s")}, "[1s e stringer s]"},
		{"String method panics inside", []any{stringer("boom")}, "[<panic: String of boom>]"},
		{"Error method panics inside", []error{&failingError{}}, "[<panic: Error fails>]"},
		{"pointer Stringer inside", []*ptrStringer{{v: 3}}, "[ptr 3]"},
		{"structs without exported fields", []time.Time{time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, "[2026-01-02 00:00:00 +0000 UTC]"},
		{"structs with a String method", []stringerStruct{{X: 1}}, "[<1>]"},
		{"func", func(int) int { return 0 }, "func(int) int"},
		{"chan", make(chan int), "chan int"},
		{"wide struct, a line per field", flowline{Name: "HEF", Bed: make([]float64, 200), ELA: 2600, Gradient: 3}, `
{
  Name: "HEF"
  Bed: [0 0 0 0 0 0 0 0 0 0 … 190 more]
  Width: []
  ELA: 2600
  Gradient: 3
  MaxBalance: 0
}`},
		{"narrow struct pointer on one line", &flowline{Name: "HEF"}, `&{Name:"HEF" Bed:[] Width:[] ELA:0 Gradient:0 MaxBalance:0}`},
		{"error", fmt.Errorf("read bed.csv: %w", errors.New("line 3: not a number")), "read bed.csv: line 3: not a number"},
		{"Stringer", stringer("x"), "stringer x"},
		{"pointer Stringer", &ptrStringer{v: 7}, "ptr 7"},
		{"String method panics", stringer("boom"), "display: cannot show a display.stringer: it panicked: String of boom"},
		{"Error method panics", &failingError{}, "display: cannot show a *display.failingError: it panicked: Error fails"},
		{"nil *Bundle", (*Bundle)(nil), "nil"},
		{"empty Bundle", Bundle{}, ""},
		{"Bundle", Markdown("*x*"), "*x*"},
		{"*Bundle", func() *Bundle { b := Text("t"); return &b }(), "t"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := Render(c.in)
			if got, want := b.Data[mimeText], strings.TrimPrefix(c.want, "\n"); got != want {
				t.Errorf("text/plain = %q, want %q", got, want)
			}
		})
	}
}

func TestRenderLongText(t *testing.T) {
	big := make([][]string, 10)
	for i := range big {
		for range 10 {
			big[i] = append(big[i], strings.Repeat("x", 1000))
		}
	}
	text := Render(big).Data[mimeText].(string)
	if len(text) > maxText+maxString*4 || !strings.HasSuffix(text, " …") {
		t.Errorf("text form of %d bytes ending %q; want at most about %d, cut with …", len(text), text[max(len(text)-20, 0):], maxText)
	}
	if !strings.Contains(text, strings.Repeat("x", maxString)+"…") {
		t.Error("long string not cut at maxString runes")
	}
}

func TestRenderForms(t *testing.T) {
	fig, err := plots.MassBalanceProfile([]massbalance.Model{massbalance.Linear{ELA: 2600, Gradient: 3}}, nil, plots.MassBalanceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 5, 3))
	cases := []struct {
		name  string
		in    any
		types []string // MIME types of the bundle
		text  string   // text/plain, or its start
		meta  map[string]any
	}{
		{
			name:  "plot figure",
			in:    fig,
			types: []string{mimePNG, mimeSVG, mimeText},
			text:  "mass-balance plot, 16 × 10 cm",
			meta:  map[string]any{mimePNG: map[string]any{"width": 605, "height": 378}},
		},
		{name: "slice of structs is a table", in: glaciers, types: []string{mimeHTML, mimeMarkdown, mimeText}, text: "Name "},
		{name: "slice of pointers to structs is a table", in: []*glacier{&glaciers[0]}, types: []string{mimeHTML, mimeMarkdown, mimeText}, text: "Name "},
		{name: "image", in: img, types: []string{mimePNG, mimeText}, text: "PNG image, 5 × 3 pixels",
			meta: map[string]any{mimePNG: map[string]any{"width": 5, "height": 3}}},
		{
			name:  "MIME error",
			in:    mimeFunc(func() (map[string][]byte, error) { return nil, errors.New("figure is too large") }),
			types: []string{mimeText}, text: "display: cannot show a display.mimeFunc: figure is too large",
		},
		{
			name:  "MIME panics",
			in:    mimeFunc(func() (map[string][]byte, error) { panic("no figure") }),
			types: []string{mimeText}, text: "display: cannot show a display.mimeFunc: it panicked: no figure",
		},
		{
			name: "MIME types sanitized, unsafe and invalid ones dropped",
			in: mimeFunc(func() (map[string][]byte, error) {
				return map[string][]byte{
					mimeHTML:                           []byte(`<b onclick="x()">b</b>`),
					mimeSVG:                            []byte(`<svg onload="x()"/>`),
					"application/javascript":           []byte("alert(1)"),
					"text/javascript":                  []byte("alert(1)"),
					mimePNG:                            []byte("not a png"),
					"application/vnd.vegalite.v5+json": []byte(`{"mark": "line"}`),
					mimeJSON:                           []byte(`{`),
					"text/latex":                       []byte(`$x$`),
				}, nil
			}),
			types: []string{"application/vnd.vegalite.v5+json", mimeHTML, mimeSVG, mimeText, "text/latex"},
			text:  "display.mimeFunc\n(not shown: application/javascript; application/json (invalid JSON: unexpected EOF); image/png (not a PNG image: it starts with 6e 6f 74 20 61 20 70 6e, want 89 50 4e 47 0d 0a 1a 0a); text/javascript)",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := Render(c.in)
			var types []string
			for k := range b.Data {
				types = append(types, k)
			}
			if !sameSet(types, c.types) {
				t.Errorf("MIME types %v, want %v", types, c.types)
			}
			if text, _ := b.Data[mimeText].(string); !strings.HasPrefix(text, c.text) {
				t.Errorf("text/plain = %q, want it to start with %q", text, c.text)
			}
			if c.meta != nil && !reflect.DeepEqual(b.Metadata, c.meta) {
				t.Errorf("metadata = %v, want %v", b.Metadata, c.meta)
			}
			if h, ok := b.Data[mimeHTML].(string); ok && strings.Contains(h, "onclick") {
				t.Errorf("HTML not sanitized: %s", h)
			}
			if s, ok := b.Data[mimeSVG].(string); ok && strings.Contains(s, "onload") {
				t.Errorf("SVG not sanitized: %s", s)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] {
			return false
		}
	}
	return true
}
