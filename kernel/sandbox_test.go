package kernel

import (
	"slices"
	"strings"
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
			if trusted {
				// A trusted cell reaches descriptors 3 and 4, where the
				// protocol pipes were: they hold nothing of the kernel's.
				if reply, out := run(t, ctx, k, "os.NewFile(4, \"\").Close()\nos.NewFile(3, \"\").Close()"); reply.Status != "ok" {
					t.Errorf("os.NewFile(4).Close(): %s %q", reply.Status, out)
				}
			} else {
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

// The sandbox's files complete and inspect as os.File does.
func TestKernelSandboxFileDocs(t *testing.T) {
	k, ctx := startKernel(t, Options{})
	run(t, ctx, k, `f, _ := os.Open("none")`)
	comp, err := k.Complete(ctx, "f.WriteS", len("f.WriteS"))
	if err != nil || !slices.Contains(comp.Matches, "WriteString") {
		t.Errorf("complete f.WriteS: %v, %v", comp.Matches, err)
	}
	reply, err := k.Inspect(ctx, "f.Chmod", len("f.Chmod"))
	if err != nil {
		t.Fatal(err)
	}
	if txt, _ := reply.Data["text/plain"].(string); !reply.Found || !strings.Contains(txt, "func (f *File) Chmod(mode FileMode) error") || !strings.Contains(txt, "Chmod changes the mode") {
		t.Errorf("inspect f.Chmod: %+v", reply)
	}
}

// A death for want of memory is recognised from the runtime's message,
// and the message survives the stacks that follow it.
func TestMemoryDeath(t *testing.T) {
	for _, tc := range []struct {
		stderr string
		want   bool
	}{
		{"fatal error: out of memory\n\ngoroutine 1 gp=0x1 m=0 [running]:\n", true},
		{"fatal error: runtime: out of memory\n", true},
		{"fatal error: runtime: cannot allocate memory\n", true},
		{"runtime/cgo: pthread_create failed: Resource temporarily unavailable\nSIGABRT: abort\n", true},
		{"runtime: failed to create new OS thread (have 9 already; errno=11)\n", true},
		{"firn kernel: memory limit: the kernel uses 300 MiB, more than its limit of 256 MiB\n", true},
		{"panic: out of memory in my own code\n", false},
		{"fatal error: concurrent map writes\n", false},
		{"", false},
	} {
		if got := memoryDeath(tc.stderr); got != tc.want {
			t.Errorf("memoryDeath(%q) = %v", tc.stderr, got)
		}
	}
	tail := &tailBuffer{max: 16 << 10}
	tail.Write([]byte("fatal error: out of memory\n\nruntime stack:\n"))
	for range 10000 {
		tail.Write([]byte("goroutine 7 gp=0xc000 m=nil [select]:\n\t/usr/local/go/src/runtime/proc.go:460 +0xce\n"))
	}
	notes := tail.Notes()
	if !memoryDeath(strings.Join(notes, "\n")) || len(tail.String()) > 16<<10 {
		t.Errorf("the crash's first line is lost (%q), or the buffer grew to %d bytes", notes, len(tail.String()))
	}
	if _, cause := deathCause("", nil, notes, tail.String(), 0); cause != "kernel process exited normally: fatal error: out of memory" {
		t.Errorf("cause %q", cause)
	}
}
