// Package cgroup gives a set of processes a control group of its own
// with a CPU weight, a CPU cap and a memory cap, so that `firn hub` can
// share the machine between its users rather than between their kernel
// processes: a student with four busy kernels gets the CPU share of a
// student with one, and no more than the CPUs and memory the teacher
// set for all of a student's kernels together.
//
// It speaks the kernel's cgroup file interface directly (there is no
// well-kept Go module for it served here, and what Firn needs is a
// dozen writes): on cgroup v2 (the unified hierarchy, when its root
// delegates the cpu and memory controllers) cpu.weight, cpu.max and
// memory.max; on cgroup v1 (the cpu and memory hierarchies, as on
// machines still on the legacy or hybrid layout) cpu.shares,
// cpu.cfs_quota_us and memory.limit_in_bytes. A process joins a group by
// having its pid written into the group's cgroup.procs files (Procs).
//
//	h, err := cgroup.Detect("/sys/fs/cgroup")
//	if err != nil {
//		return err // no writable hierarchy with cpu: use rlimits only
//	}
//	g, err := h.Group("firn-hub/alice", cgroup.Limits{Weight: 100, CPUs: 1.5, Memory: 4 << 30})
//	// start the kernel, then write its pid into each of g.Procs()
//	defer g.Remove() // once its processes have ended
//
// Groups need root (or a delegated subtree). Detect says why when the
// machine has neither hierarchy in a usable state.
package cgroup
