package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// maxWaitGrowth is the most the wait phase may grow when the plan grows tenfold: linear
// with room for noise and for the log factor of the state's indexes (a quadratic phase
// grows a hundredfold).
const maxWaitGrowth = 15.0

// benchWaitScale times the wait phase of `run --wait` at two plan sizes, the larger ten
// times the smaller, and fails when its time grows more than maxWaitGrowth times. Each
// size triggers its plan (not timed) against an in-process emulator whose clock the bench
// stops, then times what --wait does after the creates: one Refresh with half of the jobs
// finished, then a Wait that ends with all of them finished (loading the jobs to follow
// from the state, the list sweeps, matching each page against the followed jobs, recording
// every final state, and reading the summary back).
func benchWaitScale(ctx context.Context, b *bench, t *table) error {
	const area = "10 wait scale"
	sizes := []int{b.waitScaleN / 10, b.waitScaleN}
	var cpu []time.Duration
	for _, n := range sizes {
		wall, c, err := waitPhase(ctx, b, n)
		if err != nil {
			return fmt.Errorf("%s requests: %w", thousands(n), err)
		}
		cpu = append(cpu, c)
		t.add(area, fmt.Sprintf("--wait after the creates of %s requests (half finished, then all): CPU of the process (planrun and its in-process emulator); wall time", thousands(n)),
			fmt.Sprintf("%.2f s (%.1f µs per job); wall %.2f s", c.Seconds(), float64(c.Microseconds())/float64(n), wall.Seconds()), "", nil)
	}
	ratio := cpu[1].Seconds() / cpu[0].Seconds()
	t.add(area, fmt.Sprintf("wait phase CPU at %s / at %s requests", thousands(sizes[1]), thousands(sizes[0])),
		fmt.Sprintf("%.2f×", ratio), fmt.Sprintf("<= %.0f× (linear: 10×)", maxWaitGrowth), check(ratio <= maxWaitGrowth))
	return nil
}

// waitPhase triggers a plan of n requests, then returns how long the wait for their jobs
// took: wall time, and the CPU this process used meanwhile (steadier on a shared machine).
func waitPhase(ctx context.Context, b *bench, n int) (wall, cpu time.Duration, err error) {
	// The jobs are created on the real clock, then the clock stops where the wait needs it:
	// how long a job runs only sets where.
	const submittedFor, runningFor = time.Second, 2 * time.Second
	var frozen atomic.Int64 // unix nanoseconds; 0: the real clock
	now := func() time.Time {
		if ns := frozen.Load(); ns != 0 {
			return time.Unix(0, ns)
		}
		return time.Now()
	}
	emu, err := emulator.Start(emulator.Options{Clock: now, SubmittedFor: submittedFor, RunningFor: runningFor, Seed: 1})
	if err != nil {
		return 0, 0, fmt.Errorf("start emulator: %w", err)
	}
	defer emu.Close()
	c, err := newClient(emu.URL, now)
	if err != nil {
		return 0, 0, err
	}
	tag := fmt.Sprintf("waitscale%d", n)
	p, err := loadPlan(b, tag, n)
	if err != nil {
		return 0, 0, err
	}
	store, err := state.Open(filepath.Join(b.dir, "state-"+tag+".db"))
	if err != nil {
		return 0, 0, err
	}
	defer store.Close()
	plans := []*plan.Plan{p}
	sum, err := executor.Run(ctx, c, store, plans, executor.Options{Parallel: 32, QPS: 0, Now: now})
	if err != nil {
		return 0, 0, fmt.Errorf("trigger: %w", err)
	}
	if sum.Total.Triggered != n {
		return 0, 0, fmt.Errorf("trigger: %d triggered, want %d", sum.Total.Triggered, n)
	}
	jobs := emu.Server.Jobs()
	life := submittedFor + runningFor
	start, cpu0 := time.Now(), selfCPU()
	if b.cpuprofile != "" && n == b.waitScaleN {
		stop, perr := startProfile(b.cpuprofile)
		if perr != nil {
			return 0, 0, perr
		}
		defer stop()
	}
	frozen.Store(jobs[n/2-1].CreationTime.Add(life).UnixNano())
	opts := executor.Options{Parallel: 32, QPS: 0, Now: now, PollInterval: time.Millisecond}
	if _, err := follow.Refresh(ctx, c, store, plans, opts); err != nil {
		return 0, 0, fmt.Errorf("refresh: %w", err)
	}
	frozen.Store(jobs[n-1].CreationTime.Add(life).UnixNano())
	ws, err := follow.Wait(ctx, c, store, plans, opts)
	if err != nil {
		return 0, 0, fmt.Errorf("wait: %w", err)
	}
	wall, cpu = time.Since(start), selfCPU()-cpu0
	if ws.Unfinished != 0 || ws.States["Success"]+ws.FailedCount() != n {
		return 0, 0, fmt.Errorf("wait: %d unfinished, %v", ws.Unfinished, ws.States)
	}
	return wall, cpu, nil
}

// startProfile starts a CPU profile into path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
