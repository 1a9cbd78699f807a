// Package desktop is everything of Firn's desktop app (Wails, the root
// main.go) that can be built and tested without Wails: where the
// workspace and settings live, the notebook server the window shows, the
// File and Help menus, the window's remembered size and position, the
// recent files, notebooks opened from the file manager, and the About
// box. The root main.go only maps these onto Wails (options, menus,
// native dialogs, events) and is built with
//
//	go build -tags desktop,production,webkit2_41 -ldflags "-s -w" .
//
// # Use
//
//	dirs, _ := desktop.DefaultDirs()          // ~/Documents/Firn, ~/.config/firn
//	a, err := desktop.Start(desktop.Config{Dirs: dirs, Args: os.Args[1:], Static: frontend.Dist()})
//	if err != nil { … }
//	defer a.Close(ctx)
//	// Wails: AssetServer.Handler = a.AssetHandler(), Width/Height from a.State().Window,
//	// menus from a.Menu(shell, page), a.Opened(path) on the page's "firn:opened" event.
//
// # How the window reaches the server
//
// The window and `firn serve` share one app.Server, so their UI and API
// never drift apart. Wails serves the page from its AssetServer (the
// custom scheme wails://wails on Linux and macOS, http://wails.localhost on
// Windows); AssetHandler is app.Server.Handler() behind a middleware that
// adds "Authorization: token T" to every request. Only the app's own
// webview can send requests to the AssetServer, so no cookie, no login
// and no CSRF token are needed there (the server skips the CSRF check for
// the Authorization header).
//
// Wails' AssetServer answers websocket upgrades with 501, so the same
// handler also listens on 127.0.0.1 at a random port (Listener). The page
// learns where from /firn-desktop.json, served by the AssetServer only:
// {"websocket": "ws://127.0.0.1:PORT/", "token": T, "open": PATH}. It
// opens the session websockets there with ?token=T, which the listener
// moves into the Authorization header for websocket upgrades only; the
// server accepts the webview's Origin because Start lists it in
// app.Options.WebsocketOrigins. T is random for each start (or
// $FIRN_DESKTOP_TOKEN, which tests set). Pages of other sites cannot use
// the listener: they know no token, and their Origin is refused.
//
// The page also sends its calls that carry a body (POST, PUT, DELETE)
// to the listener, with the token in the Authorization header: on
// WebKitGTK a custom-scheme request with a body sometimes never got its
// response through the AssetServer (the handler had run; seen under
// load, about one start in four). The listener answers CORS for the
// webview's origins only. Reads and downloads stay on the AssetServer.
//
// # Files
//
// The workspace is Documents/Firn (XDG_DOCUMENTS_DIR on Linux), created
// and seeded with the lessons on first start; the first start opens the
// first lesson ("Getting started"), later starts the notebook open when
// the app was last closed. Settings (window size and position, recent
// files) are one JSON file in the user config dir (firn/desktop.json),
// written atomically.
//
// The server confines every file to the workspace. A notebook opened from
// outside it (from the file manager, the command line or File › Open…) is
// therefore imported: copied into the workspace folder "Imported" (as
// NAME.ipynb, or NAME-2.ipynb, … if that name is taken by a different
// file; the same file opened again reuses its copy) and opened there; the
// window says where the copy is. "Save as…" to a folder outside the
// workspace writes a copy there and keeps editing the workspace file;
// inside the workspace the notebook continues under its new name.
package desktop
