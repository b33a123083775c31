//go:build unix

package state

import (
	"errors"
	"syscall"
)

// oNoFollow makes OpenFile fail on a symbolic link instead of following it.
const oNoFollow = syscall.O_NOFOLLOW

// isLoop reports whether err is what O_NOFOLLOW gives on a symbolic link.
func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }

// isErofs reports whether err says the file system is mounted read-only.
func isErofs(err error) bool { return errors.Is(err, syscall.EROFS) }
