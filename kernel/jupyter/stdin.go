package jupyter

import "time"

// stdinPoll is how often the carrier looks for a cell waiting for input
// while the cell runs (the first look comes after one period, so quick
// cells are never looked at).
const stdinPoll = 15 * time.Millisecond

// watchStdin serves the standard input of the running cell r until stop
// is closed: each read that waits gets a line from the frontend
// (input_request, input_reply) when r allows stdin, or end of file.
func (c *Carrier) watchStdin(r *route, stop <-chan struct{}) {
	allow := r.exec != nil && r.exec.allowStdin
	t := time.NewTicker(stdinPoll)
	defer t.Stop()
	var served reader // the read last answered
	answered, looked := false, false
	for {
		select {
		case <-stop:
			// A read still waiting belongs to a cell that has ended (an
			// interrupted cell leaves its goroutine behind): end it, so
			// that it does not take the next cell's input. The look costs
			// a read of /proc per thread, about as much as a trivial
			// cell: a cell that ended before the first look is not
			// looked at (a goroutine it left reading is answered with
			// the next cell that reads).
			if !looked {
				return
			}
			if w, ok := c.in.waiting(); ok && !(answered && c.in.same(served, w)) {
				_ = c.in.eof()
			}
			return
		case <-t.C:
			looked = true
		}
		w, ok := c.in.waiting()
		if !ok || answered && c.in.same(served, w) {
			continue
		}
		if !allow {
			_ = c.in.eof()
			served, answered = w, true
			continue
		}
		value, ok := c.askInput(r, stop)
		if !ok {
			continue // the cell ended first
		}
		if err := c.in.line(value); err != nil {
			c.logf("standard input: %v", err)
		}
		served, answered = w, true
	}
}

// askInput sends an input_request for r and waits for its reply.
func (c *Carrier) askInput(r *route, stop <-chan struct{}) (string, bool) {
	m, err := c.newMessage(r, Stdin, InputRequest, map[string]any{"prompt": "", "password": false})
	if err != nil {
		return "", false
	}
	// Replies to earlier requests are stale.
drain:
	for {
		select {
		case <-c.inputs:
		default:
			break drain
		}
	}
	c.sendTo(r, m)
	for {
		select {
		case <-stop:
			return "", false
		case reply := <-c.inputs:
			// jupyter_client's KernelClient.input, which jupyter console
			// and nbclient use, sends its reply with no parent: the
			// reply to the one request waiting. A reply to another
			// request is stale.
			if p := reply.Parent(); p != "" && p != m.Header.MsgID {
				continue
			}
			var content struct {
				Value string `json:"value"`
			}
			_ = reply.Decode(&content)
			return content.Value, true
		}
	}
}
