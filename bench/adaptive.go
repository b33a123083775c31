package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
)

// adaptiveLimit is the rate the emulator's throttle allows in the --qps auto figures;
// shardLimit the one three shards share.
const adaptiveLimit, shardLimit = 40, 60

// adaptiveCase is one fault model `planrun run --qps auto` is measured against.
type adaptiveCase struct {
	name     string
	throttle emulator.Throttle
	faults   emulator.Faults
	// n is the requests of the run (0: the bench's rate figure); parallel its --parallel
	// (0: 8).
	n, parallel int
}

// adaptiveCases are the throttle shapes of a service whose limit planrun is not told.
func adaptiveCases() []adaptiveCase {
	const l = adaptiveLimit
	return []adaptiveCase{
		{name: "token bucket, burst = limit, 429 without Retry-After", throttle: emulator.Throttle{QPS: l, Burst: l, Status: 429}},
		{name: "token bucket, burst = 10 x limit, 503 without Retry-After", throttle: emulator.Throttle{QPS: l, Burst: 10 * l}},
		{name: "calendar-second windows, 429 without Retry-After", throttle: emulator.Throttle{QPS: l, Shape: emulator.ShapeFixed, Status: 429}},
		{name: "sliding 1 s window, 503 with Retry-After", throttle: emulator.Throttle{QPS: l, Shape: emulator.ShapeSliding, RetryAfter: true}},
		{name: "token bucket, burst = limit, + 5% random 429 (Retry-After 1)", throttle: emulator.Throttle{QPS: l, Burst: l, Status: 429}, faults: emulator.Faults{TooManyRate: 0.05}},
		{name: "token bucket + 10% random 500 + 2% resets", throttle: emulator.Throttle{QPS: l}, faults: emulator.Faults{ErrorRate: 0.1, ResetRate: 0.02}},
		// A low limit, where a call too many is a larger share of a second, and a high
		// one with random refusals on top (32 workers, as a user who wants 150 calls a
		// second sets --parallel).
		{name: "token bucket, burst = limit, 429 without Retry-After", throttle: emulator.Throttle{QPS: 5, Burst: 5, Status: 429}, n: 400},
		{name: "sliding 1 s window, 429, + 5% random refusals", throttle: emulator.Throttle{QPS: 150, Shape: emulator.ShapeSliding, Status: 429, Random: 0.05}, n: 4000, parallel: 32},
	}
}

// benchAdaptive runs `planrun run --qps auto --parallel 8` against an in-process emulator
// with each throttle shape (at 40 requests/s), three such processes (`--shard K/3`) on one
// 60/s limit, and random faults without a limit. It reports the sustained rate of calls
// the server let through (first to last create, the start-up included, a bucket's burst
// left out) as a share of the limit, the
// share of calls that were throttles, and checks that every job exists exactly once.
func benchAdaptive(ctx context.Context, b *bench, t *table) error {
	const area = "6 adaptive rate"
	for i, c := range adaptiveCases() {
		n := b.rateN
		if c.n > 0 {
			n = min(c.n, 2*n) // -quick shortens these too
		}
		m, err := runAdaptive(ctx, b, fmt.Sprintf("auto%d", i), n, 1, c)
		if err != nil {
			return err
		}
		limit := c.throttle.QPS
		share := m.accepted / limit
		t.add(area, fmt.Sprintf("`--qps auto`, %s, %g/s, %s requests: calls let through per second / limit", c.name, limit, thousands(n)),
			fmt.Sprintf("%s = %s (run took %.0fs)", perSec(m.accepted), pct(share), m.wall), ">= 85%", check(share >= 0.85))
		t.add(area, "the same: calls throttled (SlowDown, 429) / calls", fmt.Sprintf("%s (%d of %d calls, %d creates)", pct(m.throttledShare()), m.throttled, m.calls, m.creates),
			"<= 10%", check(m.throttledShare() <= 0.10))
		t.add(area, "the same: jobs at the server, each Name once", fmt.Sprintf("%d (duplicates: %d)", m.jobs, m.dups), strconv.Itoa(n), check(m.jobs == n && m.dups == 0))
	}
	// Three processes, one shard of the plan each, on one limit.
	n := b.rateN
	c := adaptiveCase{name: "three processes (`--shard K/3`) on one token bucket, burst = limit, 429", throttle: emulator.Throttle{QPS: shardLimit, Burst: shardLimit, Status: 429}}
	m, err := runAdaptive(ctx, b, "autoshards", n, 3, c)
	if err != nil {
		return err
	}
	share := m.accepted / shardLimit
	fair := m.slowest / (shardLimit / 3)
	t.add(area, fmt.Sprintf("`--qps auto`, %s, %d/s, %s requests: calls let through per second / limit", c.name, shardLimit, thousands(n)),
		fmt.Sprintf("%s = %s (run took %.0fs)", perSec(m.accepted), pct(share), m.wall), ">= 85%", check(share >= 0.85))
	t.add(area, "the same: slowest shard's creates per second / its share of the limit (60/3)",
		fmt.Sprintf("%s = %s", perSec(m.slowest), pct(fair)), ">= 70%", check(fair >= 0.70))
	t.add(area, "the same: calls throttled / calls", fmt.Sprintf("%s (%d of %d calls)", pct(m.throttledShare()), m.throttled, m.calls),
		"<= 10%", check(m.throttledShare() <= 0.10))
	t.add(area, "the same: jobs at the server, each Name once", fmt.Sprintf("%d (duplicates: %d)", m.jobs, m.dups), strconv.Itoa(n), check(m.jobs == n && m.dups == 0))
	// Random faults and no limit: the pace must not collapse below the fixed default.
	c = adaptiveCase{name: "no limit, 10% random 500 + 2% resets", faults: emulator.Faults{ErrorRate: 0.1, ResetRate: 0.02}}
	m, err = runAdaptive(ctx, b, "autofaults", n, 1, c)
	if err != nil {
		return err
	}
	t.add(area, fmt.Sprintf("`--qps auto`, %s, %s requests: calls let through per second", c.name, thousands(n)),
		fmt.Sprintf("%s, %d jobs (duplicates: %d)", perSec(m.accepted), m.jobs, m.dups), "> 10 req/s (the fixed default)", check(m.accepted > 10 && m.jobs == n && m.dups == 0))
	return nil
}

