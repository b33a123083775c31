//go:build unix

package output

import (
	"errors"
	"syscall"
)

// openNonblock opens a FIFO without waiting for its reader: with none, the open fails with
// ENXIO at once.
const openNonblock = syscall.O_NONBLOCK

// noReader reports whether err is the open of a FIFO that has no reader.
func noReader(err error) bool { return errors.Is(err, syscall.ENXIO) }
