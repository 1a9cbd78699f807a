package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Limits of a group; zero fields are no bound.
type Limits struct {
	// Weight is the group's CPU share against its siblings, 1 to 10000
	// (cgroup v2's scale; 100 is the default). On v1 it becomes
	// cpu.shares, weight×1024/100.
	Weight int
	// CPUs caps the CPU time of all the group's processes together, in
	// CPUs (1.5: one and a half cores' worth per period).
	CPUs float64
	// Memory caps the memory of all the group's processes together,
	// bytes.
	Memory int64
}

// period is the CFS period the CPU cap is a fraction of, µs.
const period = 100000

// Hierarchy is where groups are made: a cgroup v2 root, or the v1 cpu
// (and memory) hierarchies.
type Hierarchy struct {
	// Version is 2 or 1.
	Version int
	v2      string // the unified hierarchy's root
	cpu     string // v1: the cpu hierarchy's root
	memory  string // v1: the memory hierarchy's root ("" without one)
}

// Detect finds a hierarchy under base (normally /sys/fs/cgroup) in which
// groups with a CPU weight can be made: cgroup v2 with the cpu
// controller available (the memory one too, if the machine has it), at
// base or at base/unified; otherwise the v1 cpu hierarchy (and memory,
// if mounted). The error says what is missing.
func Detect(base string) (*Hierarchy, error) {
	for _, root := range []string{base, filepath.Join(base, "unified")} {
		ctrl, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
		if err != nil {
			continue
		}
		have := strings.Fields(string(ctrl))
		if !slices.Contains(have, "cpu") {
			continue // v2 without cpu (a hybrid layout keeps it in v1)
		}
		want := "+cpu"
		if slices.Contains(have, "memory") {
			want += " +memory"
		}
		if err := os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte(want), 0); err != nil {
			return nil, fmt.Errorf("cgroup v2 at %s: the cpu controller is not delegated to this process: %w", root, err)
		}
		return &Hierarchy{Version: 2, v2: root}, nil
	}
	for _, name := range []string{"cpu", "cpu,cpuacct"} {
		root := filepath.Join(base, name)
		if _, err := os.Stat(filepath.Join(root, "cpu.shares")); err != nil {
			continue
		}
		h := &Hierarchy{Version: 1, cpu: root}
		if _, err := os.Stat(filepath.Join(base, "memory", "memory.limit_in_bytes")); err == nil {
			h.memory = filepath.Join(base, "memory")
		}
		return h, nil
	}
	return nil, fmt.Errorf("no cgroup hierarchy with the cpu controller under %s (neither v2's cgroup.controllers listing cpu nor v1's cpu/cpu.shares)", base)
}

// Group is a control group made by Hierarchy.Group.
type Group struct {
	dirs []string // its folder in each hierarchy
}

