package kernel

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A kernel process on Linux confines itself before it serves: it sets up
// what has to be in place when a program starts and executes itself
// again (confine), and then, once its interpreter is ready, limits its
// address space (limitAddressSpace). A program built without cgo (the
// CLI that `scripts/release.sh` builds) needs nothing at its start and
// restricts all its threads at once: it confines itself without a new
// start (confineInProcess).
//
// Before the new start:
//   - glibc gets one malloc arena (MALLOC_ARENA_MAX=1). A Go program with
//     cgo would otherwise get a 64 MiB reservation of address space for
//     each thread that calls malloc, which would make a limit on the
//     address space depend on the number of threads.
//   - The soft RLIMIT_STACK is lowered to 2 MiB, the size glibc then
//     gives each new thread's stack (8 MiB otherwise); the new process
//     puts the old value back for the programs a trusted cell starts.
//   - In the sandbox, Landlock (Linux 5.13 and later) restricts writing
//     to the workspace: creating, writing, truncating, renaming, linking
//     and removing files anywhere else fails with EACCES, whatever code
//     tries it (a cell's os.WriteFile, Figure.Save of package plots,
//     gonum's Plot.Save). Only the kernel's own temporary folder (--temp,
//     its TMPDIR, which the client makes and removes) is writable too,
//     for compiled code's temporary files (the font data of gonum's PDF
//     output, mime/multipart's parts). Landlock
//     applies to one thread and what it starts, which is why the kernel
//     restricts the thread that executes it again. It does not cover
//     changing a file's mode, owner or times, nor reading: the
//     sandbox's wrappers guard those (kernel/internal/symbols).

// landlockFS are the file-system rights the kernel handles (denies
// outside the workspace), by Landlock ABI version: all that change
// files, none that read or execute.
func landlockFS(abi int) uint64 {
	rights := uint64(unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_REMOVE_DIR |
		unix.LANDLOCK_ACCESS_FS_REMOVE_FILE | unix.LANDLOCK_ACCESS_FS_MAKE_CHAR |
		unix.LANDLOCK_ACCESS_FS_MAKE_DIR | unix.LANDLOCK_ACCESS_FS_MAKE_REG |
		unix.LANDLOCK_ACCESS_FS_MAKE_SOCK | unix.LANDLOCK_ACCESS_FS_MAKE_FIFO |
		unix.LANDLOCK_ACCESS_FS_MAKE_BLOCK | unix.LANDLOCK_ACCESS_FS_MAKE_SYM)
	if abi >= 2 {
		rights |= unix.LANDLOCK_ACCESS_FS_REFER
	}
	if abi >= 3 {
		rights |= unix.LANDLOCK_ACCESS_FS_TRUNCATE
	}
	return rights
}

// threadStack is the soft RLIMIT_STACK during the new start (bytes).
const threadStack = 2 << 20

// confine executes the kernel again, confined as described above, and
// does not return unless that fails. stack is the soft RLIMIT_STACK to
// put back, passed to the new process as --confined=STACK.
func confine(r fsRules, landlock bool) error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_STACK, &lim); err != nil {
		return fmt.Errorf("stack limit: %w", err)
	}
	stack := "unlimited"
	if lim.Cur != unix.RLIM_INFINITY {
		stack = strconv.FormatUint(lim.Cur, 10)
	}
	if lim.Cur > threadStack {
		small := unix.Rlimit{Cur: threadStack, Max: lim.Max}
		if err := unix.Setrlimit(unix.RLIMIT_STACK, &small); err != nil {
			return fmt.Errorf("stack limit: %w", err)
		}
	}
	env := os.Environ()
	if _, ok := os.LookupEnv("MALLOC_ARENA_MAX"); !ok {
		env = append(env, "MALLOC_ARENA_MAX=1")
	}
	argv := append(append([]string(nil), os.Args...), "--confined="+stack)
	// The thread that restricts itself is the one that executes.
	runtime.LockOSThread()
	if landlock {
		err := restrictFS(r)
		if errors.Is(err, errNoLandlock) && r.reads {
			return err
		}
		if err != nil && !errors.Is(err, errNoLandlock) {
			return fmt.Errorf("landlock: %w", err)
		}
	}
	// The program by its name, for ps and top (/proc/self/exe would show
	// as "exe"), unless it was replaced since it started.
	exe, err := os.Executable()
	if err != nil || strings.HasSuffix(exe, " (deleted)") {
		exe = "/proc/self/exe"
	}
	return unix.Exec(exe, argv, env)
}

// confined finishes the confinement in the new process: it puts back the
// stack limit that confine lowered.
func confined(stack string) error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_STACK, &lim); err != nil {
		return err
	}
	if stack == "unlimited" {
		lim.Cur = unix.RLIM_INFINITY
	} else {
		v, err := strconv.ParseUint(stack, 10, 64)
		if err != nil {
			return fmt.Errorf("--confined: %q is not a stack limit", stack)
		}
		lim.Cur = v
	}
	if lim.Max != unix.RLIM_INFINITY && lim.Cur > lim.Max {
		lim.Cur = lim.Max
	}
	return unix.Setrlimit(unix.RLIMIT_STACK, &lim)
}

// errNoLandlock says the system has no Landlock (an older or a
// differently configured kernel); the in-process sandbox still holds.
var errNoLandlock = errors.New("no Landlock on this system")

// fsRules say what a kernel may do with files under Landlock.
type fsRules struct {
	workspace, temp string // the folders it may change (temp may be "")
	// reads also confines reading to the workspace, temp and the
	// system's folders (systemReadDirs), as `firn hub` asks for its
	// users' kernels: one user's cells cannot read another's files.
	reads bool
}

