package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"

	"github.com/firnglacier/firn/app/internal/workspace"
	"github.com/firnglacier/firn/kernel"
)

// A KernelChoice is a kernel a notebook can run on: an entry of GET
// /api/kernels, of the browser's kernel picker, and the value of a
// notebook's metadata.firn.kernel.
type KernelChoice struct {
	// Name is the choice's name: "local", "local-tcp".
	Name string `json:"name"`
	// Description says where the kernel runs and what carries its
	// messages, for people.
	Description string `json:"description"`
	// Where and Transport are the launcher's (kernel.LauncherInfo):
	// "local" and "pipe" or "tcp".
	Where     string `json:"where"`
	Transport string `json:"transport"`
	// Options are the settings a user may choose when they switch to
	// this kernel, each with its allowed values, the first the default
	// (a profile's "options", as Zero to JupyterHub's profile_options:
	// {"time": ["1:00:00", "4:00:00"]}); Slurm and Kubernetes kernels
	// only (their --kernel keys: {"memory": ["2Gi", "8Gi"]}).
	Options map[string][]string `json:"options,omitempty"`
	// Launcher starts kernels of this choice.
	Launcher kernel.Launcher `json:"-"`
	// spec is the --kernel value of a profile (Options build on it).
	spec string
}

// launcherWith is the choice's launcher with the chosen options (each
// one of Options' values for its key; the others their default).
func (c KernelChoice) launcherWith(chosen map[string]string) (kernel.Launcher, error) {
	if len(chosen) == 0 {
		return c.Launcher, nil
	}
	for k, v := range chosen {
		allowed, ok := c.Options[k]
		if !ok {
			return nil, fmt.Errorf("options: the kernel %s has no option %q (it has %s)", c.Name, k, optionNames(c.Options))
		}
		if !slices.Contains(allowed, v) {
			return nil, fmt.Errorf("options: %s=%q is not one of the kernel %s's: %s", k, v, c.Name, strings.Join(allowed, ", "))
		}
	}
	return kernel.LauncherNamed(specWith(c.spec, chosen))
}

func optionNames(o map[string][]string) string {
	if len(o) == 0 {
		return "none"
	}
	return strings.Join(slices.Sorted(maps.Keys(o)), ", ")
}

