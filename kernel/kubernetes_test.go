//go:build unix

package kernel

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/firnglacier/firn/compute"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"
)

// There is no Kubernetes cluster on these machines. These tests give the
// launcher client-go's fake dynamic client (an object store that answers
// as the API server would, and runs nothing) and play the cluster's part
// themselves (fakeKubelet): for each Job the launcher creates they make
// its pod in the store, run the pod's container command as a process on
// this machine (this test binary as `firn`, the pod's environment with
// the Secret's values, the empty folder as a temporary one), and write
// the pod's status as a kubelet would. The broker is then one on this
// machine's loopback, which real pods could not reach: the launcher
// allows it only through its unexported test hook.

var (
	kubeJobs    = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	kubeSecrets = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	kubePods    = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
)

const kubeUIDLabel = "batch.kubernetes.io/controller-uid"

// fakeKubelet is the cluster of a test: the fake API's store, and the
// processes of its pods.
type fakeKubelet struct {
	t  *testing.T
	cs *dynamicfake.FakeDynamicClient
	ns string
	// hold, when not nil, keeps the first pod Pending (Unschedulable)
	// until it is closed.
	hold chan struct{}
	jobs chan *batchv1.Job // each Job as created
	gone chan string       // the name of each Job deleted, once its process has ended

	mu    sync.Mutex
	procs map[string]*kubePod // by Job name
}

// kubePod is a pod that fakeKubelet runs.
type kubePod struct {
	pod    *corev1.Pod
	cmd    *exec.Cmd
	out    bytes.Buffer // its output (the termination message of a failed container)
	oom    bool         // killed as the kernel's memory cgroup would be
	exited chan struct{}
}

func newFakeKubelet(t *testing.T, ns string) *fakeKubelet {
	cs := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		kubeJobs: "JobList", kubeSecrets: "SecretList", kubePods: "PodList"})
	// The API server gives a created Job a UID and a selector of its
	// pods by that UID.
	n := 0
	cs.PrependReactor("create", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		u := a.(k8stesting.CreateAction).GetObject().(*unstructured.Unstructured)
		n++
		uid := "uid-" + string(rune('a'+n))
		u.SetUID(types.UID(uid))
		return false, nil, unstructured.SetNestedStringMap(u.Object, map[string]string{kubeUIDLabel: uid}, "spec", "selector", "matchLabels")
	})
	kl := &fakeKubelet{t: t, cs: cs, ns: ns, jobs: make(chan *batchv1.Job, 10), gone: make(chan string, 10), procs: map[string]*kubePod{}}
	ctx, cancel := context.WithCancel(context.Background())
	w, err := cs.Resource(kubeJobs).Namespace(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range w.ResultChan() {
			job := &batchv1.Job{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(e.Object.(*unstructured.Unstructured).Object, job); err != nil {
				t.Error(err)
				continue
			}
			switch e.Type {
			case watch.Added:
				kl.jobs <- job
				go kl.run(job)
			case watch.Deleted:
				go kl.deleted(job.Name)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		w.Stop()
		<-done
		kl.mu.Lock()
		defer kl.mu.Unlock()
		for _, p := range kl.procs {
			if p.cmd != nil {
				_ = p.cmd.Process.Kill()
				<-p.exited
			}
		}
	})
	return kl
}

func (kl *fakeKubelet) setStatus(p *kubePod, st corev1.PodStatus) {
	kl.mu.Lock()
	defer kl.mu.Unlock()
	p.pod.Status = st
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p.pod)
	if err != nil {
		kl.t.Error(err)
		return
	}
	if _, err := kl.cs.Resource(kubePods).Namespace(kl.ns).Update(context.Background(), &unstructured.Unstructured{Object: m}, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		kl.t.Error(err)
	}
}

