package symbols

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/edu"
)

func TestFirnKeys(t *testing.T) {
	ex := Firn()
	for _, key := range []string{
		"firn/engine/constants/constants", "firn/engine/geometry/geometry",
		"firn/engine/massbalance/massbalance", "firn/engine/climate/climate",
		"firn/engine/dynamics/dynamics", "firn/engine/experiment/experiment",
		"firn/engine/edu/edu", "firn/plots/plots", "firn/display/display",
	} {
		if len(ex[key]) == 0 {
			t.Errorf("Firn()[%q] is missing or empty", key)
		}
	}
	for key, table := range ex {
		if strings.HasPrefix(key, "firn/") {
			continue
		}
		// Interface wrappers under the full import path, for yaegi.
		if !strings.HasPrefix(key, "github.com/firnglacier/firn/") {
			t.Errorf("unexpected key %q", key)
		}
		for name := range table {
			if !strings.HasPrefix(name, "_") {
				t.Errorf("%s holds %s; want interface wrappers only", key, name)
			}
		}
	}
	if !ex["github.com/firnglacier/firn/engine/massbalance/massbalance"]["_Model"].IsValid() {
		t.Error("no wrapper for massbalance.Model under its full import path")
	}
	// Every call builds new tables.
	delete(ex["firn/engine/edu/edu"], "NewGlacier")
	if _, ok := Firn()["firn/engine/edu/edu"]["NewGlacier"]; !ok {
		t.Error("changing one Firn() result changed the next")
	}
}

// TestCellGrowsGlacier runs the teaching API and a plot from a cell.
func TestCellGrowsGlacier(t *testing.T) {
	c := newCell(t, t.TempDir(), false)
	c.must(`import (
	"firn/engine/dynamics"
	"firn/engine/edu"
	"firn/plots"
)`)
	c.must(`
bed := edu.NewBed(3400, 1400, 300)
mb := edu.NewMassBalance(3000, 4)
g := edu.NewGlacier(bed, mb)
progressErr := g.ProgressToYear(100)
volume := g.Diagnostics().Volume
`)
	if err := c.cellError(`progressErr`); err != nil {
		t.Fatalf("ProgressToYear: %v", err)
	}
	got := c.must(`volume`).Interface().(float64)

	g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	if err := g.ProgressToYear(100); err != nil {
		t.Fatal(err)
	}
	if want := g.Diagnostics().Volume; got != want || got <= 0 {
		t.Errorf("volume after 100 years: cell %g m³, compiled %g m³", got, want)
	}

	c.must(`
fig, figErr := plots.TimeSeries([]*dynamics.History{g.History().Dynamics()}, []string{"volume"}, plots.TimeSeriesOptions{Quantity: plots.Volume})
bundle, mimeErr := fig.MIME()
`)
	for _, name := range []string{"figErr", "mimeErr"} {
		if err := c.cellError(name); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	bundle := c.must(`bundle`).Interface().(map[string][]byte)
	if svg := bundle["image/svg+xml"]; !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("image/svg+xml is not SVG: %.60q", svg)
	}
	if png := bundle["image/png"]; !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("image/png is not PNG: %.8q", png)
	}
	if txt := string(bundle["text/plain"]); !strings.Contains(txt, "plot") {
		t.Errorf("text/plain = %q", txt)
	}
}

// TestCellImplementsInterface passes a mass-balance model written in a
// cell to compiled code, through the generated interface wrapper.
func TestCellImplementsInterface(t *testing.T) {
	c := newCell(t, t.TempDir(), false)
	c.must(`import (
	"firn/engine/massbalance"
	"firn/plots"
)`)
	c.must(`type flat struct{ rate float64 }`)
	c.must(`func (f flat) AnnualBalance(year float64, z, mb []float64) error {
	for i := range mb {
		mb[i] = f.rate
	}
	return nil
}`)
	c.must(`_, profileErr := plots.MassBalanceProfile([]massbalance.Model{flat{1e-9}}, []string{"flat"}, plots.MassBalanceOptions{})`)
	if err := c.cellError(`profileErr`); err != nil {
		t.Fatalf("MassBalanceProfile with a cell's model: %v", err)
	}
}

func TestFirnTablesMatchPackages(t *testing.T) {
	// Types of the generated tables are the compiled types.
	v := Firn()["firn/engine/edu/edu"]["Glacier"]
	if v.Type() != reflect.TypeOf((*edu.Glacier)(nil)) {
		t.Errorf("edu.Glacier is %s", v.Type())
	}
}

func TestCellDisplays(t *testing.T) {
	c := newCell(t, t.TempDir(), false)
	c.must(`import "firn/display"`)
	c.must(`md, mdErr := display.Markdown("**firn**").MIME()`)
	if err := c.cellError(`mdErr`); err != nil {
		t.Fatal(err)
	}
	md := c.must(`md`).Interface().(map[string][]byte)
	if string(md["text/markdown"]) != "**firn**" {
		t.Errorf("display.Markdown bundle: %q", md)
	}
}
