//go:build !unix

package emulator

import "os"

// openNonblock is 0 where FIFOs do not exist.
const openNonblock = 0

// lockFile does nothing where flock does not exist: processes sharing one state file there
// are not serialised (one process at a time is safe).
func lockFile(*os.File) error { return nil }

// unlockFile does nothing (see lockFile).
func unlockFile(*os.File) error { return nil }
