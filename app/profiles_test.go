package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testsshd"
	"github.com/firnglacier/firn/kernel"
)

// TestKernelProfiles: a kernels file names kernels for the picker, each
// a --kernel value; GET /api/kernels lists them after the server's own;
// a notebook switched to the SSH profile runs its cells on the host (a
// real sshd on loopback), in the profile's folder there. Bad files are
// refused naming the file, the entry and the field.
func TestKernelProfiles(t *testing.T) {
	s := testsshd.Start(t)
	dir := t.TempDir()
	hostDir := filepath.Join(t.TempDir(), "glaciers")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("kernels.json", fmt.Sprintf(`{"kernels": [
		{"name": "hpc-short", "description": "Slurm, short partition: 1 h, 4 GB", "kernel": "slurm:partition=short,time=1:00:00,mem=4G",
		 "options": {"time": ["1:00:00", "4:00:00"], "cpus": ["1", "4"]}},
		{"name": "workstation", "kernel": "ssh://%s@127.0.0.1:%d/%s?key=%s&known_hosts=%s&firn=%s"}]}`,
		s.User, s.Port, hostDir, s.UserKey, s.KnownHosts, os.Args[0]))
	profiles, err := ReadKernelProfiles(good)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(o *Options) { o.Kernels = append(LocalKernels(), profiles...) })
	var list struct {
		Kernels []KernelChoice `json:"kernels"`
	}
	h.doJSON("GET", "/api/kernels", nil, http.StatusOK, &list)
	var names []string
	for _, k := range list.Kernels {
		names = append(names, k.Name+"/"+k.Where+"/"+k.Transport)
	}
	if got := strings.Join(names, " "); got != "local/local/pipe local-tcp/local/tcp hpc-short/slurm/nats workstation/ssh/nats" {
		t.Errorf("the picker's kernels: %s", got)
	}
	if list.Kernels[2].Description != "Slurm, short partition: 1 h, 4 GB" || !strings.HasPrefix(list.Kernels[3].Description, "ssh://") {
		t.Errorf("descriptions: %q, %q", list.Kernels[2].Description, list.Kernels[3].Description)
	}

	h.doJSON("PUT", "/api/files/content?path=remote.ipynb", map[string]any{"notebook": map[string]any{"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{}, "cells": []any{}}, "etag": ""}, http.StatusOK, nil)
	if got := list.Kernels[2].Options; len(got) != 2 || got["time"][1] != "4:00:00" || got["cpus"][0] != "1" {
		t.Errorf("hpc-short's options in the list: %v", got)
	}
	// The default is each option's first value; a choice builds on the
	// profile's kernel.
	if l := profiles[0].Launcher.(kernel.SlurmLauncher); l.Slurm.Time != "1:00:00" || l.Slurm.CPUsPerTask != 1 || l.Slurm.Partition != "short" || l.Slurm.Mem != "4G" {
		t.Errorf("hpc-short's default launcher: %+v", l.Slurm)
	}
	if l, err := profiles[0].launcherWith(map[string]string{"time": "4:00:00"}); err != nil || l.(kernel.SlurmLauncher).Slurm.Time != "4:00:00" || l.(kernel.SlurmLauncher).Slurm.Partition != "short" {
		t.Errorf("hpc-short with time 4:00:00: %+v %v", l, err)
	}

	id, c := h.ready("remote.ipynb")
	for _, bad := range []struct {
		options map[string]string
		want    string
	}{
		{map[string]string{"time": "99:00:00"}, `time="99:00:00" is not one of the kernel hpc-short's: 1:00:00, 4:00:00`},
		{map[string]string{"partition": "long"}, `the kernel hpc-short has no option "partition" (it has cpus, time)`},
	} {
		st, body := h.do("POST", "/api/sessions/"+id+"/kernel", map[string]any{"name": "hpc-short", "options": bad.options})
		if st != http.StatusBadRequest || !strings.Contains(string(body), strings.ReplaceAll(bad.want, `"`, `\"`)) {
			t.Errorf("switch with %v: %d %s, want 400 %q", bad.options, st, body, bad.want)
		}
	}
	h.doJSON("POST", "/api/sessions/"+id+"/kernel", map[string]string{"name": "workstation"}, http.StatusOK, nil)
	c.until(func(f frame) bool { return f.Type == "kernel" && f.State == "idle" })
	if k := h.sessionKernel(id); k.Name != "ssh" || k.Spec != "workstation" {
		t.Errorf("after the switch the session runs %+v", k)
	}
	fs, reply := c.run("m1", `wd, _ := os.Getwd(); wd`)
	if reply.Status != "ok" || output(fs, "m1") != fmt.Sprintf("%q", hostDir) {
		t.Errorf("the cell on the workstation profile: %s %q, want its folder %s", reply.Status, output(fs, "m1"), hostDir)
	}

	for _, c := range []struct{ body, want string }{
		{`{"kernels": [{"name": "Big", "kernel": "slurm"}]}`, `kernels[0]: name "Big"`},
		{`{"kernels": [{"name": "local", "kernel": "slurm"}]}`, `kernels[0] (local): the name is taken`},
		{`{"kernels": [{"name": "a", "kernel": "slurm"}, {"name": "a", "kernel": "slurm"}]}`, `kernels[1] (a): the name is taken`},
		{`{"kernels": [{"name": "gpu", "kernel": "slurm:gpu=1"}]}`, `kernels[0] (gpu): kernel: kernel "slurm:gpu=1": unknown key "gpu"`},
		{`{"kernels": [{"name": "ws", "kernel": "ssh://me:pw@host"}]}`, `kernels[0] (ws): kernel: kernel "ssh://me:pw@host": no password in the URL`},
		{`{"kernels": [{"name": "ws"}]}`, `kernels[0] (ws): kernel: missing`},
		{`{"kernels": [{"name": "ws", "kernel": "ssh://h", "partition": "x"}]}`, `unknown field "partition"`},
		{`{"kernels": []}`, "no kernels in it"},
		{`{"kernels": [{"name": "ws", "kernel": "ssh://h", "options": {"dir": ["a"]}}]}`, "only Slurm and Kubernetes kernels have options"},
		{`{"kernels": [{"name": "s", "kernel": "slurm", "options": {"cpus": ["many"]}}]}`, `options.cpus: "many"`},
		{`{"kernels": [{"name": "s", "kernel": "slurm", "options": {"time": []}}]}`, "options.time: no values"},
	} {
		if _, err := ReadKernelProfiles(write("bad.json", c.body)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("%s: %v, want the file and %q", c.body, err, c.want)
		}
	}
}

// TestKernelOptionsRemembered: the options chosen when switching are
// kept in the notebook file (metadata.firn.kernel_options) and the
// notebook opens again on its kernel with them; options the profile no
// longer allows give the defaults and a note naming the file and the
// option. (The switch on a real Slurm, and the job's time limit, are
// cmd/firn's TestBrowserKernelProfile.)
func TestKernelOptionsRemembered(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kernels.json")
	if err := os.WriteFile(file, []byte(`{"kernels": [{"name": "hpc-short", "kernel": "slurm:partition=short,time=1:00:00",
		"options": {"time": ["1:00:00", "4:00:00"], "cpus": ["1", "4"]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	profiles, err := ReadKernelProfiles(file)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(o *Options) { o.Kernels = append(LocalKernels(), profiles...) })
	h.doJSON("PUT", "/api/files/content?path=n.ipynb", map[string]any{"notebook": map[string]any{"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"authors": []string{"me"}}, "cells": []any{}}, "etag": ""}, http.StatusOK, nil)
	read := func() []byte {
		data, err := os.ReadFile(filepath.Join(h.dir, "n.ipynb"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	slurmOf := func(l kernel.Launcher) compute.Slurm {
		sl, ok := l.(kernel.SlurmLauncher)
		if !ok {
			t.Fatalf("launcher %T, want a Slurm one", l)
		}
		return sl.Slurm
	}

	if err := h.srv.rememberKernel("n.ipynb", "hpc-short", map[string]string{"time": "4:00:00", "cpus": "4"}); err != nil {
		t.Fatal(err)
	}
	data := read()
	var nb struct {
		Metadata map[string]json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	compact := func(raw json.RawMessage) string {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got := compact(nb.Metadata["firn"]); got != `{"kernel":"hpc-short","kernel_options":{"cpus":"4","time":"4:00:00"}}` {
		t.Errorf("metadata.firn on disk: %s", got)
	}
	if got := compact(nb.Metadata["authors"]); got != `["me"]` {
		t.Errorf("the rest of the metadata: authors %s", got)
	}
	c, l, note := h.srv.kernelFor("n.ipynb", data)
	if sl := slurmOf(l); c.Name != "hpc-short" || note != "" || sl.Time != "4:00:00" || sl.CPUsPerTask != 4 || sl.Partition != "short" {
		t.Errorf("reopened on %s with %+v, note %q; want hpc-short, 4 h, 4 CPUs, partition short", c.Name, sl, note)
	}

	// Options the profile does not offer (any more).
	for _, bad := range []struct{ firn, want string }{
		{`{"kernel": "hpc-short", "kernel_options": {"time": "99:00:00"}}`, `n.ipynb: metadata.firn.kernel_options: time="99:00:00" is not one of the kernel hpc-short's: 1:00:00, 4:00:00; the kernel hpc-short runs with its defaults`},
		{`{"kernel": "hpc-short", "kernel_options": {"time": 4}}`, `n.ipynb: metadata.firn.kernel_options is not an object of strings; the kernel hpc-short runs with its defaults`},
	} {
		c, l, note := h.srv.kernelFor("n.ipynb", []byte(`{"metadata": {"firn": `+bad.firn+`}}`))
		if sl := slurmOf(l); c.Name != "hpc-short" || sl.Time != "1:00:00" || note != bad.want {
			t.Errorf("%s: %s with time %s, note %q; want the defaults and %q", bad.firn, c.Name, sl.Time, note, bad.want)
		}
	}

	// Switching to a kernel without options drops the old ones.
	if err := h.srv.rememberKernel("n.ipynb", "local", nil); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(read(), &nb); err != nil {
		t.Fatal(err)
	}
	if got := compact(nb.Metadata["firn"]); got != `{"kernel":"local"}` {
		t.Errorf("metadata.firn after switching to local: %s", got)
	}
}

// TestKubernetesKernelProfile: a profile of a kernel on Kubernetes, with
// options as a Slurm profile has them, is listed for the picker as a
// kubernetes kernel over NATS; its default launcher takes each option's
// first value and a choice builds on the profile's kernel (the image,
// the broker and a repeated key kept). (No cluster here: the kernel
// itself runs in kernel's TestKubernetesKernel.)
func TestKubernetesKernelProfile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "kernels.json")
	if err := os.WriteFile(file, []byte(`{"kernels": [{"name": "cloud", "description": "Kubernetes, 2 to 8 GiB",
		"kernel": "kubernetes:image=registry.example.org/firn:1,namespace=glaciers,pull-secret=a,pull-secret=b,broker=tls://nats.example.org:4222,memory=1Gi",
		"options": {"memory": ["2Gi", "8Gi"], "cpu": ["1", "4"]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	profiles, err := ReadKernelProfiles(file)
	if err != nil {
		t.Fatal(err)
	}
	c := profiles[0]
	if c.Name != "cloud" || c.Where != "kubernetes" || c.Transport != "nats" || c.Description != "Kubernetes, 2 to 8 GiB" {
		t.Errorf("the choice %+v", c)
	}
	l := c.Launcher.(kernel.KubernetesLauncher)
	if k := l.Kubernetes; k.Memory != "2Gi" || k.CPU != "1" || k.Image != "registry.example.org/firn:1" || k.Namespace != "glaciers" ||
		strings.Join(k.ImagePullSecrets, " ") != "a b" || l.Broker != "tls://nats.example.org:4222" {
		t.Errorf("the default launcher: %+v, broker %s", k, l.Broker)
	}
	chosen, err := c.launcherWith(map[string]string{"memory": "8Gi"})
	if err != nil {
		t.Fatal(err)
	}
	if k := chosen.(kernel.KubernetesLauncher).Kubernetes; k.Memory != "8Gi" || k.Image != "registry.example.org/firn:1" {
		t.Errorf("with memory 8Gi: %+v", k)
	}
	if _, err := c.launcherWith(map[string]string{"memory": "64Gi"}); err == nil || !strings.Contains(err.Error(), `memory="64Gi" is not one of the kernel cloud's: 2Gi, 8Gi`) {
		t.Errorf("an option not offered: %v", err)
	}
	for _, bad := range []struct{ body, want string }{
		{`{"kernels": [{"name": "k", "kernel": "kubernetes:namespace=glaciers"}]}`, `kernels[0] (k): kernel: kernel "kubernetes:namespace=glaciers": no image`},
		{`{"kernels": [{"name": "k", "kernel": "kubernetes:image=firn:1", "options": {"gpus": ["1"]}}]}`, `options.gpus: "1"`},
	} {
		if err := os.WriteFile(file, []byte(bad.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadKernelProfiles(file); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want %q", bad.body, err, bad.want)
		}
	}
}
