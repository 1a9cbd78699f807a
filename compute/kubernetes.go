package compute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// Kubernetes starts workers as one Indexed Job (completion mode Indexed,
// as many completions as parallel pods), one pod per worker, each
// running `firn worker` from Image with one goroutine per CPU it was
// given. The broker's token goes in a Secret of the job's name that the
// pods read into $FIRN_WORKER_TOKEN, never in the Job's arguments. The
// pods must reach the broker's URL: an embedded broker listens on this
// machine's loopback, which no pod can reach, so Launch refuses a
// loopback URL; point $FIRN_COMPUTE_URL at a NATS server the cluster
// reaches (tls://…). A URL with a user name or password in it is refused
// too (the Job's arguments would show them). Unset fields leave the
// cluster's defaults.
type Kubernetes struct {
	// Workers is the number of pods (the Job's parallelism and
	// completions); 0 is 1.
	Workers int
	// Image holds the firn program (on its PATH as "firn", or see
	// Command); it is required.
	Image string
	// Namespace of the Job and its Secret; "" is the kubeconfig
	// context's namespace, else "default".
	Namespace string
	// CPU and Memory are each pod's requests and limits ("2", "500m";
	// "4Gi"). CPU, rounded up, is also the worker's concurrency; "" is
	// no request and one goroutine.
	CPU, Memory string
	// ServiceAccount runs the pods; "" is the namespace's default, with
	// its token not mounted (workers do not use the Kubernetes API).
	ServiceAccount string
	// ImagePullSecrets name Secrets in Namespace for a private registry.
	ImagePullSecrets []string
	// NodeSelector restricts the pods to nodes with these labels.
	NodeSelector map[string]string
	// Kubeconfig is the kubeconfig file; "" is $KUBECONFIG or
	// ~/.kube/config, and inside a cluster its service account. Context
	// is the kubeconfig context; "" is its current one.
	Kubeconfig, Context string
	// JobName prefixes the Job's and the Secret's name, to which Launch
	// adds a random suffix; "" is "firn-worker".
	JobName string
	// Command is the worker program and its first arguments in the
	// image; nil is "firn worker".
	Command []string
	// Env are KEY=VALUE entries added to the pods' environment; not
	// $FIRN_WORKER_TOKEN or $FIRN_POD_NAME, which the launcher sets.
	Env []string
	// Client, when not nil, is the cluster's API instead of the client
	// made from Kubeconfig and Context: a program's own dynamic client,
	// or client-go's fake one in tests (with it, Namespace "" is
	// "default").
	Client dynamic.Interface
}

// kubeAPI is what the launcher calls: client-go's dynamic client (or its
// fake, in tests), with the objects of k8s.io/api converted to and from
// it. The dynamic client, unlike client-go's typed clientset, does not
// bring every API group of Kubernetes into the program: the firn binary
// grows by 13 MB with it, by 39 MB with the typed clientset.
type kubeAPI struct {
	dyn dynamic.Interface
}

// The resources the launcher uses.
var (
	jobsResource    = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	secretsResource = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	podsResource    = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
)

// create creates obj (with its TypeMeta set) and decodes what the server
// returns into out, when not nil.
func (a *kubeAPI) create(ctx context.Context, r schema.GroupVersionResource, ns string, obj, out any) error {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	u, err := a.dyn.Resource(r).Namespace(ns).Create(ctx, &unstructured.Unstructured{Object: m}, metav1.CreateOptions{})
	if err != nil || out == nil {
		return err
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out)
}

// update replaces obj (with its TypeMeta set).
func (a *kubeAPI) update(ctx context.Context, r schema.GroupVersionResource, ns string, obj any) error {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	_, err = a.dyn.Resource(r).Namespace(ns).Update(ctx, &unstructured.Unstructured{Object: m}, metav1.UpdateOptions{})
	return err
}

// get decodes the object named name into out.
func (a *kubeAPI) get(ctx context.Context, r schema.GroupVersionResource, ns, name string, out any) error {
	u, err := a.dyn.Resource(r).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out)
}

