// Package symbols holds what notebook cells can import: the symbol tables
// of Firn's packages for the yaegi interpreter, a curated standard library
// that keeps cells' file changes inside the workspace, and a catalog and a
// documentation index for completion and inspection.
//
// # What cells import
//
// Firn's packages, under short import paths (the module prefix
// github.com/firnglacier/firn dropped):
//
//	import "firn/engine/constants"    // physical constants and model defaults
//	import "firn/engine/geometry"     // flowlines and beds
//	import "firn/engine/massbalance"  // mass-balance models
//	import "firn/engine/climate"      // climate data (NetCDF, CSV)
//	import "firn/engine/dynamics"     // the flowline model
//	import "firn/engine/experiment"   // experiment files
//	import "firn/engine/edu"          // the teaching API (OGGM-Edu style)
//	import "firn/engine/datasets"     // bundled real glacier data (Hintereisferner)
//	import "firn/plots"               // glacier plots with display bundles
//	import "firn/compute"             // many experiments on workers (local, Slurm)
//	import "firn/display"             // rich output: Markdown, tables, progress bars
//
// Firn returns their tables. Generic functions and types are not in them
// (yaegi cannot extract them). The standard library comes from Stdlib:
// yaegi's extraction of Go's standard library (about 150 packages; the
// generic packages cmp, maps and slices are partly interpreted from
// source, and builtins and features newer than Go 1.21 are missing, see
// PLATFORM.md).
//
// A kernel sets up its interpreter like this:
//
//	std, err := symbols.Stdlib(workspace, trusted)
//	if err != nil { ... }
//	i := interp.New(interp.Options{Stdout: out, Stderr: errOut, Unrestricted: trusted})
//	err = i.Use(symbols.Firn())
//	err = i.Use(std)            // in one call, after Firn's: yaegi then ties fmt,
//	                            // log and os to the interpreter's streams and
//	                            // environment, and the sandbox's plots replace Firn's
//	catalog := symbols.NewCatalog(std, symbols.Firn())
//
// and passes errors of EvalWithContext through Explain, which turns
// yaegi's "unable to find source related to: \"net/http\"" into
// "import \"net/http\": not available in Firn's sandbox (it reaches the
// network); start the kernel with --trusted to allow".
//
// # The sandbox
//
// Stdlib(workspace, false), the default, changes yaegi's standard library:
//
//   - Left out, because they reach the network: net and everything under
//     net/ (net/http and its subpackages, net/rpc, net/smtp, net/textproto),
//     crypto/tls and log/syslog. The parsers net/url, net/mail and
//     net/netip stay: they only parse and format text and addresses.
//   - Left out, because they start programs, handle signals or change
//     process-wide state the kernel relies on: os/signal, flag (flag.Parse
//     reads the kernel's own command line and can exit it), expvar,
//     runtime/pprof, runtime/trace, go/build and go/importer (they run the
//     go command), and yaegi's own table of tables. os/exec, syscall,
//     plugin and unsafe are not in yaegi's standard library at all.
//   - Removed from packages that stay: os.StartProcess, os.FindProcess,
//     os.Process, os.ProcAttr, os.Chdir, os.NewFile; runtime.Breakpoint,
//     runtime.Goexit, runtime.GOMAXPROCS and the profile-rate setters;
//     runtime/debug.SetGCPercent, SetMemoryLimit, SetMaxStack,
//     SetMaxThreads, SetPanicOnFault, SetTraceback, WriteHeapDump;
//     testing.Main and MainStart (they exit); log.Default and
//     log/slog.SetDefault, SetLogLoggerLevel (the kernel's own logging).
//     os.Setenv, Unsetenv and Clearenv are removed too; the interpreter
//     (Unrestricted: false) puts back versions that change only the
//     cells' own environment. os.Exit stays yaegi's stub, which fails the
//     cell instead of exiting.
//   - Of Firn's compute: Connect, NewPool, StartBroker and Worker (cells
//     reach only their kernel's broker, through compute.Attach); Local
//     and Slurm are launchers without Command and Env, so that their
//     workers run this program's `worker` command and nothing else
//     (computesandbox.go).
//   - Files change only inside the workspace. os.Create, os.OpenFile (when
//     the flags include O_WRONLY, O_RDWR, O_CREATE, O_APPEND or O_TRUNC),
//     os.WriteFile, Mkdir, MkdirAll, MkdirTemp, CreateTemp, Remove,
//     RemoveAll, Rename, Symlink, Link, Chmod, Chown, Lchown, Chtimes,
//     Truncate and io/ioutil's WriteFile, TempFile and TempDir are replaced
//     by wrappers with the same signatures (but *File for *os.File) that
//     check their path (both paths for Rename and Link; the new name for
//     Symlink, whose target is only text). A relative path is relative to
//     the process's working directory (the kernel runs in the workspace).
//     The path is resolved as the operating system would: symbolic links
//     are followed (dangling ones too, since a create follows them) and
//     ".." applies to what a link resolved to; past the first element that
//     does not exist, the rest is taken as written. Operations on a link
//     itself (Remove, RemoveAll, Rename, Lchown) do not follow the last
//     element. The result must be the workspace (with its links resolved)
//     or below it; otherwise the wrapper fails with an *fs.PathError whose
//     Err is an *OutsideWorkspaceError (shown below). The change itself
//     goes through an os.Root opened on the workspace, which follows no
//     link out of it: a directory swapped for a link between the check and
//     the change cannot redirect it. MkdirTemp and CreateTemp with dir ""
//     use os.TempDir, outside the workspace, so they fail; pass ".".
//   - os.File is File, a type of this package with the methods of *os.File
//     (but SyscallConn): os.Open, OpenFile, Create, CreateTemp, Pipe, the
//     files of os.DirFS and os.Stdin, os.Stdout and os.Stderr are *File.
//     A file outside the workspace is opened for reading only, and its
//     Chmod, Chown, Truncate, Write, WriteAt, WriteString and ReadFrom fail
//     with the error below; Chdir fails on every file (cells cannot move
//     the kernel's working directory). (yaegi calls the methods of a
//     compiled type as they are, so *os.File itself could not be guarded:
//     fchmod, fchown and fchdir work on a file opened for reading.)
//   - os.Stdin, os.Stdout and os.Stderr are duplicates of the kernel's
//     streams (PrepareStdio, before each cell): a cell that closes one
//     closes its own, and the next cell gets a new one.
//   - The figures of package plots that cells make save only inside the
//     workspace: each function of plots that returns a *plots.Figure binds
//     it (plots.Confine, left out for cells) to a writer that checks the
//     path as above and writes through the os.Root.
//   - Reading stays allowed everywhere.
//   - Package variables are copies made by each Stdlib call: a cell that
//     assigns io.EOF or time.Local changes its own copy, not the kernel's.
//
// A refused change reads (errors.Is(err, fs.ErrPermission) holds):
//
//	open /etc/passwd: outside the workspace /home/u/ws (Firn's sandbox; start the kernel with --trusted to allow)
//
// What the sandbox guarantees, and what it does not (the README says the
// same to users): cells change files only inside the workspace — the
// functions of os and io/ioutil, the methods of the files they open and
// Figure.Save refuse every path outside it, through ../ and symbolic
// links too, and on Linux 5.13 or later the kernel process is also
// confined with Landlock, so that no code at all, compiled or not, can
// create, write or remove a file outside the workspace and the kernel's
// own temporary folder. Cells cannot import the network packages, start
// programs, handle signals, change the kernel's process-wide settings or
// close its streams, and they see only a few environment variables. It
// is not an operating-system jail: cells read every file the user can,
// use all the processor time and memory up to the kernel's limit, and
// code that gets around the interpreter's rules (reflection, a bug in
// yaegi) acts with the user's rights (on Linux, still without writing
// outside the workspace). Known ways around the in-process part, which
// Landlock closes on Linux: compiled code that writes files itself, such
// as gonum's Plot.Save reached through Figure.Plot, and the temporary
// files of mime/multipart (these go to os.TempDir, on Linux the kernel's
// own temporary folder). Paths are compared byte for byte, so on
// case-insensitive file systems a differently cased path inside the
// workspace is refused, never the reverse. Against a determined attacker
// the kernel process needs operating-system isolation: its own user, a
// container or a virtual machine with only the workspace writable and no
// network.
//
// Stdlib(workspace, true) is for trusted single-user use (one person on
// their own machine, the kernel started with --trusted): all of yaegi's
// standard library plus its unrestricted symbols (os/exec, the real
// os.Exit and os.FindProcess, log.Fatal that exits, parts of syscall).
// Give the interpreter Unrestricted: true with it.
//
// # Completion and inspection
//
// NewCatalog lists the packages and members of the tables the kernel uses
// (kind and reflect signature), for completion after "edu." or in an
// import path. Doc returns the signature and doc comment of a name, keyed
// "firn/engine/edu.Glacier.ProgressToYear" or "fmt.Println": all of Firn's
// packages and, of the standard library, encoding/json, errors, fmt, math,
// math/rand, os, path/filepath, slices, sort, strconv, strings and time
// (what yaegi makes available of them), read from the GOROOT of the Go
// that generated the index.
//
// # Regenerating
//
// The symbol tables (firn_*_gen.go) and the doc index (docindex.json.gz)
// are generated by internal/gen with github.com/traefik/yaegi/extract and
// go/doc. After changing an exported name or doc comment of a Firn
// package, run
//
//	go generate ./kernel/internal/symbols
//
// (about 10 s). The generated files do not depend on the Go version that
// made them, except the standard-library part of the doc index.
// TestGeneratedFilesUpToDate regenerates in memory and fails, saying to
// run that command, when a committed file differs: the symbol tables and
// the Firn part of the doc index byte for byte, the standard-library part
// only when the test runs with the Go version that generated it. To
// expose another package, add one line to Packages in internal/gen.
package symbols
