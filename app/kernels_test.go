package app

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
	"github.com/firnglacier/firn/notebooks"
)

// GET /api/kernels lists the kernels a notebook can run on, with the
// default: the one whose launcher the server was given (--kernel).
func TestKernelList(t *testing.T) {
	type entry struct{ Name, Where, Transport string }
	local := []entry{{"local", "local", "pipe"}, {"local-tcp", "local", "tcp"}}
	if runtime.GOOS == "windows" {
		local[0].Transport = "tcp"
	}
	// Where this machine submits Slurm jobs, the server offers a Slurm
	// kernel too (scripts/test.sh installs Slurm).
	if _, err := exec.LookPath("sbatch"); err == nil {
		local = append(local, entry{"slurm", "slurm", "nats"})
	}
	slurm, err := kernel.LauncherNamed("slurm:partition=debug,time=10")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		mod         func(*Options)
		wantDefault string
		want        []entry
	}{
		{"default launcher", nil, "local", local},
		{"--kernel local-tcp", withLauncher(kernel.TCPLauncher{}), "local-tcp", local},
		{"--kernel slurm:partition=debug,time=10", func(o *Options) {
			o.KernelOptions.Launcher = slurm
			o.Kernels = append(LocalKernels(), SlurmKernel())
		}, "slurm", []entry{local[0], local[1], {"slurm", "slurm", "nats"}}},
		{"a list of the server's", func(o *Options) {
			o.Kernels = []KernelChoice{{Name: "tcp-only", Description: "TCP only", Where: "local", Transport: "tcp", Launcher: kernel.TCPLauncher{}}}
		}, "local-pipe", []entry{{"local-pipe", "local", "pipe"}, {"tcp-only", "local", "tcp"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.mod)
			var got struct {
				Default string
				Kernels []struct {
					Name, Where, Transport, Description string
				}
			}
			h.doJSON("GET", "/api/kernels", nil, http.StatusOK, &got)
			if got.Default != tc.wantDefault {
				t.Errorf("default %q, want %q", got.Default, tc.wantDefault)
			}
			var names []entry
			for _, k := range got.Kernels {
				names = append(names, entry{k.Name, k.Where, k.Transport})
				if k.Description == "" {
					t.Errorf("kernel %s has no description", k.Name)
				}
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("kernels %v, want %v", names, tc.want)
			}
		})
	}
}

// sessionKernel is the kernel part of the sessions API's answer.
type sessionKernel struct {
	State     string `json:"state"`
	Pid       int    `json:"pid"`
	Name      string `json:"name"`
	Transport string `json:"transport"`
	Spec      string `json:"spec"`
}

func (h *harness) sessionKernel(id string) sessionKernel {
	h.t.Helper()
	var info struct {
		Kernel sessionKernel `json:"kernel"`
	}
	h.doJSON("GET", "/api/sessions/"+id, nil, http.StatusOK, &info)
	return info.Kernel
}

// fileKernel reads metadata.firn.kernel of the notebook file on disk.
func fileKernel(t *testing.T, path string) any {
	t.Helper()
	nb, err := notebooks.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	firn, _ := nb.Metadata["firn"].(map[string]any)
	return firn["kernel"]
}

