package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/firnglacier/firn/app/internal/session"
	"github.com/firnglacier/firn/app/internal/workspace"
	"github.com/firnglacier/firn/notebooks"
)

// CullIdle stops the kernels of the sessions whose kernel has been idle
// (no cell running or queued, no request) for longer than idle, by
// Options.Now. Before it stops one, it writes into the notebook the
// outputs and execution counts of the cells the session ran (those whose
// run is still in its replay buffer), as a save from the browser would,
// so that nothing run while no browser was connected is lost. The
// session ends with the cause "stopped after CAUSE idle"; the paths of
// the notebooks whose kernels were stopped are returned, sorted.
func (s *Server) CullIdle(ctx context.Context, idle time.Duration) ([]string, error) {
	now := s.now()
	var culled []string
	var errs []error
	for _, x := range s.sessions.List() {
		ok, since := x.Idle()
		if !ok || now.Sub(since) <= idle {
			continue
		}
		path := x.Path()
		cause := fmt.Sprintf("stopped after %s idle (outputs saved)", idle.Round(time.Second))
		stopped, err := s.stopSession(ctx, x, cause, true)
		if errors.Is(err, errShuttingDown) {
			break
		}
		if err != nil {
			errs = append(errs, err)
		}
		if !stopped {
			continue
		}
		s.logger.Info("idle kernel stopped", "path", path, "idle", now.Sub(since))
		culled = append(culled, path)
	}
	sort.Strings(culled)
	return culled, errors.Join(errs...)
}

// errShuttingDown: the server is shutting down, nothing more is written.
var errShuttingDown = errors.New("the server is shutting down")

