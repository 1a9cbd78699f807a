package jupyter

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/firnglacier/firn/internal/atomicfile"
)

// The kernelspec's logos, Firn's app icon (build/appicon.png) resized
// with Go's image packages (TestLogos checks them; -update remakes them).
var (
	//go:embed logo-32x32.png
	logo32 []byte
	//go:embed logo-64x64.png
	logo64 []byte
)

// KernelSpec is a kernelspec's kernel.json.
type KernelSpec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// Spec is Firn's kernelspec for the firn program at exe (an absolute
// path): Jupyter starts `exe kernel --connection-file FILE`, and
// interrupts cells with interrupt_request messages on the control
// channel.
func Spec(exe string) KernelSpec {
	return KernelSpec{
		Argv:          []string{exe, "kernel", "--connection-file", "{connection_file}"},
		DisplayName:   "Go (Firn)",
		Language:      "go",
		InterruptMode: "message",
		Metadata:      map[string]any{"debugger": false},
	}
}

// Install writes spec with Firn's logos as the kernelspec "firn" in the
// Jupyter data folder dataDir (its kernels/firn folder, replaced if it
// exists) and returns that folder.
func Install(dataDir string, spec KernelSpec) (string, error) {
	dir := filepath.Join(dataDir, "kernels", KernelName)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	data, err := json.MarshalIndent(spec, "", " ")
	if err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"kernel.json", append(data, '\n')}, {"logo-32x32.png", logo32}, {"logo-64x64.png", logo64}} {
		if err := atomicfile.WriteBytes(filepath.Join(dir, f.name), 0o644, f.data); err != nil {
			return "", fmt.Errorf("kernelspec: %w", err)
		}
	}
	return dir, nil
}

// Uninstall removes the kernelspec "firn" from the Jupyter data folder
// dataDir and returns the folder it removed; fs.ErrNotExist when there
// is none.
func Uninstall(dataDir string) (string, error) {
	dir := filepath.Join(dataDir, "kernels", KernelName)
	if _, err := os.Stat(filepath.Join(dir, "kernel.json")); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return dir, fmt.Errorf("no Firn kernelspec in %s: %w", dir, fs.ErrNotExist)
		}
		return dir, fmt.Errorf("kernelspec: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return dir, fmt.Errorf("kernelspec: %w", err)
	}
	return dir, nil
}

// UserDataDir is the user's Jupyter data folder, as jupyter_core finds it
// (`jupyter --data-dir`): $JUPYTER_DATA_DIR, else ~/.local/share/jupyter
// ($XDG_DATA_HOME/jupyter) on Linux and other Unix systems,
// ~/Library/Jupyter on macOS, %APPDATA%\jupyter on Windows.
func UserDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("the Jupyter data folder: %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter"), nil
		}
		return filepath.Join(home, ".jupyter", "data"), nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// PrefixDataDir is the Jupyter data folder of an installation prefix
// (PREFIX/share/jupyter), as `jupyter kernelspec install --prefix` uses.
func PrefixDataDir(prefix string) string {
	return filepath.Join(prefix, "share", "jupyter")
}

// SysPrefix is the prefix (sys.prefix) of the Python that runs the
// jupyter command on PATH: `--sys-prefix` installs there, where that
// Jupyter (a virtual environment's, a conda environment's, the
// system's) finds kernels.
func SysPrefix() (string, error) {
	jupyter, err := exec.LookPath("jupyter")
	if err != nil {
		return "", fmt.Errorf("--sys-prefix needs the Python that runs Jupyter, and there is no jupyter command on PATH: %w", err)
	}
	python, err := interpreterOf(jupyter)
	if err != nil {
		return "", fmt.Errorf("--sys-prefix: %s: %w", jupyter, err)
	}
	out, err := exec.Command(python[0], append(python[1:], "-c", "import sys; print(sys.prefix)")...).Output()
	if err != nil {
		return "", fmt.Errorf("--sys-prefix: %s: %w", strings.Join(python, " "), err)
	}
	prefix := strings.TrimSpace(string(out))
	if prefix == "" {
		return "", fmt.Errorf("--sys-prefix: %s gave no sys.prefix", strings.Join(python, " "))
	}
	return prefix, nil
}

// interpreterOf reads the #! line of a script: the Python that runs it.
func interpreterOf(script string) ([]string, error) {
	f, err := os.Open(script)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#!")
	if !ok || strings.TrimSpace(rest) == "" {
		return nil, errors.New("not a script with a #! line naming its Python")
	}
	return strings.Fields(rest), nil
}