// systemReadDirs are the folders a kernel that confines its reads may
// still read: the system's programs, libraries, configuration, time
// zones and devices, none of them a user's. /proc is only the kernel's
// own (/proc/self), so that it cannot read other processes'
// environments or working folders.
var systemReadDirs = []string{"/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/sys", "/dev", "/proc/self"}

// restrictFS denies the calling thread, and what it executes, every
// change to the file system outside workspace and the kernel's own
// temporary folder temp (if not ""), and with r.reads every read outside
// them and systemReadDirs; /dev/null stays writable.
func restrictFS(r fsRules) error {
	ruleset, err := fsRuleset(r)
	if err != nil {
		return err
	}
	defer unix.Close(ruleset)
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if _, _, errno := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(ruleset), 0, 0); errno != 0 {
		return fmt.Errorf("restrict: %w", errno)
	}
	return nil
}

// fsRuleset makes the Landlock ruleset of restrictFS and returns its
// descriptor (errNoLandlock without Landlock).
func fsRuleset(r fsRules) (int, error) {
	abi, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if errno != 0 || int(abi) < 1 {
		return -1, errNoLandlock
	}
	rights := landlockFS(int(abi))
	const readRights = unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_READ_DIR
	if r.reads {
		rights |= readRights
	}
	attr := unix.LandlockRulesetAttr{Handled_access_fs: rights}
	fd, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if errno != 0 {
		return -1, fmt.Errorf("create ruleset: %w", errno)
	}
	ruleset := int(fd)
	allow := func(path string, access uint64) error {
		pfd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer unix.Close(pfd)
		rule := unix.LandlockPathBeneathAttr{Allowed_access: access, Parent_fd: int32(pfd)}
		if _, _, errno := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(ruleset), unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&rule)), 0, 0, 0); errno != 0 {
			return fmt.Errorf("allow %s: %w", path, errno)
		}
		return nil
	}
	for _, dir := range []string{r.workspace, r.temp} {
		if dir == "" {
			continue
		}
		if err := allow(dir, rights); err != nil {
			unix.Close(ruleset)
			return -1, err
		}
	}
	devNull := uint64(unix.LANDLOCK_ACCESS_FS_WRITE_FILE)
	if r.reads {
		devNull |= unix.LANDLOCK_ACCESS_FS_READ_FILE
		for _, dir := range systemReadDirs {
			if _, err := os.Stat(dir); err != nil {
				continue // not on this system (/lib32, /libx32)
			}
			if err := allow(dir, readRights); err != nil {
				unix.Close(ruleset)
				return -1, err
			}
		}
	}
	if r.reads {
		// The program itself: the new start opens it to execute it (with
		// cgo), and its dynamic loader reads from the system's folders.
		if exe, err := os.Executable(); err == nil && !strings.HasSuffix(exe, " (deleted)") {
			if err := allow(exe, unix.LANDLOCK_ACCESS_FS_READ_FILE); err != nil {
				unix.Close(ruleset)
				return -1, err
			}
		}
	}
	if err := allow("/dev/null", devNull); err != nil {
		unix.Close(ruleset)
		return -1, err
	}
	return ruleset, nil
}

// confineInProcess confines a kernel without a new start, which saves
// one program start (the initialization of every package, about half
// of a kernel's start): possible in a program without cgo, where no
// glibc allocator or thread stack depends on the environment and the
// stack limit at start, and where the Go runtime can make a system call
// on all of its threads (syscall.AllThreadsSyscall), so that Landlock
// restricts every thread, not only the one that would execute. It
// reports false, having changed nothing, in a program with cgo (the
// desktop app; test binaries): confine does the work there.
func confineInProcess(r fsRules, landlock bool) (bool, error) {
	if _, _, errno := syscall.AllThreadsSyscall(syscall.SYS_GETPID, 0, 0, 0); errno == syscall.ENOTSUP {
		return false, nil
	}
	if !landlock {
		return true, nil
	}
	ruleset, err := fsRuleset(r)
	if errors.Is(err, errNoLandlock) {
		if r.reads {
			return true, err
		}
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("landlock: %w", err)
	}
	defer unix.Close(ruleset)
	if _, _, errno := syscall.AllThreadsSyscall6(syscall.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0); errno != 0 {
		return true, fmt.Errorf("landlock: no_new_privs: %w", errno)
	}
	if _, _, errno := syscall.AllThreadsSyscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(ruleset), 0, 0); errno != 0 {
		return true, fmt.Errorf("landlock: restrict: %w", errno)
	}
	return true, nil
}

// limitAddressSpace caps the process's address space at its present size
// plus limit plus headroom(limit) (RLIMIT_AS), so that no allocation,
// however large, takes the kernel far past its memory limit: the Go
// runtime then fails to map memory and ends the process with "fatal
// error: out of memory", which the client reports as the cell's
// MemoryLimit error. It returns the cap.
func limitAddressSpace(limit int64) (uint64, error) {
	size, err := addressSpace()
	if err != nil {
		return 0, err
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &lim); err != nil {
		return 0, err
	}
	lim.Cur = size + uint64(limit) + uint64(headroom(limit))
	if lim.Max != unix.RLIM_INFINITY && lim.Cur > lim.Max {
		lim.Cur = lim.Max
	}
	return lim.Cur, unix.Setrlimit(unix.RLIMIT_AS, &lim)
}

// headroom is what a kernel's address space may grow by beyond its
// memory limit (see limitAddressSpace): the Go runtime reserves its heap
// in arenas of 64 MiB, and a slice that grows by appending leaves the
// address space of its earlier, smaller copies behind (the runtime
// returns their memory but keeps the addresses).
func headroom(limit int64) int64 { return max(128<<20, limit/4) }

// addressSpace is the process's virtual memory size (VmSize, bytes).
func addressSpace() (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmSize in /proc/self/status")
}
