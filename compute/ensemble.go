package compute

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/experiment"
)

// An Ensemble is what a Map gave: one Result per task, in the order of
// the tasks.
type Ensemble struct {
	Tasks   []Task
	Results []Result
}

// Histories returns the histories of the runs that succeeded, in order
// (year, volume m³, area m², length m): what plots.TimeSeries draws.
func (e *Ensemble) Histories() []*dynamics.History {
	var hs []*dynamics.History
	for _, r := range e.Results {
		if r.History != nil && !r.Failed() {
			hs = append(hs, r.History)
		}
	}
	return hs
}

// Labels returns the labels of the runs Histories returns, in the same
// order: each task's Label, or its Name.
func (e *Ensemble) Labels() []string {
	var ls []string
	for i, r := range e.Results {
		if r.History != nil && !r.Failed() {
			l := r.Name
			if i < len(e.Tasks) && e.Tasks[i].Label != "" {
				l = e.Tasks[i].Label
			}
			ls = append(ls, l)
		}
	}
	return ls
}

// Percentiles summarizes the runs that succeeded as one history per
// percentile p (0 to 100): its volume, area and length each year are the
// p-th percentiles of the runs' values that year, each quantity on its
// own (linear between the closest ranks, as numpy's default). It returns
// them with labels ("median", "5th percentile"), for plots.TimeSeries:
// an ensemble of a thousand runs as three lines. The runs must record
// the same years.
func (e *Ensemble) Percentiles(ps ...float64) ([]*dynamics.History, []string, error) {
	hs := e.Histories()
	if len(hs) == 0 {
		return nil, nil, errors.New("percentiles: no run succeeded")
	}
	labels := e.Labels()
	years := hs[0].Year
	for i, h := range hs {
		if !slices.Equal(h.Year, years) {
			return nil, nil, fmt.Errorf("percentiles: %s records other years than %s (%d records, %d)", labels[i], labels[0], h.Len(), len(years))
		}
	}
	for _, p := range ps {
		if !(p >= 0 && p <= 100) {
			return nil, nil, fmt.Errorf("percentiles: %g is not a percentile; want 0 to 100", p)
		}
	}
	out := make([]*dynamics.History, len(ps))
	names := make([]string, len(ps))
	for k, p := range ps {
		out[k] = &dynamics.History{Year: slices.Clone(years), Volume: make([]float64, len(years)),
			Area: make([]float64, len(years)), Length: make([]float64, len(years))}
		names[k] = percentileName(p)
	}
	vals := make([]float64, len(hs))
	for y := range years {
		for _, get := range []func(*dynamics.History) []float64{
			func(h *dynamics.History) []float64 { return h.Volume },
			func(h *dynamics.History) []float64 { return h.Area },
			func(h *dynamics.History) []float64 { return h.Length },
		} {
			for i, h := range hs {
				vals[i] = get(h)[y]
			}
			slices.Sort(vals)
			for k, p := range ps {
				get(out[k])[y] = percentile(vals, p)
			}
		}
	}
	return out, names, nil
}

// percentile is the p-th percentile of sorted values, linear between the
// closest ranks.
func percentile(sorted []float64, p float64) float64 {
	r := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(r))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := r - float64(lo)
	return sorted[lo] + f*(sorted[lo+1]-sorted[lo])
}

func percentileName(p float64) string {
	switch {
	case p == 50:
		return "median"
	case p == 0:
		return "minimum"
	case p == 100:
		return "maximum"
	}
	v := strconv.FormatFloat(p, 'g', -1, 64)
	suffix := "th"
	if p == math.Trunc(p) && int(p)%100/10 != 1 {
		switch int(p) % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return v + suffix + " percentile"
}

// A RunSummary is one run of an Ensemble as a row of a table: its label,
// its last recorded year (a) and its volume (km³), area (km²) and length
// (km) then, the worker that ran it, or its error. display.Show of a
// []RunSummary (or one as a cell's last value) is a table.
type RunSummary struct {
	Run    string  `display:"run"`
	Year   float64 `display:"year"`
	Volume float64 `display:"volume (km³)"`
	Area   float64 `display:"area (km²)"`
	Length float64 `display:"length (km)"`
	Worker string  `display:"worker"`
	Error  string  `display:"error"`
}

// Summary is the results table: a RunSummary per task, in order.
func (e *Ensemble) Summary() []RunSummary {
	out := make([]RunSummary, len(e.Results))
	for i, r := range e.Results {
		s := RunSummary{Run: r.Name, Worker: r.Worker, Error: r.Err}
		if i < len(e.Tasks) && e.Tasks[i].Label != "" {
			s.Run = e.Tasks[i].Label
		}
		if h := r.History; h != nil && h.Len() > 0 && !r.Failed() {
			last := h.Len() - 1
			s.Year, s.Volume, s.Area, s.Length = h.Year[last], h.Volume[last]/1e9, h.Area[last]/1e6, h.Length[last]/1e3
		}
		out[i] = s
	}
	return out
}

// Failed returns the results of the tasks that failed (or were
// cancelled: those have no worker and the error "cancelled").
func (e *Ensemble) Failed() []Result {
	var out []Result
	for _, r := range e.Results {
		if r.Failed() {
			out = append(out, r)
		}
	}
	return out
}

// Len is the number of tasks.
func (e *Ensemble) Len() int { return len(e.Results) }

// String summarizes the ensemble: "200 runs, 200 done, 0 failed".
func (e *Ensemble) String() string {
	if e == nil {
		return "no runs"
	}
	done, failed := 0, 0
	for _, r := range e.Results {
		switch {
		case r.Failed():
			failed++
		case r.History != nil:
			done++
		}
	}
	return fmt.Sprintf("%s, %d done, %d failed", plural(len(e.Results), "run"), done, failed)
}

// failure is the error of an ensemble with failed tasks: how many, and
// the first few errors (each names its experiment file).
func (e *Ensemble) failure() error {
	failed := e.Failed()
	const shown = 3
	var errs []error
	for _, r := range failed[:min(shown, len(failed))] {
		errs = append(errs, errors.New(r.Err))
	}
	msg := fmt.Sprintf("map: %d of %d experiments failed", len(failed), len(e.Results))
	if len(failed) > shown {
		msg += fmt.Sprintf(" (the first %d below; Ensemble.Failed has all)", shown)
	}
	return fmt.Errorf("%s:\n%w", msg, errors.Join(errs...))
}

// File reads an experiment file (YAML or JSON) as a task, checking it as
// `firn model run` does, so that a bad file is reported with its line
// and key before anything runs.
func File(name string) (Task, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return Task{}, err
	}
	if _, err := experiment.Parse(data, name); err != nil {
		return Task{}, err
	}
	return Task{Name: name, Data: data, Label: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))}, nil
}

