package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/firnglacier/firn/kernel/display"
	"github.com/firnglacier/firn/kernel/protocol"
)

// serverClient is the client's end of a kernel served in this process
// (Serve over a pair of pipes): it sends requests and reads everything
// the kernel sends for each, up to its idle status.
type serverClient struct {
	t    *testing.T
	conn *protocol.Conn
}

func serveInProcess(t *testing.T) *serverClient {
	t.Helper()
	kr, cw := io.Pipe() // client → kernel
	cr, kw := io.Pipe() // kernel → client
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, protocol.NewConn(kr, kw), ServerOptions{Workspace: t.TempDir()})
		kw.Close()
	}()
	c := &serverClient{t: t, conn: protocol.NewConn(cr, cw)}
	t.Cleanup(func() {
		cw.Close() // the kernel reads the end of its requests and returns
		go io.Copy(io.Discard, cr)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		cancel()
	})
	// The kernel is ready once it has started its interpreter (idle
	// without a parent).
	for {
		m := c.next()
		var st protocol.StatusContent
		_ = m.Decode(&st)
		if m.Type() == protocol.Status && st.ExecutionState == protocol.Idle {
			return c
		}
	}
}

func (c *serverClient) next() *protocol.Message {
	c.t.Helper()
	m, err := c.conn.Receive()
	if err != nil {
		c.t.Fatalf("reading the kernel: %v", err)
	}
	return m
}

// request sends a request and returns the kernel's messages for it, from
// its busy to its idle status (the reply, if any, among them).
func (c *serverClient) request(msgType string, content any) []*protocol.Message {
	c.t.Helper()
	m, err := protocol.New("test", protocol.Shell, msgType, nil, content)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.conn.Send(m); err != nil {
		c.t.Fatal(err)
	}
	var out []*protocol.Message
	for {
		r := c.next()
		if r.Parent() != m.Header.MsgID {
			continue
		}
		out = append(out, r)
		var st protocol.StatusContent
		_ = r.Decode(&st)
		if r.Type() == protocol.Status && st.ExecutionState == protocol.Idle {
			return out
		}
	}
}

// summary is one line per message: its type and what matters of it.
func summary(msgs []*protocol.Message) []string {
	var out []string
	for _, m := range msgs {
		var c map[string]any
		_ = json.Unmarshal(m.Content, &c)
		line := m.Channel + " " + m.Type()
		switch m.Type() {
		case protocol.Status:
			line += " " + c["execution_state"].(string)
		case protocol.ExecuteResult, protocol.DisplayData:
			d := c["data"].(map[string]any)
			line += " " + strings.TrimSpace(d["text/plain"].(string))
			if v, ok := d[display.JupyterWidgetViewMIME].(map[string]any); ok {
				line += " view:" + v["model_id"].(string)
			}
		case protocol.CommOpen:
			st := c["data"].(map[string]any)["state"].(map[string]any)
			line += " " + c["comm_id"].(string) + " " + c["target_name"].(string) + " " + st["_model_name"].(string) +
				" version:" + m.Metadata["version"].(string)
		case protocol.CommMsg, protocol.CommClose:
			line += " " + c["comm_id"].(string)
			if d, ok := c["data"].(map[string]any); ok && d["method"] != nil {
				line += " " + d["method"].(string)
			}
		case protocol.CommInfoReply, protocol.ExecuteReply:
			b, _ := json.Marshal(c)
			line += " " + string(b)
		}
		out = append(out, line)
	}
	return out
}

// commInfo is the content of a comm_info_reply listing widget comms.
func commInfo(ids ...string) string {
	comms := map[string]any{}
	for _, id := range ids {
		comms[id] = map[string]any{"target_name": "jupyter.widget"}
	}
	b, _ := json.Marshal(map[string]any{"status": "ok", "comms": comms})
	return string(b)
}

// commState is the state in a comm_open or comm_msg.
func commState(t *testing.T, msgs []*protocol.Message, msgType string) map[string]any {
	t.Helper()
	for _, m := range msgs {
		if m.Type() == msgType {
			var c protocol.CommMsgContent
			if err := m.Decode(&c); err != nil {
				t.Fatal(err)
			}
			st, _ := c.Data["state"].(map[string]any)
			return st
		}
	}
	t.Fatalf("no %s among %q", msgType, summary(msgs))
	return nil
}

