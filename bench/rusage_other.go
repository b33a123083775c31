//go:build !unix

package main

import "time"

// rusageSelfCPU returns 0: without getrusage the bench's own CPU time is not measured,
// and the rows that use it leave the CPU figures out.
func rusageSelfCPU() time.Duration { return 0 }

// maxRSS returns 0: without getrusage a child's peak RSS is not measured.
func maxRSS(any) int64 { return 0 }