// Group makes (or reuses) the group name (a slash-separated path, such as
// "firn-hub/alice") and sets its limits. On v2 every folder above it gets
// the cpu (and memory) controllers for its children.
func (h *Hierarchy) Group(name string, l Limits) (*Group, error) {
	if name == "" || strings.Contains(name, "..") || filepath.IsAbs(name) {
		return nil, fmt.Errorf("cgroup: group name %q: want a relative path such as firn-hub/alice", name)
	}
	if l.Weight < 0 || l.Weight > 10000 || l.CPUs < 0 || l.Memory < 0 {
		return nil, fmt.Errorf("cgroup %s: weight %d (want 1 to 10000), CPUs %g and memory %d (want 0 or more)", name, l.Weight, l.CPUs, l.Memory)
	}
	var writes [][2]string // file, value
	g := &Group{}
	switch h.Version {
	case 2:
		dir, err := mkdirV2(h.v2, name)
		if err != nil {
			return nil, err
		}
		g.dirs = []string{dir}
		if l.Weight > 0 {
			writes = append(writes, [2]string{filepath.Join(dir, "cpu.weight"), strconv.Itoa(l.Weight)})
		}
		cpuMax := "max " + strconv.Itoa(period)
		if l.CPUs > 0 {
			cpuMax = fmt.Sprintf("%d %d", quota(l.CPUs), period)
		}
		writes = append(writes, [2]string{filepath.Join(dir, "cpu.max"), cpuMax})
		if _, err := os.Stat(filepath.Join(dir, "memory.max")); err == nil {
			mem := "max"
			if l.Memory > 0 {
				mem = strconv.FormatInt(l.Memory, 10)
			}
			writes = append(writes, [2]string{filepath.Join(dir, "memory.max"), mem})
		} else if l.Memory > 0 {
			return nil, fmt.Errorf("cgroup %s: a memory cap needs the memory controller, which %s does not delegate", name, h.v2)
		}
	case 1:
		dir := filepath.Join(h.cpu, filepath.FromSlash(name))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cgroup %s: %w", name, err)
		}
		g.dirs = []string{dir}
		if l.Weight > 0 {
			writes = append(writes, [2]string{filepath.Join(dir, "cpu.shares"), strconv.Itoa(max(2, l.Weight*1024/100))})
		}
		q := "-1"
		if l.CPUs > 0 {
			q = strconv.Itoa(quota(l.CPUs))
		}
		writes = append(writes, [2]string{filepath.Join(dir, "cpu.cfs_period_us"), strconv.Itoa(period)}, [2]string{filepath.Join(dir, "cpu.cfs_quota_us"), q})
		switch {
		case h.memory != "":
			mdir := filepath.Join(h.memory, filepath.FromSlash(name))
			if err := os.MkdirAll(mdir, 0o755); err != nil {
				return nil, fmt.Errorf("cgroup %s: %w", name, err)
			}
			g.dirs = append(g.dirs, mdir)
			mem := "-1"
			if l.Memory > 0 {
				mem = strconv.FormatInt(l.Memory, 10)
			}
			writes = append(writes, [2]string{filepath.Join(mdir, "memory.limit_in_bytes"), mem})
		case l.Memory > 0:
			return nil, fmt.Errorf("cgroup %s: a memory cap needs the v1 memory hierarchy, which is not mounted", name)
		}
	default:
		return nil, fmt.Errorf("cgroup: unknown version %d", h.Version)
	}
	for _, w := range writes {
		if err := os.WriteFile(w[0], []byte(w[1]), 0); err != nil {
			return nil, fmt.Errorf("cgroup %s: %w", name, err)
		}
	}
	return g, nil
}

// quota is the CFS quota of cpus CPUs per period, µs (at least 1 ms, the
// kernel's floor).
func quota(cpus float64) int {
	return max(1000, int(cpus*period+0.5))
}

// mkdirV2 makes the group's folders under root, each parent with the
// controllers its children need (v2 delegates controllers level by
// level; a folder with children holds no processes itself).
func mkdirV2(root, name string) (string, error) {
	dir := root
	parts := strings.Split(name, "/")
	for i, p := range parts {
		dir = filepath.Join(dir, p)
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("cgroup %s: %w", name, err)
		}
		if i == len(parts)-1 {
			break
		}
		ctrl, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
		if err != nil {
			return "", fmt.Errorf("cgroup %s: %w", name, err)
		}
		var want []string
		for _, c := range []string{"cpu", "memory"} {
			if slices.Contains(strings.Fields(string(ctrl)), c) {
				want = append(want, "+"+c)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte(strings.Join(want, " ")), 0); err != nil {
			return "", fmt.Errorf("cgroup %s: delegating %v to its children: %w", name, want, err)
		}
	}
	return dir, nil
}

// Procs are the cgroup.procs files a process is written into to join
// the group (one per hierarchy).
func (g *Group) Procs() []string {
	out := make([]string, len(g.dirs))
	for i, d := range g.dirs {
		out[i] = filepath.Join(d, "cgroup.procs")
	}
	return out
}

// Join puts the process pid into the group.
func (g *Group) Join(pid int) error {
	return Join(g.Procs(), pid)
}

// Join writes pid into each of the cgroup.procs files procs.
func Join(procs []string, pid int) error {
	for _, f := range procs {
		if err := os.WriteFile(f, []byte(strconv.Itoa(pid)), 0); err != nil {
			return fmt.Errorf("cgroup: process %d into %s: %w", pid, filepath.Dir(f), err)
		}
	}
	return nil
}

// OOMKills is how many of the group's processes the kernel has killed
// for passing its memory cap (v2 memory.events, v1 memory.oom_control:
// the line "oom_kill N"); 0 without a memory controller.
func (g *Group) OOMKills() (int, error) {
	for _, d := range g.dirs {
		for _, f := range []string{"memory.events", "memory.oom_control"} {
			b, err := os.ReadFile(filepath.Join(d, f))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return 0, err
			}
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
					return strconv.Atoi(strings.TrimSpace(v))
				}
			}
		}
	}
	return 0, nil
}

// Remove removes the group's folders; it fails while processes are in
// it.
func (g *Group) Remove() error {
	var errs []error
	for _, d := range g.dirs {
		if err := os.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
