//go:build unix

package main

import (
	"bufio"
	"github.com/firnglacier/firn/notebooks/examples"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// `firn` with no arguments is Firn's main job: the notebook server on the
// user's workspace, seeded with the lessons, opened in the browser. The
// test holds port 8888 (the default) so that firn must take the next one,
// and gives it a fake xdg-open that reports the URL through a FIFO.
func TestNoArgumentsServes(t *testing.T) {
	home, bin := t.TempDir(), t.TempDir()
	if ln, err := net.Listen("tcp", "127.0.0.1:8888"); err == nil {
		defer ln.Close()
	}
	fifo := filepath.Join(bin, "opened")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho \"$1\" > " + fifo + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(firnBin)
	// A display, so that firn tries the (fake) xdg-open.
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"), "PATH="+bin+":"+os.Getenv("PATH"), "DISPLAY=:99")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// xdg-open's write, or the end of firn (a failure) with what it said
	openedc := make(chan string, 1)
	go func() {
		if f, err := os.Open(fifo); err == nil { // blocks until xdg-open writes
			b, _ := io.ReadAll(f)
			f.Close()
			openedc <- string(b)
		}
	}()
	ended := make(chan string, 1)
	var said strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			said.WriteString(sc.Text() + "\n")
		}
		ended <- said.String()
	}()
	var url string
	select {
	case o := <-openedc:
		url = strings.TrimSpace(o)
	case s := <-ended:
		t.Fatalf("firn ended without opening a browser:\n%s", s)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasPrefix(url, "http://127.0.0.1:8888/") || !strings.Contains(url, "/?token=") {
		t.Errorf("the browser was opened on %q, want a loopback URL with a token on a port other than the taken 8888", url)
	}
	lessons, _ := filepath.Glob(filepath.Join(home, "data", "firn", "workspace", "lessons", "*.ipynb"))
	if len(lessons) != len(examples.List()) {
		t.Errorf("the workspace holds %d lessons, want %d", len(lessons), len(examples.List()))
	}
	if resp, err := http.Get(url); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET %s: %v %v", url, resp, err)
	} else {
		resp.Body.Close()
	}
	cmd.Process.Signal(os.Interrupt)
	rest := <-ended
	if err := cmd.Wait(); err != nil {
		t.Errorf("firn after Ctrl-C: %v\n%s", err, rest)
	}
}
