package jupyter

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/internal/atomicfile"
	"github.com/firnglacier/firn/kernel/protocol"
)

// ConnectionInfo is a Jupyter connection file: where a kernel's five
// sockets listen and the key that signs its messages.
type ConnectionInfo struct {
	Transport       string `json:"transport"` // "tcp" or "ipc"
	IP              string `json:"ip"`        // tcp: the address; ipc: the path prefix
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`              // "": messages are not signed
	SignatureScheme string `json:"signature_scheme"` // "hmac-sha256" (also hmac-sha512, hmac-sha1, hmac-md5)
	KernelName      string `json:"kernel_name,omitempty"`
}

// ReadConnectionFile reads and checks a connection file.
func ReadConnectionFile(path string) (*ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("connection file: %w", err)
	}
	var c ConnectionInfo
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	return &c, nil
}

// check fills in Jupyter's defaults (tcp, hmac-sha256) and reports a
// field that cannot work.
func (c *ConnectionInfo) check() error {
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.SignatureScheme == "" {
		c.SignatureScheme = "hmac-sha256"
	}
	switch c.Transport {
	case "tcp":
		if c.IP == "" {
			c.IP = "127.0.0.1"
		}
	case "ipc":
		if c.IP == "" {
			return errors.New(`field "ip": the ipc transport needs a path prefix`)
		}
	default:
		return fmt.Errorf(`field "transport": %q is not "tcp" or "ipc"`, c.Transport)
	}
	for _, p := range []struct {
		name string
		port int
	}{{"shell_port", c.ShellPort}, {"iopub_port", c.IOPubPort}, {"stdin_port", c.StdinPort}, {"control_port", c.ControlPort}, {"hb_port", c.HBPort}} {
		if p.port <= 0 || p.port > 65535 {
			return fmt.Errorf("field %q: %d is not a port (1 to 65535)", p.name, p.port)
		}
	}
	if _, err := hasher(c.SignatureScheme); err != nil {
		return fmt.Errorf(`field "signature_scheme": %w`, err)
	}
	return nil
}

// hasher returns the hash of a signature scheme "hmac-NAME".
func hasher(scheme string) (func() hash.Hash, error) {
	switch scheme {
	case "hmac-sha256":
		return sha256.New, nil
	case "hmac-sha512":
		return sha512.New, nil
	case "hmac-sha1":
		return sha1.New, nil
	case "hmac-md5":
		return md5.New, nil
	}
	return nil, fmt.Errorf("%q is not a scheme Firn knows (hmac-sha256, hmac-sha512, hmac-sha1, hmac-md5)", scheme)
}

// endpoint is the ZeroMQ address of a port: tcp://IP:PORT or
// ipc://PATH-PORT, as jupyter_client writes them.
func (c *ConnectionInfo) endpoint(port int) string {
	if c.Transport == "ipc" {
		return "ipc://" + c.IP + "-" + strconv.Itoa(port)
	}
	host := c.IP
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]" // IPv6
	}
	return "tcp://" + host + ":" + strconv.Itoa(port)
}

// NewConnectionInfo returns a connection on the loopback address, with
// five free TCP ports and a fresh random key, as a client writes it for a
// kernel it starts.
func NewConnectionInfo() (*ConnectionInfo, error) {
	ports := make([]int, 5)
	// Hold all five listeners until every port is picked, so that no
	// port is picked twice.
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("jupyter: a free port: %w", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return &ConnectionInfo{
		Transport: "tcp", IP: "127.0.0.1",
		ShellPort: ports[0], IOPubPort: ports[1], StdinPort: ports[2], ControlPort: ports[3], HBPort: ports[4],
		Key: protocol.NewID() + protocol.NewID(), SignatureScheme: "hmac-sha256", KernelName: KernelName,
	}, nil
}

// WriteFile writes the connection file (mode 0600: the key is a secret).
func (c *ConnectionInfo) WriteFile(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, 0o600, append(data, '\n')); err != nil {
		return fmt.Errorf("connection file: %w", err)
	}
	return nil
}

// signer signs and checks messages with the connection's key.
type signer struct {
	key  []byte
	hash func() hash.Hash
}

func newSigner(c *ConnectionInfo) (*signer, error) {
	h, err := hasher(c.SignatureScheme)
	if err != nil {
		return nil, err
	}
	return &signer{key: []byte(c.Key), hash: h}, nil
}

// sign returns the hex HMAC of the four dictionaries ("" without a key).
func (s *signer) sign(parts ...[]byte) []byte {
	if len(s.key) == 0 {
		return nil
	}
	m := hmac.New(s.hash, s.key)
	for _, p := range parts {
		m.Write(p)
	}
	sum := m.Sum(nil)
	out := make([]byte, 2*len(sum))
	const digits = "0123456789abcdef"
	for i, b := range sum {
		out[2*i], out[2*i+1] = digits[b>>4], digits[b&15]
	}
	return out
}

// verify reports whether sig signs the four dictionaries.
func (s *signer) verify(sig []byte, parts ...[]byte) bool {
	if len(s.key) == 0 {
		return true
	}
	return hmac.Equal(sig, s.sign(parts...))
}