// run makes the Job's pod, then runs its container's command as the
// kubelet would.
func (kl *fakeKubelet) run(job *batchv1.Job) {
	ctx := context.Background()
	tmpl := job.Spec.Template
	p := &kubePod{exited: make(chan struct{}), pod: &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: job.Name + "-x7k2p", Namespace: kl.ns, Labels: map[string]string{
			kubeUIDLabel: job.Spec.Selector.MatchLabels[kubeUIDLabel], "batch.kubernetes.io/job-name": job.Name}},
		Spec: tmpl.Spec,
	}}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p.pod)
	if err == nil {
		_, err = kl.cs.Resource(kubePods).Namespace(kl.ns).Create(ctx, &unstructured.Unstructured{Object: m}, metav1.CreateOptions{})
	}
	if err != nil {
		kl.t.Error(err)
		return
	}
	kl.mu.Lock()
	kl.procs[job.Name] = p
	hold := kl.hold
	kl.hold = nil
	kl.mu.Unlock()
	if hold != nil {
		kl.setStatus(p, corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled,
			Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/3 nodes are available: 3 Insufficient cpu."}}})
		<-hold
	}

	// The container: its command (firn is this test binary), the
	// environment Kubernetes gives it, the empty folder mounted.
	c := tmpl.Spec.Containers[0]
	dir := kl.t.TempDir()
	mount := func(s string) string {
		for _, vm := range c.VolumeMounts {
			if s == vm.MountPath {
				return dir
			}
		}
		return s
	}
	secret, err := kl.cs.Resource(kubeSecrets).Namespace(kl.ns).Get(ctx, job.Name, metav1.GetOptions{})
	if err != nil {
		kl.t.Error(err)
		return
	}
	var sec corev1.Secret
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(secret.Object, &sec); err != nil {
		kl.t.Error(err)
		return
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+e.Value)
		case e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == job.Name:
			env = append(env, e.Name+"="+string(sec.Data[e.ValueFrom.SecretKeyRef.Key]))
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			env = append(env, e.Name+"="+p.pod.Name)
		default:
			kl.t.Errorf("env %s from %+v", e.Name, e.ValueFrom)
		}
	}
	if !reflect.DeepEqual(c.Command, []string{"firn"}) {
		kl.t.Errorf("the container's command %q, want firn", c.Command)
	}
	var args []string
	for _, a := range c.Args {
		args = append(args, mount(a))
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = mount(c.WorkingDir), env, &p.out, &p.out
	if err := cmd.Start(); err != nil {
		kl.t.Error(err)
		return
	}
	kl.mu.Lock()
	p.cmd = cmd
	kl.mu.Unlock()
	kl.setStatus(p, corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: c.Name,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}})
	err = cmd.Wait()
	close(p.exited)
	kl.mu.Lock()
	oom := p.oom
	kl.mu.Unlock()
	t := &corev1.ContainerStateTerminated{Reason: "Completed"}
	phase := corev1.PodSucceeded
	if err != nil {
		phase, t.Reason, t.Message = corev1.PodFailed, "Error", p.out.String() // FallbackToLogsOnError
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			t.ExitCode = int32(ee.ExitCode())
		}
		if oom {
			t.Reason, t.ExitCode, t.Message = "OOMKilled", 137, ""
		}
	}
	kl.setStatus(p, corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{Name: c.Name,
		State: corev1.ContainerState{Terminated: t}}}})
}

// deleted ends the pod of a deleted Job, as the garbage collector and
// the kubelet do, and reports it.
func (kl *fakeKubelet) deleted(name string) {
	kl.mu.Lock()
	p := kl.procs[name]
	kl.mu.Unlock()
	if p != nil && p.cmd != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		<-p.exited
	}
	kl.gone <- name
}

// oomKill kills the process of a Job's pod as its memory cgroup would,
// and has the pod say so.
func (kl *fakeKubelet) oomKill(name string) {
	kl.mu.Lock()
	p := kl.procs[name]
	p.oom = true
	kl.mu.Unlock()
	_ = p.cmd.Process.Kill()
}

// exists says whether the store holds the named object.
func (kl *fakeKubelet) exists(r schema.GroupVersionResource, name string) bool {
	_, err := kl.cs.Resource(r).Namespace(kl.ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		kl.t.Fatal(err)
	}
	return err == nil
}

