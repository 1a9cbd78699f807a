package hdf5

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// Magic is the signature that starts an HDF5 file (or follows its user
// block).
const Magic = "\x89HDF\r\n\x1a\n"

// ErrUnsupported is wrapped by the errors for HDF5 features outside the
// subset this package reads (see the package documentation).
var ErrUnsupported = errors.New("an HDF5 feature this reader lacks")

// undef is the undefined address.
const undef = math.MaxUint64

// File is an open HDF5 file: the members of its root group, read at once,
// and access to their data.
type File struct {
	// Name names the file in errors.
	Name string
	// Superblock is the version of the superblock (0–3).
	Superblock int
	// Objects are the members of the root group, in creation order where
	// the file records it, else in the order of their addresses.
	Objects []*Object
	// Attrs are the root group's attributes.
	Attrs []Attribute

	r       io.ReaderAt
	size    int64
	base    uint64 // base address: addresses are relative to it
	offSize int    // bytes of an address
	lenSize int    // bytes of a length
	heaps   map[uint64][]heapObject
}

// Object is a member of a group: a dataset (Dataset is true) or another
// kind of object (a group, a committed datatype), of which only the name
// and attributes are read.
type Object struct {
	Name string
	// Addr is the address of the object header, as object references
	// point to it.
	Addr    uint64
	Dataset bool
	// Type and Space describe a dataset's elements and shape.
	Type  Datatype
	Space Dataspace
	Attrs []Attribute

	order   int64 // creation order, -1 when unknown
	layout  layout
	filters []filter
}

// Attr returns the object's attribute of that name.
func (o *Object) Attr(name string) (Attribute, bool) { return findAttr(o.Attrs, name) }

// Attr returns the root group's attribute of that name.
func (f *File) Attr(name string) (Attribute, bool) { return findAttr(f.Attrs, name) }

func findAttr(attrs []Attribute, name string) (Attribute, bool) {
	for _, a := range attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// Object returns the root-group member at header address addr.
func (f *File) Object(addr uint64) (*Object, bool) {
	for _, o := range f.Objects {
		if o.Addr == addr {
			return o, true
		}
	}
	return nil, false
}

// Attribute is an attribute of an object. Value holds a string for a
// scalar string, []string for an array of strings, a slice of the Go
// type of a numeric type ([]int8 … []uint64, []float32, []float64),
// [][]uint64 for variable-length sequences of object references (as in
// DIMENSION_LIST), []uint64 for object references, and nil for a type
// this package does not decode (Type.Class says which).
type Attribute struct {
	Name  string
	Type  Datatype
	Shape []uint64
	Value any
}

// Datatype classes.
const (
	ClassFixed     = 0
	ClassFloat     = 1
	ClassTime      = 2
	ClassString    = 3
	ClassBitfield  = 4
	ClassOpaque    = 5
	ClassCompound  = 6
	ClassReference = 7
	ClassEnum      = 8
	ClassVarLen    = 9
	ClassArray     = 10
)

var classNames = [...]string{"fixed-point", "floating-point", "time", "string", "bitfield", "opaque", "compound", "reference", "enumerated", "variable-length", "array"}

// Datatype is an HDF5 datatype, as far as this package decodes it.
type Datatype struct {
	Class int
	// Size is the size in bytes of one element.
	Size int
	// BigEndian is the byte order of fixed-point and floating-point data.
	BigEndian bool
	// Signed marks a signed fixed-point type.
	Signed bool
	// VarString marks a variable-length string (Class ClassVarLen).
	VarString bool
	// Base is the element type of a variable-length sequence.
	Base *Datatype
}

// String names the type.
func (t Datatype) String() string {
	name := fmt.Sprintf("class %d", t.Class)
	if t.Class >= 0 && t.Class < len(classNames) {
		name = classNames[t.Class]
	}
	switch t.Class {
	case ClassFixed:
		s := "unsigned"
		if t.Signed {
			s = "signed"
		}
		return fmt.Sprintf("%s %d-byte integer", s, t.Size)
	case ClassFloat:
		return fmt.Sprintf("%d-byte float", t.Size)
	case ClassString:
		return fmt.Sprintf("%d-byte string", t.Size)
	case ClassVarLen:
		if t.VarString {
			return "variable-length string"
		}
		if t.Base != nil {
			return "variable-length sequence of " + t.Base.String()
		}
	}
	return name
}

// Dataspace is the shape of a dataset or attribute.
type Dataspace struct {
	// Dims are the current sizes, slowest-varying first; none for a
	// scalar.
	Dims []uint64
	// MaxDims are the maximum sizes (Unlimited for an unlimited
	// dimension); nil when the file gives none (then they equal Dims).
	MaxDims []uint64
	// Null marks a dataspace with no elements.
	Null bool
}

// Unlimited is the maximum size of an unlimited dimension.
const Unlimited = math.MaxUint64

// Len returns the number of elements.
func (s Dataspace) Len() uint64 {
	if s.Null {
		return 0
	}
	n := uint64(1)
	for _, d := range s.Dims {
		n *= d // checked when the dataspace was read
	}
	return n
}

// Open reads the superblock and the root group of the HDF5 file of size
// bytes in r; name names it in errors.
func Open(r io.ReaderAt, size int64, name string) (*File, error) {
	f := &File{Name: name, r: r, size: size, heaps: map[uint64][]heapObject{}}
	root, err := f.superblock()
	if err != nil {
		return nil, err
	}
	h, err := f.header(root, "the root group")
	if err != nil {
		return nil, err
	}
	f.Attrs = h.attrs
	members, err := f.members(h, "the root group")
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		o, err := f.object(m)
		if err != nil {
			return nil, err
		}
		f.Objects = append(f.Objects, o)
	}
	sort.SliceStable(f.Objects, func(i, j int) bool {
		a, b := f.Objects[i], f.Objects[j]
		if a.order >= 0 && b.order >= 0 {
			return a.order < b.order
		}
		return a.Addr < b.Addr
	})
	return f, nil
}

