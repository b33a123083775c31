//go:build unix

package output

import (
	"errors"
	"os"
	"syscall"
)

// openNonblock opens a FIFO without waiting for its reader: with none, the open fails with
// ENXIO at once.
const openNonblock = syscall.O_NONBLOCK

// noReader reports whether err is the open of a FIFO that has no reader.
func noReader(err error) bool { return errors.Is(err, syscall.ENXIO) }

// dupFile returns a duplicate of the process's descriptor fd (named path in messages).
func dupFile(fd int, path string) (*os.File, error) {
	d, err := syscall.Dup(fd)
	if err != nil {
		return nil, &os.PathError{Op: "dup", Path: path, Err: err}
	}
	syscall.CloseOnExec(d)
	return os.NewFile(uintptr(d), path), nil
}
