package hdf5_test

import (
	"fmt"
	"os"

	"github.com/firnglacier/firn/engine/internal/hdf5"
	"github.com/firnglacier/firn/internal/testfiles"
)

// Open a NetCDF-4 file of CRU TS temperatures as HDF5 and read a dataset.
func Example() {
	fh, err := os.Open(testfiles.Path("sample", "climate", "cru_ts4.01.1901.2016.SouthGlacier.tmp.dat.nc"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fh.Close()
	st, _ := fh.Stat()
	f, err := hdf5.Open(fh, st.Size(), "cru.nc")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range f.Objects {
		fmt.Println(o.Name, o.Type, o.Space.Dims)
	}
	lat, _ := f.Float64s(f.Objects[1])
	fmt.Println("lat:", lat)
	// Output:
	// lon 4-byte float [3]
	// lat 4-byte float [3]
	// time 4-byte float [1392]
	// tmp 4-byte float [1392 3 3]
	// stn signed 4-byte integer [1392 3 3]
	// lat: [60.25 60.75 61.25]
}
