#!/usr/bin/env python3
"""Writes the expected values that Firn's readers are checked against,
from independent tools: h5dump (HDF5 1.10, Debian hdf5-tools) for the
NetCDF-4 files, gdalinfo and gdal_translate (GDAL 3.6, Debian gdal-bin) for
the rasters, ogr2ogr (the same GDAL) for the shapefiles. Run it from
testdata/sample:  python3 make_expected.py
Only the Python standard library is used. No Go test runs it."""

import csv, json, math, re, subprocess

def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout

def samples(n, k=24):
    """k deterministic indexes in [0, n): the ends and an LCG's picks."""
    idx, x = {0, n - 1, n // 2}, 12345
    while len(idx) < min(k, n):
        x = (1103515245 * x + 12345) % 2**31
        idx.add(x % n)
    return sorted(idx)

# NetCDF-4 variables: every value, through h5dump, summed; some kept.
NC = [
    ("climate/HISTALP_oetztal.nc", ["lon", "lat", "time", "hgt", "temp", "prcp"]),
    ("climate/cru_ts4.01.1901.2016.SouthGlacier.tmp.dat.nc", ["lon", "lat", "time", "tmp", "stn"]),
    ("climate/sel_era5_monthly_t2m_1979-2018.nc", ["longitude", "latitude", "time", "t2m"]),
    ("climate/sel_era5_land_invariant.nc", ["longitude", "latitude", "z", "lsm"]),
    ("climate/sel_cera-20c_invariant.nc", ["longitude", "latitude", "time", "z", "lsm"]),
]
with open("climate/netcdf4_expected.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["file", "variable", "index", "value"])
    for f, names in NC:
        for v in names:
            run("h5dump", "-d", "/" + v, "-m", "%.17g", "-y", "-w", "0", "-o", "/tmp/h5dump.txt", f)
            vals = [float(x) for x in re.split(r"[,\s]+", open("/tmp/h5dump.txt").read()) if x]
            w.writerow([f, v, "n", len(vals)])
            w.writerow([f, v, "sum", repr(math.fsum(vals))])
            for i in samples(len(vals)):
                w.writerow([f, v, i, repr(vals[i])])

# Rasters: the grid, the nodata value, every valid value summed, some kept.
RASTERS = ["hef_srtm.tif", "hef_srtm_tiled_deflate.tif", "hef_srtm_strips_lzw.tif",
           "hef_srtm_bigendian_tiled_lzw.tif", "RGI60-11.00897_thickness.tif",
           "thickness_tiled_deflate.tif", "dem_SouthGlacier_window.tif",
           "hef_srtm_window.asc", "thickness_window.asc"]
with open("dem/grids_expected.csv", "w", newline="") as g, open("dem/values_expected.csv", "w", newline="") as vv:
    gw, vw = csv.writer(g, lineterminator="\n"), csv.writer(vv, lineterminator="\n")
    gw.writerow(["file", "type", "width", "height", "x0", "y0", "dx", "dy", "epsg", "nodata", "valid", "sum"])
    vw.writerow(["file", "col", "row", "value"])
    for f in RASTERS:
        info = json.loads(run("gdalinfo", "-json", "dem/" + f))
        b = info["bands"][0]
        gt = info["geoTransform"]
        ids = re.findall(r'ID\["EPSG",(\d+)\]\]\s*$', info["coordinateSystem"]["wkt"])
        nodata = b.get("noDataValue", "")
        run("gdal_translate", "-q", "-of", "AAIGrid", "dem/" + f, "/tmp/grid.asc")
        lines = open("/tmp/grid.asc").read().splitlines()
        head = {}
        while re.match(r"^[a-zA-Z_]+\s", lines[0]):
            k, val = lines.pop(0).split()
            head[k.lower()] = val
        grid = [[float(x) for x in l.split()] for l in lines if l.strip()]
        W, H = info["size"]
        assert len(grid) == H and all(len(r) == W for r in grid), f
        valid = [x for r in grid for x in r if nodata == "" or x != float(nodata)]
        gw.writerow([f, b["type"], W, H, repr(gt[0]), repr(gt[3]), repr(gt[1]), repr(gt[5]),
                     ids[0] if ids else "", nodata, len(valid), repr(math.fsum(valid))])
        for i in samples(W * H):
            vw.writerow([f, i % W, i // W, repr(grid[i // W][i % W])])

# Shapefiles: per feature, the RGI id and area, rings and points of the
# geometry (all parts), its first vertex and bounding box.
SHP = [("Hintereisferner_RGI6", "RGIId", "Area"), ("rgi7g_hef", "rgi_id", "area_km2"),
       ("rgi_oetztal", "RGIId", "Area"), ("SouthGlacier", "RGIId", "Area")]
with open("outlines/shapefiles_expected.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["file", "feature", "id", "area_km2", "rings", "points", "x0", "y0", "minx", "miny", "maxx", "maxy"])
    for name, idf, areaf in SHP:
        txt = run("ogr2ogr", "-f", "CSV", "/vsistdout/", "outlines/%s.shp" % name, "-lco", "GEOMETRY=AS_WKT")
        for k, row in enumerate(csv.DictReader(txt.splitlines())):
            wkt = row["WKT"]
            rings = re.findall(r"\(([^()]*)\)", wkt)
            pts = [[float(c) for c in p.split()[:2]] for r in rings for p in r.split(",")]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            w.writerow(["%s.shp" % name, k, row[idf], row[areaf], len(rings), len(pts),
                        repr(pts[0][0]), repr(pts[0][1]), repr(min(xs)), repr(min(ys)), repr(max(xs)), repr(max(ys))])

# Hintereisferner's map as OGGM makes it (engine/glacier): the local
# transverse Mercator at the RGI centre longitude, 50 m cells (14·√8.036 +
# 10, rounded), the outline's exterior bounding box plus 80 cells, the SRTM
# DEM warped onto it with GDAL's cubic resampling (what OGGM asks rasterio
# for) and the outline burnt in where a cell's centre is inside (rasterio's
# mask). GDAL's exact transformer (-et 0): its default approximation (0.125
# pixel, which rasterio and so OGGM use) moves heights by up to 3 m, 0.7 m
# on average at the cells written here. Written: the grid, the number of glacier cells, the sums of the DEM
# over the map and over the glacier, and the values at some cells.
row = next(csv.DictReader(run("ogr2ogr", "-f", "CSV", "/vsistdout/", "outlines/Hintereisferner_RGI6.shp").splitlines()))
tm = "+proj=tmerc +lat_0=0 +lon_0=%s +k=0.9996 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs" % row["CenLon"]
dx = float(round(14 * math.sqrt(float(row["Area"])) + 10))
run("ogr2ogr", "-f", "GeoJSON", "-t_srs", tm, "/tmp/hef_tm.geojson", "outlines/Hintereisferner_RGI6.shp")
ext = json.load(open("/tmp/hef_tm.geojson"))["features"][0]["geometry"]["coordinates"][0]
xs, ys = [p[0] for p in ext], [p[1] for p in ext]
ulx, uly = min(xs) - 80 * dx, max(ys) + 80 * dx
nx, ny = int((max(xs) + 80 * dx - ulx) / dx), int((uly - (min(ys) - 80 * dx)) / dx)
te = [repr(ulx), repr(uly - ny * dx), repr(ulx + nx * dx), repr(uly)]
run("gdalwarp", "-q", "-overwrite", "-t_srs", tm, "-te", *te, "-ts", str(nx), str(ny), "-r", "cubic", "-et", "0", "dem/hef_srtm.tif", "/tmp/hef_region_dem.tif")
run("gdal_rasterize", "-q", "-burn", "1", "-ot", "Byte", "-init", "0", "-te", *te, "-ts", str(nx), str(ny), "/tmp/hef_tm.geojson", "/tmp/hef_region_mask.tif")
def asc(path):
    run("gdal_translate", "-q", "-of", "AAIGrid", path, "/tmp/grid.asc")
    return [[float(x) for x in l.split()] for l in open("/tmp/grid.asc").read().splitlines() if not re.match(r"^[a-zA-Z_]+\s", l) and l.strip()]
topo, mask = asc("/tmp/hef_region_dem.tif"), asc("/tmp/hef_region_mask.tif")
with open("dem/hef_region_expected.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["key", "col", "row", "value"])
    for k, v in [("lon0", row["CenLon"]), ("dx", dx), ("x0", repr(ulx)), ("y0", repr(uly)), ("nx", nx), ("ny", ny),
                 ("mask_cells", int(sum(map(sum, mask)))), ("topo_sum", repr(math.fsum(map(math.fsum, topo)))),
                 ("topo_glacier_sum", repr(math.fsum(t for tr, mr in zip(topo, mask) for t, m in zip(tr, mr) if m)))]:
        w.writerow([k, "", "", v])
    for i in samples(nx * ny, 200):
        w.writerow(["topo", i % nx, i // nx, repr(topo[i // nx][i % nx])])
        w.writerow(["mask", i % nx, i // nx, int(mask[i // nx][i % nx])])
