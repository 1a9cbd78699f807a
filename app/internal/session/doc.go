// Package session runs the notebook server's kernel sessions: one kernel
// process per open notebook, the queue of cells sent to it, and the
// numbered log of frames that every connected browser reads.
//
// # Use
//
//	m := session.NewManager(session.Options{Kernel: kernel.Options{Dir: workspace}})
//	s, _, err := m.Open("lessons/01-getting-started.ipynb") // the same path → the same session
//	s.Execute("msg-1", "cell-a", `fmt.Println("hello")`, session.ExecuteOptions{}) // queued; runs in order
//	since := int64(0)
//	for {
//		b, wait, closed := s.Log().Read(since, 256)
//		// send b.Frames (a gap frame first if b.Gap) …
//		since = b.Last
//		if len(b.Frames) == 0 {
//			if closed { break }
//			<-wait
//		}
//	}
//	m.CloseAll(ctx)
//
// A session holds its kernel through Kernel, the five methods it uses of
// *kernel.Kernel, which runs over any kernel.Launcher (Options.Kernel's:
// pipes, loopback TCP; later a remote worker). Info says which: the
// kernel's name and transport, and its name in the server's list of
// kernels (Options.KernelName, Info's kernel.spec). Switch replaces the
// kernel with one of another launcher, as a restart does (Manager.OpenWith
// starts a session with one).
//
// # Invariants
//
//   - Frames are numbered 1, 2, 3, … per session, in the order the
//     session made them; every reader of the log gets the same bytes.
//   - The log keeps the newest frames within its bounds (by default
//     200,000 frames and 64 MiB); a reader that asks for frames that are
//     gone learns so (Batch.Gap) and must reload.
//   - Cells run one at a time in the order they were queued. A cell that
//     ends in an error (its own, an interrupt, or its kernel's death)
//     cancels the cells queued at that moment: each gets an execute_reply
//     with status "aborted" (Jupyter's stop_on_error).
//   - Kernel messages are relayed with parent_header.msg_id replaced by
//     the client's msg_id and tagged with the client's cell id, also when
//     they arrive after the reply (output of a cell's goroutines).
//   - A session runs with no reader at all; only Close (or the manager's:
//     Close, CloseUnder when its notebook is deleted or replaced,
//     CloseAll) stops its kernel.
//   - A kernel's death shows as kernel frames "dead" then "restarting"
//     (with the cause), before the error and reply of the cell that was
//     running and before the kernel is "idle" (or "busy") again; a cell
//     queued during the restart runs on the new kernel.
//   - Info.ETag is the version of the notebook file the session's frames
//     belong to (SetETag when it starts, then Saved): a client whose file
//     has another etag does not replay them onto it.
package session
