package hub

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// postInvite posts the invitation form of token with origin and returns
// status, Location and body.
func (b *browser) postInvite(token, password, again, origin string) (int, string, string) {
	b.th.t.Helper()
	form := url.Values{"password": {password}, "again": {again}}
	req, _ := http.NewRequest("POST", b.th.hs.URL+"/invite/"+token, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err := b.client.Do(req)
	if err != nil {
		b.th.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// TestInvitations: a class added with its students' names gives each new
// student a link; the link shows the student's name and sets the
// password they choose (two differing entries, a short password or a
// post from another origin are refused), logs them in to their own
// notebooks, and works once; until then no password logs in as them. A
// user who has a password is only added to the class; a second class
// add gives a student without a password a new link and ends the old
// one; a link expires.
func TestInvitations(t *testing.T) {
	th := newTestHub(t, nil)
	th.addUser("carl", "carl's long password")
	ctx := context.Background()
	invites, existing, err := th.hub.Store().AddClass(ctx, "geo101", []string{"ana", "ben", "carl"}, th.clock.now(), 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(invites) != 2 || invites[0].Name != "ana" || invites[1].Name != "ben" || !slices.Equal(existing, []string{"carl"}) {
		t.Fatalf("invitations %+v, existing %v", invites, existing)
	}
	users, _ := th.hub.Store().Users(ctx)
	for _, u := range users {
		if !slices.Contains(u.Groups, "geo101") || u.Role != RoleStudent {
			t.Errorf("user %+v: want a student of geo101", u)
		}
	}
	b := th.browser()
	if r := b.login("ana", "any password at all"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("login as an invited student before she chose a password: %d", r.StatusCode)
	}
	ana := invites[0].Token
	st, body := b.do("GET", "/invite/"+ana, nil)
	if st != http.StatusOK || !strings.Contains(string(body), "Welcome, <strong>ana</strong>") {
		t.Fatalf("the link: %d %s", st, body)
	}
	for _, tc := range []struct {
		name, password, again, origin string
		status                        int
		want                          string
	}{
		{"differing", "glaciers flow slowly", "glaciers flow slowlyy", th.hs.URL, http.StatusBadRequest, "The two passwords differ."},
		{"short", "short", "short", th.hs.URL, http.StatusBadRequest, "password: 5 characters; use at least"},
		{"another origin", "glaciers flow slowly", "glaciers flow slowly", "https://evil.example", http.StatusForbidden, "another origin"},
	} {
		if st, _, body := b.postInvite(ana, tc.password, tc.again, tc.origin); st != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %q, want %d and %q", tc.name, st, body, tc.status, tc.want)
		}
	}
	st, loc, page := b.postInvite(ana, "glaciers flow slowly", "glaciers flow slowly", th.hs.URL)
	if st != http.StatusSeeOther || loc != "/user/ana/" {
		t.Fatalf("choosing the password: %d to %q: %s", st, loc, page)
	}
	if st, _ := b.do("GET", "/user/ana/api/files", nil); st != http.StatusOK {
		t.Errorf("after the invitation, ana's notebooks: %d", st)
	}
	if st, _, body := b.postInvite(ana, "another password here", "another password here", th.hs.URL); st != http.StatusNotFound || !strings.Contains(body, "unknown, used or expired") {
		t.Errorf("the link used twice: %d %q", st, body)
	}
	other := th.browser()
	other.mustLogin("ana", "glaciers flow slowly")
	if r := other.login("carl", "carl's long password"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("carl's own password after the class add: %d", r.StatusCode)
	}

	// ben's link is replaced by a second class add; the new one expires.
	again, _, err := th.hub.Store().AddClass(ctx, "geo101", []string{"ben"}, th.clock.now(), time.Hour)
	if err != nil || len(again) != 1 {
		t.Fatalf("second class add: %v %+v", err, again)
	}
	if st, _ := b.do("GET", "/invite/"+invites[1].Token, nil); st != http.StatusNotFound {
		t.Errorf("ben's first link after a new one was made: %d", st)
	}
	th.clock.add(time.Hour + time.Second)
	if st, body := b.do("GET", "/invite/"+again[0].Token, nil); st != http.StatusNotFound || !strings.Contains(string(body), "ask your teacher for a new one") {
		t.Errorf("an expired link: %d %s", st, body)
	}
	if _, err := th.hub.Store().redeem(ctx, again[0].Token, "glaciers flow slowly", th.clock.now()); !errors.Is(err, ErrInvitation) {
		t.Errorf("redeeming an expired link: %v", err)
	}
	if _, _, err := th.hub.Store().AddClass(ctx, "geo101", []string{"Bad Name"}, th.clock.now(), time.Hour); err == nil || !strings.Contains(err.Error(), `student 1's name "Bad Name"`) {
		t.Errorf("a bad name: %v", err)
	}
}
