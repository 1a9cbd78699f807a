package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/firnglacier/firn/app"
	"github.com/firnglacier/firn/kernel"
)

// Limits bound what one user may use; zero fields are no bound (memory:
// the kernel's default).
type Limits struct {
	// Memory of each kernel process, bytes.
	Memory int64
	// CPUTime each kernel process may use over its life (RLIMIT_CPU).
	CPUTime time.Duration
	// Kernels is how many notebooks may run a kernel at once; opening one
	// more stops the one idle the longest (app.Options.MaxKernels).
	Kernels int
	// Disk and Files bound the workspace (app.Quota).
	Disk, Files int64
	// CPUs and UserMemory bound all of the user's kernels together (a
	// cgroup of the user's: Options.Cgroups), in CPUs and bytes.
	CPUs       float64
	UserMemory int64
	// Output bounds the output of each kernel the hub keeps in memory
	// for the user's pages (app.Options.MaxReplayBytes), bytes: a cell
	// printing without end keeps its last Output bytes, its older
	// output dropped (the page reloads the saved outputs).
	Output int64
}

// merge is l with the fields o sets that are more generous.
func (l Limits) merge(o Limits) Limits {
	l.Memory = max(l.Memory, o.Memory)
	l.CPUTime = max(l.CPUTime, o.CPUTime)
	l.Kernels = max(l.Kernels, o.Kernels)
	l.Disk = max(l.Disk, o.Disk)
	l.Files = max(l.Files, o.Files)
	l.CPUs = max(l.CPUs, o.CPUs)
	l.UserMemory = max(l.UserMemory, o.UserMemory)
	l.Output = max(l.Output, o.Output)
	return l
}

// limitsFor are the limits of a user in classes: Options.Limits, and for
// each field a class's profile sets, the most generous of the user's
// classes (a class profile may raise the defaults, as Zero to
// JupyterHub's profiles give a course more memory).
func (h *Hub) limitsFor(classes []string) Limits {
	l := h.opts.Limits
	var raised *Limits
	for _, c := range classes {
		p, ok := h.opts.ClassLimits[c]
		if !ok {
			continue
		}
		if raised == nil {
			raised = &p
		} else {
			m := raised.merge(p)
			raised = &m
		}
	}
	if raised == nil {
		return l
	}
	set := func(def, class int64) int64 {
		if class != 0 {
			return class
		}
		return def
	}
	l.Memory = set(l.Memory, raised.Memory)
	l.CPUTime = time.Duration(set(int64(l.CPUTime), int64(raised.CPUTime)))
	l.Kernels = int(set(int64(l.Kernels), int64(raised.Kernels)))
	l.Disk = set(l.Disk, raised.Disk)
	l.Files = set(l.Files, raised.Files)
	if raised.CPUs != 0 {
		l.CPUs = raised.CPUs
	}
	l.UserMemory = set(l.UserMemory, raised.UserMemory)
	l.Output = set(l.Output, raised.Output)
	return l
}

