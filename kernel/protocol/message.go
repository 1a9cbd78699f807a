package protocol

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Version is the Jupyter messaging protocol version Firn follows.
const Version = "5.3"

// Channels.
const (
	Shell   = "shell"
	Control = "control"
	IOPub   = "iopub"
)

// Message types.
const (
	ExecuteRequest    = "execute_request"
	ExecuteReply      = "execute_reply"
	CompleteRequest   = "complete_request"
	CompleteReply     = "complete_reply"
	InspectRequest    = "inspect_request"
	InspectReply      = "inspect_reply"
	KernelInfoRequest = "kernel_info_request"
	KernelInfoReply   = "kernel_info_reply"
	InterruptRequest  = "interrupt_request"
	InterruptReply    = "interrupt_reply"
	ShutdownRequest   = "shutdown_request"
	ShutdownReply     = "shutdown_reply"
	Status            = "status"
	ExecuteInput      = "execute_input"
	Stream            = "stream"
	DisplayData       = "display_data"
	UpdateDisplayData = "update_display_data"
	ExecuteResult     = "execute_result"
	Error             = "error"

	// Comms (the messaging spec's custom messages): either side opens a
	// comm to a target, both send on it, either closes it. Firn's kernel
	// opens one per widget (target WidgetTarget).
	CommOpen        = "comm_open"
	CommMsg         = "comm_msg"
	CommClose       = "comm_close"
	CommInfoRequest = "comm_info_request"
	CommInfoReply   = "comm_info_reply"
)

// Execution states published in status messages.
const (
	Starting = "starting"
	Busy     = "busy"
	Idle     = "idle"
)

// Header identifies a message.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one protocol message.
type Message struct {
	Header       Header          `json:"header"`
	ParentHeader *Header         `json:"parent_header"`
	Metadata     map[string]any  `json:"metadata"`
	Content      json.RawMessage `json:"content"`
	Channel      string          `json:"channel"`
}

// NewID returns a random message or session id.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux, macOS or Windows
	}
	return hex.EncodeToString(b[:])
}

// New returns a message of the given type and channel with content
// (marshalled to JSON), answering parent (nil for a request).
func New(session, channel, msgType string, parent *Header, content any) (*Message, error) {
	raw, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("protocol: %s content: %w", msgType, err)
	}
	return &Message{
		Header: Header{
			MsgID: NewID(), Session: session, Username: "firn", MsgType: msgType, Version: Version,
			Date: time.Now().UTC().Format(time.RFC3339Nano),
		},
		ParentHeader: parent,
		Metadata:     map[string]any{},
		Content:      raw,
		Channel:      channel,
	}, nil
}

// Type is the message's msg_type.
func (m *Message) Type() string { return m.Header.MsgType }

// Parent is the msg_id of the request the message answers ("" if none).
func (m *Message) Parent() string {
	if m.ParentHeader == nil {
		return ""
	}
	return m.ParentHeader.MsgID
}

