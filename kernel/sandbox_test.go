package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A kernel gets the variables cells need (HOME, LANG, PATH, ...) and the
// ones the client names, never the rest of the client's environment.
func TestKernelCleanEnvironment(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value")
	t.Setenv("FIRN_TOKEN", "firn-token-value")
	t.Setenv("FIRN_DESKTOP_TOKEN", "desktop-token-value")
	t.Setenv("GITHUB_TOKEN", "github-token-value")
	t.Setenv("HOME", "/home/glaciologist")
	t.Setenv("LANG", "de_CH.UTF-8")
	t.Setenv("LC_TIME", "fr_CH.UTF-8")
	t.Setenv("PATH", "/usr/local/bin:/usr/bin:/bin")
	t.Setenv("MY_PROJECT_DATA", "/data/project")
	t.Setenv("MY_OTHER_VAR", "other")
	k, ctx := startKernel(t, Options{PassEnv: []string{"MY_PROJECT_DATA"}})
	for _, tc := range []struct{ name, want string }{
		{"HOME", "/home/glaciologist"},
		{"LANG", "de_CH.UTF-8"},
		{"LC_TIME", "fr_CH.UTF-8"},
		{"PATH", "/usr/local/bin:/usr/bin:/bin"},
		{"MY_PROJECT_DATA", "/data/project"}, // named by the client
		{"AWS_SECRET_ACCESS_KEY", ""},
		{"FIRN_TOKEN", ""},
		{"FIRN_DESKTOP_TOKEN", ""},
		{"GITHUB_TOKEN", ""},
		{"MY_OTHER_VAR", ""},
	} {
		_, out := run(t, ctx, k, `os.Getenv("`+tc.name+`")`)
		if want := "[execute_result] \"" + tc.want + "\"\n"; out != want {
			t.Errorf("os.Getenv(%q) in a cell: %q, want %q", tc.name, out, want)
		}
	}
	_, out := run(t, ctx, k, `strings.Join(os.Environ(), "\n")`)
	for _, secret := range []string{"aws-secret-value", "firn-token-value", "desktop-token-value", "github-token-value", "MY_OTHER_VAR"} {
		if strings.Contains(out, secret) {
			t.Errorf("os.Environ() in a cell holds %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "MY_PROJECT_DATA=/data/project") || !strings.Contains(out, "HOME=/home/glaciologist") {
		t.Errorf("os.Environ() in a cell lacks the passed variables:\n%s", out)
	}
}

func TestKernelEnvRules(t *testing.T) {
	environ := []string{"HOME=/h", "AWS_KEY=k", "LC_ALL=C", "LCX=no", "Path=C:\\bin", "SystemRoot=C:\\Windows", "X_1=a", "X_2=b", "Y=c", "=C:=C:\\"}
	for _, tc := range []struct {
		goos  string
		pass  []string
		extra []string
		want  string
	}{
		{"linux", nil, nil, "HOME=/h LC_ALL=C"},
		{"linux", []string{"Y", "X_*"}, []string{"FIRN_KERNEL_CHILD=1"}, "HOME=/h LC_ALL=C X_1=a X_2=b Y=c FIRN_KERNEL_CHILD=1"},
		{"windows", nil, nil, `HOME=/h LC_ALL=C Path=C:\bin SystemRoot=C:\Windows`},
		{"windows", []string{"y"}, nil, `HOME=/h LC_ALL=C Path=C:\bin SystemRoot=C:\Windows Y=c`},
	} {
		if got := strings.Join(kernelEnv(environ, tc.pass, tc.extra, tc.goos), " "); got != tc.want {
			t.Errorf("%s, pass %v: %s, want %s", tc.goos, tc.pass, got, tc.want)
		}
	}
}

// A cell that closes its standard streams closes its own: the kernel's
// output goes on, and the next cell has its streams again.
func TestKernelStdioSurvivesClose(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		t.Run(map[bool]string{false: "sandbox", true: "trusted"}[trusted], func(t *testing.T) {
			k, ctx := startKernel(t, Options{Trusted: trusted})
			for _, tc := range []struct{ cell, want string }{
				{"os.Stdout.Close()", ""},
				{`fmt.Println("after stdout closed")`, "after stdout closed\n"},
				{`os.Stdout.WriteString("written again\n")`, "written again\n[execute_result] 14\n"},
				{"os.Stderr.Close()\nos.Stdin.Close()", ""},
				{`fmt.Fprintln(os.Stderr, "after stderr closed")`, "after stderr closed\n"},
				{`println("println too")`, "println too\n"},
				{"os.Stdout.Close()\nos.Stderr.Close()\nfmt.Println(\"same cell\")", "same cell\n"},
				{"os.Stdout = nil", ""},
				{`fmt.Fprint(os.Stdout, "restored\n")`, "restored\n"},
			} {
				reply, out := run(t, ctx, k, tc.cell)
				if reply.Status != "ok" || out != tc.want {
					t.Errorf("%s: %s, output %q; want %q", tc.cell, reply.Status, out, tc.want)
				}
			}
			if !trusted {
				// The protocol's descriptors are out of reach: os.NewFile is
				// not in the sandbox, and /proc/self/fd/4 is outside the
				// workspace.
				if reply, out := run(t, ctx, k, `os.NewFile(4, "").Close()`); reply.Status != "error" || !strings.Contains(out, "os.NewFile is not available") {
					t.Errorf("os.NewFile(4): %s %q", reply.Status, out)
				}
				if _, out := run(t, ctx, k, `_, err := os.OpenFile("/proc/self/fd/4", os.O_WRONLY, 0)
err`); !strings.Contains(out, "outside the workspace") {
					t.Errorf("open /proc/self/fd/4 for writing: %q", out)
				}
			}
			if _, out := run(t, ctx, k, `fmt.Println("still here")`); out != "still here\n" {
				t.Errorf("last cell: %q", out)
			}
		})
	}
}

// peakRSS is the peak resident memory of kernel process p (bytes): its
// rusage once it has ended, else its VmHWM (Linux).
func peakRSS(t *testing.T, p *process) int64 {
	t.Helper()
	select {
	case <-p.exited:
	default:
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
					if err != nil {
						t.Fatal(err)
					}
					return kb << 10
				}
			}
		}
		<-p.exited // it ended meanwhile
	}
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatalf("no rusage: %T", p.cmd.ProcessState.SysUsage())
	}
	return ru.Maxrss << 10 // KiB on Linux
}

