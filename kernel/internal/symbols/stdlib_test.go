package symbols

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/traefik/yaegi/stdlib"
)

// sandbox is a workspace (the working directory, as for the kernel) and
// a directory outside it, with links from the workspace to the outside.
type sandbox struct {
	ws, out string
}

func newSandbox(t *testing.T) sandbox {
	t.Helper()
	s := sandbox{ws: realDir(t), out: realDir(t)}
	for _, f := range []struct{ name, data string }{
		{"secret.txt", "outside"},
		{"sub/keep.txt", "keep"},
		{"victim/keep.txt", "keep"},
	} {
		p := filepath.Join(s.out, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []struct{ name, target string }{
		{"link", s.out},                                   // a directory outside
		{"sublink", filepath.Join(s.out, "sub")},          // sublink/.. is s.out, not the workspace
		{"dangling", filepath.Join(s.out, "created.txt")}, // a create would follow it
		{"inlink", "mine"},                                // stays inside
	} {
		if err := os.Symlink(l.target, filepath.Join(s.ws, l.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.ws, "mine.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(s.ws, "mine"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(s.ws)
	return s
}

// realDir is a new temporary directory with symbolic links resolved.
func realDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSandboxFiles runs each case as a cell in the sandbox and in a
// trusted kernel: the sandbox refuses changes outside the workspace,
// trusted allows them.
func TestSandboxFiles(t *testing.T) {
	tests := []struct {
		name    string
		cell    string // ends with an expression of type error; OUT is the outside directory
		refused bool   // in the sandbox
		exists  string // a path (OUT-relative if it starts with OUT) that must exist afterwards in the sandbox
		absent  string // a path that must not exist afterwards in the sandbox
		// sandboxOnly cases run in the sandbox only: when trusted they
		// would change the test process (its working directory), or the
		// operating system refuses them too (a write to a file opened for
		// reading).
		sandboxOnly bool
	}{
		{name: "WriteFile relative", cell: `os.WriteFile("a.txt", []byte("x"), 0o644)`, exists: "a.txt"},
		{name: "WriteFile in a subdirectory", cell: `os.WriteFile("mine/b.txt", []byte("x"), 0o644)`, exists: "mine/b.txt"},
		{name: "WriteFile absolute inside", cell: `os.WriteFile(WS+"/c.txt", []byte("x"), 0o644)`, exists: "c.txt"},
		{name: "WriteFile through a link inside", cell: `os.WriteFile("inlink/d.txt", []byte("x"), 0o644)`, exists: "mine/d.txt"},
		{name: "WriteFile ../", cell: `os.WriteFile("../x.txt", []byte("x"), 0o644)`, refused: true, absent: "../x.txt"},
		{name: "WriteFile absolute outside", cell: `os.WriteFile(OUT+"/x.txt", []byte("x"), 0o644)`, refused: true, absent: "OUT/x.txt"},
		{name: "WriteFile through a link to outside", cell: `os.WriteFile("link/x.txt", []byte("x"), 0o644)`, refused: true, absent: "OUT/x.txt"},
		{name: "WriteFile through a dangling link", cell: `os.WriteFile("dangling", []byte("x"), 0o644)`, refused: true, absent: "OUT/created.txt"},
		{name: "WriteFile link/.. is resolved, not lexical", cell: `os.WriteFile("sublink/../x.txt", []byte("x"), 0o644)`, refused: true, absent: "OUT/x.txt"},
		{name: "Create outside", cell: `_, err := os.Create(OUT + "/x.txt"); err`, refused: true, absent: "OUT/x.txt"},
		{name: "OpenFile append outside", cell: `_, err := os.OpenFile(OUT+"/secret.txt", os.O_APPEND|os.O_WRONLY, 0); err`, refused: true},
		{name: "OpenFile read outside", cell: `f, err := os.OpenFile(OUT+"/secret.txt", os.O_RDONLY, 0); f.Close(); err`},
		{name: "ReadFile outside", cell: `_, err := os.ReadFile(OUT + "/secret.txt"); err`},
		{name: "Mkdir inside", cell: `os.Mkdir("newdir", 0o755)`, exists: "newdir"},
		{name: "MkdirAll outside", cell: `os.MkdirAll(OUT+"/a/b", 0o755)`, refused: true, absent: "OUT/a"},
		{name: "MkdirTemp in the workspace", cell: `_, err := os.MkdirTemp(".", "t"); err`},
		{name: "MkdirTemp in TMPDIR", cell: `_, err := os.MkdirTemp("", "t"); err`, refused: true},
		{name: "CreateTemp outside", cell: `_, err := os.CreateTemp(OUT, "t"); err`, refused: true},
		{name: "Remove the link, not its target", cell: `os.Remove("sublink")`, absent: "sublink", exists: "OUT/sub/keep.txt"},
		{name: "Remove outside", cell: `os.Remove(OUT + "/secret.txt")`, refused: true, exists: "OUT/secret.txt"},
		{name: "RemoveAll outside", cell: `os.RemoveAll(OUT + "/victim")`, refused: true, exists: "OUT/victim/keep.txt"},
		{name: "RemoveAll ../", cell: `os.RemoveAll("../" + filepath.Base(OUT) + "/victim")`, refused: true, exists: "OUT/victim/keep.txt"},
		{name: "RemoveAll through a link", cell: `os.RemoveAll("link/victim")`, refused: true, exists: "OUT/victim/keep.txt"},
		{name: "RemoveAll inside", cell: `os.RemoveAll("mine")`, absent: "mine"},
		{name: "Rename inside", cell: `os.Rename("mine.txt", "yours.txt")`, exists: "yours.txt"},
		{name: "Rename inside to outside", cell: `os.Rename("mine.txt", OUT+"/mine.txt")`, refused: true, exists: "mine.txt", absent: "OUT/mine.txt"},
		{name: "Rename outside to inside", cell: `os.Rename(OUT+"/secret.txt", "stolen.txt")`, refused: true, exists: "OUT/secret.txt"},
		{name: "Symlink in the workspace to outside", cell: `os.Symlink(OUT, "peek")`, exists: "peek"},
		{name: "Symlink outside", cell: `os.Symlink("x", OUT+"/l")`, refused: true},
		{name: "Link an outside file in", cell: `os.Link(OUT+"/secret.txt", "hard")`, refused: true, absent: "hard"},
		{name: "Chmod outside", cell: `os.Chmod(OUT+"/secret.txt", 0o600)`, refused: true},
		{name: "Chtimes outside", cell: `os.Chtimes(OUT+"/secret.txt", time.Now(), time.Now())`, refused: true},
		{name: "Truncate outside", cell: `os.Truncate(OUT+"/secret.txt", 0)`, refused: true},
		{name: "Truncate inside", cell: `os.Truncate("mine.txt", 0)`},
		{name: "ioutil.WriteFile outside", cell: `ioutil.WriteFile(OUT+"/x.txt", nil, 0o644)`, refused: true, absent: "OUT/x.txt"},
		{name: "ioutil.TempDir outside", cell: `_, err := ioutil.TempDir(OUT, "t"); err`, refused: true},
		{name: "ioutil.TempFile inside", cell: `f, err := ioutil.TempFile("mine", "t*.csv"); f.Close(); err`},
		// Methods of files: a file opened outside is read-only in effect.
		{name: "File.Chmod outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); f.Chmod(0o600)`, refused: true},
		{name: "File.Chown outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); f.Chown(os.Getuid(), os.Getgid())`, refused: true},
		{name: "File.Truncate outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); f.Truncate(0)`, refused: true, sandboxOnly: true},
		{name: "File.Write outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); _, err := f.Write([]byte("x")); err`, refused: true, sandboxOnly: true},
		{name: "File.WriteString outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); _, err := f.WriteString("x"); err`, refused: true, sandboxOnly: true},
		{name: "File.WriteAt outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); _, err := f.WriteAt([]byte("x"), 0); err`, refused: true, sandboxOnly: true},
		{name: "File.ReadFrom outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); _, err := f.ReadFrom(strings.NewReader("x")); err`, refused: true, sandboxOnly: true},
		{name: "File.Chmod through a link", cell: `f, _ := os.Open("link/secret.txt"); defer f.Close(); f.Chmod(0o600)`, refused: true},
		{name: "File.Chdir outside", cell: `d, _ := os.Open(OUT); defer d.Close(); d.Chdir()`, refused: true, sandboxOnly: true},
		// yaegi cannot assert an interface a cell declares on a compiled
		// value, but reflection reaches every method.
		{name: "DirFS file Chmod outside", cell: `f, _ := os.DirFS(OUT).Open("secret.txt")
m := reflect.ValueOf(f).MethodByName("Chmod")
res := m.Call([]reflect.Value{reflect.ValueOf(fs.FileMode(0o600))})
f.Close()
err := errors.New("ok")
if res[0].IsNil() {
	err = nil
} else {
	err = res[0].Interface().(error)
}
err`, refused: true},
		{name: "File.Chmod inside", cell: `f, _ := os.Open("mine.txt"); defer f.Close(); f.Chmod(0o600)`},
		{name: "File.Write inside", cell: `f, _ := os.OpenFile("mine.txt", os.O_WRONLY|os.O_APPEND, 0); defer f.Close(); _, err := f.WriteString("more"); err`},
		{name: "File.Read outside", cell: `f, _ := os.Open(OUT + "/secret.txt"); defer f.Close(); _, err := io.ReadAll(f); err`},
	}
	for _, trusted := range []bool{false, true} {
		for _, tc := range tests {
			if trusted && tc.sandboxOnly {
				continue
			}
			t.Run(map[bool]string{false: "sandbox", true: "trusted"}[trusted]+"/"+tc.name, func(t *testing.T) {
				s := newSandbox(t)
				c := newCell(t, s.ws, trusted)
				t.Setenv("TMPDIR", realDir(t)) // outside the workspace
				c.must(`import (
	"io"
	"io/fs"
	"io/ioutil"
	"os"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)`)
				c.must(`var _ = ioutil.Discard
var _ = errors.New
var _ = reflect.ValueOf
var _ = io.EOF
var _ = fs.ErrExist
var _ = strings.NewReader
var _ = time.Now
var _ = filepath.Base
const WS = ` + strconv.Quote(s.ws) + `
const OUT = ` + strconv.Quote(s.out))
				err := c.cellError(tc.cell)
				if trusted || !tc.refused {
					if err != nil {
						t.Fatalf("%s: %v", tc.cell, err)
					}
					return
				}
				var pe *fs.PathError
				var ow *OutsideWorkspaceError
				switch {
				case err == nil:
					t.Fatalf("%s succeeded; want it refused", tc.cell)
				case !errors.As(err, &pe) || !errors.As(err, &ow) || ow.Workspace != s.ws:
					t.Fatalf("%s: %v (%T); want an *fs.PathError with an *OutsideWorkspaceError for %s", tc.cell, err, err, s.ws)
				case !errors.Is(err, fs.ErrPermission):
					t.Errorf("errors.Is(%v, fs.ErrPermission) is false", err)
				case !strings.HasSuffix(err.Error(), ": outside the workspace "+s.ws+" (Firn's sandbox; start the kernel with --trusted to allow)"):
					t.Errorf("message %q", err)
				}
				check := func(p string) string {
					if rest, ok := strings.CutPrefix(p, "OUT"); ok {
						return s.out + rest
					}
					return p
				}
				if tc.exists != "" {
					if _, err := os.Lstat(check(tc.exists)); err != nil {
						t.Errorf("%s: %v", tc.exists, err)
					}
				}
				if tc.absent != "" {
					if _, err := os.Lstat(check(tc.absent)); err == nil {
						t.Errorf("%s exists", tc.absent)
					}
				}
			})
		}
	}
}

// TestSandboxMessage checks the message of a refused open in full.
func TestSandboxMessage(t *testing.T) {
	s := newSandbox(t)
	c := newCell(t, s.ws, false)
	c.must(`import "os"`)
	err := c.cellError(`_, err := os.OpenFile("/etc/passwd", os.O_WRONLY, 0); err`)
	want := "open /etc/passwd: outside the workspace " + s.ws + " (Firn's sandbox; start the kernel with --trusted to allow)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestSandboxImports checks which imports and names cells get.
func TestSandboxImports(t *testing.T) {
	tests := []struct {
		cell    string
		sandbox string // "" for success, else a substring of the error
	}{
		{`import "net/http"`, `import "net/http": not available in Firn's sandbox (it reaches the network); start the kernel with --trusted to allow`},
		{`import "net"`, `import "net": not available in Firn's sandbox (it reaches the network)`},
		{`import "net/http/httptest"`, `not available in Firn's sandbox (it reaches the network)`},
		{`import "net/smtp"`, `not available in Firn's sandbox (it reaches the network)`},
		{`import "crypto/tls"`, `not available in Firn's sandbox (it reaches the network)`},
		{`import "os/signal"`, `not available in Firn's sandbox`},
		{`import "flag"`, `not available in Firn's sandbox`},
		{`import "runtime/pprof"`, `not available in Firn's sandbox`},
		{`import "github.com/traefik/yaegi/stdlib"`, `not available in Firn's sandbox`},
		{`import "net/url"`, ""},
		{`import "net/netip"`, ""},
		{`import "io/fs"`, ""},
		{`x := os.StartProcess`, `os.StartProcess is not available in Firn's sandbox (it starts or signals processes); start the kernel with --trusted to allow`},
		{`os.StartProcess("/bin/true", nil, nil)`, `os.StartProcess is not available in Firn's sandbox`},
		{`p, _ := os.FindProcess(1); p.Kill()`, `os.FindProcess is not available in Firn's sandbox`},
		{`var p = &os.Process{Pid: 1}`, `os.Process is not available in Firn's sandbox`},
		{`os.Chdir("/")`, `os.Chdir is not available in Firn's sandbox (it changes the kernel's working directory)`},
		{`runtime.GOMAXPROCS(1)`, `runtime.GOMAXPROCS is not available in Firn's sandbox`},
		{`debug.SetGCPercent(1)`, `debug.SetGCPercent is not available in Firn's sandbox`},
		{`debug.SetMemoryLimit(1)`, `debug.SetMemoryLimit is not available in Firn's sandbox`},
		{`runtime.NumCPU()`, ""},
	}
	for _, trusted := range []bool{false, true} {
		c := newCell(t, realDir(t), trusted)
		c.must(`import (
	"os"
	"runtime"
	"runtime/debug"
)`)
		for _, tc := range tests {
			if trusted && strings.Contains(tc.cell, "(") && tc.sandbox != "" && !strings.HasPrefix(tc.cell, "import") {
				continue // do not start, kill or reconfigure anything for real
			}
			_, err := c.eval(tc.cell)
			switch {
			case (trusted || tc.sandbox == "") && err != nil:
				t.Errorf("trusted=%v: %s: %v", trusted, tc.cell, err)
			case !trusted && tc.sandbox != "" && (err == nil || !strings.Contains(err.Error(), tc.sandbox)):
				t.Errorf("%s: error %v; want it to contain %q", tc.cell, err, tc.sandbox)
			}
		}
	}
}

// TestSandboxState checks that cells cannot change the kernel's
// environment or package variables.
func TestSandboxState(t *testing.T) {
	c := newCell(t, realDir(t), false)
	c.must(`import (
	"io"
	"os"
	"time"
)`)
	c.must(`os.Setenv("FIRN_SANDBOX_PROBE", "1")`)
	if got := c.must(`os.Getenv("FIRN_SANDBOX_PROBE")`).Interface(); got != "1" {
		t.Errorf("a cell's own environment: Getenv gives %q", got)
	}
	if v, ok := os.LookupEnv("FIRN_SANDBOX_PROBE"); ok {
		t.Errorf("a cell's Setenv reached the kernel's environment: %q", v)
	}
	local := time.Local
	c.must(`io.EOF = nil`)
	c.must(`time.Local = time.UTC`)
	if io.EOF == nil || time.Local != local {
		t.Error("a cell's assignment changed the kernel's package variables")
	}
	// os.Exit stays yaegi's stub: the cell fails, the process lives.
	if _, err := c.eval(`os.Exit(3)`); err == nil || !strings.Contains(err.Error(), "os.Exit(3)") {
		t.Errorf("os.Exit(3): %v", err)
	}
}

// TestSandboxPolicyReviewed fails when a function of os or io/ioutil is
// neither guarded, removed nor known to leave files alone, as when a new
// yaegi version brings os.CopyFS: decide about it in sandbox.go.
func TestSandboxPolicyReviewed(t *testing.T) {
	readOnly := map[string][]string{
		"os": {"Environ", "Executable", "Exit", "Expand", "ExpandEnv", "Getegid", "Getenv",
			"Geteuid", "Getgid", "Getgroups", "Getpagesize", "Getpid", "Getppid", "Getuid", "Getwd",
			"Hostname", "IsExist", "IsNotExist", "IsPathSeparator", "IsPermission", "IsTimeout",
			"LookupEnv", "Lstat", "NewSyscallError", "ReadDir", "ReadFile", "Readlink",
			"SameFile", "Stat", "TempDir", "UserCacheDir", "UserConfigDir", "UserHomeDir"},
		"io/ioutil": {"NopCloser", "ReadAll", "ReadDir", "ReadFile"},
	}
	g := &guard{dir: "/"}
	handled := map[string]map[string]bool{"os": {}, "io/ioutil": {}}
	for name := range g.osWrappers() {
		handled["os"][name] = true
	}
	for name := range g.ioutilWrappers() {
		handled["io/ioutil"][name] = true
	}
	for _, r := range removedSymbols() {
		if handled[r.pkg] != nil {
			for _, name := range r.names {
				handled[r.pkg][name] = true
			}
		}
	}
	for pkg, names := range readOnly {
		for _, name := range names {
			handled[pkg][name] = true
		}
	}
	for pkg, ok := range handled {
		for name, v := range stdlib.Symbols[pkg+"/"+filepath.Base(pkg)] {
			if v.Kind() == reflect.Func && !v.CanAddr() && !ok[name] {
				t.Errorf("%s.%s is not reviewed for the sandbox", pkg, name)
			}
		}
	}
}

// TestWrappersKeepSignatures checks that each guarded function has the
// type of the function it replaces, with *File for *os.File.
func TestWrappersKeepSignatures(t *testing.T) {
	g := &guard{dir: "/"}
	for pkg, wrappers := range map[string]map[string]any{"os/os": g.osWrappers(), "io/ioutil/ioutil": g.ioutilWrappers()} {
		for name, w := range wrappers {
			orig, ok := stdlib.Symbols[pkg][name]
			if !ok {
				t.Errorf("%s: no %s in yaegi's stdlib", pkg, name)
				continue
			}
			want := strings.ReplaceAll(orig.Type().String(), "*os.File", "*symbols.File")
			if got := reflect.TypeOf(w).String(); got != want {
				t.Errorf("%s.%s: wrapper is %s, want %s", pkg, name, got, want)
			}
		}
	}
}

// TestStdlibLeavesYaegiAlone checks that Stdlib copies: yaegi's tables are
// never changed, and two results do not share tables.
func TestStdlibLeavesYaegiAlone(t *testing.T) {
	before := stdlib.Symbols["os/os"]["WriteFile"]
	beforeLen := len(stdlib.Symbols)
	for _, trusted := range []bool{false, true} {
		a, err := Stdlib(realDir(t), trusted)
		if err != nil {
			t.Fatal(err)
		}
		delete(a["fmt/fmt"], "Println")
		a["os/os"]["WriteFile"] = reflect.ValueOf(0)
		b, err := Stdlib(realDir(t), trusted)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := b["fmt/fmt"]["Println"]; !ok {
			t.Error("two Stdlib results share tables")
		}
	}
	if stdlib.Symbols["os/os"]["WriteFile"] != before || len(stdlib.Symbols) != beforeLen {
		t.Error("Stdlib changed yaegi's stdlib.Symbols")
	}
	if _, ok := stdlib.Symbols["fmt/fmt"]["Println"]; !ok {
		t.Error("Stdlib changed yaegi's stdlib.Symbols")
	}
}

func TestStdlibPackages(t *testing.T) {
	sand, err := Stdlib(realDir(t), false)
	if err != nil {
		t.Fatal(err)
	}
	trusted, err := Stdlib("", true)
	if err != nil {
		t.Fatal(err)
	}
	for key := range sand {
		p := filepath.Dir(key)
		if strings.HasPrefix(p, "net") && !networkParsers[p] || p == "unsafe" || p == "syscall" || p == "os/exec" || p == "plugin" {
			t.Errorf("sandbox has %s", key)
		}
	}
	for _, key := range []string{"os/exec/exec", "net/http/http", "syscall/syscall"} {
		if trusted[key] == nil {
			t.Errorf("trusted lacks %s", key)
		}
	}
	if _, err := Stdlib(filepath.Join(realDir(t), "missing"), false); err == nil {
		t.Error("Stdlib with a missing workspace succeeded")
	}
}

func TestResolve(t *testing.T) {
	s := newSandbox(t)
	tests := []struct {
		name   string
		follow bool
		want   string
	}{
		{"a.txt", true, s.ws + "/a.txt"},
		{"./mine/../a.txt", true, s.ws + "/a.txt"},
		{"link", true, s.out},
		{"link", false, s.ws + "/link"},
		{"link/secret.txt", false, s.out + "/secret.txt"},
		{"sublink/..", true, s.out},
		{"dangling", true, s.out + "/created.txt"},
		{"dangling", false, s.ws + "/dangling"},
		{"missing/../../x", true, filepath.Dir(s.ws) + "/x"},
		{"inlink/x", true, s.ws + "/mine/x"},
		{"/", true, "/"},
		{"/..", true, "/"},
	}
	for _, tc := range tests {
		got, err := resolve(tc.name, tc.follow)
		if err != nil || got != tc.want {
			t.Errorf("resolve(%q, %v) = %q, %v; want %q", tc.name, tc.follow, got, err, tc.want)
		}
	}
	if err := os.Symlink("loop", filepath.Join(s.ws, "loop")); err != nil {
		t.Fatal(err)
	}
	if _, err := resolve("loop/x", true); err == nil {
		t.Error("a symbolic-link loop resolved")
	}
}
