package app

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeBeyondLoopback: --addr 0.0.0.0 prints the URLs that reach it
// and a warning that the token is the only protection; requests whose
// Host is a name other than the server's are refused (DNS rebinding),
// while IP addresses and localhost pass.
func TestServeBeyondLoopback(t *testing.T) {
	var stderr syncBuffer
	ctx, stop := serveUntilReadyAt(t, "0.0.0.0:0", ServeOptions{Dir: t.TempDir(), NoBrowser: true, NoLessons: true, Stderr: &stderr, AllowHosts: []string{"glacier-lab.example"}})
	defer stop()
	out := stderr.String()
	if !strings.Contains(out, "beyond this machine") || !strings.Contains(out, "The token is the only protection") {
		t.Errorf("no warning for a wildcard address:\n%s", out)
	}
	var others []string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
			others = append(others, ipn.IP.String())
		}
	}
	for _, ip := range others {
		if !strings.Contains(out, "http://"+ip+":") {
			t.Errorf("the URL by %s is not printed:\n%s", ip, out)
		}
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.Split(ctx, "/?")[0], "http://"))
	for _, tc := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:" + port, 200},
		{"localhost:" + port, 200},
		{"glacier-lab.example:" + port, 200},
		{"attacker.example:" + port, 403},
		{"attacker.example", 403},
	} {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+port+"/", nil)
		req.Host = tc.host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Host %s: %d, want %d", tc.host, resp.StatusCode, tc.want)
		}
	}
}

// TestServeLoopbackQuiet: the default loopback address prints no warning.
func TestServeLoopbackQuiet(t *testing.T) {
	var stderr syncBuffer
	_, stop := serveUntilReady(t, ServeOptions{Dir: t.TempDir(), NoBrowser: true, NoLessons: true, Stderr: &stderr})
	stop()
	if strings.Contains(stderr.String(), "beyond this machine") {
		t.Errorf("a warning on loopback:\n%s", stderr.String())
	}
}

func TestShortTokenRefused(t *testing.T) {
	_, err := New(Options{Workspace: t.TempDir(), Token: "glacier"})
	if err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("a 7-character token: %v", err)
	}
}

// TestWrongTokensLimited: after ten wrong tokens from one address within
// a minute, every attempt from it (the right token too) gets 429 with
// Retry-After, until the minute has passed.
func TestWrongTokensLimited(t *testing.T) {
	h := newHarness(t, nil)
	now := time.Now()
	h.srv.limiter.SetClock(func() time.Time { return now })
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, header ...string) *http.Response {
		req, _ := http.NewRequest("GET", h.hs.URL+path, nil)
		if len(header) == 2 {
			req.Header.Set(header[0], header[1])
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range maxFailures {
		path := "/?token=wrong-token-number-" + string(rune('a'+i))
		if i%2 == 1 { // the API with a wrong Authorization header counts too
			if r := get("/api/files", "Authorization", "token wrong-wrong-wrong-wrong"); r.StatusCode != 401 {
				t.Fatalf("attempt %d: %d, want 401", i+1, r.StatusCode)
			}
			continue
		}
		if r := get(path); r.StatusCode != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, r.StatusCode)
		}
	}
	r := get("/?token=" + testToken)
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("the right token after %d wrong ones: %d (Retry-After %q), want 429", maxFailures, r.StatusCode, r.Header.Get("Retry-After"))
	}
	now = now.Add(failureWindow + time.Second)
	if r := get("/?token=" + testToken); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the right token a minute later: %d, want 303 (logged in)", r.StatusCode)
	}
}