// specWith is a "slurm:KEY=VALUE,…" or "kubernetes:KEY=VALUE,…" kernel
// with the settings of set put in (replacing the same keys; the others
// kept in their order, repeated ones too), in a stable order.
func specWith(spec string, set map[string]string) string {
	kind, opts, _ := strings.Cut(spec, ":")
	var parts []string
	if opts != "" {
		for _, p := range strings.Split(opts, ",") {
			k, _, _ := strings.Cut(p, "=")
			if _, ok := set[strings.TrimSpace(k)]; !ok {
				parts = append(parts, strings.TrimSpace(p))
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		parts = append(parts, k+"="+set[k])
	}
	return kind + ":" + strings.Join(parts, ",")
}

// LocalKernels are the kernels of this machine: "local" (over pipes;
// over loopback TCP on Windows) and "local-tcp" (over loopback TCP with a
// token). The remote-compute issue adds its kernels to the list a Server
// is given (Options.Kernels).
func LocalKernels() []KernelChoice {
	var out []KernelChoice
	for _, c := range []struct{ name, desc string }{
		{"local", "a process on this machine, over pipes (over loopback TCP on Windows)"},
		{"local-tcp", "a process on this machine, over loopback TCP with a token"},
	} {
		l, err := kernel.LauncherNamed(c.name)
		if err != nil {
			continue
		}
		info := l.Info()
		out = append(out, KernelChoice{Name: c.name, Description: c.desc, Where: info.Name, Transport: info.Transport, Launcher: l})
	}
	return out
}

// SlurmKernel is the choice of a kernel in a Slurm job ("slurm": the
// partition's defaults, the broker embedded in the server), offered by
// DefaultKernels where sbatch is on the PATH. `firn serve --kernel
// slurm:partition=P,…` makes it the default with those settings.
func SlurmKernel() KernelChoice {
	l, _ := kernel.LauncherNamed("slurm")
	info := l.Info()
	return KernelChoice{Name: "slurm", Description: "a Slurm job on a compute node (sbatch; the partition's defaults), over NATS; waits in the queue first",
		Where: info.Name, Transport: info.Transport, Launcher: l}
}

// kernelProfiles is the JSON form of a kernels file (`firn serve
// --kernels FILE`).
type kernelProfiles struct {
	Kernels []struct {
		Name        string              `json:"name"`
		Description string              `json:"description"`
		Kernel      string              `json:"kernel"`
		Options     map[string][]string `json:"options"`
	} `json:"kernels"`
}

var profileName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// ReadKernelProfiles reads a file of named kernels, as batchspawner's
// profiles are: each a name, a description for the picker, and a kernel
// as --kernel takes it ("slurm:partition=short,time=1:00:00,mem=4G",
// "ssh://me@workstation/glaciers", "kubernetes:image=…,memory=4Gi", …):
//
//	{"kernels": [
//	  {"name": "hpc-short", "description": "Slurm, short partition: 1 h, 4 GB", "kernel": "slurm:partition=short,time=1:00:00,mem=4G"},
//	  {"name": "workstation", "kernel": "ssh://me@ws.example.org/glaciers"},
//	  {"name": "cloud", "kernel": "kubernetes:image=registry.example.org/firn:1,namespace=glaciers,broker=tls://nats.example.org:4222",
//	   "options": {"memory": ["2Gi", "8Gi"], "cpu": ["1", "4"]}}]}
//
// The choices come after those of DefaultKernels, whose names they may
// not take. Errors name the file, the entry and its field.
func ReadKernelProfiles(file string) ([]KernelChoice, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("kernels: %w", err)
	}
	var f kernelProfiles
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("kernels %s: %w (want {\"kernels\": [{\"name\", \"description\", \"kernel\"}, …]})", file, err)
	}
	if len(f.Kernels) == 0 {
		return nil, fmt.Errorf("kernels %s: no kernels in it", file)
	}
	taken := map[string]bool{}
	for _, c := range DefaultKernels() {
		taken[c.Name] = true
	}
	taken["slurm"] = true
	var out []KernelChoice
	for i, k := range f.Kernels {
		where := fmt.Sprintf("kernels %s: kernels[%d]", file, i)
		if !profileName.MatchString(k.Name) {
			return nil, fmt.Errorf("%s: name %q: use 1 to 32 lower-case letters, digits and '-', starting with a letter", where, k.Name)
		}
		where += " (" + k.Name + ")"
		if taken[k.Name] {
			return nil, fmt.Errorf("%s: the name is taken (by another entry, or a kernel of every server: local, local-tcp, slurm)", where)
		}
		taken[k.Name] = true
		if k.Kernel == "" {
			return nil, fmt.Errorf("%s: kernel: missing (slurm:KEY=VALUE,…, ssh://HOST/DIR or kubernetes:image=IMAGE,…)", where)
		}
		l, err := kernel.LauncherNamed(k.Kernel)
		if err != nil {
			return nil, fmt.Errorf("%s: kernel: %w", where, err)
		}
		info := l.Info()
		desc := k.Description
		if desc == "" {
			desc = k.Kernel
		}
		c := KernelChoice{Name: k.Name, Description: desc, Where: info.Name, Transport: info.Transport, Launcher: l, spec: k.Kernel}
		if len(k.Options) > 0 {
			if info.Name != "slurm" && info.Name != "kubernetes" {
				return nil, fmt.Errorf("%s: options: only Slurm and Kubernetes kernels have options (this one is %s)", where, info.Name)
			}
			for _, key := range slices.Sorted(maps.Keys(k.Options)) {
				if len(k.Options[key]) == 0 {
					return nil, fmt.Errorf("%s: options.%s: no values (the first is the default)", where, key)
				}
				for _, v := range k.Options[key] {
					if _, err := kernel.LauncherNamed(specWith(k.Kernel, map[string]string{key: v})); err != nil || strings.ContainsAny(v, ",") {
						return nil, fmt.Errorf("%s: options.%s: %q: %v", where, key, v, err)
					}
				}
			}
			c.Options = k.Options
			defaults := map[string]string{}
			for key, vs := range k.Options {
				defaults[key] = vs[0]
			}
			if c.Launcher, err = kernel.LauncherNamed(specWith(k.Kernel, defaults)); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// DefaultKernels are LocalKernels, and SlurmKernel where this machine
// submits Slurm jobs (sbatch on the PATH).
func DefaultKernels() []KernelChoice {
	out := LocalKernels()
	if _, err := exec.LookPath("sbatch"); err == nil {
		out = append(out, SlurmKernel())
	}
	return out
}

// kernelList is the server's kernels and its default.
type kernelList struct {
	Default string         `json:"default"`
	Kernels []KernelChoice `json:"kernels"`
}

// newKernelList makes the server's list: choices (nil: LocalKernels),
// with as default the first whose launcher is configured's (the
// launcher of `--kernel`), or else a first entry for configured itself.
func newKernelList(choices []KernelChoice, configured kernel.Launcher) kernelList {
	if choices == nil {
		choices = DefaultKernels()
	}
	if configured == nil {
		configured = kernel.DefaultLauncher()
	}
	want := configured.Info()
	for i, c := range choices {
		if c.Launcher != nil && c.Launcher.Info() == want {
			// The configured launcher, with its settings (a Slurm
			// partition), starts the kernels of that choice.
			choices = append([]KernelChoice(nil), choices...)
			choices[i].Launcher = configured
			return kernelList{Default: c.Name, Kernels: choices}
		}
	}
	own := KernelChoice{Name: want.Name + "-" + want.Transport, Description: "the server's kernel", Where: want.Name, Transport: want.Transport, Launcher: configured}
	return kernelList{Default: own.Name, Kernels: append([]KernelChoice{own}, choices...)}
}

// find returns the choice named name, or nil.
func (l kernelList) find(name string) *KernelChoice {
	for i := range l.Kernels {
		if l.Kernels[i].Name == name {
			return &l.Kernels[i]
		}
	}
	return nil
}

// names lists the choices' names, for messages.
func (l kernelList) names() string {
	n := make([]string, len(l.Kernels))
	for i, c := range l.Kernels {
		n[i] = c.Name
	}
	return strings.Join(n, ", ")
}

// listKernels is GET /api/kernels.
func (s *Server) listKernels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.kernels)
}

// notebookKernel reads metadata.firn.kernel of a notebook's nbformat
// JSON ("" when there is none) and metadata.firn.kernel_options, the
// options chosen with it (nil when none; bad is true when they are not
// an object of strings).
func notebookKernel(nbJSON []byte) (name string, set bool, options map[string]string, bad bool) {
	var nb struct {
		Metadata struct {
			Firn map[string]json.RawMessage `json:"firn"`
		} `json:"metadata"`
	}
	if json.Unmarshal(nbJSON, &nb) != nil {
		return "", false, nil, false
	}
	raw, ok := nb.Metadata.Firn["kernel"]
	if !ok {
		return "", false, nil, false
	}
	if json.Unmarshal(raw, &name) != nil {
		name = string(raw) // not a string: named as it is written
	}
	if raw, ok := nb.Metadata.Firn["kernel_options"]; ok && json.Unmarshal(raw, &options) != nil {
		return name, true, nil, true
	}
	return name, true, options, false
}

// kernelFor is the kernel a notebook asks for in metadata.firn.kernel,
// or the default, and its launcher with the options the notebook keeps
// in metadata.firn.kernel_options; note says why a notebook does not get
// the kernel or the options it asks for ("" when it does).
func (s *Server) kernelFor(path string, nbJSON []byte) (c *KernelChoice, launcher kernel.Launcher, note string) {
	name, set, options, bad := notebookKernel(nbJSON)
	def := s.kernels.find(s.kernels.Default)
	if !set {
		return def, def.Launcher, ""
	}
	c = s.kernels.find(name)
	if c == nil {
		return def, def.Launcher, fmt.Sprintf("%s: metadata.firn.kernel is %q, a kernel this server does not have (it has %s); the notebook runs on %q instead",
			path, name, s.kernels.names(), def.Name)
	}
	if bad {
		return c, c.Launcher, fmt.Sprintf("%s: metadata.firn.kernel_options is not an object of strings; the kernel %s runs with its defaults", path, c.Name)
	}
	l, err := c.launcherWith(options)
	if err != nil {
		return c, c.Launcher, fmt.Sprintf("%s: metadata.firn.kernel_options: %v; the kernel %s runs with its defaults", path, strings.TrimPrefix(err.Error(), "options: "), c.Name)
	}
	return c, l, ""
}

// switchKernel is POST /api/sessions/{id}/kernel {"name": N, "options":
// {K: V}}: the session's kernel is replaced by a fresh one of the kernel
// N with those options, and N and the options are saved in the
// notebook's metadata.firn.kernel and kernel_options, so that the
// notebook opens on them again.
func (s *Server) switchKernel(w http.ResponseWriter, r *http.Request) {
	x := s.session(w, r)
	if x == nil {
		return
	}
	var body struct {
		Name    string            `json:"name"`
		Options map[string]string `json:"options"`
	}
	if !decodeJSON(w, r, 4<<10, &body) {
		return
	}
	c := s.kernels.find(body.Name)
	if c == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("name: no kernel named %q; this server has %s", body.Name, s.kernels.names()))
		return
	}
	launcher, err := c.launcherWith(body.Options)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.rememberKernel(x.Path(), c.Name, body.Options); err != nil {
		var damaged *workspace.DamagedError
		if errors.As(err, &damaged) {
			writeError(w, http.StatusConflict, fmt.Sprintf("%v; the kernel was not switched", err))
			return
		}
		s.fail(w, r, err)
		return
	}
	if etag, err := s.ws.FileETag(x.Path()); err == nil {
		x.Saved(etag) // tabs showing the notebook take the new version
	}
	if err := x.Switch(r.Context(), c.Name, body.Options, launcher); err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	s.logger.Info("kernel switched", "session", x.ID(), "path", x.Path(), "kernel", c.Name)
	writeJSON(w, http.StatusOK, x.Info())
}

