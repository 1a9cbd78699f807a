package app

import (
	"net/http"
	"strings"

	"github.com/firnglacier/firn/app/internal/guard"
)

// Cookie and header names of the protocol.
const (
	TokenCookie = "firn_token"
	CSRFCookie  = "firn_csrf"
	CSRFHeader  = "X-Firn-CSRF"
)

func equal(a, b string) bool { return guard.Equal(a, b) }

// authenticated says whether r carries the token, and whether it came in
// the Authorization header (a program, not a browser).
func (s *Server) authenticated(r *http.Request) (ok, viaHeader bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		t, found := strings.CutPrefix(h, "token ")
		return found && equal(strings.TrimSpace(t), s.opts.Token), true
	}
	c, err := r.Cookie(TokenCookie)
	return err == nil && equal(c.Value, s.opts.Token), false
}

// requireAuth refuses API requests without the token (401), state
// changes from a browser without the CSRF header (403) and websocket
// upgrades from another origin (403).
func (s *Server) requireAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.tooManyAttempts(w, r) {
			return
		}
		ok, viaHeader := s.authenticated(r)
		if !ok {
			if _, err := r.Cookie(TokenCookie); err == nil || viaHeader {
				s.limiter.Fail(clientIP(r)) // a token was tried
			}
			writeError(w, http.StatusUnauthorized, "not logged in: open the URL with ?token=… that `firn serve` printed")
			return
		}
		// Double-submit cookie: a page of another site can neither read
		// the cookie nor set the header. A token in the Authorization
		// header cannot be sent by another site either.
		if guard.Unsafe(r.Method) && !viaHeader && !guard.CSRF(r, CSRFCookie, CSRFHeader, s.csrf) {
			writeError(w, http.StatusForbidden, "missing or wrong "+CSRFHeader+" header (it must equal the "+CSRFCookie+" cookie)")
			return
		}
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") && !s.sameOrigin(r, viaHeader) {
			writeError(w, http.StatusForbidden, "websocket from another origin: "+r.Header.Get("Origin"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// sameOrigin says whether r's Origin is the server's own or one of
// Options.WebsocketOrigins. A request without Origin is accepted only with
// the token in the Authorization header: browsers always send Origin on
// websockets.
func (s *Server) sameOrigin(r *http.Request, viaHeader bool) bool {
	return guard.SameOrigin(r, s.opts.WebsocketOrigins, viaHeader)
}

// tokenLogin handles ?token=T on pages: the right token sets the cookies
// and redirects to the same URL without it; a wrong one gets 401.
func (s *Server) tokenLogin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !q.Has("token") {
			h.ServeHTTP(w, r)
			return
		}
		if s.tooManyAttempts(w, r) {
			return
		}
		if !equal(q.Get("token"), s.opts.Token) {
			s.limiter.Fail(clientIP(r))
			s.logger.Warn("login with a wrong token", "remote", r.RemoteAddr)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("Wrong token. Open the URL that `firn serve` printed.\n"))
			return
		}
		secure := r.TLS != nil
		http.SetCookie(w, &http.Cookie{Name: TokenCookie, Value: s.opts.Token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
		http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: s.csrf, Path: "/", Secure: secure, SameSite: http.SameSiteStrictMode})
		q.Del("token")
		u := *r.URL
		u.RawQuery = q.Encode()
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
	})
}
