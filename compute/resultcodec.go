package compute

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/firnglacier/firn/engine/dynamics"
)

// The results message. A worker stores each chunk's results in one
// message (or a few, below NATS' message limit) of this binary layout,
// little-endian:
//
//	"FRS1"                       magic and version
//	uvarint                      number of results
//	per result:
//	  string TaskID, Name, Err, Worker   (uvarint length, bytes)
//	  uvarint Attempts
//	  bytes Output                      (uvarint length, bytes)
//	  uvarint records                   0: no history; else n+1 for n records
//	  columns Year, Volume, Area, Length of n float64s each (appendFloats)
//	  3 × profile table Thickness, Surface, Velocity:
//	    uvarint rows, per row uvarint length and a column of float64s
//
// Why a format of our own: a 100-year result is 3.5 KB of JSON, which
// costs a worker 26 µs to encode and the pool 66 µs to decode, and gob
// 21 µs and 15 µs (BenchmarkResultCodec), against a run of about 350 µs
// and the goal of at most 200 µs of overhead per task for
// everything (broker, chunks, results). Columns of float64s, each XORed
// with the one before (see appendFloats), go in and out in a few
// microseconds, keep every bit of the engine's numbers (as JSON's
// shortest round-trip form also did), and take half the bytes of raw
// float64s, which the broker copies and writes to its file store. Messages stored
// by earlier versions (a JSON list, starting with '[') are still read.
const resultsMagic = "FRS1"

// encodeResults appends the results message of rs to dst.
func encodeResults(dst []byte, rs []Result) []byte {
	size := len(resultsMagic) + binary.MaxVarintLen64
	for _, r := range rs {
		size += resultSize(r)
	}
	dst = slices.Grow(dst, size)
	dst = append(dst, resultsMagic...)
	dst = binary.AppendUvarint(dst, uint64(len(rs)))
	for _, r := range rs {
		dst = encodeResult(dst, r)
	}
	return dst
}

// joinResults is the results message of results already encoded, one
// by one, by encodeResult.
func joinResults(encoded [][]byte) []byte {
	size := len(resultsMagic) + binary.MaxVarintLen64
	for _, e := range encoded {
		size += len(e)
	}
	dst := make([]byte, 0, size)
	dst = append(dst, resultsMagic...)
	dst = binary.AppendUvarint(dst, uint64(len(encoded)))
	for _, e := range encoded {
		dst = append(dst, e...)
	}
	return dst
}

// encodeResult appends one result of a results message to dst.
func encodeResult(dst []byte, r Result) []byte {
	dst = slices.Grow(dst, resultSize(r))
	for _, s := range []string{r.TaskID, r.Name, r.Err, r.Worker} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(max(r.Attempts, 0)))
	dst = binary.AppendUvarint(dst, uint64(len(r.Output)))
	dst = append(dst, r.Output...)
	h := r.History
	if h == nil {
		return binary.AppendUvarint(dst, 0)
	}
	n := h.Len()
	dst = binary.AppendUvarint(dst, uint64(n)+1)
	for _, col := range [][]float64{h.Year, h.Volume, h.Area, h.Length} {
		dst = appendFloats(dst, col[:n])
	}
	for _, table := range [][][]float64{h.Thickness, h.Surface, h.Velocity} {
		dst = binary.AppendUvarint(dst, uint64(len(table)))
		for _, row := range table {
			dst = binary.AppendUvarint(dst, uint64(len(row)))
			dst = appendFloats(dst, row)
		}
	}
	return dst
}

// resultSize bounds the size of r in a results message, bytes.
func resultSize(r Result) int {
	const v = binary.MaxVarintLen64
	n := 7*v + len(r.TaskID) + len(r.Name) + len(r.Err) + len(r.Worker) + len(r.Output)
	if h := r.History; h != nil {
		n += 4*9*h.Len() + 3*v
		for _, table := range [][][]float64{h.Thickness, h.Surface, h.Velocity} {
			for _, row := range table {
				n += 9*len(row) + v
			}
		}
	}
	return n
}

// appendFloats appends a column of floats, each XORed with the one
// before it (the first with 0), as a header byte and the XOR's non-zero
// bytes: the header is 0 for a value equal to the one before, else
// tz<<4 | nb for nb bytes (1–8, little-endian) after tz zero bytes. A
// glacier's diagnostics change little from one record to the next (the
// year by 1, the length by a grid step or not at all), so their XORs
// have zero bytes at both ends: a 100-year history takes about 40 % of
// the 3.2 KB of raw float64s, and so do the broker's writes and copies.
func appendFloats(dst []byte, v []float64) []byte {
	prev := uint64(0)
	for _, x := range v {
		b := math.Float64bits(x)
		d := b ^ prev
		prev = b
		if d == 0 {
			dst = append(dst, 0)
			continue
		}
		tz := bits.TrailingZeros64(d) / 8
		nb := 8 - bits.LeadingZeros64(d)/8 - tz
		dst = binary.LittleEndian.AppendUint64(append(dst, byte(tz<<4|nb)), d>>(8*tz))
		dst = dst[:len(dst)-(8-nb)]
	}
	return dst
}

