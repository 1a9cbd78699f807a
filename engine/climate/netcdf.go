package climate

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"strings"

	"github.com/firnglacier/firn/engine/internal/hdf5"
)

// This file reads the NetCDF classic formats, written from Unidata's
// "NetCDF Classic Format Specification" (NetCDF Users Guide, appendix
// "File Format Specifications": the BNF grammar of the header, the notes on
// vsize, padding and streaming, and "Notes on Computing File Offsets") and,
// for CDF-5, the 64-bit-data additions of the same guide and of
// PnetCDF's format definition.

// NetCDF format versions: the fourth byte of a classic file.
const (
	CDF1 = 1 // classic
	CDF2 = 2 // 64-bit offset
	CDF5 = 5 // 64-bit data
)

// hdf5Magic starts every HDF5 file, hence every NetCDF-4 file.
const hdf5Magic = "\x89HDF\r\n\x1a\n"

// ErrHDF5 is wrapped by the error that [OpenNetCDF] and [NewNetCDF] return
// for a NetCDF-4 (HDF5) file that uses an HDF5 feature outside the subset
// this package reads (see the package documentation).
var ErrHDF5 = errors.New("NetCDF-4/HDF5 file")

// Type is the external type of a NetCDF attribute or variable.
type Type int32

// The NetCDF external types; UByte to UInt64 exist only in CDF-5 files.
const (
	Byte   Type = 1  // 8-bit signed integer
	Char   Type = 2  // 8-bit character
	Short  Type = 3  // 16-bit signed integer
	Int    Type = 4  // 32-bit signed integer
	Float  Type = 5  // IEEE single precision
	Double Type = 6  // IEEE double precision
	UByte  Type = 7  // 8-bit unsigned integer (CDF-5)
	UShort Type = 8  // 16-bit unsigned integer (CDF-5)
	UInt   Type = 9  // 32-bit unsigned integer (CDF-5)
	Int64  Type = 10 // 64-bit signed integer (CDF-5)
	UInt64 Type = 11 // 64-bit unsigned integer (CDF-5)
)

var typeNames = [...]string{"", "byte", "char", "short", "int", "float", "double", "ubyte", "ushort", "uint", "int64", "uint64"}

