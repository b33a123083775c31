package main

import "runtime/debug"

// runGCPercent is the GC target of a run that sends requests (not of a dry run). A run's
// live heap stays under 1 MiB whatever the plan size (requests are streamed), so with the
// default of 100 the collector starts a cycle after every ~4 MiB allocated: about every
// 170 creates, which cost a fifth of planrun's CPU at 10k creates/s. At 400 a run
// collects 4 times less often and peaks about 12 MiB higher; the live heap still bounds
// the heap (to 5 times it). The dry run keeps the default (its RSS targets are tighter).
const runGCPercent = 400

// runMemoryLimit is the soft memory limit of a run that sends requests, unless the user set
// GOMEMLIMIT (or GOGC). A run's calls may hold the client's whole response-read budget
// (32 MiB) when a server answers huge bodies; at runGCPercent the heap could then grow to
// five times that before a collection. Near this limit the collector runs sooner instead.
const runMemoryLimit = 96 << 20

// tuneGC sets runGCPercent (and runMemoryLimit unless GOMEMLIMIT is set) for the rest of a
// run unless the user set GOGC, and returns the function that restores the previous
// settings.
func tuneGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(runGCPercent)
	oldLimit := int64(-1)
	if getenv("GOMEMLIMIT") == "" {
		oldLimit = debug.SetMemoryLimit(runMemoryLimit)
	}
	return func() {
		debug.SetGCPercent(old)
		if oldLimit >= 0 {
			debug.SetMemoryLimit(oldLimit)
		}
	}
}
