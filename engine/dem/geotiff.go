package dem

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"golang.org/x/image/tiff/lzw"
)

// TIFF and GeoTIFF tags this reader uses.
const (
	tagWidth        = 256
	tagHeight       = 257
	tagBits         = 258
	tagCompression  = 259
	tagStripOffsets = 273
	tagSamples      = 277
	tagRowsPerStrip = 278
	tagStripCounts  = 279
	tagPlanar       = 284
	tagPredictor    = 317
	tagTileWidth    = 322
	tagTileLength   = 323
	tagTileOffsets  = 324
	tagTileCounts   = 325
	tagSampleFormat = 339
	tagPixelScale   = 33550
	tagTiepoint     = 33922
	tagGeoKeys      = 34735
	tagGDALNoData   = 42113
)

// ReadGeoTIFF reads the first band of the first image of a GeoTIFF.
func ReadGeoTIFF(path string) (*Grid, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dem: %w", err)
	}
	g, err := decodeGeoTIFF(b)
	if err != nil {
		return nil, fmt.Errorf("dem %s: %w", path, err)
	}
	return g, nil
}

// DecodeGeoTIFF reads the first band of the first image of a GeoTIFF
// held in memory (an embedded file, say); name is used in messages.
func DecodeGeoTIFF(b []byte, name string) (*Grid, error) {
	g, err := decodeGeoTIFF(b)
	if err != nil {
		return nil, fmt.Errorf("dem %s: %w", name, err)
	}
	return g, nil
}

type tiff struct {
	b    []byte
	bo   binary.ByteOrder
	tags map[int][]uint64 // numeric values
	asc  map[int]string
	dbl  map[int][]float64
}

