// Package executor runs the requests of expanded plans against the CI batch-job API with
// bounded parallelism, a shared rate limit, retries with backoff, reconciliation by job Name
// and a state file (package state), so that every request is triggered exactly once (README, "How exactly-once works").
// It is the batch-job room: following triggered jobs to their end (Wait, Refresh) and
// cancelling them (Cancel) is package executor/follow, per-object work (results, latest
// attempts, retry sets) package objects, both built on Engine; pacing is package pace. It
// returns results through callbacks and values and never prints.
package executor