// cmdline is the command line of process pid ("" where /proc is not).
func cmdline(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", jsonNumber(int64(pid)), "cmdline"))
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// Switching a notebook's kernel starts a new kernel process of the other
// transport (the variables are gone, as after a restart), the session API
// says which, the choice is saved in the notebook's metadata.firn.kernel
// on disk, and a session opened later for the notebook starts that kernel.
func TestSwitchKernel(t *testing.T) {
	tests := []struct {
		from, to      string
		fromTransport string
		toTransport   string
		toArg         string // in the new process's command line
	}{
		{"local", "local-tcp", "pipe", "tcp", "--transport tcp"},
		{"local-tcp", "local", "tcp", "pipe", ""},
	}
	if runtime.GOOS == "windows" {
		t.Skip("local is over TCP on Windows too")
	}
	for _, tc := range tests {
		t.Run(tc.from+" to "+tc.to, func(t *testing.T) {
			h := newHarness(t, nil)
			nb := notebooks.New()
			nb.AddCell(notebooks.NewCell(notebooks.Code, "x := 41"))
			nb.Metadata["firn"] = map[string]any{"kernel": tc.from, "other": "kept"}
			path := filepath.Join(h.dir, "k.ipynb")
			if err := notebooks.WriteFile(path, nb); err != nil {
				t.Fatal(err)
			}
			id, c := h.ready("k.ipynb")
			before := h.sessionKernel(id)
			if before.Spec != tc.from || before.Transport != tc.fromTransport || before.Name != "local" {
				t.Fatalf("the session of a notebook with metadata.firn.kernel %q runs %+v", tc.from, before)
			}
			c.run("set", "x := 41")

			var after sessionKernel
			var info struct {
				Kernel sessionKernel `json:"kernel"`
			}
			h.doJSON("POST", "/api/sessions/"+id+"/kernel", map[string]string{"name": tc.to}, http.StatusOK, &info)
			fs := c.until(func(f frame) bool { return f.Type == "switched" })
			fs = append(fs, c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "idle" })...)
			var sawSwitched, sawRestarting bool
			for _, f := range fs {
				if f.Type == "switched" && strings.Contains(f.raw, `"spec":"`+tc.to+`"`) && strings.Contains(f.raw, `"transport":"`+tc.toTransport+`"`) {
					sawSwitched = true
				}
				if f.Type == "kernel" && f.State == "restarting" && f.Cause == "switched to the kernel "+tc.to+" by the user" {
					sawRestarting = true
				}
			}
			if !sawSwitched || !sawRestarting {
				t.Errorf("frames of the switch (switched %v, restarting with the cause %v):\n%s", sawSwitched, sawRestarting, rawFrames(fs))
			}
			after = h.sessionKernel(id)
			if after.Spec != tc.to || after.Transport != tc.toTransport || after.State != "idle" {
				t.Errorf("after the switch the session reports %+v", after)
			}
			if after.Pid == 0 || after.Pid == before.Pid || !processRuns(after.Pid) {
				t.Errorf("kernel process %d before, %d after: want a new, running one", before.Pid, after.Pid)
			}
			if line := cmdline(after.Pid); line != "" && strings.Contains(line, "--transport tcp") != (tc.toArg != "") {
				t.Errorf("the new kernel process runs %q", line)
			}
			// The variables are gone; cells run on the new kernel.
			if fs, r := c.run("x", "x"); r.Status != "error" || !strings.Contains(rawFrames(fs), "undefined: x") {
				t.Errorf("x after the switch: %+v %s", r, rawFrames(fs))
			}
			if fs, r := c.run("print", `fmt.Println("on", 42)`); r.Status != "ok" || output(fs, "print") != "on 42\n" {
				t.Errorf("a cell after the switch: %+v %q", r, output(fs, "print"))
			}
			// The choice is in the file on disk, the rest of it kept.
			if got := fileKernel(t, path); got != tc.to {
				t.Errorf("metadata.firn.kernel on disk = %v, want %q", got, tc.to)
			}
			back, _ := notebooks.ReadFile(path)
			if back.Metadata["firn"].(map[string]any)["other"] != "kept" || len(back.Cells) != 1 || back.Cells[0].Source != "x := 41" {
				t.Errorf("the rest of the file changed: %+v", back)
			}
			// Reopened, the notebook gets the kernel it was switched to.
			h.doJSON("DELETE", "/api/sessions/"+id, nil, http.StatusNoContent, nil)
			id2 := h.openSession("k.ipynb")
			if got := h.sessionKernel(id2); got.Spec != tc.to || got.Transport != tc.toTransport {
				t.Errorf("reopened, the notebook runs %+v, want %s", got, tc.to)
			}
		})
	}
}

func rawFrames(fs []frame) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// A notebook that names a kernel the server does not have runs on the
// default, and the answer says so, naming the file; a switch to an
// unknown kernel is refused with the list.
func TestNotebookKernelUnknown(t *testing.T) {
	h := newHarness(t, nil)
	nb := notebooks.New()
	nb.Metadata["firn"] = map[string]any{"kernel": "gpu-cluster"}
	if err := notebooks.WriteFile(filepath.Join(h.dir, "u.ipynb"), nb); err != nil {
		t.Fatal(err)
	}
	status, out := h.do("POST", "/api/sessions", map[string]string{"path": "u.ipynb"})
	var info struct {
		ID         string        `json:"id"`
		Kernel     sessionKernel `json:"kernel"`
		KernelNote string        `json:"kernel_note"`
	}
	if err := json.Unmarshal(out, &info); err != nil || status != http.StatusCreated {
		t.Fatalf("open: %d %s", status, out)
	}
	has := "local, local-tcp"
	if _, err := exec.LookPath("sbatch"); err == nil {
		has += ", slurm"
	}
	want := `u.ipynb: metadata.firn.kernel is "gpu-cluster", a kernel this server does not have (it has ` + has + `); the notebook runs on "local" instead`
	if info.KernelNote != want || info.Kernel.Spec != "local" {
		t.Errorf("kernel_note %q (kernel %+v), want %q", info.KernelNote, info.Kernel, want)
	}
	status, out = h.do("POST", "/api/sessions/"+info.ID+"/kernel", map[string]string{"name": "nope"})
	if status != http.StatusBadRequest || !strings.Contains(string(out), `no kernel named \"nope\"; this server has `+has) {
		t.Errorf("switch to an unknown kernel: %d %s", status, out)
	}
	status, out = h.do("POST", "/api/sessions/unknown-id/kernel", map[string]string{"name": "local"})
	if status != http.StatusNotFound {
		t.Errorf("switch of no session: %d %s", status, out)
	}
}

