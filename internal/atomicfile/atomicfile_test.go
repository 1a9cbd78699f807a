package atomicfile

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestMain doubles as a writer process for TestCleanKilledWrite: with
// ATOMICFILE_WRITER=PATH it starts a write of PATH, says so on stdout and
// waits for stdin to close (it is killed before that).
func TestMain(m *testing.M) {
	if p := os.Getenv("ATOMICFILE_WRITER"); p != "" {
		err := Write(p, 0o644, func(w io.Writer) error {
			io.WriteString(w, "partial")
			if f, ok := w.(interface{ Flush() error }); ok {
				f.Flush()
			}
			os.Stdout.WriteString("writing\n")
			io.Copy(io.Discard, os.Stdin)
			return errors.New("stdin closed")
		})
		if err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var tmp []string
	for _, e := range names {
		if IsTemp(e.Name()) {
			tmp = append(tmp, e.Name())
		}
	}
	return tmp
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.csv")
	if err := WriteBytes(p, 0o600, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("content %q", b)
	}
	if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v, want 0600", fi.Mode().Perm())
	}
	// An existing file keeps its mode.
	os.Chmod(p, 0o640)
	if err := WriteBytes(p, 0o600, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("rewritten file mode %v, want 0640", fi.Mode().Perm())
	}
	// A failing write leaves the old file and no temporary file.
	err := Write(p, 0o644, func(w io.Writer) error {
		io.WriteString(w, "three, half written")
		return errors.New("disk on fire")
	})
	if err == nil || !strings.Contains(err.Error(), "a.csv") || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("error %v, want one naming the file and the cause", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("after a failed write: %q, want the old content", b)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := WriteBytes(link, 0o644, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
}

func TestWriteInStaysInRoot(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	os.Symlink(outside, filepath.Join(dir, "out"))
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, name := range []string{"../escape.txt", "out/escape.txt", "/etc/escape.txt"} {
		if err := WriteIn(root, name, 0o644, func(w io.Writer) error { return nil }); err == nil {
			t.Errorf("WriteIn(%q) succeeded", name)
		}
	}
	if names, _ := os.ReadDir(outside); len(names) != 0 {
		t.Errorf("written outside the root: %v", names)
	}
	if err := WriteIn(root, "in.txt", 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "ok"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "in.txt")); string(b) != "ok" {
		t.Errorf("in.txt holds %q", b)
	}
}

// TestCleanKilledWrite: a write in another process leaves its temporary
// file while it runs (Clean keeps it) and when it is killed (Clean
// removes it); the target is never touched.
func TestCleanKilledWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("kill -9 semantics")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "lesson.ipynb")
	os.WriteFile(target, []byte("saved"), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_WRITER="+target)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "writing\n" {
		t.Fatalf("writer: %q %v", line, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if gone, err := Clean(root, "."); err != nil || len(gone) != 0 {
		t.Fatalf("Clean during a live write removed %v (%v)", gone, err)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 1 {
		t.Fatalf("temporary files during the write: %v", tmp)
	}
	cmd.Process.Kill()
	cmd.Wait()
	gone, err := Clean(root, ".")
	if err != nil || len(gone) != 1 {
		t.Fatalf("Clean after the kill removed %v (%v), want the one temporary file", gone, err)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Errorf("left: %v", tmp)
	}
	if b, _ := os.ReadFile(target); string(b) != "saved" {
		t.Errorf("target %q", b)
	}
}

func TestCleanTree(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	for _, p := range []string{".x.ipynb.tmp-01", "a/.y.ipynb.tmp-02", "a/b/.z.png.tmp-03"} {
		os.WriteFile(filepath.Join(dir, p), []byte("junk"), 0o644)
	}
	keep := []string{"a/.hidden", "a/b/notes.tmp-1", "a/b/z.png"}
	for _, p := range keep {
		os.WriteFile(filepath.Join(dir, p), []byte("mine"), 0o644)
	}
	root, _ := os.OpenRoot(dir)
	defer root.Close()
	gone, err := CleanTree(root, ".")
	if err != nil || len(gone) != 3 {
		t.Fatalf("CleanTree: %v %v", gone, err)
	}
	for _, p := range keep {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s removed", p)
		}
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".a.ipynb.tmp-0f3a": true, ".a.tmp-x": true,
		"a.ipynb.tmp-0f3a": false, ".a.tmp-": false, ".tmp-abc": false, ".a.ipynb": false,
	} {
		if IsTemp(name) != want {
			t.Errorf("IsTemp(%q) = %v", name, !want)
		}
	}
}
