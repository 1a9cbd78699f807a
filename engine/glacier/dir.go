package glacier

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// The files of a glacier directory; see the package documentation,
// "The glacier directory".
const (
	DirFormat       = "firn-glacier-directory"
	DirVersion      = 1
	GlacierFile     = "glacier.json"
	FlowlineFile    = "flowline.csv"
	CalibrationFile = "calibration.json"
	ClimateFile     = "climate.csv"
	ProvenanceFile  = "provenance.json"
)

// flowlineHeader is the header of flowline.csv.
const flowlineHeader = "point,distance_m,surface_m,width_m,apparent_mb_m_ice_s,flux_m3_s,slope,thickness_m,bed_m,section_m2,shape"

// Input is one input file of a glacier directory, for its provenance.
type Input struct {
	// Role says what the file is: "outline", "dem", "climate", "mb_obs".
	Role string `json:"role"`
	// Path is the file as it was named, Bytes its size and SHA256 the
	// hex SHA-256 of its content.
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// HashInput returns the provenance of the file at path.
func HashInput(role, path string) (Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return Input{}, fmt.Errorf("%s file: %w", role, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Input{}, fmt.Errorf("%s file %s: %w", role, path, err)
	}
	return Input{Role: role, Path: path, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Provenance says how a glacier directory was made.
type Provenance struct {
	// Command is the command line.
	Command []string `json:"command"`
	// Firn and Go are the versions of the program that wrote it.
	Firn string `json:"firn_version"`
	Go   string `json:"go_version"`
	// Created is the time of writing, RFC 3339, UTC.
	Created string `json:"created"`
	// Inputs are the input files.
	Inputs []Input `json:"inputs"`
	// Parameters are the choices made (flags and defaults), by name.
	Parameters map[string]any `json:"parameters"`
}

// dirInfo is glacier.json.
type dirInfo struct {
	Format      string  `json:"format"`
	Version     int     `json:"version"`
	RGIID       string  `json:"rgi_id"`
	Name        string  `json:"name,omitempty"`
	AreaM2      float64 `json:"area_m2"`
	Points      int     `json:"points"`
	DxM         float64 `json:"dx_m"`
	TopM        float64 `json:"top_m"`
	WidthFactor float64 `json:"width_factor"`
	MapDxM      float64 `json:"map_dx_m,omitempty"`
	ELAM        float64 `json:"ela_m"`
	VolumeM3    float64 `json:"volume_m3"`
	ApparentMB  string  `json:"apparent_mb"`
	Inversion   struct {
		GlenA       float64 `json:"glen_a_pa3_s"`
		GlenN       float64 `json:"glen_n"`
		Fs          float64 `json:"fs"`
		RhoIce      float64 `json:"rho_ice_kg_m3"`
		MinSlope    float64 `json:"min_slope"`
		Shape       string  `json:"shape"`
		Lambda      float64 `json:"lambda"`
		ShapeFactor float64 `json:"shape_factor"`
	} `json:"inversion"`
}

// calibrationFile is calibration.json.
type calibrationFile struct {
	Method      string   `json:"method"`
	FirstYear   int      `json:"first_year"`
	LastYear    int      `json:"last_year"`
	FirstMonth  int      `json:"first_month"`
	Years       []int    `json:"years"`
	Steps       []string `json:"steps"`
	MeltFactor  float64  `json:"melt_f"`
	PrcpFactor  float64  `json:"prcp_fac"`
	TempBias    float64  `json:"temp_bias"`
	Target      float64  `json:"target_mb_m_we_yr"`
	Modelled    float64  `json:"modelled_mb_m_we_yr"`
	Residual    float64  `json:"residual_m_we_yr"`
	Evaluations int      `json:"evaluations"`
	// ApparentResidual is in m w.e. per year.
	ApparentResidual float64 `json:"apparent_mb_residual_m_we_yr"`
	Model            struct {
		TempMelt      float64 `json:"temp_melt_degc"`
		TempAllSolid  float64 `json:"temp_all_solid_degc"`
		TempAllLiquid float64 `json:"temp_all_liq_degc"`
		TempGradient  float64 `json:"temp_gradient_k_m"`
		Bias          float64 `json:"bias_kg_m2_yr"`
		RefHeight     float64 `json:"climate_ref_hgt_m"`
		Climate       string  `json:"climate"`
	} `json:"model"`
	Verification *verificationFile `json:"verification,omitempty"`
}

type verificationFile struct {
	Years      []int     `json:"years"`
	Observed   []float64 `json:"observed_m_we"`
	Modelled   []float64 `json:"modelled_m_we"`
	R          float64   `json:"r"`
	Bias       float64   `json:"bias_m_we_yr"`
	RMSE       float64   `json:"rmse_m_we_yr"`
	ObservedSD float64   `json:"observed_sd_m_we_yr"`
	ModelledSD float64   `json:"modelled_sd_m_we_yr"`
}

// WriteFunc writes one file of a directory whole (atomically, in Firn's
// program: internal/atomicfile); name is the file's name in it.
type WriteFunc func(name string, write func(io.Writer) error) error

// WriteDir writes g as a glacier directory through write: glacier.json,
// flowline.csv, provenance.json and, with a calibrated mass balance,
// calibration.json and climate.csv. glacier.json comes last, so a
// directory without it is incomplete.
func (g *Glacier) WriteDir(write WriteFunc, prov Provenance) error {
	fl, inv := g.Flowline, g.Inversion
	info := dirInfo{Format: DirFormat, Version: DirVersion, RGIID: fl.ID, AreaM2: fl.Area(), Points: fl.Len(), DxM: fl.Dx,
		TopM: fl.Top, WidthFactor: fl.WidthFactor, ELAM: g.ELA, VolumeM3: g.Volume(), ApparentMB: "linear"}
	if g.Region != nil {
		info.MapDxM = g.Region.DX
	}
	info.Name = g.Name
	p := inv.Params
	info.Inversion.GlenA, info.Inversion.GlenN, info.Inversion.Fs, info.Inversion.RhoIce = p.GlenA, p.GlenN, p.Fs, p.RhoIce
	info.Inversion.MinSlope, info.Inversion.Shape, info.Inversion.Lambda, info.Inversion.ShapeFactor = p.MinSlope, p.Shape.String(), p.Lambda, p.ShapeFactor
	if err := write(FlowlineFile, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(strings.Split(flowlineHeader, ",")); err != nil {
			return err
		}
		f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
		for i := range fl.Surface {
			if err := cw.Write([]string{strconv.Itoa(i), f(fl.Distance(i)), f(fl.Surface[i]), f(fl.Width[i]), f(inv.Balance[i]), f(inv.Flux[i]),
				f(inv.Slope[i]), f(inv.Thickness[i]), f(inv.Bed[i]), f(inv.Section[i]), inv.Shape[i].String()}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return err
	}
	if g.MB != nil && g.Calibration != nil {
		info.ApparentMB = "temperature_index"
		c := g.Calibration
		cf := calibrationFile{Method: c.Method, FirstYear: c.FirstYear, LastYear: c.LastYear, FirstMonth: c.FirstMonth, Years: c.Years, Steps: c.Steps,
			MeltFactor: c.MeltFactor, PrcpFactor: c.PrcpFactor, TempBias: c.TempBias, Target: c.Target, Modelled: c.Modelled, Residual: c.Residual,
			Evaluations: c.Evaluations, ApparentResidual: c.ApparentResidual / massbalance.WEPerYearToIcePerSecond}
		m := g.MB
		cf.Model.TempMelt, cf.Model.TempAllSolid, cf.Model.TempAllLiquid, cf.Model.TempGradient, cf.Model.Bias = m.TempMelt, m.TempAllSolid, m.TempAllLiquid, m.TempGradient, m.Bias
		cf.Model.RefHeight, cf.Model.Climate = m.Climate.RefHeight, m.Climate.Name
		if v := c.Verification; v != nil {
			cf.Verification = &verificationFile{Years: v.Years, Observed: v.Observed, Modelled: v.Modelled, R: v.R, Bias: v.Bias, RMSE: v.RMSE, ObservedSD: v.ObservedSD, ModelledSD: v.ModelledSD}
		}
		if err := write(CalibrationFile, jsonWriter(cf)); err != nil {
			return err
		}
		if err := write(ClimateFile, m.Climate.WriteCSV); err != nil {
			return err
		}
	}
	if err := write(ProvenanceFile, jsonWriter(prov)); err != nil {
		return err
	}
	return write(GlacierFile, jsonWriter(info))
}

func jsonWriter(v any) func(io.Writer) error {
	return func(w io.Writer) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
}

// ReadDir reads the glacier directory dir that [Glacier.WriteDir]
// wrote: the flowline, the inversion and, when it has them, the
// calibrated mass balance with its climate. The map and the bands are
// not kept in a directory (Region and Bands are nil). Errors name the
// file and, in flowline.csv, the line and column.
func ReadDir(dir string) (*Glacier, error) {
	var info dirInfo
	if err := readJSON(filepath.Join(dir, GlacierFile), &info); err != nil {
		return nil, err
	}
	gpath := filepath.Join(dir, GlacierFile)
	if info.Format != DirFormat || info.Version != DirVersion {
		return nil, fmt.Errorf("glacier directory %s: format %q version %d (want %q version %d)", gpath, info.Format, info.Version, DirFormat, DirVersion)
	}
	if !(info.DxM > 0) {
		return nil, fmt.Errorf("glacier directory %s: field dx_m is %g (want > 0)", gpath, info.DxM)
	}
	shape, err := geometry.ParseShape(info.Inversion.Shape)
	if err != nil {
		return nil, fmt.Errorf("glacier directory %s: field inversion.shape: %w", gpath, err)
	}
	ip := InversionParams{GlenA: info.Inversion.GlenA, GlenN: info.Inversion.GlenN, Fs: info.Inversion.Fs, RhoIce: info.Inversion.RhoIce,
		MinSlope: info.Inversion.MinSlope, Shape: shape, Lambda: info.Inversion.Lambda, ShapeFactor: info.Inversion.ShapeFactor}
	if err := ip.check(); err != nil {
		return nil, fmt.Errorf("glacier directory %s: field inversion: %w", gpath, err)
	}
	fl := &Flowline{ID: info.RGIID, Dx: info.DxM, Top: info.TopM, WidthFactor: info.WidthFactor}
	inv := &Inversion{Params: ip}
	if err := readFlowline(filepath.Join(dir, FlowlineFile), fl, inv); err != nil {
		return nil, err
	}
	if len(fl.Surface) != info.Points {
		return nil, fmt.Errorf("glacier directory %s: %d points in %s, field points says %d", gpath, len(fl.Surface), FlowlineFile, info.Points)
	}
	g := &Glacier{Name: info.Name, Flowline: fl, Inversion: inv, ELA: info.ELAM}
	if info.ApparentMB != "temperature_index" {
		return g, nil
	}
	var cf calibrationFile
	cpath := filepath.Join(dir, CalibrationFile)
	if err := readJSON(cpath, &cf); err != nil {
		return nil, err
	}
	clim, err := climate.ReadCSVFile(filepath.Join(dir, ClimateFile))
	if err != nil {
		return nil, fmt.Errorf("glacier directory %s: %w", dir, err)
	}
	m := massbalance.NewMonthlyTI(clim)
	m.MeltFactor, m.PrcpFactor, m.TempBias, m.FirstMonth = cf.MeltFactor, cf.PrcpFactor, cf.TempBias, cf.FirstMonth
	m.TempMelt, m.TempAllSolid, m.TempAllLiquid, m.TempGradient, m.Bias = cf.Model.TempMelt, cf.Model.TempAllSolid, cf.Model.TempAllLiquid, cf.Model.TempGradient, cf.Model.Bias
	if err := m.AnnualBalance(float64(cf.FirstYear), fl.Surface[:1], make([]float64, 1)); err != nil {
		return nil, fmt.Errorf("glacier directory %s: the calibrated model: %w", cpath, err)
	}
	g.MB = &m
	g.Calibration = &Calibration{Method: cf.Method, FirstMonth: cf.FirstMonth, ApparentResidual: cf.ApparentResidual * massbalance.WEPerYearToIcePerSecond,
		ThreeStep: massbalance.ThreeStep{MeltFactor: cf.MeltFactor, PrcpFactor: cf.PrcpFactor, TempBias: cf.TempBias, Steps: cf.Steps,
			FirstYear: cf.FirstYear, LastYear: cf.LastYear, Years: cf.Years, Target: cf.Target, Modelled: cf.Modelled, Residual: cf.Residual, Evaluations: cf.Evaluations}}
	if v := cf.Verification; v != nil {
		g.Calibration.Verification = &massbalance.Verification{Years: v.Years, Observed: v.Observed, Modelled: v.Modelled, R: v.R, Bias: v.Bias, RMSE: v.RMSE, ObservedSD: v.ObservedSD, ModelledSD: v.ModelledSD}
	}
	return g, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("glacier directory: %s is missing (is %s a directory that firn glacier prepare wrote?)", path, filepath.Dir(path))
		}
		return fmt.Errorf("glacier directory: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("glacier directory: %s: %w", path, err)
	}
	return nil
}

func readFlowline(path string, fl *Flowline, inv *Inversion) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("glacier directory: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("glacier directory: %s: header: %w", path, err)
	}
	if strings.Join(head, ",") != flowlineHeader {
		return fmt.Errorf("glacier directory: %s: header %q (want %q)", path, strings.Join(head, ","), flowlineHeader)
	}
	cols := strings.Split(flowlineHeader, ",")
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("glacier directory: %s: %w", path, err)
		}
		v := make([]float64, len(rec)-1)
		for j := range v {
			if v[j], err = strconv.ParseFloat(rec[j], 64); err != nil || math.IsNaN(v[j]) || math.IsInf(v[j], 0) {
				return fmt.Errorf("glacier directory: %s, line %d, column %s: %q is not a finite number", path, line, cols[j], rec[j])
			}
		}
		s, err := geometry.ParseShape(rec[len(rec)-1])
		if err != nil {
			return fmt.Errorf("glacier directory: %s, line %d, column shape: %w", path, line, err)
		}
		fl.Surface, fl.Width = append(fl.Surface, v[2]), append(fl.Width, v[3])
		inv.Balance, inv.Flux, inv.Slope = append(inv.Balance, v[4]), append(inv.Flux, v[5]), append(inv.Slope, v[6])
		inv.Thickness, inv.Bed, inv.Section, inv.Shape = append(inv.Thickness, v[7]), append(inv.Bed, v[8]), append(inv.Section, v[9]), append(inv.Shape, s)
		if v[7] < 0 || v[3] < 0 {
			return fmt.Errorf("glacier directory: %s, line %d: width %g m, thickness %g m (want ≥ 0)", path, line, v[3], v[7])
		}
	}
	if len(fl.Surface) < 2 {
		return fmt.Errorf("glacier directory: %s: %d point(s); need 2 or more", path, len(fl.Surface))
	}
	return nil
}
