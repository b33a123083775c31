//go:build unix

package main

import (
	"runtime"
	"syscall"
	"time"
)

// rusageSelfCPU returns the user+system CPU time this process has used so far; 0 when
// the OS does not say.
func rusageSelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS converts the rusage of a finished child into bytes (Linux reports KiB, macOS bytes).
func maxRSS(u any) int64 {
	ru, ok := u.(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
