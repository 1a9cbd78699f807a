package hub

import (
	"bufio"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firnglacier/firn/app"
	"github.com/firnglacier/firn/app/internal/guard"
)

// UserStatus is a user as the admin page shows them.
type UserStatus struct {
	User
	Online  int // open notebook connections (websockets) now
	Kernels []KernelStatus
	// DiskBytes and DiskFiles are the size and number of files of the
	// user's workspace.
	DiskBytes, DiskFiles int64
}

// KernelStatus is a running kernel with what it uses: memory (resident,
// bytes) and CPU time (s) of its process, read from /proc on Linux (0
// elsewhere, or when the process is gone).
type KernelStatus struct {
	app.RunningKernel
	MemoryBytes int64
	CPUSeconds  float64
}

// Status lists every user with their connections, kernels and disk use,
// by name.
func (h *Hub) Status(ctx context.Context) ([]UserStatus, error) {
	users, err := h.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	online := map[string]int{}
	for c := range h.live {
		online[c.user]++
	}
	servers := map[string]*userServer{}
	for name, u := range h.users {
		servers[name] = u
	}
	h.mu.Unlock()
	out := make([]UserStatus, len(users))
	for i, u := range users {
		st := UserStatus{User: u, Online: online[u.Name]}
		if us := servers[u.Name]; us != nil {
			for _, k := range us.srv.Kernels() {
				ks := KernelStatus{RunningKernel: k}
				if k.Pid > 0 {
					ks.MemoryBytes, ks.CPUSeconds = processUse(k.Pid)
				}
				st.Kernels = append(st.Kernels, ks)
			}
		}
		st.DiskBytes, st.DiskFiles = app.DiskUse(h.Workspace(u.Name))
		out[i] = st
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// processUse reads a process's resident memory (VmRSS of
// /proc/PID/status) and CPU time (utime + stime of /proc/PID/stat, in
// clock ticks of 1/100 s, Linux's USER_HZ).
func processUse(pid int) (memory int64, cpu float64) {
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				memory = kb << 10
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// The fields after the command name, which is in parentheses
		// and may hold spaces: state is field 3, utime 14, stime 15.
		if i := strings.LastIndexByte(string(b), ')'); i > 0 {
			f := strings.Fields(string(b[i+1:]))
			if len(f) > 12 {
				ut, _ := strconv.ParseFloat(f[11], 64)
				st, _ := strconv.ParseFloat(f[12], 64)
				cpu = (ut + st) / 100
			}
		}
	}
	return memory, cpu
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

var adminTmpl = template.Must(template.New("admin").Funcs(template.FuncMap{
	"mib":  mib,
	"ago":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"secs": func(f float64) string { return fmt.Sprintf("%.1f s", f) },
	"n":    strconv.Itoa,
	"n64":  func(i int64) string { return strconv.FormatInt(i, 10) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Admin — Firn hub</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin-bottom:1rem}td,th{padding:.3rem .7rem;border-bottom:1px solid #ccc;text-align:left;vertical-align:top}.num{text-align:right}form{display:inline}</style></head>
<body><h1>Hub</h1>
<p>{{len .Users}} users, {{.Online}} online, {{.Running}} kernels running.</p>
<table><thead><tr><th>user</th><th>role</th><th>classes</th><th>last login (UTC)</th><th>online</th><th class="num">disk</th><th>kernels: notebook, state, memory, CPU</th></tr></thead><tbody>
{{range .Users}}<tr data-user="{{.Name}}"><td>{{.Name}}{{if .Disabled}} (disabled){{end}}</td><td>{{.Role}}</td><td>{{join .Groups}}</td>
<td>{{if .LastLogin.IsZero}}never{{else}}{{ago .LastLogin}}{{end}}</td><td data-connections="{{n .Online}}">{{if .Online}}yes ({{.Online}}){{else}}no{{end}}</td>
<td class="num" data-disk="{{n64 .DiskBytes}}">{{mib .DiskBytes}} in {{.DiskFiles}} files</td>
<td>{{range .Kernels}}<div data-kernel="{{.Path}}" data-memory="{{n64 .MemoryBytes}}">{{.Path}}: {{.State}}, {{mib .MemoryBytes}}, {{secs .CPUSeconds}}
<form method="post" action="/hub/admin/stop"><input type="hidden" name="csrf" value="{{$.CSRF}}"><input type="hidden" name="user" value="{{call $.Name .}}"><input type="hidden" name="session" value="{{.Session}}"><button type="submit">Stop</button></form></div>{{end}}</td></tr>
{{end}}</tbody></table>
<p><a href="/hub/handins">Classes: publish, hand-ins</a></p></body></html>
`))

// formChecked parses a small form posted by one of the hub's own pages
// and checks it as a state change: the CSRF value (the header, or the
// form field csrf) equal to the session's, and the hub's own Origin. It
// answers 403 and reports false otherwise.
func formChecked(w http.ResponseWriter, r *http.Request, csrf string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	_ = r.ParseForm()
	given := r.Header.Get(app.CSRFHeader)
	if given == "" {
		given = r.PostForm.Get("csrf")
	}
	if given == "" || !guard.Equal(given, csrf) || !guard.SameOrigin(r, nil, true) {
		writeError(w, http.StatusForbidden, "missing or wrong CSRF value for "+r.URL.Path+", or a form from another origin")
		return false
	}
	return true
}

// admin is r's login if it is an admin's, or false after answering.
func (h *Hub) admin(w http.ResponseWriter, r *http.Request) (User, string, bool) {
	u, csrf, ok := h.authenticated(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return User{}, "", false
	}
	if u.Role != RoleAdmin {
		writeError(w, http.StatusForbidden, "only an admin sees the admin page")
		return User{}, "", false
	}
	return u, csrf, true
}

// adminPage is GET /hub/admin: users, who is online, running kernels
// with their memory and CPU (and a button to stop each), disk use.
func (h *Hub) adminPage(w http.ResponseWriter, r *http.Request) {
	_, csrf, ok := h.admin(w, r)
	if !ok {
		return
	}
	users, err := h.Status(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	online, running := 0, 0
	owner := map[string]string{} // session → user
	for _, u := range users {
		if u.Online > 0 {
			online++
		}
		running += len(u.Kernels)
		for _, k := range u.Kernels {
			owner[k.Session] = u.Name
		}
	}
	pageHeaders(w)
	_ = adminTmpl.Execute(w, struct {
		Users           []UserStatus
		Online, Running int
		CSRF            string
		Name            func(KernelStatus) string
	}{users, online, running, csrf, func(k KernelStatus) string { return owner[k.Session] }})
}

// adminStop is POST /hub/admin/stop (form fields user, session, csrf):
// the kernel is stopped as idle culling stops one (its outputs written
// into the notebook first), and its notebook's page says an admin
// stopped it.
func (h *Hub) adminStop(w http.ResponseWriter, r *http.Request) {
	u, csrf, ok := h.admin(w, r)
	if !ok {
		return
	}
	if !formChecked(w, r, csrf) {
		return
	}
	name, id := r.PostForm.Get("user"), r.PostForm.Get("session")
	h.mu.Lock()
	us := h.users[name]
	h.mu.Unlock()
	if us == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s has no running kernels", name))
		return
	}
	stopped, err := us.srv.StopKernel(r.Context(), id, "stopped by the admin "+u.Name+" (outputs saved)")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if !stopped {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no kernel %s of %s", id, name))
		return
	}
	h.logger.Info("kernel stopped by an admin", "admin", u.Name, "user", name, "session", id)
	http.Redirect(w, r, "/hub/admin", http.StatusSeeOther)
}
