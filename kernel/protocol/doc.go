// Package protocol is the kernel protocol of Firn: Jupyter's message
// semantics (messaging spec 5.3) carried as newline-delimited JSON over
// any byte stream — a pipe between the notebook server and a kernel
// process, later a websocket to a remote worker or the browser.
//
// Every message is one JSON object on one line:
//
//	{"header":{"msg_id":"…","session":"…","msg_type":"execute_request","version":"5.3","date":"…","username":"firn"},
//	 "parent_header":{…},"metadata":{},"content":{…},"channel":"shell"}
//
// Channels keep Jupyter's meaning: "shell" carries requests and their
// replies, "control" carries interrupt and shutdown (handled even while a
// cell runs), "iopub" carries everything a kernel publishes (status,
// streams, displays, results, errors). A reply's and every published
// message's parent_header is the header of the request it answers, so a
// client knows which cell an output belongs to, even when it arrives late
// (a goroutine started by an earlier cell).
//
// # Messages
//
// Requests (client → kernel) and replies (kernel → client):
//
//	msg_type            channel  content
//	execute_request     shell    code, silent, store_history, allow_stdin, stop_on_error
//	execute_reply       shell    status ("ok", "error", "aborted"), execution_count; on error ename, evalue, traceback
//	complete_request    shell    code, cursor_pos (in Unicode code points)
//	complete_reply      shell    status, matches, cursor_start, cursor_end, metadata
//	inspect_request     shell    code, cursor_pos, detail_level
//	inspect_reply       shell    status, found, data (a MIME bundle), metadata
//	kernel_info_request shell    (empty)
//	kernel_info_reply   shell    protocol_version, implementation, implementation_version, language_info, banner, help_links, status
//	interrupt_request   control  (empty)
//	interrupt_reply     control  status
//	shutdown_request    control  restart
//	shutdown_reply      control  status, restart
//	comm_info_request   shell    target_name (optional)
//	comm_info_reply     shell    status, comms ({comm_id: {target_name}})
//	comm_msg            shell    comm_id, data (no reply)
//	comm_close          shell    comm_id, data (no reply)
//	comm_open           shell    comm_id, target_name, data (the kernel closes it: it has no targets)
//
// Published (kernel → client, channel iopub):
//
//	msg_type              content
//	status                execution_state: "starting", "busy", "idle"
//	execute_input         code, execution_count
//	stream                name ("stdout", "stderr"), text
//	display_data          data (MIME bundle), metadata, transient.display_id
//	update_display_data   data, metadata, transient.display_id (replaces the display with that id)
//	execute_result        execution_count, data, metadata (the value of a cell's last expression)
//	error                 ename, evalue, traceback (lines)
//	comm_open             comm_id, target_name, data; metadata.version (a widget's model)
//	comm_msg              comm_id, data (a widget's state update)
//	comm_close            comm_id, data
//
// # Widgets
//
// A cell's widgets (kernel/display: Slider, Dropdown…) are ipywidgets
// models on comms of target "jupyter.widget" (WidgetTarget), in
// ipywidgets' widget messaging protocol 2: the kernel opens one per
// control before the display_data that shows it, with the model's whole
// state (Widget.State); a front end's comm_msg {method: "update", state}
// sets the value cells read (Widget.ValueOf), {method: "request_state"}
// is answered with an update holding the whole state. Firn's own notebook
// sends the values instead with each execute_request, in its
// firn_widgets field (label → value), which WidgetValues reads from a
// notebook's saved widget state.
//
// MIME bundles map a MIME type to its data: text types as strings,
// image/png as base64, application/json as JSON (see kernel/display).
//
// The metadata of a complete_reply has, under "_jupyter_types_experimental"
// (CompletionTypesKey, as IPython sends it), one object per match:
// start, end, text, type ("function", "method", "type", "variable",
// "constant", "field", "package", "keyword"), signature, and Firn's own
// doc (the first sentence of the doc comment, when there is one).
//
// Errors in Firn's cells carry the cell and line: ename is the kind
// ("CompileError", "SyntaxError", "panic", "Interrupted", "MemoryLimit",
// "KernelDied", "StackOverflow"; for a cell whose value is an error, the
// error's type, as "*errors.errorString"), evalue the one-line message,
// traceback the message, the offending source line with a caret, and for
// panics the functions the panic unwound.
//
// The codec (Conn) is safe for one reader and many writers.
package protocol