// errTruncated is the error of a results message that ends early.
var errTruncated = errors.New("the message ends early")

// DecodeResults reads a results message, as workers store them on the
// broker's results stream (FIRN_RESULTS, subjects
// firn.results.JOB.CHUNK.PART): the binary layout above, or the JSON list
// of earlier versions. Job.Wait reads them; a program of its own that
// reads the stream can too.
func DecodeResults(data []byte) ([]Result, error) {
	if len(data) > 0 && data[0] == '[' {
		var rs []Result
		if err := json.Unmarshal(data, &rs); err != nil {
			return nil, err
		}
		return rs, nil
	}
	d := resultDecoder{data: data}
	if string(d.take(len(resultsMagic))) != resultsMagic {
		return nil, fmt.Errorf("not a results message (it starts %q, want %q)", data[:min(len(data), 4)], resultsMagic)
	}
	count := d.uvarint()
	if d.err == nil && count > uint64(len(data)) { // each result takes at least a byte
		d.err = errTruncated
	}
	var rs []Result
	if d.err == nil {
		rs = make([]Result, 0, count)
	}
	for i := uint64(0); i < count && d.err == nil; i++ {
		var r Result
		r.TaskID, r.Name, r.Err, r.Worker = d.string(), d.string(), d.string(), d.string()
		r.Attempts = int(d.uvarint())
		if out := d.take(int(d.uvarint())); len(out) > 0 {
			r.Output = append([]byte(nil), out...)
		}
		if records := d.uvarint(); records > 0 && d.err == nil {
			if records-1 > uint64(len(d.data)/4) { // a value takes at least a byte
				d.err = errTruncated
				break
			}
			n := int(records - 1)
			h := &dynamics.History{}
			cols := make([]float64, 4*n) // one allocation for the four columns
			h.Year, h.Volume, h.Area, h.Length = cols[:n:n], cols[n:2*n:2*n], cols[2*n:3*n:3*n], cols[3*n:]
			for _, col := range [][]float64{h.Year, h.Volume, h.Area, h.Length} {
				d.floatsInto(col)
			}
			for _, table := range []*[][]float64{&h.Thickness, &h.Surface, &h.Velocity} {
				rows := d.uvarint()
				if d.err == nil && rows > uint64(len(d.data)) {
					d.err = errTruncated
				}
				for j := uint64(0); j < rows && d.err == nil; j++ {
					*table = append(*table, d.floats(int(d.uvarint())))
				}
			}
			r.History = h
		}
		rs = append(rs, r)
	}
	if d.err != nil {
		return nil, fmt.Errorf("results message of %d bytes, at byte %d: %w", len(data), len(data)-len(d.data), d.err)
	}
	if len(d.data) > 0 {
		return nil, fmt.Errorf("results message of %d bytes: %d bytes after its last result", len(data), len(d.data))
	}
	return rs, nil
}

// resultDecoder reads a results message; its first error sticks and
// makes every later read return zero values.
type resultDecoder struct {
	data []byte
	err  error
}

func (d *resultDecoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.data) {
		d.err = errTruncated
		return nil
	}
	b := d.data[:n]
	d.data = d.data[n:]
	return b
}

func (d *resultDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *resultDecoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.data)) {
		d.err = errTruncated
		return ""
	}
	return string(d.take(int(n)))
}

func (d *resultDecoder) floats(n int) []float64 {
	if n < 0 || n > len(d.data) { // a value takes at least a byte
		if d.err == nil {
			d.err = errTruncated
		}
		return nil
	}
	v := make([]float64, n)
	d.floatsInto(v)
	return v
}

// floatsInto reads a column of appendFloats into v.
func (d *resultDecoder) floatsInto(v []float64) {
	prev := uint64(0)
	data := d.data
	for i := range v {
		if d.err != nil || len(data) == 0 {
			d.err = cmp.Or(d.err, errTruncated)
			return
		}
		h := data[0]
		data = data[1:]
		var x uint64
		if h != 0 {
			tz, nb := int(h>>4), int(h&0xf)
			if nb == 0 || nb > 8 || tz+nb > 8 {
				d.err = fmt.Errorf("a value's header byte %#x is not one of the format's", h)
				return
			}
			switch {
			case len(data) >= 8:
				x = binary.LittleEndian.Uint64(data) & (^uint64(0) >> (64 - 8*nb))
			case nb <= len(data):
				for j := nb - 1; j >= 0; j-- {
					x = x<<8 | uint64(data[j])
				}
			default:
				d.err = errTruncated
				return
			}
			x <<= 8 * tz
			data = data[nb:]
		}
		prev ^= x
		v[i] = math.Float64frombits(prev)
	}
	d.data = data
}
