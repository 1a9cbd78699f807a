package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"reflect"
	"strings"
	"testing"
)

// pngOf encodes a w×h image.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPNG(t *testing.T) {
	good := pngOf(t, 3, 2)
	wide := pngOf(t, 1200, 1)
	ihdr := func(w, h uint32) []byte {
		b := append([]byte(nil), good[:33]...)
		b[16], b[17], b[18], b[19] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
		b[20], b[21], b[22], b[23] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
		return b
	}
	cases := []struct {
		name   string
		in     []byte
		w, h   int
		errHas string
	}{
		{name: "3×2", in: good, w: 3, h: 2},
		{name: "1200×1", in: wide, w: 1200, h: 1},
		{name: "header only", in: good[:33], w: 3, h: 2},
		{name: "empty", in: nil, errHas: "not a PNG image: it starts with , want 89 50 4e 47 0d 0a 1a 0a"},
		{name: "JPEG", in: []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'}, errHas: "not a PNG image: it starts with ff d8 ff e0 00 10 4a 46"},
		{name: "text", in: []byte("<svg/>"), errHas: "not a PNG image"},
		{name: "signature only", in: good[:8], errHas: "PNG image of 8 bytes has no IHDR chunk"},
		{name: "no IHDR", in: append(append([]byte(nil), good[:12]...), "IDAT\x00\x00\x00\x01\x00\x00\x00\x01"...), errHas: "no IHDR chunk"},
		{name: "zero width", in: ihdr(0, 5), errHas: "invalid size 0 × 5 pixels"},
		{name: "too high", in: ihdr(5, 1<<31), errHas: "invalid size 5 × 2147483648 pixels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := PNG(c.in)
			if c.errHas != "" {
				if _, ok := b.Data[mimePNG]; ok {
					t.Fatal("invalid PNG shown")
				}
				if text := b.Data[mimeText].(string); !strings.HasPrefix(text, "display.PNG: ") || !strings.Contains(text, c.errHas) {
					t.Errorf("text = %q, want a display.PNG message with %q", text, c.errHas)
				}
				return
			}
			raw, err := base64.StdEncoding.DecodeString(b.Data[mimePNG].(string))
			if err != nil || !bytes.Equal(raw, c.in) {
				t.Fatalf("image/png does not decode to the image (err %v)", err)
			}
			wantMeta := map[string]any{mimePNG: map[string]any{"width": c.w, "height": c.h}}
			if !reflect.DeepEqual(b.Metadata, wantMeta) {
				t.Errorf("metadata = %v, want %v", b.Metadata, wantMeta)
			}
		})
	}
}

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { panic("no JSON today") }

func TestJSON(t *testing.T) {
	cases := []struct {
		name   string
		in     any
		value  any    // application/json
		text   string // text/plain; or the start of the error message
		failed bool
	}{
		{
			name:  "struct",
			in:    struct{ ELA, Gradient float64 }{2600, 3},
			value: map[string]any{"ELA": json.Number("2600"), "Gradient": json.Number("3")},
			text:  "{\n  \"ELA\": 2600,\n  \"Gradient\": 3\n}",
		},
		{
			name:  "large integer kept exactly",
			in:    []int64{1<<60 + 1},
			value: []any{json.Number("1152921504606846977")},
			text:  "[\n  1152921504606846977\n]",
		},
		{name: "string", in: "a<b", value: "a<b", text: `"a\u003cb"`},
		{name: "nil", in: nil, value: nil, text: "null"},
		{name: "channel", in: make(chan int), failed: true, text: "display.JSON: cannot encode chan int: json: unsupported type: chan int"},
		{name: "NaN", in: math.NaN(), failed: true, text: "display.JSON: cannot encode float64: json: unsupported value: NaN"},
		{name: "MarshalJSON panics", in: badJSON{}, failed: true, text: "display.JSON: encoding display.badJSON panicked: no JSON today"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := JSON(c.in)
			if c.failed {
				if _, ok := b.Data[mimeJSON]; ok {
					t.Fatal("application/json present for a value that cannot be encoded")
				}
			} else if !reflect.DeepEqual(b.Data[mimeJSON], c.value) {
				t.Errorf("application/json = %#v, want %#v", b.Data[mimeJSON], c.value)
			}
			if b.Data[mimeText] != c.text {
				t.Errorf("text/plain = %q, want %q", b.Data[mimeText], c.text)
			}
		})
	}
	// The value is copied: changing it later does not change the bundle.
	m := map[string]int{"a": 1}
	b := JSON(m)
	m["a"] = 2
	if got := b.Data[mimeJSON].(map[string]any)["a"]; got != json.Number("1") {
		t.Errorf("bundle changed with the value: %v", got)
	}
}

