// Package executor runs the requests of expanded plans against the CI batch-job API with
// bounded parallelism, a shared rate limit, retries with backoff, reconciliation by job Name
// and a state file (package state), so that every request is triggered exactly once (README, "How exactly-once works").
// It also follows triggered jobs (Wait) and cancels them (Cancel). It is the batch-job
// room: per-object work (results, latest attempts, retry sets) is package objects, which
// builds on Engine; pacing is package pace. It returns results through callbacks and
// values and never prints.
package executor
