package notebooks

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead checks that Read never panics, that whatever it returns can be
// written, and that for intact files writing is stable: what Write
// produces reads back to the same bytes.
func FuzzRead(f *testing.F) {
	for _, name := range fixtures {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte(`{"cells": [{"cell_type": "code", "source": 1}], "nbformat": 4, "nbformat_minor": 5}`))
	f.Add([]byte(`{"nbformat": 3}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := Read(bytes.NewReader(data), "fuzz.ipynb")
		if nb == nil {
			if err == nil {
				t.Fatal("nil notebook without error")
			}
			return
		}
		var first bytes.Buffer
		if werr := nb.Write(&first); werr != nil {
			return // metadata values that cannot be encoded are possible only via the API
		}
		if err != nil {
			return
		}
		again, err := Read(bytes.NewReader(first.Bytes()), "again.ipynb")
		if err != nil {
			t.Fatalf("reading what Write wrote: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := again.Write(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("Write is not stable: %s", diffLine(second.Bytes(), first.Bytes()))
		}
	})
}

// FuzzPercent checks that ParsePercent never panics and that the percent
// form is stable: writing what it read and reading that again gives the
// same text.
func FuzzPercent(f *testing.F) {
	for _, name := range fixtures {
		data, err := os.ReadFile(filepath.Join("testdata", strings.TrimSuffix(name, ".ipynb")+".go.golden"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("// %% [markdown] tags=[\"a\"] id=\"x\"\n// \\%%\n\n// %%\n\n")
	f.Add("// ---\n// jupyter:\n//   a:\n//   - b\n// ---\n")
	f.Fuzz(func(t *testing.T, text string) {
		nb, err := ParsePercent(strings.NewReader(text), "fuzz.go")
		if err != nil || nb == nil {
			return
		}
		var first bytes.Buffer
		if err := WritePercent(&first, nb); err != nil {
			t.Fatal(err)
		}
		again, err := ParsePercent(bytes.NewReader(first.Bytes()), "again.go")
		if err != nil {
			t.Fatalf("reading what WritePercent wrote: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := WritePercent(&second, again); err != nil {
			t.Fatal(err)
		}
		if first.String() != second.String() {
			t.Fatalf("percent form is not stable: %s\ninput %q", diffLine(second.Bytes(), first.Bytes()), text)
		}
	})
}
