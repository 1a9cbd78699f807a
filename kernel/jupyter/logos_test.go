package jupyter

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/draw"
)

var update = flag.Bool("update", false, "remake the kernelspec's logos from build/appicon.png")

// logo resizes Firn's app icon to size×size pixels (Catmull-Rom).
func logo(t *testing.T, size int) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "build", "appicon.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, dst); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestLogos: the kernelspec's logos are the app icon at 32 and 64
// pixels (-update writes them).
func TestLogos(t *testing.T) {
	for _, tc := range []struct {
		size     int
		embedded []byte
	}{{32, logo32}, {64, logo64}} {
		name := fmt.Sprintf("logo-%dx%d.png", tc.size, tc.size)
		want := logo(t, tc.size)
		if *update {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := png.Decode(bytes.NewReader(tc.embedded))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := got.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
			t.Fatalf("%s is %v, want %d×%d", name, b, tc.size, tc.size)
		}
		fresh, _ := png.Decode(bytes.NewReader(want))
		for y := 0; y < tc.size; y++ {
			for x := 0; x < tc.size; x++ {
				if got.At(x, y) != fresh.At(x, y) {
					t.Fatalf("%s differs from build/appicon.png resized at (%d,%d): %v, want %v (go test -run TestLogos -update)", name, x, y, got.At(x, y), fresh.At(x, y))
				}
			}
		}
	}
}