func (a *kubeAPI) delete(ctx context.Context, r schema.GroupVersionResource, ns, name string, o metav1.DeleteOptions) error {
	return a.dyn.Resource(r).Namespace(ns).Delete(ctx, name, o)
}

// pods lists the pods with the labels selector.
func (a *kubeAPI) pods(ctx context.Context, ns, selector string) ([]corev1.Pod, error) {
	list, err := a.dyn.Resource(podsResource).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	pods := make([]corev1.Pod, len(list.Items))
	for i, u := range list.Items {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &pods[i]); err != nil {
			return nil, err
		}
	}
	return pods, nil
}

// Labels put on the pods (and the Job and Secret) of a launch. Pods are
// found by the Job's selector (the label with its UID that the Job
// controller puts on the pods it makes), not by these labels, which
// anything may carry.
const (
	kubeNameLabel     = "app.kubernetes.io/name"
	kubeInstanceLabel = "app.kubernetes.io/instance"
	kubeIndexKey      = "batch.kubernetes.io/job-completion-index"
	kubeJobNameLabel  = "batch.kubernetes.io/job-name" // set by the Job controller (Kubernetes 1.27 and later)
	kubeSecretDir     = "/var/run/secrets/firn"
	kubeCredsFile     = kubeSecretDir + "/creds"
	kubePodNameEnv    = "FIRN_POD_NAME"
)

// kubeFinishedTTL is how long Kubernetes keeps a finished Job (and, as
// it owns it, its Secret) that Stop never deleted: the pods and their
// logs stay an hour for a look, then go.
const kubeFinishedTTL = 3600

// String names the workers in progress displays: "4 Kubernetes workers
// (namespace glaciers)".
func (k Kubernetes) String() string {
	out := plural(max(1, k.Workers), "Kubernetes worker")
	if k.Namespace != "" {
		out += " (namespace " + k.Namespace + ")"
	}
	return out
}

// concurrency is each worker's number of goroutines: CPU rounded up.
func (k Kubernetes) concurrency() (int, error) {
	if k.CPU == "" {
		return 1, nil
	}
	q, err := resource.ParseQuantity(k.CPU)
	if err != nil {
		return 0, fmt.Errorf("kubernetes launcher: CPU %q: %v", k.CPU, err)
	}
	return int(max(1, q.Value())), nil
}

// Manifest returns the Secret and the Job that Launch would create for
// url, as YAML documents for `kubectl apply -f -`: a job named JobName
// and a random suffix, in Namespace (none when Namespace is "", so that
// kubectl applies it to its context's). The Secret holds auth's token,
// base64-encoded as Secrets are: the manifest is as secret as the token.
func (k Kubernetes) Manifest(url string, auth Auth) ([]byte, error) {
	if err := k.CheckBroker(url); err != nil {
		return nil, err
	}
	run, err := k.workerRun(url, auth)
	if err != nil {
		return nil, err
	}
	return k.manifest(run, auth)
}

// CommandManifest returns the Secret and the Job that StartCommand
// would create for args, dir and env, as YAML (see Manifest).
func (k Kubernetes) CommandManifest(args []string, dir string, env []string, auth Auth) ([]byte, error) {
	run, err := commandRun(args, dir, env)
	if err != nil {
		return nil, err
	}
	return k.manifest(run, auth)
}