func decodeGeoTIFF(b []byte) (*Grid, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%d bytes: not a TIFF", len(b))
	}
	t := &tiff{b: b, tags: map[int][]uint64{}, asc: map[int]string{}, dbl: map[int][]float64{}}
	switch string(b[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("not a TIFF (starts %q)", b[:2])
	}
	switch t.bo.Uint16(b[2:]) {
	case 42:
	case 43:
		return nil, fmt.Errorf("a BigTIFF, which this reader does not read (convert with gdal_translate -co BIGTIFF=NO)")
	default:
		return nil, fmt.Errorf("not a TIFF (version %d)", t.bo.Uint16(b[2:]))
	}
	ifd := int(t.bo.Uint32(b[4:]))
	if ifd < 8 || ifd > len(b)-2 {
		return nil, fmt.Errorf("first directory at %d, outside the file", ifd)
	}
	n := int(t.bo.Uint16(b[ifd:]))
	if n > (len(b)-ifd-2)/12 {
		return nil, fmt.Errorf("directory of %d entries beyond the file", n)
	}
	sizes := map[int]int{1: 1, 2: 1, 3: 2, 4: 4, 6: 1, 7: 1, 8: 2, 9: 4, 11: 4, 12: 8, 16: 8}
	for k := range n {
		e := b[ifd+2+12*k:]
		tag, typ, cnt := int(t.bo.Uint16(e)), int(t.bo.Uint16(e[2:])), int(t.bo.Uint32(e[4:]))
		sz, ok := sizes[typ]
		if !ok {
			continue
		}
		if cnt < 0 || cnt > len(b)/sz {
			return nil, fmt.Errorf("tag %d: %d values beyond the file", tag, cnt)
		}
		data := e[8:12]
		if cnt*sz > 4 {
			off := int(t.bo.Uint32(e[8:]))
			if off < 0 || off > len(b)-cnt*sz {
				return nil, fmt.Errorf("tag %d: values at %d beyond the file", tag, off)
			}
			data = b[off : off+cnt*sz]
		}
		switch typ {
		case 2:
			t.asc[tag] = strings.TrimRight(string(data[:cnt]), "\x00")
		case 1, 7, 6:
			for i := range cnt {
				t.tags[tag] = append(t.tags[tag], uint64(data[i]))
			}
		case 3, 8:
			for i := range cnt {
				t.tags[tag] = append(t.tags[tag], uint64(t.bo.Uint16(data[2*i:])))
			}
		case 4, 9:
			for i := range cnt {
				t.tags[tag] = append(t.tags[tag], uint64(t.bo.Uint32(data[4*i:])))
			}
		case 16:
			for i := range cnt {
				t.tags[tag] = append(t.tags[tag], t.bo.Uint64(data[8*i:]))
			}
		case 11:
			for i := range cnt {
				t.dbl[tag] = append(t.dbl[tag], float64(math.Float32frombits(t.bo.Uint32(data[4*i:]))))
			}
		case 12:
			for i := range cnt {
				t.dbl[tag] = append(t.dbl[tag], math.Float64frombits(t.bo.Uint64(data[8*i:])))
			}
		}
	}
	one := func(tag int, def uint64) uint64 {
		if v := t.tags[tag]; len(v) > 0 {
			return v[0]
		}
		return def
	}
	g := &Grid{Width: int(one(tagWidth, 0)), Height: int(one(tagHeight, 0)), NoData: math.NaN()}
	if g.Width <= 0 || g.Height <= 0 || g.Width > 1<<17 || g.Height > 1<<17 {
		return nil, fmt.Errorf("%d×%d cells", g.Width, g.Height)
	}
	bits, format := int(one(tagBits, 1)), int(one(tagSampleFormat, 1))
	spp := int(one(tagSamples, 1))
	if spp != 1 && one(tagPlanar, 1) != 2 {
		return nil, fmt.Errorf("%d samples per pixel, interleaved; this reader reads one band", spp)
	}
	if p := one(tagPredictor, 1); p != 1 {
		return nil, fmt.Errorf("predictor %d (horizontal differencing), which this reader does not undo (rewrite with gdal_translate -co PREDICTOR=1)", p)
	}
	comp := int(one(tagCompression, 1))
	switch comp {
	case 1, 5, 8, 32946:
	default:
		return nil, fmt.Errorf("compression %d; this reader reads none (1), LZW (5) and deflate (8)", comp)
	}
	bps := bits / 8
	conv, name, err := sampler(t.bo, bits, format)
	if err != nil {
		return nil, err
	}
	g.Type = name
	// Blocks: tiles or strips.
	bw, bh := g.Width, int(one(tagRowsPerStrip, uint64(g.Height)))
	offs, cnts := t.tags[tagStripOffsets], t.tags[tagStripCounts]
	if _, tiled := t.tags[tagTileWidth]; tiled {
		bw, bh = int(one(tagTileWidth, 0)), int(one(tagTileLength, 0))
		offs, cnts = t.tags[tagTileOffsets], t.tags[tagTileCounts]
	}
	bh = min(bh, g.Height)
	if bw <= 0 || bh <= 0 {
		return nil, fmt.Errorf("blocks of %d×%d cells", bw, bh)
	}
	across, down := (g.Width+bw-1)/bw, (g.Height+bh-1)/bh
	if len(offs) < across*down || len(cnts) < across*down {
		return nil, fmt.Errorf("%d block offsets and %d counts for %d×%d blocks", len(offs), len(cnts), across, down)
	}
	g.Data = make([]float64, g.Width*g.Height)
	blockBytes := bw * bh * bps
	for k := range across * down {
		o, c := offs[k], cnts[k]
		if o > uint64(len(b)) || c > uint64(len(b))-o {
			return nil, fmt.Errorf("block %d: %d bytes at %d beyond the file", k, c, o)
		}
		raw := b[o : o+c]
		var data []byte
		switch comp {
		case 1:
			data = raw
		case 5:
			data, err = io.ReadAll(io.LimitReader(lzw.NewReader(bytes.NewReader(raw), lzw.MSB, 8), int64(blockBytes)))
		default:
			var zr io.ReadCloser
			if zr, err = zlib.NewReader(bytes.NewReader(raw)); err == nil {
				data, err = io.ReadAll(io.LimitReader(zr, int64(blockBytes)))
			}
		}
		if err != nil && !(comp == 5 && len(data) == blockBytes) {
			return nil, fmt.Errorf("block %d: %v", k, err)
		}
		bx, by := k%across*bw, k/across*bh
		rows := min(bh, g.Height-by)
		cols := min(bw, g.Width-bx)
		for r := range rows {
			for cc := range cols {
				p := (r*bw + cc) * bps
				if p+bps > len(data) {
					return nil, fmt.Errorf("block %d: %d bytes, want %d", k, len(data), blockBytes)
				}
				g.Data[(by+r)*g.Width+bx+cc] = conv(data[p:])
			}
		}
	}
	// Georeferencing.
	if s, tp := t.dbl[tagPixelScale], t.dbl[tagTiepoint]; len(s) >= 2 && len(tp) >= 6 {
		g.DX, g.DY = s[0], -s[1]
		g.X0, g.Y0 = tp[3]-tp[0]*s[0], tp[4]+tp[1]*s[1]
	}
	if keys := t.tags[tagGeoKeys]; len(keys) >= 4 {
		for i := 4; i+3 < len(keys) && i/4 <= int(keys[3]); i += 4 {
			id, loc, val := keys[i], keys[i+1], keys[i+3]
			if loc != 0 {
				continue
			}
			if (id == 3072 || id == 2048) && val != 32767 && (g.EPSG == 0 || id == 3072) {
				g.EPSG = int(val) // ProjectedCSTypeGeoKey over GeographicTypeGeoKey
			}
		}
	}
	if s, ok := t.asc[tagGDALNoData]; ok {
		if x, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			g.NoData = x
		}
	}
	g.maskNoData()
	return g, nil
}

// sampler returns the decoder of one sample.
func sampler(bo binary.ByteOrder, bits, format int) (func([]byte) float64, string, error) {
	switch {
	case format == 1 && bits == 8:
		return func(p []byte) float64 { return float64(p[0]) }, "Byte", nil
	case format == 2 && bits == 8:
		return func(p []byte) float64 { return float64(int8(p[0])) }, "Int8", nil
	case format == 1 && bits == 16:
		return func(p []byte) float64 { return float64(bo.Uint16(p)) }, "UInt16", nil
	case format == 2 && bits == 16:
		return func(p []byte) float64 { return float64(int16(bo.Uint16(p))) }, "Int16", nil
	case format == 1 && bits == 32:
		return func(p []byte) float64 { return float64(bo.Uint32(p)) }, "UInt32", nil
	case format == 2 && bits == 32:
		return func(p []byte) float64 { return float64(int32(bo.Uint32(p))) }, "Int32", nil
	case format == 3 && bits == 32:
		return func(p []byte) float64 { return float64(math.Float32frombits(bo.Uint32(p))) }, "Float32", nil
	case format == 3 && bits == 64:
		return func(p []byte) float64 { return math.Float64frombits(bo.Uint64(p)) }, "Float64", nil
	}
	return nil, "", fmt.Errorf("samples of %d bits in format %d; this reader reads 8-, 16-, 32-bit integers and 32-, 64-bit floats", bits, format)
}
