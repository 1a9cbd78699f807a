package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/firnglacier/firn/compute"
)

// serverBroker is the broker a server gives its kernels for
// compute.Attach, as environment entries (compute.BrokerURLEnv, …):
// the NATS server named by the server's own environment
// ($FIRN_COMPUTE_URL with $FIRN_COMPUTE_TOKEN or $FIRN_COMPUTE_CREDS),
// else an embedded one with JetStream, storing its streams under the
// user's data folder (compute.DefaultStoreDir), where the results of a
// Map survive a restart of the server. The server owns the broker, not
// its kernels: a kernel is confined (Landlock) to writing its workspace
// and would not keep the store in one place. stop stops what was
// started. Without a broker (its folder in use by another server, say)
// the kernels get none and compute.Attach starts one of its own.
func serverBroker(stderr io.Writer) (env []string, stop func()) {
	if url := os.Getenv(compute.BrokerURLEnv); url != "" {
		env = append(env, compute.BrokerURLEnv+"="+url)
		for _, name := range []string{compute.BrokerTokenEnv, compute.BrokerCredsEnv} {
			if v := os.Getenv(name); v != "" {
				env = append(env, name+"="+v)
			}
		}
		return env, func() {}
	}
	b, err := compute.StartBroker(compute.BrokerOptions{})
	if err != nil {
		fmt.Fprintf(stderr, "firn: remote compute: %v; compute.Attach in a notebook starts a broker of its own\n", err)
		return nil, func() {}
	}
	return b.Env(), b.Close
}
