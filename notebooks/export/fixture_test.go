package export

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/firnglacier/firn/notebooks"
)

// Colours that the end-to-end test looks for in the screenshot: the PNG
// output is filled with pngColor, the SVG plot has a bar of svgColor.
var (
	pngColor = color.RGBA{0x12, 0xab, 0x34, 0xff}
	svgColor = color.RGBA{0xab, 0x12, 0xcd, 0xff}
)

// testPNG is a 240 × 120 PNG of pngColor with a darker frame.
func testPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 240, 120))
	for y := range 120 {
		for x := range 240 {
			c := pngColor
			if x < 4 || y < 4 || x >= 236 || y >= 116 {
				c = color.RGBA{0x0a, 0x50, 0x1a, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testSVG is a small plot of a glacier's length, with things a sanitizer
// must remove: a script, an event handler and an external link.
const testSVG = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="360" height="200" viewBox="0 0 360 200" onload="alert('svg')">
<script>alert("svg script")</script>
<rect x="0" y="0" width="360" height="200" fill="#ffffff"/>
<line x1="40" y1="170" x2="340" y2="170" stroke="#000"/>
<line x1="40" y1="170" x2="40" y2="20" stroke="#000"/>
<rect x="60" y="60" width="40" height="110" fill="#ab12cd"/>
<polyline points="40,60 100,70 160,90 220,120 280,135 340,150" fill="none" stroke="#1f77b4" stroke-width="3"/>
<text x="190" y="195" font-size="12" text-anchor="middle" font-family="sans-serif">year</text>
<text x="180" y="16" font-size="13" text-anchor="middle" font-family="sans-serif">Glacier length (km)</text>
<a xlink:href="https://example.com/x"><text x="300" y="40" font-size="10">link</text></a>
<image href="https://example.com/tracker.png" width="1" height="1"/>
</svg>`

func ptr(n int) *int { return &n }

// testNotebook has every kind of cell and output: math in Markdown, a Go
// code cell, streams, a long stream, an SVG plot, a PNG, a table, JSON and
// an error with ANSI colours.
func testNotebook(t testing.TB) *notebooks.Notebook {
	t.Helper()
	nb := notebooks.New()
	nb.Cells = []*notebooks.Cell{
		{ID: "intro", Type: notebooks.Markdown, Source: `# Hintereisferner *flowline* spin-up

The ice flux is $q = u_s h$ with $u_s = A_s \tau_b^n$, and **Glen's law** gives

$$
u_d = \frac{2A}{n+2} (\rho g \sin\alpha)^n h^{n+1}
$$

where $\rho_i = 900\ \mathrm{kg\,m^{-3}}$ and \(g = 9.81\). It costs $5 and $10 to run, not math.
Inline display: \[ \int_0^L h_x \, dx \] ends here.

| parameter | value |
|---|---|
| $n$ | 3 |
| $A$ | 2.4e-24 |

~~old~~ new, see https://oggm.org.`},
		{ID: "code1", Type: notebooks.Code, ExecutionCount: ptr(1), Source: `package main

import "fmt"

// spinUp runs the model for n years.
func spinUp(n int) float64 {
	v := 0.0
	for i := 0; i < n; i++ {
		v += 0.5 * float64(i)
	}
	return v
}

fmt.Println("volume", spinUp(10))`,
			Outputs: []*notebooks.Output{
				{Type: notebooks.Stream, Name: "stdout", Text: "volume 22.5\n"},
				{Type: notebooks.Stream, Name: "stderr", Text: "warning: \x1b[33mspin-up short\x1b[0m\n"},
			}},
		{ID: "plot", Type: notebooks.Code, ExecutionCount: ptr(2), Source: `plots.Length(run)`,
			Outputs: []*notebooks.Output{
				{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{mimeSVG: testSVG, mimeText: "SVG image, 360 × 200"}},
				{Type: notebooks.ExecuteResult, ExecutionCount: ptr(2), Data: notebooks.MIMEBundle{
					mimePNG:  base64.StdEncoding.EncodeToString(testPNG(t)),
					mimeText: "PNG image",
				}},
			}},
		{ID: "table", Type: notebooks.Code, ExecutionCount: ptr(3), Source: `display.Table(runs)`,
			Outputs: []*notebooks.Output{
				{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle{
					mimeHTML: `<table><tr><th>ELA (m)</th><th>volume (km³)</th></tr><tr><td>2600</td><td>0.5</td></tr><tr><td>2700</td><td>0.3</td></tr></table><script>alert(1)</script>`,
					mimeText: "ELA (m)  volume (km³)\n2600     0.5\n2700     0.3",
				}},
				{Type: notebooks.ExecuteResult, ExecutionCount: ptr(3), Data: notebooks.MIMEBundle{
					mimeJSON: map[string]any{"glacier": "RGI60-11.00897", "area_km2": 8.0},
					mimeText: "map[...]",
				}},
			}},
		{ID: "fail", Type: notebooks.Code, ExecutionCount: ptr(4), Source: `run.Step(-1)`,
			Outputs: []*notebooks.Output{{Type: notebooks.Error, EName: "panic", EValue: "negative time step",
				Traceback: []string{
					"\x1b[31;1mpanic\x1b[0m: negative time step <dt = -1>",
					"    at \x1b[36mcell 4\x1b[0m, line \x1b[32m1\x1b[0m",
				}}}},
		{ID: "log", Type: notebooks.Code, ExecutionCount: ptr(5), Source: `for y := 0; y < 60; y++ { fmt.Println("year", y) }`,
			Outputs: []*notebooks.Output{{Type: notebooks.Stream, Name: "stdout", Text: longLog(60)}}},
	}
	return nb
}

func longLog(n int) string {
	var b bytes.Buffer
	for i := range n {
		b.WriteString("year ")
		b.WriteString(string(rune('0' + i/10)))
		b.WriteString(string(rune('0' + i%10)))
		b.WriteString("\n")
	}
	return b.String()
}
