package compute

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"
)

// There is no Kubernetes cluster on these machines: the launcher's calls
// go to client-go's fake dynamic client (an object store that answers as
// the API server would to creates, gets, lists and deletes, without
// running anything), and its manifest is read back by kubectl.

const kubeURL = "tls://nats.example.org:4222"

// fakeKube is a fake cluster whose created Jobs get a UID and a selector
// of their pods by that UID, as the API server gives them.
func fakeKube() *dynamicfake.FakeDynamicClient {
	// An empty scheme: the fake then keeps every object unstructured, as
	// the dynamic client sends it.
	cs := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		jobsResource: "JobList", secretsResource: "SecretList", podsResource: "PodList"})
	cs.PrependReactor("create", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		u := a.(k8stesting.CreateAction).GetObject().(*unstructured.Unstructured)
		uid := "uid-" + randomID(4)
		u.SetUID(types.UID(uid))
		if err := unstructured.SetNestedStringMap(u.Object, map[string]string{kubeControllerUID: uid}, "spec", "selector", "matchLabels"); err != nil {
			return true, nil, err
		}
		return false, nil, nil
	})
	return cs
}

// launchFake launches k on a fake cluster and returns the Job and
// Secret it created.
func launchFake(t *testing.T, k Kubernetes, auth Auth) (*dynamicfake.FakeDynamicClient, *KubernetesJob, *batchv1.Job, *corev1.Secret) {
	t.Helper()
	cs := fakeKube()
	k.Client = cs
	w, err := k.Launch(context.Background(), kubeURL, auth)
	if err != nil {
		t.Fatal(err)
	}
	kj := w.(*KubernetesJob)
	job, secret := &batchv1.Job{}, &corev1.Secret{}
	if err := kj.api.get(context.Background(), jobsResource, kj.Namespace, kj.Name, job); err != nil {
		t.Fatal(err)
	}
	if err := kj.api.get(context.Background(), secretsResource, kj.Namespace, kj.Name, secret); err != nil {
		t.Fatal(err)
	}
	return cs, kj, job, secret
}

