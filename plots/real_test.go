package plots

import (
	"bytes"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/edu"
)

// TestRealGlacierFigures draws lesson 7's figures of Hintereisferner: the
// map (its title, the thickness colour bar), the profile and two
// scenarios' histories labelled by name; a glacier that has not run has
// no history to draw, and the figure says so.
func TestRealGlacierFigures(t *testing.T) {
	hef, err := edu.Hintereisferner()
	if err != nil {
		t.Fatal(err)
	}
	warm := hef.Copy()
	warm.Name, warm.Climate.TempBias = "+2 °C", 2
	if f := RealHistories([]*edu.RealGlacier{warm}); !strings.Contains(f.String(), "no history yet") {
		t.Errorf("figure of a glacier that has not run: %s", f)
	}
	if err := hef.ProgressToYear(50); err != nil {
		t.Fatal(err)
	}
	if err := warm.ProgressToYear(50); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fig  *Figure
		want []string
	}{
		{"RealGlacierMap", RealGlacierMap(hef), []string{"Hintereisferner: ice thickness today", "thickness (m)"}},
		{"RealGlacierProfile", RealGlacierProfile(warm), []string{"+2 °C, year 50"}},
		{"RealHistories", RealHistories([]*edu.RealGlacier{hef, warm}), []string{"Hintereisferner", "+2 °C", "Volume", "Length"}},
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
	if f := RealGlacierMap(nil); f.err == nil {
		t.Error("RealGlacierMap(nil) made a figure")
	}
}
