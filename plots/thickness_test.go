package plots

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/glacier"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/testfiles"
)

// svgPaths returns the bounding boxes of the SVG's paths by style.
func svgPaths(t *testing.T, svg []byte) map[string][][4]float64 {
	t.Helper()
	num := regexp.MustCompile(`-?[0-9.]+(e-?[0-9]+)?`)
	out := map[string][][4]float64{}
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		e, ok := tok.(xml.StartElement)
		if !ok || e.Name.Local != "path" {
			continue
		}
		box := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		ns := num.FindAllString(attr(e, "d"), -1)
		for k := 0; k+1 < len(ns); k += 2 {
			x, _ := strconv.ParseFloat(ns[k], 64)
			y, _ := strconv.ParseFloat(ns[k+1], 64)
			box = [4]float64{math.Min(box[0], x), math.Min(box[1], y), math.Max(box[2], x), math.Max(box[3], y)}
		}
		out[attr(e, "style")] = append(out[attr(e, "style")], box)
	}
	return out
}

// svgImages decodes the PNG images embedded in the SVG, in order.
func svgImages(t *testing.T, svg []byte) []image.Image {
	t.Helper()
	var out []image.Image
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		e, ok := tok.(xml.StartElement)
		if !ok || e.Name.Local != "image" {
			continue
		}
		// gonum's SVG canvas labels its PNG data image/jpg.
		_, data, ok := strings.Cut(attr(e, "href"), ";base64,")
		if !ok {
			t.Fatalf("image %.40q is not embedded", attr(e, "href"))
		}
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	return out
}

