// Package app is Firn's notebook server: the HTTP API and websockets
// that the frontend (frontend/, embedded) speaks, on top of a workspace
// folder (app/internal/workspace) and one kernel process per open notebook
// (app/internal/session).
//
// # Use
//
//	srv, err := app.New(app.Options{Workspace: dir, Token: token, Static: ui})
//	if err != nil { … }
//	hs := &http.Server{Addr: "127.0.0.1:8888", Handler: srv.Handler()}
//	go hs.ListenAndServe()
//	…
//	hs.Shutdown(ctx)
//	srv.Shutdown(ctx) // kernels stop, saves under way finish
//
// or, as `firn serve [DIR] [--addr HOST:PORT] [--no-browser] [--token T]`
// does:
//
//	err := app.Serve(ctx, app.ServeOptions{Dir: dir, Addr: addr, NoBrowser: noBrowser, Token: token})
//
// Without DIR the workspace is DefaultWorkspace(): on Linux and other
// Unix systems $XDG_DATA_HOME/firn/workspace (~/.local/share/firn/workspace
// without XDG_DATA_HOME), on macOS and Windows ~/Documents/Firn; it is
// created and, the first time, seeded with the lessons in lessons/.
//
// # Protocol (v1) — between frontend/ (browser) and app/ (Go server)
//
// All paths are relative to the workspace root, with "/" separators; the
// server refuses any path that leaves the workspace (absolute paths, any
// ".." element, backslashes, NUL, the same after one more URL decoding,
// symbolic links that lead outside or are absolute) with 403 and a JSON
// error. Errors: HTTP status + JSON body {"error": "message naming the
// file/field"}. The workspace root is "" (or ".") in requests and "" in
// answers.
//
// Auth (single user, like Jupyter):
//
//   - The token has at least MinTokenLength (16) characters. Ten wrong
//     tokens (in ?token= or the Authorization header) from one address
//     within a minute get every further attempt from it 429, with
//     Retry-After, until the minute has passed.
//   - firn serve answers only requests whose Host is an IP address,
//     localhost, the machine's name (when listening beyond loopback) or
//     a name given with --allow-host (HostCheck): 403 otherwise, against
//     DNS rebinding.
//   - The server prints http://127.0.0.1:PORT/?token=T at start. GET of
//     any page with ?token=T sets the cookie firn_token (HttpOnly,
//     SameSite=Strict) and redirects (303) to the same URL without the
//     token; a wrong token gets 401.
//   - Every /api request needs the cookie, or the header
//     "Authorization: token T"; otherwise 401.
//   - State-changing requests (POST, PUT, PATCH, DELETE) with the cookie
//     also need the header X-Firn-CSRF equal to the cookie firn_csrf (a
//     readable cookie set with firn_token; its value is derived from the
//     token, so a cookie planted by someone else does not match either).
//     Missing or wrong → 403. Requests that carry the token in the
//     Authorization header need no CSRF header: no other site can send
//     it.
//   - WebSocket upgrades need the token (cookie or header) and an Origin
//     equal to the server's own (scheme, host and port of the request):
//     otherwise 403. A missing Origin is accepted only with the
//     Authorization header (programs; browsers always send Origin).
//
// Files (REST):
//
//	GET  /api/files?path=DIR
//	     → {"path": DIR, "entries": [{"name","path","type": "directory"|"notebook"|"file","size","modified" (RFC 3339)}]}
//	     hidden names (starting with ".") and links leading outside are not listed; folders first, then by name.
//	     .ipynb and .go files are of type "notebook".
//	GET  /api/files/content?path=P
//	     .ipynb and .go: {"path","modified","etag","notebook": <nbformat JSON>, "damage": ["…"]?, "kernel_mismatch": "…"?}
//	     (.go text-form notebooks are converted; "damage" lists what could not be read of a damaged
//	     file, each naming the line, cell and field, whose readable part is in "notebook";
//	     "kernel_mismatch" says, for a notebook of another kernel, which one it wants: "This notebook
//	     is for Python 3 (kernel python3); Firn runs Go."). The frontend shows such notebooks
//	     read-only, with the reason. The header ETag is "<etag>"; a request with If-None-Match equal
//	     to it gets 304 with no body (the file did not change). Other files: the raw bytes with their
//	     Content-Type, sandboxed by a CSP so that an HTML file cannot script the API.
//	PUT  /api/files/content?path=P   body {"notebook": <nbformat JSON>, "etag": "<etag last seen, or "" for a new file>",
//	     "discard_damage": false}
//	     → {"path","modified","etag"}; 409 {"error": "…changed on disk…", "etag": current ("" if deleted)}
//	     when the etag does not match the file (conflict detection); 409 {"error": "…is damaged…",
//	     "etag", "damage": [...]} when the file on disk is damaged (what could not be read of it would be
//	     lost) and "discard_damage" is not true; 400 naming the cell and field for an invalid notebook.
//	     Atomic write; a .go path is written in the text form.
//	POST /api/files   body {"op": "create"|"mkdir"|"rename"|"copy"|"delete"|"restore", "path": P, "to": Q}
//	     create: a new notebook with one empty code cell (409 if P exists; 400 unless .ipynb/.go) → 201 entry
//	     mkdir: → 201 entry (409 if P exists)
//	     rename: to Q, which must not exist (409) → 200 entry
//	     copy: of a file to Q (409 if it exists); Q empty picks "NAME-Copy1.EXT", "NAME-Copy2.EXT", … → 201 entry
//	     delete: moves P into .trash/ → 200 {"trash_id": ID}; the sessions of the notebooks it was or
//	     held end (their kernels stop; last kernel frame "dead", cause "the notebook was deleted")
//	     restore: path = a trash_id; puts it back where it was (409 if something took its place) → 200 entry
//	GET  /api/files/trash → [{"trash_id","path","deleted"}], newest first
//	POST /api/files/upload?path=DIR   multipart, one or more fields "file" → 201 [entries]
//	     (existing files are replaced, atomically; a file name is cut to its last element)
//	GET  /api/files/download?path=P → the file as an attachment
//	GET  /api/lessons → [{"file","title"}] (the bundled lessons)
//	POST /api/lessons/open {"file"} → copies the lesson into lessons/ unless there already (201 entry),
//	     else 200 and the student's copy, never overwritten
//	POST /api/lessons/reset {"file"} → the bundled lesson, byte for byte, in place of the student's copy,
//	     which goes to the trash (its session ends, cause "the lesson was reset")
//	     → 200 {entry, "trash_id": ID (none if there was no copy)}
//
// Writes into .trash/ are refused (403).
//
// Sessions (a kernel per open notebook; it outlives the browser):
//
//	POST   /api/sessions {"path": P} → {"id","path","kernel": {"state","execution_count","pid","name","transport","spec"},"seq","etag"}
//	       201 for a new session, 200 and the existing one for the same path (two tabs share one kernel).
//	       The kernel starts in the background: state "starting" first; executes sent meanwhile wait.
//	       pid is the kernel's process id (0 while it has none); name and transport say where the
//	       kernel runs and what carries its messages: "local" and "pipe", or "local" and "tcp"
//	       (`firn serve --kernel local|local-tcp`, Options.KernelOptions.Launcher). seq is the seq
//	       of the session's last frame when the answer was made: a client connecting with since=0
//	       knows that the frames up to seq replay what ran before it opened (outputs already saved
//	       or not its own; they need no autosave). etag is the etag of the version of the file those frames belong to (the
//	       file's when the session started, then each save's): a client that read the file with
//	       another etag (someone changed it outside Firn) must not replay them onto it, and connects
//	       with since=seq. 422 {"error": "P: This notebook is for Python 3 (kernel python3); Firn runs
//	       Go. …"} for a notebook of another kernel: no kernel is started for it.
//	GET    /api/sessions → [sessions], by path;  GET /api/sessions/{id} → the session
//	DELETE /api/sessions/{id} → 204; shuts the kernel down; its websockets get a last kernel frame
//	       "dead" (cause "session closed") and a normal close. A session also ends when its notebook
//	       is deleted or replaced (see delete and lessons/reset), with that cause; a rename keeps it.
//	POST   /api/sessions/{id}/interrupt, POST /api/sessions/{id}/restart → the session (also over the websocket)
//	POST   /api/sessions/{id}/kernel {"name": N, "options": {K: V}} → the session, once its kernel was switched:
//	       the kernel is replaced by a fresh one of the kernel N of GET /api/kernels with the options chosen
//	       among its "options" (as a restart: variables are lost, queued cells aborted, a running cell ends
//	       with a KernelDied error) and N and the options are written into the notebook's metadata.firn.kernel
//	       and metadata.firn.kernel_options (the file's other contents kept; its clients get a "saved" frame).
//	       400 naming the kernels for an unknown N, or the allowed values of a bad option; 409 when the file
//	       is damaged (nothing changes) or the kernel is starting.
//	POST   /api/graph {"cells": [{"id", "source"}], "run": [ids]} → {"cells": [{"id", "defines", "uses",
//	       "depends_on"}], "problems": [{"cell", "message"}], "run": [ids in order], "blocked": [{"cell",
//	       "message"}]}: the def/use graph of the code cells (kernel/reactive) and what runs after the cells
//	       run (they and their dependents), for reactive notebooks and widgets.
//	GET    /api/quota → {"used_bytes", "used_files", "quota_bytes", "quota_files"} (0: no quota). A write that
//	       would take the workspace over Options.Quota is 507 with a message naming the quota; opening a
//	       notebook beyond Options.MaxKernels stops the kernel idle the longest (outputs saved, its page
//	       told why), or is 429 when every kernel runs a cell.
//	GET    /api/kernels → {"default": "local", "kernels": [{"name": "local", "description", "where": "local",
//	       "transport": "pipe"}, {"name": "local-tcp", …, "transport": "tcp"}]}: the kernels a notebook can run
//	       on (Options.Kernels; default DefaultKernels(): LocalKernels and, where sbatch is on the PATH, SlurmKernel); default is the one of `--kernel`.
//
// A session's kernel is the one its notebook names in metadata.firn.kernel,
// with the options of metadata.firn.kernel_options (options the kernel
// does not offer give its defaults, and a "kernel_note" naming the file
// and the option), else the default; the session's "kernel" says which in "spec" (beside
// "name" and "transport"). A notebook that names a kernel the server does
// not have runs on the default, and POST /api/sessions says so in
// "kernel_note": "lessons/a.ipynb: metadata.firn.kernel is \"gpu\", a kernel
// this server does not have (it has local, local-tcp); the notebook runs on
// \"local\" instead".
//
// Kernel states: "starting", "idle", "busy", "dead", "restarting".
//
// WebSocket GET /api/sessions/{id}/ws?since=SEQ:
//
// Every server→client frame is a JSON object {"seq": N, …} with a
// per-session seq increasing by one from 1. The server keeps a replay
// buffer of the session's frames, bounded (by default the last 200,000
// frames and at most 64 MiB of them; Options.MaxReplayFrames,
// MaxReplayBytes); older frames are dropped. On connect the server first
// replays every kept frame with seq > since, then streams live: a client
// that remembers the last seq it has seen and reconnects with it gets
// every frame it missed exactly once. If frames after since were dropped
// (or since is beyond the session's last seq: a session of another
// server run), the first frame is {"seq": G, "type": "gap"}, where G is
// the seq just before the first frame that follows; the client must
// reload the notebook's outputs (from the file) and go on from there.
// All connected clients of a session get every frame.
//
// Server → client:
//
//	{"seq","type": "message","cell_id": C,"msg": <Jupyter message: header, parent_header, metadata, content, channel>}
//	    kernel messages: status, execute_input, stream, display_data, update_display_data, execute_result,
//	    error, execute_reply, complete_reply, inspect_reply. cell_id is the cell of the request ("" if none);
//	    parent_header.msg_id is the msg_id the client gave in its request. Output that a cell's goroutines
//	    print after the cell ended still carries the cell's id. A status "idle" may come before or after
//	    the execute_reply it follows; use kernel frames for the state.
//	{"seq","type": "kernel","state": S,"cause": "…","execution_count": N,"ended": true?}
//	    a change of the kernel's state: busy and idle around the queue, "dead" with the cause of a death
//	    (e.g. "kernel process signal: killed", a fatal panic, the memory limit), then "restarting" and,
//	    when the fresh kernel answers, "idle" with the same cause; "restarting" with cause
//	    "restarted by the user" for a restart. "ended" marks the last frame of a session that was
//	    closed (DELETE, its notebook deleted or reset): no kernel comes back; the websocket closes.
//	{"seq","type": "queued","cell_id","msg_id"}
//	    an execute request was accepted into the queue.
//	{"seq","type": "saved","path": P,"etag": E}
//	    the notebook was written (PUT /api/files/content) and its etag is now E. A client that did not
//	    write it (E is not the etag its own PUT got back) has another tab's save: it takes E as the
//	    etag of its next PUT if the file on disk has the cells it shows (outputs come from the shared
//	    kernel), so two tabs do not meet a 409 for the same outputs.
//	{"seq","type": "switched","spec": N,"options": {K: V},"name": "local","transport": "tcp"}
//	    the session's kernel was switched to the kernel N with the profile options chosen ("options" left
//	    out when there are none; POST /api/sessions/{id}/kernel); kernel frames "restarting" and then
//	    "idle" (or "dead") follow with the cause "switched to the kernel N by the user". Clients keep N
//	    and the options in the notebook's metadata.firn.kernel and kernel_options, which the server has
//	    saved, so that their next save does not drop them.
//	{"seq","type": "renamed","path": P}
//	    the notebook (or its folder) was renamed (POST /api/files op "rename"): the session, its kernel
//	    and a run under way go on at path P; clients show and save the notebook there.
//	{"seq","type": "gap"}  see above (not stored in the buffer; sent to the client that needs it).
//
// Client → server:
//
//	{"type": "execute","msg_id": M,"cell_id": C,"code": S}   (a missing msg_id is made up; see the queued frame)
//	{"type": "complete","msg_id": M,"code","cursor_pos"}     (cursor_pos in Unicode code points)
//	{"type": "inspect","msg_id": M,"code","cursor_pos","detail_level"}
//	    replies come as message frames whose parent_header.msg_id = M; they do not wait for the queue.
//	{"type": "interrupt"}, {"type": "restart"}
//
// Executes are queued per session and run in order. A cell that ends in
// an error — its own, an interrupt ("Interrupted"), or its kernel's
// death (an error message "KernelDied" with the cause, and an
// execute_reply with status "error") — cancels the cells queued after it
// (stop_on_error, as Jupyter does): each gets an execute_reply with status
// "aborted". A restart cancels the queue the same way.
//
// Sessions keep running when no browser is connected. The server pings
// every 30 s and drops a client that has not answered for 60 s.
//
// Server.CullIdle(ctx, d) stops the kernels idle (no cell running or
// queued, no request; by Options.Now) for longer than d, after writing
// into each notebook the outputs and execution counts of the cells whose
// run is in the session's replay buffer; the session ends with the cause
// "stopped after D idle (outputs saved)". `firn serve` does not call it;
// the hub (app/hub) does, for every user's server.
package app
