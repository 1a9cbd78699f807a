package jupyter

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// On Linux the kernel process's standard input is a pipe whose write end
// the carrier holds. Whatever reads it — a cell's os.Stdin (a duplicate
// of descriptor 0), fmt.Scan, a bufio reader, compiled code — blocks in
// read(2) until the carrier writes. The carrier sees such a read in
// /proc/self/task/*/syscall (the thread's system call and its first
// argument, the descriptor), with the pipe empty, and then asks the
// frontend with an input_request and writes the reply as a line; when
// the request did not allow stdin, it gives that one read end of file:
// it puts a new pipe in place of the old one under every descriptor
// that reads it (dup3) and closes the old one's write end, so the read
// that waits returns end of file and later reads wait on the new pipe.
// A pipe needs no file (a terminal would, and the sandbox's Landlock
// rules let the kernel open no device for writing).

// stdinBridge is the pipe behind descriptor 0.
type stdinBridge struct {
	mu  sync.Mutex
	w   int // the write end of the current pipe
	ino uint64
	dev uint64
}

func newStdinBridge() (*stdinBridge, error) {
	b := &stdinBridge{w: -1}
	r, err := b.newPipe()
	if err != nil {
		return nil, err
	}
	defer unix.Close(r)
	if err := unix.Dup2(r, 0); err != nil {
		unix.Close(b.w)
		return nil, fmt.Errorf("descriptor 0: %w", err)
	}
	return b, nil
}

// newPipe makes the bridge's pipe a new one (blocking, so that a read
// waits in read(2) where the carrier can see it) and returns its read
// end; the old write end is left to the caller.
func (b *stdinBridge) newPipe() (int, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return -1, fmt.Errorf("standard input pipe: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(p[0], &st); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return -1, err
	}
	b.w, b.ino, b.dev = p[1], uint64(st.Ino), uint64(st.Dev)
	return p[0], nil
}

// reader is a thread blocked reading standard input.
type reader struct {
	tid   int
	syscr uint64 // the thread's count of read calls finished (/proc/…/io)
}

// waiting returns a thread blocked in read(2) on the pipe while the pipe
// is empty: it waits for input.
func (b *stdinBridge) waiting() (reader, bool) {
	b.mu.Lock()
	n, err := unix.IoctlGetInt(b.w, unix.TIOCINQ) // FIONREAD
	b.mu.Unlock()
	if err != nil || n > 0 {
		return reader{}, false // what was written is not read yet
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return reader{}, false
	}
	read := strconv.Itoa(unix.SYS_READ)
	var buf [256]byte
	for _, t := range tasks {
		data, ok := readSmall("/proc/self/task/"+t.Name()+"/syscall", buf[:])
		if !ok {
			continue
		}
		f := bytes.Fields(data)
		if len(f) < 2 || string(f[0]) != read {
			continue
		}
		fd, err := strconv.ParseInt(strings.TrimPrefix(string(f[1]), "0x"), 16, 64)
		if err != nil || !b.isStdin(int(fd)) {
			continue
		}
		tid, _ := strconv.Atoi(t.Name())
		return reader{tid: tid, syscr: readCount(tid)}, true
	}
	return reader{}, false
}

// isStdin reports whether descriptor fd reads the bridge's pipe.
func (b *stdinBridge) isStdin(fd int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if fd == b.w {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return false
	}
	return uint64(st.Ino) == b.ino && uint64(st.Dev) == b.dev
}

// same reports whether the thread of r is still in the read it was
// found in (it has finished no read since).
func (b *stdinBridge) same(r, now reader) bool {
	return r.tid == now.tid && r.syscr == readCount(now.tid)
}

// readCount is the number of read calls a thread has finished.
func readCount(tid int) uint64 {
	var buf [512]byte
	data, ok := readSmall("/proc/self/task/"+strconv.Itoa(tid)+"/io", buf[:])
	if !ok {
		return 0
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("syscr: ")); ok {
			n, _ := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
			return n
		}
	}
	return 0
}

// readSmall reads a small /proc file into buf.
func readSmall(path string, buf []byte) ([]byte, bool) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	n, err := unix.Read(fd, buf)
	if err != nil || n <= 0 {
		return nil, false
	}
	return buf[:n], true
}

// line gives the waiting reader one line of input.
func (b *stdinBridge) line(s string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	data := []byte(s + "\n")
	for len(data) > 0 {
		n, err := unix.Write(b.w, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		data = data[n:]
	}
	return nil
}

// eof makes the reads waiting now return end of file: a new pipe takes
// the old one's place under every descriptor that reads it, and the old
// one's write end is closed.
func (b *stdinBridge) eof() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	oldW, oldIno, oldDev := b.w, b.ino, b.dev
	r, err := b.newPipe()
	if err != nil {
		return err
	}
	defer unix.Close(r)
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("standard input: %w", err)
	}
	for _, e := range fds {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd == oldW || fd == r || fd == b.w {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil || uint64(st.Ino) != oldIno || uint64(st.Dev) != oldDev {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			continue
		}
		cloexec := 0
		if flags&unix.FD_CLOEXEC != 0 {
			cloexec = unix.O_CLOEXEC
		}
		_ = unix.Dup3(r, fd, cloexec)
	}
	return unix.Close(oldW)
}