// String returns the CDL name of the type.
func (t Type) String() string {
	if t >= Byte && t <= UInt64 {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", int32(t))
}

// Size returns the size in bytes of one value of the type in a file, 0 for
// an unknown type.
func (t Type) Size() int {
	switch t {
	case Byte, Char, UByte:
		return 1
	case Short, UShort:
		return 2
	case Int, Float, UInt:
		return 4
	case Double, Int64, UInt64:
		return 8
	}
	return 0
}

// Dim is a NetCDF dimension.
type Dim struct {
	Name string
	// Len is the length; for the record (unlimited) dimension the number
	// of records.
	Len int64
	// Unlimited marks the record dimension.
	Unlimited bool
}

// Attr is a NetCDF attribute. Value holds a string for a Char attribute
// and otherwise a slice of the Go type of the values: []int8, []int16,
// []int32, []float32, []float64, []uint8, []uint16, []uint32, []int64 or
// []uint64.
type Attr struct {
	Name  string
	Type  Type
	Value any
}

// Text returns the value of a Char attribute.
func (a Attr) Text() (string, bool) {
	s, ok := a.Value.(string)
	return s, ok
}

// Float64s returns the values of a numeric attribute as float64 (64-bit
// integers beyond 2⁵³ lose precision).
func (a Attr) Float64s() ([]float64, bool) {
	switch v := a.Value.(type) {
	case []int8:
		return convert(v), true
	case []int16:
		return convert(v), true
	case []int32:
		return convert(v), true
	case []float32:
		return convert(v), true
	case []float64:
		return convert(v), true
	case []uint8:
		return convert(v), true
	case []uint16:
		return convert(v), true
	case []uint32:
		return convert(v), true
	case []int64:
		return convert(v), true
	case []uint64:
		return convert(v), true
	}
	return nil, false
}

// Float64 returns the first value of a numeric attribute.
func (a Attr) Float64() (float64, bool) {
	v, ok := a.Float64s()
	if !ok || len(v) == 0 {
		return 0, false
	}
	return v[0], true
}

type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

func convert[T number](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// String formats the attribute as in CDL (ncdump).
func (a Attr) String() string {
	if s, ok := a.Text(); ok {
		return fmt.Sprintf("%s = %q", a.Name, s)
	}
	v, _ := a.Float64s()
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprint(x)
	}
	return fmt.Sprintf("%s = %s (%s)", a.Name, strings.Join(parts, ", "), a.Type)
}

func findAttr(attrs []Attr, name string) (Attr, bool) {
	for _, a := range attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// Var is a NetCDF variable.
type Var struct {
	Name string
	Type Type
	// DimIDs index the file's Dims, slowest-varying first.
	DimIDs []int
	// Shape holds the length of each dimension; for a record variable
	// Shape[0] is the number of records.
	Shape []int64
	Attrs []Attr
	// Begin is the offset in the file of the variable's first value.
	Begin int64
	// Record marks a record variable (its first dimension is the record
	// dimension): its values are interleaved with those of the other
	// record variables, one slab per record.
	Record bool

	slab int64 // bytes of one record slab (record) or of all data
}

// Attr returns the variable's attribute of that name.
func (v *Var) Attr(name string) (Attr, bool) { return findAttr(v.Attrs, name) }

// Len returns the number of values of the variable.
func (v *Var) Len() int64 {
	n := int64(1)
	for _, s := range v.Shape {
		n *= s // checked for overflow when the header was read
	}
	return n
}

// Unpack turns raw values read from v (see [NetCDF.Read]) into physical
// ones, in place, following the CF conventions: values equal to the
// _FillValue or to one of the missing_value attributes become NaN, the
// others x·scale_factor + add_offset (each if present). Fill and missing
// values are compared in packed units, before scaling. The default fill
// values of the format are not treated as missing; nor are valid_min,
// valid_max and valid_range.
func (v *Var) Unpack(vals []float64) {
	var missing []float64
	if a, ok := v.Attr("_FillValue"); ok {
		if f, ok := a.Float64(); ok {
			missing = append(missing, f)
		}
	}
	if a, ok := v.Attr("missing_value"); ok {
		if f, ok := a.Float64s(); ok {
			missing = append(missing, f...)
		}
	}
	scale, offset := 1.0, 0.0
	if a, ok := v.Attr("scale_factor"); ok {
		if f, ok := a.Float64(); ok {
			scale = f
		}
	}
	if a, ok := v.Attr("add_offset"); ok {
		if f, ok := a.Float64(); ok {
			offset = f
		}
	}
outer:
	for i, x := range vals {
		for _, m := range missing {
			if x == m || (math.IsNaN(m) && math.IsNaN(x)) {
				vals[i] = math.NaN()
				continue outer
			}
		}
		vals[i] = x*scale + offset
	}
}

// NetCDF is an open NetCDF file (CDF-1, CDF-2, CDF-5 or NetCDF-4): its
// header, read at once, and access to the data of its variables.
type NetCDF struct {
	// Name names the file in errors.
	Name string
	// Version is CDF1, CDF2 or CDF5, or 4 for a NetCDF-4 (HDF5) file.
	Version int
	// NumRecs is the number of records (the length of the record
	// dimension).
	NumRecs int64
	Dims    []Dim
	// Attrs are the global attributes.
	Attrs []Attr
	Vars  []*Var

	r       io.ReaderAt
	size    int64
	recSize int64 // bytes of one record (all record variables)
	closer  io.Closer

	h5     *hdf5.File              // a NetCDF-4 file
	h5vars map[string]*hdf5.Object // its variables' datasets
}

// OpenNetCDF opens a NetCDF file (classic or NetCDF-4) and reads its
// header. Close it when done. A NetCDF-4 file that uses an HDF5 feature
// this package does not read fails with an error that wraps [ErrHDF5],
// names the feature and says how to convert the file.
func OpenNetCDF(path string) (*NetCDF, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("netcdf: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("netcdf: %w", err)
	}
	nc, err := NewNetCDF(f, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	nc.closer = f
	return nc, nil
}

// NewNetCDF reads the header of a NetCDF file of size bytes from
// r; name names it in errors. The data are read from r when asked for.
func NewNetCDF(r io.ReaderAt, size int64, name string) (*NetCDF, error) {
	nc := &NetCDF{Name: name, r: r, size: size}
	if err := nc.readHeader(); err != nil {
		return nil, err
	}
	return nc, nil
}

// Close closes the file opened by [OpenNetCDF]; it does nothing for one
// made by [NewNetCDF].
func (nc *NetCDF) Close() error {
	if nc.closer == nil {
		return nil
	}
	err := nc.closer.Close()
	nc.closer = nil
	return err
}

// Var returns the variable of that name.
func (nc *NetCDF) Var(name string) (*Var, bool) {
	for _, v := range nc.Vars {
		if v.Name == name {
			return v, true
		}
	}
	return nil, false
}

// Attr returns the global attribute of that name.
func (nc *NetCDF) Attr(name string) (Attr, bool) { return findAttr(nc.Attrs, name) }

// Dim returns the dimension of that name.
func (nc *NetCDF) Dim(name string) (Dim, bool) {
	for _, d := range nc.Dims {
		if d.Name == name {
			return d, true
		}
	}
	return Dim{}, false
}

// String describes the file like the header of ncdump -h.
func (nc *NetCDF) String() string {
	var b strings.Builder
	format := fmt.Sprintf("CDF-%d", nc.Version)
	if nc.h5 != nil {
		format = "NetCDF-4"
	}
	fmt.Fprintf(&b, "netcdf %s { // %s\ndimensions:\n", filepath.Base(nc.Name), format)
	for _, d := range nc.Dims {
		if d.Unlimited {
			fmt.Fprintf(&b, "\t%s = UNLIMITED ; // (%d currently)\n", d.Name, d.Len)
		} else {
			fmt.Fprintf(&b, "\t%s = %d ;\n", d.Name, d.Len)
		}
	}
	b.WriteString("variables:\n")
	for _, v := range nc.Vars {
		dims := make([]string, len(v.DimIDs))
		for i, id := range v.DimIDs {
			dims[i] = nc.Dims[id].Name
		}
		fmt.Fprintf(&b, "\t%s %s(%s) ;\n", v.Type, v.Name, strings.Join(dims, ", "))
		for _, a := range v.Attrs {
			fmt.Fprintf(&b, "\t\t%s:%s ;\n", v.Name, a)
		}
	}
	if len(nc.Attrs) > 0 {
		b.WriteString("// global attributes:\n")
		for _, a := range nc.Attrs {
			fmt.Fprintf(&b, "\t\t:%s ;\n", a)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// Header tags of the classic format.
const (
	tagDimension = 0x0A
	tagVariable  = 0x0B
	tagAttribute = 0x0C
)

// header decodes the header sequentially; the first error sticks, so that
// the decoding code reads like the grammar and checks once per element.
type header struct {
	r       *bufio.Reader
	pos     int64
	size    int64
	version int
	err     error
	file    string
}

func (h *header) fail(format string, args ...any) {
	if h.err == nil {
		h.err = fmt.Errorf("netcdf %s: header, byte %d: %s", h.file, h.pos, fmt.Sprintf(format, args...))
	}
}

func (h *header) read(n int) []byte {
	if h.err != nil {
		return nil
	}
	if int64(n) > h.size-h.pos {
		h.fail("file ends after %d bytes inside the header (truncated?)", h.size)
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(h.r, b); err != nil {
		h.fail("%v", err)
		return nil
	}
	h.pos += int64(n)
	return b
}

func (h *header) u32() uint32 {
	b := h.read(4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

func (h *header) u64() uint64 {
	b := h.read(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// nonNeg reads a NON_NEG: 32 bits, or 64 in CDF-5.
func (h *header) nonNeg(what string) int64 {
	var v int64
	if h.version == CDF5 {
		u := h.u64()
		if u > math.MaxInt64 {
			h.fail("%s %d is negative", what, int64(u))
			return 0
		}
		v = int64(u)
	} else {
		v = int64(int32(h.u32()))
		if v < 0 {
			h.fail("%s %d is negative", what, v)
			return 0
		}
	}
	return v
}

// offset reads an OFFSET: 32 bits in CDF-1, 64 otherwise.
func (h *header) offset(what string) int64 {
	if h.version == CDF1 {
		return h.nonNeg(what)
	}
	u := h.u64()
	if u > math.MaxInt64 {
		h.fail("%s %d is negative", what, int64(u))
		return 0
	}
	return int64(u)
}

// count reads the number of elements of a list whose elements take at
// least minSize bytes each, and checks it against what is left.
func (h *header) count(what string, minSize int64) int {
	n := h.nonNeg(what)
	if h.err == nil && n > (h.size-h.pos)/minSize {
		h.fail("%s %d does not fit in the %d bytes left (corrupt or truncated file)", what, n, h.size-h.pos)
		return 0
	}
	return int(n)
}

func (h *header) pad(n int64) {
	if p := (4 - n%4) % 4; p > 0 {
		h.read(int(p))
	}
}

func (h *header) name(what string) string {
	n := h.count(what+" name length", 1)
	b := h.read(n)
	h.pad(int64(n))
	if h.err == nil && n == 0 {
		h.fail("empty %s name", what)
	}
	return string(b)
}

// list reads the tag and count of a dim_list, att_list or var_list:
// ABSENT (zero tag, zero count) or the tag and the number of elements.
func (h *header) list(tag uint32, what string, minSize int64) int {
	t := h.u32()
	n := h.count("number of "+what, minSize)
	if h.err != nil {
		return 0
	}
	if t == 0 && n == 0 {
		return 0
	}
	if t != tag {
		h.fail("list of %s has tag %#x (want %#x, or 0 for none)", what, t, tag)
		return 0
	}
	return n
}

func (h *header) typ(what string) Type {
	t := Type(h.u32())
	if h.err != nil {
		return 0
	}
	if t < Byte || t > UInt64 || (t > Double && h.version != CDF5) {
		h.fail("%s has unknown type %d", what, int32(t))
		return 0
	}
	return t
}

func (h *header) attrs(owner string) []Attr {
	n := h.list(tagAttribute, "attributes of "+owner, 12)
	var attrs []Attr
	seen := make(map[string]bool)
	for range n {
		a := Attr{Name: h.name("attribute")}
		a.Type = h.typ("attribute " + a.Name)
		nv := h.count("number of values of attribute "+a.Name, int64(max(a.Type.Size(), 1)))
		b := h.read(nv * a.Type.Size())
		h.pad(int64(nv * a.Type.Size()))
		if h.err != nil {
			return nil
		}
		a.Value = decodeAttr(a.Type, b)
		if seen[a.Name] {
			h.fail("attribute %s of %s appears twice", a.Name, owner)
			return nil
		}
		seen[a.Name] = true
		attrs = append(attrs, a)
	}
	return attrs
}

func decodeAttr(t Type, b []byte) any {
	be := binary.BigEndian
	switch t {
	case Char:
		return strings.TrimRight(string(b), "\x00")
	case Byte:
		return decode(b, 1, func(p []byte) int8 { return int8(p[0]) })
	case UByte:
		return decode(b, 1, func(p []byte) uint8 { return p[0] })
	case Short:
		return decode(b, 2, func(p []byte) int16 { return int16(be.Uint16(p)) })
	case UShort:
		return decode(b, 2, be.Uint16)
	case Int:
		return decode(b, 4, func(p []byte) int32 { return int32(be.Uint32(p)) })
	case UInt:
		return decode(b, 4, be.Uint32)
	case Float:
		return decode(b, 4, func(p []byte) float32 { return math.Float32frombits(be.Uint32(p)) })
	case Double:
		return decode(b, 8, func(p []byte) float64 { return math.Float64frombits(be.Uint64(p)) })
	case Int64:
		return decode(b, 8, func(p []byte) int64 { return int64(be.Uint64(p)) })
	case UInt64:
		return decode(b, 8, be.Uint64)
	}
	return nil
}

func decode[T any](b []byte, size int, f func([]byte) T) []T {
	out := make([]T, len(b)/size)
	for i := range out {
		out[i] = f(b[i*size:])
	}
	return out
}

func (nc *NetCDF) readHeader() error {
	if nc.size < 4 {
		return fmt.Errorf("netcdf %s: %d bytes: too short for a NetCDF file", nc.Name, nc.size)
	}
	magic := make([]byte, min(nc.size, 8))
	if _, err := nc.r.ReadAt(magic, 0); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("netcdf %s: %w", nc.Name, err)
	}
	if string(magic) == hdf5Magic {
		return nc.readHDF5()
	}
	if string(magic[:3]) != "CDF" {
		return fmt.Errorf("netcdf %s: not a NetCDF file (starts with %q, want \"CDF\")", nc.Name, magic[:4])
	}
	nc.Version = int(magic[3])
	if nc.Version != CDF1 && nc.Version != CDF2 && nc.Version != CDF5 {
		return fmt.Errorf("netcdf %s: unknown NetCDF classic version %d (want 1, 2 or 5)", nc.Name, nc.Version)
	}
	h := &header{
		r:       bufio.NewReader(io.NewSectionReader(nc.r, 4, nc.size-4)),
		pos:     4,
		size:    nc.size,
		version: nc.Version,
		file:    nc.Name,
	}
	streaming := false
	if nc.Version == CDF5 {
		u := h.u64()
		streaming = u == math.MaxUint64
		if !streaming {
			if u > math.MaxInt64 {
				h.fail("number of records %d is negative", int64(u))
			}
			nc.NumRecs = int64(u)
		}
	} else {
		u := h.u32()
		streaming = u == math.MaxUint32
		if !streaming {
			if int32(u) < 0 {
				h.fail("number of records %d is negative", int32(u))
			}
			nc.NumRecs = int64(int32(u))
		}
	}

	// Dimensions.
	nd := h.list(tagDimension, "dimensions", 12)
	recDim := -1
	seen := make(map[string]bool) // names are unique in each list
	for i := range nd {
		d := Dim{Name: h.name("dimension")}
		d.Len = h.nonNeg("length of dimension " + d.Name)
		if h.err != nil {
			return h.err
		}
		if seen[d.Name] {
			h.fail("dimension %s appears twice", d.Name)
			return h.err
		}
		seen[d.Name] = true
		if d.Len == 0 {
			if recDim >= 0 {
				h.fail("dimensions %s and %s are both unlimited (at most one may be)", nc.Dims[recDim].Name, d.Name)
				return h.err
			}
			d.Unlimited = true
			recDim = i
		}
		nc.Dims = append(nc.Dims, d)
	}

	nc.Attrs = h.attrs("the file")

	// Variables.
	nv := h.list(tagVariable, "variables", 28)
	clear(seen)
	for range nv {
		v := &Var{Name: h.name("variable")}
		if seen[v.Name] {
			h.fail("variable %s appears twice", v.Name)
		}
		seen[v.Name] = true
		rank := h.count("rank of variable "+v.Name, 4)
		for j := range rank {
			id := h.nonNeg("dimension id of variable " + v.Name)
			if h.err != nil {
				return h.err
			}
			if id >= int64(len(nc.Dims)) {
				h.fail("variable %s: dimension id %d does not exist (%d dimensions)", v.Name, id, len(nc.Dims))
				return h.err
			}
			if int(id) == recDim {
				if j != 0 {
					h.fail("variable %s: the record dimension %s must be its first", v.Name, nc.Dims[id].Name)
					return h.err
				}
				v.Record = true
			}
			v.DimIDs = append(v.DimIDs, int(id))
		}
		v.Attrs = h.attrs("variable " + v.Name)
		v.Type = h.typ("variable " + v.Name)
		h.nonNeg("vsize of variable " + v.Name) // recomputed below, see the note on vsize
		v.Begin = h.offset("begin of variable " + v.Name)
		if h.err != nil {
			return h.err
		}
		nc.Vars = append(nc.Vars, v)
	}
	if h.err != nil {
		return h.err
	}
	return nc.layout(streaming, recDim)
}

// layout computes the shapes, the slab sizes and the record size, and the
// number of records of a streaming file.
func (nc *NetCDF) layout(streaming bool, recDim int) error {
	var nrec int
	firstRec := int64(-1)
	for _, v := range nc.Vars {
		size := int64(v.Type.Size())
		for j, id := range v.DimIDs {
			if v.Record && j == 0 {
				continue
			}
			var ok bool
			if size, ok = mul(size, nc.Dims[id].Len); !ok {
				return fmt.Errorf("netcdf %s: variable %s: its size overflows: corrupt header", nc.Name, v.Name)
			}
		}
		v.slab = size
		if v.Record {
			nrec++
			if firstRec < 0 || v.Begin < firstRec {
				firstRec = v.Begin
			}
		}
	}
	for _, v := range nc.Vars {
		if v.Record {
			s := v.slab
			if nrec > 1 {
				s = (s + 3) &^ 3 // see the note on padding
			}
			if s < 0 || nc.recSize > math.MaxInt64-s {
				return fmt.Errorf("netcdf %s: the record size overflows: corrupt header", nc.Name)
			}
			nc.recSize += s
		}
	}
	if streaming {
		nc.NumRecs = 0
		if nc.recSize > 0 && firstRec >= 0 && firstRec < nc.size {
			nc.NumRecs = (nc.size - firstRec) / nc.recSize
		}
	}
	if recDim >= 0 {
		nc.Dims[recDim].Len = nc.NumRecs
	}
	for _, v := range nc.Vars {
		v.Shape = make([]int64, len(v.DimIDs))
		n := int64(v.Type.Size())
		for j, id := range v.DimIDs {
			v.Shape[j] = nc.Dims[id].Len
			var ok bool
			if n, ok = mul(n, v.Shape[j]); !ok {
				return fmt.Errorf("netcdf %s: variable %s: its size overflows: corrupt header", nc.Name, v.Name)
			}
		}
	}
	return nil
}

// mul multiplies non-negative sizes and reports overflow.
func mul(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// Read reads all values of the named variable, in row-major order (last
// dimension fastest), as float64 and as stored (packed): see [Var.Unpack]
// for scale_factor, add_offset and fill values. Char data are returned as
// their byte values (see [NetCDF.ReadText]).
func (nc *NetCDF) Read(name string) ([]float64, error) {
	v, ok := nc.Var(name)
	if !ok {
		return nil, nc.noVar(name)
	}
	start := make([]int64, len(v.Shape))
	return nc.ReadSlab(name, start, v.Shape)
}

// ReadText reads a Char variable as a string, without trailing NULs.
func (nc *NetCDF) ReadText(name string) (string, error) {
	v, ok := nc.Var(name)
	if !ok {
		return "", nc.noVar(name)
	}
	if v.Type != Char {
		return "", fmt.Errorf("netcdf %s: variable %s is %s, not char", nc.Name, name, v.Type)
	}
	vals, err := nc.Read(name)
	if err != nil {
		return "", err
	}
	b := make([]byte, len(vals))
	for i, x := range vals {
		b[i] = byte(x)
	}
	return strings.TrimRight(string(b), "\x00"), nil
}

func (nc *NetCDF) noVar(name string) error {
	names := make([]string, len(nc.Vars))
	for i, v := range nc.Vars {
		names[i] = v.Name
	}
	return fmt.Errorf("netcdf %s: no variable %q (it has %s)", nc.Name, name, strings.Join(names, ", "))
}

// ReadSlab reads the hyperslab of the named variable that starts at index
// start and has count values along each dimension, in row-major order, as
// float64 and as stored (see [NetCDF.Read]).
func (nc *NetCDF) ReadSlab(name string, start, count []int64) ([]float64, error) {
	v, ok := nc.Var(name)
	if !ok {
		return nil, nc.noVar(name)
	}
	rank := len(v.Shape)
	if len(start) != rank || len(count) != rank {
		return nil, fmt.Errorf("netcdf %s: variable %s has %d dimensions; got %d starts and %d counts", nc.Name, name, rank, len(start), len(count))
	}
	n := int64(1)
	for j := range rank {
		if start[j] < 0 || count[j] < 0 || start[j] > v.Shape[j] || count[j] > v.Shape[j]-start[j] {
			return nil, fmt.Errorf("netcdf %s: variable %s: slab %d+%d along dimension %d is outside its length %d",
				nc.Name, name, start[j], count[j], j, v.Shape[j])
		}
		n *= count[j] // ≤ Len, whose size was checked
	}
	if n == 0 {
		return []float64{}, nil
	}
	if nc.h5 != nil {
		return nc.readSlabHDF5(v, start, count, n)
	}
	ext := int64(v.Type.Size())
	// The values must be in the file: check the last one.
	last := make([]int64, rank)
	for j := range rank {
		last[j] = start[j] + count[j] - 1
	}
	if end, ok := nc.offset(v, last); !ok || end > nc.size-ext {
		return nil, fmt.Errorf("netcdf %s: variable %s: the file ends (%d bytes) before its data (truncated file?)", nc.Name, name, nc.size)
	}
	// Runs of contiguous values: the innermost dimensions that the slab
	// covers whole are read together with the one before them, but never
	// across records.
	lo := 0
	if v.Record {
		lo = 1
	}
	k := max(rank-1, lo)
	for k > lo && start[k] == 0 && count[k] == v.Shape[k] {
		k--
	}
	run := int64(1)
	for j := k; j < rank; j++ {
		run *= count[j]
	}
	out := make([]float64, 0, n)
	buf := make([]byte, run*ext)
	idx := make([]int64, rank)
	copy(idx, start)
	for {
		off, _ := nc.offset(v, idx)
		if m, err := nc.r.ReadAt(buf, off); err != nil && !(errors.Is(err, io.EOF) && m == len(buf)) {
			return nil, fmt.Errorf("netcdf %s: variable %s: reading %d bytes at %d: %w", nc.Name, name, len(buf), off, err)
		}
		out = appendValues(out, v.Type, buf)
		// Advance the index over the dimensions before k.
		j := k - 1
		for ; j >= 0; j-- {
			idx[j]++
			if idx[j] < start[j]+count[j] {
				break
			}
			idx[j] = start[j]
		}
		if j < 0 {
			break
		}
	}
	return out, nil
}

// offset returns the byte offset of the value at index idx of v.
func (nc *NetCDF) offset(v *Var, idx []int64) (int64, bool) {
	// Row-major offset within one record slab (or the whole variable).
	var inner int64
	stride := int64(1)
	for j := len(idx) - 1; j >= 0; j-- {
		if v.Record && j == 0 {
			break
		}
		inner += idx[j] * stride
		stride *= v.Shape[j]
	}
	off, ok := mul(inner, int64(v.Type.Size()))
	if !ok {
		return 0, false
	}
	off += v.Begin
	if v.Record && len(idx) > 0 {
		r, ok := mul(idx[0], nc.recSize)
		if !ok {
			return 0, false
		}
		off += r
	}
	if off < 0 {
		return 0, false
	}
	return off, true
}

func appendValues(out []float64, t Type, b []byte) []float64 {
	be := binary.BigEndian
	switch t {
	case Byte:
		for _, x := range b {
			out = append(out, float64(int8(x)))
		}
	case Char, UByte:
		for _, x := range b {
			out = append(out, float64(x))
		}
	case Short:
		for i := 0; i+2 <= len(b); i += 2 {
			out = append(out, float64(int16(be.Uint16(b[i:]))))
		}
	case UShort:
		for i := 0; i+2 <= len(b); i += 2 {
			out = append(out, float64(be.Uint16(b[i:])))
		}
	case Int:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, float64(int32(be.Uint32(b[i:]))))
		}
	case UInt:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, float64(be.Uint32(b[i:])))
		}
	case Float:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, float64(math.Float32frombits(be.Uint32(b[i:]))))
		}
	case Double:
		for i := 0; i+8 <= len(b); i += 8 {
			out = append(out, math.Float64frombits(be.Uint64(b[i:])))
		}
	case Int64:
		for i := 0; i+8 <= len(b); i += 8 {
			out = append(out, float64(int64(be.Uint64(b[i:]))))
		}
	case UInt64:
		for i := 0; i+8 <= len(b); i += 8 {
			out = append(out, float64(be.Uint64(b[i:])))
		}
	}
	return out
}