// errorf makes an error that names the file.
func (f *File) errorf(format string, args ...any) error {
	return fmt.Errorf("hdf5 %s: %s", f.Name, fmt.Errorf(format, args...))
}

// unsupported makes an error for a feature outside the subset.
func (f *File) unsupported(what string, args ...any) error {
	return fmt.Errorf("hdf5 %s: %s: %w", f.Name, fmt.Sprintf(what, args...), ErrUnsupported)
}

// read reads n bytes at the (relative) address addr, checking that they
// are in the file.
func (f *File) read(addr uint64, n uint64, what string) ([]byte, error) {
	if addr == undef {
		return nil, f.errorf("%s: undefined address", what)
	}
	abs := addr + f.base
	if abs < addr || n > uint64(f.size) || abs > uint64(f.size)-n {
		return nil, f.errorf("%s: %d bytes at address %d are beyond the end of the file (%d bytes; truncated or corrupt)", what, n, abs, f.size)
	}
	b := make([]byte, n)
	if m, err := f.r.ReadAt(b, int64(abs)); err != nil && !(errors.Is(err, io.EOF) && m == len(b)) {
		return nil, f.errorf("%s: reading %d bytes at %d: %v", what, n, abs, err)
	}
	return b, nil
}

// dec decodes little-endian fields of a byte slice; the first error
// sticks, so that decoding code reads like the specification's tables.
type dec struct {
	b    []byte
	p    int
	f    *File
	what string
	err  error
}

func (f *File) dec(b []byte, what string) *dec { return &dec{b: b, f: f, what: what} }

func (d *dec) fail(format string, args ...any) {
	if d.err == nil {
		d.err = d.f.errorf("%s: %s", d.what, fmt.Sprintf(format, args...))
	}
}

func (d *dec) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.p {
		d.fail("needs %d bytes at byte %d of %d (corrupt or truncated)", n, d.p, len(d.b))
		return nil
	}
	b := d.b[d.p : d.p+n]
	d.p += n
	return b
}

func (d *dec) skip(n int) { d.bytes(n) }

