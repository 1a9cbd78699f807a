package symbols

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/firnglacier/firn/compute"
	"k8s.io/client-go/tools/clientcmd"
)

// sandboxedCompute returns, for the sandbox, package compute's table
// without what would let a cell reach any server or start any program:
// Connect, NewPool, StartBroker and Worker are left out (a sandboxed cell
// reaches only the broker its kernel was given, through Attach), and
// Local and Slurm are launchers without Command and Env (the program a
// worker runs and the variables it gets, such as LD_PRELOAD): their
// workers run this program's `worker` command. Kubernetes is a launcher
// without Kubeconfig: a kubeconfig names the server the launcher calls
// and may name a credential plugin, a program client-go runs on this
// machine, so a cell may not bring its own; it gets the user's ($KUBECONFIG
// or ~/.kube/config, which a cell cannot change), and whose Launch refuses
// a ServiceAccount and a Namespace other than the kubeconfig context's:
// the cell's pods run with the namespace's default service account, and
// go where the user's kubeconfig sends them. Its Command and Env stay:
// they run in the cell's Image, in the cluster, not here.
// SSH logs in to other
// machines with the user's SSH keys and agent, which a cell of a
// notebook from elsewhere must not use: the sandbox's SSH is a launcher
// that refuses, saying so, and SSHClient is left out.
func sandboxedCompute() map[string]map[string]reflect.Value {
	const key = "firn/compute/compute"
	table := Firn()[key]
	for _, name := range append(removedCompute, removedSSH...) {
		delete(table, name)
	}
	table["SSH"] = reflect.ValueOf((*SSH)(nil))
	table["Local"] = reflect.ValueOf((*Local)(nil))
	table["Slurm"] = reflect.ValueOf((*Slurm)(nil))
	table["Kubernetes"] = reflect.ValueOf((*Kubernetes)(nil))
	return map[string]map[string]reflect.Value{key: table}
}

// removedCompute are the names of package compute that sandboxed cells
// do not get.
var removedCompute = []string{"Connect", "NewPool", "StartBroker", "Worker"}

// removedSSH are the names of package compute that log in to other
// machines over SSH (compute.SSH itself is replaced by [SSH]).
var removedSSH = []string{"SSHClient"}

// whySSH is why the sandbox has no SSH launcher.
const whySSH = "it logs in to other machines with your SSH keys and agent"

// SSH is compute.SSH in the sandbox: a launcher that refuses to launch,
// since it would log in with the user's SSH keys and agent.
type SSH struct {
	Host         string
	Port         int
	User         string
	IdentityFile string
	KnownHosts   string
	Command      string
	Then         compute.Launcher
	KeepAlive    time.Duration
	StopTimeout  time.Duration
}

// Launch refuses: see [SSH].
func (s SSH) Launch(context.Context, string, compute.Auth) (compute.Workers, error) {
	return nil, &UnavailableError{Pkg: "firn/compute", Name: "SSH", Why: whySSH}
}

// String names the launcher.
func (s SSH) String() string { return "workers on " + s.Host + " (not available in Firn's sandbox)" }

// Local is compute.Local in the sandbox: N `firn worker` processes on
// this machine, with no Command or Env of the cell's choosing.
type Local struct {
	// Workers is the number of processes; 0 is 1.
	Workers int
	// Concurrency per process; 0 shares the machine's cores.
	Concurrency int
	// Stderr gets the workers' standard error (nil: discarded).
	Stderr io.Writer
	// Name prefixes the workers' names; "" is "local".
	Name string
}

func (l Local) local() compute.Local {
	return compute.Local{Workers: l.Workers, Concurrency: l.Concurrency, Stderr: l.Stderr, Name: l.Name}
}

// Launch starts the processes (compute.Local.Launch).
func (l Local) Launch(ctx context.Context, url string, auth compute.Auth) (compute.Workers, error) {
	return l.local().Launch(ctx, url, auth)
}

// String names the workers: "2 local workers".
func (l Local) String() string { return l.local().String() }

