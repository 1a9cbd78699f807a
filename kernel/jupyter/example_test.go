package jupyter_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/firnglacier/firn/kernel/jupyter"
	"github.com/firnglacier/firn/kernel/protocol"
)

// Start Firn's kernel as Jupyter does, with a connection file, and run a
// cell over ZeroMQ. The program is this test binary, which is `firn
// kernel` when its first argument is "kernel" (main_test.go); a program
// would name the firn executable.
func Example() {
	ctx := context.Background()
	firn := os.Args[0]
	dir, err := os.MkdirTemp("", "firn-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	k, err := jupyter.Start(ctx, jupyter.StartOptions{
		Argv: []string{firn, "kernel", "--connection-file", "{connection_file}"},
		Dir:  dir,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Shutdown(ctx)
	reply, err := k.Execute(ctx, `fmt.Println("hello from Go,", 6*7)`, func(m *protocol.Message) {
		if m.Type() == protocol.Stream {
			var s protocol.StreamContent
			_ = m.Decode(&s)
			fmt.Print(s.Text)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply.Status)
	// Output:
	// hello from Go, 42
	// ok
}

// Install the kernelspec "firn" in a Jupyter data folder, as `firn
// jupyter install --prefix DIR` does in DIR/share/jupyter.
func ExampleInstall() {
	prefix, err := os.MkdirTemp("", "firn-prefix-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(prefix)
	dir, err := jupyter.Install(jupyter.PrefixDataDir(prefix), jupyter.Spec("/usr/local/bin/firn"))
	if err != nil {
		log.Fatal(err)
	}
	rel, _ := filepath.Rel(prefix, dir)
	fmt.Println(rel)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(" ", e.Name())
	}
	data, _ := os.ReadFile(filepath.Join(dir, "kernel.json"))
	fmt.Print(string(data))
	// Output:
	// share/jupyter/kernels/firn
	//   kernel.json
	//   logo-32x32.png
	//   logo-64x64.png
	// {
	//  "argv": [
	//   "/usr/local/bin/firn",
	//   "kernel",
	//   "--connection-file",
	//   "{connection_file}"
	//  ],
	//  "display_name": "Go (Firn)",
	//  "language": "go",
	//  "interrupt_mode": "message",
	//  "metadata": {
	//   "debugger": false
	//  }
	// }
}
