package kernel_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/jupyter"
)

// zeroMQChildEnv makes this test binary a kernel that Jupyter started
// (`firn kernel --connection-file FILE`: its wire protocol over ZeroMQ,
// package kernel/jupyter). Package kernel does not import kernel/jupyter;
// this external test package does, in an init that runs before
// TestMain.
const zeroMQChildEnv = "FIRN_ZEROMQ_KERNEL_CHILD"

func init() {
	if os.Getenv(zeroMQChildEnv) == "1" {
		os.Exit(kernel.MainWith(os.Args[1:], os.Stderr, jupyter.ListenKernel))
	}
}

// startZeroMQ starts a kernel as Jupyter does, with a connection file,
// and returns a client speaking Jupyter's wire protocol to it.
func startZeroMQ(t *testing.T, dir string) transportClient {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	k, err := jupyter.Start(ctx, jupyter.StartOptions{
		Argv: []string{os.Args[0], "--connection-file", "{connection_file}", "--workspace", dir},
		Dir:  dir, Env: append(os.Environ(), zeroMQChildEnv+"=1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	z := &zeroMQClient{Kernel: k, t: t}
	t.Cleanup(func() {
		z.interrupts.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = k.Shutdown(ctx)
	})
	return z
}

// zeroMQClient is jupyter.Kernel as the table's client.
type zeroMQClient struct {
	*jupyter.Kernel
	t          *testing.T
	interrupts sync.WaitGroup
}

// Interrupt sends an interrupt_request on the control socket and returns
// (as kernel.Kernel's does); its reply is checked in the background, so
// that a cell's output handler may interrupt.
func (z *zeroMQClient) Interrupt() error {
	z.interrupts.Add(1)
	go func() {
		defer z.interrupts.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := z.Kernel.Interrupt(ctx); err != nil {
			z.t.Errorf("interrupt_request: %v", err)
		}
	}()
	return nil
}
