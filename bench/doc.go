// Command bench measures planrun's performance targets side by side in one run and prints
// one Markdown table, headed by the machine it ran on (see BENCHMARKS.md for how to read it).
//
//	go run ./bench            # everything, a few minutes
//	go run ./bench -quick     # smaller sizes, for a smoke test of the bench itself
//
// It builds cmd/planrun into a temporary folder and measures the real binary as a child
// process: streaming expansion (peak RSS of `run --dry-run --format json`), validation of a
// plan with many jobs, throughput against `planrun emulator` (a separate process) next to a
// minimal signed net/http client, the cost of the state file, the rate limit as seen by the
// emulator, and the list calls of each --wait round. Everything runs on loopback only; every
// measurement uses a fresh state file and its own bucket.
package main
