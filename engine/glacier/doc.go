// Package glacier turns a real glacier's outline and a DEM into what the
// flowline model needs: its map, its elevation-band flowline and its ice
// thickness from mass conservation. It is OGGM's preprocessing chain for
// elevation-band flowlines (Maussion et al. 2019, "The Open Global Glacier
// Model (OGGM) v1.1", GMD 12, 909–931; oggm/core/gis.py, centerlines.py and
// inversion.py, read to learn the method), in SI units, with OGGM's
// defaults as named constants.
//
//	all, _ := outline.Read("Hintereisferner_RGI6.shp")
//	hef, _ := outline.Find(all, "RGI60-11.00897")
//	srtm, _ := dem.Read("hef_srtm.tif")
//	g, err := glacier.Prepare(hef, srtm, glacier.Options{}) // or step by step:
//
//	r, err := glacier.NewRegion(hef, srtm, glacier.RegionOptions{})
//	fl, bands, err := glacier.ElevationBandFlowline(r, 0)
//	mb, ela := glacier.LinearApparentBalance(fl, 0)
//	inv, err := glacier.Invert(fl, mb, glacier.DefaultInversion())
//	volume := inv.Volume(fl.Dx) // m³
//
// With a climate and mass-balance observations, Prepare calibrates the
// temperature-index model and inverts with its apparent balance; the
// glacier is then written as a directory and run:
//
//	clim, _ := climate.ReadNetCDF("histalp_merged_hef.nc", hef.CenLon, hef.CenLat)
//	obs, _ := massbalance.ReadWGMSFile("mbdata_WGMS-00491.csv")
//	g, err := glacier.Prepare(hef, srtm, glacier.Options{MassBalance: glacier.MBOptions{Climate: clim, Observations: obs}})
//	err = g.WriteDir(write, prov)                  // see "The glacier directory"
//	mb, err := g.ConstantClimate(1987, 15)         // 1972–2002
//	m, err := g.Model(mb, 0)                       // a dynamics.Model at the inverted thickness
//	hist, err := m.Run(ctx, dynamics.RunOptions{EndYear: 100})
//
// # The map ([NewRegion])
//
// A transverse Mercator centred on the RGI centre longitude (engine/proj's
// LocalTM), a grid of [GridSpacing] (dx = 14·√(area/km²) + 10 m, rounded,
// within [10, 200] m: 50 m for Hintereisferner) around the outline with a
// margin of [Border] = 80 cells, the DEM resampled by cubic convolution
// (GDAL's "cubic", Keys 1981, a = −½) at the cells' centres, smoothed by
// OGGM's Gaussian blur of 251 m for the flowlines, and the glacier mask
// (cells whose centre is inside the outline and outside its nunataks).
// [Region.Hypsometry] gives the area by elevation band as the
// [massbalance.Hypsometry] the mass-balance calibration takes.
//
// The cubic convolution is written here: gonum's interp fits 1-D splines
// through whole series, while GDAL's resampling (and so OGGM's) weighs the
// 4×4 cells around each point with Keys' kernel, which is what the tests
// compare with. gonum serves where its methods are the ones OGGM uses:
// linear interpolation along the flowline, and floats for sums and scaling.
//
// Each cell's position on the DEM is projected exactly; GDAL, which OGGM
// calls through rasterio, interpolates it along rows within 1/8 of a
// source cell, which moves the heights on Hintereisferner's map by up to
// 3 m (0.7 m on average). Against gdalwarp with the exact transformer the
// map, the DEM and the mask are identical (TestRegionAgainstGDAL). Voids
// are filled with the mean of their neighbours, where OGGM interpolates
// linearly between the valid cells.
//
// # The flowline ([ElevationBands], [FixedDx])
//
// Huss and Farinotti (2012, J. Geophys. Res. 117, F04010) collapse a
// glacier into bands of equal height; each band becomes a stretch of
// flowline whose length comes from its mean slope, Δx = Δz/tan α, and
// whose width is its area over that length. The band slope is the trimmed
// mean of Werder et al. (2019, J. Glaciol. 66, 137, sect. 2.3), as OGGM's
// elevation_band_flowline computes it, in bands of [BinSize] = 30 m. The
// bands are then sampled at a fixed spacing of [FlowlineDx] map cells
// (100 m for a 50 m map) by linear interpolation (gonum's
// interp.PiecewiseLinear), and the widths scaled so that the flowline's
// area is the RGI area ([Flowline.WidthFactor] says by how much: 0.996 for
// Hintereisferner).
//
// # The inversion ([Invert])
//
// Mass conservation (Farinotti et al. 2009, J. Glaciol. 55, 422): in a
// steady state the ice flux through a section is what the surface balance
// above it adds up to, q(x) = ∫ ȧ·w dx (m³ s⁻¹), with an "apparent"
// balance ȧ whose glacier-wide total is zero ([LinearApparentBalance]:
// OGGM's 3 mm w.e. m⁻¹ gradient about the ELA that gives zero; or
// [ApparentBalance] of any [massbalance.Model] less its mean). Glen's flow
// law in the shallow-ice approximation (Cuffey and Paterson 2010, eq.
// 8.37) gives the depth-averaged velocity ū = f_d·h^(n+1)·(ρgα)ⁿ, f_d =
// 2A/(n+2), plus OGGM's sliding f_s·h^(n−1)·(ρgα)ⁿ, and q = S(h)·ū fixes
// the thickness h for the section S of each point's shape (rectangle,
// parabola, or OGGM's trapezoid of side factor λ = 2 for elevation bands).
// [DefaultInversion] holds OGGM's defaults: A = 2.4e-24 Pa⁻³ s⁻¹, n = 3,
// f_s = 0, ρ = 900 kg m⁻³, slopes of at least 1.5°. [CalibrateGlenA] finds
// the A that gives a target volume (OGGM's calibration to the consensus
// estimate).
//
// # The thickness map ([DistributeThickness])
//
// OGGM's distribute_thickness_per_altitude: each glacier cell takes the
// mean thickness of the flowline's points within 110 m of its smoothed
// height, weighted by (d/d̄)^¼ (d its distance from the glacier's edge,
// so edge cells get none) and by the slope factor α^(−3/5) of Glen's law
// (α the slope of the smoothed DEM, at least 6°), optionally blurred
// (OGGM's smooth_radius), and scaled so that the cells hold the
// inversion's volume (TestDistributedThickness; Hintereisferner
// 0.645 km³ on 3218 cells of 50 m, thickest 261 m where the consensus has
// 191 m: the map knows only height, slope and distance from the edge).
// The map is for looking at (plots.ThicknessMap draws it) and for
// comparing with measurements; the dynamics run on the flowline.
//
// # Many glaciers ([PrepareEach], [CalibrateRegionalGlenA])
//
// [PrepareEach] prepares a set of outlines on goroutines;
// [CalibrateRegionalGlenA] is OGGM's calibrate_inversion_from_consensus
// (oggm/workflow.py): one Glen A for all the glaciers of a region,
// sought as a factor within [0.1, 10] of the default, so that their total
// volume is the sum of their consensus volumes.
//
// # The mass balance ([Calibrate])
//
// OGGM's MonthlyTIModel (engine/massbalance's [massbalance.MonthlyTI]) on
// the glacier's climate, calibrated on the flowline's heights weighted by
// its widths ([FlowlineHypsometry], as OGGM's get_specific_mb) in OGGM's
// order ([massbalance.CalibrateThreeStep]): the melt factor within 1.5–17
// kg m⁻² day⁻¹ K⁻¹; if none matches, the precipitation factor within
// 0.1–10 with the melt factor at its closer bound; then the temperature
// bias within ±15 K. The target is the mean of the WGMS balances over the
// calibration period (by default the later half of the observed years the
// climate covers, in WGMS's October–September years; the earlier half
// verifies the model: [Calibration].Verification), or a geodetic mean
// over a period. The apparent balance is then [ApparentBalance] over the
// calibration years (OGGM's apparent_mb_from_any_mb).
//
// # The glacier directory ([Glacier.WriteDir], [ReadDir])
//
// What `firn glacier prepare` writes and `firn glacier run` reads; every
// file whole and atomically, glacier.json last, so a directory without
// it is incomplete. Format version 1:
//
//   - glacier.json: format ("firn-glacier-directory"), version (1),
//     rgi_id, name, area_m2, points, dx_m, top_m, width_factor, map_dx_m,
//     ela_m, volume_m3, apparent_mb ("linear" or "temperature_index") and
//     inversion (glen_a_pa3_s, glen_n, fs, rho_ice_kg_m3, min_slope,
//     shape, lambda, shape_factor).
//   - flowline.csv: one row per point from the top down: point,
//     distance_m, surface_m, width_m, apparent_mb_m_ice_s, flux_m3_s,
//     slope (tangent), thickness_m, bed_m (surface − thickness),
//     section_m2, shape (trapezoidal, rectangular or parabolic).
//   - calibration.json (with a calibrated model): method ("wgms" or
//     "geodetic"), first_year, last_year, first_month, years, steps (the
//     parameters calibrated, in order), melt_f, prcp_fac, temp_bias,
//     target_mb_m_we_yr, modelled_mb_m_we_yr, residual_m_we_yr,
//     evaluations, apparent_mb_residual_m_we_yr, model (the fixed
//     parameters: temp_melt_degc, temp_all_solid_degc, temp_all_liq_degc,
//     temp_gradient_k_m, bias_kg_m2_yr, climate_ref_hgt_m, climate) and
//     verification (years, observed_m_we, modelled_m_we, r, bias_m_we_yr,
//     rmse_m_we_yr, observed_sd_m_we_yr, modelled_sd_m_we_yr).
//   - climate.csv: the glacier's monthly climate (engine/climate's CSV),
//     so that a run needs no other file.
//   - provenance.json: command, firn_version, go_version, created (RFC
//     3339, UTC), inputs (role, path, bytes, sha256 of each input file:
//     the outline and its .dbf/.shx/.prj, the DEM, the climate, the
//     observations) and parameters.
//
// # The run ([Glacier.Model])
//
// The flowline model starts from the inverted glacier: the bed is the
// surface less the inverted thickness, each point keeps its inverted
// section (a trapezoid of bottom width w − λh), and [DownstreamPoints]
// ice-free points continue the bed below the glacier at its lowest
// surface slope (OGGM follows the valley's own downstream line, which is
// still to come here). Glen's A, n, sliding and density are the
// inversion's, as in OGGM. [Glacier.ConstantClimate] is OGGM's
// ConstantMassBalance: the balances of the years y0 ± halfsize averaged.
//
// [Glacier.Run] runs it in a [Scenario]: the constant climate, a random
// one (OGGM's RandomMassBalance: each year a whole year drawn from y0 ±
// halfsize, reproducibly from a seed), or the historical climate (the
// climate's own years, from y0 or the first to the end of the record),
// each with a temperature bias, constant or ramped
// ([massbalance.Warming]). Hintereisferner in 100 years of the 1972–2002
// climate (TestScenarios): 0.740 km³ → 0.426 km³ at +0 °C, 0.124 km³ at
// +1 °C, 0.024 km³ at +2 °C, 0.027 km³ with +2 °C reached over 50 years;
// in the historical climate of 1978–2003 its volume changes by −0.714 m
// w.e./yr over its mean area, where the calibrated model gives −0.682 m
// w.e./yr on today's glacier (the WGMS mean it was calibrated to).
//
// # Verification
//
// Hintereisferner (RGI60-11.00897; RGI 6 outline, SRTM): the mask holds
// 8.045 km² (RGI 8.036), the flowline 8.036 km² in 56 points; with the
// linear balance (ELA 3031 m) and OGGM's defaults the volume is 0.645 km³,
// +12.6 % of the 0.573 km³ OGGM's test glacier is calibrated to and +11.6 %
// of the consensus estimate, 0.578 km³ (Farinotti et al. 2019, Nat.
// Geosci. 12, 168); mean thickness 80 m (consensus 72 m), largest 185 m
// (191 m). With OGGM's test-glacier balance (temperature index calibrated
// to the WGMS record) and the default A the volume is 0.744 km³: OGGM then
// calibrates A and f_s to reach 0.573 km³. The consensus volume needs A =
// 4.41e-24 Pa⁻³ s⁻¹ (1.84 × the default) with the linear balance. The inversion is checked
// analytically on a rectangular valley on a plane, where flux and thickness
// have closed forms (TestInversionAnalytic), and section by section
// against Glen's law (TestThicknessFromGlensLaw). OGGM's
// filter_inversion_output, which reshapes the last five points towards the
// downstream bed, is not applied: there is no downstream line yet.
//
// Calibrated on its own flowline to the WGMS balances of 1978–2003
// (TestPrepareCalibrated), Hintereisferner's melt factor is 6.23 kg m⁻²
// day⁻¹ K⁻¹ (the precipitation factor stays at 2.5, no temperature bias);
// on the 25 observed years 1953–1977 the modelled balances correlate
// with the observed at r = 0.79, bias +0.21 m w.e./yr, RMSE 0.50 m
// w.e./yr. The apparent balance from that model (ELA 3010 m) gives 0.740
// km³ with the default A, where OGGM's test glacier gives 0.744 km³. In
// the constant climate of 1972–2002 it loses 42 % of its volume in 100
// years (0.740 → 0.426 km³, 8.04 → 6.49 km², 5.6 → 3.7 km;
// TestRunHintereisferner), and the volume change is the surface balance
// plus the ice clipped at ice-free points to 1e-6 m³, nothing flowing
// out. The repository holds no OGGM run of Hintereisferner to compare
// the run with (testdata/oggm has OGGM's idealized cases only).
//
// South Glacier (Yukon, RGI60-01.16195; its own 20 m DEM, border of 10
// cells as in OGGM's benchmark; linear apparent balance, as the sample
// data hold no balance to calibrate CRU's climate to; OGGM's defaults):
// 0.417 km³ (consensus 0.388 km³, +8 %). Against the 9619 radar points
// (Wilson et al. 2013) averaged on the 1124 cells of 42 m they fall on,
// as OGGM's TestSouthGlacier does (TestSouthGlacierRadar): measured mean
// 74.0 m, modelled 104.7 m, bias +30.7 m (+42 %), RMSE 47.2 m, r = 0.54
// (smoothed by 251 m: +28.4 m, 45.5 m, 0.54). That is within OGGM's own
// tolerances for its default parameters (RMSD < 85 m, mean within 50 m)
// but not within what the method's uncertainty argues (bias 30 %, RMSE
// half the mean): South Glacier is surge-type and quiescent (Flowers et
// al. 2011), its tongue thin (radar 21–50 m at 2000–2200 m, model
// 56–110 m) and its reservoir thick (radar 94–122 m at 2500–2700 m, model
// 50–142 m), where a steady-state mass balance sends the whole ablation
// zone's melt through the tongue.
//
// The 20 Ötztal glaciers of OGGM's test workflow (RGI 5 outlines, SRTM,
// HISTALP; TestOetztal): each temperature-index model calibrated to a mean
// balance over 1983–2002 (Hintereisferner, Kesselwandferner and
// Vernagtferner to their WGMS means, the others to the mean of the
// three); one A for all (6.30e-24 Pa⁻³ s⁻¹, 2.63 × the default) so that
// they hold the consensus total, 6.7146 km³; then 100 years in the
// constant climate of 1972–2002. Their map cells cover 87.688 km² against
// RGI's 87.736 km² (−0.05 %; the flowlines hold the RGI areas by
// construction). Hintereisferner with the regional A: 0.622 km³, +8.6 %
// of OGGM's 0.573 km³ and +7.7 % of the consensus (0.738 km³, +29 %,
// with the default A). Kesselwandferner, whose observed balance over
// 1972–2002 averages −0.05 m w.e. a⁻¹, grows in that climate; the set
// loses 24 %.
//
//	| RGI id | name | area RGI (km²) | area map (km²) | volume, A default (km³) | volume, regional A (km³) | consensus (km³) | after 100 years (km³) |
//	|---|---|---|---|---|---|---|---|
//	| RGI50-11.00648 | | 1.640 | 1.637 | 0.1026 | 0.0856 | 0.0636 | 0.0621 |
//	| RGI50-11.00663 | | 1.266 | 1.274 | 0.0622 | 0.0520 | 0.0454 | 0.0307 |
//	| RGI50-11.00666 | | 9.331 | 9.323 | 0.9538 | 0.7942 | 0.7628 | 0.5857 |
//	| RGI50-11.00670 | | 1.369 | 1.360 | 0.0824 | 0.0687 | 0.0596 | 0.0484 |
//	| RGI50-11.00674 | | 0.945 | 0.940 | 0.0488 | 0.0408 | 0.0380 | 0.0228 |
//	| RGI50-11.00684 | | 0.340 | 0.339 | 0.0107 | 0.0090 | 0.0097 | 0.0046 |
//	| RGI50-11.00687 | | 5.361 | 5.366 | 0.4756 | 0.4009 | 0.3949 | 0.3664 |
//	| RGI50-11.00698 | | 1.738 | 1.748 | 0.0860 | 0.0719 | 0.0626 | 0.0569 |
//	| RGI50-11.00746 | | 16.624 | 16.663 | 2.1167 | 1.7621 | 1.8170 | 1.5073 |
//	| RGI50-11.00770 | | 2.485 | 2.484 | 0.1526 | 0.1273 | 0.1204 | 0.0772 |
//	| RGI50-11.00779 | | 1.375 | 1.380 | 0.0731 | 0.0610 | 0.0548 | 0.0453 |
//	| RGI50-11.00787 | Kesselwandferner | 3.965 | 3.970 | 0.3619 | 0.3016 | 0.3137 | 0.3363 |
//	| RGI50-11.00887 | | 8.938 | 8.931 | 0.9508 | 0.7924 | 0.9193 | 0.5025 |
//	| RGI50-11.00929 | | 2.379 | 2.353 | 0.1650 | 0.1391 | 0.1512 | 0.0816 |
//	| RGI50-11.00945 | | 7.148 | 7.135 | 0.6299 | 0.5224 | 0.4680 | 0.3962 |
//	| RGI50-11.00958 | | 4.349 | 4.342 | 0.3107 | 0.2591 | 0.2458 | 0.2006 |
//	| RGI50-11.00992 | | 1.894 | 1.870 | 0.1166 | 0.0973 | 0.0762 | 0.0690 |
//	| RGI50-11.00719_d01 | Vernagtferner | 6.536 | 6.511 | 0.4862 | 0.4028 | 0.5336 (both divides) | 0.2756 |
//	| RGI50-11.00719_d02 | Vernagtferner | 2.017 | 2.017 | 0.1248 | 0.1041 | — | 0.0705 |
//	| RGI50-11.00897 | Hintereisferner | 8.036 | 8.045 | 0.7382 | 0.6223 | 0.5779 | 0.3690 |
//	| total | | 87.736 | 87.688 | 8.0486 | 6.7146 | 6.7146 | 5.1086 |
//
// # Speed
//
// BenchmarkPrepareHintereisferner: about 50 ms on a 2-core machine, of
// which the map takes 99 % (the exact inverse projection of each of its
// 65 000 cells is nine tenths of that), the flowline 1 % and the inversion
// 0.3 %; reading the outline and the DEM adds about 2 ms. OGGM takes about
// 17 s.
//
// BenchmarkOetztal: the 20 Ötztal glaciers read, prepared on two
// goroutines, calibrated to one A and run 100 years on two goroutines in
// 0.54 s on a 2-core machine (goal 5 s). One goroutine, step by step
// (0.95 s): the maps 79 %, the runs 13 %, reading the files 3.5 %, the
// regional A (about 20 inversions of the set) 2.7 %, the flowlines 0.6 %,
// the calibrations 0.3 %, the inversions 0.1 %.
package glacier