// TestThicknessMap draws Hintereisferner's distributed thickness and
// checks what is drawn: the heat map's image has one opaque pixel per
// glacier cell of the map, none elsewhere, each in the colour of its
// thickness; the colour bar holds the scale's colours in order; the
// outline's rings and the flowline are lines, the flowline running from high to low ground; the colour bar's
// labels; and in the PNG, pixels of the scale's colours and of the
// flowline; and the same SVG when drawn again.
func TestThicknessMap(t *testing.T) {
	all, err := outline.Read(testfiles.File(t, "sample", "outlines", "Hintereisferner_RGI6.shp"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := outline.Find(all, "RGI60-11.00897")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dem.Read(testfiles.File(t, "sample", "dem", "hef_srtm.tif"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := glacier.Prepare(o, d, glacier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := g.DistributedThickness(0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ThicknessMap(g, h, MapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *pngDir != "" {
		if err := f.Save(strings.TrimSuffix(*pngDir, "/") + "/thickness_map.png"); err != nil {
			t.Fatal(err)
		}
	}
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := f.SVG(); err != nil || !bytes.Equal(again, svg) {
		t.Errorf("a second rendering differs (%v)", err)
	}
	s := summarize(t, svg)
	paths := svgPaths(t, svg)
	r := g.Region
	cells, hmax := 0, 0.0
	for k, on := range r.Mask {
		if on {
			cells++
			if h[k] > hmax {
				hmax = h[k]
			}
		}
	}
	// The heat map: an image of one pixel per cell of the glacier's box,
	// opaque on the glacier's cells only, each in the colour of its
	// thickness; and the colour bar, the scale's colours in order.
	imgs := svgImages(t, svg)
	if len(imgs) != 2 {
		t.Fatalf("%d images in the SVG, want 2 (the heat map and the colour bar)", len(imgs))
	}
	hm, bar := imgs[0], imgs[1]
	if bar.Bounds().Dx() != len(thicknessColors) || bar.Bounds().Dy() != 1 {
		t.Errorf("colour bar image %v, want %d×1", bar.Bounds(), len(thicknessColors))
	}
	for k, c := range thicknessColors {
		if got := color.NRGBAModel.Convert(bar.At(k, 0)); got != color.NRGBAModel.Convert(c) {
			t.Errorf("colour bar step %d: %v, want %v", k, got, c)
		}
	}
	i0, j0 := r.Nx, r.Ny
	for k, on := range r.Mask {
		if on {
			i0, j0 = min(i0, k%r.Nx), min(j0, k/r.Nx)
		}
	}
	i0, j0 = max(i0-2, 0), max(j0-2, 0) // two cells around the glacier
	opaque := 0
	pb := hm.Bounds()
	for y := 0; y < pb.Dy(); y++ {
		for x := 0; x < pb.Dx(); x++ {
			k := (j0+y)*r.Nx + i0 + x
			_, _, _, a := hm.At(pb.Min.X+x, pb.Min.Y+y).RGBA()
			if a == 0 {
				if r.Mask[k] {
					t.Fatalf("glacier cell (%d, %d) is not drawn", i0+x, j0+y)
				}
				continue
			}
			opaque++
			if !r.Mask[k] {
				t.Fatalf("cell (%d, %d) off the glacier is drawn", i0+x, j0+y)
			}
			want := thicknessColors[int(h[k]/hmax*float64(len(thicknessColors)-1)+0.5)]
			if got := color.NRGBAModel.Convert(hm.At(pb.Min.X+x, pb.Min.Y+y)); got != color.NRGBAModel.Convert(want) {
				t.Fatalf("cell (%d, %d), %.1f m: colour %v, want %v", i0+x, j0+y, h[k], got, want)
			}
		}
	}
	if opaque != cells {
		t.Errorf("%d cells drawn, want the %d glacier cells", opaque, cells)
	}
	// The outline: its rings (an exterior and five nunataks) plus the
	// legend's sample, in black.
	rings := 0
	for _, p := range r.Outline {
		rings += len(p)
	}
	outlineStyle := "fill:none;stroke:#000000;stroke-width:0.8"
	if got := len(paths[outlineStyle]); got != rings+1 {
		t.Errorf("%d outline paths, want %d rings + 1 legend sample", got, rings)
	}
	// The flowline: one line and its legend sample.
	flStyle := "fill:none;stroke:#D55E00;stroke-width:1.5"
	if got := len(paths[flStyle]); got != 2 {
		t.Errorf("%d flowline paths, want 2 (the line and its legend sample)", got)
	}
	for _, want := range []string{"Easting (km)", "Northing (km)", "Ice thickness (m)", "0", fmt.Sprintf("%.0f", hmax), "flowline (cells at its heights)", "outline", "Hintereisferner: ice thickness"} {
		if !slices.Contains(s.texts, want) {
			t.Errorf("no text %q; texts %q", want, s.texts)
		}
	}
	// The flowline runs from the glacier's top (its first point, highest)
	// down: its trace starts where the smoothed DEM is high.
	tr := flowlineTrace(g, 1)
	if len(tr) < g.Flowline.Len()/2 {
		t.Fatalf("flowline trace of %d points for %d flowline points", len(tr), g.Flowline.Len())
	}
	zAt := func(q xy) float64 {
		i, j, ok := r.CellAt(q.X, q.Y)
		if !ok {
			t.Fatalf("trace point %v off the map", q)
		}
		return r.TopoSmoothed[j*r.Nx+i]
	}
	if top, end := zAt(tr[0]), zAt(tr[len(tr)-1]); !(top > end+500) {
		t.Errorf("the flowline's trace runs from %.0f m to %.0f m; want from the top down", top, end)
	}
	// The PNG: the scale's colours and the flowline are on it.
	b, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img := checkPNG(t, b, 16, 12, DefaultDPI)
	var blue, dark, red int
	pal := map[color.NRGBA]bool{}
	for _, c := range thicknessColors {
		pal[color.NRGBAModel.Convert(c).(color.NRGBA)] = true
	}
	last := color.NRGBAModel.Convert(thicknessColors[len(thicknessColors)-1]).(color.NRGBA)
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if pal[c] {
				blue++
			}
			if c == last {
				dark++
			}
			if c == oiVermillion {
				red++
			}
		}
	}
	t.Logf("%d glacier cells, thickest %.0f m; PNG: %d pixels in the scale's colours, %d in the darkest, %d of the flowline", cells, hmax, blue, dark, red)
	if blue < 5000 || dark == 0 || red < 20 {
		t.Errorf("PNG: %d pixels in the scale's colours (want ≥ 5000), %d in the darkest (want some), %d of the flowline (want ≥ 20)", blue, dark, red)
	}
}
