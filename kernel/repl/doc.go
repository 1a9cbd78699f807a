// Package repl is the terminal front end of Firn's kernel: the prompt
// behind `firn repl`, where each input is a cell of Go code run by the
// kernel (yaegi), and the script runner behind `firn repl < script.go`.
//
// # At the prompt
//
//	$ firn repl
//	Firn v0.3.0 — Go cells on yaegi. :help for help, Ctrl-D to quit.
//	firn> x := 40
//	firn> func double(v int) int {
//	  ...     return 2 * v
//	  ... }
//	firn> double(x) + 2
//	82
//
// Keys (line editing by github.com/peterh/liner):
//
//	Enter        run the input, or continue it on the next line (see below)
//	Enter Enter  two blank lines in a row run an unfinished input as it is
//	             (the kernel then says what is missing)
//	Ctrl-C       at the prompt: drop the input typed so far;
//	             while a cell runs: interrupt it (the cell's "Interrupted"
//	             error is shown and the prompt comes back with the kernel's
//	             state intact); a second press says how to give up, a third
//	             stops waiting for the cell
//	Ctrl-D       on an empty line: quit (exit status 0); on an empty
//	             continuation line: run the unfinished input
//	Tab          complete the name at the cursor (asks the kernel); a
//	             second Tab lists the choices; at the start of a line Tab
//	             indents
//	Up, Down     history (lines that start like the typed text); Ctrl-R
//	             searches it; Ctrl-A, Ctrl-E, Ctrl-W, Ctrl-K, Ctrl-U, Ctrl-L
//	             as in a shell
//
// Commands: :help, :doc NAME (the documentation of a package, function,
// type, method or variable, as the kernel's inspect_reply gives it; NAME?
// on a line of its own asks the same, as in IPython), :plots (the folder
// where plots go), :quit (:q, :exit).
//
// # When an input continues
//
// An input runs as soon as it is complete Go. It continues on the next
// line (prompt "  ... ") while a bracket ( [ { is open, a raw string `…`
// or a /* comment is unterminated, or the line ends with a token after
// which Go inserts no semicolon: an operator (+, &&, =, :=, <-, ...), a
// comma, a dot, a colon, or a keyword such as func or else. Brackets
// inside strings, runes and comments do not count (the input is read with
// go/scanner). A blank line does not end an open block, so pasted code
// with blank lines inside a function stays one cell; gofmt never writes
// two blank lines in a row, so two of them run the input as it stands.
// Other mistakes (a stray "}", an unterminated "string") end the input at
// once and the kernel reports them.
//
// Each line typed is one history entry (a multi-line function is
// recalled line by line). The history file keeps the last HistoryLimit
// entries; each line is appended to it at once (the file is rewritten
// atomically), so a crash loses nothing typed and two sessions open at
// once both keep their lines. It is private (mode 0600).
// DefaultHistoryFile is $XDG_STATE_HOME/firn/repl_history.
//
// # Output, plots and images
//
// A cell's standard output and error appear as they are written,
// partial lines included; the value of a last expression (execute_result)
// is printed as text. Errors are printed as "ename: evalue" followed by
// the kernel's traceback (the source line with a caret, the call chain of
// a panic), in red on a terminal (not with NO_COLOR set).
//
// A display that a cell updates (a progress bar: display_data then
// update_display_data with the same display id) is rewritten in place on
// a terminal; in a log (output not a terminal) only its final state is
// printed, when other output follows it or the cell ends.
//
// Images in a result or display (image/png, image/svg+xml) are written to
// the plot folder (Options.PlotDir, "plots" by default) as plot-001.png,
// plot-001.svg, ..., numbered on after the plots already there, each
// file written atomically, and the REPL prints "plot written to
// plots/plot-001.png" (instead of the bundle's text/plain, usually a
// placeholder such as "<Figure>"). On a terminal that can draw images the PNG is also
// shown inline: with the kitty graphics protocol (kitty, WezTerm, Ghostty,
// Konsole; detected from TERM=xterm-kitty, KITTY_WINDOW_ID or
// TERM_PROGRAM=WezTerm, never inside tmux or screen) or with sixel graphics
// (foot, mlterm, xterm -ti vt340, which cannot be detected without a
// terminal query: choose it with FIRN_IMAGES=sixel or Options.Images).
// FIRN_IMAGES=kitty, sixel or none overrides the detection.
//
// # Scripts
//
// When standard input is not a terminal, the input is a script: it is cut
// into cells as its lines arrive, by the same rule as at the prompt (each
// complete top-level statement is a cell), except that consecutive
// top-level declarations (import, const, var, type, func) form one cell,
// so they may refer to each other in any order as in a Go file. Results
// and output are printed without prompts or banner. The first failed
// cell stops the script: Run returns a *CellError naming the input line
// where that cell starts (`firn repl` then exits with status 1).
//
//	$ echo 'fmt.Println(1+1)' | firn repl
//	2
//	$ echo '1+1' | firn repl
//	2
//
// # From Go
//
// Run drives any Backend; *kernel.Kernel, over any transport, is the
// real one (`firn repl --kernel local-tcp` sets Options.Launcher to
// kernel.TCPLauncher{}):
//
//	k, err := kernel.Start(ctx, kernel.Options{})
//	if err != nil {
//		return err
//	}
//	defer k.Shutdown(context.Background())
//	interactive := term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
//	hist, _ := repl.DefaultHistoryFile(nil)
//	return repl.Run(ctx, k, repl.Options{
//		Interactive: interactive,
//		HistoryFile: hist,
//		Version:     version,
//	})
//
// The ctx given to Run must not be cancelled by SIGINT: at the prompt
// Ctrl-C is a key, and while a cell runs the REPL turns SIGINT into
// Backend.Interrupt itself (its handler stays installed for the whole
// session, so a Ctrl-C pressed just as a cell starts or ends is not
// fatal). Cancelling ctx (SIGTERM, say) ends Run.
//
// An interactive session edits lines on the process's own terminal
// (os.Stdin and os.Stdout, as liner requires); Options.In is read only
// for scripts.
package repl