// TestKubernetesJobFromOptions: each option of the launcher arrives in
// the Indexed Job it creates, and the token only in the Secret that the
// pods read.
func TestKubernetesJobFromOptions(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "user.creds")
	if err := os.WriteFile(creds, []byte("-----BEGIN NATS USER JWT-----\n…"), 0o600); err != nil {
		t.Fatal(err)
	}
	container := func(j *batchv1.Job) corev1.Container { return j.Spec.Template.Spec.Containers[0] }
	arg := func(j *batchv1.Job, flag string) string {
		args := container(j).Args
		for i := range args[:len(args)-1] {
			if args[i] == flag {
				return args[i+1]
			}
		}
		return ""
	}
	for _, tc := range []struct {
		name  string
		k     Kubernetes
		auth  Auth
		check func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret)
	}{
		{"defaults", Kubernetes{Image: "firn:1"}, Auth{Token: "tok"}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			if *j.Spec.CompletionMode != batchv1.IndexedCompletion || *j.Spec.Parallelism != 1 || *j.Spec.Completions != 1 {
				t.Errorf("mode %v, parallelism %d, completions %d", *j.Spec.CompletionMode, *j.Spec.Parallelism, *j.Spec.Completions)
			}
			if kj.Namespace != "default" || j.Namespace != "default" || !strings.HasPrefix(j.Name, "firn-worker-") {
				t.Errorf("job %s in namespace %q", j.Name, j.Namespace)
			}
			c := container(j)
			if c.Image != "firn:1" || !reflect.DeepEqual(c.Command, []string{"firn", "worker"}) ||
				arg(j, "--connect") != kubeURL || arg(j, "--concurrency") != "1" || arg(j, "--name") != "$(FIRN_POD_NAME)" {
				t.Errorf("container %s: %q %q", c.Image, c.Command, c.Args)
			}
			if len(c.Resources.Requests) != 0 || len(c.Resources.Limits) != 0 {
				t.Errorf("resources %v without CPU or Memory", c.Resources)
			}
			if p := j.Spec.Template.Spec; p.RestartPolicy != corev1.RestartPolicyNever || p.ServiceAccountName != "" ||
				p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
				t.Errorf("pod spec: restart %s, service account %q, automount %v", p.RestartPolicy, p.ServiceAccountName, p.AutomountServiceAccountToken)
			}
			if kj.Count() != 1 || kj.String() != "Kubernetes job "+j.Name+" (namespace default)" {
				t.Errorf("count %d, %s", kj.Count(), kj)
			}
		}},
		{"token in a secret", Kubernetes{Image: "firn:1"}, Auth{Token: "s3cret-token"}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			y, _ := yaml.Marshal(j)
			if bytes.Contains(y, []byte("s3cret-token")) {
				t.Errorf("the token is in the Job:\n%s", y)
			}
			if string(s.Data["token"]) != "s3cret-token" {
				t.Errorf("secret data %q", s.Data)
			}
			var ref *corev1.SecretKeySelector
			for _, e := range container(j).Env {
				if e.Name == TokenEnv && e.ValueFrom != nil {
					ref = e.ValueFrom.SecretKeyRef
				}
			}
			if ref == nil || ref.Name != s.Name || ref.Key != "token" {
				t.Errorf("$%s from %+v, want the secret %s's token", TokenEnv, ref, s.Name)
			}
			if len(s.OwnerReferences) != 1 || s.OwnerReferences[0].Kind != "Job" || s.OwnerReferences[0].Name != j.Name ||
				s.OwnerReferences[0].UID == "" || s.OwnerReferences[0].UID != j.UID {
				t.Errorf("the secret's owners %+v, want the job %s (uid %s)", s.OwnerReferences, j.Name, j.UID)
			}
			// BlockOwnerDeletion would need the right to update
			// jobs/finalizers (OwnerReferencesPermissionEnforcement), for
			// nothing: Stop deletes the Job in the background.
			if o := s.OwnerReferences; len(o) == 1 && o[0].BlockOwnerDeletion != nil {
				t.Errorf("the secret's owner reference sets BlockOwnerDeletion %v", *o[0].BlockOwnerDeletion)
			}
			if *j.Spec.TTLSecondsAfterFinished != kubeFinishedTTL {
				t.Errorf("ttl %d", *j.Spec.TTLSecondsAfterFinished)
			}
		}},
		{"workers", Kubernetes{Image: "firn:1", Workers: 5}, Auth{}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			if *j.Spec.Parallelism != 5 || *j.Spec.Completions != 5 || kj.Count() != 5 {
				t.Errorf("parallelism %d, completions %d, count %d", *j.Spec.Parallelism, *j.Spec.Completions, kj.Count())
			}
		}},
		{"namespace", Kubernetes{Image: "firn:1", Namespace: "glaciers"}, Auth{}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			if j.Namespace != "glaciers" || s.Namespace != "glaciers" || kj.Namespace != "glaciers" {
				t.Errorf("job in %q, secret in %q", j.Namespace, s.Namespace)
			}
		}},
		{"cpu and memory", Kubernetes{Image: "firn:1", Workers: 3, CPU: "1500m", Memory: "4Gi"}, Auth{}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			r := container(j).Resources
			for _, l := range []corev1.ResourceList{r.Requests, r.Limits} {
				if !l.Cpu().Equal(resource.MustParse("1500m")) || !l.Memory().Equal(resource.MustParse("4Gi")) {
					t.Errorf("resources %v", r)
				}
			}
			if arg(j, "--concurrency") != "2" || kj.Count() != 6 {
				t.Errorf("concurrency %s, count %d for 1.5 CPUs", arg(j, "--concurrency"), kj.Count())
			}
		}},
		{"service account", Kubernetes{Image: "firn:1", ServiceAccount: "runner"}, Auth{}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			if p := j.Spec.Template.Spec; p.ServiceAccountName != "runner" || p.AutomountServiceAccountToken != nil {
				t.Errorf("service account %q, automount %v", p.ServiceAccountName, p.AutomountServiceAccountToken)
			}
		}},
		{"image pull secrets and node selector", Kubernetes{Image: "registry.example.org/firn:1", ImagePullSecrets: []string{"regcred"},
			NodeSelector: map[string]string{"pool": "cpu"}}, Auth{}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			p := j.Spec.Template.Spec
			if len(p.ImagePullSecrets) != 1 || p.ImagePullSecrets[0].Name != "regcred" || p.NodeSelector["pool"] != "cpu" {
				t.Errorf("pull secrets %v, node selector %v", p.ImagePullSecrets, p.NodeSelector)
			}
		}},
		{"command, env and job name", Kubernetes{Image: "firn:1", Command: []string{"/opt/firn/bin/firn", "worker"},
			Env: []string{"GOMAXPROCS=2", "A=b=c"}, JobName: "hef-ensemble"}, Auth{}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			c := container(j)
			env := map[string]string{}
			for _, e := range c.Env {
				env[e.Name] = e.Value
			}
			if c.Command[0] != "/opt/firn/bin/firn" || env["GOMAXPROCS"] != "2" || env["A"] != "b=c" || !strings.HasPrefix(j.Name, "hef-ensemble-") {
				t.Errorf("command %q, env %v, name %s", c.Command, env, j.Name)
			}
		}},
		{"credentials file", Kubernetes{Image: "firn:1"}, Auth{CredsFile: creds}, func(t *testing.T, kj *KubernetesJob, j *batchv1.Job, s *corev1.Secret) {
			if !strings.HasPrefix(string(s.Data["creds"]), "-----BEGIN NATS USER JWT") || arg(j, "--creds") != kubeSecretDir+"/creds" {
				t.Errorf("secret %q, --creds %q", s.Data, arg(j, "--creds"))
			}
			p := j.Spec.Template.Spec
			if len(p.Volumes) != 1 || p.Volumes[0].Secret.SecretName != s.Name || container(j).VolumeMounts[0].MountPath != kubeSecretDir {
				t.Errorf("volumes %+v, mounts %+v", p.Volumes, container(j).VolumeMounts)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, kj, job, secret := launchFake(t, tc.k, tc.auth)
			tc.check(t, kj, job, secret)
		})
	}
}

