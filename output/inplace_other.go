//go:build !unix

package output

import (
	"errors"
	"os"
)

// openNonblock is 0 where FIFOs do not exist.
const openNonblock = 0

// noReader is false where FIFOs do not exist.
func noReader(error) bool { return false }

// dupFile refuses where descriptors are not files.
func dupFile(fd int, path string) (*os.File, error) {
	return nil, &os.PathError{Op: "dup", Path: path, Err: errors.ErrUnsupported}
}
