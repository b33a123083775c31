//go:build !unix

package statefile

import "os"

// OpenNonblock is 0 where FIFOs do not exist.
const OpenNonblock = 0

// Lock does nothing where flock does not exist: processes sharing one state file there
// are not serialised (one process at a time is safe).
func Lock(*os.File) error { return nil }

// Unlock does nothing (see Lock).
func Unlock(*os.File) error { return nil }
