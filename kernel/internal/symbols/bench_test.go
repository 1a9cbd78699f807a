package symbols

import "testing"

// The kernel builds its tables once per interpreter.

func BenchmarkStdlibSandbox(b *testing.B) {
	ws := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Stdlib(ws, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFirn(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Firn()
	}
}

func BenchmarkNewCatalog(b *testing.B) {
	std, err := Stdlib(b.TempDir(), false)
	if err != nil {
		b.Fatal(err)
	}
	firn := Firn()
	b.ReportAllocs()
	for b.Loop() {
		NewCatalog(std, firn)
	}
}

func BenchmarkDocFirstUse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeDocs(); err != nil {
			b.Fatal(err)
		}
	}
}
