package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --kernel chooses the kernel of repl and run: local (pipes here) or
// local-tcp (loopback TCP, as on Windows), as the kernel's own command
// line shows; an unknown name is a usage error, for serve too.
func TestKernelFlag(t *testing.T) {
	cell := `fmt.Println("transport:", strings.Contains(strings.Join(os.Args, " "), "--transport tcp --connect tcp://127.0.0.1:"), 6*7)`
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "transport: false 42"},
		{[]string{"--kernel", "local"}, "transport: false 42"},
		{[]string{"--kernel", "local-pipe"}, "transport: false 42"},
		{[]string{"--kernel", "local-tcp"}, "transport: true 42"},
	} {
		name := "default"
		if tc.args != nil {
			name = strings.Join(tc.args, " ")
		}
		t.Run("repl "+name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			var out, errb bytes.Buffer
			if code := replCommand(tc.args, strings.NewReader(cell+"\n"), &out, &errb); code != exitOK {
				t.Fatalf("status %d, stderr:\n%s", code, errb.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output %q, want %q", out.String(), tc.want)
			}
		})
		t.Run("run "+name, func(t *testing.T) {
			nb := filepath.Join(t.TempDir(), "k.go")
			if err := os.WriteFile(nb, []byte("// %%\n"+cell+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if err := runCommand(context.Background(), append([]string{nb, "--quiet", "-o", "-"}, tc.args...), &out, &errb); err != nil {
				t.Fatalf("%v, stderr:\n%s", err, errb.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("executed notebook lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := replCommand([]string{"--kernel", "remote"}, strings.NewReader(""), &out, &errb); code != exitUsage || !strings.Contains(errb.String(), `no kernel named "remote"`) {
			t.Errorf("repl: status %d, stderr %q", code, errb.String())
		}
		var ue usageError
		if err := runCommand(context.Background(), []string{"nb.ipynb", "--kernel", "remote"}, &out, &errb); !errors.As(err, &ue) || !strings.Contains(err.Error(), "local-tcp") {
			t.Errorf("run: %v, want a usage error listing the kernels", err)
		}
		if err := serveCommand(context.Background(), []string{t.TempDir(), "--kernel", "remote"}, &out, &errb); !errors.As(err, &ue) {
			t.Errorf("serve: %v, want a usage error", err)
		}
	})
}
