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
//   - shell (ROUTER): execute, complete, inspect, kernel_info and the
//     comm messages (comm_info, comm_msg, comm_close, comm_open: see
//     Widgets), answered by the kernel; is_complete, history (the cells
//     of this kernel's life) and connect, answered by the Carrier itself;
//   - control (ROUTER): interrupt_request (the kernelspec's
//     interrupt_mode is "message": no signal needed) and
//     shutdown_request, restart or not; served before shell requests;
//   - iopub (PUB): status, execute_input, stream, display_data,
//     execute_result, error, and the kernel's comm_open, comm_msg and
//     comm_close;
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
// # Widgets
//
// A cell's widgets (display.Slider, NumberInput, Play, Dropdown,
// Checkbox, Button) are ipywidgets models, in ipywidgets' widget
// messaging protocol 2 (ipywidgets 7 and 8). Before the display_data
// that shows a control (its application/vnd.jupyter.widget-view+json
// names the model), the kernel publishes comm_open: target
// "jupyter.widget", comm id the model id (display.ModelID of the label),
// metadata {"version": "2.1.0"}, data {state, buffer_paths: []} with the
// model's whole state (FloatSliderModel, BoundedFloatTextModel,
// PlayModel, DropdownModel, CheckboxModel or ButtonModel of
// @jupyter-widgets/controls 2.0.0: description, value, min, max, step,
// _options_labels and index). A control shown again (its cell re-run, or
// the same label in another cell) updates the open model (comm_msg
// update) rather than opening a second one. On the shell socket the
// kernel takes, in order with the cells:
//
//   - comm_msg {method: "update", state}: the reader moved the control;
//     its value (a dropdown's index as its option) is what the cells that
//     run next read (Value, Index, Clicks); no reply, busy and idle;
//   - comm_msg {method: "request_state"}: answered on iopub with comm_msg
//     {method: "update", state} holding the whole state;
//   - comm_msg {method: "custom", content: {event: "click"}}: a button
//     press, one more Clicks;
//   - comm_info_request: comm_info_reply lists the open models (of
//     target_name, when given);
//   - comm_close: the model is forgotten (its messages are dropped, the
//     value stays);
//   - comm_open from the front end: closed at once (comm_close), whatever
//     its target — ipywidgets' jupyter.widget.control then falls back to
//     comm_info and request_state.
//
// What that gives in JupyterLab: with ipywidgets' front end installed
// (jupyterlab_widgets, which ipywidgets 8 brings), a widget output is a
// live control and moving it sets the value the next cells read; the
// cells that read it are not re-run automatically, as Firn's own
// notebook does — the user runs them. Without a widget front end, and in
// jupyter console or nbconvert, the output is its text/plain line
// ("ELA (m) = 3000 (slider from 2500 to 3500)").
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
