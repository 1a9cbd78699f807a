package compute

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the streams, the workers' consumer and the subjects.
const (
	taskStream     = "FIRN_TASKS"
	resultStream   = "FIRN_RESULTS"
	workerConsumer = "firn-workers"
	taskSubject    = "firn.tasks."    // + job
	resultSubject  = "firn.results."  // + job + "." + chunk index + "." + part
	progressSubj   = "firn.progress." // + job (core NATS, not stored)
	cancelSubject  = "firn.cancel."   // + job (core NATS)
	// Notices a job's Wait must see even if it starts later: a chunk
	// dropped because its results did not fit. In memory, so that a
	// full file store does not keep them out.
	noticeStream  = "FIRN_NOTICES"
	noticeSubject = "firn.notices." // + job
)

// DefaultAckWait is how long the broker waits for a worker's
// acknowledgement (or its "still working", sent every third of it)
// before it gives the chunk to another worker.
const DefaultAckWait = 30 * time.Second

// A Broker is an embedded NATS server with JetStream, listening on
// 127.0.0.1 only and storing its streams under a folder, so that the
// results of finished tasks survive a restart. Pools and workers reach it
// by its URL, as they reach an external NATS server: there is one code
// path.
type Broker struct {
	srv   *server.Server
	token string
	lock  *os.File // the store folder's lock
	auth  *brokerAuth
	// websocket is true when it listens for NATS over websocket too.
	websocket bool
	// accountStore is BrokerOptions.AccountStore.
	accountStore int64
}

// ErrStoreFull is wrapped by the error of a Submit, and of a job's Wait,
// whose tasks or results the broker's store had no room for (the bound
// of BrokerOptions.AccountStore, or of an external NATS account, or a
// full disk).
var ErrStoreFull = errors.New("the broker's store is full")

// storeFull wraps err in ErrStoreFull when JetStream refused a message
// for want of room, with what to do about it.
func storeFull(err error) error {
	var js jetstream.JetStreamError
	if !errors.As(err, &js) || js.APIError() == nil {
		return err
	}
	switch api := js.APIError(); api.ErrorCode {
	case 10002, 10023, 10047: // account limits, resources, storage (nats-server's JS…Err)
		return fmt.Errorf("%w (%s): it keeps results 30 days; give it more room (firn hub --compute-store, or the NATS account's limits)", ErrStoreFull, api.Description)
	}
	return err
}

// ErrStoreInUse is StartBroker's error for a store folder that another
// broker (another `firn serve`, say) is using.
var ErrStoreInUse = errors.New("the store folder is in use by another Firn broker")

// BrokerOptions configure StartBroker.
type BrokerOptions struct {
	// Dir holds the streams; "" is DefaultStoreDir().
	Dir string
	// Host is the address clients reach it on; "" is 127.0.0.1. An
	// address other than loopback needs TLSCert and TLSKey: the token
	// and the results would cross the network.
	Host string
	// Port on Host; 0 picks a free one.
	Port int
	// TLSCert and TLSKey are PEM files of the broker's certificate and
	// key; with them clients connect with tls:// (and wss://).
	TLSCert, TLSKey string
	// Websocket is HOST:PORT of a listener for NATS over websocket (port
	// 0: a free one), for sites where only HTTPS leaves: with TLSCert and
	// TLSKey, workers connect with wss://HOST:PORT; "" is none.
	Websocket string
	// Token is the token clients must give; "" makes a random one.
	Token string
	// AccountStore bounds the bytes that the streams of each account
	// made by Account (its tasks and results) keep on disk; 0 is no
	// bound. A worker whose results do not fit drops the chunk, and the
	// job's Wait ends with ErrStoreFull.
	AccountStore int64
}