// waitGoneJob waits until the kubelet has seen the Job's deletion, and
// checks that its Secret went too.
func (kl *fakeKubelet) waitGoneJob(name string) {
	kl.t.Helper()
	timeout := time.After(testTimeout)
	for got := ""; got != name; {
		select {
		case got = <-kl.gone:
		case <-timeout:
			kl.t.Fatalf("job %s was never deleted", name)
		}
	}
	if kl.exists(kubeJobs, name) || kl.exists(kubeSecrets, name) {
		kl.t.Errorf("job %s or its secret still there", name)
	}
}

// TestKubernetesKernel: a kernel in a pod, as a user of a cluster gets
// it. The Job asks for the image, the CPU and memory, mounts no service
// account token, and runs `firn … --transport nats --connect URL
// --subject S` with the workspace in the pod's folder; the broker's
// token and the kernel's environment are in its Secret, never in the
// Job. While the pod cannot be scheduled the client hears so; then
// cells run and print, an endless cell is interrupted and the variables
// stay, a restart is a new Job (the old one deleted), and shutdown
// deletes the Job and its Secret.
func TestKubernetesKernel(t *testing.T) {
	kl := newFakeKubelet(t, "glaciers")
	hold := make(chan struct{})
	kl.hold = hold
	t.Setenv("FIRN_TEST_CLIENT_SECRET", "not for the pod")
	statuses := make(chan string, 100)
	launcher := KubernetesLauncher{
		Kubernetes: compute.Kubernetes{Image: "registry.example.org/firn:1", Namespace: "glaciers", CPU: "1", Memory: "1Gi", Client: kl.cs},
		loopback:   true, poll: pollForTests,
		Status: func(msg string) { statuses <- msg },
	}
	type started struct {
		k   *Kernel
		err error
	}
	done := make(chan started, 1)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	go func() {
		k, err := Start(ctx, Options{Command: []string{os.Args[0]}, Launcher: launcher, Dir: t.TempDir(),
			Env: []string{"FIRN_TEST_KERNEL_VAR=in the pod", "FIRN_KERNEL_CHILD=1"}})
		done <- started{k, err}
	}()
	job := <-kl.jobs
	pending := "Kubernetes pod " + job.Name + "-x7k2p: pending (Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.)"
	for seen := false; !seen; {
		select {
		case msg := <-statuses:
			seen = msg == pending
			t.Logf("status: %s", msg)
		case r := <-done:
			t.Fatalf("the kernel started (%v) while its pod could not be scheduled", r.err)
		case <-ctx.Done():
			t.Fatalf("no status %q", pending)
		}
	}
	close(hold)
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	k := r.k
	defer k.Shutdown(context.Background())
	if got := k.Launcher(); got.Name != "kubernetes" || got.Transport != "nats" {
		t.Errorf("launcher %+v", got)
	}

	// The Job, as the cluster has it.
	c := job.Spec.Template.Spec.Containers[0]
	if c.Image != "registry.example.org/firn:1" || !c.Resources.Limits.Memory().Equal(resource.MustParse("1Gi")) ||
		!c.Resources.Requests.Cpu().Equal(resource.MustParse("1")) {
		t.Errorf("container %s, resources %v", c.Image, c.Resources)
	}
	if p := job.Spec.Template.Spec; p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
		t.Errorf("the pod mounts a service account token")
	}
	if job.Spec.BackoffLimit == nil || *job.Spec.BackoffLimit != 0 || *job.Spec.Completions != 1 || !strings.HasPrefix(job.Name, "firn-kernel-") {
		t.Errorf("job %s: back-off limit %v, completions %v", job.Name, job.Spec.BackoffLimit, *job.Spec.Completions)
	}
	args := strings.Join(c.Args, " ")
	if !strings.Contains(args, "--workspace "+kubeWorkspace) || !strings.Contains(args, "--transport nats --connect nats://127.0.0.1:") ||
		!strings.Contains(args, " --subject firn.kernel.") {
		t.Errorf("the kernel's arguments: %s", args)
	}
	// The kernel's memory limit (2 GiB by default) within the pod's 1 GiB:
	// 9/10 of it, 966367638 bytes.
	if !strings.Contains(args, "--memory-limit 966367638 ") {
		t.Errorf("the kernel's arguments: %s; want its memory limit at 90 %% of the pod's 1Gi", args)
	}
	var sec corev1.Secret
	u, err := kl.cs.Resource(kubeSecrets).Namespace("glaciers").Get(ctx, job.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &sec); err != nil {
		t.Fatal(err)
	}
	token := string(sec.Data["token"])
	y, _ := yaml.Marshal(job)
	if len(token) < 16 || bytes.Contains(y, []byte(token)) || bytes.Contains(y, []byte("in the pod")) {
		t.Errorf("the token (%d bytes) or the kernel's environment is in the Job:\n%s", len(token), y)
	}

	// The kernel, from a notebook.
	if _, out := run(t, ctx, k, `import "os"`); out != "" {
		t.Fatalf("import: %q", out)
	}
	_, out := run(t, ctx, k, `fmt.Println(os.Getenv("FIRN_POD_NAME"), os.Getenv("FIRN_TEST_KERNEL_VAR"), "["+os.Getenv("FIRN_TEST_CLIENT_SECRET")+"]")`)
	if want := job.Name + "-x7k2p in the pod []\n"; out != want {
		t.Errorf("printed %q, want %q (the pod's name and environment)", out, want)
	}
	if _, out := run(t, ctx, k, `wd, _ := os.Getwd(); wd == os.Getenv("HOME")`); out != "[execute_result] true\n" {
		t.Errorf("the kernel's folder is not the pod's: %q", out)
	}
	interruptKeepsVariables(t, ctx, k)

	if err := k.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	kl.waitGoneJob(job.Name)
	second := <-kl.jobs
	run(t, ctx, k, `import "os"`)
	if _, out := run(t, ctx, k, `os.Getenv("FIRN_POD_NAME")`); out != "[execute_result] \""+second.Name+"-x7k2p\"\n" {
		t.Errorf("after the restart the kernel runs in %q, want the pod of the new job %s", out, second.Name)
	}
	if err := k.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	kl.waitGoneJob(second.Name)
}

