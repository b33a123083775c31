package session

import "runtime/debug"

// RunGCPercent is the GC target of a run that sends requests (not of a dry run). A run's
// live heap stays under 1 MiB whatever the plan size (requests are streamed), so with the
// default of 100 the collector starts a cycle after every ~4 MiB allocated: about every
// 170 creates, which cost a fifth of planrun's CPU at 10k creates/s. At 400 a run
// collects 4 times less often and peaks about 12 MiB higher; the live heap still bounds
// the heap (to 5 times it). The dry run keeps the default (its RSS targets are tighter).
const RunGCPercent = 400

// RunMemoryLimit is the soft memory limit of a run that sends requests. A run's calls may
// hold the client's whole response-read budget (32 MiB) when a server answers huge bodies,
// and a large plan's reconciliation holds 8 bytes per pending request (16 MiB at a
// million); at RunGCPercent the heap could then grow to five times that before a
// collection. Near this limit the collector runs sooner instead, so the peak of every run
// stays flat however large the plan (BENCHMARKS.md, area 9).
const RunMemoryLimit = 64 << 20

// tuneGC sets RunGCPercent (and RunMemoryLimit when limit is set) for the rest of a run,
// and returns the function that restores the previous settings. The command calls it
// unless the user set GOGC, with limit unless the user set GOMEMLIMIT.
func tuneGC(limit bool) (restore func()) {
	old := debug.SetGCPercent(RunGCPercent)
	oldLimit := int64(-1)
	if limit {
		oldLimit = debug.SetMemoryLimit(RunMemoryLimit)
	}
	return func() {
		debug.SetGCPercent(old)
		if oldLimit >= 0 {
			debug.SetMemoryLimit(oldLimit)
		}
	}
}