// rememberKernel writes name into metadata.firn.kernel of the notebook at
// p, and options into metadata.firn.kernel_options (removed when there
// are none), keeping the rest of the file; a save that comes in between
// is read again.
func (s *Server) rememberKernel(p, name string, options map[string]string) error {
	done, ok := s.startWrite()
	if !ok {
		return errors.New("the server is shutting down")
	}
	defer done()
	for range 5 {
		doc, err := s.ws.ReadNotebook(p)
		if err != nil {
			return err
		}
		if len(doc.Damage) > 0 {
			return &workspace.DamagedError{Path: doc.Path, ETag: doc.ETag, Damage: doc.Damage}
		}
		var nb map[string]json.RawMessage
		if err := json.Unmarshal(doc.JSON, &nb); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		var meta map[string]json.RawMessage
		if len(nb["metadata"]) > 0 {
			if err := json.Unmarshal(nb["metadata"], &meta); err != nil {
				return fmt.Errorf("%s: metadata: %w", p, err)
			}
		}
		if meta == nil {
			meta = map[string]json.RawMessage{}
		}
		var firn map[string]json.RawMessage
		if len(meta["firn"]) > 0 && json.Unmarshal(meta["firn"], &firn) != nil {
			return fmt.Errorf("%s: metadata.firn is not an object", p)
		}
		if firn == nil {
			firn = map[string]json.RawMessage{}
		}
		firn["kernel"], _ = json.Marshal(name)
		delete(firn, "kernel_options")
		if len(options) > 0 {
			firn["kernel_options"], _ = json.Marshal(options)
		}
		meta["firn"], _ = json.Marshal(firn)
		nb["metadata"], _ = json.Marshal(meta)
		out, err := json.Marshal(nb)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		_, err = s.ws.WriteNotebook(p, out, doc.ETag, workspace.WriteOptions{})
		var conflict *workspace.ConflictError
		if errors.As(err, &conflict) {
			continue // saved meanwhile: read it again
		}
		return err
	}
	return fmt.Errorf("%s: the file keeps changing; the kernel choice was not saved in it", p)
}