func (k Kubernetes) manifest(run kubeRun, auth Auth) ([]byte, error) {
	name, err := k.jobName(run.jobName)
	if err != nil {
		return nil, err
	}
	secret, job, err := k.objects(name, k.Namespace, run, auth)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for i, obj := range []any{secret, job} {
		y, err := yaml.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("kubernetes launcher: job %s: %w", name, err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// jobName is JobName (or def) with a random suffix, checked as a Job's
// name must be for its pods' labels and host names.
func (k Kubernetes) jobName(def string) (string, error) {
	prefix := cmpOr(k.JobName, def)
	name := prefix + "-" + randomID(3)
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 || len(name) > 52 {
		return "", fmt.Errorf("kubernetes launcher: job name %q (JobName %q and a suffix): want at most 45 lower-case letters, digits and '-', starting and ending with a letter or digit", name, k.JobName)
	}
	return name, nil
}

// CheckBroker refuses a broker URL that pods cannot use: one on this
// machine's loopback (where the embedded broker listens), which no pod
// reaches, or one with a user name or password in it (it would be in
// the Job's arguments). Launch checks its URL so; a caller of
// StartCommand whose command connects to a broker checks it so too.
func (Kubernetes) CheckBroker(raw string) error {
	if err := checkNoURLCredentials("kubernetes", raw); err != nil {
		return err
	}
	for _, one := range strings.Split(raw, ",") {
		u, err := url.Parse(strings.TrimSpace(one))
		if err != nil || u.Host == "" {
			return fmt.Errorf("kubernetes launcher: broker URL %q: want tls://HOST:PORT or wss://HOST/PATH", one)
		}
		if isLoopback(u.Hostname()) {
			return fmt.Errorf("kubernetes launcher: the broker URL %s is this machine's loopback, which pods in the cluster cannot reach: "+
				"set $%s (and $%s or $%s) to a NATS server with JetStream that the cluster reaches, such as tls://nats.example.org:4222",
				redact(one), BrokerURLEnv, BrokerTokenEnv, BrokerCredsEnv)
		}
	}
	return nil
}

// kubeRun is what the pods of a launch run: `firn worker` in an Indexed
// Job of Workers pods (Launch), or one command in one pod that is never
// retried (StartCommand).
type kubeRun struct {
	jobName   string   // the default prefix of the Job's name
	role      string   // the pods' app.kubernetes.io/name label and the container's name
	command   []string // the container's command and arguments
	args      []string
	indexed   bool            // an Indexed Job of Workers pods, else one pod
	count     int             // worker goroutines (KubernetesJob.Count)
	secretEnv []corev1.EnvVar // NAME=VALUE of the command, kept in the Secret (set: value, key)
	dir       string          // an empty folder made for the pod, its working folder ("" none)
}

// secretEnvPrefix prefixes the Secret's keys that hold a command's
// environment.
const secretEnvPrefix = "env."

// envName is a variable name that Kubernetes, a shell and a Secret's key
// all take.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// workerRun is `firn worker` (or Command) connecting to url, one per
// pod of an Indexed Job.
func (k Kubernetes) workerRun(url string, auth Auth) (kubeRun, error) {
	conc, err := k.concurrency()
	if err != nil {
		return kubeRun{}, err
	}
	cmd := k.Command
	if cmd == nil {
		cmd = []string{"firn", "worker"}
	}
	args := []string{"--connect", url, "--concurrency", strconv.Itoa(conc), "--name", "$(" + kubePodNameEnv + ")"}
	if auth.CredsFile != "" {
		args = append(args, "--creds", kubeCredsFile)
	}
	return kubeRun{jobName: "firn-worker", role: "worker", command: cmd, args: args, indexed: true,
		count: max(1, k.Workers) * conc}, nil
}

// commandRun is args (a program in the image and its arguments) run
// once in dir with env added, the values of env kept in the Secret.
func commandRun(args []string, dir string, env []string) (kubeRun, error) {
	if len(args) == 0 || args[0] == "" {
		return kubeRun{}, errors.New("kubernetes launcher: no command")
	}
	if dir != "" && !strings.HasPrefix(dir, "/") {
		return kubeRun{}, fmt.Errorf("kubernetes launcher: the command's folder %q: want an absolute path in the container", dir)
	}
	r := kubeRun{jobName: "firn", role: "firn", command: args[:1:1], args: args[1:], count: 1, dir: dir}
	for _, kv := range env {
		key, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok || !envName.MatchString(key):
			return kubeRun{}, fmt.Errorf("kubernetes launcher: environment entry %q: want NAME=VALUE, NAME of letters, digits and '_'", kv)
		case key == TokenEnv || key == kubePodNameEnv:
			return kubeRun{}, fmt.Errorf("kubernetes launcher: environment entry %q: the launcher sets $%s", kv, key)
		}
		r.secretEnv = append(r.secretEnv, corev1.EnvVar{Name: key, Value: v})
	}
	return r, nil
}

// objects builds the Secret and the Job of a launch named name in
// namespace ns ("" leaves it out). The Secret holds auth's token (read
// into $FIRN_WORKER_TOKEN), its credentials file (mounted at
// kubeCredsFile) and the values of run's environment.
func (k Kubernetes) objects(name, ns string, run kubeRun, auth Auth) (*corev1.Secret, *batchv1.Job, error) {
	fail := func(format string, args ...any) (*corev1.Secret, *batchv1.Job, error) {
		return nil, nil, fmt.Errorf("kubernetes launcher: job %s%s: %s", name, inNamespace(ns), fmt.Sprintf(format, args...))
	}
	if k.Image == "" {
		return fail("no Image: name a container image that holds the firn program")
	}
	labels := map[string]string{kubeNameLabel: run.role, kubeInstanceLabel: name}
	meta := metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}

	secret := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: meta,
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{},
	}
	fromSecret := func(env, key string) corev1.EnvVar {
		return corev1.EnvVar{Name: env, ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}}}
	}
	env := []corev1.EnvVar{{Name: kubePodNameEnv, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
	if auth.Token != "" {
		secret.Data["token"] = []byte(auth.Token)
		env = append(env, fromSecret(TokenEnv, "token"))
	}
	for _, kv := range k.Env {
		key, v, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return fail("Env entry %q: want KEY=VALUE", kv)
		}
		if key == TokenEnv || key == kubePodNameEnv {
			return fail("Env entry %q: the launcher sets $%s (the broker's token from the Secret, and the pod's name that names the worker)", kv, key)
		}
		env = append(env, corev1.EnvVar{Name: key, Value: v})
	}
	for _, e := range run.secretEnv {
		secret.Data[secretEnvPrefix+e.Name] = []byte(e.Value)
		env = append(env, fromSecret(e.Name, secretEnvPrefix+e.Name))
	}
	var volumes []corev1.Volume
	var mounts []corev1.VolumeMount
	if auth.CredsFile != "" {
		creds, err := os.ReadFile(auth.CredsFile)
		if err != nil {
			return fail("the broker's credentials file: %v", err)
		}
		secret.Data["creds"] = creds
		volumes = append(volumes, corev1.Volume{Name: "firn-creds", VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: name, Items: []corev1.KeyToPath{{Key: "creds", Path: "creds"}}}}})
		mounts = append(mounts, corev1.VolumeMount{Name: "firn-creds", MountPath: kubeSecretDir, ReadOnly: true})
	}
	if run.dir != "" {
		volumes = append(volumes, corev1.Volume{Name: "firn-work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		mounts = append(mounts, corev1.VolumeMount{Name: "firn-work", MountPath: run.dir})
	}
	res := corev1.ResourceRequirements{}
	for _, r := range []struct {
		name  corev1.ResourceName
		field string
		v     string
	}{{corev1.ResourceCPU, "CPU", k.CPU}, {corev1.ResourceMemory, "Memory", k.Memory}} {
		if r.v == "" {
			continue
		}
		q, err := resource.ParseQuantity(r.v)
		if err != nil {
			return fail("%s %q: %v", r.field, r.v, err)
		}
		if res.Requests == nil {
			res.Requests, res.Limits = corev1.ResourceList{}, corev1.ResourceList{}
		}
		res.Requests[r.name], res.Limits[r.name] = q, q
	}
	var pullSecrets []corev1.LocalObjectReference
	for _, s := range k.ImagePullSecrets {
		pullSecrets = append(pullSecrets, corev1.LocalObjectReference{Name: s})
	}
	ttl := int32(kubeFinishedTTL)
	pod := corev1.PodSpec{
		RestartPolicy:      corev1.RestartPolicyNever,
		ServiceAccountName: k.ServiceAccount,
		ImagePullSecrets:   pullSecrets,
		NodeSelector:       k.NodeSelector,
		Volumes:            volumes,
		Containers: []corev1.Container{{
			Name:         run.role,
			Image:        k.Image,
			Command:      run.command,
			Args:         run.args,
			WorkingDir:   run.dir,
			Env:          env,
			Resources:    res,
			VolumeMounts: mounts,
			// A container that fails leaves the end of its output as
			// its termination message, which Status shows.
			TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		}},
	}
	if k.ServiceAccount == "" {
		no := false
		pod.AutomountServiceAccountToken = &no
	}
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			TTLSecondsAfterFinished: &ttl,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       pod,
			},
		},
	}
	if run.indexed {
		n := int32(max(1, k.Workers))
		indexed := batchv1.IndexedCompletion
		job.Spec.CompletionMode, job.Spec.Completions, job.Spec.Parallelism = &indexed, &n, &n
	} else {
		// One pod, never replaced: a command that fails (a kernel that
		// died) is not run again by Kubernetes.
		one, none := int32(1), int32(0)
		job.Spec.Completions, job.Spec.Parallelism, job.Spec.BackoffLimit = &one, &one, &none
	}
	return secret, job, nil
}