// stopSession writes the outputs of the cells x ran into its notebook
// (as CullIdle does) and then stops its kernel, ending the session with
// cause; onlyIdle leaves it running if a cell came meanwhile. It reports
// whether it stopped the kernel. A kernel whose outputs cannot be saved
// keeps running: they exist nowhere else.
func (s *Server) stopSession(ctx context.Context, x *session.Session, cause string, onlyIdle bool) (bool, error) {
	path := x.Path()
	done, writing := s.startWrite()
	if !writing {
		return false, errShuttingDown
	}
	err := s.saveOutputs(x, cause)
	done()
	if err != nil {
		return false, fmt.Errorf("%s: not stopped: saving its outputs: %w", path, err)
	}
	if ok, _ := x.Idle(); onlyIdle && !ok {
		return false, nil // a cell came meanwhile
	}
	if _, err := s.sessions.CloseUnder(ctx, path, cause); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// RunningKernel is a notebook's kernel, as an admin sees it.
type RunningKernel struct {
	Session string
	Path    string // the notebook, in the workspace
	State   string // starting, idle, busy, restarting, dead
	Pid     int    // its process on this machine (0: none, or not here)
	// Idle reports that no cell runs or waits; IdleSince is since when
	// (the last activity).
	Idle      bool
	IdleSince time.Time
}

// Kernels lists the kernels of the server's notebooks, by path.
func (s *Server) Kernels() []RunningKernel {
	var out []RunningKernel
	for _, x := range s.sessions.List() {
		info := x.Info()
		idle, since := x.Idle()
		out = append(out, RunningKernel{Session: info.ID, Path: info.Path, State: info.Kernel.State, Pid: info.Kernel.Pid, Idle: idle, IdleSince: since})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// StopKernel stops the kernel of session id, as CullIdle stops an idle
// one: the outputs of its cells are written into the notebook first, and
// the notebook's page says why it stopped (cause). A cell running is
// interrupted by the stop. It reports false for an unknown session.
func (s *Server) StopKernel(ctx context.Context, id, cause string) (bool, error) {
	x := s.sessions.Get(id)
	if x == nil {
		return false, nil
	}
	ok, err := s.stopSession(ctx, x, cause, false)
	if err == nil {
		s.logger.Info("kernel stopped", "path", x.Path(), "cause", cause)
	}
	return ok, err
}

// cellRun is what the replay buffer holds of a cell's last run.
type cellRun struct {
	count   *int
	outputs []*notebooks.Output
	ended   bool // its execute_reply is in the buffer
}

// runsOf reads a session's frames: the last run of each cell whose
// execute_input is still in the buffer.
func runsOf(x *session.Session) map[string]*cellRun {
	runs := map[string]*cellRun{}
	var since int64
	for {
		b, _, _ := x.Log().Read(since, 1024)
		if len(b.Frames) == 0 {
			return runs
		}
		since = b.Last
		for _, raw := range b.Frames {
			var f struct {
				Type   string `json:"type"`
				CellID string `json:"cell_id"`
				Msg    struct {
					Header struct {
						MsgType string `json:"msg_type"`
					} `json:"header"`
					Content json.RawMessage `json:"content"`
				} `json:"msg"`
			}
			if json.Unmarshal(raw, &f) != nil || f.Type != "message" || f.CellID == "" {
				continue
			}
			var c struct {
				ExecutionCount *int              `json:"execution_count"`
				Name           string            `json:"name"`
				Text           string            `json:"text"`
				Data           map[string]any    `json:"data"`
				Metadata       map[string]any    `json:"metadata"`
				EName          string            `json:"ename"`
				EValue         string            `json:"evalue"`
				Traceback      []string          `json:"traceback"`
				Transient      map[string]string `json:"transient"`
			}
			if json.Unmarshal(f.Msg.Content, &c) != nil {
				continue
			}
			if f.Msg.Header.MsgType == "execute_input" {
				runs[f.CellID] = &cellRun{count: c.ExecutionCount}
				continue
			}
			r := runs[f.CellID]
			if r == nil {
				continue // its start is gone from the buffer
			}
			meta := c.Metadata
			if meta == nil {
				meta = map[string]any{}
			}
			switch f.Msg.Header.MsgType {
			case "stream":
				if n := len(r.outputs); n > 0 && r.outputs[n-1].Type == notebooks.Stream && r.outputs[n-1].Name == c.Name {
					r.outputs[n-1].Text += c.Text
				} else {
					r.outputs = append(r.outputs, &notebooks.Output{Type: notebooks.Stream, Name: c.Name, Text: c.Text})
				}
			case "display_data":
				r.outputs = append(r.outputs, &notebooks.Output{Type: notebooks.DisplayData, Data: notebooks.MIMEBundle(c.Data), Metadata: meta})
			case "execute_result":
				r.outputs = append(r.outputs, &notebooks.Output{Type: notebooks.ExecuteResult, Data: notebooks.MIMEBundle(c.Data), Metadata: meta, ExecutionCount: c.ExecutionCount})
			case "error":
				r.outputs = append(r.outputs, &notebooks.Output{Type: notebooks.Error, EName: c.EName, EValue: c.EValue, Traceback: c.Traceback})
			case "clear_output":
				r.outputs = nil
			case "execute_reply":
				r.ended = true
			}
		}
	}
}

// saveOutputs writes the outputs of x's cell runs into its notebook (the
// file's other contents kept). Nothing is written when no cell of the
// file ran in the session. A cell still running gets, after its output
// so far, an error output KernelStopped saying why (stopped) it ended
// there, and the notebook's metadata.firn.kernel_stopped says why and
// when ({"cause", "at"}), for the page to tell the reader.
func (s *Server) saveOutputs(x *session.Session, stopped string) error {
	runs := runsOf(x)
	if len(runs) == 0 {
		return nil
	}
	path := x.Path()
	doc, err := s.ws.ReadNotebook(path)
	if err != nil {
		return err
	}
	if len(doc.Damage) > 0 || doc.KernelMismatch != "" {
		return fmt.Errorf("the file is damaged or not Firn's: left as it is")
	}
	nb, err := notebooks.Read(bytes.NewReader(doc.JSON), path)
	if err != nil {
		return err
	}
	changed := false
	for _, c := range nb.Cells {
		r := runs[c.ID]
		if c.Type != notebooks.Code || r == nil {
			continue
		}
		c.ExecutionCount, c.Outputs = r.count, r.outputs
		if !r.ended && stopped != "" {
			msg := "the kernel was stopped while this cell ran (" + stopped + "): its output up to then is above; run it again"
			c.Outputs = append(c.Outputs, &notebooks.Output{Type: notebooks.Error, EName: "KernelStopped", EValue: msg, Traceback: []string{"KernelStopped: " + msg}})
		}
		changed = true
	}
	if !changed {
		return nil
	}
	if stopped != "" {
		// The notebook says why its kernel (and its variables) went:
		// the page tells whoever opens it next (metadata.firn.kernel_stopped).
		firn, _ := nb.Metadata["firn"].(map[string]any)
		if firn == nil {
			firn = map[string]any{}
		}
		firn["kernel_stopped"] = map[string]any{"cause": stopped, "at": s.now().UTC().Format(time.RFC3339)}
		if nb.Metadata == nil {
			nb.Metadata = map[string]any{}
		}
		nb.Metadata["firn"] = firn
	}
	var buf bytes.Buffer
	if err := nb.Write(&buf); err != nil {
		return err
	}
	saved, err := s.ws.WriteNotebook(path, buf.Bytes(), doc.ETag, workspace.WriteOptions{})
	if err != nil {
		return err
	}
	x.Saved(saved.ETag)
	return nil
}
