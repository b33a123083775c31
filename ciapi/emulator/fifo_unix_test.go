//go:build unix

package emulator

import "syscall"

// mkfifo makes a FIFO at path, for the tests of outputs and files that are not regular.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