func (d *dec) uint(n int) uint64 {
	b := d.bytes(n)
	if b == nil {
		return 0
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func (d *dec) u8() int      { return int(d.uint(1)) }
func (d *dec) u16() int     { return int(d.uint(2)) }
func (d *dec) u32() uint64  { return d.uint(4) }
func (d *dec) left() int    { return len(d.b) - d.p }
func (d *dec) sig(s string) { d.expect(s) }

// addr reads an address (offSize bytes); all ones is undefined.
func (d *dec) addr() uint64 {
	n := d.f.offSize
	v := d.uint(n)
	if n < 8 && v == 1<<(8*n)-1 {
		return undef
	}
	return v
}

// length reads a length (lenSize bytes).
func (d *dec) length() uint64 { return d.uint(d.f.lenSize) }

func (d *dec) expect(sig string) {
	b := d.bytes(len(sig))
	if b != nil && string(b) != sig {
		d.fail("signature %q, want %q", b, sig)
	}
}

// superblock reads the superblock and returns the address of the root
// group's object header.
func (f *File) superblock() (uint64, error) {
	// The superblock is at 0 or after a user block of 512, 1024, 2048…
	// bytes.
	var at int64 = -1
	for off := int64(0); off+8 <= f.size; off = max(512, off*2) {
		b := make([]byte, 8)
		if _, err := f.r.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
			return 0, f.errorf("%v", err)
		}
		if string(b) == Magic {
			at = off
			break
		}
	}
	if at < 0 {
		return 0, f.errorf("not an HDF5 file (no signature %q at 0, 512, 1024… bytes)", Magic)
	}
	head := make([]byte, min(f.size-at, 256))
	if _, err := f.r.ReadAt(head, at); err != nil && !errors.Is(err, io.EOF) {
		return 0, f.errorf("%v", err)
	}
	f.offSize, f.lenSize = 8, 8
	d := f.dec(head, "superblock")
	d.skip(8)
	f.Superblock = d.u8()
	var root uint64
	switch f.Superblock {
	case 0, 1:
		d.skip(4) // free-space, root symbol table, reserved, shared header versions
		f.offSize, f.lenSize = d.u8(), d.u8()
		if d.err == nil && !validSize(f.offSize) || !validSize(f.lenSize) {
			return 0, f.errorf("superblock: sizes of offsets %d and lengths %d bytes (want 2, 4 or 8)", f.offSize, f.lenSize)
		}
		d.skip(1 + 2 + 2 + 4) // reserved, leaf K, internal K, flags
		if f.Superblock == 1 {
			d.skip(4) // indexed storage K, reserved
		}
		f.base = d.addr()
		d.addr() // free space
		d.addr() // end of file
		d.addr() // driver information
		// Root group symbol table entry.
		d.addr() // link name offset
		root = d.addr()
	case 2, 3:
		f.offSize, f.lenSize = d.u8(), d.u8()
		if d.err == nil && !validSize(f.offSize) || !validSize(f.lenSize) {
			return 0, f.errorf("superblock: sizes of offsets %d and lengths %d bytes (want 2, 4 or 8)", f.offSize, f.lenSize)
		}
		d.skip(1) // flags
		f.base = d.addr()
		d.addr() // superblock extension
		d.addr() // end of file
		root = d.addr()
	default:
		return 0, f.errorf("superblock version %d (want 0 to 3)", f.Superblock)
	}
	if d.err != nil {
		return 0, d.err
	}
	if f.base == undef {
		f.base = 0
	}
	if at > 0 && f.base == 0 {
		f.base = uint64(at)
	}
	return root, nil
}

func validSize(n int) bool { return n == 2 || n == 4 || n == 8 }

// Message types of object headers.
const (
	msgNil          = 0x00
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgLink         = 0x06
	msgExternal     = 0x07
	msgLayout       = 0x08
	msgFilters      = 0x0B
	msgAttribute    = 0x0C
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgAttrInfo     = 0x15
)

// header is what this package keeps of an object header.
type header struct {
	addr    uint64
	attrs   []Attribute
	space   *Dataspace
	dtype   *Datatype
	layout  *layout
	filters []filter
	links   []link // compact links (new-style groups)
	symtab  *[2]uint64
	dense   string // what dense storage the object uses, if any
	// attrHeap and attrIndex locate dense attribute storage: a fractal
	// heap and its version-2 B-tree name index.
	attrHeap, attrIndex uint64
}

// message is one raw header message.
type message struct {
	typ   int
	flags int
	data  []byte
}

// maxBlocks bounds the continuation blocks of one header (a loop of
// continuations in a corrupt file ends here).
const maxBlocks = 1 << 12

// header reads the object header at addr; what names it in errors.
func (f *File) header(addr uint64, what string) (*header, error) {
	msgs, err := f.messages(addr, what)
	if err != nil {
		return nil, err
	}
	h := &header{addr: addr}
	for _, m := range msgs {
		if m.flags&0x02 != 0 && m.typ != msgNil {
			return nil, f.unsupported("%s: message type %#x is shared (stored elsewhere in the file)", what, m.typ)
		}
		d := f.dec(m.data, fmt.Sprintf("%s: message type %#x", what, m.typ))
		switch m.typ {
		case msgDataspace:
			s := d.dataspace()
			h.space = &s
		case msgDatatype:
			t := d.datatype(0)
			h.dtype = &t
		case msgLayout:
			l := d.layout()
			h.layout = &l
		case msgFilters:
			h.filters = d.filters()
		case msgAttribute:
			a, err := f.attribute(d)
			if err != nil {
				return nil, err
			}
			h.attrs = append(h.attrs, a)
		case msgLink:
			if l, ok := d.link(); ok {
				h.links = append(h.links, l)
			}
		case msgSymbolTable:
			h.symtab = &[2]uint64{d.addr(), d.addr()}
		case msgLinkInfo:
			d.skip(1) // version
			flags := d.u8()
			if flags&1 != 0 {
				d.skip(8)
			}
			if heap := d.addr(); d.err == nil && heap != undef {
				h.dense = "links (more members than fit in its header)"
			}
		case msgAttrInfo:
			d.skip(1)
			flags := d.u8()
			if flags&1 != 0 {
				d.skip(2)
			}
			heap, btree := d.addr(), d.addr()
			if d.err == nil && heap != undef {
				h.attrHeap, h.attrIndex = heap, btree
			}
		case msgExternal:
			return nil, f.unsupported("%s: data in external files", what)
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	if h.dense != "" {
		return nil, f.unsupported("%s: dense storage of %s in a fractal heap", what, h.dense)
	}
	if h.attrHeap != 0 {
		attrs, err := f.denseAttributes(h.attrHeap, h.attrIndex, what)
		if err != nil {
			return nil, err
		}
		h.attrs = append(h.attrs, attrs...)
	}
	return h, nil
}

// messages reads the raw messages of the object header at addr, following
// continuation blocks.
func (f *File) messages(addr uint64, what string) ([]message, error) {
	pre, err := f.read(addr, 16, what+": object header")
	if err != nil {
		return nil, err
	}
	var msgs []message
	type block struct{ addr, size uint64 }
	var queue []block
	seen := map[uint64]bool{}
	if string(pre[:4]) == "OHDR" {
		d := f.dec(pre, what+": object header")
		d.skip(4)
		if v := d.u8(); v != 2 {
			return nil, f.errorf("%s: object header version %d (want 2 after OHDR)", what, v)
		}
		flags := d.u8()
		n := 6
		if flags&0x20 != 0 {
			n += 16
		}
		if flags&0x10 != 0 {
			n += 4
		}
		sizeLen := 1 << (flags & 3)
		b, err := f.read(addr, uint64(n+sizeLen), what+": object header")
		if err != nil {
			return nil, err
		}
		d = f.dec(b, what+": object header")
		d.skip(n)
		size := d.uint(sizeLen)
		queue = append(queue, block{addr + uint64(n+sizeLen), size})
		track := flags&0x04 != 0
		for k := 0; len(queue) > 0; k++ {
			if k >= maxBlocks {
				return nil, f.errorf("%s: more than %d header blocks (a loop?)", what, maxBlocks)
			}
			blk := queue[0]
			queue = queue[1:]
			if seen[blk.addr] {
				return nil, f.errorf("%s: header block at %d is visited twice (corrupt)", what, blk.addr)
			}
			seen[blk.addr] = true
			data, err := f.read(blk.addr, blk.size, what+": object header")
			if err != nil {
				return nil, err
			}
			// Chunk 0's size leaves out the checksum that follows it; a
			// continuation block's includes its signature and checksum.
			d := f.dec(data, what+": object header")
			end := len(data)
			if k > 0 {
				d.sig("OCHK")
				end -= 4
			}
			hdr := 4
			if track {
				hdr = 6
			}
			for d.err == nil && d.p+hdr <= end {
				typ := d.u8()
				size := d.u16()
				mflags := d.u8()
				if track {
					d.skip(2)
				}
				body := d.bytes(size)
				if d.err != nil {
					return nil, d.err
				}
				if typ == msgContinuation {
					c := f.dec(body, what+": continuation")
					a, l := c.addr(), c.length()
					if c.err != nil {
						return nil, c.err
					}
					queue = append(queue, block{a, l})
					continue
				}
				msgs = append(msgs, message{typ, mflags, body})
			}
			if d.err != nil {
				return nil, d.err
			}
		}
		return msgs, nil
	}
	// Version 1: version, reserved, number of messages, reference count,
	// header size, padding to 16 bytes.
	d := f.dec(pre, what+": object header")
	if v := d.u8(); v != 1 {
		return nil, f.errorf("%s: object header at %d: version %d (want 1, or OHDR for 2)", what, addr, v)
	}
	d.skip(1)
	nmsgs := d.u16()
	d.skip(4)
	size := d.u32()
	queue = append(queue, block{addr + 16, size})
	for k := 0; len(queue) > 0 && len(msgs) < nmsgs; k++ {
		if k >= maxBlocks {
			return nil, f.errorf("%s: more than %d header blocks (a loop?)", what, maxBlocks)
		}
		blk := queue[0]
		queue = queue[1:]
		if seen[blk.addr] {
			return nil, f.errorf("%s: header block at %d is visited twice (corrupt)", what, blk.addr)
		}
		seen[blk.addr] = true
		data, err := f.read(blk.addr, blk.size, what+": object header")
		if err != nil {
			return nil, err
		}
		d := f.dec(data, what+": object header")
		for d.err == nil && d.left() >= 8 && len(msgs) < nmsgs {
			typ := d.u16()
			size := d.u16()
			mflags := d.u8()
			d.skip(3)
			body := d.bytes(size)
			if d.err != nil {
				return nil, d.err
			}
			if typ == msgContinuation {
				c := f.dec(body, what+": continuation")
				a, l := c.addr(), c.length()
				if c.err != nil {
					return nil, c.err
				}
				queue = append(queue, block{a, l})
				msgs = append(msgs, message{msgNil, 0, nil}) // it counts as a message
				continue
			}
			msgs = append(msgs, message{typ, mflags, body})
		}
	}
	return msgs, nil
}

// link is a member of a new-style group.
type link struct {
	name  string
	addr  uint64
	order int64
}

// link decodes a link message; soft and external links are skipped.
func (d *dec) link() (link, bool) {
	l := link{order: -1}
	if v := d.u8(); d.err == nil && v != 1 {
		d.fail("link message version %d (want 1)", v)
		return l, false
	}
	flags := d.u8()
	typ := 0
	if flags&0x08 != 0 {
		typ = d.u8()
	}
	if flags&0x04 != 0 {
		l.order = int64(d.uint(8))
	}
	if flags&0x10 != 0 {
		d.skip(1) // character set
	}
	n := int(d.uint(1 << (flags & 3)))
	l.name = string(d.bytes(n))
	if typ != 0 {
		return l, false
	}
	l.addr = d.addr()
	return l, d.err == nil
}

// members lists the members of a group: its link messages, or the
// entries of its symbol table.
func (f *File) members(h *header, what string) ([]link, error) {
	out := append([]link(nil), h.links...)
	if h.symtab == nil {
		return out, nil
	}
	btree, heapAddr := h.symtab[0], h.symtab[1]
	// Local heap: HEAP, version, reserved, data size, free list, data address.
	hb, err := f.read(heapAddr, uint64(8+2*f.lenSize+f.offSize), what+": local heap")
	if err != nil {
		return nil, err
	}
	d := f.dec(hb, what+": local heap")
	d.sig("HEAP")
	d.skip(4)
	dataSize := d.length()
	d.length()
	dataAddr := d.addr()
	if d.err != nil {
		return nil, d.err
	}
	heap, err := f.read(dataAddr, dataSize, what+": local heap data")
	if err != nil {
		return nil, err
	}
	nameAt := func(off uint64) (string, error) {
		if off >= uint64(len(heap)) {
			return "", f.errorf("%s: name offset %d beyond the local heap (%d bytes)", what, off, len(heap))
		}
		end := off
		for end < uint64(len(heap)) && heap[end] != 0 {
			end++
		}
		return string(heap[off:end]), nil
	}
	var walk func(addr uint64, depth int) error
	visited := 0
	walk = func(addr uint64, depth int) error {
		if depth > 64 || visited > 1<<20 {
			return f.errorf("%s: group B-tree too deep or too large (corrupt)", what)
		}
		visited++
		nb, err := f.read(addr, uint64(8+2*f.offSize), what+": B-tree node")
		if err != nil {
			return err
		}
		d := f.dec(nb, what+": B-tree node")
		d.sig("TREE")
		typ, level, entries := d.u8(), d.u8(), d.u16()
		if d.err != nil {
			return d.err
		}
		if typ != 0 {
			return f.errorf("%s: B-tree node type %d in a group (want 0)", what, typ)
		}
		body, err := f.read(addr+uint64(8+2*f.offSize), uint64(entries*(f.offSize+f.lenSize)+f.lenSize), what+": B-tree node")
		if err != nil {
			return err
		}
		d = f.dec(body, what+": B-tree node")
		for range entries {
			d.length() // key: heap offset
			child := d.addr()
			if d.err != nil {
				return d.err
			}
			if level > 0 {
				if err := walk(child, depth+1); err != nil {
					return err
				}
				continue
			}
			// Symbol table node: SNOD, version, reserved, number of symbols, entries.
			sb, err := f.read(child, 8, what+": symbol table node")
			if err != nil {
				return err
			}
			sd := f.dec(sb, what+": symbol table node")
			sd.sig("SNOD")
			sd.skip(2)
			n := sd.u16()
			if sd.err != nil {
				return sd.err
			}
			entry := 2*f.offSize + 24
			eb, err := f.read(child+8, uint64(n*entry), what+": symbol table node")
			if err != nil {
				return err
			}
			ed := f.dec(eb, what+": symbol table entry")
			for range n {
				nameOff := ed.addr()
				obj := ed.addr()
				ed.skip(24)
				if ed.err != nil {
					return ed.err
				}
				name, err := nameAt(nameOff)
				if err != nil {
					return err
				}
				out = append(out, link{name: name, addr: obj, order: -1})
			}
		}
		return nil
	}
	if err := walk(btree, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// object reads a group member.
func (f *File) object(l link) (*Object, error) {
	what := fmt.Sprintf("object %q", l.name)
	h, err := f.header(l.addr, what)
	if err != nil {
		return nil, err
	}
	o := &Object{Name: l.name, Addr: l.addr, Attrs: h.attrs, order: l.order}
	if h.layout == nil {
		return o, nil
	}
	if h.space == nil || h.dtype == nil {
		return nil, f.errorf("%s: a dataset without a dataspace or datatype message", what)
	}
	o.Dataset = true
	o.Space, o.Type, o.layout, o.filters = *h.space, *h.dtype, *h.layout, h.filters
	if err := f.checkDataset(o); err != nil {
		return nil, err
	}
	return o, nil
}

// dataspace decodes a dataspace message (versions 1 and 2).
func (d *dec) dataspace() Dataspace {
	var s Dataspace
	v := d.u8()
	rank := d.u8()
	flags := d.u8()
	switch v {
	case 1:
		d.skip(5)
	case 2:
		switch d.u8() {
		case 0: // scalar
		case 2:
			s.Null = true
		}
	default:
		d.fail("dataspace version %d (want 1 or 2)", v)
		return s
	}
	if rank > 32 {
		d.fail("dataspace of %d dimensions (at most 32)", rank)
		return s
	}
	n := uint64(1)
	for range rank {
		x := d.length()
		s.Dims = append(s.Dims, x)
		if x != 0 && n > math.MaxInt64/x {
			d.fail("dataspace of %v elements overflows", s.Dims)
			return s
		}
		n *= x
	}
	if flags&1 != 0 {
		for range rank {
			s.MaxDims = append(s.MaxDims, d.length())
		}
	}
	return s
}

// datatype decodes a datatype; depth bounds nesting.
func (d *dec) datatype(depth int) Datatype {
	var t Datatype
	if depth > 8 {
		d.fail("datatypes nested too deep")
		return t
	}
	cv := d.u8()
	t.Class = cv & 0x0f
	bits := d.uint(3)
	t.Size = int(d.u32())
	if d.err != nil {
		return t
	}
	switch t.Class {
	case ClassFixed:
		t.BigEndian = bits&1 != 0
		t.Signed = bits&8 != 0
		d.skip(4)
	case ClassFloat:
		t.BigEndian = bits&1 != 0
		if bits&0x40 != 0 {
			d.fail("VAX-endian floating point")
		}
		d.skip(12)
	case ClassReference:
	case ClassVarLen:
		t.VarString = bits&0x0f == 1
		b := d.datatype(depth + 1)
		t.Base = &b
	case ClassString:
	default:
		// Properties of other classes are not decoded; the caller knows
		// the size of the message.
	}
	return t
}