func inNamespace(ns string) string {
	if ns == "" {
		return ""
	}
	return " in namespace " + ns
}

// clients makes the dynamic client and finds the namespace from the
// kubeconfig (or the service account, inside a cluster).
func (k Kubernetes) clients() (*kubeAPI, string, error) {
	if k.Client != nil {
		return &kubeAPI{dyn: k.Client}, cmpOr(k.Namespace, "default"), nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = k.Kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: k.Context})
	ns := k.Namespace
	if ns == "" {
		var err error
		if ns, _, err = cc.Namespace(); err != nil {
			return nil, "", fmt.Errorf("kubernetes launcher: the kubeconfig's namespace: %w", err)
		}
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubernetes launcher: kubeconfig: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("kubernetes launcher: %w", err)
	}
	return &kubeAPI{dyn: dyn}, ns, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Launch creates the Secret with the broker's token, then the Indexed
// Job whose pods read it; the Secret is then owned by the Job, so that
// Kubernetes removes it with the Job.
func (k Kubernetes) Launch(ctx context.Context, url string, auth Auth) (Workers, error) {
	if err := k.CheckBroker(url); err != nil {
		return nil, err
	}
	run, err := k.workerRun(url, auth)
	if err != nil {
		return nil, err
	}
	return k.start(ctx, run, auth)
}

