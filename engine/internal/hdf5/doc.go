// Package hdf5 reads the subset of HDF5 that NetCDF-4 files use, so that
// engine/climate reads NetCDF-4 files without a C library. It is written
// from The HDF Group's "HDF5 File Format Specification Version 3.0"
// (sections II "Disk Format: Level 0 – File Metadata", III "Level 1 –
// File Infrastructure" and IV "Level 2 – Data Objects"); no code of
// another project was used.
//
// What it reads:
//
//   - superblocks of versions 0, 1, 2 and 3, with 4- or 8-byte offsets
//     and lengths, at the start of the file or after a user block of
//     512·2ⁿ bytes;
//   - object headers of versions 1 and 2, with their continuation blocks;
//   - groups as symbol tables (a version-1 B-tree of symbol-table nodes,
//     names in a local heap) and as compact link messages; only the root
//     group's members are listed (NetCDF-4 groups below it are not
//     read);
//   - dataspaces (scalar, simple, null) and the datatypes: fixed-point
//     (1, 2, 4, 8 bytes, signed or not, either byte order), IEEE floating
//     point (4, 8 bytes), fixed-length strings, variable-length strings
//     and sequences (through the global heap) and object references;
//     compound and other classes are reported by class and skipped;
//   - attributes (messages of versions 1, 2 and 3) stored in the object
//     header, or densely in a fractal heap indexed by a version-2 B-tree of
//     one leaf (as NetCDF writes an object's attributes past eight);
//   - data layouts of versions 1 to 4: compact, contiguous and chunked
//     with a version-1 B-tree chunk index (layouts 1–3) or, in layout 4,
//     a single chunk or the implicit index; filters deflate (zlib),
//     shuffle and Fletcher-32 (its checksum is stripped, not verified).
//
// Anything else — dense link storage, deeper attribute indexes,
// chunk indexes of fixed or extensible arrays or version-2 B-trees,
// other filters (szip, blosc, zstd…), shared (committed) datatypes,
// external or virtual storage — fails with an error that names the file,
// the object and the feature. Checksums of metadata are not verified.
//
// Every address, count and size read from the file is checked against the
// file's size before it is used, so a broken or hostile file gives an
// error, never a panic or a huge allocation (TestBrokenFiles cuts and
// corrupts real files).
//
// Why a reader of its own: no Go module for HDF5 is served to this
// project (the HDF Group's library is C; cgo to Debian's libnetcdf or
// libhdf5 would break the cross-compiled and cgo-free builds), and
// NetCDF-4 files need only this subset. It is checked against h5dump on
// real files from HISTALP, CRU, ERA5, ERA5-Land and CERA-20C
// (testdata/sample/climate/netcdf4_expected.csv).
package hdf5
