// Package workspace is the notebook server's access to the files of one
// workspace folder: every path it takes is relative to the workspace
// root, with "/" separators, and no operation reaches outside it.
//
// # Use
//
//	ws, err := workspace.Open("/home/ana/glaciers")
//	if err != nil { … }
//	defer ws.Close()
//	entries, err := ws.List("lessons")
//	doc, err := ws.ReadNotebook("lessons/01-getting-started.ipynb")
//	// … the user edits doc.JSON …
//	saved, err := ws.WriteNotebook(doc.Path, edited, doc.ETag, workspace.WriteOptions{})
//	var conflict *workspace.ConflictError
//	if errors.As(err, &conflict) {
//		// someone else changed the file since doc was read
//	}
//	var damaged *workspace.DamagedError
//	if errors.As(err, &damaged) {
//		// doc.Damage was not empty: saving would lose what could not be
//		// read; only WriteOptions{DiscardDamage: true} replaces the file
//	}
//	id, err := ws.Trash("old.ipynb")   // into .trash/, restorable
//	entry, err := ws.Restore(id)
//
// # Confinement
//
// A path is refused with an error that wraps ErrOutside when
//
//   - it is absolute ("/etc/passwd", "C:\x", "\\server\share"),
//   - any element is ".." (even "a/../b", which would stay inside),
//   - it holds a backslash or a NUL byte,
//   - any of this holds after one more round of URL decoding
//     ("%2e%2e/x"): a path that was encoded twice on its way in is
//     still refused,
//   - or it goes through a symbolic link that leads outside the
//     workspace (or is absolute): every file operation goes through an
//     os.Root, which checks each link as it follows it, so a link
//     swapped in between check and use cannot escape either.
//
// # Invariants
//
//   - Writes are atomic: a temporary file in the target's folder is
//     synced and renamed over the target. Saves of one Workspace are
//     serialized, so the check of the etag and the write are one step.
//   - An etag is a hash of a file's bytes: a file changed on disk by
//     anyone (another tab, an editor, git) no longer matches.
//   - A damaged notebook (one that ReadNotebook can read only in part:
//     Doc.Damage) is never replaced by WriteNotebook unless the write
//     says so (WriteOptions.DiscardDamage): what could not be read would
//     be lost.
//   - Names starting with "." are not listed. The folder .trash holds
//     deleted items: .trash/ID/item is the item and .trash/ID/info.json
//     says where it was; the API refuses writes into .trash.
package workspace
