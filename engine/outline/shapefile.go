package outline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

var nan = math.NaN()

// Shape types of polygons.
const (
	shapeNull     = 0
	shapePolygon  = 5
	shapePolygonZ = 15
	shapePolygonM = 25
)

// ReadShapefile reads the polygons of a shapefile (path ends in .shp) with
// the attributes of its .dbf, its .prj and .cpg when present.
func ReadShapefile(path string) ([]*Outline, error) {
	base := strings.TrimSuffix(path, ".shp")
	shp, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("outline: %w", err)
	}
	geoms, err := parseShp(shp, path)
	if err != nil {
		return nil, err
	}
	cpg, _ := os.ReadFile(base + ".cpg")
	prj, _ := os.ReadFile(base + ".prj")
	dbf, err := os.ReadFile(base + ".dbf")
	var recs []map[string]string
	switch {
	case err == nil:
		if recs, err = parseDbf(dbf, base+".dbf", strings.TrimSpace(string(cpg))); err != nil {
			return nil, err
		}
		if len(recs) != len(geoms) {
			return nil, fmt.Errorf("outline %s.dbf: %d records for %d shapes in %s", base, len(recs), len(geoms), path)
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, fmt.Errorf("outline: %w", err)
	}
	out := make([]*Outline, len(geoms))
	for i, g := range geoms {
		o := &Outline{Geometry: g, Attrs: map[string]string{}, CRS: strings.TrimSpace(string(prj))}
		if recs != nil {
			o.Attrs = recs[i]
		}
		o.fill()
		out[i] = o
	}
	return out, nil
}

// parseShp decodes the main file: a 100-byte header, then records of a
// big-endian number and length (16-bit words) and a little-endian shape.
func parseShp(b []byte, name string) ([]orb.MultiPolygon, error) {
	be, le := binary.BigEndian, binary.LittleEndian
	if len(b) < 100 || be.Uint32(b) != 9994 {
		return nil, fmt.Errorf("outline %s: not a shapefile (no file code 9994 in a 100-byte header)", name)
	}
	if t := le.Uint32(b[32:]); t != shapeNull && t != shapePolygon && t != shapePolygonZ && t != shapePolygonM {
		return nil, fmt.Errorf("outline %s: shape type %d; glacier outlines are polygons (5, 15 or 25)", name, t)
	}
	var out []orb.MultiPolygon
	for p := 100; p < len(b); {
		if len(b)-p < 8 {
			return nil, fmt.Errorf("outline %s: record header at byte %d cut short", name, p)
		}
		n := int(be.Uint32(b[p+4:])) * 2
		rec := len(out) + 1
		if n < 4 || n > len(b)-p-8 {
			return nil, fmt.Errorf("outline %s: record %d at byte %d: length %d bytes beyond the file", name, rec, p, n)
		}
		c := b[p+8 : p+8+n]
		p += 8 + n
		typ := le.Uint32(c)
		if typ == shapeNull {
			out = append(out, nil)
			continue
		}
		if typ != shapePolygon && typ != shapePolygonZ && typ != shapePolygonM {
			return nil, fmt.Errorf("outline %s: record %d: shape type %d, not a polygon", name, rec, typ)
		}
		if len(c) < 44 {
			return nil, fmt.Errorf("outline %s: record %d: %d bytes, too short for a polygon", name, rec, len(c))
		}
		nParts, nPoints := int(le.Uint32(c[36:])), int(le.Uint32(c[40:]))
		if nParts < 0 || nPoints < 0 || nParts > (len(c)-44)/4 || nPoints > (len(c)-44-4*nParts)/16 {
			return nil, fmt.Errorf("outline %s: record %d: %d parts and %d points do not fit in %d bytes", name, rec, nParts, nPoints, len(c))
		}
		pts := c[44+4*nParts:]
		var rings []orb.Ring
		for k := range nParts {
			start := int(le.Uint32(c[44+4*k:]))
			end := nPoints
			if k+1 < nParts {
				end = int(le.Uint32(c[44+4*k+4:]))
			}
			if start < 0 || start > end || end > nPoints {
				return nil, fmt.Errorf("outline %s: record %d: part %d spans points %d to %d of %d", name, rec, k, start, end, nPoints)
			}
			r := make(orb.Ring, end-start)
			for i := range r {
				q := pts[16*(start+i):]
				r[i] = orb.Point{math.Float64frombits(le.Uint64(q)), math.Float64frombits(le.Uint64(q[8:]))}
			}
			rings = append(rings, r)
		}
		// A clockwise ring is an exterior; the counter-clockwise ones
		// after it are its holes.
		var mp orb.MultiPolygon
		for _, r := range rings {
			if r.Orientation() == orb.CW || len(mp) == 0 {
				mp = append(mp, orb.Polygon{r})
			} else {
				mp[len(mp)-1] = append(mp[len(mp)-1], r)
			}
		}
		out = append(out, mp)
	}
	return out, nil
}

// parseDbf decodes a dBASE table: a 32-byte header, 32-byte field
// descriptors ending in 0x0D, then fixed-length records each starting with
// a deletion flag.
func parseDbf(b []byte, name, codepage string) ([]map[string]string, error) {
	le := binary.LittleEndian
	if len(b) < 32 {
		return nil, fmt.Errorf("outline %s: %d bytes, too short for a dBASE table", name, len(b))
	}
	nrec, hlen, rlen := int(le.Uint32(b[4:])), int(le.Uint16(b[8:])), int(le.Uint16(b[10:]))
	if hlen > len(b) || rlen < 1 || nrec < 0 || nrec > (len(b)-hlen)/rlen {
		return nil, fmt.Errorf("outline %s: %d records of %d bytes after a header of %d do not fit in %d bytes", name, nrec, rlen, hlen, len(b))
	}
	type field struct {
		name string
		typ  byte
		off  int
		size int
	}
	var fields []field
	off := 1
	for p := 32; p+32 <= hlen && b[p] != 0x0D; p += 32 {
		d := b[p : p+32]
		n := string(d[:11])
		if i := strings.IndexByte(n, 0); i >= 0 {
			n = n[:i]
		}
		f := field{name: n, typ: d[11], off: off, size: int(d[16])}
		off += f.size
		fields = append(fields, f)
	}
	if off > rlen {
		return nil, fmt.Errorf("outline %s: fields of %d bytes in records of %d", name, off, rlen)
	}
	latin1 := strings.Contains(strings.ToUpper(codepage), "8859") || strings.Contains(codepage, "1252")
	decode := func(s []byte) string {
		if !latin1 && utf8.Valid(s) {
			return string(s)
		}
		r := make([]rune, len(s))
		for i, c := range s {
			r[i] = rune(c)
		}
		return string(r)
	}
	out := make([]map[string]string, nrec)
	for i := range out {
		rec := b[hlen+i*rlen : hlen+(i+1)*rlen]
		m := make(map[string]string, len(fields))
		for _, f := range fields {
			m[f.name] = strings.TrimSpace(decode(rec[f.off : f.off+f.size]))
		}
		out[i] = m
	}
	return out, nil
}