// Decode unmarshals the message's content into v.
func (m *Message) Decode(v any) error {
	if len(m.Content) == 0 {
		return nil
	}
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("protocol: %s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// Bundle is a MIME bundle: MIME type → data (strings for text types,
// base64 for images, any JSON value for application/json).
type Bundle map[string]any

// Content of the messages, as in Jupyter's messaging spec.
type (
	// ExecuteRequestContent asks the kernel to run code.
	ExecuteRequestContent struct {
		Code         string `json:"code"`
		Silent       bool   `json:"silent"`
		StoreHistory bool   `json:"store_history"`
		AllowStdin   bool   `json:"allow_stdin"`
		StopOnError  bool   `json:"stop_on_error"`
		// Widgets are the values the reader chose for the notebook's
		// widgets, by label (Firn's extension; Jupyter's clients leave
		// it out and move widgets with comm messages instead).
		Widgets map[string]any `json:"firn_widgets,omitempty"`
		// Live marks a run made while a widget moves (Firn's extension):
		// figures are rendered for the page only (display.RenderQuick).
		Live bool `json:"firn_live,omitempty"`
	}
	// ExecuteReplyContent answers an execute request.
	ExecuteReplyContent struct {
		Status         string   `json:"status"`
		ExecutionCount int      `json:"execution_count"`
		EName          string   `json:"ename,omitempty"`
		EValue         string   `json:"evalue,omitempty"`
		Traceback      []string `json:"traceback,omitempty"`
	}
	// StatusContent reports the kernel's execution state.
	StatusContent struct {
		ExecutionState string `json:"execution_state"`
	}
	// ExecuteInputContent rebroadcasts the code being run.
	ExecuteInputContent struct {
		Code           string `json:"code"`
		ExecutionCount int    `json:"execution_count"`
	}
	// StreamContent is text written to stdout or stderr.
	StreamContent struct {
		Name string `json:"name"`
		Text string `json:"text"`
	}
	// Transient holds the display id of a display.
	Transient struct {
		DisplayID string `json:"display_id,omitempty"`
	}
	// DisplayDataContent shows (or, in update_display_data, replaces) a display.
	DisplayDataContent struct {
		Data      Bundle         `json:"data"`
		Metadata  map[string]any `json:"metadata"`
		Transient *Transient     `json:"transient,omitempty"`
	}
	// ExecuteResultContent is the value of a cell's last expression.
	ExecuteResultContent struct {
		ExecutionCount int            `json:"execution_count"`
		Data           Bundle         `json:"data"`
		Metadata       map[string]any `json:"metadata"`
	}
	// ErrorContent describes a failed cell.
	ErrorContent struct {
		EName     string   `json:"ename"`
		EValue    string   `json:"evalue"`
		Traceback []string `json:"traceback"`
	}
	// CompleteRequestContent asks for completions at a cursor (code points).
	CompleteRequestContent struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	// CompleteReplyContent lists completions replacing
	// code[CursorStart:CursorEnd]; Metadata[CompletionTypesKey] describes
	// them (see the package doc).
	CompleteReplyContent struct {
		Status      string         `json:"status"`
		Matches     []string       `json:"matches"`
		CursorStart int            `json:"cursor_start"`
		CursorEnd   int            `json:"cursor_end"`
		Metadata    map[string]any `json:"metadata"`
	}
	// InspectRequestContent asks for the documentation of the name at a cursor.
	InspectRequestContent struct {
		Code        string `json:"code"`
		CursorPos   int    `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	// InspectReplyContent is the documentation found.
	InspectReplyContent struct {
		Status   string         `json:"status"`
		Found    bool           `json:"found"`
		Data     Bundle         `json:"data"`
		Metadata map[string]any `json:"metadata"`
	}
	// LanguageInfo describes the kernel's language.
	LanguageInfo struct {
		Name           string `json:"name"`
		Version        string `json:"version"`
		MIMEType       string `json:"mimetype"`
		FileExtension  string `json:"file_extension"`
		PygmentsLexer  string `json:"pygments_lexer"`
		CodemirrorMode string `json:"codemirror_mode"`
	}
	// HelpLink is a link shown in a frontend's help menu.
	HelpLink struct {
		Text string `json:"text"`
		URL  string `json:"url"`
	}
	// KernelInfoReplyContent describes the kernel.
	KernelInfoReplyContent struct {
		Status                string       `json:"status"`
		ProtocolVersion       string       `json:"protocol_version"`
		Implementation        string       `json:"implementation"`
		ImplementationVersion string       `json:"implementation_version"`
		LanguageInfo          LanguageInfo `json:"language_info"`
		Banner                string       `json:"banner"`
		HelpLinks             []HelpLink   `json:"help_links"`
	}
	// ShutdownContent asks for (and confirms) a shutdown.
	ShutdownContent struct {
		Status  string `json:"status,omitempty"`
		Restart bool   `json:"restart"`
	}
	// CommOpenContent opens a comm (comm_open, shell from a frontend,
	// iopub from the kernel); Metadata of the message carries the
	// target's protocol version.
	CommOpenContent struct {
		CommID     string         `json:"comm_id"`
		TargetName string         `json:"target_name"`
		Data       map[string]any `json:"data"`
	}
	// CommMsgContent is a message on a comm (comm_msg), and the content
	// of comm_close.
	CommMsgContent struct {
		CommID string         `json:"comm_id"`
		Data   map[string]any `json:"data"`
	}
	// CommInfoRequestContent asks for the open comms, of one target when
	// TargetName is set.
	CommInfoRequestContent struct {
		TargetName string `json:"target_name,omitempty"`
	}
	// CommInfo describes an open comm.
	CommInfo struct {
		TargetName string `json:"target_name"`
	}
	// CommInfoReplyContent lists the open comms by id.
	CommInfoReplyContent struct {
		Status string              `json:"status"`
		Comms  map[string]CommInfo `json:"comms"`
	}
	// StatusOnly is the content of replies that carry only a status.
	StatusOnly struct {
		Status string `json:"status"`
	}
)

// CompletionTypesKey is the key of a complete_reply's metadata that
// describes each match (IPython's experimental completion types).
const CompletionTypesKey = "_jupyter_types_experimental"
