package climate

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/internal/testfiles"
)

// testSpec is a file with dimensions, attributes and variables of every
// classic type, fixed-size and record variables, a scalar and a string.
func testSpec(version int) ncSpec {
	s := ncSpec{
		version: version,
		numrecs: 4,
		dims:    []ncDim{{"x", 3}, {"time", 0}, {"y", 2}, {"strlen", 5}},
		attrs: []ncAttr{
			{"title", Char, "a test file"},
			{"b", Byte, []int8{-128, 0, 127}},
			{"s", Short, []int16{-32768, 7}},
			{"i", Int, []int32{-2147483648, 2147483647}},
			{"f", Float, []float32{1.5}},
			{"d", Double, []float64{math.Pi, -1e300}},
		},
		vars: []ncVar{
			{name: "scalar", typ: Double, data: []float64{42.5}},
			{name: "bytes", dims: []int{0}, typ: Byte, data: []int8{-1, 2, -3},
				attrs: []ncAttr{{"units", Char, "1"}}},
			{name: "grid", dims: []int{2, 0}, typ: Short, data: []int16{1, 2, 3, -4, -5, -6}},
			{name: "ints", dims: []int{0}, typ: Int, data: []int32{7, -8, 9}},
			{name: "label", dims: []int{3}, typ: Char, data: "HEF\x00\x00"},
			{name: "temp", dims: []int{1, 2, 0}, typ: Float, data: seqFloat32(4 * 2 * 3)},
			{name: "time", dims: []int{1}, typ: Double, data: []float64{0.5, 1.5, 2.5, 3.5}},
			{name: "flag", dims: []int{1}, typ: Byte, data: []int8{1, -2, 3, -4}},
		},
	}
	if version == CDF5 {
		s.attrs = append(s.attrs,
			ncAttr{"ub", UByte, []uint8{255}},
			ncAttr{"us", UShort, []uint16{65535}},
			ncAttr{"ui", UInt, []uint32{4294967295}},
			ncAttr{"i64", Int64, []int64{-1 << 40}},
			ncAttr{"u64", UInt64, []uint64{1 << 50}},
		)
		s.vars = append(s.vars,
			ncVar{name: "big", dims: []int{0}, typ: Int64, data: []int64{-1 << 40, 0, 1 << 40}},
			ncVar{name: "ushorts", dims: []int{1, 2}, typ: UShort, data: []uint16{1, 65535, 3, 4, 5, 6, 7, 8}},
			ncVar{name: "ubytes", dims: []int{0}, typ: UByte, data: []uint8{200, 201, 202}},
			ncVar{name: "uints", dims: []int{2}, typ: UInt, data: []uint32{4294967295, 1}},
			ncVar{name: "u64s", dims: []int{2}, typ: UInt64, data: []uint64{1 << 60, 2}},
		)
	}
	return s
}

func seqFloat32(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)*0.25 - 1
	}
	return v
}

// asFloat64 converts the test data to what Read returns.
func asFloat64(v any) []float64 {
	if s, ok := v.(string); ok {
		out := make([]float64, len(s))
		for i := range len(s) {
			out[i] = float64(s[i])
		}
		return out
	}
	f, ok := Attr{Value: v}.Float64s()
	if !ok {
		panic(fmt.Sprintf("asFloat64: %T", v))
	}
	return f
}

func openBytes(t *testing.T, b []byte) *NetCDF {
	t.Helper()
	nc, err := NewNetCDF(bytes.NewReader(b), int64(len(b)), "test.nc")
	if err != nil {
		t.Fatal(err)
	}
	return nc
}

