package hub

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// loadUser is one simulated student: a browser's cookies and CSRF value,
// an open notebook's websocket, their kernel's process.
type loadUser struct {
	name    string
	c       *http.Client
	csrf    string
	conn    *websocket.Conn
	frames  chan []byte // what the reader got, until it ends (closed)
	readErr error       // why the reader ended, once frames is closed
	pid     int
	n       int
}

// read reads the websocket for as long as it is open, as a browser
// does (its pongs answer the server's pings even while no cell runs).
func (u *loadUser) read() {
	defer close(u.frames)
	for {
		_, data, err := u.conn.ReadMessage()
		if err != nil {
			u.readErr = err
			return
		}
		u.frames <- data
	}
}

func (u *loadUser) do(base, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, r)
	if method != "GET" {
		req.Header.Set("X-Firn-CSRF", u.csrf)
		req.Header.Set("Origin", base)
	}
	resp, err := u.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// run sends code and waits for its execute_reply; it returns the round
// trip.
func (u *loadUser) run(code string) (time.Duration, error) {
	u.n++
	id := fmt.Sprintf("%s-%d", u.name, u.n)
	t0 := time.Now()
	if err := u.conn.WriteJSON(map[string]any{"type": "execute", "msg_id": id, "cell_id": "c1", "code": code}); err != nil {
		return 0, err
	}
	timeout := time.After(2 * time.Minute)
	for {
		var data []byte
		select {
		case d, ok := <-u.frames:
			if !ok {
				return 0, fmt.Errorf("%s: websocket: %w", u.name, u.readErr)
			}
			data = d
		case <-timeout:
			return 0, fmt.Errorf("%s: no reply to %q in 2 minutes", u.name, code)
		}
		var f struct {
			Msg *protocol.Message `json:"msg"`
		}
		if json.Unmarshal(data, &f) == nil && f.Msg != nil && f.Msg.Type() == protocol.ExecuteReply && f.Msg.Parent() == id {
			var r protocol.ExecuteReplyContent
			_ = f.Msg.Decode(&r)
			if r.Status != "ok" {
				return 0, fmt.Errorf("%s: cell %q: %s %s", u.name, code, r.EName, r.EValue)
			}
			return time.Since(t0), nil
		}
	}
}

// rss is a process's resident memory, bytes (0 if unknown).
func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func envList(name, def string) []int {
	v := os.Getenv(name)
	if v == "" {
		v = def
	}
	var out []int
	for _, s := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// BenchmarkHubLoad: N students on this machine, each logged in (real
// logins, argon2id included), with a notebook open and its own kernel
// (a real process, sandboxed and read-confined as the hub runs them),
// each running a trivial cell about once a second (with jitter, as a
// class works) for FIRN_HUB_LOAD_SECONDS (default 5; the 5
// minutes is 300). Reported per N: the trivial cell's round trip from
// the websocket frame to its reply (p50, p99, ms), the kernels'
// resident memory idle and after a lesson's cell (a glacier grown 300
// years and drawn), and the hub process's heap per user.
//
//	go test -run '^$' -bench HubLoad -benchtime 1x ./app/hub
//	FIRN_HUB_LOAD_USERS=10,20,30,40,50 FIRN_HUB_LOAD_SECONDS=300 go test -run '^$' -bench HubLoad -benchtime 1x -timeout 2h ./app/hub
func BenchmarkHubLoad(b *testing.B) {
	seconds := 5
	if v, err := strconv.Atoi(os.Getenv("FIRN_HUB_LOAD_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	for _, n := range envList("FIRN_HUB_LOAD_USERS", "10,50") {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			for range b.N {
				hubLoad(b, n, time.Duration(seconds)*time.Second)
			}
		})
	}
}

