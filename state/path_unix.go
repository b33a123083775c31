//go:build unix

package state

import (
	"errors"
	"os"
	"syscall"
)

// oNoFollow makes OpenFile fail on a symbolic link instead of following it.
const oNoFollow = syscall.O_NOFOLLOW

// isLoop reports whether err is what O_NOFOLLOW gives on a symbolic link.
func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }

// isErofs reports whether err says the file system is mounted read-only.
func isErofs(err error) bool { return errors.Is(err, syscall.EROFS) }

// linkCount returns how many names (hard links) the file has; 1 when it cannot be told
// (a missing file included).
func linkCount(file string) uint64 {
	fi, err := os.Stat(file)
	if err != nil {
		return 1
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
