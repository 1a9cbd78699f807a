package display

import (
	"fmt"
	"testing"
)

// BenchmarkRenderTable1000 renders a 1000-row table of model runs in its
// three forms.
func BenchmarkRenderTable1000(b *testing.B) {
	type run struct {
		Name      string
		ELA       float64 `display:"ELA (m)"`
		Gradient  float64 `display:"Gradient (mm w.e./m)"`
		Volume    float64 `display:"Volume (km³)"`
		Length    float64 `display:"Length (km)"`
		Year      int
		Converged bool
	}
	runs := make([]run, 1000)
	for i := range runs {
		runs[i] = run{fmt.Sprint("run ", i), 2400 + float64(i%50)*10, 3, 0.5 + float64(i)/1e4, 7.2 - float64(i)/1e3, 300 + i, i%7 != 0}
	}
	b.ReportAllocs()
	for b.Loop() {
		bundle := Render(runs)
		if len(bundle.Data) != 3 {
			b.Fatal(bundle.Data)
		}
	}
}
