package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/firnglacier/firn/compute"
)

// KubernetesLauncher starts each kernel in a pod of a Kubernetes cluster
// (compute.Kubernetes.StartCommand: a Job of one pod that Kubernetes
// does not retry), running `firn kernel --transport nats` from the
// image, which connects out to a NATS broker that both the pod and this
// client reach. Pods cannot reach this machine's loopback, where an
// embedded broker listens, so Broker is required: an external NATS
// server with JetStream, over TLS ($FIRN_COMPUTE_URL, or broker= of
// `--kernel kubernetes:…` and of a kernel profile). The broker's token
// and the kernel's environment go in the Job's Secret, never in its
// arguments. While the pod waits, Status hears its phase and
// Kubernetes's reason ("Kubernetes pod firn-kernel-3fa9c1-x7k2p:
// pending (Unschedulable: 0/3 nodes are available: 3 Insufficient
// cpu.)"); when it ends, the kernel's death says how (its phase, and
// the container's reason and message: OOMKilled, Error and the end of
// its output). Shutdown, a restart and Kill delete the Job, and its pod
// and Secret with it.
//
// The kernel's workspace is an empty folder of the pod's
// (/firn/workspace), gone with it: cells that read data files read them
// from the image or the network, not from the notebook's folder.
type KubernetesLauncher struct {
	// Kubernetes holds the pod's settings: Image (required), Namespace,
	// CPU and Memory (the pod's requests and limits; the kernel's own
	// memory limit is kept within 9/10 of Memory, so that a cell that needs
	// more ends with a MemoryLimit error rather than the pod being
	// killed for its memory), ServiceAccount,
	// ImagePullSecrets, NodeSelector, Kubeconfig, Context, Env; JobName
	// ("" is firn-kernel). Workers is not used, and of Command only its
	// first element, the firn program in the image ("" is firn on the
	// image's PATH).
	Kubernetes compute.Kubernetes
	// Broker is the NATS URL both sides reach (required); Auth proves
	// both sides to it (a token: the kernel reads no credentials file).
	Broker string
	Auth   compute.Auth
	// Status hears the pod's state while Launch waits (as Spec.Status).
	Status func(string)

	// loopback lets a broker on this machine's loopback (Broker "":
	// one embedded for the kernel's life) serve the pods: tests only,
	// whose kubelet runs the pod's command on this machine.
	loopback bool
	// poll is how often the pod's state is read (0: kubePoll).
	poll time.Duration
}

// kubePoll is how often a Kubernetes kernel's client reads its pod's
// state, while it waits for the kernel and while the kernel runs.
const kubePoll = 2 * time.Second

// kubeWorkspace is the kernel's workspace in its pod: an empty folder
// made for the pod.
const kubeWorkspace = "/firn/workspace"

// Info is kubernetes, nats.
func (KubernetesLauncher) Info() LauncherInfo {
	return LauncherInfo{Name: "kubernetes", Transport: "nats"}
}

