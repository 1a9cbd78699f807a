package guard

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
	"time"
)

// TestLimiter: Max failures within Window block a key until the oldest
// of the last Max is Window old; other keys are not affected; Reset
// forgets.
func TestLimiter(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Minute, func() time.Time { return now })
	for i := range 3 {
		if b, _ := l.Blocked("a"); b {
			t.Fatalf("blocked after %d failures", i)
		}
		l.Fail("a")
		now = now.Add(10 * time.Second)
	}
	b, wait := l.Blocked("a")
	if !b || wait != 30*time.Second {
		t.Fatalf("after 3 failures: blocked %v, wait %s; want true, 30s", b, wait)
	}
	if b, _ := l.Blocked("b"); b {
		t.Error("another key is blocked")
	}
	now = now.Add(30 * time.Second)
	if b, _ := l.Blocked("a"); b {
		t.Error("still blocked when the first failure is a window old")
	}
	l.Fail("a")
	l.Reset("a")
	if b, _ := l.Blocked("a"); b {
		t.Error("blocked after Reset")
	}
}

func TestSameOrigin(t *testing.T) {
	for _, c := range []struct {
		origin, host string
		tls, missing bool
		extra        []string
		want         bool
	}{
		{"http://127.0.0.1:8000", "127.0.0.1:8000", false, false, nil, true},
		{"http://127.0.0.1:8001", "127.0.0.1:8000", false, false, nil, false},
		{"https://127.0.0.1:8000", "127.0.0.1:8000", false, false, nil, false},
		{"https://hub.example", "hub.example", true, false, nil, true},
		{"http://evil.example", "127.0.0.1:8000", false, false, nil, false},
		{"http://127.0.0.1:8000/x", "127.0.0.1:8000", false, false, nil, false},
		{"", "127.0.0.1:8000", false, false, nil, false},
		{"", "127.0.0.1:8000", false, true, nil, true},
		{"wails://wails", "127.0.0.1:8000", false, false, []string{"wails://wails"}, true},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = c.host
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := SameOrigin(r, c.extra, c.missing); got != c.want {
			t.Errorf("Origin %q on %s (tls %v, missing ok %v): %v, want %v", c.origin, c.host, c.tls, c.missing, got, c.want)
		}
	}
}

func TestCSRF(t *testing.T) {
	for _, c := range []struct {
		cookie, header, want string
		ok                   bool
	}{
		{"abc", "abc", "abc", true},
		{"abc", "abd", "abc", false},
		{"abd", "abd", "abc", false}, // a planted cookie
		{"", "abc", "abc", false},
		{"abc", "", "abc", false},
		{"", "", "", false},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		if c.cookie != "" {
			r.Header.Set("Cookie", "firn_csrf="+c.cookie)
		}
		if c.header != "" {
			r.Header.Set("X-Firn-CSRF", c.header)
		}
		if got := CSRF(r, "firn_csrf", "X-Firn-CSRF", c.want); got != c.ok {
			t.Errorf("cookie %q header %q want %q: %v", c.cookie, c.header, c.want, got)
		}
	}
}
