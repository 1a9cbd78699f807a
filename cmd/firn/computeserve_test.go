package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/firnglacier/firn/internal/testtls"
)

// computeServe is a running `firn compute serve`: its URLs, as it
// printed them, and its stdout lines still to come.
type computeServe struct {
	cmd      *exec.Cmd
	url, wss string
	lines    chan string
}

// startComputeServe starts `firn compute serve` with args and waits for
// it to say where it serves.
func startComputeServe(t *testing.T, args ...string) *computeServe {
	t.Helper()
	cmd := exec.Command(firnBin, append([]string{"compute", "serve"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	s := &computeServe{cmd: cmd, lines: make(chan string, 100)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	for line := range s.lines {
		if m := regexp.MustCompile(`the broker is at (\S+)`).FindStringSubmatch(line); m != nil {
			s.url = m[1]
		}
		if m := regexp.MustCompile(`NATS over websocket at (\S+)`).FindStringSubmatch(line); m != nil {
			s.wss = m[1]
		}
		if strings.Contains(line, "serving until interrupted") {
			return s
		}
	}
	t.Fatalf("firn compute serve ended before serving")
	return nil
}

// TestComputeServe: `firn compute serve` with a TLS certificate on a
// client port and a websocket port (both 127.0.0.1, as the tests' rule
// is; a login node would listen on its network address). Experiments
// run through it from `firn model run --connect` on local workers, over
// tls:// and over wss://, each run's file byte for byte the one firn
// model run writes alone; a client that does not trust the certificate
// is refused with a message that says why (one that names nats:// is
// made to speak TLS by the broker, as NATS does, and needs the
// certificate too); the
// token file keeps the token across a restart, and Ctrl-C stops it
// cleanly.
func TestComputeServe(t *testing.T) {
	cert, key, _ := testtls.SelfSigned(t)
	dir := t.TempDir()
	data, tokenFile := filepath.Join(dir, "store"), filepath.Join(dir, "token")
	args := []string{"--data", data, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, "--websocket", "127.0.0.1:0", "--token-file", tokenFile}
	s := startComputeServe(t, args...)
	if !strings.HasPrefix(s.url, "tls://127.0.0.1:") || !strings.HasPrefix(s.wss, "wss://127.0.0.1:") {
		t.Fatalf("it serves at %q and %q, want tls:// and wss://", s.url, s.wss)
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(tokenFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the token file: %v %v, want mode 0600", st.Mode(), err)
	}
	exp := filepath.Join(dir, "ela2600.json")
	writeExperiment(t, exp, 40, 2600, 80)
	alone := firn(t, "", "model", "run", exp, "--quiet")
	if alone.code != 0 {
		t.Fatal(alone.stderr)
	}
	run := func(url string, env ...string) (string, string, error) {
		out := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command(firnBin, "model", "run", exp, "--on", "local", "--workers", "1", "--connect", url, "--token", strings.TrimSpace(string(token)), "--out-dir", out)
		cmd.Env = append(os.Environ(), env...)
		b, err := cmd.CombinedOutput()
		got, _ := os.ReadFile(filepath.Join(out, "ela2600.csv"))
		return string(got), string(b), err
	}
	trust := "SSL_CERT_FILE=" + cert
	for _, url := range []string{s.url, s.wss} {
		got, log, err := run(url, trust)
		if err != nil || got != alone.stdout {
			t.Errorf("through %s: %v\n%s\nthe run's file:\n%s", url, err, log, got)
		}
	}
	if _, log, err := run(s.url, "SSL_CERT_FILE="+filepath.Join(dir, "none.pem")); err == nil || !strings.Contains(log, "certificate") {
		t.Errorf("a client without the certificate: %v\n%s", err, log)
	}
	// A client that names nats:// is made to speak TLS before it sends
	// its token: it too needs the certificate.
	clear := strings.Replace(s.url, "tls://", "nats://", 1)
	if _, log, err := run(clear, "SSL_CERT_FILE="+filepath.Join(dir, "none.pem")); err == nil || !strings.Contains(log, "certificate") {
		t.Errorf("nats:// to the TLS broker without the certificate: %v\n%s", err, log)
	}

	// Ctrl-C, and again on the same folder: the same token.
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	stopped := false
	for line := range s.lines {
		stopped = stopped || strings.Contains(line, "stopped; the streams stay in their folder")
	}
	if err := s.cmd.Wait(); err != nil || !stopped {
		t.Errorf("after Ctrl-C: %v, said it stopped: %v", err, stopped)
	}
	s2 := startComputeServe(t, args...)
	again, err := os.ReadFile(tokenFile)
	if err != nil || string(again) != string(token) {
		t.Errorf("the token after a restart: %q, want %q", again, token)
	}
	if got, log, err := run(s2.url, trust); err != nil || got != alone.stdout {
		t.Errorf("after the restart: %v\n%s", err, log)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0", "--data", t.TempDir()}, "needs a TLS certificate and key"},
		{[]string{"--listen", "nowhere", "--data", t.TempDir()}, `--listen "nowhere": want HOST:PORT`},
		{[]string{"--tls-cert", cert, "--data", t.TempDir(), "--listen", "127.0.0.1:0"}, "give both a TLS certificate and its key"},
	} {
		if r := firn(t, "", append([]string{"compute", "serve"}, c.args...)...); r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("firn compute serve %v: %d %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
