package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHubOIDCFlag: firn hub --oidc FILE puts "Sign in with NAME" on the
// login page; a file that is missing or wrong is a usage error naming
// the file and the field.
func TestHubOIDCFlag(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"issuer": "https://login.example.org", "client_id": "hub", "client_secret": "x", "redirect_url": "https://hub.example.org/callback", "allowed_groups": ["glac"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.json"), "missing.json: no such file"},
		{bad, bad + `: redirect_url "https://hub.example.org/callback": want the hub's public address + /oauth/callback`},
	} {
		err := hubCommand(context.Background(), []string{"--oidc", c.file, "--data", t.TempDir()}, nil, io.Discard, io.Discard)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--oidc") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--oidc %s: %v, want a usage error with %q", c.file, err, c.want)
		}
	}

	good := filepath.Join(dir, "oidc.json")
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(`{"name": "Uni Login", "issuer": "https://login.example.org", "client_id": "hub", "client_secret_file": "secret",
		"redirect_url": "https://hub.example.org/oauth/callback", "allowed_groups": ["glac"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		// Not as Unix accounts, when the tests run as root: this test
		// binary is in a folder other accounts cannot pass.
		done <- hubCommand(ctx, []string{"--oidc", good, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--unix-users", "off", "--cgroups", "off"}, nil, io.Discard, pw)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`Firn hub on (http://\S+/)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	base, ok := <-addr
	if !ok {
		t.Fatalf("firn hub --oidc did not start: %v", <-done)
	}
	resp, err := http.Get(base + "login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `<a href="/oauth/login">Sign in with Uni Login</a>`) {
		t.Errorf("login page without the sign-in link:\n%s", page)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("firn hub: %v", err)
	}
}
