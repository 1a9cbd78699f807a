package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/firnglacier/firn/app/internal/session"
	"github.com/firnglacier/firn/app/internal/workspace"
	"github.com/firnglacier/firn/kernel/protocol"
)

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	out := []session.Info{}
	for _, x := range s.sessions.List() {
		out = append(out, x.Info())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Path string `json:"path"`
	}
	if !decodeJSON(w, r, 1<<20, &body) {
		return
	}
	p, err := s.ws.Resolve(body.Path)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !workspace.IsNotebook(p) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("session for %q: not a notebook (.ipynb or .go)", body.Path))
		return
	}
	// A notebook for another language is not run as Go.
	doc, err := s.ws.ReadNotebook(p)
	switch {
	case err == nil && doc.KernelMismatch != "":
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("%s: %s Firn starts no kernel for it; its stored outputs are kept.", p, doc.KernelMismatch))
		return
	case err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, workspace.ErrInvalid):
		s.fail(w, r, err)
		return
	}
	// The kernel the notebook asks for (metadata.firn.kernel), or the
	// default with a note saying why not.
	choice, launcher, note := s.kernelFor(p, doc.JSON)
	if s.sessions.ByPath(p) == nil {
		if err := s.makeRoom(r.Context()); err != nil {
			s.fail(w, r, fmt.Errorf("open %s: %w", p, err))
			return
		}
	}
	x, created, err := s.sessions.OpenWith(p, choice.Name, launcher)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		if doc.ETag != "" {
			x.SetETag(doc.ETag) // the version its frames belong to
		}
		s.logger.Info("session started", "session", x.ID(), "path", p, "kernel", x.Info().Kernel.Spec)
		if note != "" {
			s.logger.Warn("kernel of the notebook", "path", p, "note", note)
		}
	}
	if note == "" {
		writeJSON(w, status, x.Info())
		return
	}
	writeJSON(w, status, struct {
		session.Info
		KernelNote string `json:"kernel_note"`
	}{x.Info(), note})
}

// session finds the session of the request's {id}, or answers 404.
func (s *Server) session(w http.ResponseWriter, r *http.Request) *session.Session {
	x := s.sessions.Get(r.PathValue("id"))
	if x == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no session %q", r.PathValue("id")))
	}
	return x
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	if x := s.session(w, r); x != nil {
		writeJSON(w, http.StatusOK, x.Info())
	}
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	ok, err := s.sessions.Close(r.Context(), r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no session %q", r.PathValue("id")))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) interruptSession(w http.ResponseWriter, r *http.Request) {
	x := s.session(w, r)
	if x == nil {
		return
	}
	if err := x.Interrupt(); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x.Info())
}

func (s *Server) restartSession(w http.ResponseWriter, r *http.Request) {
	x := s.session(w, r)
	if x == nil {
		return
	}
	if err := x.Restart(r.Context()); err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, x.Info())
}

// Websocket timing.
const (
	writeWait  = 10 * time.Second
	pingPeriod = 30 * time.Second
	pongWait   = 2 * pingPeriod
	// maxClientFrame bounds a frame from the browser (a cell's code).
	maxClientFrame = 16 << 20
	// batch is how many frames a client is sent before the log is read
	// again.
	batch = 256
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  16 << 10,
	WriteBufferSize: 64 << 10,
	// requireAuth has checked the origin (and answered 403 with a JSON
	// error); the upgrader's own check would only repeat it.
	CheckOrigin: func(*http.Request) bool { return true },
}

// clientFrame is a frame from the browser.
type clientFrame struct {
	Type        string `json:"type"`
	MsgID       string `json:"msg_id"`
	CellID      string `json:"cell_id"`
	Code        string `json:"code"`
	CursorPos   int    `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
	// Widgets are the values of the notebook's widgets, by label, sent
	// with an execute frame.
	Widgets map[string]any `json:"widgets,omitempty"`
	// Live marks an execute frame sent while a widget moves (figures for
	// the page only).
	Live bool `json:"live,omitempty"`
}

// serveWebsocket is GET /api/sessions/{id}/ws?since=SEQ.
func (s *Server) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	x := s.session(w, r)
	if x == nil {
		return
	}
	var since int64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("since=%q: want a frame seq (0 or more)", v))
			return
		}
		since = n
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	log := s.logger.With("session", x.ID(), "remote", r.RemoteAddr)
	log.Info("client connected", "since", since)
	defer conn.Close()
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	go func() {
		defer cancel()
		s.readClient(conn, x, log)
	}()
	err = s.writeClient(ctx, conn, x, since)
	log.Info("client disconnected", "err", err)
}

// readClient handles the client's frames until the connection ends.
func (s *Server) readClient(conn *websocket.Conn, x *session.Session, log interface {
	Warn(string, ...any)
}) {
	conn.SetReadLimit(maxClientFrame)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(pongWait))
		var f clientFrame
		if err := json.Unmarshal(data, &f); err != nil {
			log.Warn("bad client frame", "err", err)
			continue
		}
		switch f.Type {
		case "execute":
			x.Execute(f.MsgID, f.CellID, f.Code, session.ExecuteOptions{Widgets: f.Widgets, Live: f.Live})
		case "complete":
			x.Query(f.MsgID, protocol.CompleteRequest, protocol.CompleteRequestContent{Code: f.Code, CursorPos: f.CursorPos})
		case "inspect":
			x.Query(f.MsgID, protocol.InspectRequest, protocol.InspectRequestContent{Code: f.Code, CursorPos: f.CursorPos, DetailLevel: f.DetailLevel})
		case "interrupt":
			if err := x.Interrupt(); err != nil {
				log.Warn("interrupt", "err", err)
			}
		case "restart":
			go func() {
				if err := x.Restart(s.ctx); err != nil {
					log.Warn("restart", "err", err)
				}
			}()
		default:
			log.Warn("unknown client frame", "type", f.Type)
		}
	}
}

// writeClient sends the session's frames after since, replayed and then
// live, until the connection or the session ends.
func (s *Server) writeClient(ctx context.Context, conn *websocket.Conn, x *session.Session, since int64) error {
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		b, wait, closed := x.Log().Read(since, batch)
		_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
		if b.Gap {
			if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"seq":`+strconv.FormatInt(b.GapSeq, 10)+`,"type":"gap"}`)); err != nil {
				return err
			}
		}
		for _, f := range b.Frames {
			if err := conn.WriteMessage(websocket.TextMessage, f); err != nil {
				return err
			}
		}
		since = b.Last
		if len(b.Frames) > 0 {
			continue
		}
		if closed {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "session closed")
			return conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait))
		}
		select {
		case <-wait:
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return err
			}
		case <-ctx.Done():
			why := "server shutting down"
			if s.ctx.Err() == nil {
				// The reader ended: the client closed its side, or
				// answered no ping for pongWait.
				why = "the client closed, or answered no ping for " + pongWait.String()
			}
			msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, why)
			_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait))
			return nil
		}
	}
}