// StartCommand creates one pod (a Job of one completion, with a back-off
// limit of 0: Kubernetes does not run it again) that runs args, a
// program in Image and its arguments (Workers and Command are not used),
// from dir, an empty folder made for the pod (an absolute path in the
// container; "" is the image's working folder). env (NAME=VALUE) is
// added to the pod's environment, after Env; its values and auth's
// token ($FIRN_WORKER_TOKEN) are kept in the Job's Secret, never in the
// Job, and a credentials file is mounted at
// /var/run/secrets/firn/creds. The Job owns the Secret; Stop deletes
// both, Status reports the pod. A remote kernel is such a pod (`firn
// kernel --transport nats`); a command that connects to a broker needs
// one the pods reach (see CheckBroker).
func (k Kubernetes) StartCommand(ctx context.Context, args []string, dir string, env []string, auth Auth) (*KubernetesJob, error) {
	run, err := commandRun(args, dir, env)
	if err != nil {
		return nil, err
	}
	return k.start(ctx, run, auth)
}

// start creates run's Secret, then its Job, and gives the Secret to the
// Job.
func (k Kubernetes) start(ctx context.Context, run kubeRun, auth Auth) (*KubernetesJob, error) {
	api, ns, err := k.clients()
	if err != nil {
		return nil, err
	}
	name, err := k.jobName(run.jobName)
	if err != nil {
		return nil, err
	}
	secret, job, err := k.objects(name, ns, run, auth)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("job %s in namespace %s", name, ns)
	if err := api.create(ctx, secretsResource, ns, secret, nil); err != nil {
		return nil, fmt.Errorf("kubernetes launcher: creating the secret of %s: %w", where, err)
	}
	created := &batchv1.Job{}
	if err := api.create(ctx, jobsResource, ns, job, created); err != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		derr := api.delete(dctx, secretsResource, ns, name, metav1.DeleteOptions{})
		cancel()
		if derr != nil && !apierrors.IsNotFound(derr) {
			err = errors.Join(err, fmt.Errorf("deleting its secret: %w", derr))
		}
		return nil, fmt.Errorf("kubernetes launcher: creating %s: %w", where, err)
	}
	kj := &KubernetesJob{Name: name, Namespace: ns, api: api, count: run.count,
		selector: kubeJobNameLabel + "=" + name}
	if sel := created.Spec.Selector; sel != nil { // the API server's: the Job's UID
		if s, err := metav1.LabelSelectorAsSelector(sel); err == nil && !s.Empty() {
			kj.selector = s.String()
		}
	}
	// The Job owns its Secret: when the Job goes (Stop, or its TTL after
	// it finished), Kubernetes's garbage collector takes the Secret too.
	// (No BlockOwnerDeletion: the Job is deleted in the background, and
	// setting it would need the right to update jobs/finalizers.)
	secret.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: name, UID: created.UID}}
	if err := api.update(ctx, secretsResource, ns, secret); err != nil {
		return nil, errors.Join(fmt.Errorf("kubernetes launcher: giving the secret of %s to its job: %w", where, err), kj.Stop())
	}
	return kj, nil
}

