package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Layout classes.
const (
	layoutCompact    = 0
	layoutContiguous = 1
	layoutChunked    = 2
)

// Chunk indexes of layout version 4.
const (
	indexBTree1   = 0 // layouts 1–3: a version-1 B-tree
	indexSingle   = 1
	indexImplicit = 2
	indexFixed    = 3
	indexExtArray = 4
	indexBTree2   = 5
)

// layout is a data layout message.
type layout struct {
	class   int
	addr    uint64 // contiguous data, chunk index or single chunk
	size    uint64 // contiguous size; filtered size of a single chunk
	compact []byte
	chunk   []uint64 // chunk dimensions (without the element size)
	index   int
	mask    uint32 // filter mask of a filtered single chunk
}

// filter is one filter of a pipeline.
type filter struct {
	id     int
	name   string
	flags  int
	params []uint32
}

// Filter ids this package applies.
const (
	filterDeflate    = 1
	filterShuffle    = 2
	filterFletcher32 = 3
)

// layout decodes a data layout message (versions 1 to 4).
func (d *dec) layout() layout {
	var l layout
	v := d.u8()
	switch v {
	case 1, 2:
		rank := d.u8()
		l.class = d.u8()
		d.skip(5)
		if l.class != layoutCompact {
			l.addr = d.addr()
		}
		dims := make([]uint64, rank)
		for i := range dims {
			dims[i] = d.u32()
		}
		if l.class == layoutChunked {
			d.u32() // element size
			if rank > 0 {
				l.chunk = dims[:rank-1]
			}
		}
		if l.class == layoutCompact {
			n := int(d.u32())
			l.compact = d.bytes(n)
		}
		if l.class == layoutContiguous {
			l.size = undef // from the dataspace
		}
	case 3, 4:
		l.class = d.u8()
		switch l.class {
		case layoutCompact:
			n := d.u16()
			l.compact = d.bytes(n)
		case layoutContiguous:
			l.addr = d.addr()
			l.size = d.length()
		case layoutChunked:
			if v == 3 {
				rank := d.u8()
				l.addr = d.addr()
				dims := make([]uint64, rank)
				for i := range dims {
					dims[i] = d.u32()
				}
				if rank > 0 {
					l.chunk = dims[:rank-1] // the last is the element size
				}
				break
			}
			flags := d.u8()
			rank := d.u8()
			enc := d.u8()
			if d.err == nil && (enc < 1 || enc > 8) {
				d.fail("chunk dimensions encoded in %d bytes", enc)
				return l
			}
			dims := make([]uint64, rank)
			for i := range dims {
				dims[i] = d.uint(enc)
			}
			if rank > 0 {
				l.chunk = dims[:rank-1]
			}
			l.index = d.u8()
			switch l.index {
			case indexSingle:
				if flags&0x02 != 0 {
					l.size = d.length()
					l.mask = uint32(d.u32())
				}
			case indexImplicit:
			case indexFixed:
				d.skip(1)
			case indexExtArray:
				d.skip(5)
			case indexBTree2:
				d.skip(6)
			default:
				d.fail("chunk index type %d", l.index)
			}
			l.addr = d.addr()
		default:
			d.fail("layout class %d (want 0, 1 or 2)", l.class)
		}
	default:
		d.fail("data layout version %d (want 1 to 4)", v)
	}
	return l
}

// filters decodes a filter pipeline message (versions 1 and 2).
func (d *dec) filters() []filter {
	v := d.u8()
	n := d.u8()
	if v == 1 {
		d.skip(6)
	} else if v != 2 {
		d.fail("filter pipeline version %d (want 1 or 2)", v)
		return nil
	}
	var out []filter
	for range n {
		var f filter
		f.id = d.u16()
		nameLen := 0
		if v == 1 || f.id >= 256 {
			nameLen = d.u16()
		}
		f.flags = d.u16()
		nvals := d.u16()
		if nameLen > 0 {
			b := d.bytes(nameLen)
			f.name = string(bytes.TrimRight(b, "\x00"))
			if v == 1 && nameLen%8 != 0 {
				d.skip(8 - nameLen%8)
			}
		}
		for range nvals {
			f.params = append(f.params, uint32(d.u32()))
		}
		if v == 1 && nvals%2 == 1 {
			d.skip(4)
		}
		if d.err != nil {
			return nil
		}
		out = append(out, f)
	}
	return out
}

