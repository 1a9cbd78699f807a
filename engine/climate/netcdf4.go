package climate

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/firnglacier/firn/engine/internal/hdf5"
)

// This file reads NetCDF-4 files, which are HDF5 files laid out by the
// NetCDF-4 conventions (NetCDF Users Guide, "NetCDF-4 Format" and the HDF5
// Dimension Scales specification): each dimension is a dataset with the
// attribute CLASS = "DIMENSION_SCALE" (a coordinate variable, or, when its
// NAME attribute says "This is a netCDF dimension but not a netCDF
// variable", a dimension only), numbered by its _Netcdf4Dimid attribute;
// each variable is a dataset whose DIMENSION_LIST attribute holds, per
// dimension, a reference to the dimension's dataset. The HDF5 structures
// themselves are read by engine/internal/hdf5, in pure Go.

// netCDF4 is the Version of a NetCDF-4 file.
const netCDF4 = 4

// hidden names the attributes of the conventions, which NetCDF's own
// library hides.
var hidden = map[string]bool{
	"CLASS": true, "NAME": true, "REFERENCE_LIST": true, "DIMENSION_LIST": true,
	"_Netcdf4Dimid": true, "_Netcdf4Coordinates": true, "_NCProperties": true,
	"_nc3_strict": true, "_IsNetcdf4": true, "_SuperblockVersion": true,
}

const dimOnly = "This is a netCDF dimension but not a netCDF variable"

// readHDF5 reads the header of a NetCDF-4 file.
func (nc *NetCDF) readHDF5() error {
	f, err := hdf5.Open(nc.r, nc.size, nc.Name)
	if err != nil {
		if errors.Is(err, hdf5.ErrUnsupported) {
			return fmt.Errorf("netcdf: %w (a %w); convert it with `nccopy -k classic %s out.nc`", err, ErrHDF5, nc.Name)
		}
		return fmt.Errorf("netcdf: %w", err)
	}
	nc.Version = netCDF4
	nc.h5 = f
	nc.h5vars = map[string]*hdf5.Object{}
	nc.Attrs = convertAttrs(f.Attrs)

	// Dimensions, by _Netcdf4Dimid (else in the order of the file).
	type dim struct {
		id   int64
		obj  *hdf5.Object
		only bool
	}
	var dims []dim
	for i, o := range f.Objects {
		if !o.Dataset {
			continue
		}
		if a, ok := o.Attr("CLASS"); !ok || a.Value != "DIMENSION_SCALE" {
			continue
		}
		if len(o.Space.Dims) != 1 {
			return fmt.Errorf("netcdf %s: dimension %s has %d dimensions itself (want 1)", nc.Name, o.Name, len(o.Space.Dims))
		}
		d := dim{id: int64(i) + 1<<32, obj: o}
		if a, ok := o.Attr("_Netcdf4Dimid"); ok {
			if v, ok := a.Value.([]int32); ok && len(v) == 1 {
				d.id = int64(v[0])
			}
		}
		if a, ok := o.Attr("NAME"); ok {
			if s, ok := a.Value.(string); ok && strings.HasPrefix(s, dimOnly) {
				d.only = true
			}
		}
		dims = append(dims, d)
	}
	sort.SliceStable(dims, func(i, j int) bool { return dims[i].id < dims[j].id })
	dimOf := map[uint64]int{}
	for i, d := range dims {
		n := d.obj.Space.Dims[0]
		unlimited := len(d.obj.Space.MaxDims) == 1 && d.obj.Space.MaxDims[0] == hdf5.Unlimited
		nc.Dims = append(nc.Dims, Dim{Name: d.obj.Name, Len: int64(n), Unlimited: unlimited})
		if unlimited {
			nc.NumRecs = int64(n)
		}
		dimOf[d.obj.Addr] = i
	}

	// Variables.
	for _, o := range f.Objects {
		if !o.Dataset {
			continue
		}
		if i, ok := dimOf[o.Addr]; ok && dims[i].only {
			continue
		}
		t, ok := ncType(o.Type)
		if !ok {
			continue // a type NetCDF classic has no name for (strings, compounds)
		}
		v := &Var{Name: o.Name, Type: t, Attrs: convertAttrs(o.Attrs)}
		for _, n := range o.Space.Dims {
			v.Shape = append(v.Shape, int64(n))
		}
		if i, ok := dimOf[o.Addr]; ok {
			v.DimIDs = []int{i}
		} else if a, ok := o.Attr("DIMENSION_LIST"); ok {
			refs, _ := a.Value.([][]uint64)
			if len(refs) != len(v.Shape) {
				return fmt.Errorf("netcdf %s: variable %s: DIMENSION_LIST of %d dimensions for %d", nc.Name, o.Name, len(refs), len(v.Shape))
			}
			for j, r := range refs {
				if len(r) != 1 {
					return fmt.Errorf("netcdf %s: variable %s: dimension %d has %d scales (want 1)", nc.Name, o.Name, j, len(r))
				}
				id, ok := dimOf[r[0]]
				if !ok {
					return fmt.Errorf("netcdf %s: variable %s: dimension %d refers to no dimension of the root group", nc.Name, o.Name, j)
				}
				v.DimIDs = append(v.DimIDs, id)
			}
		} else {
			// No dimension scales (an HDF5 file not written by NetCDF):
			// NetCDF's library makes up phony dimensions; so does this.
			for j, n := range v.Shape {
				v.DimIDs = append(v.DimIDs, len(nc.Dims))
				nc.Dims = append(nc.Dims, Dim{Name: fmt.Sprintf("phony_dim_%d_%s_%d", len(nc.Dims), o.Name, j), Len: n})
			}
		}
		for j, id := range v.DimIDs {
			if nc.Dims[id].Len != v.Shape[j] {
				return fmt.Errorf("netcdf %s: variable %s: dimension %s is %d long, the variable %d along it", nc.Name, o.Name, nc.Dims[id].Name, nc.Dims[id].Len, v.Shape[j])
			}
		}
		nc.Vars = append(nc.Vars, v)
		nc.h5vars[v.Name] = o
	}
	return nil
}