// TestKubernetesBadOptions: a missing image or a bad quantity is refused
// before anything is created, naming the field.
func TestKubernetesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		k    Kubernetes
		want string
	}{
		{Kubernetes{}, "no Image"},
		{Kubernetes{Image: "firn:1", Memory: "lots"}, `Memory "lots"`},
		{Kubernetes{Image: "firn:1", CPU: "two"}, `CPU "two"`},
		{Kubernetes{Image: "firn:1", Env: []string{"NOVALUE"}}, `Env entry "NOVALUE"`},
		{Kubernetes{Image: "firn:1", Env: []string{TokenEnv + "=mine"}}, `Env entry "` + TokenEnv + `=mine": the launcher sets $` + TokenEnv},
		{Kubernetes{Image: "firn:1", Env: []string{"FIRN_POD_NAME=w"}}, `Env entry "FIRN_POD_NAME=w": the launcher sets $FIRN_POD_NAME`},
		{Kubernetes{Image: "firn:1", JobName: "Glaciers_2"}, `JobName "Glaciers_2"`},
	} {
		cs := fakeKube()
		tc.k.Client = cs
		_, err := tc.k.Launch(context.Background(), kubeURL, Auth{Token: "t"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one with %s", tc.k, err, tc.want)
		}
		if n := len(cs.Actions()); n != 0 {
			t.Errorf("%+v: %d calls to the cluster: %v", tc.k, n, cs.Actions())
		}
	}
}

// TestKubernetesRefusesLoopback: pods cannot reach this machine's
// loopback, so a broker there (the embedded one) is refused with a
// message that says what to do, before the cluster is called.
func TestKubernetesRefusesLoopback(t *testing.T) {
	for _, url := range []string{"nats://127.0.0.1:4222", "tls://localhost:4222", "nats://[::1]:4222",
		"tls://nats.example.org:4222, nats://127.0.0.2:4222"} {
		cs := fakeKube()
		_, err := Kubernetes{Image: "firn:1", Client: cs}.Launch(context.Background(), url, Auth{Token: "t"})
		if err == nil || !strings.Contains(err.Error(), "loopback, which pods in the cluster cannot reach") ||
			!strings.Contains(err.Error(), "$"+BrokerURLEnv) {
			t.Errorf("%s: error %v", url, err)
		}
		if len(cs.Actions()) != 0 {
			t.Errorf("%s: calls to the cluster %v", url, cs.Actions())
		}
		if _, err := (Kubernetes{Image: "firn:1"}).Manifest(url, Auth{}); err == nil {
			t.Errorf("%s: a manifest", url)
		}
	}
}

// TestKubernetesErrorsNameJob: a refused create names the namespace and
// the job, and leaves no Secret behind.
func TestKubernetesErrorsNameJob(t *testing.T) {
	cs := fakeKube()
	cs.PrependReactor("create", "jobs", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(batchv1.Resource("jobs"), "", errors.New("quota exceeded"))
	})
	_, err := Kubernetes{Image: "firn:1", Namespace: "glaciers", JobName: "hef", Client: cs}.Launch(context.Background(), kubeURL, Auth{Token: "t"})
	if err == nil || !strings.Contains(err.Error(), "creating job hef-") || !strings.Contains(err.Error(), "in namespace glaciers") ||
		!strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("error %v", err)
	}
	if l, _ := cs.Resource(secretsResource).Namespace("glaciers").List(context.Background(), metav1.ListOptions{}); len(l.Items) != 0 {
		t.Errorf("secrets left: %v", l.Items)
	}
}

// TestKubernetesStop: Stop deletes the Job with propagation Background
// (its pods go too) and the Secret; a second Stop does nothing more.
func TestKubernetesStop(t *testing.T) {
	cs, kj, job, _ := launchFake(t, Kubernetes{Image: "firn:1", Namespace: "glaciers"}, Auth{Token: "t"})
	cs.ClearActions()
	if err := kj.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := kj.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := kj.api.get(ctx, jobsResource, "glaciers", job.Name, &batchv1.Job{}); !apierrors.IsNotFound(err) {
		t.Errorf("job after Stop: %v", err)
	}
	if err := kj.api.get(ctx, secretsResource, "glaciers", job.Name, &corev1.Secret{}); !apierrors.IsNotFound(err) {
		t.Errorf("secret after Stop: %v", err)
	}
	var deletes []string
	for _, a := range cs.Actions() {
		if d, ok := a.(k8stesting.DeleteAction); ok {
			what := d.GetResource().Resource + " " + d.GetName()
			if p := d.GetDeleteOptions().PropagationPolicy; p != nil {
				what += " " + string(*p)
			}
			deletes = append(deletes, what)
		}
	}
	if want := []string{"jobs " + job.Name + " Background", "secrets " + job.Name}; !reflect.DeepEqual(deletes, want) {
		t.Errorf("deletes %q, want %q", deletes, want)
	}
}

