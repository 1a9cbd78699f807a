// Package kernel runs notebook cells: Go code, interpreted by yaegi, in a
// kernel process of its own, spoken to with Jupyter's message semantics
// (package protocol) over a pair of pipes.
//
// Everything in Firn that runs cells — the notebook server, `firn run`,
// `firn repl`, the desktop app — uses the client in this package:
//
//	k, err := kernel.Start(ctx, kernel.Options{Dir: workspace})
//	if err != nil { … }
//	defer k.Shutdown(ctx)
//	reply, err := k.Execute(ctx, `g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
//	g.ProgressToYear(300)
//	g.Diagnostics().Volume`, func(m *protocol.Message) {
//		// stream, display_data, update_display_data, execute_result, error
//	})
//
// # Why a process
//
// A cell can loop forever, panic in a goroutine (which yaegi cannot
// recover: it kills the process), or allocate without end. In its own
// process none of this reaches the server or other users' kernels:
//
//   - Interrupt cancels the running cell; interpreted code stops between
//     two steps, engine runs stop between two time steps (glaciers made in
//     cells are bound to the running cell's context, and ctx in a cell is
//     that context). The kernel and its variables survive. A cell that has
//     not stopped after Options.InterruptGrace gets its kernel killed and
//     restarted, and the client says so.
//   - A memory limit (default 2 GiB) stops a cell that exceeds it; if the
//     memory cannot be reclaimed the kernel exits and is restarted.
//   - Any death (crash, kill, limit) is reported with its cause: the end
//     of the kernel's own stderr, where the Go runtime writes fatal
//     errors, and its exit status (Events, and a *DiedError from the
//     requests that were pending).
//
// # Environment
//
// A kernel does not inherit its client's environment, where `firn serve`
// may hold tokens, cloud keys and passwords. It gets only HOME, USER,
// LOGNAME, LANG, the LC_* variables, TZ, PATH, TMPDIR and TERM (on
// Windows also SYSTEMROOT, WINDIR, USERPROFILE, USERNAME, TEMP, TMP,
// APPDATA and LOCALAPPDATA), the variables Options.PassEnv names
// (`--kernel-env NAME` of `firn serve`, `firn repl` and `firn run`), and
// the entries of Options.Env. Cells read that environment with os.Getenv
// and os.Environ; the Go runtime's own variables (GOMAXPROCS, GOGC,
// GODEBUG, ...) reach a kernel only when named too.
//
// # Output
//
// The kernel process points its own descriptors 1 and 2 into pipes, so
// that everything a cell writes — fmt.Println, os.Stdout.Write, log —
// becomes stream messages, sent while the cell runs. The protocol uses
// descriptors 3 (requests) and 4 (everything else). Before a display, a
// result or a reply the kernel waits until the streams have been
// forwarded, so outputs arrive in the order the cell produced them.
//
// # Packages
//
// kernel/internal/interpreter executes cells (kernel/internal/cellsrc adapts today's Go to
// yaegi; kernel/internal/symbols holds what cells can import and the sandbox;
// kernel/display is what cells use to show things). kernel/repl is the
// terminal front end.
package kernel