// attribute decodes an attribute message (versions 1 to 3).
func (f *File) attribute(d *dec) (Attribute, error) {
	var a Attribute
	v := d.u8()
	if v < 1 || v > 3 {
		d.fail("attribute message version %d (want 1 to 3)", v)
		return a, d.err
	}
	flags := d.u8()
	nameLen, typeLen, spaceLen := d.u16(), d.u16(), d.u16()
	if v == 3 {
		d.skip(1) // name encoding
	}
	pad := func(n int) int {
		if v == 1 && n%8 != 0 {
			return n + 8 - n%8
		}
		return n
	}
	name := d.bytes(pad(nameLen))
	if d.err != nil {
		return a, d.err
	}
	a.Name = string(bytes.TrimRight(name[:nameLen], "\x00"))
	if flags&0x03 != 0 {
		return a, f.unsupported("attribute %q: shared datatype or dataspace", a.Name)
	}
	tb := d.bytes(pad(typeLen))
	sb := d.bytes(pad(spaceLen))
	if d.err != nil {
		return a, d.err
	}
	td := f.dec(tb, d.what+": attribute "+a.Name+": datatype")
	a.Type = td.datatype(0)
	sd := f.dec(sb, d.what+": attribute "+a.Name+": dataspace")
	space := sd.dataspace()
	if td.err != nil {
		return a, td.err
	}
	if sd.err != nil {
		return a, sd.err
	}
	a.Shape = space.Dims
	n := space.Len()
	if a.Type.Size <= 0 || n > uint64(d.left())/uint64(a.Type.Size) {
		return a, f.errorf("%s: attribute %q: %d values of %d bytes do not fit in its message (%d bytes left)", d.what, a.Name, n, a.Type.Size, d.left())
	}
	data := d.bytes(int(n) * a.Type.Size)
	val, err := f.decode(a.Type, data, int(n), "attribute "+a.Name)
	if err != nil {
		return a, err
	}
	a.Value = val
	return a, nil
}

// decode decodes n values of type t (see [Attribute] for the Go types);
// nil for a type it does not decode.
func (f *File) decode(t Datatype, b []byte, n int, what string) (any, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	if t.BigEndian {
		bo = binary.BigEndian
	}
	switch t.Class {
	case ClassFixed:
		switch {
		case t.Size == 1 && t.Signed:
			return each(b, n, 1, func(p []byte) int8 { return int8(p[0]) }), nil
		case t.Size == 1:
			return each(b, n, 1, func(p []byte) uint8 { return p[0] }), nil
		case t.Size == 2 && t.Signed:
			return each(b, n, 2, func(p []byte) int16 { return int16(bo.Uint16(p)) }), nil
		case t.Size == 2:
			return each(b, n, 2, bo.Uint16), nil
		case t.Size == 4 && t.Signed:
			return each(b, n, 4, func(p []byte) int32 { return int32(bo.Uint32(p)) }), nil
		case t.Size == 4:
			return each(b, n, 4, bo.Uint32), nil
		case t.Size == 8 && t.Signed:
			return each(b, n, 8, func(p []byte) int64 { return int64(bo.Uint64(p)) }), nil
		case t.Size == 8:
			return each(b, n, 8, bo.Uint64), nil
		}
	case ClassFloat:
		switch t.Size {
		case 4:
			return each(b, n, 4, func(p []byte) float32 { return math.Float32frombits(bo.Uint32(p)) }), nil
		case 8:
			return each(b, n, 8, func(p []byte) float64 { return math.Float64frombits(bo.Uint64(p)) }), nil
		}
	case ClassString:
		s := each(b, n, t.Size, func(p []byte) string { return string(bytes.TrimRight(p, "\x00 ")) })
		if n == 1 {
			return s[0], nil
		}
		return s, nil
	case ClassReference:
		if t.Size == f.offSize || t.Size == 8 {
			return each(b, n, t.Size, func(p []byte) uint64 { return f.dec(p, "").uint(len(p)) }), nil
		}
	case ClassVarLen:
		if t.Base == nil {
			return nil, nil
		}
		idSize := 4 + f.offSize + 4
		if t.Size < idSize {
			return nil, f.errorf("%s: variable-length element of %d bytes (want %d)", what, t.Size, idSize)
		}
		var strs []string
		var seqs [][]uint64
		for i := range n {
			d := f.dec(b[i*t.Size:(i+1)*t.Size], what)
			count := d.u32()
			coll := d.addr()
			idx := d.u32()
			if d.err != nil {
				return nil, d.err
			}
			var obj []byte
			if count > 0 {
				var err error
				obj, err = f.heapObject(coll, idx, what)
				if err != nil {
					return nil, err
				}
			}
			switch {
			case t.VarString:
				strs = append(strs, string(bytes.TrimRight(obj, "\x00")))
			case t.Base.Class == ClassReference && t.Base.Size > 0:
				if count*uint64(t.Base.Size) > uint64(len(obj)) {
					return nil, f.errorf("%s: a sequence of %d references in a heap object of %d bytes", what, count, len(obj))
				}
				refs := each(obj, int(count), t.Base.Size, func(p []byte) uint64 { return f.dec(p, "").uint(len(p)) })
				seqs = append(seqs, refs)
			default:
				return nil, nil
			}
		}
		if t.VarString {
			if n == 1 {
				return strs[0], nil
			}
			return strs, nil
		}
		return seqs, nil
	}
	return nil, nil
}

