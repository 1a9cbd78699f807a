//go:build unix

package compute

import "golang.org/x/sys/unix"

// propagateFlags are sbatch's flags that keep this process's own cap on
// its address space from reaching the workers: Slurm gives a job the
// resource limits of the process that submitted it (its
// PropagateResourceLimits default, ALL), and a Firn kernel caps its
// address space (soft RLIMIT_AS) at its memory limit, which a worker on
// a compute node, whose memory Slurm governs (--mem), must not inherit.
// The other limits travel as Slurm's default has them.
func propagateFlags() []string {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &lim); err != nil || lim.Cur == lim.Max {
		return nil
	}
	return []string{"--propagate=CORE,CPU,DATA,FSIZE,MEMLOCK,NOFILE,NPROC,RSS,STACK"}
}
