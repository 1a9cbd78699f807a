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
		done, writing := s.startWrite()
		if !writing {
			break
		}
		err := s.saveOutputs(x)
		done()
		if err != nil {
			// The kernel keeps running: its outputs exist nowhere else.
			errs = append(errs, fmt.Errorf("%s: not stopped: saving its outputs: %w", path, err))
			continue
		}
		if ok, _ := x.Idle(); !ok {
			continue // a cell came meanwhile
		}
		cause := fmt.Sprintf("stopped after %s idle (outputs saved)", idle.Round(time.Second))
		if _, err := s.sessions.CloseUnder(ctx, path, cause); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
		}
		s.logger.Info("idle kernel stopped", "path", path, "idle", now.Sub(since))
		culled = append(culled, path)
	}
	sort.Strings(culled)
	return culled, errors.Join(errs...)
}

// cellRun is what the replay buffer holds of a cell's last run.
type cellRun struct {
	count   *int
	outputs []*notebooks.Output
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
			}
		}
	}
}

// saveOutputs writes the outputs of x's cell runs into its notebook (the
// file's other contents kept). Nothing is written when no cell of the
// file ran in the session.
func (s *Server) saveOutputs(x *session.Session) error {
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
		changed = true
	}
	if !changed {
		return nil
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
