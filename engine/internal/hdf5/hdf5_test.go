package hdf5

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/internal/testfiles"
)

func open(t testing.TB, name string) (*File, []byte) {
	t.Helper()
	b, err := os.ReadFile(testfiles.File(t, "sample", "climate", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(bytes.NewReader(b), int64(len(b)), name)
	if err != nil {
		t.Fatal(err)
	}
	return f, b
}

// The structures of real NetCDF-4 files, as h5dump -H -p -B shows them,
// and every value of their datasets, whose count and sum h5dump wrote in
// netcdf4_expected.csv (testdata/sample/make_expected.py).
func TestRealFiles(t *testing.T) {
	want := expected(t)
	for _, tc := range []struct {
		file       string
		superblock int
		layouts    string // dataset:layout[/filters], in order
	}{
		{"HISTALP_oetztal.nc", 2, "lon:contiguous lat:contiguous time:contiguous temp:chunked[2556 7 7]/shuffle,deflate hgt:contiguous prcp:chunked[2556 7 7]/shuffle,deflate"},
		{"cru_ts4.01.1901.2016.SouthGlacier.tmp.dat.nc", 0, "lon:contiguous lat:contiguous time:contiguous tmp:contiguous stn:contiguous"},
		{"sel_era5_monthly_t2m_1979-2018.nc", 0, "longitude:contiguous latitude:contiguous time:contiguous t2m:contiguous"},
		{"sel_era5_land_invariant.nc", 0, "longitude:contiguous latitude:contiguous time:contiguous z:contiguous lsm:contiguous"},
		{"sel_cera-20c_invariant.nc", 0, "longitude:contiguous latitude:contiguous time:chunked[1024] z:chunked[1 3 3] lsm:chunked[1 3 3]"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, _ := open(t, tc.file)
			if f.Superblock != tc.superblock {
				t.Errorf("superblock version %d, want %d", f.Superblock, tc.superblock)
			}
			var got []string
			for _, o := range f.Objects {
				if !o.Dataset {
					continue
				}
				s := o.Name + ":" + [...]string{"compact", "contiguous", "chunked"}[o.layout.class]
				if o.layout.class == layoutChunked {
					s += fmt.Sprint(o.layout.chunk)
				}
				var fl []string
				for _, x := range o.filters {
					fl = append(fl, map[int]string{filterDeflate: "deflate", filterShuffle: "shuffle", filterFletcher32: "fletcher32"}[x.id])
				}
				if len(fl) > 0 {
					s += "/" + strings.Join(fl, ",")
				}
				got = append(got, s)
			}
			if g := strings.Join(got, " "); g != tc.layouts {
				t.Errorf("datasets\n %s\nwant\n %s", g, tc.layouts)
			}
			for name, w := range want["climate/"+tc.file] {
				var o *Object
				for _, x := range f.Objects {
					if x.Name == name {
						o = x
					}
				}
				if o == nil {
					t.Errorf("no dataset %s", name)
					continue
				}
				v, err := f.Float64s(o)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				sum := 0.0
				for _, x := range v {
					sum += x
				}
				if float64(len(v)) != w["n"] || math.Abs(sum-w["sum"]) > 1e-12*math.Abs(w["sum"])+1e-9 {
					t.Errorf("%s: %d values summing to %v; h5dump: %g, %v", name, len(v), sum, w["n"], w["sum"])
				}
			}
		})
	}
}

// Attributes of each kind the files use: strings of fixed and variable
// length (in the object header and, for CRU, in dense storage), numbers,
// and DIMENSION_LIST's variable-length sequences of object references.
func TestAttributes(t *testing.T) {
	f, _ := open(t, "cru_ts4.01.1901.2016.SouthGlacier.tmp.dat.nc")
	find := func(name string) *Object {
		for _, o := range f.Objects {
			if o.Name == name {
				return o
			}
		}
		t.Fatalf("no %s", name)
		return nil
	}
	tmp, lon, lat, tim := find("tmp"), find("lon"), find("lat"), find("time")
	for _, c := range []struct {
		o    *Object
		name string
		want any
	}{
		{tmp, "units", "degrees Celsius"},
		{tmp, "long_name", "near-surface temperature"},
		{tmp, "_FillValue", []float32{9.96921e+36}},
		{tmp, "correlation_decay_distance", []float32{1200}},
		{tmp, "DIMENSION_LIST", [][]uint64{{tim.Addr}, {lat.Addr}, {lon.Addr}}},
		{tim, "units", "days since 1900-01-01"},
		{lon, "CLASS", "DIMENSION_SCALE"},
		{lat, "_Netcdf4Dimid", []int32{1}},
	} {
		a, ok := c.o.Attr(c.name)
		if !ok {
			t.Errorf("%s: no attribute %s", c.o.Name, c.name)
			continue
		}
		if fmt.Sprint(a.Value) != fmt.Sprint(c.want) || fmt.Sprintf("%T", a.Value) != fmt.Sprintf("%T", c.want) {
			t.Errorf("%s:%s = %#v, want %#v", c.o.Name, c.name, a.Value, c.want)
		}
	}
	if a, ok := f.Attr("title"); !ok || !strings.Contains(fmt.Sprint(a.Value), "CRU TS4.01") {
		t.Errorf("global title %v", a.Value)
	}
}

// Cut or corrupted files give errors that name the file, never a panic.
func TestBrokenFiles(t *testing.T) {
	for _, name := range []string{"HISTALP_oetztal.nc", "cru_ts4.01.1901.2016.SouthGlacier.tmp.dat.nc", "sel_cera-20c_invariant.nc"} {
		_, b := open(t, name)
		readAll := func(b []byte) error {
			f, err := Open(bytes.NewReader(b), int64(len(b)), "broken.nc")
			if err != nil {
				return err
			}
			for _, o := range f.Objects {
				if o.Dataset {
					if _, err := f.Float64s(o); err != nil {
						return err
					}
				}
			}
			return nil
		}
		for n := 0; n < len(b); n += 1 + n/3 {
			if err := readAll(b[:n]); err != nil && !strings.Contains(err.Error(), "broken.nc") {
				t.Errorf("%s cut to %d bytes: %v", name, n, err)
			}
		}
		// Flip bytes of the metadata, one at a time.
		for i := 0; i < min(len(b), 3072); i += 13 {
			c := bytes.Clone(b)
			c[i] ^= 0xff
			if err := readAll(c); err != nil && !strings.Contains(err.Error(), "broken.nc") {
				t.Errorf("%s with byte %d flipped: %v", name, i, err)
			}
		}
	}
	_, err := Open(bytes.NewReader([]byte("CDF\x01")), 4, "x.nc")
	if err == nil || !strings.Contains(err.Error(), "not an HDF5 file") {
		t.Errorf("classic file: %v", err)
	}
	if !errors.Is(fmt.Errorf("%w", ErrUnsupported), ErrUnsupported) {
		t.Error("ErrUnsupported")
	}
}

func BenchmarkReadHISTALP(b *testing.B) {
	_, raw := open(b, "HISTALP_oetztal.nc")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		f, err := Open(bytes.NewReader(raw), int64(len(raw)), "h.nc")
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range f.Objects {
			if _, err := f.Float64s(o); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func expected(t *testing.T) map[string]map[string]map[string]float64 {
	t.Helper()
	rows := testfiles.CSV(t, "sample", "climate", "netcdf4_expected.csv")
	out := map[string]map[string]map[string]float64{}
	for _, r := range rows {
		x, _ := strconv.ParseFloat(r[3], 64)
		if out[r[0]] == nil {
			out[r[0]] = map[string]map[string]float64{}
		}
		if out[r[0]][r[1]] == nil {
			out[r[0]][r[1]] = map[string]float64{}
		}
		out[r[0]][r[1]][r[2]] = x
	}
	return out
}
