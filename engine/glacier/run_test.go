package glacier

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
)

// writeTo writes a directory's files plainly (Firn's program writes them
// atomically).
func writeTo(dir string) WriteFunc {
	return func(name string, write func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// TestDirRoundTrip writes the calibrated Hintereisferner as a glacier
// directory and reads it back: the flowline, the inversion and the
// calibrated model are the same, and the model gives the same balances.
func TestDirRoundTrip(t *testing.T) {
	o, d := hef(t)
	c, obs := hefMB(t)
	g, err := Prepare(o, d, Options{MassBalance: MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := g.WriteDir(writeTo(dir), Provenance{Command: []string{"test"}}); err != nil {
		t.Fatal(err)
	}
	r, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Hintereisferner" || r.Flowline.ID != "RGI60-11.00897" || r.Flowline.Dx != g.Flowline.Dx || !slices.Equal(r.Flowline.Surface, g.Flowline.Surface) ||
		!slices.Equal(r.Flowline.Width, g.Flowline.Width) || !slices.Equal(r.Inversion.Thickness, g.Inversion.Thickness) ||
		!slices.Equal(r.Inversion.Bed, g.Inversion.Bed) || !slices.Equal(r.Inversion.Shape, g.Inversion.Shape) || r.Inversion.Params != g.Inversion.Params {
		t.Errorf("read back %v, wrote %v", r.Flowline, g.Flowline)
	}
	if r.Volume() != g.Volume() || r.ELA != g.ELA {
		t.Errorf("volume %g ELA %g, wrote %g %g", r.Volume(), r.ELA, g.Volume(), g.ELA)
	}
	if r.MB.TIParams != g.MB.TIParams || r.Calibration.Verification == nil || r.Calibration.Verification.R != g.Calibration.Verification.R {
		t.Errorf("model %v, wrote %v", r.MB.TIParams, g.MB.TIParams)
	}
	a, b := make([]float64, g.Flowline.Len()), make([]float64, g.Flowline.Len())
	if err := g.MB.AnnualBalance(1990, g.Flowline.Surface, a); err != nil {
		t.Fatal(err)
	}
	if err := r.MB.AnnualBalance(1990, g.Flowline.Surface, b); err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12*math.Abs(a[i])+1e-20 {
			t.Fatalf("balance at point %d: %g, wrote %g (climate.csv rounds?)", i, b[i], a[i])
		}
	}
}

// TestRunHintereisferner runs the calibrated, inverted Hintereisferner
// for 100 years in the constant climate of 1972–2002 (OGGM's
// ConstantMassBalance, y0 = 1987, halfsize 15): it starts where the
// inversion left it, loses volume (the 1972–2002 climate is warmer than
// the glacier's present size allows: its WGMS mean balance over those
// years is −0.6 m w.e./yr) and conserves mass: the volume change equals
// the integrated surface balance, the ice clipped at ice-free points and
// the outflow, which is none.
func TestRunHintereisferner(t *testing.T) {
	o, d := hef(t)
	c, obs := hefMB(t)
	g, err := Prepare(o, d, Options{MassBalance: MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := g.ConstantClimate(1987, 15)
	if err != nil {
		t.Fatal(err)
	}
	m, err := g.Model(mb, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v0 := m.Volume(); math.Abs(v0-g.Volume()) > 1e-9*v0 {
		t.Errorf("start volume %g m³, inversion %g m³", v0, g.Volume())
	}
	h, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: 100})
	if err != nil {
		t.Fatal(err)
	}
	v0, v100 := h.Volume[0], h.Volume[len(h.Volume)-1]
	if !(v100 < 0.8*v0) {
		t.Errorf("volume %.4f km³ → %.4f km³ in 100 years, want a loss of more than 20 %%", v0/1e9, v100/1e9)
	}
	for i := 1; i < len(h.Volume); i++ {
		if h.Volume[i] > h.Volume[i-1]*(1+1e-6) && i < 30 {
			t.Errorf("volume grows in year %g", h.Year[i])
		}
	}
	acc := m.Account()
	if res := acc.Residual(m.Volume()); math.Abs(res) > 1e-6*v0 {
		t.Errorf("mass not conserved: residual %g m³ (%v)", res, acc)
	}
	if acc.Outflow != 0 {
		t.Errorf("outflow %g m³: the front reached the end of the downstream line", acc.Outflow)
	}
	t.Logf("volume %.4f km³ → %.4f km³ (%.1f %%), area %.3f → %.3f km², length %.1f → %.1f km; %v; residual %.3g m³; %d steps",
		v0/1e9, v100/1e9, 100*(v100/v0-1), h.Area[0]/1e6, h.Area[len(h.Area)-1]/1e6, h.Length[0]/1e3, h.Length[len(h.Length)-1]/1e3,
		acc, acc.Residual(m.Volume()), m.Steps())
}