// TestServerWidgetComms drives a kernel's widget comms as JupyterLab's
// widget front end does (ipywidgets' messaging protocol v2): a cell that
// shows a control opens its model (comm_open before the display_data
// that shows it), moving the control (comm_msg update) sets the value the
// next cells read, request_state gets the state back, comm_info lists the
// open models, a front end's comm is closed, and a closed comm is
// forgotten. Each step sees what the kernel sends for it, between its busy
// and idle.
func TestServerWidgetComms(t *testing.T) {
	c := serveInProcess(t)
	ela, kind, warm, go_ := display.ModelID("ELA (m)"), display.ModelID("kind"), display.ModelID("warmer"), display.ModelID("go")
	const cells = `ela := display.Slider("ELA (m)", 2500, 3500, 10, 3000)
kind := display.Dropdown("kind", []string{"linear", "cosine", "step"}, "linear")
warm := display.Checkbox("warmer", false)
run := display.Button("go")`
	steps := []struct {
		name    string
		msgType string
		content any
		want    []string
		check   func(t *testing.T, msgs []*protocol.Message)
	}{
		{
			name: "a cell shows controls: each model opened before its display", msgType: protocol.ExecuteRequest,
			content: protocol.ExecuteRequestContent{Code: cells},
			want: []string{
				"iopub status busy", "iopub execute_input",
				"iopub comm_open " + ela + " jupyter.widget FloatSliderModel version:2.1.0",
				"iopub display_data ELA (m) = 3000 (slider from 2500 to 3500) view:" + ela,
				"iopub comm_open " + kind + " jupyter.widget DropdownModel version:2.1.0",
				"iopub display_data kind = linear (one of linear, cosine, step) view:" + kind,
				"iopub comm_open " + warm + " jupyter.widget CheckboxModel version:2.1.0",
				"iopub display_data [ ] warmer view:" + warm,
				"iopub comm_open " + go_ + " jupyter.widget ButtonModel version:2.1.0",
				"iopub display_data [go] view:" + go_,
				`shell execute_reply {"execution_count":1,"status":"ok"}`, "iopub status idle",
			},
			check: func(t *testing.T, msgs []*protocol.Message) {
				st := commState(t, msgs, protocol.CommOpen)
				want := map[string]any{
					"_model_name": "FloatSliderModel", "_model_module": "@jupyter-widgets/controls", "_model_module_version": "2.0.0",
					"_view_name": "FloatSliderView", "_view_module": "@jupyter-widgets/controls", "_view_module_version": "2.0.0",
					"description": "ELA (m)", "value": 3000.0, "min": 2500.0, "max": 3500.0, "step": 10.0,
					"readout_format": ".0f", "continuous_update": false,
				}
				for k, v := range want {
					if !reflect.DeepEqual(st[k], v) {
						t.Errorf("the slider's state has %s = %#v, want %#v", k, st[k], v)
					}
				}
			},
		},
		{
			name: "comm_info lists the open models", msgType: protocol.CommInfoRequest,
			content: protocol.CommInfoRequestContent{TargetName: "jupyter.widget"},
			want:    []string{"iopub status busy", "shell comm_info_reply " + commInfo(ela, kind, warm, go_), "iopub status idle"},
		},
		{
			name: "comm_info of another target lists none", msgType: protocol.CommInfoRequest,
			content: protocol.CommInfoRequestContent{TargetName: "jupyter.widget.control"},
			want:    []string{"iopub status busy", `shell comm_info_reply {"comms":{},"status":"ok"}`, "iopub status idle"},
		},
		{
			name: "moving the slider: no reply", msgType: protocol.CommMsg,
			content: protocol.CommMsgContent{CommID: ela, Data: map[string]any{"method": "update", "state": map[string]any{"value": 2800}, "buffer_paths": []any{}}},
			want:    []string{"iopub status busy", "iopub status idle"},
		},
		{
			name: "choosing an option, ticking the box, pressing the button twice", msgType: protocol.CommMsg,
			content: protocol.CommMsgContent{CommID: kind, Data: map[string]any{"method": "update", "state": map[string]any{"index": 2}}},
			want:    []string{"iopub status busy", "iopub status idle"},
		},
		{
			msgType: protocol.CommMsg,
			content: protocol.CommMsgContent{CommID: warm, Data: map[string]any{"method": "update", "state": map[string]any{"value": true}}},
			want:    []string{"iopub status busy", "iopub status idle"},
		},
		{
			msgType: protocol.CommMsg,
			content: protocol.CommMsgContent{CommID: go_, Data: map[string]any{"method": "custom", "content": map[string]any{"event": "click"}}},
			want:    []string{"iopub status busy", "iopub status idle"},
		},
		{
			msgType: protocol.CommMsg,
			content: protocol.CommMsgContent{CommID: go_, Data: map[string]any{"method": "custom", "content": map[string]any{"event": "click"}}},
			want:    []string{"iopub status busy", "iopub status idle"},
		},
		{
			name: "the next cell reads the front end's values", msgType: protocol.ExecuteRequest,
			content: protocol.ExecuteRequestContent{Code: `fmt.Sprint(ela.Value(), " ", kind.Value(), " ", warm.Value(), " ", run.Clicks())`},
			want: []string{"iopub status busy", "iopub execute_input", `iopub execute_result "2800 step true 2"`,
				`shell execute_reply {"execution_count":2,"status":"ok"}`, "iopub status idle"},
		},
		{
			name: "request_state: the whole state, with the value moved", msgType: protocol.CommMsg,
			content: protocol.CommMsgContent{CommID: ela, Data: map[string]any{"method": "request_state"}},
			want:    []string{"iopub status busy", "iopub comm_msg " + ela + " update", "iopub status idle"},
			check: func(t *testing.T, msgs []*protocol.Message) {
				st := commState(t, msgs, protocol.CommMsg)
				if st["value"] != 2800.0 || st["_model_name"] != "FloatSliderModel" || st["description"] != "ELA (m)" {
					t.Errorf("request_state's update has state %v", st)
				}
			},
		},
		{
			name: "showing the slider again updates its model", msgType: protocol.ExecuteRequest,
			content: protocol.ExecuteRequestContent{Code: `display.Slider("ELA (m)", 2000, 4000, 50, 3000)`},
			want: []string{"iopub status busy", "iopub execute_input", "iopub comm_msg " + ela + " update",
				"iopub display_data ELA (m) = 2800 (slider from 2000 to 4000) view:" + ela, "iopub execute_result ELA (m) = 2800",
				`shell execute_reply {"execution_count":3,"status":"ok"}`, "iopub status idle"},
			check: func(t *testing.T, msgs []*protocol.Message) {
				st := commState(t, msgs, protocol.CommMsg)
				if st["min"] != 2000.0 || st["max"] != 4000.0 || st["value"] != 2800.0 {
					t.Errorf("the update has state %v", st)
				}
			},
		},
		{
			name: "a front end's comm to a target the kernel has not is closed", msgType: protocol.CommOpen,
			content: protocol.CommOpenContent{CommID: "c0ffee", TargetName: "jupyter.widget.control", Data: map[string]any{}},
			want:    []string{"iopub status busy", "iopub comm_close c0ffee", "iopub status idle"},
		},
		{
			name: "the front end closes the slider's comm", msgType: protocol.CommClose,
			content: protocol.CommMsgContent{CommID: ela, Data: map[string]any{}},
			want:    []string{"iopub status busy", "iopub status idle"},
		},
		{
			name: "a closed comm's messages change nothing", msgType: protocol.CommMsg,
			content: protocol.CommMsgContent{CommID: ela, Data: map[string]any{"method": "update", "state": map[string]any{"value": 2600}}},
			want:    []string{"iopub status busy", "iopub status idle"},
		},
		{
			msgType: protocol.ExecuteRequest, content: protocol.ExecuteRequestContent{Code: `ela.Value()`},
			want: []string{"iopub status busy", "iopub execute_input", "iopub execute_result 2800",
				`shell execute_reply {"execution_count":4,"status":"ok"}`, "iopub status idle"},
		},
		{
			name: "comm_info without a target: the models still open", msgType: protocol.CommInfoRequest,
			content: protocol.CommInfoRequestContent{},
			want:    []string{"iopub status busy", "shell comm_info_reply " + commInfo(kind, warm, go_), "iopub status idle"},
		},
	}
	for i, s := range steps {
		name := s.name
		if name == "" {
			name = fmt.Sprintf("step %d", i+1)
		}
		msgs := c.request(s.msgType, s.content)
		got := summary(msgs)
		if !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s: the kernel sent\n\t%s\nwant\n\t%s", name, strings.Join(got, "\n\t"), strings.Join(s.want, "\n\t"))
			continue
		}
		if s.check != nil {
			s.check(t, msgs)
		}
	}
}
