package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// benchWait counts the API calls of --wait rounds over many triggered jobs. An in-process
// emulator runs on a clock that the bench stops at chosen times between rounds (client,
// executor and emulator share it), so each round sees a known share of the jobs finished. A round is
// one follow.Refresh: exactly what Wait does every --poll-interval.
func benchWait(ctx context.Context, b *bench, t *table) error {
	const area = "5 --wait"
	const submittedFor, runningFor = 10 * time.Minute, 10 * time.Minute
	var frozen atomic.Int64 // unix nanoseconds; 0: the real clock
	now := func() time.Time {
		if ns := frozen.Load(); ns != 0 {
			return time.Unix(0, ns)
		}
		return time.Now()
	}
	emu, err := emulator.Start(emulator.Options{Clock: now, SubmittedFor: submittedFor, RunningFor: runningFor, Seed: 1})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer emu.Close()
	c, err := newClient(emu.URL, now)
	if err != nil {
		return err
	}
	n := b.waitN
	p, err := loadPlan(b, "wait", n)
	if err != nil {
		return err
	}
	store, err := state.Open(filepath.Join(b.dir, "state-wait.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	plans := []*plan.Plan{p}
	opts := executor.Options{Parallel: 32, QPS: 0, Now: now}
	sum, err := executor.Run(ctx, c, store, plans, opts)
	if err != nil {
		return fmt.Errorf("trigger: %w", err)
	}
	if sum.Total.Triggered != n {
		return fmt.Errorf("trigger: %d triggered, want %d", sum.Total.Triggered, n)
	}
	jobs := emu.Server.Jobs()
	life := submittedFor + runningFor
	// Before each round the clock stops just after the end of the first k jobs (in
	// creation order): k of them are finished, the others still running.
	finished := []int{0, n / 2, 3 * n / 4, n}
	unfinished := n
	for i, k := range finished {
		stop := time.Now()
		if k > 0 {
			stop = jobs[k-1].CreationTime.Add(life)
		}
		frozen.Store(stop.UnixNano())
		before := emu.Server.Stats()
		ws, err := follow.Refresh(ctx, c, store, plans, opts)
		if err != nil {
			return fmt.Errorf("round %d: %w", i+1, err)
		}
		after := emu.Server.Stats()
		lists := after.Calls["list"] - before.Calls["list"]
		describes := after.Calls["describe"] - before.Calls["describe"]
		allowed := (unfinished + 99) / 100
		t.add(area, fmt.Sprintf("round %d (%s of %s jobs finished): %s unfinished before the round, %s after",
			i+1, thousands(k), thousands(n), thousands(unfinished), thousands(ws.Unfinished)),
			fmt.Sprintf("%d list + %d describe calls", lists, describes),
			fmt.Sprintf("<= %d calls (1 per 100 unfinished)", allowed), check(lists+describes <= allowed))
		unfinished = ws.Unfinished
	}
	return nil
}