// pollForTests is how often the tests' launchers read the pod's state
// (the fake store answers at once).
const pollForTests = 20 * time.Millisecond

// TestKubernetesKernelPodFails: when the kernel's container is killed
// for its memory (the kubelet's OOMKilled), the running cell ends with
// the kernel's death, whose cause names the pod and the reason; the Job
// is then deleted. A kernel whose command fails at once never starts,
// and Start says so with the container's own message.
func TestKubernetesKernelPodFails(t *testing.T) {
	kl := newFakeKubelet(t, "default")
	launcher := KubernetesLauncher{Kubernetes: compute.Kubernetes{Image: "firn:1", Client: kl.cs}, loopback: true, poll: pollForTests}
	k, ctx := startKernel(t, Options{Launcher: launcher, NoAutoRestart: true})
	job := <-kl.jobs
	_, cellOut, err := cellStarted(t, ctx, k, "fmt.Println(\"started\")\nfor {}", func() { kl.oomKill(job.Name) })
	var died *DiedError
	want := "ended with its Kubernetes pod " + job.Name + "-x7k2p (namespace default): failed (OOMKilled: exit code 137)"
	if !errors.As(err, &died) || !strings.Contains(died.Cause, want) {
		t.Fatalf("the cell when the pod was OOMKilled: %v (output %q), want the kernel's death with %q", err, cellOut, want)
	}
	t.Logf("cause: %s", died.Cause)
	kl.waitGoneJob(job.Name)

	// A command that fails at once: an unknown flag.
	_, err = Start(ctx, Options{Command: []string{os.Args[0], "--no-such-flag"}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: t.TempDir(), Launcher: launcher})
	bad := <-kl.jobs
	if err == nil || !strings.Contains(err.Error(), "the kernel never started: it ended with its Kubernetes pod "+bad.Name+"-x7k2p (namespace default): failed (Error: ") ||
		!strings.Contains(err.Error(), "no-such-flag") {
		t.Errorf("start with a bad flag: %v", err)
	}
	t.Logf("start with a bad flag: %v", err)
	kl.waitGoneJob(bad.Name)
}

