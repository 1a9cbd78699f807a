//go:build unix

package kernel

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// snapshot describes every file under dir: mode, owner, size, times and
// contents, by path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%v %d", fi.Mode(), fi.ModTime().UnixNano())
		if st != nil {
			desc += fmt.Sprintf(" uid %d gid %d", st.Uid, st.Gid)
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += " " + strconv.Quote(string(b))
		}
		out[p] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// No cell writes outside the workspace, by any route that cells reach:
// os's functions, the methods of the files it opens, io/ioutil, Firn's
// plots, and compiled code that writes files of its own (gonum's
// Plot.Save, mime/multipart's temporary files). Each case runs in a real
// kernel against a directory outside the workspace (by absolute path,
// by ../ and through a link in the workspace) and must leave it as it
// was (contents, modes, owners, times), leave the kernel's working
// directory alone, and fail with an error that names the path.
//
// The cases run in a kernel confined with Landlock (Linux) after a new
// start (a program with cgo, as this test binary and the desktop app
// are); in one built without cgo (as the released CLI is), which
// confines all its threads without a new start; and with --no-landlock,
// where the in-process sandbox alone must refuse all but the compiled
// code's own writes (landlock).
func TestKernelNoWriteOutsideWorkspace(t *testing.T) {
	ws := realTempDir(t)
	out := realTempDir(t)
	rel := "../" + filepath.Base(out) // out through ../
	if filepath.Dir(ws) != filepath.Dir(out) {
		t.Fatalf("%s and %s are not siblings", ws, out)
	}
	for _, f := range []struct{ name, data string }{
		{"secret.txt", "secret"},
		{"dir/keep.txt", "keep"},
		{"victim/keep.txt", "keep"},
	} {
		p := filepath.Join(out, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(out, filepath.Join(ws, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(ws, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "mine.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)

	const fig = "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(20)\nfig := plots.Glacier(g)\n"
	cases := []struct {
		name, code string
		path       string // the error names it (OUT: the outside directory)
		landlock   bool   // only Landlock stops it (compiled code's own write)
	}{
		{name: "os.WriteFile", code: `err := os.WriteFile(OUT+"/new.txt", []byte("x"), 0o644)`, path: "OUT/new.txt"},
		{name: "os.WriteFile ../", code: `err := os.WriteFile(REL+"/secret.txt", []byte("x"), 0o644)`, path: "REL/secret.txt"},
		{name: "os.WriteFile through a link", code: `err := os.WriteFile("link/secret.txt", []byte("x"), 0o644)`, path: "link/secret.txt"},
		{name: "os.Create", code: `_, err := os.Create(OUT + "/secret.txt")`, path: "OUT/secret.txt"},
		{name: "os.OpenFile append", code: `_, err := os.OpenFile("link/secret.txt", os.O_WRONLY|os.O_APPEND, 0)`, path: "link/secret.txt"},
		{name: "os.Mkdir", code: `err := os.Mkdir(OUT+"/newdir", 0o755)`, path: "OUT/newdir"},
		{name: "os.MkdirAll", code: `err := os.MkdirAll("link/a/b", 0o755)`, path: "link/a/b"},
		{name: "os.MkdirTemp", code: `_, err := os.MkdirTemp(OUT, "t")`, path: "OUT"},
		// The kernel's TMPDIR is a folder of its own, outside the workspace.
		{name: "os.MkdirTemp in TMPDIR", code: `_, err := os.MkdirTemp("", "t")`, path: "mkdirtemp /"},
		{name: "os.CreateTemp", code: `_, err := os.CreateTemp(REL, "t")`, path: "REL"},
		{name: "os.Remove", code: `err := os.Remove(OUT + "/secret.txt")`, path: "OUT/secret.txt"},
		{name: "os.RemoveAll", code: `err := os.RemoveAll("link/victim")`, path: "link/victim"},
		{name: "os.Rename in to out", code: `err := os.Rename("mine.txt", OUT+"/mine.txt")`, path: "OUT/mine.txt"},
		{name: "os.Rename out to in", code: `err := os.Rename(OUT+"/secret.txt", "stolen.txt")`, path: "OUT/secret.txt"},
		{name: "os.Link", code: `err := os.Link(OUT+"/secret.txt", "hard.txt")`, path: "OUT/secret.txt"},
		{name: "os.Symlink", code: `err := os.Symlink("/etc/passwd", OUT+"/l")`, path: "OUT/l"},
		{name: "os.Chmod", code: `err := os.Chmod("link/secret.txt", 0o600)`, path: "link/secret.txt"},
		{name: "os.Chown", code: `err := os.Chown(OUT+"/secret.txt", 12345, 12345)`, path: "OUT/secret.txt"},
		{name: "os.Lchown", code: `err := os.Lchown(OUT+"/secret.txt", 12345, 12345)`, path: "OUT/secret.txt"},
		{name: "os.Chtimes", code: `err := os.Chtimes(REL+"/secret.txt", time.Unix(0, 0), time.Unix(0, 0))`, path: "REL/secret.txt"},
		{name: "os.Truncate", code: `err := os.Truncate(OUT+"/secret.txt", 0)`, path: "OUT/secret.txt"},
		{name: "ioutil.WriteFile", code: `err := ioutil.WriteFile(OUT+"/secret.txt", nil, 0o644)`, path: "OUT/secret.txt"},
		{name: "ioutil.TempFile", code: `_, err := ioutil.TempFile(OUT, "t")`, path: "OUT"},
		{name: "ioutil.TempDir", code: `_, err := ioutil.TempDir("link", "t")`, path: "link"},
		{name: "File.Chmod", code: `f, _ := os.Open(OUT + "/secret.txt")
err := f.Chmod(0o600)
f.Close()`, path: "OUT/secret.txt"},
		{name: "File.Chown", code: `f, _ := os.Open("link/secret.txt")
err := f.Chown(12345, 12345)
f.Close()`, path: "link/secret.txt"},
		{name: "File.Truncate", code: `f, _ := os.Open(OUT + "/secret.txt")
err := f.Truncate(0)
f.Close()`, path: "OUT/secret.txt"},
		{name: "File.Write", code: `f, _ := os.Open(OUT + "/secret.txt")
_, err := f.Write([]byte("x"))
f.Close()`, path: "OUT/secret.txt"},
		{name: "File.WriteString", code: `f, _ := os.Open(REL + "/secret.txt")
_, err := f.WriteString("x")
f.Close()`, path: "REL/secret.txt"},
		{name: "File.WriteAt", code: `f, _ := os.Open(OUT + "/secret.txt")
_, err := f.WriteAt([]byte("x"), 0)
f.Close()`, path: "OUT/secret.txt"},
		{name: "File.ReadFrom", code: `f, _ := os.Open(OUT + "/secret.txt")
_, err := f.ReadFrom(strings.NewReader("x"))
f.Close()`, path: "OUT/secret.txt"},
		{name: "File.Chdir outside", code: `d, _ := os.Open(OUT)
err := d.Chdir()
d.Close()`, path: "OUT"},
		{name: "File.Chdir inside", code: `d, _ := os.Open("sub")
err := d.Chdir()
d.Close()`, path: "sub"},
		{name: "os.DirFS file Chmod by reflection", code: `import (
	"io/fs"
	"reflect"
)
f, _ := os.DirFS(OUT).Open("secret.txt")
res := reflect.ValueOf(f).MethodByName("Chmod").Call([]reflect.Value{reflect.ValueOf(fs.FileMode(0o600))})
f.Close()
err := fmt.Errorf("%v", res[0].Interface())`, path: "OUT/secret.txt"},
		{name: "plots Figure.Save", code: fig + `err := fig.Save(OUT + "/fig.svg")`, path: "OUT/fig.svg"},
		{name: "plots Figure.Save ../", code: fig + `err := fig.Save(REL + "/secret.txt.png")`, path: "REL/secret.txt.png"},
		{name: "plots Figure.Save through a link", code: fig + `err := fig.Save("link/fig.pdf")`, path: "link/fig.pdf"},
		{name: "plots Grid Save", code: fig + `grid, _ := plots.Grid([]*plots.Figure{fig, fig}, 2)
err := grid.Save(OUT + "/grid.svg")`, path: "OUT/grid.svg"},
		{name: "gonum Plot.Save", code: fig + `err := fig.Plot().Save(100, 100, OUT+"/plot.svg")`, path: "OUT/plot.svg", landlock: true},
		{name: "gonum Plot.Save through a link", code: fig + `err := fig.Plot().Save(100, 100, "link/plot.png")`, path: "link/plot.png", landlock: true},
	}
	variants := []struct {
		name     string
		landlock bool
		noCgo    bool // the kernel is this test built without cgo
	}{
		{"landlock", true, false},
		{"landlock without cgo", true, true},
		{"in-process", false, false},
	}
	for _, v := range variants {
		landlock := v.landlock
		t.Run(v.name, func(t *testing.T) {
			if landlock && runtime.GOOS != "linux" {
				t.Skip("Landlock is Linux's")
			}
			opts := Options{Dir: ws}
			if !landlock {
				opts.Command = []string{os.Args[0], "--no-landlock"}
			}
			if v.noCgo {
				opts.Command = []string{testBinaryWithoutCgo(t)}
			}
			k, ctx := startKernel(t, opts)
			if v.noCgo {
				// Confined without a new start: no --confined in its
				// command line, no_new_privs set on its threads.
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", k.Pid()))
				status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", k.Pid()))
				if strings.Contains(string(cmdline), "--confined") || !strings.Contains(string(status), "NoNewPrivs:\t1") {
					t.Fatalf("the kernel without cgo started again or has no no_new_privs: %q\n%s", cmdline, status)
				}
			}
			run(t, ctx, k, fmt.Sprintf("import (\n\t\"io/ioutil\"\n\t\"time\"\n)\nconst OUT = %q\nconst REL = %q\nvar _ = ioutil.Discard\nvar _ = time.Now", out, rel))
			for _, tc := range cases {
				if tc.landlock && !landlock {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					reply, text := run(t, ctx, k, tc.code+"\nfmt.Println(\"ERR:\", err)")
					want := strings.NewReplacer("OUT", out, "REL", rel).Replace(tc.path)
					errLine := ""
					if i := strings.Index(text, "ERR: "); i >= 0 {
						errLine = strings.SplitN(text[i:], "\n", 2)[0]
					}
					if reply.Status != "ok" || errLine == "ERR: <nil>" || !strings.Contains(errLine, want) {
						t.Errorf("%s: %s, output:\n%s\nwant an error naming %s", tc.name, reply.Status, text, want)
					}
					if after := snapshot(t, out); !reflect.DeepEqual(after, before) {
						t.Errorf("%s changed the directory outside the workspace:\nbefore %v\nafter  %v", tc.name, before, after)
						before = after
					}
					if wd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", k.Pid())); err == nil && wd != ws {
						t.Errorf("%s moved the kernel to %s", tc.name, wd)
					}
				})
			}
			// Inside the workspace all of it works.
			for _, code := range []string{
				fig + `err := fig.Save("fig.svg")`,
				fig + `err := fig.Save("fig.pdf")`, // gonum's PDF writes font data to TMPDIR
				// compiled code's temporary files go to the kernel's TMPDIR
				`import "mime/multipart"
body := "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\n" + strings.Repeat("x", 1000) + "\r\n--b--\r\n"
_, err := multipart.NewReader(strings.NewReader(body), "b").ReadForm(10)`,
				fig + `err := fig.Save(WS + "/sub/fig.png")`,
				`f, _ := os.Open("mine.txt")
err := f.Chmod(0o600)
f.Close()`,
				`err := os.WriteFile("sub/new.txt", []byte("x"), 0o644)`,
			} {
				code = strings.ReplaceAll(code, "WS", strconv.Quote(ws))
				if _, text := run(t, ctx, k, code+"\nfmt.Println(\"ERR:\", err)"); !strings.Contains(text, "ERR: <nil>") {
					t.Errorf("inside the workspace: %s:\n%s", code, text)
				}
			}
			for _, name := range []string{"fig.svg", "fig.pdf", "sub/fig.png", "sub/new.txt"} {
				if _, err := os.Stat(filepath.Join(ws, name)); err != nil {
					t.Error(err)
				}
				os.Remove(filepath.Join(ws, name))
			}
		})
	}
}

// testBinaryWithoutCgo builds this package's test binary with
// CGO_ENABLED=0 (as scripts/release.sh builds the CLI) and returns its
// path.
func testBinaryWithoutCgo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kernel-nocgo.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c without cgo: %v\n%s", err, out)
	}
	return bin
}

// realTempDir is a new temporary directory with its links resolved.
func realTempDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// With ConfineReads (what firn hub asks for), a cell reads only its
// workspace and the system's folders: not a file beside the workspace
// (another user's), not another process's /proc, whatever code tries it
// (os.ReadFile, os.ReadDir, compiled code through plots); the workspace,
// /etc and its own /proc still read, and plots still draw. Both starts
// are checked: with cgo (a second start) and without (one start).
func TestKernelConfineReads(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Landlock is Linux's")
	}
	ws := realTempDir(t)
	other := realTempDir(t)
	if err := os.WriteFile(filepath.Join(other, "secret.txt"), []byte("alice's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "mine.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, code string
		want       string // in the output
	}{
		{"another user's file", fmt.Sprintf("_, err := os.ReadFile(%q)\nfmt.Println(\"err:\", err)", filepath.Join(other, "secret.txt")), "permission denied"},
		{"another user's folder", fmt.Sprintf("_, err := os.ReadDir(%q)\nfmt.Println(\"err:\", err)", other), "permission denied"},
		{"another process's environment", "_, err := os.ReadFile(\"/proc/1/environ\")\nfmt.Println(\"err:\", err)", "permission denied"},
		{"its own file", "b, err := os.ReadFile(\"mine.txt\")\nfmt.Println(string(b), err)", "mine <nil>"},
		{"the system's", "_, err := os.ReadFile(\"/etc/passwd\")\nfmt.Println(\"etc:\", err)", "etc: <nil>"},
		{"its own /proc", "_, err := os.ReadFile(\"/proc/self/status\")\nfmt.Println(\"proc:\", err)", "proc: <nil>"},
		{"a plot saved", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(10)\nerr := plots.Glacier(g).Save(\"fig.png\")\nfmt.Println(\"plot:\", err)", "plot: <nil>"},
	}
	for _, noCgo := range []bool{false, true} {
		t.Run(map[bool]string{false: "with cgo", true: "without cgo"}[noCgo], func(t *testing.T) {
			opts := Options{Dir: ws, ConfineReads: true}
			if noCgo {
				opts.Command = []string{testBinaryWithoutCgo(t)}
			}
			k, ctx := startKernel(t, opts)
			for _, tc := range cases {
				reply, text := run(t, ctx, k, tc.code)
				if reply.Status != "ok" || !strings.Contains(text, tc.want) {
					t.Errorf("%s: %s, output:\n%s\nwant %q", tc.name, reply.Status, text, tc.want)
				}
			}
		})
	}
	// Without it, as in firn serve, the file beside the workspace reads.
	k, ctx := startKernel(t, Options{Dir: ws})
	if _, text := run(t, ctx, k, fmt.Sprintf("b, err := os.ReadFile(%q)\nfmt.Println(string(b), err)", filepath.Join(other, "secret.txt"))); !strings.Contains(text, "alice's <nil>") {
		t.Errorf("without ConfineReads: %s", text)
	}
}
