package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/compute"
	"github.com/firnglacier/firn/internal/atomicfile"
)

// computeCommand is `firn compute serve`: the broker without a notebook
// server, for headless use (a login node whose compute nodes run the
// workers, a machine of a group's ensembles).
func computeCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "serve" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, "usage: "+computeServeSynopsis)
			return nil
		}
		return usagef("compute: want serve (firn compute serve --help)")
	}
	return computeServeCommand(ctx, args[1:], stdout, stderr)
}

const computeServeSynopsis = "firn compute serve [--data DIR] [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE] [--websocket HOST:PORT] [--token-file FILE]"

// computeServeCommand runs the broker until interrupted and says how
// workers, `firn model run --connect` and notebooks reach it.
func computeServeCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("firn compute serve")
	data := fs.String("data", "", "the `folder` of the streams, where results survive a restart (default: "+defaultStoreHint()+")")
	listen := fs.String("listen", "127.0.0.1:4222", "the `HOST:PORT` clients connect to; a host other machines reach needs --tls-cert and --tls-key (port 0: a free one)")
	cert := fs.String("tls-cert", "", "the broker's TLS certificate (PEM `file`): clients connect with tls:// and wss://")
	key := fs.String("tls-key", "", "its private key (PEM `file`)")
	ws := fs.String("websocket", "", "also listen for NATS over websocket on `HOST:PORT` (where only HTTPS leaves a site: workers connect with wss://)")
	tokenFile := fs.String("token-file", "", "the `file` that keeps the token clients give (made with a random one if missing, mode 0600); default: a new token each start, printed")
	if err := parse(fs, computeServeSynopsis, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("compute serve: unexpected argument %q", fs.Arg(0))
	}
	host, portText, err := net.SplitHostPort(*listen)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || port < 0 || port > 65535 {
		return usagef("compute serve: --listen %q: want HOST:PORT", *listen)
	}
	token, err := brokerToken(*tokenFile)
	if err != nil {
		return err
	}
	b, err := compute.StartBroker(compute.BrokerOptions{Dir: *data, Host: host, Port: port, TLSCert: *cert, TLSKey: *key, Websocket: *ws, Token: token})
	if err != nil {
		return fmt.Errorf("compute serve: %w", err)
	}
	defer b.Close()
	fmt.Fprintf(stdout, "firn compute: the broker is at %s\n", b.URL())
	if u := b.WebsocketURL(); u != "" {
		fmt.Fprintf(stdout, "firn compute: NATS over websocket at %s\n", u)
	}
	if *tokenFile != "" {
		fmt.Fprintf(stdout, "firn compute: its token is in %s\n", *tokenFile)
	} else {
		fmt.Fprintf(stdout, "firn compute: its token: %s\n", b.Token())
	}
	fmt.Fprintf(stdout, "firn compute: workers: firn worker --connect %s (the token in $%s)\n", b.URL(), compute.TokenEnv)
	fmt.Fprintf(stdout, "firn compute: runs: firn model run EXP... --on local|slurm --connect %s --token …; notebooks: $%s and $%s\n",
		b.URL(), compute.BrokerURLEnv, compute.BrokerTokenEnv)
	fmt.Fprintln(stdout, "firn compute: serving until interrupted (Ctrl-C)")
	<-ctx.Done()
	fmt.Fprintln(stdout, "firn compute: stopped; the streams stay in their folder")
	return nil
}

// brokerToken reads the token of file, or writes a new random one into
// it (0600) when it does not exist; "" without a file (the broker makes
// one).
func brokerToken(file string) (string, error) {
	if file == "" {
		return "", nil
	}
	data, err := os.ReadFile(file)
	if err == nil {
		token := strings.TrimSpace(string(data))
		if token == "" {
			return "", fmt.Errorf("compute serve: --token-file %s is empty", file)
		}
		return token, nil
	}
	if !os.IsNotExist(err) {
		return "", fmt.Errorf("compute serve: --token-file: %w", err)
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := hex.EncodeToString(raw)
	if err := atomicfile.WriteBytes(file, 0o600, []byte(token+"\n")); err != nil {
		return "", fmt.Errorf("compute serve: --token-file: %w", err)
	}
	return token, nil
}

// defaultStoreHint names the default store folder for the usage text.
func defaultStoreHint() string {
	if d, err := compute.DefaultStoreDir(); err == nil {
		return d
	}
	return "Firn's folder in your data directory"
}
