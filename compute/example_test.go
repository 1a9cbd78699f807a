package compute_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/firnglacier/firn/compute"
)

// Three experiments that differ in their ELA, run by a worker through an
// embedded broker. Here the worker is a goroutine of this process; `firn
// worker` and the launchers start it as a process, on this machine or on
// others.
func Example() {
	dir, err := os.MkdirTemp("", "firn-compute-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	broker, err := compute.StartBroker(compute.BrokerOptions{Dir: dir})
	if err != nil {
		panic(err)
	}
	defer broker.Close()
	auth := compute.Auth{Token: broker.Token()}

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- (&compute.Worker{URL: broker.URL(), Auth: auth, Concurrency: 2}).Run(ctx) }()

	pool, err := compute.NewPool(ctx, broker.URL(), auth, compute.PoolOptions{})
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	var tasks []compute.Task
	for _, ela := range []int{2500, 2600, 2700} {
		tasks = append(tasks, compute.Task{
			Name: fmt.Sprintf("ela%d.json", ela),
			Data: fmt.Appendf(nil, `{"flowlines": [{"dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 200}, "width_m": 300}],
			  "mass_balance": {"type": "linear", "ela_m": %d, "gradient_mm_we_per_m": 3}, "years": {"end": 300}}`, ela),
		})
	}
	job, err := pool.Submit(ctx, tasks, compute.SubmitOptions{})
	if err != nil {
		panic(err)
	}
	results, err := job.Wait(ctx, nil)
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		h := r.History
		last := h.Len() - 1
		fmt.Printf("%s: %.4g km³, %.4g km long after %g years\n", r.Name, h.Volume[last]/1e9, h.Length[last]/1e3, h.Year[last])
	}
	stop()
	if err := <-done; err != nil {
		panic(err)
	}
	// Output:
	// ela2500.json: 0.5662 km³, 10.3 km long after 300 years
	// ela2600.json: 0.3842 km³, 7.7 km long after 300 years
	// ela2700.json: 0.2277 km³, 5.2 km long after 300 years
}

// One experiment varied over ELA values: a task per value, each labelled
// for the plot's legend. pool.Map(ctx, tasks) runs them.
func ExampleVary() {
	base := compute.Task{Name: "glacier.json", Data: []byte(`{"flowlines": [{"dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 200}, "width_m": 300}],
	  "mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3}, "years": {"end": 300}}`)}
	tasks, err := compute.Vary(base, "mass_balance.ela_m", compute.Steps(2500, 2700, 50)...)
	if err != nil {
		panic(err)
	}
	for _, t := range tasks {
		fmt.Printf("%s: %s\n", t.Label, t.Name)
	}
	// Output:
	// ela_m = 2500: glacier.json with mass_balance.ela_m = 2500
	// ela_m = 2550: glacier.json with mass_balance.ela_m = 2550
	// ela_m = 2600: glacier.json with mass_balance.ela_m = 2600
	// ela_m = 2650: glacier.json with mass_balance.ela_m = 2650
	// ela_m = 2700: glacier.json with mass_balance.ela_m = 2700
}

// The Indexed Job (and its Secret) that a Kubernetes launch creates, as
// YAML for kubectl: four pods of two CPUs, each a worker of two
// goroutines, reading the broker's token from the Secret.
func ExampleKubernetes_Manifest() {
	k := compute.Kubernetes{Image: "registry.example.org/firn:1", Namespace: "glaciers", Workers: 4, CPU: "2", Memory: "4Gi"}
	manifest, err := k.Manifest("tls://nats.example.org:4222", compute.Auth{Token: "T"})
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(manifest), "\n") {
		switch strings.TrimSpace(line) {
		case "kind: Secret", "kind: Job", "completionMode: Indexed", "parallelism: 4", "- --concurrency", `- "2"`, "- name: FIRN_WORKER_TOKEN":
			fmt.Println(strings.TrimSpace(line))
		}
	}
	_, err = k.Manifest("nats://127.0.0.1:4222", compute.Auth{Token: "T"})
	fmt.Println(err != nil)
	// Output:
	// kind: Secret
	// kind: Job
	// completionMode: Indexed
	// parallelism: 4
	// - --concurrency
	// - "2"
	// - name: FIRN_WORKER_TOKEN
	// true
}

// An SSH launcher: a notebook on a laptop submits Slurm workers on a
// cluster's login node (here only described, not attached).
func ExampleSSH() {
	login := compute.SSH{Host: "login.hpc.example.org", User: "glacier",
		Then: compute.Slurm{Partition: "short", Workers: 4, Time: "1:00:00"}}
	// In a cell: pool, err := compute.Attach(ctx, login)
	fmt.Println(login)
	// Output: 4 Slurm workers (partition short) on login.hpc.example.org
}
