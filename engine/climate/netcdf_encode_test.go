package climate

import (
	"math"
)

// A small NetCDF classic writer for the tests, written from the same
// specification as the reader: it lays out the header, the fixed-size
// variables and the interleaved records, so that the tests can make files
// of every version, type and layout and read them back.

type ncDim struct {
	name string
	len  int64 // 0: the record dimension
}

type ncAttr struct {
	name string
	typ  Type
	val  any // string for Char, else a slice of the Go type
}

type ncVar struct {
	name  string
	dims  []int
	typ   Type
	attrs []ncAttr
	data  any // all values, row-major, as a slice of the Go type
}

type ncSpec struct {
	version   int
	numrecs   int64
	streaming bool
	dims      []ncDim
	attrs     []ncAttr
	vars      []ncVar
}

// mustEncode is encodeValues for the tests' own specs, which are right.
func mustEncode(t Type, v any) []byte {
	b, err := encodeValues(t, v)
	if err != nil {
		panic(err)
	}
	return b
}

// attrs writes the tests' attribute list through the writer's own
// attrList (the tests' values are right, so encodeValues accepts them).
func (e *encoder) attrs(list []ncAttr) {
	as := make([]Attr, len(list))
	for i, a := range list {
		mustEncode(a.typ, a.val)
		as[i] = Attr{Name: a.name, Type: a.typ, Value: a.val}
	}
	e.attrList(as)
}

// encode writes the file of spec s.
func encode(s ncSpec) []byte {
	recDim := -1
	for i, d := range s.dims {
		if d.len == 0 {
			recDim = i
		}
	}
	isRec := func(v ncVar) bool { return len(v.dims) > 0 && v.dims[0] == recDim }
	// Bytes per record slab (record variables) or of all data.
	slab := make([]int64, len(s.vars))
	nrec := 0
	for i, v := range s.vars {
		n := int64(v.typ.Size())
		for j, id := range v.dims {
			if j == 0 && id == recDim {
				continue
			}
			n *= s.dims[id].len
		}
		slab[i] = n
		if isRec(v) {
			nrec++
		}
	}
	pad4 := func(n int64) int64 { return (n + 3) &^ 3 }

	header := func(begins []int64) []byte {
		e := &encoder{version: s.version}
		e.b = append(e.b, 'C', 'D', 'F', byte(s.version))
		switch {
		case s.streaming && s.version == CDF5:
			e.u64(math.MaxUint64)
		case s.streaming:
			e.u32(math.MaxUint32)
		default:
			e.nonNeg(s.numrecs)
		}
		if len(s.dims) == 0 {
			e.u32(0)
			e.nonNeg(0)
		} else {
			e.u32(tagDimension)
			e.nonNeg(int64(len(s.dims)))
			for _, d := range s.dims {
				e.name(d.name)
				e.nonNeg(d.len)
			}
		}
		e.attrs(s.attrs)
		if len(s.vars) == 0 {
			e.u32(0)
			e.nonNeg(0)
		} else {
			e.u32(tagVariable)
			e.nonNeg(int64(len(s.vars)))
			for i, v := range s.vars {
				e.name(v.name)
				e.nonNeg(int64(len(v.dims)))
				for _, id := range v.dims {
					e.nonNeg(int64(id))
				}
				e.attrs(v.attrs)
				e.u32(uint32(v.typ))
				e.nonNeg(pad4(slab[i])) // vsize, always padded
				e.offset(begins[i])
			}
		}
		return e.b
	}

	begins := make([]int64, len(s.vars))
	hlen := int64(len(header(begins)))
	pos := hlen
	for i, v := range s.vars {
		if !isRec(v) {
			begins[i] = pos
			pos += pad4(slab[i])
		}
	}
	recSize := int64(0)
	for i, v := range s.vars {
		if isRec(v) {
			begins[i] = pos + recSize
			if nrec > 1 {
				recSize += pad4(slab[i])
			} else {
				recSize += slab[i]
			}
		}
	}
	out := header(begins)
	for _, v := range s.vars {
		if !isRec(v) {
			out = append(out, mustEncode(v.typ, v.data)...)
			for int64(len(out))%4 != 0 {
				out = append(out, 0)
			}
		}
	}
	for r := range s.numrecs {
		for i, v := range s.vars {
			if !isRec(v) {
				continue
			}
			raw := mustEncode(v.typ, v.data)
			out = append(out, raw[r*slab[i]:(r+1)*slab[i]]...)
			if nrec > 1 {
				for int64(len(out))%4 != 0 {
					out = append(out, 0)
				}
			}
		}
	}
	return out
}