// The memory limit holds for growth in interpreted code and for one big
// allocation in compiled code: the cell fails with MemoryLimit, naming
// itself and the limit, the kernel process never gets much past its
// limit, and the kernel works afterwards (restarted if it died).
func TestKernelMemoryLimitHolds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the address-space limit is Linux's")
	}
	const limit = 256 << 20
	// The slack that the package documentation states: the headroom of
	// the address space, the kernel's own footprint (about 30 MB) and a
	// heap arena the runtime reserved before the limit (64 MiB).
	slack := headroom(limit) + 128<<20
	for _, tc := range []struct{ name, code string }{
		{"interpreted growth", `var keep [][]byte
for {
	b := make([]byte, 16<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	keep = append(keep, b)
}`},
		{"appending to a slice", "var grow []byte\nfor {\n\tgrow = append(grow, make([]byte, 1<<20)...)\n}"},
		{"strings.Repeat", "import \"strings\"\ns := strings.Repeat(\"x\", 3<<30)\nlen(s)"},
		{"make", "b := make([]byte, 3<<30)\nlen(b)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, ctx := startKernel(t, Options{MemoryLimit: limit})
			run(t, ctx, k, "x := 1") // cell [1]
			k.mu.Lock()
			p := k.proc
			k.mu.Unlock()
			reply, out := run(t, ctx, k, tc.code) // cell [2]
			if reply.Status != "error" || reply.EName != "MemoryLimit" || !strings.Contains(out, "cell [2]") || !strings.Contains(out, "256 MiB") {
				t.Errorf("reply %s %s, output:\n%s\nwant the error MemoryLimit naming cell [2] and the limit of 256 MiB", reply.Status, reply.EName, out)
			}
			peak := peakRSS(t, p)
			t.Logf("peak RSS %d MiB (limit %d MiB + slack %d MiB)", peak>>20, limit>>20, slack>>20)
			if peak > limit+slack {
				t.Errorf("the kernel reached %d MiB, more than its limit of %d MiB and the slack of %d MiB", peak>>20, limit>>20, slack>>20)
			}
			// The kernel lives on if it got back under its limit; else
			// it ends (if it has not yet, before it starts another cell)
			// and a new one takes over.
			var o outputs
			_, err := k.Execute(ctx, "1+1", o.add)
			var died *DiedError
			if errors.As(err, &died) {
				if !strings.Contains(died.Cause, "memory limit") {
					t.Errorf("death cause %q", died.Cause)
				}
				waitEvent(t, k, EventRestarted)
				o = outputs{}
				_, err = k.Execute(ctx, "1+1", o.add)
			}
			if err != nil || o.text() != "[execute_result] 2\n" {
				t.Errorf("after the cell: %q, %v", o.text(), err)
			}
		})
	}
}

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
// The cases run twice: in a kernel confined with Landlock (Linux), and
// with --no-landlock, where the in-process sandbox alone must refuse all
// but the compiled code's own writes (landlock).
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
	for _, landlock := range []bool{true, false} {
		name := map[bool]string{true: "landlock", false: "in-process"}[landlock]
		t.Run(name, func(t *testing.T) {
			if landlock && runtime.GOOS != "linux" {
				t.Skip("Landlock is Linux's")
			}
			opts := Options{Dir: ws}
			if !landlock {
				opts.Command = []string{os.Args[0], "--no-landlock"}
			}
			k, ctx := startKernel(t, opts)
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

// realTempDir is a new temporary directory with its links resolved.
func realTempDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}
