//go:build unix

package atomicfile

import (
	"os"
	"syscall"
)

// lock takes the writer's advisory lock on its temporary file.
func lock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// removed reports whether the open file f is no longer in any folder.
func removed(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return true
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink == 0
}

// removeIfAbandoned removes the temporary file p unless a writer holds
// its lock.
func removeIfAbandoned(root *os.Root, p string) bool {
	f, err := root.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // a live write
	}
	return root.Remove(p) == nil
}