// ncType names an HDF5 datatype as a NetCDF type.
func ncType(t hdf5.Datatype) (Type, bool) {
	switch t.Class {
	case hdf5.ClassFixed:
		switch t.Size {
		case 1:
			if t.Signed {
				return Byte, true
			}
			return UByte, true
		case 2:
			if t.Signed {
				return Short, true
			}
			return UShort, true
		case 4:
			if t.Signed {
				return Int, true
			}
			return UInt, true
		case 8:
			if t.Signed {
				return Int64, true
			}
			return UInt64, true
		}
	case hdf5.ClassFloat:
		switch t.Size {
		case 4:
			return Float, true
		case 8:
			return Double, true
		}
	case hdf5.ClassString:
		if t.Size == 1 {
			return Char, true
		}
	}
	return 0, false
}

// convertAttrs turns HDF5 attributes into NetCDF ones, leaving out the
// conventions' own and those of types NetCDF classic has no name for.
func convertAttrs(in []hdf5.Attribute) []Attr {
	var out []Attr
	for _, a := range in {
		if hidden[a.Name] {
			continue
		}
		at := Attr{Name: a.Name, Value: a.Value}
		switch v := a.Value.(type) {
		case string:
			at.Type = Char
		case []string:
			at.Type, at.Value = Char, strings.Join(v, "\n")
		case []int8:
			at.Type = Byte
		case []uint8:
			at.Type = UByte
		case []int16:
			at.Type = Short
		case []uint16:
			at.Type = UShort
		case []int32:
			at.Type = Int
		case []uint32:
			at.Type = UInt
		case []int64:
			at.Type = Int64
		case []uint64:
			if a.Type.Class != hdf5.ClassFixed {
				continue
			}
			at.Type = UInt64
		case []float32:
			at.Type = Float
		case []float64:
			at.Type = Double
		default:
			continue
		}
		out = append(out, at)
	}
	return out
}

// readSlabHDF5 reads a hyperslab of a NetCDF-4 variable (already checked
// against its shape) by reading the whole dataset.
func (nc *NetCDF) readSlabHDF5(v *Var, start, count []int64, n int64) ([]float64, error) {
	o := nc.h5vars[v.Name]
	raw, err := nc.h5.Read(o)
	if err != nil {
		return nil, fmt.Errorf("netcdf: variable %s: %w", v.Name, err)
	}
	var all []float64
	if v.Type == Char {
		all = make([]float64, len(raw))
		for i, b := range raw {
			all[i] = float64(b)
		}
	} else if all, err = hdf5.ToFloat64s(o.Type, raw); err != nil {
		return nil, fmt.Errorf("netcdf %s: variable %s: %w", nc.Name, v.Name, err)
	}
	rank := len(v.Shape)
	whole := true
	for j := range rank {
		whole = whole && start[j] == 0 && count[j] == v.Shape[j]
	}
	if whole {
		return all, nil
	}
	out := make([]float64, 0, n)
	idx := make([]int64, rank)
	copy(idx, start)
	last := rank - 1
	for {
		var off int64
		for j := range rank {
			off = off*v.Shape[j] + idx[j]
		}
		out = append(out, all[off:off+count[last]]...)
		j := last - 1
		for ; j >= 0; j-- {
			idx[j]++
			if idx[j] < start[j]+count[j] {
				break
			}
			idx[j] = start[j]
		}
		if j < 0 {
			return out, nil
		}
	}
}
