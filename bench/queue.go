package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
)

// queueLimit is the emulator's queue in the queue figures: unfinished batch jobs per bucket.
const queueLimit = 20

// queueSubmitted and queueRunning are how long a batch job of the queue figures stays unfinished (Submitted,
// then Running).
const queueSubmitted, queueRunning = 100 * time.Millisecond, 200 * time.Millisecond

// benchQueue runs `planrun run` over b.queueN requests against an in-process emulator
// whose bucket holds at most 20 unfinished batch jobs (a create beyond answers 403
// QueueSaturated) and whose jobs take 300 ms: with --qps auto and with --qps 0 (as fast as
// it can, so the queue fills at once). Figures: the exit status, each request triggered
// exactly once, the time against the queue's own bound (n / 20 jobs × 300 ms), and the
// saturated answers.
func benchQueue(ctx context.Context, b *bench, t *table) error {
	const area = "8 queue"
	n := b.queueN
	life := queueSubmitted + queueRunning
	bound := time.Duration(n/queueLimit) * life
	for _, qps := range []string{"auto", "0"} {
		emu, err := emulator.Start(emulator.Options{Seed: 13, QueueLimit: queueLimit, SubmittedFor: queueSubmitted, RunningFor: queueRunning})
		if err != nil {
			return fmt.Errorf("start emulator: %w", err)
		}
		tag := "queue" + qps
		p, err := writeWindowPlan(b.dir, "run-"+tag, bucketFor(tag), n)
		if err != nil {
			emu.Close()
			return err
		}
		res, err := runProc(ctx, b.dir, nil, true, b.bin, "run", "--endpoint", emu.URL, "--state", filepath.Join(b.dir, "state-"+tag+".db"),
			"--quiet", "--max-requests", "0", "--parallel", "8", "--qps", qps, p)
		exit := "0"
		if err != nil {
			exit = err.Error()
		}
		st := emu.Server.Stats()
		seen := map[string]bool{}
		dups := 0
		for _, j := range emu.Server.Jobs() {
			if seen[j.Name] {
				dups++
			}
			seen[j.Name] = true
		}
		emu.Close()
		t.add(area, fmt.Sprintf("`planrun run --qps %s --parallel 8`, %s requests, queue of %d unfinished jobs (each 300 ms): exit status, jobs at the server (each Name once)",
			qps, thousands(n), queueLimit), fmt.Sprintf("exit %s, %d jobs (duplicates: %d)", exit, len(seen), dups),
			"exit 0, "+strconv.Itoa(n)+" jobs, 0 duplicates", check(err == nil && len(seen) == n && dups == 0))
		t.add(area, "the same: wall time / the queue's bound (n / 20 × 300 ms)",
			fmt.Sprintf("%.1f s / %.1f s = %.2f×", res.Wall.Seconds(), bound.Seconds(), res.Wall.Seconds()/bound.Seconds()), "", nil)
		t.add(area, "the same: creates answered QueueSaturated / creates",
			fmt.Sprintf("%d / %d", st.Faults[emulator.FaultQueueSaturated], st.Calls[emulator.OpCreate]), "", nil)
	}
	return nil
}
