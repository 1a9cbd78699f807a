package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestJupyterInstall: `firn jupyter install` with --user, --prefix DIR
// and --sys-prefix writes the kernelspec "firn" where Debian's Jupyter
// finds it (`jupyter kernelspec list` shows it, starting this program
// as `kernel --connection-file`), and `firn jupyter uninstall` with the
// same flag removes it. Every folder is a temporary one: --user is
// $JUPYTER_DATA_DIR, --sys-prefix the prefix of a virtual environment
// whose jupyter comes first on PATH.
func TestJupyterInstall(t *testing.T) {
	if _, err := exec.Command("/usr/bin/python3", "-c", "import jupyter_client").CombinedOutput(); err != nil {
		t.Fatalf("Debian's Jupyter is needed (apt-get install python3-jupyter-client; scripts/test.sh does): %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	userData := filepath.Join(tmp, "user-data")
	prefix := filepath.Join(tmp, "prefix")
	venv := filepath.Join(tmp, "venv")
	if out, err := exec.Command("/usr/bin/python3", "-m", "venv", "--without-pip", "--system-site-packages", venv).CombinedOutput(); err != nil {
		t.Fatalf("python3 -m venv: %v\n%s", err, out)
	}
	// The environment's jupyter and jupyter-kernelspec, as pip installs
	// them (jupyter runs jupyter-kernelspec from PATH).
	python := "#!" + filepath.Join(venv, "bin", "python3") + "\nimport sys\n"
	for name, main := range map[string]string{
		"jupyter":            "from jupyter_core.command import main\nsys.exit(main())\n",
		"jupyter-kernelspec": "from jupyter_client.kernelspecapp import KernelSpecApp\nsys.exit(KernelSpecApp.launch_instance())\n",
	} {
		if err := os.WriteFile(filepath.Join(venv, "bin", name), []byte(python+main), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", filepath.Join(tmp, "home"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(tmp, "home", "data"))
	t.Setenv("JUPYTER_DATA_DIR", userData)
	t.Setenv("JUPYTER_CONFIG_DIR", filepath.Join(tmp, "config"))
	t.Setenv("JUPYTER_RUNTIME_DIR", filepath.Join(tmp, "runtime"))
	t.Setenv("JUPYTER_PATH", filepath.Join(prefix, "share", "jupyter"))
	t.Setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
	t.Setenv("PATH", filepath.Join(venv, "bin")+":/usr/bin:/bin")

	for _, tc := range []struct {
		flag []string
		dir  string
	}{
		{[]string{"--user"}, filepath.Join(userData, "kernels", "firn")},
		{nil, filepath.Join(userData, "kernels", "firn")}, // --user is the default
		{[]string{"--prefix", prefix}, filepath.Join(prefix, "share", "jupyter", "kernels", "firn")},
		{[]string{"--sys-prefix"}, filepath.Join(venv, "share", "jupyter", "kernels", "firn")},
	} {
		t.Run(strings.Join(append([]string{"install"}, tc.flag...), " "), func(t *testing.T) {
			var out bytes.Buffer
			if err := jupyterCommand(append([]string{"install"}, tc.flag...), &out, &out); err != nil {
				t.Fatalf("firn jupyter install: %v\n%s", err, &out)
			}
			if !strings.Contains(out.String(), tc.dir) {
				t.Errorf("install said %q, want the folder %s", out.String(), tc.dir)
			}
			specs := kernelspecs(t)
			got, ok := specs["firn"]
			if !ok || got.ResourceDir != tc.dir {
				t.Fatalf("jupyter kernelspec list: firn at %q (listed: %v), want %s", got.ResourceDir, ok, tc.dir)
			}
			want := []string{exe, "kernel", "--connection-file", "{connection_file}"}
			if strings.Join(got.Spec.Argv, " ") != strings.Join(want, " ") || got.Spec.DisplayName != "Go (Firn)" ||
				got.Spec.Language != "go" || got.Spec.InterruptMode != "message" {
				t.Errorf("kernelspec %+v", got.Spec)
			}

			out.Reset()
			if err := jupyterCommand(append([]string{"uninstall"}, tc.flag...), &out, &out); err != nil {
				t.Fatalf("firn jupyter uninstall: %v\n%s", err, &out)
			}
			if _, ok := kernelspecs(t)["firn"]; ok {
				t.Errorf("jupyter kernelspec list still shows firn after uninstall")
			}
			if _, err := os.Stat(tc.dir); !os.IsNotExist(err) {
				t.Errorf("%s is still there: %v", tc.dir, err)
			}
			if err := jupyterCommand(append([]string{"uninstall"}, tc.flag...), &out, &out); err == nil || !strings.Contains(err.Error(), "no Firn kernelspec") {
				t.Errorf("a second uninstall: %v, want no Firn kernelspec", err)
			}
		})
	}
}

type listedSpec struct {
	ResourceDir string `json:"resource_dir"`
	Spec        struct {
		Argv          []string `json:"argv"`
		DisplayName   string   `json:"display_name"`
		Language      string   `json:"language"`
		InterruptMode string   `json:"interrupt_mode"`
	} `json:"spec"`
}

// kernelspecs runs `jupyter kernelspec list --json` (the jupyter first on
// PATH, the virtual environment's).
func kernelspecs(t *testing.T) map[string]listedSpec {
	t.Helper()
	cmd := exec.Command("jupyter", "kernelspec", "list", "--json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jupyter kernelspec list: %v\n%s", err, &stderr)
	}
	var list struct {
		Kernelspecs map[string]listedSpec `json:"kernelspecs"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("jupyter kernelspec list --json: %v\n%s", err, out)
	}
	return list.Kernelspecs
}
