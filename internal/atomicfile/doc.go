// Package atomicfile is Firn's one way to write a file: what a reader
// sees at a path is always a whole file, the old one or the new one,
// never a partial write, and a write that fails (or whose process is
// killed) leaves the old file in place.
//
// A write goes to a temporary file beside the target (".NAME.tmp-RANDOM"
// in the same folder, so that the rename stays on one file system), is
// synced, takes the target's permissions (perm for a new file), and is
// renamed over the target; the folder is then synced so that the rename
// survives a crash where the system allows it.
//
//	err := atomicfile.Write("diag.csv", 0o644, func(w io.Writer) error {
//		_, err := io.WriteString(w, "year,volume_m3\n")
//		return err
//	})
//
// WriteIn does the same inside an [os.Root], so that a name cannot
// leave the folder it is confined to (the notebook server's workspace,
// a kernel's working folder).
//
// A process killed in the middle of a write leaves its temporary file
// behind. Clean removes such leftovers: the writer holds an advisory
// lock (flock) on its temporary file for as long as it writes, so a
// temporary file that nobody holds locked belongs to a write that will
// never finish, and removing it never races a live one. On systems
// without flock (Windows), a file being written cannot be removed, which
// gives the same guarantee.
package atomicfile
