// Package hub is `firn hub`: Firn's notebook server for a class on one
// machine. People log in with a name and password; each has a workspace
// folder of their own (DATA/users/NAME) and their own kernels, served by
// a notebook server of their own (app.Server, the one of `firn serve`)
// under /user/NAME/, which only they reach.
//
// # Use
//
//	h, err := hub.New(hub.Options{Data: dir, Static: frontend.Dist()})
//	if err != nil { … }
//	hs := &http.Server{Addr: "127.0.0.1:8000", Handler: app.HostCheck(names, h.Handler())}
//	go hs.ListenAndServe()
//	go h.Run(ctx) // stops idle kernels (Options.CullIdle, CullEvery)
//	…
//	hs.Shutdown(ctx)
//	h.Shutdown(ctx) // kernels stop, saves under way finish
//
// or hub.Serve(ctx, hub.ServeOptions{…}), as `firn hub [--addr HOST:PORT]
// [--data DIR]` does. Accounts are added with the Store (OpenStore(dir),
// AddUser, SetDisabled, Users), as `firn hub user add|list|disable` does,
// also while the hub runs. Store.AddClass adds a class and its students
// (`firn hub class add CLASS --students FILE.csv`): a new student has no
// password but a one-use invitation link, /invite/TOKEN (only the
// token's SHA-256 is stored), whose page sets the password they choose
// and logs them in; no password logs in as them before that. With
// Options.OIDC (`firn hub --oidc FILE`) people may also sign in with an
// OpenID Connect provider (see below).
//
// # Data folder
//
// DATA/hub.db is an SQLite database (modernc.org/sqlite, pure Go; WAL
// journal, so a copy of DATA taken while the hub runs must include
// hub.db-wal, or stop the hub first): users (name, role admin, teacher
// or student, the argon2id hash of the password, disabled), groups (a
// class) and their members, login sessions, invitations, and the
// provider identities (issuer, subject) of accounts made by a sign-in
// (schema 5). Its schema version is
// SQLite's user_version; OpenStore applies the migrations it lacks, each
// in a transaction, and refuses a database of a newer Firn. Passwords are
// stored as argon2id hashes (19 MiB, 2 passes, a 16-byte salt per user,
// in the PHC string form) and compared in constant time; sessions as the
// SHA-256 of their cookie. DATA/users/NAME is NAME's workspace;
// DATA/compute the store of the users' broker (below).
//
// # Protocol
//
//	GET  /login                 the login page (a form)
//	POST /login                 form fields name, password → 303 to /user/NAME/ with the cookies
//	                            firn_hub (the session: HttpOnly, SameSite=Strict, Max-Age of
//	                            Options.SessionTTL, Secure over TLS) and firn_csrf (readable);
//	                            401 and the form for a wrong name or password or a disabled
//	                            account; 429 with Retry-After after 5 wrong passwords for one
//	                            account, or 50 from one address, within 15 minutes — the right
//	                            password too, until the window has passed. An Origin other than
//	                            the hub's → 403.
//	GET  /oauth/login           (with Options.OIDC) 302 to the provider's authorization endpoint
//	                            (code flow, PKCE S256, a nonce, a new state; all sealed in the
//	                            cookie firn_oidc: HttpOnly, SameSite=Lax, Path /oauth/, Secure over
//	                            TLS, 10 min);
//	                            502 and a page if the provider cannot be reached
//	GET  /oauth/callback        the provider's answer (code, state): 200 and a page that goes on to
//	                            /user/NAME/, with the cookies of a password login; otherwise a
//	                            page saying why: 400 for a state missing, wrong, used or expired,
//	                            or a code the provider refuses; 401 for an ID token that fails
//	                            verification or has the wrong nonce; 403 for a user in no allowed
//	                            group (the page names the groups), a name that cannot be a Firn
//	                            name, taken by another account, disabled, or unknown when
//	                            accounts are not made at sign-in; 502 for a provider down
//	GET  /logout                a page with the logout button
//	POST /logout                (header X-Firn-CSRF or form field csrf = the session's) → the
//	                            session is deleted on the server, 303 to /login. Kernels keep running.
//	GET  /hub/me                {"name", "role"} of the login (the page shows "Hand in" to students,
//	                            "Classes" to teachers)
//	POST /hub/publish           (a teacher or admin; CSRF) {"class", "folder" (of their workspace),
//	                            "name"?} → the folder published to the class (Publish); or the
//	                            classes page's form (fields class, folder, name, csrf) → 303 back
//	                            to it with ?published= or ?error= saying what happened
//	POST /hub/handin            (CSRF) {"path"}: the student hands in that file of a published folder
//	POST /hub/share             (CSRF) {"path"}: a read-only link to that notebook of the user's →
//	                            {"path", "url": "/share/TOKEN"} (the same link each time)
//	DELETE /hub/share?path=P    (CSRF) the link stops working (204; 404 if P was not shared)
//	GET  /share/{token}         (anyone logged in; otherwise a redirect to /login) the shared
//	                            notebook as it is on disk now, as a static page (no scripts)
//	GET  /hub/handins           (a teacher or admin) the classes page: a form to publish a folder
//	                            of their workspace to a class, and the list of hand-ins
//	GET  /hub/handins/{id}      (a teacher or admin) a handed-in notebook as a static page
//	                            (notebooks/export; no scripts), read-only
//	GET  /hub/admin             (an admin) users, who is online, running kernels with their memory
//	                            and CPU time (from /proc), disk use per user
//	POST /hub/admin/stop        (an admin; form fields user, session, csrf) the kernel stops as a
//	                            culled one does: outputs saved, its page told why
//	/user/NAME/…                NAME's notebook server: its protocol is app's (see package app),
//	                            under this prefix. Needs the session of NAME (otherwise 401 for the
//	                            API, a redirect to /login for pages; 403 for another user's NAME),
//	                            the header X-Firn-CSRF equal to the cookie firn_csrf and to the
//	                            session's value on state changes, and the hub's own Origin on
//	                            websockets (403 otherwise); paths with . or .. elements → 404.
//
// A session ends at its expiry, at logout, and when its user is
// disabled (SetDisabled deletes it; every request checks the user). The
// websockets it opened are closed with it: at once on logout, within
// RevalidateEvery (10 s) otherwise (Run calls Revalidate).
//
// # Sign-in with an OpenID Connect provider
//
// OIDCConfig (a JSON file, LoadOIDCConfig) names the provider's issuer,
// the hub's client ID and secret (or a file holding it), the redirect
// URL (the hub's public address + /oauth/callback), the scopes, the
// claim that names the user (preferred_username), the claim listing
// their groups (groups) and the groups allowed in (one is needed, or
// allow_any_user), roles by group (admin or teacher; student
// otherwise; applied at every sign-in), classes by group (added at every
// sign-in) and whether unknown users get an account at their first
// sign-in (create_users, default true). The provider is found (its
// discovery document read) at the first sign-in, with
// github.com/coreos/go-oidc and golang.org/x/oauth2.
//
// The sign-in is the authorization code flow. The state is random; it,
// the PKCE verifier, the nonce and an expiry 10 minutes on are sealed
// (AES-256-GCM, under a random key the hub makes at New) in the cookie
// firn_oidc, which the answer's page clears: the provider's answer
// counts only in the browser that asked, once (the provider also takes
// a code once). The hub keeps nothing for a sign-in under way, so no
// number of anonymous starts can crowd out others. The ID token's
// signature (the provider's published keys), issuer, audience, expiry
// and nonce are checked; groups and name are read from it, or from the
// userinfo endpoint when the token lacks them (the groups when allowed
// groups, roles or classes need them). A sign-in whose provider gives
// no groups claim at all is admitted by no allowed group and leaves the
// user's role as it is (the log says so). The name is the claim's value
// lower-cased, refused if CheckName refuses it. An account is bound to
// the provider's (issuer, subject): a later sign-in of the same person
// is the same account even if their name there changes, and a name that
// a local account (or another person of the provider) has is refused,
// never merged. Accounts made by a sign-in have no password, and `firn
// hub class add` sends them no invitation. The answer's page goes on to
// /user/NAME/ by itself rather than by a redirect, because a browser does
// not send the SameSite=Strict session cookie on a redirect in a chain
// another site started.
//
// # Each user's server
//
// The hub starts NAME's app.Server at NAME's first request, with a random
// token that never leaves the process: the hub passes each request on
// with that token in the Authorization header and without the browser's
// cookies, after its own checks. So the notebook server is reachable only
// through the hub, and only with NAME's login. Its kernels run in
// DATA/users/NAME and outlive the browser and the login: a cell running
// at logout goes on, and its output is replayed to the next login.
//
// Their kernels get the hub's broker for compute.Attach ($FIRN_COMPUTE_URL
// and $FIRN_COMPUTE_TOKEN): one embedded NATS server with JetStream,
// started with the first user's server and storing under DATA/compute,
// in which each user has a NATS account of their own
// (compute.Broker.Account): their tasks and results are theirs alone,
// and survive a restart of the hub, within Options.ComputeStore bytes
// each. Options.NoCompute gives none.
//
// # HTTPS
//
// Serve serves HTTPS with ServeOptions.TLSCert and TLSKey (the cookies
// are then Secure, and Origin checks want https). Behind a reverse proxy
// that ends TLS, ServeOptions.BehindProxy makes a request marked
// X-Forwarded-Proto: https count as HTTPS; the hub must then listen on
// loopback.
//
// # Limits
//
// Options.Limits bound each user (Limits: each kernel's memory and CPU
// time, how many notebooks run kernels at once, the workspace's size and
// files), and Options.ClassLimits raise them for the users of a class
// (ReadLimits reads both from `firn hub --limits FILE`). They are taken
// when a user's notebook server starts (at the user's first request
// after the hub starts).
//
// # Publishing and hand-ins
//
// Publish copies a teacher's folder to DATA/published/CLASS/NAME (a new
// version replaces the old one at once); Sync gives a student what was
// published to their classes, into the folder NAME of their workspace,
// when they open their notebooks (GET /user/NAME/). As nbgitpuller does,
// a file the student does not have is copied (also one they deleted), a
// file whose content is still the copy they were given (its SHA-256 is
// in the database) gets the new version, and a file they changed stays
// theirs. A hand-in is a copy under DATA/handins/CLASS/NAME/STUDENT,
// replaced by a later hand-in of the same file.
//
// # Idle culling
//
// Every Options.CullEvery (600 s) Run calls Cull, which stops the kernels
// idle (no cell running or queued, no request) for longer than
// Options.CullIdle (3600 s), after writing the outputs of the cells they
// ran into their notebooks (app.Server.CullIdle).
//
// # Isolation
//
// All of one hub's kernels run as the hub's Unix account. The sandbox of
// every kernel (kernel/internal/symbols, and Landlock on Linux 5.13 and
// later) keeps a cell's writes in its user's workspace and its temporary
// folder, and the hub asks for reads to be confined too
// (kernel.Options.ConfineReads): a cell reads its user's workspace and
// the system's folders, not other users' notebooks nor DATA/hub.db.
// Without Landlock such kernels do not start. See the README, "A class
// on one server".
package hub
