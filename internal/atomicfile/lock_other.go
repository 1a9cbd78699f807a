//go:build !unix

package atomicfile

import "os"

// lock: where there is no flock, an open file cannot be removed
// (Windows), which protects a live write from Clean.
func lock(*os.File) error { return nil }

func removed(*os.File) bool { return false }

func removeIfAbandoned(root *os.Root, p string) bool { return root.Remove(p) == nil }