// kubeControllerUID is the label with its Job's UID that the Job
// controller puts on the pods it makes (Kubernetes 1.27 and later).
const kubeControllerUID = "batch.kubernetes.io/controller-uid"

// pod makes a worker pod of kj with the given status and the labels the
// Job controller gives it (those of the Job's template, its UID, its
// name, its index).
func pod(kj *KubernetesJob, index string, st corev1.PodStatus) *corev1.Pod {
	uid := strings.TrimPrefix(kj.selector, kubeControllerUID+"=")
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: kj.Name + "-" + index + "-x7k2p", Namespace: kj.Namespace,
			Labels: map[string]string{kubeNameLabel: "firn-worker", kubeInstanceLabel: kj.Name, kubeIndexKey: index,
				kubeControllerUID: uid, kubeJobNameLabel: kj.Name},
			Annotations: map[string]string{kubeIndexKey: index}},
		Status: st,
	}
}

var (
	unschedulable = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled,
		Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/3 nodes are available: 3 Insufficient cpu."}}}
	pullBackOff = corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "worker",
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff",
			Message: `Back-off pulling image "firn:nope"`}}}}}
	running = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "worker",
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}}
	oomKilled = corev1.PodStatus{Phase: corev1.PodFailed, ContainerStatuses: []corev1.ContainerStatus{{Name: "worker",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}}}}}
)

