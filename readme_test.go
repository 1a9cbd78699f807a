//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeCommands are the README's commands that TestREADMECommands does
// not run, with the reason; every other line of its sh blocks runs.
var readmeSkipped = map[string]string{
	"./scripts/test.sh": "the test suite itself (CI runs it)",
	"sudo apt-get install build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev": "installs system packages (scripts/test.sh installs them for the tests)",
	"go install github.com/wailsapp/wails/v2/cmd/wails@v2.11.0":                          "scripts/test.sh installs the pinned Wails CLI",
	"wails build -tags webkit2_41":                                                       "TestWailsBuild runs it on a clean clone",
	"wails build":                                                                        "the macOS and Windows builds need those systems; TestWailsBuild builds on Linux",
	"wails build -platform darwin/universal":                                             "needs macOS",
	"sudo apt install ./dist/firn_0.1.0_amd64.deb":                                       "installs a system package (TestRelease installs the .deb into a scratch root)",
	"firn serve ~/class --addr 0.0.0.0:8888 --no-browser":                                "listens on every interface; tests listen on 127.0.0.1 only (firn serve ~/glaciers --addr 127.0.0.1:9000 runs)",
}

// readmeServers are commands that serve until stopped: they must start
// and print their URL, then stop cleanly on Ctrl-C.
var readmeServer = regexp.MustCompile(`^(go run \.|firn|firn serve( .*)?)$`)

// TestREADMECommands runs every shell command of README.md's sh blocks,
// in order, as a new user would: in a copy of the repository, with a
// fresh home, the firn built from it on PATH and no display. Commands
// that serve must print their URL and stop on Ctrl-C; the others must
// succeed within a time limit. So the README cannot drift from the
// program.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Firn several times: not in -short")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := shellCommands(string(readme))
	if len(cmds) < 15 {
		t.Fatalf("found %d commands in README.md's sh blocks", len(cmds))
	}
	scratch := t.TempDir()
	src, home, bin, gobin := filepath.Join(scratch, "firn"), filepath.Join(scratch, "home"), filepath.Join(scratch, "bin"), filepath.Join(scratch, "gobin")
	copyCheckout(t, src)
	for _, d := range []string{home, bin, gobin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "firn"), ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{
		"HOME=" + home, "PATH=" + bin + ":" + gobin + ":" + os.Getenv("PATH"), "GOBIN=" + gobin,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"), "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"LANG=C.UTF-8", "TERM=dumb",
	}
	for _, v := range []string{"GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN"} {
		out, _ := exec.Command("go", "env", v).Output()
		env = append(env, v+"="+strings.TrimSpace(string(out)))
	}
	ran := 0
	for _, c := range cmds {
		if why, ok := readmeSkipped[c]; ok {
			t.Logf("skipped %q: %s", c, why)
			continue
		}
		ran++
		if readmeServer.MatchString(c) {
			runServer(t, c, src, env)
		} else {
			runCommand(t, c, src, env)
		}
	}
	t.Logf("ran %d of the README's %d commands", ran, len(cmds))
}

// shellCommands returns the lines of the sh blocks of a Markdown text,
// without blank and comment-only lines.
func shellCommands(md string) []string {
	var cmds []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```") && !in:
			in = trimmed == "```sh" || trimmed == "```bash"
		case strings.HasPrefix(trimmed, "```"):
			in = false
		case in && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			cmds = append(cmds, stripComment(trimmed))
		}
	}
	return cmds
}

// stripComment removes a trailing "  # comment" (the README's comments
// follow two or more spaces).
func stripComment(line string) string {
	if i := strings.Index(line, "  #"); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

// copyCheckout copies the files of the checkout (tracked and new, as git
// sees them) to dst.
func copyCheckout(t *testing.T, dst string) {
	t.Helper()
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		fi, err := os.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or a link
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

func shell(ctx context.Context, c, dir string, env []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "bash", "-c", c)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

func runCommand(t *testing.T, c, dir string, env []string) {
	t.Helper()
	// A release cross-compiles five targets: on a fresh machine with two
	// cores about twelve minutes. Every other command takes seconds.
	limit := 5 * time.Minute
	if strings.HasPrefix(c, "./scripts/release.sh") {
		limit = 25 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	out, err := shell(ctx, c, dir, env).CombinedOutput()
	if err != nil {
		t.Errorf("README command %q: %v\n%s", c, err, out)
	}
}

// runServer starts c, waits for the URL line, stops it with Ctrl-C
// (SIGINT to its process group) and expects a clean exit.
func runServer(t *testing.T, c, dir string, env []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := shell(ctx, c, dir, env)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(io.TeeReader(stderr, &all))
	served := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "http://127.0.0.1:") && strings.Contains(sc.Text(), "?token=") {
			served = true
			break
		}
	}
	if served {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	}
	_, _ = io.Copy(io.Discard, io.TeeReader(stderr, &all))
	err = cmd.Wait()
	// go run itself exits 1 after Ctrl-C, whatever the program did (as in
	// a terminal): there, Firn's clean stop is an output without errors.
	var ee *exec.ExitError
	if strings.HasPrefix(c, "go run ") && errors.As(err, &ee) && ee.ExitCode() == 1 &&
		!strings.Contains(all.String(), "firn:") && !strings.Contains(all.String(), "panic") {
		err = nil
	}
	if !served || err != nil {
		t.Errorf("README command %q: served %v, exit %v\n%s", c, served, err, all.String())
	}
}
