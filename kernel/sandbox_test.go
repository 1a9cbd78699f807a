package kernel

import (
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
