package main

import (
	"context"
	"fmt"
	"time"

	"github.com/planrun/planrun/plan"
)

// benchValidate times `planrun validate` of a plan with many jobs (the child process,
// start-up included; the best of three) and plan.Load of the same file in process.
func benchValidate(ctx context.Context, b *bench, t *table) error {
	const area = "2 validation"
	n := b.validateJobs
	p, err := writeManyJobsPlan(b.dir, "validate", n)
	if err != nil {
		return err
	}
	best := time.Duration(0)
	for range 3 {
		res, err := runProc(ctx, b.dir, nil, true, b.bin, "validate", "--max-requests", "0", p)
		if err != nil {
			return err
		}
		if best == 0 || res.Wall < best {
			best = res.Wall
		}
	}
	t.add(area, fmt.Sprintf("`planrun validate`, %s jobs (process, best of 3)", thousands(n)),
		fmt.Sprintf("%.3f s (%.1f µs/job)", best.Seconds(), float64(best.Microseconds())/float64(n)),
		"< 0.5 s", check(best < 500*time.Millisecond))
	start := time.Now()
	if _, err := plan.Load(p); err != nil {
		return fmt.Errorf("load %s: %w", p, err)
	}
	d := time.Since(start)
	t.add(area, "plan.Load of the same file, in process", fmt.Sprintf("%.3f s (%.1f µs/job)", d.Seconds(),
		float64(d.Microseconds())/float64(n)), "", nil)
	return nil
}
