//go:build !unix

package compute

// propagateFlags: no resource limits to keep from the workers here.
func propagateFlags() []string { return nil }
