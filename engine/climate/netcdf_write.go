package climate

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// WriteVar is a variable for [WriteNetCDF]: its name, external type,
// dimensions (indices into the file's dimensions, slowest-varying
// first), attributes and values, row-major, as a slice of the type's Go
// type ([]float64 for Double, []int32 for Int, …; []byte or a string for
// Char).
type WriteVar struct {
	Name   string
	Type   Type
	DimIDs []int
	Attrs  []Attr
	Values any
}

// WriteNetCDF writes a NetCDF classic file in the 64-bit offset format
// (CDF-2), which every NetCDF library reads (netCDF-C 3.6 and later,
// xarray through scipy or netCDF4): the dimensions (fixed lengths: no
// record dimension), the global attributes and the variables, laid out
// as the format specification says (this package's reader reads them
// back; the tests also open them with xarray). Each variable must hold as
// many values as its dimensions say. It is written here, beside the
// reader, for the same reason: no Go module for NetCDF can be had.
func WriteNetCDF(w io.Writer, dims []Dim, attrs []Attr, vars []WriteVar) error {
	for _, d := range dims {
		if d.Unlimited || d.Len <= 0 {
			return fmt.Errorf("netcdf: dimension %s of length %d: want a fixed length > 0", d.Name, d.Len)
		}
	}
	data := make([][]byte, len(vars))
	for i, v := range vars {
		n := int64(1)
		for _, id := range v.DimIDs {
			if id < 0 || id >= len(dims) {
				return fmt.Errorf("netcdf: variable %s: dimension %d of %d", v.Name, id, len(dims))
			}
			n *= dims[id].Len
		}
		b, err := encodeValues(v.Type, v.Values)
		if err != nil {
			return fmt.Errorf("netcdf: variable %s: %w", v.Name, err)
		}
		if int64(len(b)) != n*int64(v.Type.Size()) {
			return fmt.Errorf("netcdf: variable %s holds %d values, its dimensions %d", v.Name, len(b)/max(1, v.Type.Size()), n)
		}
		data[i] = b
	}
	for _, a := range attrs {
		if _, err := encodeValues(a.Type, a.Value); err != nil {
			return fmt.Errorf("netcdf: attribute %s: %w", a.Name, err)
		}
	}
	pad4 := func(n int64) int64 { return (n + 3) &^ 3 }
	header := func(begins []int64) []byte {
		e := &encoder{version: CDF2}
		e.b = append(e.b, 'C', 'D', 'F', CDF2)
		e.nonNeg(0) // numrecs: no record dimension
		if len(dims) == 0 {
			e.u32(0)
			e.nonNeg(0)
		} else {
			e.u32(tagDimension)
			e.nonNeg(int64(len(dims)))
			for _, d := range dims {
				e.name(d.Name)
				e.nonNeg(d.Len)
			}
		}
		e.attrList(attrs)
		if len(vars) == 0 {
			e.u32(0)
			e.nonNeg(0)
		} else {
			e.u32(tagVariable)
			e.nonNeg(int64(len(vars)))
			for i, v := range vars {
				e.name(v.Name)
				e.nonNeg(int64(len(v.DimIDs)))
				for _, id := range v.DimIDs {
					e.nonNeg(int64(id))
				}
				e.attrList(v.Attrs)
				e.u32(uint32(v.Type))
				e.nonNeg(pad4(int64(len(data[i])))) // vsize
				e.offset(begins[i])
			}
		}
		return e.b
	}
	begins := make([]int64, len(vars))
	pos := int64(len(header(begins)))
	for i := range vars {
		begins[i] = pos
		pos += pad4(int64(len(data[i])))
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.Write(header(begins)); err != nil {
		return err
	}
	var zeros [3]byte
	for _, b := range data {
		if _, err := bw.Write(b); err != nil {
			return err
		}
		if _, err := bw.Write(zeros[:pad4(int64(len(b)))-int64(len(b))]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// encoder lays out a classic header (big-endian, 4-byte padded).
type encoder struct {
	b       []byte
	version int
}

func (e *encoder) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }

func (e *encoder) nonNeg(v int64) {
	if e.version == CDF5 {
		e.u64(uint64(v))
	} else {
		e.u32(uint32(v))
	}
}

func (e *encoder) offset(v int64) {
	if e.version == CDF1 {
		e.u32(uint32(v))
	} else {
		e.u64(uint64(v))
	}
}

func (e *encoder) pad() {
	for len(e.b)%4 != 0 {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) name(s string) {
	e.nonNeg(int64(len(s)))
	e.b = append(e.b, s...)
	e.pad()
}

// attrList writes an attribute list whose values encodeValues accepts.
func (e *encoder) attrList(list []Attr) {
	if len(list) == 0 {
		e.u32(0)
		e.nonNeg(0)
		return
	}
	e.u32(tagAttribute)
	e.nonNeg(int64(len(list)))
	for _, a := range list {
		e.name(a.Name)
		e.u32(uint32(a.Type))
		raw, _ := encodeValues(a.Type, a.Value)
		e.nonNeg(int64(len(raw) / a.Type.Size()))
		e.b = append(e.b, raw...)
		e.pad()
	}
}

// encodeValues returns the big-endian bytes of a string or typed slice
// of values of type t.
func encodeValues(t Type, v any) ([]byte, error) {
	var b []byte
	be := binary.BigEndian
	want := Type(0)
	switch x := v.(type) {
	case string:
		b, want = append(b, x...), Char
	case []byte:
		b, want = append(b, x...), Char
		if t == UByte {
			want = UByte
		}
	case []int8:
		for _, y := range x {
			b = append(b, byte(y))
		}
		want = Byte
	case []int16:
		for _, y := range x {
			b = be.AppendUint16(b, uint16(y))
		}
		want = Short
	case []uint16:
		for _, y := range x {
			b = be.AppendUint16(b, y)
		}
		want = UShort
	case []int32:
		for _, y := range x {
			b = be.AppendUint32(b, uint32(y))
		}
		want = Int
	case []uint32:
		for _, y := range x {
			b = be.AppendUint32(b, y)
		}
		want = UInt
	case []float32:
		for _, y := range x {
			b = be.AppendUint32(b, math.Float32bits(y))
		}
		want = Float
	case []float64:
		for _, y := range x {
			b = be.AppendUint64(b, math.Float64bits(y))
		}
		want = Double
	case []int64:
		for _, y := range x {
			b = be.AppendUint64(b, uint64(y))
		}
		want = Int64
	case []uint64:
		for _, y := range x {
			b = be.AppendUint64(b, y)
		}
		want = UInt64
	default:
		return nil, fmt.Errorf("values of Go type %T", v)
	}
	if t != want {
		return nil, fmt.Errorf("%s values given as %T", t, v)
	}
	return b, nil
}
