package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBrowserHub runs frontend/e2e/hub.mjs in headless Chromium against
// a real `firn hub` with real kernels (run as root, as CI runs it, with
// a Unix account per user): a teacher publishes a lesson from her page;
// a student logs in on the login page, runs a cell, logs out while it
// runs (it finishes only after the logout), logs in again and sees its
// finished output once, runs the lesson and hands it in; a student of a
// class added while the hub runs follows her invitation link, chooses a
// password, is in her notebooks, and reaches none of the first
// student's URLs; the teacher reads the hand-in.
func TestBrowserHub(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium: not in -short")
	}
	frontendDir, err := filepath.Abs(filepath.Join("..", "..", "frontend"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("the browser tests need Node.js")
	}
	if _, err := os.Stat(filepath.Join(frontendDir, "node_modules", "playwright-core")); err != nil {
		t.Fatal("the browser tests need the frontend's packages: cd frontend && npm ci")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	data, home, hubArgs := hubData(t, "alice", "ben", "tina")
	env := append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"))

	add := exec.CommandContext(ctx, firnBin, "hub", "user", "add", "alice", "--group", "glac101", "--password-stdin", "--data", data)
	add.Env, add.Stdin = env, strings.NewReader("moraine-2026\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("firn hub user add: %v\n%s", err, out)
	}
	ws := filepath.Join(data, "users", "alice")
	if err := os.MkdirAll(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	src := `import "time"
fmt.Println("started")
for { if _, err := os.Stat("go-on"); err == nil { break }; time.Sleep(50 * time.Millisecond) }
fmt.Println("finished")`
	nb, _ := json.Marshal(map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		"cells":    []any{map[string]any{"cell_type": "code", "id": "c1", "source": src, "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}},
	})
	if err := os.WriteFile(filepath.Join(ws, "long.ipynb"), nb, 0o644); err != nil {
		t.Fatal(err)
	}

	hub := startHub(t, ctx, env, append([]string{"--data", data}, hubArgs...), nil)
	url := hub.url
	// A class added while the hub runs: ben's invitation link.
	students := filepath.Join(t.TempDir(), "students.csv")
	if err := os.WriteFile(students, []byte("name\nben\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	class := exec.CommandContext(ctx, firnBin, "hub", "class", "add", "geo101", "--students", students, "--url", url, "--data", data)
	class.Env = env
	links, err := class.Output()
	if err != nil {
		t.Fatalf("firn hub class add: %v", err)
	}
	rows := readRows(t, string(links))
	if len(rows) != 2 || rows[1][0] != "ben" {
		t.Fatalf("firn hub class add printed %q", links)
	}
	// A teacher with a lesson in her workspace, which she publishes to
	// alice's class from her page: alice gets it when she next opens her
	// notebooks.
	teacher := exec.CommandContext(ctx, firnBin, "hub", "user", "add", "tina", "--role", "teacher", "--password-stdin", "--data", data)
	teacher.Env, teacher.Stdin = env, strings.NewReader("cirque-2026\n")
	if out, err := teacher.CombinedOutput(); err != nil {
		t.Fatalf("firn hub user add tina: %v\n%s", err, out)
	}
	week := filepath.Join(data, "users", "tina", "week1")
	if err := os.MkdirAll(week, 0o755); err != nil {
		t.Fatal(err)
	}
	lesson, _ := json.Marshal(map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		"cells": []any{map[string]any{"cell_type": "code", "id": "e1", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil,
			"source": `fmt.Printf("ELA %.0f m\n", 3000.0+150*1.5)`}},
	})
	if err := os.WriteFile(filepath.Join(week, "ela.ipynb"), lesson, 0o644); err != nil {
		t.Fatal(err)
	}
	node := exec.CommandContext(ctx, "node", "e2e/hub.mjs", url, "alice", "moraine-2026", ws, "ben", rows[1][1], "tina", "cirque-2026")
	node.Dir = frontendDir
	out, nerr := node.CombinedOutput()
	herr := hub.stop()
	t.Logf("e2e/hub.mjs:\n%s", out)
	if nerr != nil {
		t.Errorf("e2e/hub.mjs: %v\nhub log:\n%s", nerr, hub.Log())
	}
	if herr != nil {
		t.Errorf("firn hub after Ctrl-C: %v\n%s", herr, hub.Log())
	}
}

// hubData is a data folder and a HOME for a hub of the browser tests,
// and the hub's flags. Run as root (as CI runs), the hub gives each
// user a Unix account: the accounts get a prefix of their own, removed
// with the test, and the data folder is where they may reach it (not
// under t.TempDir's 0700 folders).
func hubData(t *testing.T, users ...string) (data, home string, args []string) {
	t.Helper()
	home = t.TempDir()
	if os.Geteuid() != 0 {
		return t.TempDir(), home, nil
	}
	dir, err := os.MkdirTemp("", "firn-hub-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	prefix := "fb" + hex.EncodeToString(b[:]) + "-"
	t.Cleanup(func() {
		for _, u := range users {
			if _, err := user.Lookup(prefix + u); err == nil {
				if out, err := exec.Command("userdel", prefix+u).CombinedOutput(); err != nil {
					t.Errorf("userdel %s: %v %s", prefix+u, err, out)
				}
			}
		}
		os.RemoveAll(dir)
	})
	// Control groups per user are TestCgroupPerUser's (app/hub): off here,
	// so that these tests leave no groups on the machine.
	return filepath.Join(dir, "data"), home, []string{"--unix-users", "on", "--unix-prefix", prefix, "--cgroups", "off"}
}

// TestBrowserHubCulled runs frontend/e2e/hubculled.mjs against a real
// `firn hub` whose kernels stop after 5 s idle: a student runs a cell
// and closes her browser; once the hub has logged the cull (the test
// waits for that line, not for time), she comes back and her notebook
// says why and when its kernel stopped, with its saved output.
func TestBrowserHubCulled(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium: not in -short")
	}
	frontendDir, err := filepath.Abs(filepath.Join("..", "..", "frontend"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	data, home, hubArgs := hubData(t, "carl")
	env := append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"))
	add := exec.CommandContext(ctx, firnBin, "hub", "user", "add", "carl", "--password-stdin", "--data", data)
	add.Env, add.Stdin = env, strings.NewReader("serac-field-7\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("firn hub user add: %v\n%s", err, out)
	}
	ws := filepath.Join(data, "users", "carl")
	if err := os.MkdirAll(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	nb, _ := json.Marshal(map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		"cells":    []any{map[string]any{"cell_type": "code", "id": "c1", "source": `fmt.Println("kept")`, "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}},
	})
	if err := os.WriteFile(filepath.Join(ws, "idle.ipynb"), nb, 0o644); err != nil {
		t.Fatal(err)
	}
	culled := make(chan struct{})
	once := false
	hub := startHub(t, ctx, env, append([]string{"--data", data, "--cull-idle", "5s", "--cull-every", "500ms"}, hubArgs...), func(line string) {
		if !once && strings.Contains(line, "idle kernel stopped") && strings.Contains(line, "idle.ipynb") {
			once = true
			close(culled)
		}
	})
	defer hub.stop()

	node := exec.CommandContext(ctx, "node", "e2e/hubculled.mjs", hub.url, "carl", "serac-field-7")
	node.Dir = frontendDir
	in, err := node.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := node.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	node.Stderr = node.Stdout
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	var said strings.Builder
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		said.WriteString(lines.Text() + "\n")
		if lines.Text() == "waiting for the cull" {
			select {
			case <-culled:
			case <-ctx.Done():
				t.Fatalf("the hub never culled the idle kernel:\n%s", hub.Log())
			}
			io.WriteString(in, "culled\n")
		}
	}
	nerr := node.Wait()
	t.Logf("e2e/hubculled.mjs:\n%s", said.String())
	if nerr != nil {
		t.Errorf("e2e/hubculled.mjs: %v", nerr)
	}
	disk, err := os.ReadFile(filepath.Join(ws, "idle.ipynb"))
	if err != nil || !strings.Contains(string(disk), "kept") || strings.Contains(string(disk), "kernel_stopped") {
		t.Errorf("idle.ipynb on disk after the visit: %v %s, want the output and no note left", err, disk)
	}
}

// hubProcess is a `firn hub` that a browser test started: its URL and
// its log.
type hubProcess struct {
	cmd   *exec.Cmd
	url   string
	mu    sync.Mutex
	log   strings.Builder
	ended chan struct{} // its stderr has ended
	once  sync.Once
	err   error
}

// startHub starts `firn hub --addr 127.0.0.1:0 ARGS…` and waits for the
// URL it prints; watch, if not nil, hears each later line of its log.
func startHub(t *testing.T, ctx context.Context, env, args []string, watch func(string)) *hubProcess {
	t.Helper()
	cmd := exec.CommandContext(ctx, firnBin, append([]string{"hub", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hubProcess{cmd: cmd, ended: make(chan struct{})}
	sc := bufio.NewScanner(stderr)
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	for h.url == "" && sc.Scan() {
		h.url = urlRE.FindString(sc.Text())
	}
	if h.url == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("firn hub printed no URL")
	}
	go func() {
		for sc.Scan() {
			h.mu.Lock()
			h.log.WriteString(sc.Text() + "\n")
			h.mu.Unlock()
			if watch != nil {
				watch(sc.Text())
			}
		}
		close(h.ended)
	}()
	return h
}

// Log is what the hub has logged since its URL.
func (h *hubProcess) Log() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.log.String()
}

// stop sends the hub Ctrl-C and waits for it to end (once).
func (h *hubProcess) stop() error {
	h.once.Do(func() {
		h.cmd.Process.Signal(os.Interrupt)
		<-h.ended
		h.err = h.cmd.Wait()
	})
	return h.err
}
