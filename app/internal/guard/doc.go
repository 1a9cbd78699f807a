// Package guard holds the request checks that the notebook server (app)
// and the hub (app/hub) share: the Origin check of websockets and state
// changes, the double-submit CSRF check, the client's address and a
// counter of failed logins with an injectable clock.
//
// # Use
//
//	if !guard.SameOrigin(r, nil, false) { … 403 … }
//	if !guard.CSRF(r, "firn_csrf", "X-Firn-CSRF", want) { … 403 … }
//	l := guard.NewLimiter(10, time.Minute, time.Now)
//	if ok, wait := l.Blocked(guard.ClientIP(r)); ok { … 429, Retry-After: wait … }
//	l.Fail(guard.ClientIP(r))
package guard
