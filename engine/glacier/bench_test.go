package glacier

import (
	"testing"
)

// BenchmarkPrepareHintereisferner times the chain on Hintereisferner (RGI 6
// outline, SRTM DEM): reading the files, the whole of Prepare, and each of
// its steps alone, so that each step's share shows. OGGM takes about 17 s to
// prepare the same glacier on this kind of machine (issue 18).
func BenchmarkPrepareHintereisferner(b *testing.B) {
	b.Run("read outline and DEM", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			hef(b)
		}
	})
	o, d := hef(b)
	b.Run("prepare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Prepare(o, d, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("region", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewRegion(o, d, RegionOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	r, err := NewRegion(o, d, RegionOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("flowline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := ElevationBandFlowline(r, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	fl, _, err := ElevationBandFlowline(r, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("inversion", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mb, _ := LinearApparentBalance(fl, 0)
			if _, err := Invert(fl, mb, DefaultInversion()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