// A switch while a cell runs (and another waits) ends the running cell
// with an error that says the kernel was switched, drops the queued
// one the same way (its variables would be gone), and the next cell
// runs on the new kernel.
func TestSwitchKernelWhileACellRuns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("local is over TCP on Windows too")
	}
	h := newHarness(t, nil)
	if err := notebooks.WriteFile(filepath.Join(h.dir, "busy.ipynb"), notebooks.New()); err != nil {
		t.Fatal(err)
	}
	id, c := h.ready("busy.ipynb")
	before := h.sessionKernel(id)
	c.execute("busy", "cell-busy", "import \"time\"\nfmt.Println(\"started\")\nfor {\n\ttime.Sleep(time.Millisecond)\n}")
	c.execute("queued", "cell-queued", `fmt.Println("queued ran")`)
	c.until(func(f frame) bool { return f.parent() == "busy" && f.text() == "started\n" })

	h.doJSON("POST", "/api/sessions/"+id+"/kernel", map[string]string{"name": "local-tcp"}, http.StatusOK, nil)
	fs := c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "idle" })
	var busyReply, queuedReply *protocol.ExecuteReplyContent
	for _, f := range fs {
		if f.msgType() != protocol.ExecuteReply {
			continue
		}
		r := f.reply()
		switch f.parent() {
		case "busy":
			busyReply = &r
		case "queued":
			queuedReply = &r
		}
	}
	if busyReply == nil || busyReply.Status != "error" || !strings.Contains(output(fs, "busy"), "switched") {
		t.Errorf("the running cell at the switch: reply %+v, output %q; want an error that says the kernel was switched\n%s", busyReply, output(fs, "busy"), rawFrames(fs))
	}
	if strings.Contains(output(fs, "queued"), "queued ran") {
		t.Errorf("the queued cell ran across the switch: %q", output(fs, "queued"))
	}
	if queuedReply == nil || queuedReply.Status == "ok" {
		t.Errorf("the queued cell at the switch: reply %+v; want it ended, not run\n%s", queuedReply, rawFrames(fs))
	}
	after := h.sessionKernel(id)
	if after.Transport != "tcp" || after.Pid == before.Pid {
		t.Errorf("after the switch: %+v (before %+v)", after, before)
	}
	if processRuns(before.Pid) {
		t.Errorf("the replaced kernel %d still runs", before.Pid)
	}
	if fs, r := c.run("next", `fmt.Println("next ran")`); r.Status != "ok" || output(fs, "next") != "next ran\n" {
		t.Errorf("a cell after the switch: %+v %q", r, output(fs, "next"))
	}
}

// `firn serve --kernel slurm:partition=debug,…` starts the Slurm choice's
// kernels with those settings, not the choice's defaults.
func TestKernelListKeepsConfiguredSettings(t *testing.T) {
	configured, err := kernel.LauncherNamed("slurm:partition=debug,time=10")
	if err != nil {
		t.Fatal(err)
	}
	l := newKernelList(append(LocalKernels(), SlurmKernel()), configured)
	c := l.find("slurm")
	if l.Default != "slurm" || c == nil || c.Launcher.(kernel.SlurmLauncher).Slurm.Partition != "debug" || c.Launcher.(kernel.SlurmLauncher).Slurm.Time != "10" {
		t.Errorf("default %q, slurm choice %+v", l.Default, c)
	}
	if SlurmKernel().Launcher.(kernel.SlurmLauncher).Slurm.Partition != "" {
		t.Error("the list's own Slurm choice was changed")
	}
}
