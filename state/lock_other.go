//go:build !unix

package state

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked")

// lockFile is a no-op where flock is not available: concurrent runs are not detected.
func lockFile(*os.File) error { return nil }

// unlockFile is a no-op, as lockFile.
func unlockFile(*os.File) error { return nil }
