// Package docindex is the on-disk form of the documentation index of
// package symbols: gzip-compressed JSON written by the generator and read
// by symbols.Doc. It is shared by both so that they cannot disagree.
package docindex

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
)

// Index is the whole documentation index.
type Index struct {
	// Go is the version of Go whose standard library sources the
	// standard-library entries were read from, e.g. "go1.26.8".
	Go string `json:"go"`
	// Entries are keyed "importpath.Name" for package-level names,
	// "importpath.Type.Name" for methods and fields, and "importpath" for
	// the package itself; Firn packages use the import paths cells use
	// ("firn/engine/edu.Glacier.ProgressToYear", "fmt.Println").
	Entries map[string]Entry `json:"entries"`
}

// Entry documents one name.
type Entry struct {
	// Kind is one of "package", "const", "var", "func", "type",
	// "method" and "field".
	Kind string `json:"kind"`
	// Signature is the declaration as Go source without its body, e.g.
	// "func (g *Glacier) ProgressToYear(year float64) error".
	Signature string `json:"sig,omitempty"`
	// Doc is the doc comment as plain text.
	Doc string `json:"doc,omitempty"`
}

// Encode returns idx as gzip-compressed JSON. The output depends only on
// idx (no time stamps, sorted keys), so regenerating an unchanged index
// gives the same bytes with the same Go version.
func Encode(idx *Index) ([]byte, error) {
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(idx); err != nil {
		return nil, fmt.Errorf("docindex: encode: %w", err)
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(js.Bytes()); err != nil {
		return nil, fmt.Errorf("docindex: compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("docindex: compress: %w", err)
	}
	return out.Bytes(), nil
}

// Decode reads an index written by Encode.
func Decode(data []byte) (*Index, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("docindex: %w", err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("docindex: decompress: %w", err)
	}
	var idx Index
	if err := json.Unmarshal(js, &idx); err != nil {
		return nil, fmt.Errorf("docindex: decode: %w", err)
	}
	return &idx, nil
}
