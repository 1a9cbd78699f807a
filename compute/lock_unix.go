//go:build unix

package compute

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lockStore takes the store folder's lock (an flock on dir/broker.lock),
// so that two brokers never write the same streams: a second one fails
// with ErrStoreInUse. Closing the file releases it.
func lockStore(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "broker.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("broker: store folder lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("broker: %s: %w", dir, ErrStoreInUse)
		}
		return nil, fmt.Errorf("broker: store folder lock: %w", err)
	}
	return f, nil
}