// userClasses are the classes (groups) user is in.
func (s *Store) userClasses(ctx context.Context, user string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.name FROM groups g JOIN members m ON m.group_id = g.id JOIN users u ON u.id = m.user_id
		WHERE u.name = ? ORDER BY g.name`, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// apply puts the limits into a user's server options.
func (l Limits) apply(o *app.Options) {
	if l.Memory > 0 {
		o.KernelOptions.MemoryLimit = l.Memory
	}
	o.KernelOptions.CPULimit = l.CPUTime
	o.MaxKernels = l.Kernels
	o.Quota = app.Quota{Bytes: l.Disk, Files: l.Files}
	if l.Output > 0 {
		o.MaxReplayBytes = int(l.Output)
	}
}

// limitsFile is the JSON form of a limits file (`firn hub --limits FILE`).
type limitsFile struct {
	Default limitsJSON            `json:"default"`
	Classes map[string]limitsJSON `json:"classes"`
}

type limitsJSON struct {
	Memory  string `json:"memory"`   // "2GiB"
	CPUTime string `json:"cpu_time"` // "2h"
	Kernels int    `json:"kernels"`
	Disk    string `json:"disk"` // "1GiB"
	Files   int64  `json:"files"`
	// CPUs and UserMemory bound all of a user's kernels together.
	CPUs       float64 `json:"cpus"`
	UserMemory string  `json:"user_memory"` // "4GiB"
	Output     string  `json:"output"`      // "16MiB"
}

func (j limitsJSON) limits(where string) (Limits, error) {
	var l Limits
	var err error
	if j.Memory != "" {
		if l.Memory, err = kernel.ParseBytes(j.Memory); err != nil {
			return l, fmt.Errorf("%s.memory: %w", where, err)
		}
	}
	if j.Disk != "" {
		if l.Disk, err = kernel.ParseBytes(j.Disk); err != nil {
			return l, fmt.Errorf("%s.disk: %w", where, err)
		}
	}
	if j.CPUTime != "" {
		if l.CPUTime, err = time.ParseDuration(j.CPUTime); err != nil || l.CPUTime < 0 {
			return l, fmt.Errorf("%s.cpu_time %q: want a duration such as 2h", where, j.CPUTime)
		}
	}
	if j.Output != "" {
		if l.Output, err = kernel.ParseBytes(j.Output); err != nil {
			return l, fmt.Errorf("%s.output: %w", where, err)
		}
	}
	if j.UserMemory != "" {
		if l.UserMemory, err = kernel.ParseBytes(j.UserMemory); err != nil {
			return l, fmt.Errorf("%s.user_memory: %w", where, err)
		}
	}
	if j.Kernels < 0 || j.Files < 0 || j.CPUs < 0 {
		return l, fmt.Errorf("%s: kernels, files and cpus may not be negative", where)
	}
	l.Kernels, l.Files, l.CPUs = j.Kernels, j.Files, j.CPUs
	return l, nil
}

// ReadLimits reads a limits file: the default limits (set over def,
// which the command line's flags give) and the profiles of classes:
//
//	{"default": {"memory": "2GiB", "cpu_time": "2h", "kernels": 3, "disk": "1GiB", "files": 10000,
//	             "cpus": 1, "user_memory": "4GiB", "output": "16MiB"},
//	 "classes": {"glac-advanced": {"memory": "4GiB", "kernels": 6, "cpus": 2}}}
//
// Errors name the file and the field.
func ReadLimits(name string, def Limits) (Limits, map[string]Limits, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return def, nil, fmt.Errorf("limits: %w", err)
	}
	var f limitsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return def, nil, fmt.Errorf("limits %s: %w", name, err)
	}
	d, err := f.Default.limits("default")
	if err != nil {
		return def, nil, fmt.Errorf("limits %s: %w", name, err)
	}
	def = Limits{
		Memory: pick(d.Memory, def.Memory), CPUTime: time.Duration(pick(int64(d.CPUTime), int64(def.CPUTime))),
		Kernels: int(pick(int64(d.Kernels), int64(def.Kernels))), Disk: pick(d.Disk, def.Disk), Files: pick(d.Files, def.Files),
		UserMemory: pick(d.UserMemory, def.UserMemory), CPUs: def.CPUs, Output: pick(d.Output, def.Output),
	}
	if d.CPUs != 0 {
		def.CPUs = d.CPUs
	}
	classes := map[string]Limits{}
	names := make([]string, 0, len(f.Classes))
	for c := range f.Classes {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		if err := CheckName("class name", c); err != nil {
			return def, nil, fmt.Errorf("limits %s: classes: %w", name, err)
		}
		if classes[c], err = f.Classes[c].limits("classes." + c); err != nil {
			return def, nil, fmt.Errorf("limits %s: %w", name, err)
		}
	}
	return def, classes, nil
}

func pick(set, def int64) int64 {
	if set != 0 {
		return set
	}
	return def
}
