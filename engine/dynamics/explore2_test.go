package dynamics

import (
	"context"
	"path/filepath"
	"testing"
)

func TestExploreDivergence(t *testing.T) {
	ref := referenceDir(t)
	c := referenceCases(t)[5]
	g, mb, p := c.build()
	m, _ := NewModel(g, mb, p, 0)
	want := readCSV(t, filepath.Join(ref, "oggm", c.tag+"_FluxBased.csv"))
	h, _ := m.Run(context.Background(), RunOptions{EndYear: 700})
	prev := 0.0
	for y := 1; y <= 700; y++ {
		r := h.Volume[y]/want["volume_m3"][y] - 1
		if abs(r) > 10*abs(prev)+1e-11 || y%100 == 0 {
			t.Logf("y%d V %.10g / %.10g (%.2e) L %g/%g", y, h.Volume[y], want["volume_m3"][y], r, h.Length[y], want["length_m"][y])
		}
		prev = r
	}
	t.Log(m.Account(), m.Account().Residual(m.Volume()))
}
func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
