package hub

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/kernel/protocol"
)

// TestComputePerUser: the hub's broker has an account per user. alice's
// cell attaches a local worker and maps experiments through it; bob's
// kernel gets the same broker with a token of his own, and his account
// holds none of her tasks or results (nor does the broker's own). After
// the hub stops, her results are in the hub's folder, in her account.
func TestComputePerUser(t *testing.T) {
	const bound = 64 << 20
	th := newTestHub(t, func(o *Options) { o.ComputeStore = bound })
	alice, bob := th.aliceAndBob()

	env := regexp.MustCompile(`URL (\S+) TOKEN (\S+)`)
	cellEnv := `import "os"
fmt.Println("URL", os.Getenv("FIRN_COMPUTE_URL"), "TOKEN", os.Getenv("FIRN_COMPUTE_TOKEN"))`
	run := func(b *browser, user, code string) string {
		t.Helper()
		id := b.openNotebook(user, "ensemble.ipynb", "c1", code)
		conn, _ := b.dial("/user/" + user + "/api/sessions/" + id + "/ws")
		defer conn.Close()
		execute(t, conn, "m1", "c1", code)
		fs := until(t, conn, replyTo("m1"))
		for _, f := range fs {
			if f.Msg != nil && f.Msg.Type() == protocol.Error {
				var e protocol.ErrorContent
				_ = f.Msg.Decode(&e)
				t.Fatalf("%s's cell: %s: %s\n%s", user, e.EName, e.EValue, textOf(fs))
			}
		}
		return textOf(fs)
	}
	out := run(alice, "alice", cellEnv+`
import "firn/compute"
pool, err := compute.Attach(ctx, compute.Local{Workers: 1})
if err != nil { panic(err) }
defer pool.Close()
tasks, err := compute.Vary(compute.Task{Name: "base.json", Data: []byte(`+"`"+`{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 20}, "width_m": 300}],
 "mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3}, "years": {"end": 10}}`+"`"+`)}, "mass_balance.ela_m", 2500, 2600, 2700)
if err != nil { panic(err) }
runs, err := pool.Map(ctx, tasks)
if err != nil { panic(err) }
fmt.Println("RUNS", runs.Len(), "FAILED", len(runs.Failed()))`)
	if !strings.Contains(out, "RUNS 3 FAILED 0") {
		t.Fatalf("alice's map printed %q", out)
	}
	a := env.FindStringSubmatch(out)
	b := env.FindStringSubmatch(run(bob, "bob", cellEnv))
	if a == nil || b == nil {
		t.Fatalf("the kernels' broker: alice %v, bob %v", a, b)
	}
	th.hub.mu.Lock()
	broker := th.hub.broker
	th.hub.mu.Unlock()
	if broker == nil || a[1] != broker.URL() || b[1] != broker.URL() || a[2] == b[2] || a[2] == broker.Token() || b[2] == broker.Token() {
		t.Fatalf("alice's kernel has %s and token %s, bob's %s and %s; the hub's broker %v", a[1], a[2], b[1], b[2], broker)
	}

	results := func(url string, auth compute.Auth) uint64 {
		t.Helper()
		nc, err := compute.Connect(url, auth, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		s, err := js.Stream(context.Background(), "FIRN_RESULTS")
		if err != nil {
			return 0 // never made in this account
		}
		info, err := s.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Msgs
	}
	if n := results(broker.URL(), compute.Auth{Token: a[2]}); n == 0 {
		t.Errorf("alice's account holds no results")
	}
	// Her account's store is bounded by Options.ComputeStore.
	nc, err := compute.Connect(broker.URL(), compute.Auth{Token: a[2]}, "test")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	info, err := js.AccountInfo(context.Background())
	nc.Close()
	if err != nil || info.Limits.MaxStore != bound {
		t.Errorf("alice's account: %+v, %v; want a store bound of %d bytes", info, err, bound)
	}
	for who, token := range map[string]string{"bob": b[2], "the broker's own token": broker.Token()} {
		if n := results(broker.URL(), compute.Auth{Token: token}); n != 0 {
			t.Errorf("%s sees %d results messages of alice's", who, n)
		}
	}

	// The hub stops; her results stay in its folder, in her account.
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := th.hub.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := compute.StartBroker(compute.BrokerOptions{Dir: filepath.Join(th.hub.opts.Data, "compute")})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	auth, err := again.Account("alice")
	if err != nil {
		t.Fatal(err)
	}
	if n := results(again.URL(), auth); n == 0 {
		t.Errorf("after the hub stopped, alice's account holds no results")
	}
}
