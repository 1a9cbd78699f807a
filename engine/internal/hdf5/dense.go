package hdf5

import (
	"fmt"
	"math/bits"
	"sort"
)

// Dense attribute storage (specification III.G "Fractal Heap" and III.A.2
// "Version 2 B-trees"): an object with many attributes keeps them as
// attribute messages in a fractal heap, indexed by name in a version-2
// B-tree whose records hold each message's heap ID. This package reads
// B-trees of depth 0 (one leaf: up to some dozens of attributes) and heaps
// whose root is a direct block or an indirect block of direct blocks,
// with managed and tiny objects.

// fractalHeap is what this package keeps of a fractal heap header.
type fractalHeap struct {
	addr       uint64
	idLen      int
	filtered   bool
	maxManaged uint64
	width      int
	startBlock uint64
	maxDirect  uint64
	maxBits    int // bits of the heap's address space
	root       uint64
	rows       int // rows of the root indirect block; 0: a direct block
	checksums  bool
}

func (f *File) fractalHeap(addr uint64, what string) (*fractalHeap, error) {
	n := uint64(4 + 1 + 2 + 2 + 1 + 4 + 12*f.lenSize + 3*f.offSize + 2 + 2 + 2 + 2 + 4)
	b, err := f.read(addr, n, what+": fractal heap")
	if err != nil {
		return nil, err
	}
	d := f.dec(b, what+": fractal heap")
	d.sig("FRHP")
	if v := d.u8(); d.err == nil && v != 0 {
		d.fail("version %d (want 0)", v)
	}
	h := &fractalHeap{addr: addr}
	h.idLen = d.u16()
	h.filtered = d.u16() > 0
	flags := d.u8()
	h.checksums = flags&0x02 != 0
	h.maxManaged = d.u32()
	d.length() // next huge id
	d.addr()   // huge objects B-tree
	d.length() // free space
	d.addr()   // free-space manager
	for range 8 {
		d.length() // managed space, allocated, iterator, counts and sizes
	}
	h.width = d.u16()
	h.startBlock = d.length()
	h.maxDirect = d.length()
	h.maxBits = d.u16()
	d.u16() // starting rows
	h.root = d.addr()
	h.rows = d.u16()
	if d.err != nil {
		return nil, d.err
	}
	if h.filtered {
		return nil, f.unsupported("%s: a filtered fractal heap", what)
	}
	if h.width <= 0 || h.width > 1<<16 || h.startBlock == 0 || h.maxBits <= 0 || h.maxBits > 64 {
		return nil, f.errorf("%s: fractal heap of width %d, blocks of %d bytes, %d address bits (corrupt)", what, h.width, h.startBlock, h.maxBits)
	}
	return h, nil
}

// object returns the heap object of that ID.
func (h *fractalHeap) object(f *File, id []byte, what string) ([]byte, error) {
	if len(id) == 0 {
		return nil, f.errorf("%s: empty heap ID", what)
	}
	switch id[0] >> 4 & 3 {
	case 2: // tiny: the data are in the ID
		n := int(id[0]&0x0f) + 1
		if n > len(id)-1 {
			return nil, f.errorf("%s: tiny heap object of %d bytes in an ID of %d", what, n, len(id))
		}
		return id[1 : 1+n], nil
	case 0:
	default:
		return nil, f.unsupported("%s: a huge fractal-heap object", what)
	}
	offBytes := (h.maxBits + 7) / 8
	lenBytes := (bits.Len64(min(h.maxDirect, h.maxManaged)) + 7) / 8
	d := f.dec(id[1:], what+": heap ID")
	off := d.uint(offBytes)
	n := d.uint(lenBytes)
	if d.err != nil {
		return nil, d.err
	}
	block, start, err := h.directBlock(f, off, what)
	if err != nil {
		return nil, err
	}
	return f.read(block+(off-start), n, what+": heap object")
}

// directBlock finds the direct block holding heap offset off; it returns
// its address and the heap offset of its start.
func (h *fractalHeap) directBlock(f *File, off uint64, what string) (addr, start uint64, err error) {
	if h.rows == 0 {
		return h.root, 0, nil
	}
	// Root indirect block: FHIB, version, heap address, block offset,
	// then width child addresses per row.
	offBytes := (h.maxBits + 7) / 8
	rowSize := func(r int) uint64 {
		if r < 2 {
			return h.startBlock
		}
		return h.startBlock << (r - 1)
	}
	var pos uint64
	for r := range h.rows {
		size := rowSize(r)
		if size > h.maxDirect {
			break
		}
		for c := range h.width {
			if off < pos+size {
				k := uint64(r*h.width + c)
				b, err := f.read(h.root+uint64(5+f.offSize+offBytes)+k*uint64(f.offSize), uint64(f.offSize), what+": fractal heap indirect block")
				if err != nil {
					return 0, 0, err
				}
				a := f.dec(b, what).addr()
				if a == undef {
					return 0, 0, f.errorf("%s: heap offset %d is in a block never written", what, off)
				}
				return a, pos, nil
			}
			pos += size
		}
	}
	return 0, 0, f.unsupported("%s: a fractal heap with nested indirect blocks", what)
}

// denseAttributes reads the attributes stored in the fractal heap at heap,
// indexed by the version-2 B-tree at index, in creation order.
func (f *File) denseAttributes(heap, index uint64, what string) ([]Attribute, error) {
	h, err := f.fractalHeap(heap, what)
	if err != nil {
		return nil, err
	}
	b, err := f.read(index, uint64(4+2+4+2+2+2+f.offSize+2+f.lenSize), what+": attribute index")
	if err != nil {
		return nil, err
	}
	d := f.dec(b, what+": attribute index")
	d.sig("BTHD")
	d.skip(1)
	typ := d.u8()
	d.u32() // node size
	recSize := d.u16()
	depth := d.u16()
	d.skip(2)
	root := d.addr()
	nrec := d.u16()
	if d.err != nil {
		return nil, d.err
	}
	if typ != 8 {
		return nil, f.errorf("%s: attribute index of B-tree type %d (want 8)", what, typ)
	}
	if depth != 0 {
		return nil, f.unsupported("%s: an attribute index of depth %d (more attributes than one B-tree leaf holds)", what, depth)
	}
	if nrec == 0 || root == undef {
		return nil, nil
	}
	if recSize < h.idLen+9 {
		return nil, f.errorf("%s: attribute index records of %d bytes", what, recSize)
	}
	leaf, err := f.read(root, uint64(6+nrec*recSize), what+": attribute index leaf")
	if err != nil {
		return nil, err
	}
	d = f.dec(leaf, what+": attribute index leaf")
	d.sig("BTLF")
	d.skip(2)
	type rec struct {
		id    []byte
		order uint64
	}
	recs := make([]rec, nrec)
	for i := range recs {
		r := d.bytes(recSize)
		if d.err != nil {
			return nil, d.err
		}
		recs[i] = rec{r[:h.idLen], f.dec(r[h.idLen+1:], "").uint(4)}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].order < recs[j].order })
	var out []Attribute
	for _, r := range recs {
		msg, err := h.object(f, r.id, what+": dense attribute")
		if err != nil {
			return nil, err
		}
		a, err := f.attribute(f.dec(msg, fmt.Sprintf("%s: dense attribute", what)))
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
