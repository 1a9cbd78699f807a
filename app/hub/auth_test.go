package hub

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestLoginRateLimited: wrong passwords, per account and per address:
// after the limit every attempt — the right password too — gets 429 with
// Retry-After, until the window has passed (an injected clock).
func TestLoginRateLimited(t *testing.T) {
	for _, c := range []struct {
		name   string
		wrong  int
		tryAs  func(i int) string // whose password is tried wrong the i-th time
		victim string
	}{
		{"per account", accountMaxFailures, func(int) string { return "alice" }, "alice"},
		{"per address", addressMaxFailures, func(i int) string { return fmt.Sprintf("user%d", i) }, "alice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			th := newTestHub(t, nil)
			th.addUser("alice", "moraine-2026")
			b := th.browser()
			for i := range c.wrong {
				if r := b.login(c.tryAs(i), "wrong-password"); r.StatusCode != http.StatusUnauthorized {
					t.Fatalf("wrong password %d: %d, want 401", i+1, r.StatusCode)
				}
			}
			r := b.login(c.victim, "moraine-2026")
			secs, _ := strconv.Atoi(r.Header.Get("Retry-After"))
			if r.StatusCode != http.StatusTooManyRequests || secs < 1 || secs > int(failureWindow/time.Second)+1 {
				t.Fatalf("right password after %d wrong: %d, Retry-After %q; want 429 and seconds", c.wrong, r.StatusCode, r.Header.Get("Retry-After"))
			}
			th.clock.add(failureWindow - 2*time.Second)
			if r := b.login(c.victim, "moraine-2026"); r.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("right password before the window passed: %d, want 429", r.StatusCode)
			}
			th.clock.add(3 * time.Second)
			b.mustLogin(c.victim, "moraine-2026")
		})
	}
}

// TestLoginSessions: the session cookie is HttpOnly, SameSite=Strict,
// with an expiry (Max-Age, and on the server); it opens only its user's notebooks; logout, expiry and
// disabling the user end it on the server; state changes need the CSRF
// header and the hub's Origin.
func TestLoginSessions(t *testing.T) {
	th := newTestHub(t, nil)
	th.addUser("alice", "moraine-2026")
	b := th.browser()
	if st, _ := b.do("GET", "/user/alice/api/files", nil); st != http.StatusUnauthorized {
		t.Fatalf("API before login: %d, want 401", st)
	}
	if r := b.login("alice", "wrong-password"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.StatusCode)
	}
	r := b.login("alice", "moraine-2026")
	var sc *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == SessionCookie {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.MaxAge != int(DefaultSessionTTL/time.Second) || sc.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Max-Age of the session", sc)
	}
	if st, body := b.do("GET", "/user/alice/api/files", nil); st != 200 {
		t.Fatalf("alice's files: %d %s", st, body)
	}
	if st, _ := b.do("GET", "/user/bob/api/files", nil); st != http.StatusForbidden {
		t.Errorf("bob's files as alice: %d, want 403", st)
	}
	// CSRF and Origin.
	req, _ := http.NewRequest("POST", th.hs.URL+"/user/alice/api/files", nil)
	req.Header.Set("Origin", th.hs.URL)
	if resp, _ := b.client.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without the CSRF header: %d, want 403", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", th.hs.URL+"/user/alice/api/files", nil)
	req.Header.Set("X-Firn-CSRF", b.cookie("firn_csrf"))
	req.Header.Set("Origin", "http://evil.example")
	if resp, _ := b.client.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST from another origin: %d, want 403", resp.StatusCode)
	}
	if _, st := b.dial("/user/alice/api/sessions/x/ws"); st == http.StatusSwitchingProtocols {
		t.Error("websocket of an unknown session opened")
	}

	// Logout ends the session on the server: the old cookie is refused.
	old := b.cookie(SessionCookie)
	b.logout()
	other := th.browser()
	other.client.Jar.SetCookies(mustURL(th.hs.URL), []*http.Cookie{{Name: SessionCookie, Value: old}})
	if st, _ := other.do("GET", "/user/alice/api/files", nil); st != http.StatusUnauthorized {
		t.Errorf("the cookie after logout: %d, want 401", st)
	}

	// Expiry.
	b.mustLogin("alice", "moraine-2026")
	th.clock.add(DefaultSessionTTL + time.Second)
	if st, _ := b.do("GET", "/user/alice/api/files", nil); st != http.StatusUnauthorized {
		t.Errorf("an expired session: %d, want 401", st)
	}

	// Disabling the user ends the session and refuses logins.
	b.mustLogin("alice", "moraine-2026")
	if err := th.hub.Store().SetDisabled(t.Context(), "alice", true); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.do("GET", "/user/alice/api/files", nil); st != http.StatusUnauthorized {
		t.Errorf("a disabled user's session: %d, want 401", st)
	}
	if r := b.login("alice", "moraine-2026"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user's login: %d, want 401", r.StatusCode)
	}
}

// TestWebsocketRevoked: a websocket opened with a login session closes
// when the session ends: at once on logout, and at the next Revalidate
// when the session expired or its user was disabled (by another
// process, as `firn hub user disable`).
func TestWebsocketRevoked(t *testing.T) {
	th := newTestHub(t, nil)
	th.addUser("alice", "moraine-2026")
	b := th.browser()
	for _, c := range []struct {
		name string
		end  func()
	}{
		{"logout", func() { b.logout() }},
		{"expiry", func() {
			th.clock.add(DefaultSessionTTL + time.Second)
			if n := th.hub.Revalidate(t.Context()); n != 1 {
				t.Errorf("Revalidate closed %d websockets, want 1", n)
			}
		}},
		{"disabled", func() {
			other, err := OpenStore(th.hub.opts.Data) // another process's view of the database
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := other.SetDisabled(t.Context(), "alice", true); err != nil {
				t.Fatal(err)
			}
			if n := th.hub.Revalidate(t.Context()); n != 1 {
				t.Errorf("Revalidate closed %d websockets, want 1", n)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b.mustLogin("alice", "moraine-2026")
			id := b.openNotebook("alice", c.name+".ipynb", "c1", "")
			conn, st := b.dial("/user/alice/api/sessions/" + id + "/ws")
			if st != http.StatusSwitchingProtocols {
				t.Fatalf("websocket: %d", st)
			}
			if n := th.hub.Revalidate(t.Context()); n != 0 {
				t.Fatalf("Revalidate closed %d websockets of a valid session", n)
			}
			// A database that does not answer (here: a cancelled
			// context) is no logout.
			gone, cancel := context.WithCancel(t.Context())
			cancel()
			if n := th.hub.Revalidate(gone); n != 0 {
				t.Fatalf("Revalidate closed %d websockets when the database did not answer", n)
			}
			c.end()
			_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
						t.Fatal("the websocket stayed open after the session ended")
					}
					break
				}
			}
		})
	}
}