func TestNetCDFRoundTrip(t *testing.T) {
	for _, version := range []int{CDF1, CDF2, CDF5} {
		t.Run(fmt.Sprintf("CDF-%d", version), func(t *testing.T) {
			s := testSpec(version)
			nc := openBytes(t, encode(s))
			if nc.Version != version || nc.NumRecs != s.numrecs {
				t.Fatalf("version %d, %d records; want %d, %d", nc.Version, nc.NumRecs, version, s.numrecs)
			}
			if len(nc.Dims) != len(s.dims) {
				t.Fatalf("%d dims, want %d", len(nc.Dims), len(s.dims))
			}
			for i, d := range s.dims {
				want := Dim{Name: d.name, Len: d.len, Unlimited: d.len == 0}
				if d.len == 0 {
					want.Len = s.numrecs
				}
				if nc.Dims[i] != want {
					t.Errorf("dim %d = %+v, want %+v", i, nc.Dims[i], want)
				}
			}
			for _, a := range s.attrs {
				got, ok := nc.Attr(a.name)
				if !ok || got.Type != a.typ || !reflect.DeepEqual(got.Value, a.val) {
					t.Errorf("attribute %s = %#v (%v), want %#v (%v)", a.name, got.Value, got.Type, a.val, a.typ)
				}
			}
			for _, v := range s.vars {
				got, ok := nc.Var(v.name)
				if !ok {
					t.Fatalf("no variable %s", v.name)
				}
				if got.Type != v.typ || !reflect.DeepEqual(got.DimIDs, append([]int{}, v.dims...)) && len(v.dims) > 0 {
					t.Errorf("%s: type %v dims %v, want %v %v", v.name, got.Type, got.DimIDs, v.typ, v.dims)
				}
				if got.Record != (len(v.dims) > 0 && v.dims[0] == 1) {
					t.Errorf("%s: record %v", v.name, got.Record)
				}
				vals, err := nc.Read(v.name)
				if err != nil {
					t.Fatal(err)
				}
				if want := asFloat64(v.data); !reflect.DeepEqual(vals, want) {
					t.Errorf("%s = %v, want %v", v.name, vals, want)
				}
				if int64(len(vals)) != got.Len() {
					t.Errorf("%s: %d values, Len %d", v.name, len(vals), got.Len())
				}
			}
			if u, ok := nc.Vars[1].Attr("units"); !ok || u.Value != "1" {
				t.Errorf("bytes:units = %v", u)
			}
			txt, err := nc.ReadText("label")
			if err != nil || txt != "HEF" {
				t.Errorf("ReadText(label) = %q, %v", txt, err)
			}
			if _, err := nc.ReadText("temp"); err == nil {
				t.Error("ReadText of a float variable must fail")
			}
			if !strings.Contains(nc.String(), "float temp(time, y, x) ;") {
				t.Errorf("String():\n%s", nc)
			}
		})
	}
}

func TestNetCDFSlab(t *testing.T) {
	s := testSpec(CDF2)
	nc := openBytes(t, encode(s))
	all := asFloat64(s.vars[5].data) // temp(time 4, y 2, x 3)
	at := func(r, y, x int) float64 { return all[(r*2+y)*3+x] }
	tests := []struct {
		start, count []int64
	}{
		{[]int64{0, 0, 0}, []int64{4, 2, 3}},
		{[]int64{1, 0, 0}, []int64{2, 2, 3}},
		{[]int64{0, 1, 2}, []int64{4, 1, 1}},
		{[]int64{3, 0, 1}, []int64{1, 2, 2}},
		{[]int64{2, 1, 0}, []int64{2, 1, 3}},
		{[]int64{0, 0, 0}, []int64{0, 2, 3}},
	}
	for _, tc := range tests {
		got, err := nc.ReadSlab("temp", tc.start, tc.count)
		if err != nil {
			t.Fatal(err)
		}
		var want []float64
		for r := tc.start[0]; r < tc.start[0]+tc.count[0]; r++ {
			for y := tc.start[1]; y < tc.start[1]+tc.count[1]; y++ {
				for x := tc.start[2]; x < tc.start[2]+tc.count[2]; x++ {
					want = append(want, at(int(r), int(y), int(x)))
				}
			}
		}
		if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("slab %v+%v = %v, want %v", tc.start, tc.count, got, want)
		}
	}
	for _, bad := range [][2][]int64{
		{{0, 0}, {1, 1}},
		{{0, 0, 3}, {1, 1, 1}},
		{{-1, 0, 0}, {1, 1, 1}},
		{{4, 0, 0}, {1, 1, 1}},
		{{0, 0, 0}, {5, 2, 3}},
	} {
		if _, err := nc.ReadSlab("temp", bad[0], bad[1]); err == nil {
			t.Errorf("slab %v+%v must fail", bad[0], bad[1])
		}
	}
	if _, err := nc.Read("nothing"); err == nil || !strings.Contains(err.Error(), "temp") {
		t.Errorf("reading a missing variable: %v (want the list of variables)", err)
	}
}