// Files reads the experiment files that match the patterns
// (filepath.Glob: "runs/*.yaml"), in the order of the patterns and, for
// each, of the names. A pattern that matches nothing is an error.
func Files(patterns ...string) ([]Task, error) {
	var tasks []Task
	for _, p := range patterns {
		names, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("files: pattern %q: %w", p, err)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("files: no experiment file matches %q", p)
		}
		for _, n := range names {
			t, err := File(n)
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
	}
	return tasks, nil
}

// Vary returns one task per value: the base experiment with the number
// at key set to the value. key is a path of keys and list indexes, as
// the experiment file's errors name fields: "mass_balance.ela_m",
// "flowlines[0].width_m", "years.end". Each task is checked as an
// experiment file (a value out of range is an error that names the base
// file, the key and the value) and labelled "ela_m = 2800".
//
//	base, _ := compute.File("glacier.yaml")
//	tasks, err := compute.Vary(base, "mass_balance.ela_m", compute.Steps(2800, 3200, 10)...)
func Vary(base Task, key string, values ...float64) ([]Task, error) {
	if _, err := experiment.Parse(base.Data, base.Name); err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal(base.Data, &doc); err != nil {
		return nil, fmt.Errorf("vary: %s: %w", base.Name, err)
	}
	steps, err := keyPath(key)
	if err != nil {
		return nil, fmt.Errorf("vary: %s: %w", base.Name, err)
	}
	short := steps[len(steps)-1]
	tasks := make([]Task, 0, len(values))
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("vary: %s: %s = %g is not a number", base.Name, key, v)
		}
		if err := set(doc, steps, v, key); err != nil {
			return nil, fmt.Errorf("vary: %s: %w", base.Name, err)
		}
		data, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("vary: %s: %w", base.Name, err)
		}
		val := strconv.FormatFloat(v, 'g', -1, 64)
		// The name has no extension of a format: the content (JSON)
		// decides.
		t := Task{Name: fmt.Sprintf("%s with %s = %s", base.Name, key, val), Data: data, Every: base.Every, Label: short + " = " + val}
		if _, err := experiment.Parse(t.Data, t.Name); err != nil {
			return nil, fmt.Errorf("vary: %w", err)
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// keyPath splits "flowlines[0].width_m" into "flowlines", "0", "width_m".
func keyPath(key string) ([]string, error) {
	var steps []string
	for _, part := range strings.Split(key, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" && rest == "" {
			return nil, fmt.Errorf("key %q: want a path such as mass_balance.ela_m or flowlines[0].width_m", key)
		}
		if name != "" {
			steps = append(steps, name)
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				return nil, fmt.Errorf("key %q: a [ without ]", key)
			}
			steps = append(steps, idx)
			rest = strings.TrimPrefix(after, "[")
		}
	}
	if len(steps) == 0 || slices.Contains(steps, "") {
		return nil, fmt.Errorf("key %q: want a path such as mass_balance.ela_m or flowlines[0].width_m", key)
	}
	return steps, nil
}

// set sets the number at steps in doc (maps and lists from YAML).
func set(doc any, steps []string, v float64, key string) error {
	cur := doc
	for i, s := range steps {
		last := i == len(steps)-1
		where := path.Join(steps[:i]...)
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[s] = v
				return nil
			}
			next, ok := c[s]
			if !ok {
				return fmt.Errorf("key %s: the experiment has no %q under %q", key, s, where)
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n >= len(c) {
				return fmt.Errorf("key %s: %q is a list of %d; want an index from 0 to %d", key, where, len(c), len(c)-1)
			}
			if last {
				c[n] = v
				return nil
			}
			cur = c[n]
		default:
			return fmt.Errorf("key %s: %q is a value, not a mapping or a list", key, where)
		}
	}
	return nil
}

// Steps returns from, from+step, … up to to (included when the steps
// reach it within a millionth of a step): Steps(2800, 3200, 50) is 2800,
// 2850, …, 3200.
func Steps(from, to, step float64) []float64 {
	if step == 0 || math.IsNaN(from+to+step) || (to-from)/step < 0 {
		return []float64{from}
	}
	n := int(math.Floor((to-from)/step + 1e-6))
	out := make([]float64, 0, n+1)
	for i := 0; i <= n; i++ {
		out = append(out, from+float64(i)*step)
	}
	return out
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func htmlEscape(s string) string { return html.EscapeString(s) }
