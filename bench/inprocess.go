package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// newClient returns planrun's own API client aimed at the emulator, configured as
// `planrun run --endpoint` configures it.
func newClient(emuURL string, now func() time.Time) (*ciapi.Client, error) {
	return ciapi.New(ciapi.Config{
		Credentials: ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey},
		Endpoint:    emuURL,
		Now:         now,
	})
}

// benchInProcess separates the cost of keeping state from everything else: in this
// process, the same ciapi.Client sends the same creates either from a raw loop of 32
// goroutines (no state, no reconciliation) or through executor.Run with a fresh state
// file on disk. The two alternate twice; the best of each is kept. With -cpuprofile, the
// executor runs are profiled.
func benchInProcess(ctx context.Context, b *bench, emu *emuProc, t *table) error {
	const area = "3 throughput"
	n, par := b.throughputN, 32
	var raw, run float64
	var rawCPU, runCPU time.Duration // least CPU per create of each
	for i := range 2 {
		c := selfCPU()
		r, err := rawClientLoop(ctx, b, emu, fmt.Sprintf("raw%d", i), n, par)
		if err != nil {
			return err
		}
		raw, rawCPU = max(raw, r), leastCPU(rawCPU, measure{n: n, clientCPU: selfCPU() - c})
		c = selfCPU()
		e, err := executorRun(ctx, b, emu, fmt.Sprintf("exec%d", i), n, par)
		if err != nil {
			return err
		}
		run, runCPU = max(run, e), leastCPU(runCPU, measure{n: n, clientCPU: selfCPU() - c})
	}
	t.add(area, fmt.Sprintf("in process: raw loop of ciapi.Client.Create, %d workers, no state (best of 2)", par),
		fmt.Sprintf("%s; CPU/request %.0f µs", perSec(raw), micros(rawCPU)), "", nil)
	t.add(area, "in process: executor.Run, same client, state on disk (best of 2)",
		fmt.Sprintf("%s; CPU/request %.0f µs", perSec(run), micros(runCPU)), "", nil)
	t.add(area, "executor.Run with state / raw client loop", pct(run/raw), ">= 90%", check(run >= 0.9*raw))
	return nil
}

// loadPlan writes and loads a fresh n-request plan in its own bucket.
func loadPlan(b *bench, tag string, n int) (*plan.Plan, error) {
	path, err := writeWindowPlan(b.dir, "inproc-"+tag, bucketFor(tag), n)
	if err != nil {
		return nil, err
	}
	p, err := plan.Load(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return p, nil
}

// rawClientLoop sends the creates of a fresh plan with parallel goroutines calling
// ciapi.Client.Create directly, and returns the rate.
func rawClientLoop(ctx context.Context, b *bench, emu *emuProc, tag string, n, parallel int) (float64, error) {
	p, err := loadPlan(b, tag, n)
	if err != nil {
		return 0, err
	}
	var reqs []*ciapi.CreateRequest
	for r := range p.Requests() {
		reqs = append(reqs, executor.CreateRequest(&r))
	}
	c, err := newClient(emu.URL, nil)
	if err != nil {
		return 0, err
	}
	bucket := bucketFor(tag)
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) || ctx.Err() != nil {
					return
				}
				if _, err := c.Create(ctx, bucket, benchRegion, reqs[i]); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, fmt.Errorf("raw client loop: %w", err)
	}
	return float64(n) / d.Seconds(), nil
}

// executorRun runs a fresh plan through executor.Run with a fresh state file on disk, and
// returns the rate (Open and Close of the state included).
func executorRun(ctx context.Context, b *bench, emu *emuProc, tag string, n, parallel int) (float64, error) {
	p, err := loadPlan(b, tag, n)
	if err != nil {
		return 0, err
	}
	c, err := newClient(emu.URL, nil)
	if err != nil {
		return 0, err
	}
	if b.cpuprofile != "" {
		f, err := os.Create(b.cpuprofile)
		if err != nil {
			return 0, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 0, fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	store, err := state.Open(filepath.Join(b.dir, "state-"+tag+".db"))
	if err != nil {
		return 0, err
	}
	sum, err := executor.Run(ctx, c, store, []*plan.Plan{p}, executor.Options{Parallel: parallel, QPS: 0})
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("executor run: %w", err)
	}
	if sum.Total.Triggered != n {
		return 0, fmt.Errorf("executor run: %d triggered, want %d", sum.Total.Triggered, n)
	}
	return float64(n) / d.Seconds(), nil
}