// Slurm is compute.Slurm in the sandbox: a job array of `firn worker`
// tasks, with no Command or Env of the cell's choosing.
type Slurm struct {
	Workers                 int
	Partition, Account, QoS string
	Time                    string
	CPUsPerTask             int
	Mem, MemPerCPU          string
	GPUs, Constraint        string
	Extra                   []string
	JobName                 string
	Dir                     string
}

func (s Slurm) slurm() compute.Slurm {
	return compute.Slurm{Workers: s.Workers, Partition: s.Partition, Account: s.Account, QoS: s.QoS, Time: s.Time,
		CPUsPerTask: s.CPUsPerTask, Mem: s.Mem, MemPerCPU: s.MemPerCPU, GPUs: s.GPUs, Constraint: s.Constraint,
		Extra: s.Extra, JobName: s.JobName, Dir: s.Dir}
}

// Launch submits the job array (compute.Slurm.Launch).
func (s Slurm) Launch(ctx context.Context, url string, auth compute.Auth) (compute.Workers, error) {
	return s.slurm().Launch(ctx, url, auth)
}

// Script is the job script Launch submits (compute.Slurm.Script).
func (s Slurm) Script(url string, auth compute.Auth, logDir string) (string, error) {
	return s.slurm().Script(url, auth, logDir)
}

// String names the workers: "4 Slurm workers (partition short)".
func (s Slurm) String() string { return s.slurm().String() }

// Kubernetes is compute.Kubernetes in the sandbox: an Indexed Job of
// `firn worker` pods, through the user's own kubeconfig (no Kubeconfig
// or Client of the cell's choosing), and no StartCommand (a pod running
// a program of the cell's choosing, as the user).
type Kubernetes struct {
	Workers          int
	Image            string
	Namespace        string
	CPU, Memory      string
	ServiceAccount   string
	ImagePullSecrets []string
	NodeSelector     map[string]string
	Context          string
	JobName          string
	Command          []string
	Env              []string
}

func (k Kubernetes) kubernetes() compute.Kubernetes {
	return compute.Kubernetes{Workers: k.Workers, Image: k.Image, Namespace: k.Namespace, CPU: k.CPU, Memory: k.Memory,
		ServiceAccount: k.ServiceAccount, ImagePullSecrets: k.ImagePullSecrets, NodeSelector: k.NodeSelector,
		Context: k.Context, JobName: k.JobName, Command: k.Command, Env: k.Env}
}

// Launch creates the Job (compute.Kubernetes.Launch), in the
// kubeconfig context's namespace and with its default service account
// only: a ServiceAccount, or a Namespace other than the context's, is
// refused (see [Kubernetes.sandboxed]).
func (k Kubernetes) Launch(ctx context.Context, url string, auth compute.Auth) (compute.Workers, error) {
	if err := k.sandboxed(); err != nil {
		return nil, err
	}
	return k.kubernetes().Launch(ctx, url, auth)
}

// sandboxed refuses what would let a cell's Job act with other rights
// than the user's default ones: a ServiceAccount (pods with its
// token, and the rights it has in the cluster) and a Namespace other
// than the kubeconfig context's (the namespace it works in).
func (k Kubernetes) sandboxed() error {
	if k.ServiceAccount != "" {
		return &UnavailableError{Pkg: "firn/compute", Name: "Kubernetes.ServiceAccount",
			Why: "the pods would run as service account " + k.ServiceAccount + ", with its rights in the cluster"}
	}
	if k.Namespace == "" {
		return nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: k.Context})
	ns, _, err := cc.Namespace()
	if err != nil {
		return fmt.Errorf("kubernetes launcher: the kubeconfig's namespace: %w", err)
	}
	if k.Namespace != ns {
		return &UnavailableError{Pkg: "firn/compute", Name: "Kubernetes.Namespace",
			Why: "the Job would go to namespace " + k.Namespace + ", not your kubeconfig context's, " + ns}
	}
	return nil
}

// Manifest is the Secret and Job Launch creates, as YAML
// (compute.Kubernetes.Manifest).
func (k Kubernetes) Manifest(url string, auth compute.Auth) ([]byte, error) {
	return k.kubernetes().Manifest(url, auth)
}

// String names the workers: "4 Kubernetes workers (namespace glaciers)".
func (k Kubernetes) String() string { return k.kubernetes().String() }