// each decodes n values of size bytes each.
func each[T any](b []byte, n, size int, f func([]byte) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = f(b[i*size : (i+1)*size])
	}
	return out
}

// heapObject is an object of a global heap collection.
type heapObject struct {
	index uint64
	data  []byte
}

// heapObject returns object idx of the global heap collection at addr.
func (f *File) heapObject(addr, idx uint64, what string) ([]byte, error) {
	objs, ok := f.heaps[addr]
	if !ok {
		head, err := f.read(addr, uint64(8+f.lenSize), what+": global heap")
		if err != nil {
			return nil, err
		}
		d := f.dec(head, what+": global heap")
		d.sig("GCOL")
		d.skip(4)
		size := d.length()
		if d.err != nil {
			return nil, d.err
		}
		b, err := f.read(addr, size, what+": global heap")
		if err != nil {
			return nil, err
		}
		d = f.dec(b, what+": global heap")
		d.skip(8 + f.lenSize)
		for d.err == nil && d.left() >= 8+f.lenSize {
			i := uint64(d.u16())
			d.skip(6) // reference count, reserved
			n := d.length()
			if i == 0 { // free space: the end
				break
			}
			if n > uint64(d.left()) {
				d.fail("object %d of %d bytes beyond the collection", i, n)
				break
			}
			objs = append(objs, heapObject{i, d.bytes(int(n))})
			if r := n % 8; r != 0 {
				d.skip(int(8 - r))
			}
		}
		if d.err != nil {
			return nil, d.err
		}
		f.heaps[addr] = objs
	}
	for _, o := range objs {
		if o.index == idx {
			return o.data, nil
		}
	}
	return nil, f.errorf("%s: no object %d in the global heap at %d", what, idx, addr)
}

// checkDataset checks what can be checked of a dataset before reading it:
// its type, filters and layout.
func (f *File) checkDataset(o *Object) error {
	what := fmt.Sprintf("dataset %q", o.Name)
	switch o.Type.Class {
	case ClassFixed, ClassFloat, ClassString:
	default:
		// Readable as an object (attributes), not its data: Read fails.
	}
	if o.Type.Size <= 0 {
		return f.errorf("%s: elements of %d bytes", what, o.Type.Size)
	}
	for _, fl := range o.filters {
		switch fl.id {
		case filterDeflate, filterShuffle, filterFletcher32:
		default:
			if fl.flags&1 == 0 { // mandatory
				return f.unsupported("%s: filter %d (%s)", what, fl.id, fl.name)
			}
		}
	}
	l := o.layout
	if l.class == layoutChunked {
		if len(l.chunk) != len(o.Space.Dims) {
			return f.errorf("%s: chunks of %d dimensions for a dataset of %d", what, len(l.chunk), len(o.Space.Dims))
		}
		for _, c := range l.chunk {
			if c == 0 {
				return f.errorf("%s: a chunk dimension of 0", what)
			}
		}
		switch l.index {
		case indexBTree1, indexSingle, indexImplicit:
		case indexFixed:
			return f.unsupported("%s: chunk index of a fixed array", what)
		case indexExtArray:
			return f.unsupported("%s: chunk index of an extensible array", what)
		case indexBTree2:
			return f.unsupported("%s: chunk index of a version-2 B-tree", what)
		}
	}
	return nil
}

// maxData bounds the bytes of one dataset this package reads (256 MiB).
const maxData = 1 << 28