// With one record variable of a type shorter than 4 bytes, records are
// not padded (the spec's special case).
func TestNetCDFSingleRecordVariable(t *testing.T) {
	for _, tc := range []struct {
		typ  Type
		data any
	}{
		{Short, []int16{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{Byte, []int8{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{Char, "abcdefghi"},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			s := ncSpec{version: CDF1, numrecs: 3,
				dims: []ncDim{{"time", 0}, {"x", 3}},
				vars: []ncVar{
					{name: "fixed", dims: []int{1}, typ: Double, data: []float64{1, 2, 3}},
					{name: "v", dims: []int{0, 1}, typ: tc.typ, data: tc.data},
				}}
			b := encode(s)
			nc := openBytes(t, b)
			got, err := nc.Read("v")
			if err != nil {
				t.Fatal(err)
			}
			if want := asFloat64(tc.data); !reflect.DeepEqual(got, want) {
				t.Errorf("v = %v, want %v", got, want)
			}
			// A streaming file: the number of records comes from its size.
			s.streaming = true
			nc = openBytes(t, encode(s))
			if nc.NumRecs != 3 {
				t.Errorf("streaming: %d records, want 3", nc.NumRecs)
			}
		})
	}
}

func TestNetCDFEmpty(t *testing.T) {
	for _, version := range []int{CDF1, CDF2, CDF5} {
		b := encode(ncSpec{version: version})
		if version != CDF5 && len(b) != 32 {
			t.Errorf("CDF-%d: the empty file has %d bytes, want 32 (the spec's example)", version, len(b))
		}
		nc := openBytes(t, b)
		if len(nc.Dims)+len(nc.Attrs)+len(nc.Vars) != 0 {
			t.Errorf("empty file: %v", nc)
		}
	}
}

// TestNetCDFSpecExample reads the 92-byte file dumped in the specification
// ("tiny": short vx(dim=5) = 3, 1, 4, 1, 5).
func TestNetCDFSpecExample(t *testing.T) {
	b := []byte{
		'C', 'D', 'F', 1, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 1,
		0, 0, 0, 3, 'd', 'i', 'm', 0, 0, 0, 0, 5, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 1, 0, 0, 0, 2,
		'v', 'x', 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x0c, 0, 0, 0, 0x50,
		0, 3, 0, 1, 0, 4, 0, 1, 0, 5, 0x80, 0x01,
	}
	if len(b) != 92 {
		t.Fatalf("%d bytes", len(b))
	}
	nc := openBytes(t, b)
	vx, err := nc.Read("vx")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(vx, []float64{3, 1, 4, 1, 5}) {
		t.Errorf("vx = %v", vx)
	}
	if !bytes.Equal(encode(ncSpec{version: CDF1, dims: []ncDim{{"dim", 5}},
		vars: []ncVar{{name: "vx", dims: []int{0}, typ: Short, data: []int16{3, 1, 4, 1, 5}}}})[:90], b[:90]) {
		t.Error("the test encoder does not write the spec's example")
	}
}

func TestUnpack(t *testing.T) {
	tests := []struct {
		name  string
		attrs []ncAttr
		in    []float64
		want  []float64
	}{
		{"none", nil, []float64{1, 2}, []float64{1, 2}},
		{"scale+offset", []ncAttr{{"scale_factor", Double, []float64{0.5}}, {"add_offset", Double, []float64{273.15}}},
			[]float64{0, 2}, []float64{273.15, 274.15}},
		{"fill packed", []ncAttr{{"scale_factor", Float, []float32{2}}, {"_FillValue", Short, []int16{-32767}}},
			[]float64{-32767, 3}, []float64{math.NaN(), 6}},
		{"missing values", []ncAttr{{"missing_value", Int, []int32{-9, -99}}},
			[]float64{-9, -99, 5}, []float64{math.NaN(), math.NaN(), 5}},
		{"NaN fill", []ncAttr{{"_FillValue", Float, []float32{float32(math.NaN())}}},
			[]float64{math.NaN(), 1}, []float64{math.NaN(), 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Var{}
			for _, a := range tc.attrs {
				v.Attrs = append(v.Attrs, Attr{Name: a.name, Type: a.typ, Value: a.val})
			}
			got := append([]float64{}, tc.in...)
			v.Unpack(got)
			for i := range got {
				if got[i] != tc.want[i] && !(math.IsNaN(got[i]) && math.IsNaN(tc.want[i])) {
					t.Errorf("Unpack(%v) = %v, want %v", tc.in, got, tc.want)
					break
				}
			}
		})
	}
}

// corrupt returns a copy of b with bytes at off replaced.
func corrupt(b []byte, off int, with ...byte) []byte {
	c := append([]byte{}, b...)
	copy(c[off:], with)
	return c
}

func TestNetCDFBrokenHeaders(t *testing.T) {
	good := encode(ncSpec{version: CDF1, numrecs: 2,
		dims: []ncDim{{"time", 0}, {"x", 2}},
		vars: []ncVar{{name: "v", dims: []int{0, 1}, typ: Int, data: []int32{1, 2, 3, 4}}}})
	// Offsets in good: 4 numrecs, 8 dim tag, 12 ndims, 16 name len, 20
	// "time", 24 len 0, 28 name len, 32 "x\0\0\0", 36 len 2, 40 gatt tag,
	// 44 0, 48 var tag, 52 nvars, 56 name len, 60 "v", 64 rank, 68 dimid
	// 0, 72 dimid 1, 76 vatt tag, 80 0, 84 type, 88 vsize, 92 begin.
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"short", []byte("CD"), "too short"},
		{"magic", corrupt(good, 0, 'X'), "not a NetCDF file"},
		{"version", corrupt(good, 3, 3), "unknown NetCDF classic version 3"},
		{"negative records", corrupt(good, 4, 0x80), "negative"},
		{"dim tag", corrupt(good, 11, 0x0b), "tag"},
		{"dim count", corrupt(good, 12, 0x7f), "does not fit"},
		{"name length", corrupt(good, 16, 0x10), "does not fit"},
		{"two unlimited", corrupt(good, 36, 0, 0, 0, 0), "both unlimited"},
		{"bad type", corrupt(good, 84, 0, 0, 0, 7), "unknown type 7"},
		{"dimid", corrupt(good, 68, 0, 0, 0, 9), "does not exist"},
		{"record not first", corrupt(good, 68, 0, 0, 0, 1, 0, 0, 0, 0), "must be its first"},
		{"rank", corrupt(good, 64, 0x10), "does not fit"},
		{"empty name", corrupt(good, 56, 0, 0, 0, 0), "empty"},
		{"duplicate dimension", corrupt(good, 28, 0, 0, 0, 4, 't', 'i', 'm', 'e'), "appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewNetCDF(bytes.NewReader(tc.b), int64(len(tc.b)), "broken.nc")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "broken.nc") {
				t.Errorf("error %q; want it to name the file and say %q", err, tc.want)
			}
		})
	}
	// A begin beyond the end of the file fails when the data are read.
	b := corrupt(good, 92, 0, 0, 0x10, 0)
	nc := openBytes(t, b)
	if _, err := nc.Read("v"); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("data beyond the end: %v", err)
	}
}