func TestSimpleBundles(t *testing.T) {
	cases := []struct {
		name string
		b    Bundle
		want map[string]any
	}{
		{"Text", Text("a\nb"), map[string]any{mimeText: "a\nb"}},
		{"Markdown", Markdown("## Ice\n$$\\tau = \\rho g H \\sin\\alpha$$"), map[string]any{
			mimeMarkdown: "## Ice\n$$\\tau = \\rho g H \\sin\\alpha$$",
			mimeText:     "## Ice\n$$\\tau = \\rho g H \\sin\\alpha$$",
		}},
		{"SVG", SVG(`<svg width="10" height="5"><rect width="10" height="5"/></svg>`), map[string]any{
			mimeSVG:  `<svg width="10" height="5" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><rect width="10" height="5"/></svg>`,
			mimeText: "SVG image, 10 × 5",
		}},
		{"SVG without size", SVG(`<svg/>`), map[string]any{mimeSVG: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"/>`, mimeText: "SVG image"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !reflect.DeepEqual(c.b.Data, c.want) {
				t.Errorf("data = %#v, want %#v", c.b.Data, c.want)
			}
		})
	}
}

func TestBundleMIME(t *testing.T) {
	img := pngOf(t, 4, 4)
	cases := []struct {
		name   string
		b      Bundle
		want   map[string][]byte
		errHas string
		noBack bool // Render(MIME()) differs
	}{
		{name: "text and markdown", b: Markdown("**x**"), want: map[string][]byte{mimeMarkdown: []byte("**x**"), mimeText: []byte("**x**")}},
		{name: "PNG decoded", b: PNG(img), want: map[string][]byte{mimePNG: img, mimeText: []byte("PNG image, 4 × 4 pixels")}},
		{name: "JSON marshaled", b: JSON(map[string]any{"a": []int{1, 2}}), want: map[string][]byte{mimeJSON: []byte(`{"a":[1,2]}`), mimeText: []byte("{\n  \"a\": [\n    1,\n    2\n  ]\n}")}},
		{name: "bytes kept", b: Bundle{Data: map[string]any{"text/csv": []byte("a,b")}}, want: map[string][]byte{"text/csv": []byte("a,b")}, noBack: true},
		{name: "not a string", b: Bundle{Data: map[string]any{mimeHTML: 3}}, errHas: "display: bundle data for text/html is a int; want a string"},
		{name: "not base64", b: Bundle{Data: map[string]any{mimePNG: "%%%"}}, errHas: "display: bundle data for image/png is not base64"},
		{name: "JSON that cannot be encoded", b: Bundle{Data: map[string]any{"application/vnd.x+json": math.Inf(1)}}, errHas: "display: bundle data for application/vnd.x+json: json: unsupported value: +Inf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.b.MIME()
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("err = %v, want %q", err, c.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("MIME() = %q, want %q", got, c.want)
			}
			// Render of what MIME returned gives the bundle back.
			if c.noBack {
				return
			}
			if back := Render(mimeFunc(func() (map[string][]byte, error) { return got, nil })); !reflect.DeepEqual(back.Data, c.b.Data) {
				t.Errorf("Render(MIME()) = %#v, want %#v", back.Data, c.b.Data)
			}
		})
	}
}

// mimeFunc is a value that renders itself with a function.
type mimeFunc func() (map[string][]byte, error)

func (f mimeFunc) MIME() (map[string][]byte, error) { return f() }