// KubernetesLauncherNamed reads "kubernetes:KEY=VALUE,…" (`--kernel` of
// serve, run and repl, and a kernel profile's "kernel") into a
// KubernetesLauncher. The keys: image (required), namespace, cpu,
// memory, service-account, pull-secret, context, kubeconfig, firn (the
// program in the image) and broker (a NATS URL that the cluster's pods
// reach, tls://…; its token in $FIRN_WORKER_TOKEN). Without broker, the
// broker of the server's environment: $FIRN_COMPUTE_URL with
// $FIRN_COMPUTE_TOKEN.
func KubernetesLauncherNamed(name string) (Launcher, error) {
	var l KubernetesLauncher
	err := specOptions(name, func(k, v string) error {
		switch k {
		case "image":
			l.Kubernetes.Image = v
		case "namespace":
			l.Kubernetes.Namespace = v
		case "cpu":
			l.Kubernetes.CPU = v
		case "memory":
			l.Kubernetes.Memory = v
		case "service-account":
			l.Kubernetes.ServiceAccount = v
		case "pull-secret":
			l.Kubernetes.ImagePullSecrets = append(l.Kubernetes.ImagePullSecrets, v)
		case "context":
			l.Kubernetes.Context = v
		case "kubeconfig":
			l.Kubernetes.Kubeconfig = v
		case "firn":
			l.Kubernetes.Command = []string{v}
		case "broker":
			l.Broker = v
			l.Auth.Token = os.Getenv(compute.TokenEnv)
		default:
			return fmt.Errorf("kernel %q: unknown key %q (want image, namespace, cpu, memory, service-account, pull-secret, context, kubeconfig, firn or broker)", name, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if l.Kubernetes.Image == "" {
		return nil, fmt.Errorf("kernel %q: no image: name the container image that holds the firn program (kubernetes:image=registry.example.org/firn:1,…)", name)
	}
	if l.Broker == "" {
		l.Broker = os.Getenv(compute.BrokerURLEnv)
		l.Auth.Token = os.Getenv(compute.BrokerTokenEnv)
	}
	return l, nil
}

// Launch creates the kernel's pod and waits for its hello.
func (l KubernetesLauncher) Launch(ctx context.Context, spec Spec) (Process, error) {
	if len(spec.Command) == 0 {
		return nil, errors.New("kernel: no command")
	}
	if spec.RunAs != nil {
		return nil, fmt.Errorf("kernel: a Kubernetes kernel runs as its image's user, not as %s", spec.RunAs.Name)
	}
	if len(spec.Cgroups) > 0 {
		return nil, errors.New("kernel: a Kubernetes kernel's CPU and memory are Kubernetes's to bound (its pod's requests and limits), not this machine's cgroups")
	}
	if l.Auth.CredsFile != "" {
		return nil, errors.New("kernel: a Kubernetes kernel proves itself to the broker with a token ($FIRN_WORKER_TOKEN), not a credentials file")
	}
	switch {
	case l.Broker == "" && !l.loopback:
		return nil, fmt.Errorf("kernel: a Kubernetes kernel needs a NATS broker that the cluster's pods reach, and this machine's own listens on its loopback: "+
			"set $%s (and $%s) to a NATS server with JetStream that both reach, over TLS, or give broker=tls://HOST:PORT in --kernel kubernetes:… or in the kernel profile (its token in $%s)",
			compute.BrokerURLEnv, compute.BrokerTokenEnv, compute.TokenEnv)
	case l.Broker != "" && !l.loopback:
		if err := l.Kubernetes.CheckBroker(l.Broker); err != nil {
			return nil, fmt.Errorf("kernel: %w (or give broker=tls://HOST:PORT in --kernel kubernetes:… or in the kernel profile)", err)
		}
	}
	m, err := meet(l.Broker, l.Auth, "")
	if err != nil {
		return nil, err
	}
	defer m.helloSub.Unsubscribe()
	firn := "firn"
	if len(l.Kubernetes.Command) > 0 && l.Kubernetes.Command[0] != "" {
		firn = l.Kubernetes.Command[0]
	}
	podMemory := int64(0)
	if l.Kubernetes.Memory != "" {
		q, err := resource.ParseQuantity(l.Kubernetes.Memory)
		if err != nil {
			return nil, fmt.Errorf("kernel: the pod's memory %q: %w", l.Kubernetes.Memory, err)
		}
		podMemory = q.Value()
	}
	args := []string{firn}
	for i := 1; i < len(spec.Command); i++ {
		a := spec.Command[i]
		args = append(args, a)
		switch {
		case a == "--workspace" && i+1 < len(spec.Command):
			// The pod's folder, not this machine's.
			args = append(args, kubeWorkspace)
			i++
		case a == "--memory-limit" && i+1 < len(spec.Command) && podMemory > 0:
			// Within the pod's limit, with room for the rest of the
			// process: the cell gets MemoryLimit, not an OOMKilled pod.
			limit, err := strconv.ParseInt(spec.Command[i+1], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("kernel: --memory-limit %q: %w", spec.Command[i+1], err)
			}
			args = append(args, strconv.FormatInt(min(limit, podMemory/10*9), 10))
			i++
		}
	}
	args = append(args, "--transport", "nats", "--connect", m.url, "--subject", m.subject)
	k := l.Kubernetes
	if k.JobName == "" {
		k.JobName = "firn-kernel"
	}
	job, err := k.StartCommand(ctx, args, kubeWorkspace, hostEnv(spec.Env), compute.Auth{Token: m.auth.Token})
	if err != nil {
		m.cleanup()
		return nil, fmt.Errorf("kernel: %w", err)
	}
	p := &kubeProcess{meeting: m, job: job, stderr: spec.Stderr, done: make(chan struct{}),
		statuses: make(chan string, 8), launched: make(chan struct{})}
	defer close(p.launched)
	ended, stop := context.WithCancel(context.Background())
	p.remoteLink.ended, p.remoteLink.endErr, p.endLink = ended, p.endError, stop
	poll := l.poll
	if poll == 0 {
		poll = kubePoll
	}
	go p.watch(poll)
	for {
		select {
		case <-m.hello:
			return p, nil
		case <-p.done:
			err := p.endError()
			p.stop()
			return nil, fmt.Errorf("kernel: the kernel never started: it %w", err)
		case <-ctx.Done():
			p.stop()
			return nil, fmt.Errorf("kernel: waiting for %s: %w", p.where(), ctx.Err())
		case msg := <-p.statuses:
			for _, f := range []func(string){l.Status, spec.Status} {
				if f != nil {
					f(msg)
				}
			}
		}
	}
}

// kubeProcess is a kernel in a Kubernetes pod.
type kubeProcess struct {
	*meeting
	job    *compute.KubernetesJob
	stderr io.Writer

	statuses chan string   // the pod's state while Launch waits
	launched chan struct{} // closed when Launch has returned
	done     chan struct{} // closed when the pod has ended or the Job is gone
	endLink  context.CancelFunc
	once     sync.Once

	mu   sync.Mutex
	pod  compute.KubernetesPod // as last seen
	gone string                // why the Job is gone, if it is
}

// podPhrase is a pod's phase and why: "pending (Unschedulable: 0/3
// nodes are available…)", "failed (OOMKilled: exit code 137)".
func podPhrase(p compute.KubernetesPod) string {
	s := strings.ToLower(p.Phase)
	if p.Reason != "" {
		s += " (" + p.Reason
		// A failed container's message is the end of its output: its
		// first line here, the rest on the spec's Stderr.
		if msg, rest, cut := strings.Cut(strings.TrimSpace(p.Message), "\n"); msg != "" {
			if cut && rest != "" {
				msg += " …"
			}
			s += ": " + msg
		}
		s += ")"
	}
	return s
}

// where names the pod (once there is one) or else its Job.
func (p *kubeProcess) where() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pod.Name != "" {
		return "Kubernetes pod " + p.pod.Name + " (namespace " + p.job.Namespace + ")"
	}
	return p.job.String()
}

// watch reads the pod's state every poll until it has ended (or its
// Job is gone), telling Launch each change while it waits; then copies
// the container's termination message (the end of its output, when it
// failed) to the spec's Stderr, where a kernel's fatal error is read
// from, and closes done.
func (p *kubeProcess) watch(poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	last := ""
	for {
		pods, err := p.job.Status(context.Background())
		p.mu.Lock()
		if len(pods) > 0 {
			p.pod = pods[len(pods)-1]
		}
		if errors.Is(err, compute.ErrJobGone) {
			p.gone = err.Error()
		}
		pod, gone := p.pod, p.gone
		p.mu.Unlock()
		ended := gone != "" || pod.Phase == "Failed" || pod.Phase == "Succeeded"
		if ended {
			break
		}
		msg := ""
		switch {
		case err != nil:
			msg = fmt.Sprintf("%s: %v", p.job, err)
		case pod.Name == "":
			msg = p.job.String() + ": waiting for its pod"
		default:
			msg = "Kubernetes pod " + pod.Name + ": " + podPhrase(pod)
		}
		if msg != last {
			select {
			case p.statuses <- msg:
			case <-p.launched:
			}
			last = msg
		}
		<-t.C
	}
	p.mu.Lock()
	pod := p.pod
	p.mu.Unlock()
	if p.stderr != nil && pod.Phase == "Failed" && pod.Message != "" {
		_, _ = io.WriteString(p.stderr, pod.Message+"\n")
	}
	close(p.done)
	p.endLink()
}

// endError says how the pod ended, for a Receive or Wait after it.
func (p *kubeProcess) endError() error {
	p.mu.Lock()
	pod, gone := p.pod, p.gone
	p.mu.Unlock()
	switch {
	case pod.Name == "":
		return fmt.Errorf("ended with its %s before it had a pod: %s", p.job, cmpOr(gone, "its job ended"))
	case pod.Phase == "Failed" || pod.Phase == "Succeeded":
		return fmt.Errorf("ended with its Kubernetes pod %s (namespace %s): %s", pod.Name, p.job.Namespace, podPhrase(pod))
	default:
		return fmt.Errorf("ended with its Kubernetes pod %s (namespace %s), last seen %s: %s", pod.Name, p.job.Namespace, podPhrase(pod), gone)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// stop deletes the Job and closes the connection and the broker.
func (p *kubeProcess) stop() {
	p.once.Do(func() {
		_ = p.job.Stop()
		p.cleanup()
	})
}

// Close says bye to the kernel, which then ends, and deletes its Job
// once the pod has ended (or it has not within remoteSilence).
func (p *kubeProcess) Close() error {
	_ = p.remoteLink.Close()
	go func() {
		select {
		case <-p.done:
		case <-time.After(remoteSilence):
		}
		p.stop()
	}()
	return nil
}

// Kill deletes the Job: Kubernetes ends its pod.
func (p *kubeProcess) Kill() error { return p.job.Stop() }

// Wait waits until the pod has ended or its Job is gone, and says how.
func (p *kubeProcess) Wait() error {
	<-p.done
	return p.endError()
}