func hubLoad(b *testing.B, n int, d time.Duration) {
	b.StopTimer()
	data := b.TempDir()
	h, err := New(Options{Data: data, KernelOptions: kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}}})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(h.Handler())
	defer func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_ = h.Shutdown(ctx)
	}()
	ctx := context.Background()
	users := make([]*loadUser, n)
	for i := range users {
		name := fmt.Sprintf("s%02d", i)
		if err := h.Store().AddUser(ctx, name, RoleStudent, "moraine-2026", "load", time.Now()); err != nil {
			b.Fatal(err)
		}
		users[i] = &loadUser{name: name}
	}
	heap0 := heapInUse()
	// Everyone logs in and opens a notebook, a few at a time, as a class
	// arrives.
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 4)
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- u.arrive(hs.URL)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	var idle []int64
	for _, u := range users {
		idle = append(idle, rss(u.pid))
	}
	heapUsers := heapInUse() - heap0

	// The class works: a trivial cell about once a second each.
	b.StartTimer()
	var mu sync.Mutex
	var trips []time.Duration
	end := time.Now().Add(d)
	errs = make(chan error, n)
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(u.pid), 1))
			// Students do not press Run in step: each starts within the
			// first 1.5 s (a class all starting in one instant made the
			// short runs' p99 that instant's).
			time.Sleep(time.Duration(r.IntN(1500)) * time.Millisecond)
			for time.Now().Before(end) {
				rt, err := u.run("1+1")
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				trips = append(trips, rt)
				mu.Unlock()
				time.Sleep(time.Duration(500+r.IntN(1000)) * time.Millisecond) // a student's pace, not a wait for an event
			}
			errs <- nil
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	// Then a lesson's cell each, one at a time: memory after real work.
	var lesson []int64
	for _, u := range users {
		if _, err := u.run("g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(300)\n_, _ = plots.Glacier(g).SVG()"); err != nil {
			b.Fatal(err)
		}
		lesson = append(lesson, rss(u.pid))
	}
	slices.Sort(trips)
	q := func(p float64) float64 {
		if len(trips) == 0 {
			return 0
		}
		return float64(trips[min(len(trips)-1, int(p*float64(len(trips))))].Microseconds()) / 1000
	}
	mean := func(xs []int64) float64 {
		var s int64
		for _, x := range xs {
			s += x
		}
		return float64(s) / float64(len(xs)) / (1 << 20)
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(trips)), "cells")
	b.ReportMetric(mean(idle), "kernel-idle-MiB")
	b.ReportMetric(mean(lesson), "kernel-lesson-MiB")
	b.ReportMetric(float64(heapUsers)/float64(n)/(1<<20), "hub-heap-MiB/user")
	b.ReportMetric(0, "ns/op")
}

// arrive logs the user in, opens a notebook and its websocket, and waits
// for the kernel's first answer.
func (u *loadUser) arrive(base string) error {
	jar, _ := cookiejar.New(nil)
	u.c = &http.Client{Jar: jar, Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"name": {u.name}, "password": {"moraine-2026"}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := u.c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("%s: login %d", u.name, resp.StatusCode)
	}
	bu, _ := url.Parse(base)
	for _, c := range jar.Cookies(bu) {
		if c.Name == "firn_csrf" {
			u.csrf = c.Value
		}
	}
	api := "/user/" + u.name + "/api"
	if st, out, err := u.do(base, "PUT", api+"/files/content?path=class.ipynb", map[string]any{"notebook": notebook("c1", "1+1"), "etag": ""}); err != nil || st != 200 {
		return fmt.Errorf("%s: save: %d %s %v", u.name, st, out, err)
	}
	st, out, err := u.do(base, "POST", api+"/sessions", map[string]any{"path": "class.ipynb"})
	if err != nil || (st != 200 && st != 201) {
		return fmt.Errorf("%s: session: %d %s %v", u.name, st, out, err)
	}
	var s struct {
		ID     string
		Kernel struct{ Pid int }
	}
	_ = json.Unmarshal(out, &s)
	d := websocket.Dialer{Jar: jar, HandshakeTimeout: time.Minute}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+api+"/sessions/"+s.ID+"/ws", http.Header{"Origin": {base}})
	if err != nil {
		return fmt.Errorf("%s: websocket: %w", u.name, err)
	}
	u.conn = conn
	u.frames = make(chan []byte, 64)
	go u.read()
	if _, err := u.run("1+1"); err != nil {
		return err
	}
	// The kernel's process, now that it has started.
	if _, out, err := u.do(base, "GET", api+"/sessions/"+s.ID, nil); err == nil {
		_ = json.Unmarshal(out, &s)
	}
	u.pid = s.Kernel.Pid
	return nil
}

// heapInUse is this process's Go heap in use, after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
