package jupyter

import (
	"regexp"
	"strings"
)

// history is the kernel's input history of this process (one session,
// number 1), as history_request reads it: the cells run with
// store_history, by execution count, with the text of their results.
type history struct {
	entries []historyEntry
}

type historyEntry struct {
	line   int
	input  string
	output *string // text/plain of the cell's execute_result, if any
}

// historySession is the number of the kernel's one session.
const historySession = 1

// historyRequest is the content of a history_request.
type historyRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        *int   `json:"session"`
	Start          int    `json:"start"`
	Stop           *int   `json:"stop"`
	N              *int   `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// maxHistory bounds the history kept.
const maxHistory = 10000

func (h *history) add(line int, input string, output *string) {
	h.entries = append(h.entries, historyEntry{line: line, input: input, output: output})
	if len(h.entries) > maxHistory {
		h.entries = h.entries[len(h.entries)-maxHistory:]
	}
}

// reply returns the history a request asks for: tuples (session, line,
// input), or (session, line, [input, output]) with output.
func (h *history) reply(req historyRequest) []any {
	var picked []historyEntry
	switch req.HistAccessType {
	case "tail":
		picked = last(h.entries, req.N)
	case "range":
		// Sessions count up from 1; 0 and negative numbers count back
		// from the current one. This process has one session.
		if req.Session != nil && *req.Session != historySession && *req.Session != 0 {
			break
		}
		for _, e := range h.entries {
			if e.line >= req.Start && (req.Stop == nil || e.line < *req.Stop) {
				picked = append(picked, e)
			}
		}
	case "search":
		re := globRegexp(req.Pattern)
		var found []historyEntry
		seen := map[string]bool{}
		for i := len(h.entries) - 1; i >= 0; i-- {
			e := h.entries[i]
			if !re.MatchString(e.input) || (req.Unique && seen[e.input]) {
				continue
			}
			seen[e.input] = true
			found = append(found, e)
		}
		for i, j := 0, len(found)-1; i < j; i, j = i+1, j-1 {
			found[i], found[j] = found[j], found[i]
		}
		picked = last(found, req.N)
	}
	out := make([]any, 0, len(picked))
	for _, e := range picked {
		var item any = e.input
		if req.Output {
			var o any
			if e.output != nil {
				o = *e.output
			}
			item = []any{e.input, o}
		}
		out = append(out, []any{historySession, e.line, item})
	}
	return out
}

// last returns the last n entries (all without n).
func last(es []historyEntry, n *int) []historyEntry {
	if n == nil || *n >= len(es) {
		return es
	}
	if *n <= 0 {
		return nil
	}
	return es[len(es)-*n:]
}

// globRegexp matches a whole input against a glob pattern, * and ? as
// wildcards (as IPython's history search does).
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}