// Every prefix of a valid file fails cleanly: in the header when opening,
// in the data when reading.
func TestNetCDFTruncated(t *testing.T) {
	for _, version := range []int{CDF1, CDF2, CDF5} {
		b := encode(testSpec(version))
		// The file may end in padding; every cut before the end of the
		// last value must fail.
		full := openBytes(t, b)
		var dataEnd int64
		for _, v := range full.Vars {
			end := v.Begin + v.slab
			if v.Record {
				end += (full.NumRecs - 1) * full.recSize
			}
			dataEnd = max(dataEnd, end)
		}
		for n := range dataEnd {
			nc, err := NewNetCDF(bytes.NewReader(b[:n]), int64(n), "cut.nc")
			if err != nil {
				if !strings.Contains(err.Error(), "cut.nc") {
					t.Fatalf("CDF-%d cut at %d: error %q does not name the file", version, n, err)
				}
				continue
			}
			failed := false
			for _, v := range nc.Vars {
				if _, err := nc.Read(v.Name); err != nil {
					failed = true
					if !strings.Contains(err.Error(), "truncated") {
						t.Errorf("CDF-%d cut at %d: reading %s: %v", version, n, v.Name, err)
					}
				}
			}
			if !failed {
				t.Errorf("CDF-%d cut at %d of %d bytes: every variable read", version, n, dataEnd)
			}
		}
	}
}

// histalpPath is the HISTALP extract around Hintereisferner in the
// repository's testdata/sample (testdata/README.md).
func histalpPath(t *testing.T) string {
	t.Helper()
	return testfiles.File(t, "sample", "climate", "histalp_merged_hef.nc")
}