// adaptiveMeasure is what one run against a fault model gave.
type adaptiveMeasure struct {
	accepted, wall         float64 // calls let through per second; the run's wall time
	calls, creates, passed int     // calls, create calls, calls answered 2xx
	throttled              int     // calls refused by the throttle or a random 429
	jobs, dups             int
	slowest                float64 // the slowest process's creates per second (its own wall time)
}

func (m adaptiveMeasure) throttledShare() float64 {
	if m.calls == 0 {
		return 0
	}
	return float64(m.throttled) / float64(m.calls)
}

// runAdaptive runs `planrun run --qps auto` over a fresh n-request plan against a fresh
// in-process emulator with c's throttle and faults: one process, or shards processes at
// once, each running its `--shard K/shards` with its own state. A create left without an
// answer (a reset) waits a settle window of 4 s before it is looked up again, not the
// default 30 s: that wait is the recovery's figure, not the pace's.
func runAdaptive(ctx context.Context, b *bench, tag string, n, shards int, c adaptiveCase) (adaptiveMeasure, error) {
	emu, err := emulator.Start(emulator.Options{Seed: 42, Faults: c.faults})
	if err != nil {
		return adaptiveMeasure{}, err
	}
	defer emu.Close()
	emu.Server.SetThrottle(c.throttle)
	p, err := writeWindowPlan(b.dir, "run-"+tag, bucketFor(tag), n)
	if err != nil {
		return adaptiveMeasure{}, err
	}
	walls := make([]time.Duration, shards)
	errs := make(chan error, shards)
	var wg sync.WaitGroup
	for k := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			state := filepath.Join(b.dir, fmt.Sprintf("state-%s-%d.db", tag, k))
			args := []string{"run", "--endpoint", emu.URL, "--state", state, "--quiet",
				"--max-requests", "0", "--parallel", strconv.Itoa(max(8, c.parallel)), "--retries", "20", "--qps", "auto",
				"--timeout", "2s", "--settle-window", "4s"}
			if shards > 1 {
				args = append(args, "--shard", fmt.Sprintf("%d/%d", k+1, shards))
			}
			res, err := runProc(ctx, b.dir, nil, true, b.bin, append(args, p)...)
			walls[k] = res.Wall
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return adaptiveMeasure{}, err
		}
	}
	m := adaptiveMeasure{}
	for _, w := range walls {
		m.wall = max(m.wall, w.Seconds())
	}
	if shards > 1 {
		m.slowest = -1
		for _, w := range walls {
			if r := float64(n) / float64(shards) / w.Seconds(); m.slowest < 0 || r < m.slowest {
				m.slowest = r
			}
		}
	}
	st := emu.Server.Stats()
	// The throttle meets every call (creates, and the Name lookups after an uncertain
	// create), so the figures count every call: those let through, and those refused by
	// the throttle (SlowDown) or by the random 429s.
	m.creates = st.Calls[emulator.OpCreate]
	for _, n := range st.Calls {
		m.calls += n
	}
	for _, n := range st.OK {
		m.passed += n
	}
	m.throttled = st.Faults[emulator.FaultThrottle] + st.Faults[emulator.FaultTooMany]
	seen := map[string]bool{}
	for _, j := range emu.Server.Jobs() {
		if seen[j.Name] {
			m.dups++
		}
		seen[j.Name] = true
	}
	m.jobs = len(seen)
	// A bucket's burst is let through once, at the start: it is not capacity, so the
	// sustained rate leaves it out.
	burst := 0.0
	if c.throttle.QPS > 0 && (c.throttle.Shape == "" || c.throttle.Shape == emulator.ShapeBucket) {
		burst = c.throttle.Burst
		if burst <= 0 {
			burst = max(1, c.throttle.QPS/10) // the emulator's default
		}
	}
	m.accepted = max(0, float64(m.passed)-burst) / max(1e-9, spanSeconds(st.CreateStarts))
	return m, nil
}

// spanSeconds is the time between the first and the last of ts, in seconds.
func spanSeconds(ts []time.Time) float64 {
	s := sortedTimes(ts)
	if len(s) < 2 {
		return 0
	}
	return s[len(s)-1].Sub(s[0]).Seconds()
}
