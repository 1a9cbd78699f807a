package climate

import (
	"bytes"
	"os"
	"testing"

	"github.com/firnglacier/firn/internal/testfiles"
)

// FuzzNetCDF feeds broken files to the header parser and the data reader:
// they must return errors, never panic or allocate beyond the file's size.
//
//	go test -run '^$' -fuzz FuzzNetCDF -fuzztime 30s ./engine/climate/
func FuzzNetCDF(f *testing.F) {
	for _, v := range []int{CDF1, CDF2, CDF5} {
		f.Add(encode(testSpec(v)))
		f.Add(encode(ncSpec{version: v}))
	}
	b, err := os.ReadFile(testfiles.File(f, "sample", "climate", "histalp_merged_hef.nc"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b[:2600]) // the header and the start of the data
	f.Fuzz(func(t *testing.T, b []byte) {
		nc, err := NewNetCDF(bytes.NewReader(b), int64(len(b)), "fuzz.nc")
		if err != nil {
			return
		}
		_ = nc.String()
		for _, v := range nc.Vars {
			vals, err := nc.Read(v.Name)
			if err == nil && int64(len(vals)) != v.Len() {
				t.Fatalf("%s: %d values, Len %d", v.Name, len(vals), v.Len())
			}
			if err == nil && int64(len(vals))*int64(v.Type.Size()) > int64(len(b)) {
				t.Fatalf("%s: %d values from %d bytes", v.Name, len(vals), len(b))
			}
			v.Unpack(vals)
		}
		_, _ = nc.Monthly(10.75, 46.8)
	})
}
