// Package jupyter makes Firn's kernel a Jupyter kernel: it carries the
// kernel's messages (package protocol, served by kernel.Serve) over
// Jupyter's wire protocol 5.3 on ZeroMQ (github.com/go-zeromq/zmq4, pure
// Go), and installs the kernelspec "firn" that JupyterLab, Notebook,
// nbconvert, papermill and jupyter console start:
//
//	firn jupyter install --user     # or --sys-prefix, --prefix DIR
//	jupyter console --kernel firn
//
// Jupyter starts `firn kernel --connection-file FILE`; ListenKernel
// (a kernel.Listener) reads FILE and binds its five sockets on the
// kernel's side:
//
//   - shell (ROUTER): execute, complete, inspect, kernel_info, answered
//     by the kernel; is_complete, history (the cells of this kernel's
//     life), comm_info, connect and comm_open (closed at once: Firn has
//     no comm targets), answered by the Carrier itself;
//   - control (ROUTER): interrupt_request (the kernelspec's
//     interrupt_mode is "message": no signal needed) and
//     shutdown_request, restart or not; served before shell requests;
//   - iopub (PUB): status, execute_input, stream, display_data,
//     execute_result, error;
//   - stdin (ROUTER): input_request when a cell reads standard input
//     (fmt.Scanln, os.Stdin) and its request allowed stdin; the
//     frontend's input_reply is the line the cell reads. Other cells read
//     end of file. (Linux: the process's standard input is a pipe the
//     Carrier writes, and it sees a read waiting in /proc; elsewhere
//     cells read end of file.)
//   - heartbeat (REP): echoes.
//
// Every message is signed with HMAC over the connection file's key
// (hmac-sha256 as Jupyter writes it; sha512, sha1 and md5 also read); a
// message with a wrong or a replayed signature is refused and logged on
// the kernel's standard error. Sockets bind to the connection file's IP,
// which Jupyter sets to 127.0.0.1.
//
// On the frontend's side, Client is the sockets of a connection and
// Kernel a small frontend (Start, Execute with its input answers,
// Complete, Inspect, Interrupt, Shutdown) that starts any kernel from
// its argv: the tests and the benchmark drive Firn's kernel and
// ipykernel with it, and kernel's transport table runs its cells
// through it.
//
// Install, Uninstall, UserDataDir, PrefixDataDir and SysPrefix write and
// find kernelspecs (`firn jupyter install|uninstall`).
package jupyter

// KernelName is the name of Firn's kernelspec, as notebooks name it in
// metadata.kernelspec.name.
const KernelName = "firn"
