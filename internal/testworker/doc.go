// Package testworker is `firn worker` for test binaries: a test binary
// that is also the kernel program (started again with an environment
// variable of its test) is what a kernel's compute.Local and
// compute.Slurm launchers start with the argument "worker" and the
// launchers' flags, as they start `firn worker`. The real command is
// internal/cli's; this one has the flags the launchers give.
//
//	func TestMain(m *testing.M) {
//		if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
//			if len(os.Args) > 1 && os.Args[1] == "worker" {
//				os.Exit(testworker.Main(os.Args[2:]))
//			}
//			os.Exit(kernel.Main(os.Args[1:], os.Stderr))
//		}
//		os.Exit(m.Run())
//	}
package testworker