func TestHISTALPHeader(t *testing.T) {
	nc, err := OpenNetCDF(histalpPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if nc.Version != CDF1 || nc.NumRecs != 2424 {
		t.Errorf("CDF-%d with %d records, want CDF-1 with 2424", nc.Version, nc.NumRecs)
	}
	if d, _ := nc.Dim("time"); !d.Unlimited || d.Len != 2424 {
		t.Errorf("time = %+v", d)
	}
	for _, tc := range []struct {
		name, units string
		typ         Type
		shape       []int64
	}{
		{"time", "days since 1801-01-01 00:00:00", Int, []int64{2424}},
		{"lat", "degrees_north", Double, []int64{3}},
		{"lon", "degrees_east", Double, []int64{3}},
		{"hgt", "m", Float, []int64{3, 3}},
		{"prcp", "kg m-2", Float, []int64{2424, 3, 3}},
		{"temp", "degC", Float, []int64{2424, 3, 3}},
	} {
		v, ok := nc.Var(tc.name)
		if !ok {
			t.Fatalf("no variable %s", tc.name)
		}
		if units(v) != tc.units || v.Type != tc.typ || !reflect.DeepEqual(v.Shape, tc.shape) {
			t.Errorf("%s: %s %v %q; want %s %v %q", tc.name, v.Type, v.Shape, units(v), tc.typ, tc.shape, tc.units)
		}
	}
	if a, _ := nc.Attr("data_author"); !strings.Contains(a.Value.(string), "ZAMG") {
		t.Errorf("data_author = %v", a)
	}
	hgt, err := nc.Read("hgt")
	if err != nil {
		t.Fatal(err)
	}
	if hgt[4] != 3160 {
		t.Errorf("centre cell height %g m, want 3160", hgt[4])
	}
}

// The NetCDF reader gives the series that hef_histalp_monthly.csv (the
// copy Firn ships in assets/data) was derived from (to its rounding: 3
// decimals of °C, 2 of kg m⁻²).
func TestHISTALPAgreesWithCSV(t *testing.T) {
	nc, err := ReadNetCDF(histalpPath(t), 10.7584, 46.8003) // HEF's centre (RGI6)
	if err != nil {
		t.Fatal(err)
	}
	b, err := assets.Data("hintereisferner/hef_histalp_monthly.csv")
	if err != nil {
		t.Fatal(err)
	}
	csv, err := ReadCSV(bytes.NewReader(b), "hef_histalp_monthly.csv")
	if err != nil {
		t.Fatal(err)
	}
	if nc.Len() != csv.Len() || nc.Len() != 2424 {
		t.Fatalf("%d months from NetCDF, %d from CSV; want 2424", nc.Len(), csv.Len())
	}
	if nc.RefHeight != 3160 || csv.RefHeight != 3160 {
		t.Errorf("reference heights %g and %g m, want 3160", nc.RefHeight, csv.RefHeight)
	}
	if !strings.Contains(nc.Name, "46.8333 N 10.7500 E") {
		t.Errorf("name %q does not give the cell", nc.Name)
	}
	var dt, dp float64
	for i := range nc.Temp {
		if nc.Years[i] != csv.Years[i] || nc.Months[i] != csv.Months[i] {
			t.Fatalf("month %d: %d-%d vs %d-%d", i, nc.Years[i], nc.Months[i], csv.Years[i], csv.Months[i])
		}
		dt = max(dt, math.Abs(nc.Temp[i]-csv.Temp[i]))
		dp = max(dp, math.Abs(nc.Prcp[i]-csv.Prcp[i]))
	}
	if dt > 0.0005+1e-6 || dp > 0.005+1e-6 {
		t.Errorf("largest differences %g °C and %g kg m⁻², want within the CSV's rounding", dt, dp)
	}
	t.Logf("NetCDF vs CSV, 2424 months: max |ΔT| = %.2g °C, max |ΔP| = %.2g kg m⁻²", dt, dp)

	// Another cell: the south-west corner, 2909 m.
	sw, err := ReadNetCDF(histalpPath(t), 10.6, 46.7)
	if err != nil {
		t.Fatal(err)
	}
	if sw.RefHeight != 2909 || sw.Temp[0] != float64(float32(-1.2)) {
		t.Errorf("south-west cell: %g m, first temperature %g", sw.RefHeight, sw.Temp[0])
	}
}

// NetCDF-4 files, one from each of five producers in OGGM's sample data
// (testdata/README.md: HISTALP, CRU, ERA5, ERA5-Land, CERA-20C), are read:
// their dimensions from the dimension scales, and every value of every
// variable, whose count and sum (and some values) h5dump wrote into
// netcdf4_expected.csv (testdata/sample/make_expected.py).
func TestNetCDF4Files(t *testing.T) {
	exp := readNetCDF4Expected(t)
	for _, tc := range []struct {
		name string
		dims string // name=length, in order; * for the unlimited one
	}{
		{"HISTALP_oetztal.nc", "lon=7 lat=7 time=2556"},                           // superblock 2, chunked, shuffle + deflate
		{"cru_ts4.01.1901.2016.SouthGlacier.tmp.dat.nc", "lon=3 lat=3 time=1392"}, // superblock 0, dense attributes
		{"sel_era5_monthly_t2m_1979-2018.nc", "longitude=4 latitude=4 time=480"},  // ERA5, packed shorts
		{"sel_era5_land_invariant.nc", "longitude=7 latitude=6 time=1"},           // ERA5-Land
		{"sel_cera-20c_invariant.nc", "time=1* longitude=3 latitude=3"},           // CERA-20C, B-tree chunks
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testfiles.File(t, "sample", "climate", tc.name)
			nc, err := OpenNetCDF(p)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if nc.Version != 4 || !strings.Contains(nc.String(), "// NetCDF-4") {
				t.Errorf("version %d, header %q", nc.Version, nc.String()[:60])
			}
			var dims []string
			for _, d := range nc.Dims {
				s := fmt.Sprintf("%s=%d", d.Name, d.Len)
				if d.Unlimited {
					s += "*"
				}
				dims = append(dims, s)
			}
			if got := strings.Join(dims, " "); got != tc.dims {
				t.Errorf("dimensions %s, want %s", got, tc.dims)
			}
			vars := exp["climate/"+tc.name]
			if len(vars) == 0 {
				t.Fatalf("no expected values for %s", tc.name)
			}
			for name, want := range vars {
				v, ok := nc.Var(name)
				if !ok {
					t.Errorf("no variable %s", name)
					continue
				}
				vals, err := nc.Read(name)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if len(vals) != int(want["n"]) || v.Len() != int64(want["n"]) {
					t.Errorf("%s: %d values (Len %d), want %g", name, len(vals), v.Len(), want["n"])
					continue
				}
				for k, x := range want {
					i, err := strconv.Atoi(k)
					if err != nil {
						continue
					}
					if vals[i] != x {
						t.Errorf("%s[%d] = %v, h5dump %v", name, i, vals[i], x)
					}
				}
				sum := 0.0
				for _, x := range vals {
					sum += x
				}
				if d := math.Abs(sum - want["sum"]); d > 1e-12*math.Abs(want["sum"])+1e-9 {
					t.Errorf("%s: sum %v, h5dump %v", name, sum, want["sum"])
				}
			}
		})
	}
}

