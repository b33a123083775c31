//go:build unix

package emulator

import (
	"os"
	"syscall"
)

// openNonblock keeps opening a FIFO from waiting for a writer.
const openNonblock = syscall.O_NONBLOCK

// lockFile takes the exclusive lock of f, waiting for it (flock: released when every
// descriptor of the open file is closed, so a killed process never keeps it).
func lockFile(f *os.File) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	err = conn.Control(func(fd uintptr) {
		for {
			if lerr = syscall.Flock(int(fd), syscall.LOCK_EX); lerr != syscall.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return lerr
}

// unlockFile releases the lock of f.
func unlockFile(f *os.File) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var uerr error
	if err := conn.Control(func(fd uintptr) { uerr = syscall.Flock(int(fd), syscall.LOCK_UN) }); err != nil {
		return err
	}
	return uerr
}
