package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The test binary is also the firn program for the kernels that repl and
// run start (os.Executable() kernel ...).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "kernel" {
		os.Exit(Main(os.Args[1:], Program{}))
	}
	os.Exit(m.Run())
}

// --kernel-env passes a variable to the kernel of repl and run; the
// others stay out.
func TestKernelEnvFlag(t *testing.T) {
	t.Setenv("FIRN_CLI_PASSED", "passed-value")
	t.Setenv("FIRN_CLI_SECRET", "secret-value")
	cell := `fmt.Println("passed=" + os.Getenv("FIRN_CLI_PASSED") + ";secret=" + os.Getenv("FIRN_CLI_SECRET") + ";")`
	want := "passed=passed-value;secret=;"

	t.Run("repl", func(t *testing.T) {
		t.Chdir(t.TempDir())
		var out, errb bytes.Buffer
		if code := replCommand([]string{"--kernel-env", "FIRN_CLI_PASSED"}, strings.NewReader(cell+"\n"), &out, &errb); code != exitOK {
			t.Fatalf("status %d, stderr:\n%s", code, errb.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("output %q, want %q", out.String(), want)
		}
	})
	t.Run("run", func(t *testing.T) {
		dir := t.TempDir()
		nb := filepath.Join(dir, "env.go")
		if err := os.WriteFile(nb, []byte("// %%\n"+cell+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		if err := runCommand(context.Background(), []string{nb, "--kernel-env=FIRN_CLI_PASSED", "--quiet", "-o", "-"}, &out, &errb); err != nil {
			t.Fatalf("%v, stderr:\n%s", err, errb.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("executed notebook lacks %q:\n%s", want, out.String())
		}
	})
	t.Run("bad name", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := replCommand([]string{"--kernel-env", "A=B"}, strings.NewReader(""), &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "not a variable name") {
			t.Errorf("status %d, stderr %q", code, errb.String())
		}
	})
}