// readNetCDF4Expected reads netcdf4_expected.csv: file → variable → "n",
// "sum" or a flat index → value.
func readNetCDF4Expected(t *testing.T) map[string]map[string]map[string]float64 {
	t.Helper()
	rows := testfiles.CSV(t, "sample", "climate", "netcdf4_expected.csv")
	out := map[string]map[string]map[string]float64{}
	for _, r := range rows {
		x, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			t.Fatal(err)
		}
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

// The NetCDF-4 HISTALP file of the Ötztal holds, at Hintereisferner's
// cell (46.8333 N 10.75 E, 3160 m), the series of the classic HISTALP file
// of the glacier, month by month from October 1801 to September 2003. (It
// goes on to 2014, with negative precipitation in some months after 2003:
// TestNetCDFNegativePrecipitation.)
func TestNetCDF4HISTALPCell(t *testing.T) {
	hef, err := ReadNetCDF(histalpPath(t), 10.7584, 46.8003)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := OpenNetCDF(testfiles.File(t, "sample", "climate", "HISTALP_oetztal.nc"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	lat, _ := nc.Read("lat")
	lon, _ := nc.Read("lon")
	hgt, _ := nc.Read("hgt")
	const ilat, ilon = 3, 3
	if math.Abs(lat[ilat]-46.8333) > 1e-3 || math.Abs(lon[ilon]-10.75) > 1e-3 || hgt[ilat*7+ilon] != hef.RefHeight {
		t.Fatalf("cell %g N %g E %g m, want 46.8333 N 10.75 E %g m", lat[ilat], lon[ilon], hgt[ilat*7+ilon], hef.RefHeight)
	}
	n := int64(len(hef.Years))
	for _, c := range []struct {
		name string
		want []float64
	}{{"temp", hef.Temp}, {"prcp", hef.Prcp}} {
		got, err := nc.ReadSlab(c.name, []int64{0, ilat, ilon}, []int64{n, 1, 1})
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-4*math.Abs(c.want[i])+1e-9 {
				if bad++; bad <= 5 {
					t.Errorf("%s %d-%02d: %g, classic file %g", c.name, hef.Years[i], hef.Months[i], got[i], c.want[i])
				}
			}
		}
	}
}

// HISTALP_oetztal.nc holds negative precipitation (at Hintereisferner's
// cell −20.9 kg m⁻² in 2011-11). ReadNetCDF sets it to 0 and says so in
// Notes, naming the month and the value; every other month is the file's
// value. Before, the whole series was refused, and no glacier of the
// Ötztal could be prepared from the file.
func TestNetCDFNegativePrecipitation(t *testing.T) {
	path := testfiles.File(t, "sample", "climate", "HISTALP_oetztal.nc")
	c, err := ReadNetCDF(path, 10.7584, 46.8003)
	if err != nil {
		t.Fatalf("reading a file with negative precipitation: %v", err)
	}
	want := "precipitation below 0 in 1 month(s) (2011-11, lowest -20.9 kg m⁻²) set to 0"
	if len(c.Notes) != 1 || c.Notes[0] != want {
		t.Errorf("notes %q, want [%q]", c.Notes, want)
	}
	nc, err := OpenNetCDF(path)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	raw, err := nc.ReadSlab("prcp", []int64{0, 3, 3}, []int64{int64(c.Len()), 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	clipped := 0
	for i, p := range c.Prcp {
		switch {
		case raw[i] < 0:
			clipped++
			if p != 0 || c.Years[i] != 2011 || c.Months[i] != 11 {
				t.Errorf("%d-%02d: file %g, read %g; want the one negative month 2011-11 read as 0", c.Years[i], c.Months[i], raw[i], p)
			}
		case p != raw[i]:
			t.Errorf("%d-%02d: file %g, read %g", c.Years[i], c.Months[i], raw[i], p)
		}
	}
	if clipped != 1 {
		t.Errorf("%d negative months in the file at this cell, want 1", clipped)
	}
	// A period cut from the series keeps the note.
	if p, err := c.Period(1972, 2002, 10); err != nil || len(p.Notes) != 1 {
		t.Errorf("period: %v, notes %q", err, p.Notes)
	}
}

// A NetCDF-4 file cut short fails with an error naming it, never a panic.
func TestNetCDF4Truncated(t *testing.T) {
	b, err := os.ReadFile(testfiles.File(t, "sample", "climate", "cru_ts4.01.1901.2016.SouthGlacier.tmp.dat.nc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{8, 100, 1000, 5000, 20000, len(b) / 2} {
		nc, err := NewNetCDF(bytes.NewReader(b[:n]), int64(n), "cut.nc")
		if err == nil {
			_, err = nc.Read("tmp")
		}
		if err == nil || !strings.Contains(err.Error(), "cut.nc") {
			t.Errorf("%d bytes: %v, want an error naming cut.nc", n, err)
		}
	}
}

func TestHISTALPTruncated(t *testing.T) {
	b, err := os.ReadFile(histalpPath(t))
	if err != nil {
		t.Fatal(err)
	}
	full, err := NewNetCDF(bytes.NewReader(b), int64(len(b)), "h.nc")
	if err != nil {
		t.Fatal(err)
	}
	headerEnd := full.Vars[0].Begin
	for _, v := range full.Vars {
		headerEnd = min(headerEnd, v.Begin)
	}
	for _, n := range []int64{0, 4, 8, 100, headerEnd - 1, headerEnd, headerEnd + 100, int64(len(b)) / 2, int64(len(b)) - 1} {
		nc, err := NewNetCDF(bytes.NewReader(b[:n]), n, "h.nc")
		if err == nil {
			_, err = nc.Monthly(10.84, 46.92) // the last cell, whose values end the file
		}
		if err == nil {
			t.Errorf("cut at %d of %d bytes: no error", n, len(b))
			continue
		}
		if n >= headerEnd && !strings.Contains(err.Error(), "truncated") {
			t.Errorf("cut at %d (in the data): %v", n, err)
		}
	}
}

func TestNetCDFPointSeries(t *testing.T) {
	// An OGGM climate_historical file: temp(time), prcp(time) and ref_hgt.
	s := ncSpec{version: CDF2, numrecs: 13,
		dims:  []ncDim{{"time", 0}},
		attrs: []ncAttr{{"ref_hgt", Float, []float32{2500}}, {"climate_source", Char, "test"}},
		vars: []ncVar{
			{name: "time", dims: []int{0}, typ: Double, data: make([]float64, 13),
				attrs: []ncAttr{{"units", Char, "hours since 2000-01-01 00:00:00"}, {"calendar", Char, "proleptic_gregorian"}}},
			{name: "temp", dims: []int{0}, typ: Short, data: make([]int16, 13),
				attrs: []ncAttr{{"units", Char, "K"}, {"scale_factor", Double, []float64{0.01}}, {"add_offset", Double, []float64{270}}}},
			{name: "prcp", dims: []int{0}, typ: Float, data: make([]float32, 13),
				attrs: []ncAttr{{"units", Char, "kg m-2 s-1"}}},
		}}
	tm := s.vars[0].data.([]float64)
	tp := s.vars[1].data.([]int16)
	pr := s.vars[2].data.([]float32)
	g := gregorian{}
	for i := range 13 {
		y, m := 2000+i/12, i%12+1
		tm[i] = float64(g.days(y, m, 15)-g.days(2000, 1, 1)) * 24
		tp[i] = int16(100 * i)
		pr[i] = 1e-5
	}
	nc := openBytes(t, encode(s))
	c, err := nc.Monthly(math.NaN(), math.NaN())
	if err != nil {
		t.Fatal(err)
	}
	if c.RefHeight != 2500 || c.Years[12] != 2001 || c.Months[12] != 1 {
		t.Errorf("ref %g, last month %d-%d", c.RefHeight, c.Years[12], c.Months[12])
	}
	if d := c.Temp[3] - (270 + 3 - 273.15); math.Abs(d) > 1e-9 {
		t.Errorf("temp[3] = %g °C", c.Temp[3])
	}
	if d := c.Prcp[1] - float64(float32(1e-5))*29*86400; math.Abs(d) > 1e-9 {
		t.Errorf("February 2000 precipitation %g kg m⁻², want 29 days of 1e-5 kg m⁻² s⁻¹", c.Prcp[1])
	}
}

func TestDecodeTime(t *testing.T) {
	// The Gregorian day count agrees with Go's time package.
	g := gregorian{}
	for _, d := range [][3]int{{1970, 1, 1}, {1801, 1, 1}, {1900, 2, 28}, {2000, 2, 29}, {2024, 12, 31}, {1583, 1, 1}, {-4713, 11, 24}} {
		n := g.days(d[0], d[1], d[2])
		y, m, day := g.date(n)
		if y != d[0] || m != d[1] || day != d[2] {
			t.Errorf("%v → %d → %d-%d-%d", d, n, y, m, day)
		}
	}
	if n := g.days(1801, 10, 1) - g.days(1801, 1, 1); n != 273 {
		t.Errorf("1801-10-01 is %d days after 1801-01-01, want 273", n)
	}
	tests := []struct {
		vals          []float64
		units, cal    string
		years, months []int
		err           string
	}{
		{[]float64{273, 304, 334, 365}, "days since 1801-01-01 00:00:00", "", []int{1801, 1801, 1801, 1802}, []int{10, 11, 12, 1}, ""},
		{[]float64{0, 31 * 24, 59 * 24}, "hours since 2001-01-01", "noleap", []int{2001, 2001, 2001}, []int{1, 2, 3}, ""},
		{[]float64{0, 30, 359, 360}, "days since 2000-01-01", "360_day", []int{2000, 2000, 2000, 2001}, []int{1, 2, 12, 1}, ""},
		{[]float64{-1}, "days since 2000-03-01T00:00:00Z", "standard", []int{2000}, []int{2}, ""},
		{[]float64{86400 * 31}, "seconds since 1990-01-01 12:00", "gregorian", []int{1990}, []int{2}, ""},
		{[]float64{0}, "months since 2000-01-01", "", nil, nil, "unknown time unit"},
		{[]float64{0}, "days after 2000-01-01", "", nil, nil, "since"},
		{[]float64{0}, "days since 2000-13-01", "", nil, nil, "not a date"},
		{[]float64{0}, "days since 2000-01-01", "julian", nil, nil, "calendar"},
		{[]float64{math.NaN()}, "days since 2000-01-01", "", nil, nil, "not a time"},
		{[]float64{0}, "days since 1500-01-01", "standard", nil, nil, "1583"},
	}
	for _, tc := range tests {
		y, m, err := decodeTime(tc.vals, tc.units, tc.cal)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q %q: error %v, want %q", tc.units, tc.cal, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(y, tc.years) || !reflect.DeepEqual(m, tc.months) {
			t.Errorf("%q %q %v: %v %v %v, want %v %v", tc.units, tc.cal, tc.vals, y, m, err, tc.years, tc.months)
		}
	}
}
