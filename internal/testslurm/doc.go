// Package testslurm starts a single-node Slurm cluster on loopback for
// tests (the recipe of the development machines' platform notes: munge,
// slurmctld and slurmd as root, proctrack/linuxproc, no cgroups, no
// accounting database; jobcomp/filetxt records finished jobs).
//
//	c := testslurm.Start(t)                  // skips without Slurm or root
//	// sbatch, squeue, scancel now talk to it ($SLURM_CONF)
//	testslurm.WaitFor(t, "the job to end", func() bool { … })
package testslurm
