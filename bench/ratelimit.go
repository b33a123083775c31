package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// benchLatency runs `planrun run --parallel 64 --qps 0` against an emulator process that
// answers after 50 ms, where 64 workers allow at most 64/50ms = 1,280 requests/s, and the
// minimal client under the same conditions.
func benchLatency(ctx context.Context, b *bench, t *table) error {
	const area = "3 throughput"
	const par, latency = 64, 50 * time.Millisecond
	emu, err := startEmulator(ctx, b.bin, "--latency", latency.String())
	if err != nil {
		return err
	}
	defer emu.stop()
	n := b.latencyN
	bound := float64(par) / latency.Seconds()
	base, err := runBaseline(ctx, b, emu, "lat-base", n, par)
	if err != nil {
		return err
	}
	c, err := runPlanrun(ctx, b, emu, "lat-run", b.dir, n, "--parallel", strconv.Itoa(par), "--qps", "0")
	if err != nil {
		return err
	}
	t.add(area, fmt.Sprintf("50 ms latency, %d workers: baseline client, %s creates", par, thousands(n)),
		fmt.Sprintf("%s (%s of %.0f)", perSec(base.rate), pct(base.rate/bound), bound), "", nil)
	t.add(area, fmt.Sprintf("50 ms latency: `planrun run --parallel %d --qps 0` (process wall time)", par),
		fmt.Sprintf("%s = %s of %.0f (server saw %s)", perSec(c.rate), pct(c.rate/bound), bound, perSec(c.serverRate)),
		fmt.Sprintf(">= 90%% of %.0f", bound), check(c.rate >= 0.9*bound))
	return nil
}

// benchRateLimit runs `planrun run --qps 100` over 2,000 requests and checks, with the
// create arrival times the emulator recorded, the achieved rate and the busiest second.
func benchRateLimit(ctx context.Context, b *bench, t *table) error {
	const area = "4 rate limit"
	const qps, par = 100, 8
	emu, err := startEmulator(ctx, b.bin)
	if err != nil {
		return err
	}
	defer emu.stop()
	n := b.rateN
	if _, err := runPlanrun(ctx, b, emu, "qps", b.dir, n, "--parallel", strconv.Itoa(par), "--qps", strconv.Itoa(qps)); err != nil {
		return err
	}
	st, err := emu.stats(ctx)
	if err != nil {
		return err
	}
	rate := spanRate(st.CreateStarts)
	burst := min(par, qps)
	busiest := maxInWindow(st.CreateStarts, time.Second)
	t.add(area, fmt.Sprintf("`--qps %d --parallel %d`, %s creates: rate at the server (first to last create)", qps, par, thousands(n)),
		fmt.Sprintf("%.2f req/s (%+.2f%%)", rate, 100*(rate-qps)/qps), "100 ± 3%", check(math.Abs(rate-qps) <= 0.03*qps))
	t.add(area, "the same: most creates in any 1-second window at the server",
		strconv.Itoa(busiest), fmt.Sprintf("<= %d + burst %d", qps, burst), check(busiest <= qps+burst))
	return nil
}
