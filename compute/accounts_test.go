package compute_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/firnglacier/firn/compute"
)

// TestBrokerAccounts: one broker, an account per person (a class on one
// hub). alice's job runs on workers of her account; bob's account, and
// the broker's own token, see none of her tasks or results and cannot
// collect them; a token the broker did not give is refused. After a
// restart of the broker on the same folder alice's results are still
// there, reached with her new token; her old token is refused.
func TestBrokerAccounts(t *testing.T) {
	dir := t.TempDir()
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { b.Close() }()
	account := func(b *compute.Broker, name string) compute.Auth {
		t.Helper()
		auth, err := b.Account(name)
		if err != nil {
			t.Fatal(err)
		}
		return auth
	}
	alice, bob := account(b, "alice"), account(b, "bob")
	if again := account(b, "alice"); again != alice || alice == bob || alice.Token == b.Token() {
		t.Fatalf("tokens: alice %q (again %q), bob %q, the broker's %q", alice.Token, again.Token, bob.Token, b.Token())
	}
	for _, bad := range []string{"", "a.b", "$SYS", "alice bob", "../x"} {
		if _, err := b.Account(bad); err == nil || !strings.Contains(err.Error(), "want letters, digits, - and _") {
			t.Errorf("account %q: %v", bad, err)
		}
	}
	pool := func(b *compute.Broker, auth compute.Auth) *compute.Pool {
		t.Helper()
		p, err := compute.NewPool(context.Background(), b.URL(), auth, compute.PoolOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p
	}

	// alice's job, on a worker of her account.
	w, err := local(1, 1, "alice").Launch(context.Background(), b.URL(), alice)
	if err != nil {
		t.Fatal(err)
	}
	tasks := tinyTasks(6)
	job, err := pool(b, alice).Submit(context.Background(), tasks, compute.SubmitOptions{JobID: "alices-job", ChunkSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	results, err := job.Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Failed() || !sameHistory(r.History, inProcess(t, tasks[i])) {
			t.Fatalf("alice's %s: %q, or a history unlike the in-process run", r.Name, r.Err)
		}
	}

	// What each account's streams hold.
	stored := func(auth compute.Auth) (tasks, results uint64) {
		t.Helper()
		nc, err := compute.Connect(b.URL(), auth, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		for name, n := range map[string]*uint64{"FIRN_TASKS": &tasks, "FIRN_RESULTS": &results} {
			s, err := js.Stream(context.Background(), name)
			if err != nil {
				t.Fatalf("stream %s: %v", name, err)
			}
			info, err := s.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			*n = info.State.Msgs
		}
		return tasks, results
	}
	pool(b, bob) // bob's streams, made as his first pool makes them
	pool(b, compute.Auth{Token: b.Token()})
	if _, r := stored(alice); r != 3 {
		t.Errorf("alice's account holds %d results messages, want 3 (one per chunk)", r)
	}
	for who, auth := range map[string]compute.Auth{"bob": bob, "the broker's token": {Token: b.Token()}} {
		if tk, r := stored(auth); tk != 0 || r != 0 {
			t.Errorf("%s sees %d task and %d results messages, want none", who, tk, r)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		got, err := pool(b, auth).OpenJob("alices-job", job.Tasks()).Wait(ctx, nil)
		cancel()
		for _, r := range got {
			if r.TaskID != "" {
				t.Errorf("%s collected alice's result %s", who, r.Name)
			}
		}
		if err == nil {
			t.Errorf("%s's Wait for alice's job ended without error", who)
		}
	}
	if _, err := compute.Connect(b.URL(), compute.Auth{Token: "not-given"}, "test"); err == nil || !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
		t.Errorf("a token the broker did not give: %v", err)
	}

	// A restart on the same folder.
	b.Close()
	if b, err = compute.StartBroker(compute.BrokerOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := compute.Connect(b.URL(), alice, "test"); err == nil {
		t.Errorf("alice's token of the last broker still connects")
	}
	alice2 := account(b, "alice")
	again, err := pool(b, alice2).OpenJob("alices-job", job.Tasks()).Wait(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if r.Failed() || !sameHistory(r.History, results[i].History) {
			t.Errorf("after the restart, alice's %s: %q, or another history", r.Name, r.Err)
		}
	}
}

// TestStoreFull: an account whose store bound (BrokerOptions.AccountStore,
// firn hub --compute-store) its results outgrow. The worker drops the
// chunk whose results do not fit instead of running it again and again,
// and the job's Wait ends with a message that says the store is full and
// what to do; a Wait started afterwards says so too (the notice is kept),
// and a Submit that does not fit is refused with ErrStoreFull.
func TestStoreFull(t *testing.T) {
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: t.TempDir(), AccountStore: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { b.Close() }()
	alice, err := b.Account("alice")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := compute.NewPool(context.Background(), b.URL(), alice, compute.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// 400 runs of 100 years: about 480 KiB of results, in chunks of 20.
	tasks := sizedTasks(400, 100, 100)
	job, err := pool.Submit(context.Background(), tasks, compute.SubmitOptions{JobID: "big", ChunkSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	w, err := local(1, 1, "alice").Launch(context.Background(), b.URL(), alice)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// Without the drop the worker would run the chunk for ever and Wait
	// never return: a deadline turns that into a failure.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	wantFull := func(err error) {
		t.Helper()
		for _, want := range []string{"job big: chunk big.", "dropped by worker", "the broker's store is full (resource limits exceeded for account)", "keeps results 30 days", "firn hub --compute-store"} {
			if !errors.Is(err, compute.ErrStoreFull) || !strings.Contains(err.Error(), want) {
				t.Fatalf("Wait: %v; want ErrStoreFull with %q", err, want)
			}
		}
	}
	results, err := job.Wait(ctx, nil)
	wantFull(err)
	done := 0
	for _, r := range results {
		if r.History != nil && !r.Failed() {
			done++
		}
	}
	if done == 0 || done >= len(tasks) {
		t.Errorf("%d of %d results before the store filled; want some, not all", done, len(tasks))
	}
	t.Logf("%d of %d results stored; %v", done, len(tasks), err)
	_, err = pool.OpenJob(job.ID, job.Tasks()).Wait(ctx, nil)
	wantFull(err)
	if err := job.Cancel(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = pool.Submit(context.Background(), sizedTasks(2000, 100, 100), compute.SubmitOptions{JobID: "bigger", ChunkSize: 20})
	if !errors.Is(err, compute.ErrStoreFull) || !strings.Contains(err.Error(), "pool: storing a chunk of job bigger: the broker's store is full") {
		t.Fatalf("Submit to a full store: %v", err)
	}
}
