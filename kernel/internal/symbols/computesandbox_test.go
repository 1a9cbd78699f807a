package symbols

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/firnglacier/firn/compute"
)

// TestSandboxedLaunchersMirrorCompute: the sandbox's Local and Slurm have
// every field of compute's but Command and Env, and its Kubernetes every
// field but Kubeconfig and Client, of the same types, and hand every one of them on
// to compute's launcher. A field added to compute.Slurm (a new #SBATCH
// knob) fails here until the sandbox has it too, instead of being
// silently unreachable from cells.
func TestSandboxedLaunchersMirrorCompute(t *testing.T) {
	processes := map[string]bool{"Command": true, "Env": true}
	for _, tc := range []struct {
		sandbox  any // a pointer to the sandbox's launcher
		convert  func(any) any
		full     reflect.Type
		withheld map[string]bool
	}{
		{&Local{}, func(v any) any { return v.(*Local).local() }, reflect.TypeFor[compute.Local](), processes},
		{&Slurm{}, func(v any) any { return v.(*Slurm).slurm() }, reflect.TypeFor[compute.Slurm](), processes},
		{&Kubernetes{}, func(v any) any { return v.(*Kubernetes).kubernetes() }, reflect.TypeFor[compute.Kubernetes](),
			map[string]bool{"Kubeconfig": true, "Client": true}},
	} {
		withheld := tc.withheld
		sv := reflect.ValueOf(tc.sandbox).Elem()
		st := sv.Type()
		for i := range tc.full.NumField() {
			f := tc.full.Field(i)
			if !f.IsExported() || withheld[f.Name] {
				continue
			}
			g, ok := st.FieldByName(f.Name)
			if !ok || g.Type != f.Type {
				t.Errorf("%s: compute's field %s (%s) is missing from the sandbox's %s", tc.full, f.Name, f.Type, st)
			}
		}
		for i := range st.NumField() {
			if _, ok := tc.full.FieldByName(st.Field(i).Name); !ok {
				t.Errorf("the sandbox's %s has a field %s that %s lacks", st, st.Field(i).Name, tc.full)
			}
		}
		// Every field set: each arrives in compute's launcher.
		for i := range st.NumField() {
			setNonZero(t, sv.Field(i))
		}
		got := reflect.ValueOf(tc.convert(tc.sandbox))
		for i := range st.NumField() {
			name := st.Field(i).Name
			if !reflect.DeepEqual(got.FieldByName(name).Interface(), sv.Field(i).Interface()) {
				t.Errorf("%s.%s is not handed on to %s", st, name, tc.full)
			}
		}
	}
}

func setNonZero(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.Int:
		v.SetInt(7)
	case reflect.String:
		v.SetString("x")
	case reflect.Slice:
		v.Set(reflect.ValueOf([]string{"--mail-type=END"}))
	case reflect.Map:
		v.Set(reflect.ValueOf(map[string]string{"pool": "cpu"}))
	case reflect.Interface:
		v.Set(reflect.ValueOf(&bytes.Buffer{}))
	default:
		t.Fatalf("no test value for a %s", v.Type())
	}
}

// TestSandboxedSSHRefuses: the sandbox's SSH has compute.SSH's fields
// (so that a cell written for a trusted kernel compiles) and refuses to
// launch, saying why, before reaching any host.
func TestSandboxedSSHRefuses(t *testing.T) {
	full, st := reflect.TypeFor[compute.SSH](), reflect.TypeFor[SSH]()
	for i := range full.NumField() {
		f := full.Field(i)
		if g, ok := st.FieldByName(f.Name); f.IsExported() && (!ok || g.Type != f.Type) {
			t.Errorf("compute.SSH's field %s (%s) is missing from the sandbox's SSH", f.Name, f.Type)
		}
	}
	if st.NumField() != full.NumField() {
		t.Errorf("the sandbox's SSH has %d fields, compute.SSH %d", st.NumField(), full.NumField())
	}
	_, err := SSH{Host: "127.0.0.1", Port: 1}.Launch(context.Background(), "nats://127.0.0.1:4222", compute.Auth{})
	if err == nil || err.Error() != "compute.SSH is not available in Firn's sandbox (it logs in to other machines with your SSH keys and agent); start the kernel with --trusted to allow" {
		t.Errorf("Launch: %v", err)
	}
}

// TestSandboxedKubernetesRefuses: the sandbox's Kubernetes refuses a
// ServiceAccount and a Namespace other than the kubeconfig context's,
// saying why and that a trusted kernel allows them, before calling the
// cluster; the context's own namespace, or none, goes on to compute's
// launcher (which here refuses the loopback broker).
func TestSandboxedKubernetesRefuses(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: x}
contexts:
- name: work
  context: {cluster: c, user: u, namespace: glaciers}
- name: other
  context: {cluster: c, user: u, namespace: scratch}
current-context: work
`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", kubeconfig)
	const loopback = "loopback, which pods in the cluster cannot reach"
	for _, tc := range []struct {
		name string
		k    Kubernetes
		want string
	}{
		{"service account", Kubernetes{Image: "firn:1", ServiceAccount: "cluster-admin"},
			"compute.Kubernetes.ServiceAccount is not available in Firn's sandbox (the pods would run as service account cluster-admin, with its rights in the cluster); start the kernel with --trusted to allow"},
		{"other namespace", Kubernetes{Image: "firn:1", Namespace: "kube-system"},
			"compute.Kubernetes.Namespace is not available in Firn's sandbox (the Job would go to namespace kube-system, not your kubeconfig context's, glaciers); start the kernel with --trusted to allow"},
		{"another context's namespace", Kubernetes{Image: "firn:1", Namespace: "glaciers", Context: "other"},
			"compute.Kubernetes.Namespace is not available in Firn's sandbox (the Job would go to namespace glaciers, not your kubeconfig context's, scratch); start the kernel with --trusted to allow"},
		{"the context's namespace", Kubernetes{Image: "firn:1", Namespace: "glaciers"}, loopback},
		{"no namespace", Kubernetes{Image: "firn:1"}, loopback},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.k.Launch(context.Background(), "nats://127.0.0.1:4222", compute.Auth{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Launch: %v\nwant %q", err, tc.want)
			}
		})
	}
}
