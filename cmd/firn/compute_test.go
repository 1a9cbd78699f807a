package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/testslurm"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func writeExperiment(t *testing.T, path string, points int, ela float64, years int) {
	t.Helper()
	doc := fmt.Sprintf(`{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": %d}, "width_m": 300}],
 "mass_balance": {"type": "linear", "ela_m": %g, "gradient_mm_we_per_m": 3}, "years": {"end": %d}}`, points, ela, years)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestModelRunOnLocal: a folder of experiments and one more file run on
// two local workers; each run's CSV is byte for byte what firn model run
// writes for that file alone, and compiled.csv has every run's rows.
func TestModelRunOnLocal(t *testing.T) {
	dir := t.TempDir()
	exps, out, store := filepath.Join(dir, "exps"), filepath.Join(dir, "out"), filepath.Join(dir, "store")
	var files []string
	for i, ela := range []float64{2400, 2500, 2600, 2700, 2800} {
		f := filepath.Join(exps, fmt.Sprintf("ela%d.json", int(ela)))
		writeExperiment(t, f, 60+10*i, ela, 100+50*i)
		files = append(files, f)
	}
	yaml := filepath.Join(dir, "tributary.yaml")
	data, err := os.ReadFile(filepath.Join("..", "..", "engine", "experiment", "testdata", "tributary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(yaml, data, 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, yaml)
	r := firn(t, "", "model", "run", exps, yaml, "--on", "local", "--workers", "2", "--out-dir", out, "--store", store)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "runs: 6 of 6 done") || !strings.Contains(r.stderr, "6 runs: 6 done, 0 failed") {
		t.Errorf("progress and summary on stderr: %q", r.stderr)
	}
	compiled, err := os.ReadFile(filepath.Join(out, "compiled.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := readRows(t, string(compiled))
	if strings.Join(rows[0], ",") != "run,year,volume_m3,area_m2,length_m" {
		t.Fatalf("compiled.csv header %v", rows[0])
	}
	total := 1
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		got, err := os.ReadFile(filepath.Join(out, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		one := firn(t, "", "model", "run", f, "--quiet")
		if one.code != 0 {
			t.Fatalf("%s alone: %s", f, one.stderr)
		}
		if string(got) != one.stdout {
			t.Errorf("%s.csv differs from firn model run %s", name, filepath.Base(f))
		}
		// Its rows in the compiled file, in order, with its name.
		lines := strings.Split(strings.TrimSpace(one.stdout), "\n")[1:]
		for k, line := range lines {
			if total+k >= len(rows) || strings.Join(rows[total+k], ",") != name+","+line {
				t.Fatalf("compiled.csv row %d: %v, want %s,%s", total+k, rows[min(total+k, len(rows)-1)], name, line)
			}
		}
		total += len(lines)
	}
	if total != len(rows) {
		t.Errorf("compiled.csv has %d rows, want %d", len(rows), total)
	}
	// compiled.nc, opened by xarray, holds the same runs: for each run and
	// year of compiled.csv its volume, area and length, and NaN in the
	// years a run did not reach.
	if err := exec.Command("/usr/bin/python3", "-c", "import xarray, scipy").Run(); err != nil {
		t.Skip("no xarray and scipy for /usr/bin/python3 (apt-get install python3-xarray python3-scipy; scripts/test.sh does)")
	}
	script := `
import math, sys, xarray as xr
ds = xr.open_dataset(sys.argv[1])
for r in ds.run.values:
    run = ds.sel(run=r)
    for i, y in enumerate(ds.time.values):
        v = [float(run[k].values[i]) for k in ("volume", "area", "length")]
        if not math.isnan(v[0]):
            print(",".join([str(r), repr(float(y))] + [repr(x) for x in v]))
`
	nc, err := exec.Command("/usr/bin/python3", "-c", script, filepath.Join(out, "compiled.nc")).CombinedOutput()
	if err != nil {
		t.Fatalf("xarray on compiled.nc: %v\n%s", err, nc)
	}
	fromNC := readRows(t, string(nc))
	if len(fromNC) != len(rows)-1 {
		t.Fatalf("compiled.nc has %d run-years, compiled.csv %d", len(fromNC), len(rows)-1)
	}
	byKey := map[string][]string{}
	for _, r := range rows[1:] {
		byKey[r[0]+"|"+r[1]] = r
	}
	for _, r := range fromNC {
		y, _ := strconv.ParseFloat(r[1], 64)
		want, ok := byKey[r[0]+"|"+strconv.FormatFloat(y, 'f', -1, 64)]
		if !ok {
			t.Fatalf("compiled.nc has run %s year %s, which compiled.csv lacks", r[0], r[1])
		}
		for k := 2; k < 5; k++ {
			a, _ := strconv.ParseFloat(r[k], 64)
			b, _ := strconv.ParseFloat(want[k], 64)
			if math.Abs(a-b) > 1e-12*math.Abs(b) {
				t.Errorf("run %s year %s column %d: compiled.nc %s, compiled.csv %s", r[0], r[1], k, r[k], want[k])
			}
		}
	}
	if !strings.Contains(r.stderr, "compiled.csv and compiled.nc in") {
		t.Errorf("the summary does not name compiled.nc: %q", r.stderr)
	}
}

// TestModelRunOnLocalErrors: a bad file among many is refused before
// anything runs (exit 2, the file and key named, nothing written); bad
// flag combinations are usage errors.
func TestModelRunOnLocalErrors(t *testing.T) {
	dir := t.TempDir()
	out, store := filepath.Join(dir, "out"), filepath.Join(dir, "store")
	writeExperiment(t, filepath.Join(dir, "good.json"), 30, 2600, 10)
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"flowlines": [], "mass_balance": {"type": "linear", "ela": 1}, "years": {"end": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{dir, "--on", "local", "--out-dir", out, "--store", store}, "bad.json"},
		{[]string{filepath.Join(dir, "good.json"), "--on", "local"}, "--out-dir"},
		{[]string{filepath.Join(dir, "good.json"), "--on", "kubernetes", "--out-dir", out}, "--on kubernetes needs --image"},
		{[]string{filepath.Join(dir, "good.json"), "--on", "kubernetes", "--image", "firn:1", "--out-dir", out}, "--on kubernetes needs --connect URL"},
		{[]string{filepath.Join(dir, "good.json"), "--on", "local", "--manifest", "--out-dir", out}, "--manifest goes with --on kubernetes"},
		{[]string{filepath.Join(dir, "good.json"), filepath.Join(dir, "good.json")}, "--on local"},
		{[]string{filepath.Join(dir, "good.json"), "--out-dir", out}, "--on local"},
	}
	for _, tc := range tests {
		r := firn(t, "", append([]string{"model", "run"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("the output folder was made for a refused run")
	}
}

// TestModelRunOnLocalInterrupt: Ctrl-C during a pool run ends with
// status 130, writes nothing, and leaves no task of the job in the
// broker.
func TestModelRunOnLocalInterrupt(t *testing.T) {
	dir := t.TempDir()
	exps, out, store := filepath.Join(dir, "exps"), filepath.Join(dir, "out"), filepath.Join(dir, "store")
	writeExperiment(t, filepath.Join(exps, "a_short.json"), 30, 2600, 10)
	for i := range 9 {
		writeExperiment(t, filepath.Join(exps, fmt.Sprintf("long%d.json", i)), 200, 2600, 100000)
	}
	cmd := exec.Command(firnBin, "model", "run", exps, "--on", "local", "--workers", "1", "--concurrency", "2", "--out-dir", out, "--store", store)
	// Once the short run has ended, the long ones are running.
	rest := interruptAt(t, cmd, func(line string) bool { return strings.HasPrefix(line, "runs: 1 of 10 done") })
	if !strings.Contains(rest, "interrupted") {
		t.Errorf("stderr %q", rest)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("an interrupted run wrote its output folder")
	}
	// The broker's store: no chunk is left for a worker to pick up.
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: store})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	nc, err := nats.Connect(b.URL(), nats.Token(b.Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	s, err := js.Stream(context.Background(), "FIRN_TASKS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Errorf("%d chunks of the interrupted job are still in the broker", info.State.Msgs)
	}
}

// TestWorkerRefusesClearText: firn worker will not send its token in
// clear to another machine, and says what to use instead.
func TestWorkerRefusesClearText(t *testing.T) {
	r := firn(t, "", "worker", "--connect", "nats://192.0.2.7:4222", "--token", "secret")
	if r.code != 1 || !strings.Contains(r.stderr, "not encrypted") || !strings.Contains(r.stderr, "tls://192.0.2.7:4222") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "secret") {
		t.Errorf("the token is in the message: %q", r.stderr)
	}
	if r := firn(t, "", "worker"); r.code != 2 || !strings.Contains(r.stderr, "--connect") {
		t.Errorf("no URL: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestModelRunOnSlurm: the same runs as a Slurm job array on a real
// single-node Slurm: each CSV is what firn model run writes alone, and
// the array is canceled when the runs are done.
func TestModelRunOnSlurm(t *testing.T) {
	cluster := testslurm.Start(t)
	dir := t.TempDir()
	exps, out, store := filepath.Join(dir, "exps"), filepath.Join(dir, "out"), filepath.Join(dir, "store")
	for i, ela := range []float64{2500, 2600, 2700} {
		writeExperiment(t, filepath.Join(exps, fmt.Sprintf("ela%d.json", int(ela))), 50+10*i, ela, 120)
	}
	// Two workers of 2 CPUs on a node of 2: the second stays queued all
	// along, so the first look at the queue (right after sbatch) finds
	// it pending.
	r := firn(t, "", "model", "run", exps, "--on", "slurm", "--workers", "2", "--cpus-per-task", "2", "--partition", "debug", "--time", "10",
		"--mem", "300M", "--sbatch", "--comment=firn-cli-test", "--slurm-dir", filepath.Join(dir, "slurm"),
		"--out-dir", out, "--store", store)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "submitted Slurm job array") || !strings.Contains(r.stderr, "3 runs: 3 done, 0 failed") ||
		!strings.Contains(r.stderr, "queued: Slurm job ") || !strings.Contains(r.stderr, "pending (") {
		t.Errorf("stderr: %q", r.stderr)
	}
	script, err := os.ReadFile(filepath.Join(dir, "slurm", "worker.sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#SBATCH --partition=debug\n", "#SBATCH --time=10\n", "#SBATCH --mem=300M\n", "#SBATCH --comment=firn-cli-test\n", "#SBATCH --array=0-1\n"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("job script lacks %q", want)
		}
	}
	for _, name := range []string{"ela2500", "ela2600", "ela2700"} {
		got, err := os.ReadFile(filepath.Join(out, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if one := firn(t, "", "model", "run", filepath.Join(exps, name+".json"), "--quiet"); string(got) != one.stdout {
			t.Errorf("%s.csv differs from firn model run alone", name)
		}
	}
	// firn canceled its workers' array on the way out.
	testslurm.WaitFor(t, "the array canceled", func() bool {
		data, _ := os.ReadFile(filepath.Join(cluster.Dir, "log", "jobcomp.txt"))
		return strings.Count(string(data), "JobState=CANCELLED") >= 2
	})
}

// TestModelRunBesideServe: `firn model run --on local` while a `firn
// serve` of the same user holds the default store folder (one broker per
// folder) runs with a broker in a folder of its own, which it removes.
func TestModelRunBesideServe(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	// What firn serve holds: the broker of the default store folder.
	held, err := compute.StartBroker(compute.BrokerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	dir := t.TempDir()
	f := filepath.Join(dir, "ela2600.json")
	writeExperiment(t, f, 40, 2600, 50)
	cmd := exec.Command(firnBin, "model", "run", f, "--on", "local", "--workers", "1", "--out-dir", filepath.Join(dir, "out"))
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+data)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 runs: 1 done, 0 failed") {
		t.Fatalf("%v: %s", err, out)
	}
	left, _ := filepath.Glob(filepath.Join(data, "firn", "compute", "run-*"))
	if len(left) != 0 {
		t.Errorf("the run's broker folder is left: %v", left)
	}
}

// TestModelRunOnKubernetes: there is no cluster here. --manifest prints
// the Secret and the Indexed Job that --on kubernetes would create, with
// the flags in them; without --manifest, a broker the pods would reach
// but this machine cannot (none answers at nats.example.org) ends the
// run with an error naming it, before anything is created in the
// cluster or written. (A loopback broker is refused, as pods cannot
// reach it, so no broker of the test can stand in here; the launcher's
// calls to a cluster are compute's TestKubernetes*, on client-go's fake.)
func TestModelRunOnKubernetes(t *testing.T) {
	dir := t.TempDir()
	writeExperiment(t, filepath.Join(dir, "a.json"), 30, 2600, 10)
	out := filepath.Join(dir, "out")
	args := []string{"model", "run", filepath.Join(dir, "a.json"), "--on", "kubernetes", "--workers", "3", "--image", "ghcr.io/example/firn:1",
		"--namespace", "glaciers", "--pod-cpu", "2", "--pod-memory", "4Gi", "--connect", "tls://nats.example.org:4222", "--token", "s3cret-token", "--out-dir", out}
	r := firn(t, "", append(args, "--manifest")...)
	if r.code != 0 {
		t.Fatalf("--manifest: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"kind: Secret", "kind: Job", "namespace: glaciers", "completionMode: Indexed", "parallelism: 3", "completions: 3",
		"image: ghcr.io/example/firn:1", "tls://nats.example.org:4222", "cpu: \"2\"", "memory: 4Gi",
		base64.StdEncoding.EncodeToString([]byte("s3cret-token"))} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the manifest has no %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "s3cret-token") {
		t.Errorf("the token is in the manifest in the clear (want it only in the Secret, base64):\n%s", r.stdout)
	}

	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: me, user: {token: abc}}]
contexts: [{name: none, context: {cluster: none, user: me}}]
current-context: none
`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = firn(t, "", append(args, "--kubeconfig", kubeconfig)...)
	if r.code != 1 || !strings.Contains(r.stderr, "connecting to tls://nats.example.org:4222") {
		t.Errorf("no broker: exit %d, stderr %q; want 1 naming the broker", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("the output folder was made for a run that never started")
	}
}
