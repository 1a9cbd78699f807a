package hub

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firnglacier/firn/internal/testtls"
)

// serveHub runs Serve until the test ends and returns the URL it printed.
func serveHub(t *testing.T, opts ServeOptions) string {
	t.Helper()
	pr, pw := io.Pipe()
	opts.Stderr = pw
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, opts); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := regexp.MustCompile(`Firn hub on (\S+)/ `).FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, pr)
			return m[1]
		}
	}
	t.Fatalf("the hub printed no URL: %v", <-done)
	return ""
}

// loginOver logs in alice with client c at base, as the login form does
// (Origin: origin), and returns the response.
func loginOver(t *testing.T, c *http.Client, base, origin string, header http.Header) *http.Response {
	t.Helper()
	form := url.Values{"name": {"alice"}, "password": {"moraine-2026"}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func hubData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	s, err := OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddUser(context.Background(), "alice", RoleStudent, "moraine-2026", "glac101", time.Now()); err != nil {
		t.Fatal(err)
	}
	return data
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// TestServeTLS: with a certificate the hub serves HTTPS, its login
// cookies are Secure, and a page of https://its-address may log in.
func TestServeTLS(t *testing.T) {
	cert, key, pool := testtls.SelfSigned(t)
	base := serveHub(t, ServeOptions{Options: Options{Data: hubData(t)}, Addr: "127.0.0.1:0", TLSCert: cert, TLSKey: key})
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("the hub printed %s, want https://", base)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: noRedirect, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp := loginOver(t, c, base, base, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login over HTTPS: %d", resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s is not Secure over HTTPS", ck.Name)
		}
	}
	if resp := loginOver(t, c, base, strings.Replace(base, "https", "http", 1), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a page of the http:// origin logging in over HTTPS: %d, want 403", resp.StatusCode)
	}
	// Plain HTTP to the TLS port gets no page.
	if r, err := http.Get(strings.Replace(base, "https", "http", 1) + "/login"); err == nil && r.StatusCode == http.StatusOK {
		t.Error("plain HTTP served on the TLS port")
	}
}

// TestServeBehindProxy: behind a TLS-ending proxy, X-Forwarded-Proto:
// https makes a request HTTPS for the Origin check and the cookies; the
// hub refuses to trust it anywhere but on loopback.
func TestServeBehindProxy(t *testing.T) {
	data := hubData(t)
	base := serveHub(t, ServeOptions{Options: Options{Data: data}, Addr: "127.0.0.1:0", BehindProxy: true})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: noRedirect}
	public := strings.Replace(base, "http://", "https://", 1)
	resp := loginOver(t, c, base, public, http.Header{"X-Forwarded-Proto": {"https"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login through the proxy: %d", resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s is not Secure behind an HTTPS proxy", ck.Name)
		}
	}
	if resp := loginOver(t, c, base, public, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an https Origin on a request the proxy did not mark: %d, want 403", resp.StatusCode)
	}
	for _, c := range []struct {
		opts ServeOptions
		want string
	}{
		{ServeOptions{Options: Options{Data: data}, Addr: "0.0.0.0:0", BehindProxy: true}, "--behind-proxy: listen on loopback"},
		{ServeOptions{Options: Options{Data: data}, Addr: "127.0.0.1:0", TLSCert: "c.pem"}, "--tls-cert and --tls-key go together"},
		{ServeOptions{Options: Options{Data: data}, Addr: "127.0.0.1:0", TLSCert: "c.pem", TLSKey: "k.pem"}, "--tls-cert c.pem, --tls-key k.pem"},
	} {
		c.opts.Stderr = io.Discard
		if err := Serve(context.Background(), c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Serve %+v: %v, want %q", c.opts.Addr, err, c.want)
		}
	}
}
