package plots

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var pngDir = flag.String("pngdir", "", "also save the PNG of every test figure to this directory, to look at")

// svgSummary is the structure of an SVG that does not depend on fonts or
// exact positions: its size, the number of paths of each style, and its
// texts in drawing order.
type svgSummary struct {
	width, height, viewBox string
	paths                  map[string]int // style → count
	texts                  []string
}

func summarize(t testing.TB, svg []byte) svgSummary {
	t.Helper()
	s := svgSummary{paths: map[string]int{}}
	d := xml.NewDecoder(bytes.NewReader(svg))
	var inText bool
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("the SVG does not parse as XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "svg":
				for _, a := range e.Attr {
					switch a.Name.Local {
					case "width":
						s.width = a.Value
					case "height":
						s.height = a.Value
					case "viewBox":
						s.viewBox = a.Value
					}
				}
			case "path":
				s.paths[attr(e, "style")]++
			case "text":
				inText = true
				text.Reset()
			}
		case xml.CharData:
			if inText {
				text.Write(e)
			}
		case xml.EndElement:
			if e.Name.Local == "text" {
				inText = false
				s.texts = append(s.texts, text.String())
			}
		}
	}
	return s
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// String writes the summary as the golden file holds it.
func (s svgSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "svg width=%s height=%s viewBox=%q\n", s.width, s.height, s.viewBox)
	styles := make([]string, 0, len(s.paths))
	for st := range s.paths {
		styles = append(styles, st)
	}
	slices.Sort(styles)
	for _, st := range styles {
		fmt.Fprintf(&b, "path %3d  %s\n", s.paths[st], st)
	}
	for _, tx := range s.texts {
		fmt.Fprintf(&b, "text %q\n", tx)
	}
	return b.String()
}

// seriesStroke returns the stroke part of the SVG style of series i.
func seriesStroke(i int) string {
	c := seriesColors[i%len(seriesColors)]
	s := fmt.Sprintf("stroke:#%02X%02X%02X;stroke-width:%g", c.R, c.G, c.B, seriesWidth)
	if d := seriesDashes[i%len(seriesDashes)]; d != nil {
		parts := make([]string, len(d))
		for k, v := range d {
			parts[k] = strconv.FormatFloat(v.Points(), 'g', 5, 64)
		}
		s += ";stroke-dasharray:" + strings.Join(parts, ",")
	}
	return s
}

// countSeriesPaths counts the paths in the style of series i.
func countSeriesPaths(s svgSummary, i int) int {
	want := seriesStroke(i)
	n := 0
	for st, k := range s.paths {
		if st == "fill:none;"+want || strings.HasPrefix(st, "fill:none;"+want+";stroke-dashoffset") {
			n += k
		}
	}
	return n
}

func TestFigures(t *testing.T) {
	for _, tc := range figCases() {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.build(t)
			if err != nil {
				t.Fatal(err)
			}
			svg, err := f.SVG()
			if err != nil {
				t.Fatal(err)
			}
			s := summarize(t, svg)

			// Size: points in the SVG, pixels in the PNG.
			wantW, wantH := tc.widthCm/2.54*72, tc.heightCm/2.54*72
			if w := parsePt(t, s.width); math.Abs(w-wantW) > 0.01 {
				t.Errorf("SVG width %s, want %.2fpt", s.width, wantW)
			}
			if h := parsePt(t, s.height); math.Abs(h-wantH) > 0.01 {
				t.Errorf("SVG height %s, want %.2fpt", s.height, wantH)
			}
			if !strings.HasPrefix(s.viewBox, "0 0 ") {
				t.Errorf("viewBox %q", s.viewBox)
			}

			for _, want := range tc.texts {
				if !slices.Contains(s.texts, want) {
					t.Errorf("no text %q; texts: %q", want, s.texts)
				}
			}
			for _, l := range tc.legend {
				if !slices.Contains(s.texts, l) {
					t.Errorf("legend has no entry %q; texts: %q", l, s.texts)
				}
			}
			for _, l := range tc.hidden {
				if slices.Contains(s.texts, l) {
					t.Errorf("the label %q of a single series is shown; one series has no legend", l)
				}
			}
			if tc.legend == nil {
				// No legend: nothing looks like a default series label.
				for _, tx := range s.texts {
					if strings.HasPrefix(tx, "profile ") || strings.HasPrefix(tx, "run ") || strings.HasPrefix(tx, "model ") {
						t.Errorf("text %q looks like a legend entry, but the figure should have none", tx)
					}
				}
			}
			for i, want := range tc.seriesPaths {
				if got := countSeriesPaths(s, i); got != want {
					t.Errorf("series %d (%s): %d paths, want %d", i, seriesStroke(i), got, want)
				}
			}
			if !bytes.Contains(svg, []byte("font-family:Liberation Sans,Arial,Helvetica,sans-serif;")) {
				t.Error("SVG text has no font fallback")
			}

			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(s.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want, err := os.ReadFile(golden); err != nil {
				t.Errorf("%v (run go test -update to write it)", err)
			} else if got := s.String(); got != string(want) {
				t.Errorf("SVG structure changed (go test -update rewrites %s):\n%s", golden, lineDiff(string(want), got))
			}

			pngBytes, err := f.PNG()
			if err != nil {
				t.Fatal(err)
			}
			checkPNG(t, pngBytes, tc.widthCm, tc.heightCm, DefaultDPI)
			if *pngDir != "" {
				if err := f.Save(filepath.Join(*pngDir, tc.name+".png")); err != nil {
					t.Fatal(err)
				}
			}
			if tc.example && *update {
				if err := os.MkdirAll(filepath.Join("testdata", "examples"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := f.Save(filepath.Join("testdata", "examples", tc.name+".png")); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func parsePt(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "pt"), 64)
	if err != nil {
		t.Fatalf("size %q: %v", s, err)
	}
	return v
}

// checkPNG decodes a PNG and checks its pixel size and that it is not
// blank: it must have several distinct colours.
func checkPNG(t testing.TB, b []byte, widthCm, heightCm float64, dpi int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	wantW := int(widthCm/2.54*float64(dpi) + 0.5)
	wantH := int(heightCm/2.54*float64(dpi) + 0.5)
	if got := img.Bounds().Size(); got.X != wantW || got.Y != wantH {
		t.Errorf("PNG is %d×%d px, want %d×%d", got.X, got.Y, wantW, wantH)
	}
	colours := map[[4]uint32]bool{}
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y += 2 {
		for x := bnd.Min.X; x < bnd.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
		}
	}
	if len(colours) < 8 {
		t.Errorf("PNG has %d distinct colours; it looks blank", len(colours))
	}
	return img
}

// lineDiff lists the lines that differ between two texts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
