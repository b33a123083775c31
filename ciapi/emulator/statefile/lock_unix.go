//go:build unix

package statefile

import (
	"os"
	"syscall"
)

// OpenNonblock keeps opening a FIFO from waiting for a writer.
const OpenNonblock = syscall.O_NONBLOCK

// Lock takes the exclusive lock of f, waiting for it (flock: released when every
// descriptor of the open file is closed, so a killed process never keeps it).
func Lock(f *os.File) error {
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

// Unlock releases the lock of f.
func Unlock(f *os.File) error {
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