// TestKubernetesStatus: the status line of each pod says its phase and,
// for one that waits or failed, why; the counts for the progress bar
// follow.
func TestKubernetesStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pods  map[string]corev1.PodStatus
		lines []string
		queue workerQueue
		title string
		ended *batchv1.JobCondition // the job's condition, if it ended
		gone  string                // then Status's error
	}{
		{"unschedulable", map[string]corev1.PodStatus{"0": unschedulable},
			[]string{"(worker 0): Pending, Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."},
			workerQueue{pending: 1, reason: "Unschedulable"}, ", 0 workers running, 1 pending (Unschedulable): ", nil, ""},
		{"image pull", map[string]corev1.PodStatus{"0": running, "1": pullBackOff},
			[]string{"(worker 0): Running", `(worker 1): Pending, ImagePullBackOff: Back-off pulling image "firn:nope"`},
			workerQueue{running: 1, pending: 1, reason: "ImagePullBackOff"}, ", 1 worker running, 1 pending (ImagePullBackOff): ", nil, ""},
		{"running", map[string]corev1.PodStatus{"0": running, "1": running},
			[]string{"(worker 0): Running", "(worker 1): Running"},
			workerQueue{running: 2}, ", 2 workers running: ", nil, ""},
		{"out of memory", map[string]corev1.PodStatus{"0": running, "1": oomKilled},
			[]string{"(worker 0): Running", "(worker 1): Failed, OOMKilled: exit code 137"},
			workerQueue{running: 1, failed: 1, reason: "OOMKilled"}, ", 1 worker running, 1 failed (OOMKilled): ", nil, ""},
		{"job failed", map[string]corev1.PodStatus{"0": oomKilled},
			[]string{"(worker 0): Failed, OOMKilled: exit code 137"},
			workerQueue{failed: 1, reason: "OOMKilled", gone: true}, ", 0 workers running, 1 failed (OOMKilled): ",
			&batchv1.JobCondition{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded",
				Message: "Job has reached the specified backoff limit"},
			"is gone: it failed (BackoffLimitExceeded): Job has reached the specified backoff limit"},
		{"job complete", map[string]corev1.PodStatus{"0": {Phase: corev1.PodSucceeded}},
			[]string{"(worker 0): Succeeded"},
			workerQueue{gone: true}, ": ",
			&batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue},
			"is gone: all its workers have ended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, kj, job, _ := launchFake(t, Kubernetes{Image: "firn:1", Workers: len(tc.pods)}, Auth{Token: "t"})
			ctx := context.Background()
			for i, st := range tc.pods {
				if err := kj.api.create(ctx, podsResource, kj.Namespace, pod(kj, i, st), nil); err != nil {
					t.Fatal(err)
				}
			}
			// Another job's pod is not one of ours, nor is a pod that
			// only carries the same instance label (anything may).
			other := &KubernetesJob{Name: "firn-worker-other", Namespace: kj.Namespace, selector: kubeControllerUID + "=uid-other"}
			if err := kj.api.create(ctx, podsResource, kj.Namespace, pod(other, "0", running), nil); err != nil {
				t.Fatal(err)
			}
			lookalike := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
				ObjectMeta: metav1.ObjectMeta{Name: kj.Name + "-db", Namespace: kj.Namespace,
					Labels: map[string]string{kubeInstanceLabel: kj.Name, kubeIndexKey: "9"}}, Status: running}
			if err := kj.api.create(ctx, podsResource, kj.Namespace, lookalike, nil); err != nil {
				t.Fatal(err)
			}
			if tc.ended != nil {
				job.Status.Conditions = []batchv1.JobCondition{*tc.ended}
				if err := kj.api.update(ctx, jobsResource, kj.Namespace, job); err != nil {
					t.Fatal(err)
				}
			}
			pods, err := kj.Status(ctx)
			if (tc.ended != nil) != (err != nil) {
				t.Fatalf("error %v", err)
			}
			if err != nil && !strings.Contains(err.Error(), "job "+kj.Name+" in namespace default "+tc.gone) {
				t.Errorf("error %v", err)
			}
			var lines []string
			for _, p := range pods {
				lines = append(lines, strings.TrimPrefix(p.String(), p.Name+" "))
			}
			if !sameSet(lines, tc.lines) {
				t.Errorf("status lines %q, want %q", lines, tc.lines)
			}
			q, err := kj.queueState(ctx)
			if err != nil || q != tc.queue {
				t.Errorf("queue %+v (%v), want %+v", q, err, tc.queue)
			}
			p := Progress{Workers: kj.String(), WorkersRunning: q.running, WorkersPending: q.pending, WorkersFailed: q.failed,
				Reason: q.reason, State: "running", Total: 10}
			if title := p.Title(); title != kj.String()+tc.title+"0 running, 0 failed" {
				t.Errorf("title %q", title)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// kubeView sends each progress state of a Map to a channel.
type kubeView chan Progress

func (v kubeView) Update(p Progress) { v <- p }

// TestKubernetesMapProgress: a Map on a pool whose workers are a
// Kubernetes job shows the job's pods as they change (pending and why,
// then running), and when the job is deleted it stops waiting for
// workers that will not come, saying so.
func TestKubernetesMapProgress(t *testing.T) {
	b, err := StartBroker(BrokerOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	p, err := NewPool(ctx, b.URL(), Auth{Token: b.Token()}, PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, kj, _, _ := launchFake(t, Kubernetes{Image: "firn:1"}, Auth{Token: "t"})
	p.workers, p.where = kj, describe(Kubernetes{}, kj)
	worker := pod(kj, "0", unschedulable)
	if err := kj.api.create(ctx, podsResource, kj.Namespace, worker, nil); err != nil {
		t.Fatal(err)
	}
	states := make(kubeView, 100)
	p.ShowProgress(func(first Progress) ProgressView { states <- first; return states })
	type mapped struct {
		e   *Ensemble
		err error
	}
	done := make(chan mapped, 1)
	go func() {
		e, err := p.Map(ctx, []Task{{Name: "a.json", Data: []byte(`{}`)}, {Name: "b.json", Data: []byte(`{}`)}})
		done <- mapped{e, err}
	}()
	// Each step changes the cluster once the display shows the last, and
	// waits for the display to show the change (the Map looks every
	// second).
	waitFor := func(want string) {
		t.Helper()
		timeout := time.After(time.Minute)
		last := ""
		for {
			select {
			case st := <-states:
				if last = st.Title(); strings.Contains(last, want) {
					return
				}
			case r := <-done:
				t.Fatalf("the map ended (%v) before the display showed %q; it last showed %q", r.err, want, last)
			case <-timeout:
				t.Fatalf("the display never showed %q; it last showed %q", want, last)
			}
		}
	}
	waitFor(kj.String() + ", 0 workers running, 1 pending (Unschedulable): ")
	worker.Status = running
	if err := kj.api.update(ctx, podsResource, kj.Namespace, worker); err != nil {
		t.Fatal(err)
	}
	waitFor(kj.String() + ", 1 worker running: ")
	if err := kj.api.delete(ctx, jobsResource, kj.Namespace, kj.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err == nil || !strings.Contains(r.err.Error(), "map stopped: Kubernetes job "+kj.Name+" in namespace default is gone") {
		t.Fatalf("map error %v", r.err)
	}
	for _, res := range r.e.Results {
		if !strings.HasSuffix(res.Err, "not run: the workers' Kubernetes job is gone") {
			t.Errorf("%s: %q", res.Name, res.Err)
		}
	}
	var last Progress
	for len(states) > 0 {
		last = <-states
	}
	if last.State != "workers gone" || !strings.Contains(last.Title(), "the job left the queue") {
		t.Errorf("the display's last state %+v: %s", last, last.Title())
	}
}

// TestKubernetesManifestKubectl: kubectl reads the manifest back. With no
// cluster here, `kubectl apply --dry-run=client` cannot run (even a
// client-side dry run asks the API server for its resource types), so
// the test uses kubectl's offline path: `kubectl set image --local`
// decodes the Job into kubectl's own typed batch/v1 Job (refusing a bad
// quantity or a field of the wrong type, dropping an unknown field) and
// prints it again with the worker's image changed (kubectl prints
// nothing when nothing changed), and every other field of ours must come
// back unchanged; `kubectl label --local` parses the Secret. It needs a
// kubectl of Kubernetes 1.24 or later (Indexed Jobs): Debian 12's
// kubernetes-client (1.20) drops completionMode, so the test is skipped
// with it.
func TestKubernetesManifestKubectl(t *testing.T) {
	kubectl := needKubectl(t)
	creds := filepath.Join(t.TempDir(), "user.creds")
	if err := os.WriteFile(creds, []byte("creds"), 0o600); err != nil {
		t.Fatal(err)
	}
	k := Kubernetes{Image: "registry.example.org/firn:1", Workers: 4, Namespace: "glaciers", CPU: "2", Memory: "4Gi",
		ServiceAccount: "runner", ImagePullSecrets: []string{"regcred"}, NodeSelector: map[string]string{"pool": "cpu"},
		Env: []string{"A=1"}}
	m, err := k.Manifest(kubeURL, Auth{Token: "tok", CredsFile: creds})
	if err != nil {
		t.Fatal(err)
	}
	secret, job := kubectlReads(t, kubectl, m, k.Image, "worker")
	if string(secret.Data["token"]) != "tok" || string(secret.Data["creds"]) != "creds" {
		t.Errorf("secret back from kubectl: %+v", secret)
	}
	if !strings.Contains(job, "completionMode: Indexed") {
		t.Errorf("job back from kubectl:\n%s", job)
	}
	// The check catches a field kubectl does not know.
	docs := strings.Split(string(m), "\n---\n")
	const checked = "kubectl.example.org/checked:1"
	bad := strings.Replace(docs[1], "completionMode: Indexed", "completionMod: Indexed", 1)
	var badOurs, badTheirs map[string]any
	_ = yaml.Unmarshal([]byte(strings.Replace(bad, "image: "+k.Image, "image: "+checked, 1)), &badOurs)
	_ = yaml.Unmarshal(kubectlRun(t, kubectl, bad, "set", "image", "--local", "-f", "-", "-o", "yaml", "worker="+checked), &badTheirs)
	if missing(badOurs, badTheirs, "job") != "job.spec.completionMod" {
		t.Errorf("a misspelled field went unnoticed")
	}
}

// TestKubernetesCommandManifestKubectl: kubectl reads back the Secret and
// the Job of a command (a kernel's pod: one completion, no retry, an
// empty working folder, its environment from the Secret) without
// dropping a field, as TestKubernetesManifestKubectl does for workers.
func TestKubernetesCommandManifestKubectl(t *testing.T) {
	kubectl := needKubectl(t)
	k := Kubernetes{Image: "registry.example.org/firn:1", Namespace: "glaciers", CPU: "1", Memory: "2Gi", JobName: "firn-kernel"}
	m, err := k.CommandManifest([]string{"firn", "kernel", "--transport", "nats", "--connect", kubeURL, "--subject", "firn.kernel.1"},
		"/firn/workspace", []string{"LANG=C.UTF-8"}, Auth{Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	secret, job := kubectlReads(t, kubectl, m, k.Image, "firn")
	if string(secret.Data["token"]) != "tok" || string(secret.Data[secretEnvPrefix+"LANG"]) != "C.UTF-8" {
		t.Errorf("secret back from kubectl: %+v", secret)
	}
	for _, want := range []string{"backoffLimit: 0", "workingDir: /firn/workspace", "key: env.LANG", "emptyDir: {}"} {
		if !strings.Contains(job, want) {
			t.Errorf("job back from kubectl has no %q:\n%s", want, job)
		}
	}
}

// needKubectl is the path of a kubectl of Kubernetes 1.24 or later; the
// test is skipped without one.
func needKubectl(t *testing.T) string {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl on this machine")
	}
	out, err := exec.Command(kubectl, "version", "--client", "-o", "json").Output()
	var v struct {
		ClientVersion struct{ Major, Minor, GitVersion string } `json:"clientVersion"`
	}
	if err != nil || json.Unmarshal(out, &v) != nil {
		t.Fatalf("kubectl version: %v: %s", err, out)
	}
	if minor, _ := strconv.Atoi(strings.TrimRight(v.ClientVersion.Minor, "+")); v.ClientVersion.Major == "1" && minor < 24 {
		t.Skipf("kubectl %s is older than 1.24, which knows Indexed Jobs", v.ClientVersion.GitVersion)
	}
	return kubectl
}

// kubectlRun runs kubectl with doc on its standard input and no cluster.
func kubectlRun(t *testing.T, kubectl, doc string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(kubectl, args...)
	cmd.Stdin = strings.NewReader(doc)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl %s: %v: %s\n%s", strings.Join(args, " "), err, stderr.String(), doc)
	}
	return out
}

// kubectlReads has kubectl decode manifest m (a Secret, then a Job whose
// container named container runs image) into its own types and print
// them back: every field of the Job must come back unchanged (but the
// image, which kubectl set image changes, so that it prints at all); it
// returns the Secret and the Job as kubectl printed them.
func kubectlReads(t *testing.T, kubectl string, m []byte, image, container string) (corev1.Secret, string) {
	t.Helper()
	docs := strings.Split(string(m), "\n---\n")
	if len(docs) != 2 || !strings.Contains(docs[0], "kind: Secret") || !strings.Contains(docs[1], "kind: Job") {
		t.Fatalf("manifest:\n%s", m)
	}
	const checked = "kubectl.example.org/checked:1"
	back := kubectlRun(t, kubectl, docs[1], "set", "image", "--local", "-f", "-", "-o", "yaml", container+"="+checked)
	var ours, theirs map[string]any
	if err := yaml.Unmarshal([]byte(strings.Replace(docs[1], "image: "+image, "image: "+checked, 1)), &ours); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(back, &theirs); err != nil {
		t.Fatal(err)
	}
	if path := missing(ours, theirs, "job"); path != "" {
		t.Errorf("kubectl dropped or changed %s:\n%s", path, back)
	}
	var secret corev1.Secret
	if err := yaml.Unmarshal(kubectlRun(t, kubectl, docs[0], "label", "--local", "-f", "-", "-o", "yaml", "checked=yes"), &secret); err != nil {
		t.Fatal(err)
	}
	if secret.Labels["checked"] != "yes" {
		t.Errorf("secret back from kubectl: %+v", secret)
	}
	return secret, string(back)
}

// missing returns the path of the first value of ours that theirs lacks
// or has otherwise ("" if none).
func missing(ours, theirs any, path string) string {
	switch o := ours.(type) {
	case map[string]any:
		t, ok := theirs.(map[string]any)
		if !ok {
			return path
		}
		for k, v := range o {
			if p := missing(v, t[k], path+"."+k); p != "" {
				return p
			}
		}
		return ""
	case []any:
		t, ok := theirs.([]any)
		if !ok || len(t) != len(o) {
			return path
		}
		for i := range o {
			if p := missing(o[i], t[i], path); p != "" {
				return p
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(ours, theirs) {
			return path
		}
		return ""
	}
}

// TestKubernetesRealClient: the launcher's own client (client-go's
// dynamic client, made from a kubeconfig) sends its calls where the API
// server takes them: a stand-in server on loopback that stores what it
// is sent records each request. The namespace comes from the
// kubeconfig's context; Stop's delete of the Job asks for background
// propagation; a refusal from the server comes back naming the job and
// the namespace.
func TestKubernetesRealClient(t *testing.T) {
	var (
		mu       sync.Mutex
		requests []string
		refuse   bool
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		line := r.Method + " " + r.URL.Path
		if r.Method == http.MethodDelete {
			var o metav1.DeleteOptions
			_ = json.Unmarshal(body, &o)
			if o.PropagationPolicy != nil {
				line += " " + string(*o.PropagationPolicy)
			}
		}
		requests = append(requests, line)
		w.Header().Set("Content-Type", "application/json")
		if refuse {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,`+
				`"message":"secrets is forbidden: User \"glaciologist\" cannot create resource \"secrets\" in the namespace \"glaciers\""}`)
			return
		}
		var obj map[string]any
		_ = json.Unmarshal(body, &obj)
		switch r.Method {
		case http.MethodPost:
			obj["metadata"].(map[string]any)["uid"] = "uid-1"
			w.WriteHeader(http.StatusCreated)
		case http.MethodDelete:
			obj = map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Success"}
		}
		_ = json.NewEncoder(w).Encode(obj)
	}))
	defer srv.Close()
	kubeconfig := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: here
  cluster: {server: "`+srv.URL+`"}
users:
- name: glaciologist
  user: {token: kube-token}
contexts:
- name: glaciers
  context: {cluster: here, user: glaciologist, namespace: glaciers}
- name: other
  context: {cluster: here, user: glaciologist, namespace: other}
current-context: other
`), 0o600); err != nil {
		t.Fatal(err)
	}
	k := Kubernetes{Image: "firn:1", Kubeconfig: kubeconfig, Context: "glaciers", JobName: "hef"}
	w, err := k.Launch(context.Background(), kubeURL, Auth{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	kj := w.(*KubernetesJob)
	if err := kj.Stop(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /api/v1/namespaces/glaciers/secrets",
		"POST /apis/batch/v1/namespaces/glaciers/jobs",
		"PUT /api/v1/namespaces/glaciers/secrets/" + kj.Name,
		"DELETE /apis/batch/v1/namespaces/glaciers/jobs/" + kj.Name + " Background",
		"DELETE /api/v1/namespaces/glaciers/secrets/" + kj.Name,
	}
	mu.Lock()
	got := append([]string(nil), requests...)
	refuse, requests = true, nil
	mu.Unlock()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n%q, want\n%q", got, want)
	}
	_, err = k.Launch(context.Background(), kubeURL, Auth{Token: "t"})
	if err == nil || !regexp.MustCompile(`creating the secret of job hef-[0-9a-f]{6} in namespace glaciers: secrets is forbidden`).MatchString(err.Error()) {
		t.Errorf("error %v", err)
	}
	k.Kubeconfig = filepath.Join(t.TempDir(), "missing")
	if _, err := k.Launch(context.Background(), kubeURL, Auth{Token: "t"}); err == nil || !strings.Contains(err.Error(), "kubernetes launcher:") ||
		!strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing kubeconfig: %v", err)
	}
}

// TestKubernetesStartCommand: a command runs in one pod of a Job that
// Kubernetes does not retry (one completion, back-off limit 0), from
// the image's program with its arguments as given, in an empty folder
// made for it; its environment's values and the token are in the Secret
// only (owned by the Job), and Stop deletes both.
func TestKubernetesStartCommand(t *testing.T) {
	cs := fakeKube()
	k := Kubernetes{Image: "firn:1", Namespace: "glaciers", CPU: "1", Memory: "2Gi", JobName: "firn-kernel", Env: []string{"PLAIN=shown"}, Client: cs}
	args := []string{"firn", "kernel", "--subject", "firn.kernel.7"}
	kj, err := k.StartCommand(context.Background(), args, "/firn/workspace", []string{"HIDDEN=in the secret"}, Auth{Token: "s3cret-token"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job, secret := &batchv1.Job{}, &corev1.Secret{}
	if err := kj.api.get(ctx, jobsResource, "glaciers", kj.Name, job); err != nil {
		t.Fatal(err)
	}
	if err := kj.api.get(ctx, secretsResource, "glaciers", kj.Name, secret); err != nil {
		t.Fatal(err)
	}
	s := job.Spec
	if s.CompletionMode != nil || *s.Completions != 1 || *s.Parallelism != 1 || s.BackoffLimit == nil || *s.BackoffLimit != 0 {
		t.Errorf("job spec: mode %v, completions %v, parallelism %v, back-off %v", s.CompletionMode, s.Completions, s.Parallelism, s.BackoffLimit)
	}
	if !strings.HasPrefix(kj.Name, "firn-kernel-") || kj.Count() != 1 {
		t.Errorf("job %s, count %d", kj.Name, kj.Count())
	}
	c := s.Template.Spec.Containers[0]
	if !reflect.DeepEqual(c.Command, []string{"firn"}) || !reflect.DeepEqual(c.Args, args[1:]) || c.WorkingDir != "/firn/workspace" || c.Image != "firn:1" {
		t.Errorf("container %s: %q %q in %q", c.Image, c.Command, c.Args, c.WorkingDir)
	}
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/firn/workspace" || s.Template.Spec.Volumes[0].EmptyDir == nil {
		t.Errorf("mounts %+v, volumes %+v", c.VolumeMounts, s.Template.Spec.Volumes)
	}
	if !c.Resources.Limits.Memory().Equal(resource.MustParse("2Gi")) || !c.Resources.Requests.Cpu().Equal(resource.MustParse("1")) {
		t.Errorf("resources %v", c.Resources)
	}
	if p := s.Template.Spec; p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken || p.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("automount %v, restart %s", p.AutomountServiceAccountToken, p.RestartPolicy)
	}
	y, _ := yaml.Marshal(job)
	if bytes.Contains(y, []byte("s3cret-token")) || bytes.Contains(y, []byte("in the secret")) || !bytes.Contains(y, []byte("shown")) {
		t.Errorf("the Job shows a secret value, or not Env's:\n%s", y)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == kj.Name:
			env[e.Name] = string(secret.Data[e.ValueFrom.SecretKeyRef.Key])
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		}
	}
	if env[TokenEnv] != "s3cret-token" || env["HIDDEN"] != "in the secret" || env["PLAIN"] != "shown" {
		t.Errorf("the pod's environment %q", env)
	}
	if o := secret.OwnerReferences; len(o) != 1 || o[0].UID != job.UID || o[0].Name != kj.Name {
		t.Errorf("the secret's owners %+v", o)
	}
	if err := kj.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := kj.api.get(ctx, jobsResource, "glaciers", kj.Name, job); !apierrors.IsNotFound(err) {
		t.Errorf("job after Stop: %v", err)
	}
	if err := kj.api.get(ctx, secretsResource, "glaciers", kj.Name, secret); !apierrors.IsNotFound(err) {
		t.Errorf("secret after Stop: %v", err)
	}

	for _, tc := range []struct {
		args []string
		dir  string
		env  []string
		want string
	}{
		{nil, "", nil, "no command"},
		{[]string{"firn"}, "work", nil, `folder "work": want an absolute path`},
		{[]string{"firn"}, "", []string{"A B=1"}, `environment entry "A B=1"`},
		{[]string{"firn"}, "", []string{TokenEnv + "=x"}, "the launcher sets $" + TokenEnv},
	} {
		cs := fakeKube()
		_, err := Kubernetes{Image: "firn:1", Client: cs}.StartCommand(ctx, tc.args, tc.dir, tc.env, Auth{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q %q: %v, want %q", tc.args, tc.dir, tc.env, err, tc.want)
		}
		if len(cs.Actions()) != 0 {
			t.Errorf("%q: calls to the cluster %v", tc.args, cs.Actions())
		}
	}
}