// Read returns the raw bytes of all elements of dataset o, row-major (last
// dimension fastest), in the file's byte order (see Datatype.BigEndian);
// parts of a chunked dataset never written hold zeros.
func (f *File) Read(o *Object) ([]byte, error) {
	what := fmt.Sprintf("dataset %q", o.Name)
	if !o.Dataset {
		return nil, f.errorf("%s is not a dataset", o.Name)
	}
	n := o.Space.Len()
	es := uint64(o.Type.Size)
	if n > maxData/es {
		return nil, f.errorf("%s: %d elements of %d bytes: more than this reader reads at once (%d bytes)", what, n, es, maxData)
	}
	total := n * es
	l := o.layout
	switch l.class {
	case layoutCompact:
		if uint64(len(l.compact)) < total {
			return nil, f.errorf("%s: %d bytes of compact data for %d elements", what, len(l.compact), n)
		}
		return append([]byte(nil), l.compact[:total]...), nil
	case layoutContiguous:
		if l.addr == undef || total == 0 {
			return make([]byte, total), nil // never written
		}
		return f.read(l.addr, total, what+": data")
	}
	out := make([]byte, total)
	if total == 0 || l.addr == undef {
		return out, nil
	}
	rank := len(o.Space.Dims)
	chunkBytes := es
	for _, c := range l.chunk {
		if chunkBytes > maxData/c {
			return nil, f.errorf("%s: chunks of %v elements are too large", what, l.chunk)
		}
		chunkBytes *= c
	}
	put := func(off []uint64, size uint64, mask uint32, addr uint64) error {
		raw, err := f.read(addr, size, what+": chunk")
		if err != nil {
			return err
		}
		data, err := f.unfilter(o, raw, mask, chunkBytes, what)
		if err != nil {
			return err
		}
		if uint64(len(data)) < chunkBytes {
			return f.errorf("%s: chunk at %v holds %d bytes, want %d", what, off, len(data), chunkBytes)
		}
		f.place(out, data, off, o.Space.Dims, l.chunk, es)
		return nil
	}
	switch l.index {
	case indexSingle:
		size := l.size
		if len(o.filters) == 0 || size == 0 {
			size = chunkBytes
		}
		return out, put(make([]uint64, rank), size, l.mask, l.addr)
	case indexImplicit:
		// Chunks one after the other, row-major over the chunk grid.
		off := make([]uint64, rank)
		addr := l.addr
		for {
			if err := put(off, chunkBytes, 0, addr); err != nil {
				return nil, err
			}
			addr += chunkBytes
			j := rank - 1
			for ; j >= 0; j-- {
				off[j] += l.chunk[j]
				if off[j] < o.Space.Dims[j] {
					break
				}
				off[j] = 0
			}
			if j < 0 {
				return out, nil
			}
		}
	}
	return out, f.btreeChunks(l.addr, rank, what, put)
}