// KubernetesJob is the Job of a Kubernetes launch: the Indexed Job of
// Launch's workers, or the one pod of StartCommand.
type KubernetesJob struct {
	// Name of the Job (and of its Secret), Namespace theirs.
	Name, Namespace string
	api             *kubeAPI
	count           int
	selector        string // the label selector of the Job's pods
	once            sync.Once
	err             error
}

// String names the job: "Kubernetes job firn-worker-3fa9c1 (namespace
// default)".
func (j *KubernetesJob) String() string {
	return "Kubernetes job " + j.Name + " (namespace " + j.Namespace + ")"
}

// Count is the number of worker goroutines asked for.
func (j *KubernetesJob) Count() int { return j.count }

// Stop deletes the Job, its pods with it (propagation Background), and
// its Secret. One already gone is not an error.
func (j *KubernetesJob) Stop() error {
	if j.api == nil {
		return errors.New("kubernetes launcher: a KubernetesJob not made by Launch")
	}
	j.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		bg := metav1.DeletePropagationBackground
		var errs []error
		if err := j.api.delete(ctx, jobsResource, j.Namespace, j.Name, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("kubernetes launcher: deleting job %s in namespace %s: %w", j.Name, j.Namespace, err))
		}
		if err := j.api.delete(ctx, secretsResource, j.Namespace, j.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("kubernetes launcher: deleting secret %s of job %s in namespace %s: %w", j.Name, j.Name, j.Namespace, err))
		}
		j.err = errors.Join(errs...)
	})
	return j.err
}

// A KubernetesPod is the state of one worker pod as Kubernetes reports
// it.
type KubernetesPod struct {
	// Name of the pod; Index its completion index (the worker's number).
	Name, Index string
	// Phase: Pending, Running, Succeeded, Failed or Unknown.
	Phase string
	// Reason and Message say why a pod waits or failed: Unschedulable
	// (and the scheduler's message), ContainerCreating, ErrImagePull,
	// ImagePullBackOff, CrashLoopBackOff, OOMKilled, Error, …
	Reason, Message string
}

