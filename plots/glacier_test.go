package plots

import (
	"bytes"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/edu"
)

func TestGlacierFigures(t *testing.T) {
	g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	if f := Glacier(g); !strings.Contains(f.String(), "has not run yet") {
		t.Errorf("figure of a glacier that has not run: %s", f)
	} else if _, err := f.SVG(); err == nil || !strings.Contains(err.Error(), "ProgressToYear") {
		t.Errorf("rendering it: %v", err)
	}
	if err := g.ProgressToYear(100); err != nil {
		t.Fatal(err)
	}
	c := g.Copy()
	c.Name = "copy"
	for _, tc := range []struct {
		name string
		fig  *Figure
		want []string
	}{
		{"Glacier", Glacier(g), []string{"ELA"}},
		{"GlacierHistory", GlacierHistory(g), []string{"Volume", "Length"}},
		{"Histories", Histories([]*edu.Glacier{g, c}), []string{"glacier 1", "copy"}},
	} {
		svg, err := tc.fig.SVG()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, w := range tc.want {
			if !bytes.Contains(svg, []byte(w)) {
				t.Errorf("%s: SVG lacks %q", tc.name, w)
			}
		}
	}
	if f := Histories(nil); f.err == nil {
		t.Error("Histories(nil) made a figure")
	}
}