// btreeChunks walks a version-1 B-tree of chunks (node type 1), calling
// put for each chunk.
func (f *File) btreeChunks(root uint64, rank int, what string, put func(off []uint64, size uint64, mask uint32, addr uint64) error) error {
	keySize := 8 + 8*(rank+1)
	visited := 0
	var walk func(addr uint64, depth int) error
	walk = func(addr uint64, depth int) error {
		if depth > 64 || visited > 1<<22 {
			return f.errorf("%s: chunk B-tree too deep or too large (corrupt)", what)
		}
		visited++
		head, err := f.read(addr, uint64(8+2*f.offSize), what+": chunk B-tree")
		if err != nil {
			return err
		}
		d := f.dec(head, what+": chunk B-tree")
		d.sig("TREE")
		typ, level, entries := d.u8(), d.u8(), d.u16()
		if d.err != nil {
			return d.err
		}
		if typ != 1 {
			return f.errorf("%s: B-tree node type %d for chunks (want 1)", what, typ)
		}
		body, err := f.read(addr+uint64(8+2*f.offSize), uint64(entries*(keySize+f.offSize)+keySize), what+": chunk B-tree")
		if err != nil {
			return err
		}
		d = f.dec(body, what+": chunk B-tree")
		for range entries {
			size := d.u32()
			mask := uint32(d.u32())
			off := make([]uint64, rank)
			for j := range off {
				off[j] = d.uint(8)
			}
			d.skip(8) // the element-size dimension
			child := d.addr()
			if d.err != nil {
				return d.err
			}
			if level > 0 {
				err = walk(child, depth+1)
			} else {
				err = put(off, size, mask, child)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, 0)
}

// unfilter undoes the filter pipeline of o on one chunk, in reverse order;
// filters whose bit is set in mask were not applied to it.
func (f *File) unfilter(o *Object, b []byte, mask uint32, want uint64, what string) ([]byte, error) {
	for i := len(o.filters) - 1; i >= 0; i-- {
		if mask&(1<<i) != 0 {
			continue
		}
		fl := o.filters[i]
		switch fl.id {
		case filterDeflate:
			zr, err := zlib.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, f.errorf("%s: deflate: %v", what, err)
			}
			out, err := io.ReadAll(io.LimitReader(zr, int64(want)+1))
			if err != nil {
				return nil, f.errorf("%s: deflate: %v", what, err)
			}
			b = out
		case filterShuffle:
			es := o.Type.Size
			if len(fl.params) > 0 && fl.params[0] > 0 {
				es = int(fl.params[0])
			}
			b = unshuffle(b, es)
		case filterFletcher32:
			if len(b) < 4 {
				return nil, f.errorf("%s: chunk of %d bytes with a Fletcher-32 checksum", what, len(b))
			}
			b = b[:len(b)-4]
		default:
			return nil, f.unsupported("%s: filter %d (%s)", what, fl.id, fl.name)
		}
	}
	return b, nil
}

// unshuffle undoes the shuffle filter: byte k of every element was stored
// together, for k = 0 … es−1; trailing bytes that do not fill an element
// are left where they are.
func unshuffle(b []byte, es int) []byte {
	if es <= 1 {
		return b
	}
	n := len(b) / es
	out := make([]byte, len(b))
	for k := range es {
		src := b[k*n : (k+1)*n]
		for i, x := range src {
			out[i*es+k] = x
		}
	}
	copy(out[n*es:], b[n*es:])
	return out
}

// place copies a chunk, whose first element is at index off of the
// dataset, into the row-major array out, clipping at the dataset's edges.
func (f *File) place(out, chunk []byte, off, dims, cdims []uint64, es uint64) {
	rank := len(dims)
	if rank == 0 {
		copy(out, chunk)
		return
	}
	// Rows along the last dimension.
	last := rank - 1
	if off[last] >= dims[last] {
		return
	}
	rowLen := min(cdims[last], dims[last]-off[last]) * es
	idx := make([]uint64, rank) // index within the chunk
	for {
		// Destination and source offsets of this row.
		var dst, src uint64
		inside := true
		for j := range rank {
			g := off[j] + idx[j]
			if g >= dims[j] {
				inside = false
				break
			}
			dst = dst*dims[j] + g
			src = src*cdims[j] + idx[j]
		}
		if inside {
			copy(out[dst*es:dst*es+rowLen], chunk[src*es:src*es+rowLen])
		}
		j := last - 1
		for ; j >= 0; j-- {
			idx[j]++
			if idx[j] < cdims[j] {
				break
			}
			idx[j] = 0
		}
		if j < 0 {
			return
		}
	}
}

// Float64s reads all elements of a numeric dataset as float64, row-major.
func (f *File) Float64s(o *Object) ([]float64, error) {
	if o.Type.Class != ClassFixed && o.Type.Class != ClassFloat {
		return nil, f.errorf("dataset %q: %s values are not numbers", o.Name, o.Type)
	}
	b, err := f.Read(o)
	if err != nil {
		return nil, err
	}
	v, err := ToFloat64s(o.Type, b)
	if err != nil {
		return nil, f.errorf("dataset %q: %v", o.Name, err)
	}
	return v, nil
}

// ToFloat64s converts raw numeric elements of type t to float64.
func ToFloat64s(t Datatype, b []byte) ([]float64, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	if t.BigEndian {
		bo = binary.BigEndian
	}
	es := t.Size
	if es <= 0 {
		return nil, fmt.Errorf("hdf5: elements of %d bytes", es)
	}
	n := len(b) / es
	out := make([]float64, n)
	switch {
	case t.Class == ClassFloat && es == 4:
		for i := range out {
			out[i] = float64(math.Float32frombits(bo.Uint32(b[i*4:])))
		}
	case t.Class == ClassFloat && es == 8:
		for i := range out {
			out[i] = math.Float64frombits(bo.Uint64(b[i*8:]))
		}
	case t.Class == ClassFixed && es == 1:
		for i := range out {
			if t.Signed {
				out[i] = float64(int8(b[i]))
			} else {
				out[i] = float64(b[i])
			}
		}
	case t.Class == ClassFixed && es == 2:
		for i := range out {
			u := bo.Uint16(b[i*2:])
			if t.Signed {
				out[i] = float64(int16(u))
			} else {
				out[i] = float64(u)
			}
		}
	case t.Class == ClassFixed && es == 4:
		for i := range out {
			u := bo.Uint32(b[i*4:])
			if t.Signed {
				out[i] = float64(int32(u))
			} else {
				out[i] = float64(u)
			}
		}
	case t.Class == ClassFixed && es == 8:
		for i := range out {
			u := bo.Uint64(b[i*8:])
			if t.Signed {
				out[i] = float64(int64(u))
			} else {
				out[i] = float64(u)
			}
		}
	default:
		return nil, fmt.Errorf("hdf5: %s values are not numbers this reader converts", t)
	}
	return out, nil
}