// String is the pod's status line: "firn-worker-3fa9c1-0-x7k2p (worker
// 0): Pending, Unschedulable: 0/3 nodes are available: 3 Insufficient
// cpu".
func (p KubernetesPod) String() string {
	s := p.Name
	if p.Index != "" {
		s += " (worker " + p.Index + ")"
	}
	s += ": " + p.Phase
	if p.Reason != "" {
		s += ", " + p.Reason
	}
	if p.Message != "" {
		s += ": " + p.Message
	}
	return s
}

// Status lists the Job's pods with their phases and, for those waiting
// or failed, why. A Job deleted, failed (its pods failed more often
// than its back-off limit: the default 6 for workers, 0 for a command)
// or complete (every worker ended) is an error that says so, and is
// ErrJobGone.
func (j *KubernetesJob) Status(ctx context.Context) ([]KubernetesPod, error) {
	if j.api == nil {
		return nil, errors.New("kubernetes launcher: a KubernetesJob not made by Launch")
	}
	job := &batchv1.Job{}
	err := j.api.get(ctx, jobsResource, j.Namespace, j.Name, job)
	if apierrors.IsNotFound(err) {
		return nil, &jobGoneError{j: j, why: "it was deleted"}
	}
	if err != nil {
		return nil, fmt.Errorf("kubernetes launcher: job %s in namespace %s: %w", j.Name, j.Namespace, err)
	}
	list, err := j.api.pods(ctx, j.Namespace, cmpOr(j.selector, kubeJobNameLabel+"="+j.Name))
	if err != nil {
		return nil, fmt.Errorf("kubernetes launcher: the pods of job %s in namespace %s: %w", j.Name, j.Namespace, err)
	}
	var pods []KubernetesPod
	for _, p := range list {
		pods = append(pods, podState(p))
	}
	for _, c := range job.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
			why := "it failed"
			if c.Reason != "" {
				why += " (" + c.Reason + ")"
			}
			if c.Message != "" {
				why += ": " + c.Message
			}
			return pods, &jobGoneError{j: j, why: why}
		}
		if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
			return pods, &jobGoneError{j: j, why: "all its workers have ended"}
		}
	}
	return pods, nil
}

// ErrJobGone is what Status's error for a Job that no longer runs
// (deleted, failed or complete) is (errors.Is).
var ErrJobGone = errors.New("the Kubernetes job is gone")

// jobGoneError is Status's error for a Job that no longer runs workers.
type jobGoneError struct {
	j   *KubernetesJob
	why string
}

func (e *jobGoneError) Is(target error) bool { return target == ErrJobGone }

func (e *jobGoneError) Error() string {
	return fmt.Sprintf("kubernetes launcher: job %s in namespace %s is gone: %s", e.j.Name, e.j.Namespace, e.why)
}

// podState is a pod's phase and, if it waits or failed, the reason
// Kubernetes gives: the scheduler's, else its container's.
func podState(p corev1.Pod) KubernetesPod {
	kp := KubernetesPod{Name: p.Name, Index: p.Annotations[kubeIndexKey], Phase: string(p.Status.Phase),
		Reason: p.Status.Reason, Message: p.Status.Message}
	if kp.Index == "" {
		kp.Index = p.Labels[kubeIndexKey]
	}
	if kp.Phase == "" {
		kp.Phase = string(corev1.PodPending)
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
			kp.Reason, kp.Message = c.Reason, c.Message
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			kp.Reason, kp.Message = cs.State.Waiting.Reason, cs.State.Waiting.Message
		case cs.State.Terminated != nil && p.Status.Phase == corev1.PodFailed:
			t := cs.State.Terminated
			kp.Reason = cmpOr(t.Reason, "Error")
			kp.Message = cmpOr(t.Message, fmt.Sprintf("exit code %d", t.ExitCode))
		}
	}
	return kp
}