// TestKubernetesKernelRefused: a kernel whose broker the pods cannot
// reach (none given: this machine's own is on its loopback; or a
// loopback URL), or that asks for a Unix account or this machine's
// cgroups, is refused before the cluster is called, saying what to do.
func TestKubernetesKernelRefused(t *testing.T) {
	t.Setenv(compute.BrokerURLEnv, "")
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"kubernetes:image=firn:1", Spec{}, "set $FIRN_COMPUTE_URL (and $FIRN_COMPUTE_TOKEN) to a NATS server with JetStream that both reach"},
		{"kubernetes:image=firn:1,broker=nats://127.0.0.1:4222", Spec{}, "is this machine's loopback, which pods in the cluster cannot reach"},
		{"kubernetes:image=firn:1,broker=tls://nats.example.org:4222", Spec{RunAs: &Account{Name: "student1"}}, "runs as its image's user, not as student1"},
		{"kubernetes:image=firn:1,broker=tls://nats.example.org:4222", Spec{Cgroups: []string{"/sys/fs/cgroup/x/cgroup.procs"}}, "not this machine's cgroups"},
	} {
		l, err := LauncherNamed(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		cs := dynamicfake.NewSimpleDynamicClient(runtime.NewScheme())
		kl := l.(KubernetesLauncher)
		kl.Kubernetes.Client = cs
		tc.spec.Command = []string{"firn", "kernel"}
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		_, err = kl.Launch(ctx, tc.spec)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if len(cs.Actions()) != 0 {
			t.Errorf("%s: calls to the cluster %v", tc.name, cs.Actions())
		}
	}
}

// TestKubernetesLauncherNamed: --kernel kubernetes:… as a user writes it,
// and the mistakes named.
func TestKubernetesLauncherNamed(t *testing.T) {
	t.Setenv(compute.BrokerURLEnv, "tls://nats.example.org:4222")
	t.Setenv(compute.BrokerTokenEnv, "compute-token")
	t.Setenv(compute.TokenEnv, "worker-token")
	for _, c := range []struct {
		name string
		want KubernetesLauncher
		err  string
	}{
		{"kubernetes:image=firn:1", KubernetesLauncher{Kubernetes: compute.Kubernetes{Image: "firn:1"},
			Broker: "tls://nats.example.org:4222", Auth: compute.Auth{Token: "compute-token"}}, ""},
		{"kubernetes:image=reg.example.org/firn:2,namespace=glaciers,cpu=2,memory=4Gi,service-account=runner,pull-secret=regcred,context=prod,kubeconfig=/k/config,firn=/opt/firn,broker=tls://other.example.org:4222",
			KubernetesLauncher{Kubernetes: compute.Kubernetes{Image: "reg.example.org/firn:2", Namespace: "glaciers", CPU: "2", Memory: "4Gi",
				ServiceAccount: "runner", ImagePullSecrets: []string{"regcred"}, Context: "prod", Kubeconfig: "/k/config", Command: []string{"/opt/firn"}},
				Broker: "tls://other.example.org:4222", Auth: compute.Auth{Token: "worker-token"}}, ""},
		{"kubernetes", KubernetesLauncher{}, "no image"},
		{"kubernetes:namespace=glaciers", KubernetesLauncher{}, "no image"},
		{"kubernetes:image=firn:1,gpus=1", KubernetesLauncher{}, `unknown key "gpus"`},
		{"kubernetes:image", KubernetesLauncher{}, `"image" is not KEY=VALUE`},
	} {
		got, err := LauncherNamed(c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v %v, want %+v", c.name, got, err, c.want)
		}
	}
	if l, _ := LauncherNamed("kubernetes:image=firn:1"); l.Info() != (LauncherInfo{Name: "kubernetes", Transport: "nats"}) {
		t.Errorf("info %+v", l.Info())
	}
}
