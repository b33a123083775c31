package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
)

// adaptiveLimit is the rate the emulator's throttle allows in the --qps auto figures.
const adaptiveLimit = 40

// adaptiveCase is one fault model `planrun run --qps auto` is measured against.
type adaptiveCase struct {
	name     string
	throttle emulator.Throttle
	faults   emulator.Faults
}

// benchAdaptive runs `planrun run --qps auto --parallel 8` against an in-process emulator
// that throttles above 40 requests/s (a token bucket answering 503 SlowDown without
// Retry-After), alone and with random faults, and against random faults alone. It reports
// the rate of creates the server accepted (first to last create, the start-up included) as
// a share of the limit, the share of create answers that were throttles, and checks that
// every job exists exactly once.
func benchAdaptive(ctx context.Context, b *bench, t *table) error {
	const area = "6 adaptive rate"
	lim := emulator.Throttle{QPS: adaptiveLimit}
	cases := []adaptiveCase{
		{name: "40/s throttle", throttle: lim},
		{name: "40/s throttle + 10% random 500 + 2% resets", throttle: lim, faults: emulator.Faults{ErrorRate: 0.1, ResetRate: 0.02}},
		{name: "40/s throttle + 5% random 429 (Retry-After 1)", throttle: lim, faults: emulator.Faults{TooManyRate: 0.05}},
	}
	n := b.rateN
	for i, c := range cases {
		m, err := runAdaptive(ctx, b, fmt.Sprintf("auto%d", i), n, c)
		if err != nil {
			return err
		}
		share := m.accepted / adaptiveLimit
		t.add(area, fmt.Sprintf("`--qps auto`, %s, %s requests: calls let through per second at the server / limit", c.name, thousands(n)),
			fmt.Sprintf("%s = %s of %d (run took %.0fs)", perSec(m.accepted), pct(share), adaptiveLimit, m.wall), ">= 85%", check(share >= 0.85))
		t.add(area, "the same: calls throttled (SlowDown, 429) / calls", fmt.Sprintf("%s (%d of %d calls, %d creates)", pct(m.throttledShare()), m.throttled, m.calls, m.creates),
			"<= 10%", check(m.throttledShare() <= 0.10))
		t.add(area, "the same: jobs at the server, each Name once", fmt.Sprintf("%d (duplicates: %d)", m.jobs, m.dups), strconv.Itoa(n), check(m.jobs == n && m.dups == 0))
	}
	// Random faults and no limit: the pace must not collapse below the fixed default.
	c := adaptiveCase{name: "no limit, 10% random 500 + 2% resets", faults: emulator.Faults{ErrorRate: 0.1, ResetRate: 0.02}}
	m, err := runAdaptive(ctx, b, "autofaults", n, c)
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
}

func (m adaptiveMeasure) throttledShare() float64 {
	if m.calls == 0 {
		return 0
	}
	return float64(m.throttled) / float64(m.calls)
}

// runAdaptive runs `planrun run --qps auto` over a fresh n-request plan against a fresh
// in-process emulator with c's throttle and faults.
func runAdaptive(ctx context.Context, b *bench, tag string, n int, c adaptiveCase) (adaptiveMeasure, error) {
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
	state := filepath.Join(b.dir, "state-"+tag+".db")
	res, err := runProc(ctx, b.dir, nil, true, b.bin, "run", "--endpoint", emu.URL, "--state", state, "--quiet",
		"--max-requests", "0", "--parallel", "8", "--retries", "20", "--qps", "auto", p)
	if err != nil {
		return adaptiveMeasure{}, err
	}
	st := emu.Server.Stats()
	// The throttle meets every call (creates, and the Name lookups after an uncertain
	// create), so the figures count every call: those let through, and those refused by
	// the throttle (SlowDown) or by the random 429s.
	m := adaptiveMeasure{wall: res.Wall.Seconds(), creates: st.Calls[emulator.OpCreate]}
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
	m.accepted = float64(m.passed) / max(1e-9, spanSeconds(st.CreateStarts))
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