// StartBroker starts an embedded NATS server with JetStream on loopback.
func StartBroker(o BrokerOptions) (*Broker, error) {
	if o.AccountStore < 0 {
		return nil, fmt.Errorf("broker: account store bound %d bytes: want 0 (none) or more", o.AccountStore)
	}
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = DefaultStoreDir(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("broker: store folder: %w", err)
	}
	lock, err := lockStore(dir)
	if err != nil {
		return nil, err
	}
	unlock := func() {
		if lock != nil {
			lock.Close()
		}
	}
	token := o.Token
	if token == "" {
		token = randomID(16)
	}
	port := o.Port
	if port == 0 {
		port = -1 // the server's "any free port"
	}
	host := cmp.Or(o.Host, "127.0.0.1")
	auth := &brokerAuth{token: token, accounts: map[string]*server.Account{}}
	opts := &server.Options{
		ServerName:                 "firn",
		Host:                       host,
		Port:                       port,
		JetStream:                  true,
		StoreDir:                   dir,
		CustomClientAuthentication: auth,
		NoSigs:                     true,
		NoLog:                      true,
		MaxPayload:                 8 << 20,
	}
	if err := brokerTLS(opts, o); err != nil {
		unlock()
		return nil, err
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("broker: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		unlock()
		return nil, fmt.Errorf("broker: the NATS server on %s (store %s) did not start within 10 s", host, dir)
	}
	return &Broker{srv: srv, token: token, lock: lock, auth: auth, websocket: o.Websocket != "", accountStore: o.AccountStore}, nil
}

// brokerAuth admits clients with the broker's token (to NATS' global
// account, where the streams of a broker without accounts live) or with
// an account's token (to that account).
type brokerAuth struct {
	token    string
	mu       sync.Mutex
	accounts map[string]*server.Account // by token
}

// Check is server.Authentication's.
func (a *brokerAuth) Check(c server.ClientAuthentication) bool {
	given := []byte(c.GetOpts().Token)
	if subtle.ConstantTimeCompare(given, []byte(a.token)) == 1 {
		return true // the global account
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for token, acc := range a.accounts {
		if subtle.ConstantTimeCompare(given, []byte(token)) == 1 {
			c.RegisterUser(&server.User{Username: acc.Name, Account: acc})
			return true
		}
	}
	return false
}

// Account returns the credentials of the broker's account name, made
// the first time: a NATS account of its own, whose streams (its tasks
// and results) no client of another account, nor of the broker's own
// token, sees or changes — a class on one hub shares one broker, and
// each person their own account of it. The streams are stored under the
// broker's folder by the account's name, so the results of an account
// survive a restart of the broker, reached with the new token that
// Account gives then. name is a NATS account name: letters, digits, -
// and _.
func (b *Broker) Account(name string) (Auth, error) {
	if !validToken(name) || strings.HasPrefix(name, "$") {
		return Auth{}, fmt.Errorf("broker: account name %q: want letters, digits, - and _", name)
	}
	b.auth.mu.Lock()
	defer b.auth.mu.Unlock()
	for token, acc := range b.auth.accounts {
		if acc.Name == name {
			return Auth{Token: token}, nil
		}
	}
	acc, err := b.srv.RegisterAccount(name)
	if err != nil {
		return Auth{}, fmt.Errorf("broker: account %s: %w", name, err)
	}
	if err := acc.EnableJetStream(map[string]server.JetStreamAccountLimits{
		"": {MaxMemory: -1, MaxStore: cmp.Or(b.accountStore, -1), MaxStreams: -1, MaxConsumers: -1, MaxAckPending: -1, MemoryMaxStreamBytes: -1, StoreMaxStreamBytes: -1},
	}, nil); err != nil {
		return Auth{}, fmt.Errorf("broker: account %s: JetStream: %w", name, err)
	}
	token := randomID(16)
	b.auth.accounts[token] = acc
	return Auth{Token: token}, nil
}

// brokerTLS sets the TLS and websocket listener of opts from o, and
// refuses clear text to another machine.
func brokerTLS(opts *server.Options, o BrokerOptions) error {
	hosts := []string{opts.Host}
	if o.Websocket != "" {
		h, p, err := net.SplitHostPort(o.Websocket)
		port, perr := strconv.Atoi(p)
		if err != nil || perr != nil || port < 0 {
			return fmt.Errorf("broker: websocket address %q: want HOST:PORT", o.Websocket)
		}
		if port == 0 {
			port = -1
		}
		opts.Websocket = server.WebsocketOpts{Host: cmp.Or(h, "0.0.0.0"), Port: port, NoTLS: o.TLSCert == ""}
		hosts = append(hosts, opts.Websocket.Host)
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("broker: give both a TLS certificate and its key, or neither")
	}
	if o.TLSCert == "" {
		for _, h := range hosts {
			if !isLoopback(h) {
				return fmt.Errorf("broker: listening on %s, which other machines reach, needs a TLS certificate and key: the token and the results would cross the network in clear", h)
			}
		}
		return nil
	}
	cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
	if err != nil {
		return fmt.Errorf("broker: TLS certificate %s and key %s: %w", o.TLSCert, o.TLSKey, err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	opts.TLS, opts.TLSConfig, opts.TLSTimeout = true, cfg, 2
	if o.Websocket != "" {
		opts.Websocket.TLSConfig = cfg.Clone()
	}
	return nil
}

// URL is the broker's client URL: nats://127.0.0.1:PORT, or tls://HOST:PORT
// with a certificate.
func (b *Broker) URL() string { return b.srv.ClientURL() }

// WebsocketURL is the URL of its websocket listener (ws:// on loopback,
// else wss://), "" without one.
func (b *Broker) WebsocketURL() string {
	if !b.websocket {
		return ""
	}
	return b.srv.WebsocketURL()
}

// Token is the token clients give (Auth{Token: b.Token()}).
func (b *Broker) Token() string { return b.token }

// Close stops the server; what it stored stays in its folder.
func (b *Broker) Close() {
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
	if b.lock != nil {
		b.lock.Close()
	}
}

// DefaultStoreDir is where an embedded broker stores its streams: Firn's
// folder in the user's data directory ($XDG_DATA_HOME/firn/compute or
// ~/.local/share/firn/compute; on macOS and Windows the user
// configuration folder's Firn/compute).
func DefaultStoreDir() (string, error) {
	switch runtime.GOOS {
	case "darwin", "windows", "ios":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("broker: default store folder: %w", err)
		}
		return filepath.Join(d, "Firn", "compute"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "firn", "compute"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("broker: default store folder: %w", err)
	}
	return filepath.Join(home, ".local", "share", "firn", "compute"), nil
}

// Auth is how a client proves itself to the broker: a token, or a NATS
// credentials file (JWT and key), or nothing.
type Auth struct {
	Token     string
	CredsFile string
}

// Connect connects to the NATS server at rawURL. A server not on this
// machine must be reached over TLS (tls:// or wss://): a nats:// or ws://
// URL whose host is not loopback is refused, since the token and the
// results would cross the network in clear.
// Further options (nats.Option) follow Firn's defaults (reconnect for
// ever, every 0.2 s).
func Connect(rawURL string, auth Auth, name string, more ...nats.Option) (*nats.Conn, error) {
	secure, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	opts := []nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(200 * time.Millisecond)}
	if secure {
		opts = append(opts, nats.Secure())
	}
	if auth.Token != "" {
		opts = append(opts, nats.Token(auth.Token))
	}
	if auth.CredsFile != "" {
		if _, err := os.Stat(auth.CredsFile); err != nil {
			return nil, fmt.Errorf("credentials file: %w", err)
		}
		opts = append(opts, nats.UserCredentials(auth.CredsFile))
	}
	opts = append(opts, more...)
	nc, err := nats.Connect(rawURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", redact(rawURL), err)
	}
	return nc, nil
}

// checkURL refuses a clear-text URL to another machine and reports
// whether TLS is required.
func checkURL(rawURL string) (secure bool, err error) {
	for _, one := range strings.Split(rawURL, ",") {
		u, err := url.Parse(strings.TrimSpace(one))
		if err != nil || u.Host == "" {
			return false, fmt.Errorf("broker URL %q: want nats://HOST:PORT, tls://HOST:PORT or wss://HOST/PATH", one)
		}
		switch u.Scheme {
		case "tls", "wss":
			secure = true
		case "nats", "ws":
			if !isLoopback(u.Hostname()) {
				return false, fmt.Errorf("broker URL %s: %s is not this machine, and %s:// is not encrypted; use tls://%s (or wss:// through a web proxy) so that the token and the results do not cross the network in clear",
					redact(one), u.Hostname(), u.Scheme, u.Host)
			}
		default:
			return false, fmt.Errorf("broker URL %s: unknown scheme %q (want nats, tls, ws or wss)", redact(one), u.Scheme)
		}
	}
	return secure, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redact drops a password or token from a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User("REDACTED")
	return u.String()
}

// setup creates the task and result streams and the workers' consumer
// if they do not exist (it changes none that does: the first to create
// them sets the ack wait).
func setup(ctx context.Context, js jetstream.JetStream, ackWait time.Duration) (jetstream.Consumer, error) {
	if ackWait <= 0 {
		ackWait = DefaultAckWait
	}
	streams := []jetstream.StreamConfig{
		{Name: taskStream, Subjects: []string{taskSubject + ">"}, Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage},
		{Name: resultStream, Subjects: []string{resultSubject + ">"}, Retention: jetstream.LimitsPolicy, Storage: jetstream.FileStorage,
			MaxAge: 30 * 24 * time.Hour, Duplicates: 10 * time.Minute},
		{Name: noticeStream, Subjects: []string{noticeSubject + ">"}, Retention: jetstream.LimitsPolicy, Storage: jetstream.MemoryStorage,
			MaxAge: 24 * time.Hour, MaxBytes: 1 << 20, MaxMsgsPerSubject: 16},
	}
	for _, cfg := range streams {
		if _, err := js.Stream(ctx, cfg.Name); errors.Is(err, jetstream.ErrStreamNotFound) {
			if _, err := js.CreateStream(ctx, cfg); err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				if cfg.Name == noticeStream {
					continue // an account without memory storage: no notices (a Wait learns of a dropped chunk only while it runs)
				}
				return nil, fmt.Errorf("creating stream %s: %w", cfg.Name, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("stream %s: %w", cfg.Name, err)
		}
	}
	c, err := js.Consumer(ctx, taskStream, workerConsumer)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		c, err = js.CreateConsumer(ctx, taskStream, jetstream.ConsumerConfig{
			Durable: workerConsumer, AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait, MaxDeliver: -1,
			MaxAckPending: -1,
		})
		if errors.Is(err, jetstream.ErrConsumerExists) {
			c, err = js.Consumer(ctx, taskStream, workerConsumer)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("workers' consumer: %w", err)
	}
	return c, nil
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}
