package pace

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// The shapes beyond the matrix: a limit that changes during the run, throttles that come
// as a bare status or with another error code, a service that answers more slowly under
// load instead of throttling, and a concurrency cap. Each is judged over phases of its
// run (see morePhase).

// morePhase is a stretch of a run and the rate the service allows during it.
type morePhase struct {
	from, to time.Duration
	limit    float64
	burst    float64 // a bucket's burst let through in this phase: not capacity
}

// moreShape is a shape of the matrix beyond the grid, with the phases it is judged on.
type moreShape struct {
	sh     simShape
	total  time.Duration
	phases []morePhase
	// unpaced: the limit of each phase is what the same shape lets through with no pace
	// at all (a service that does not throttle): the pace must not hold the workers back.
	unpaced bool
}

// moreShapes are the shapes beyond the grid.
func moreShapes() []moreShape {
	bucket := func(l float64) func() simLimit { return func() simLimit { return newSimBucket(l, l) } }
	steps := func() simLimit {
		return newSimSteps([]time.Duration{0, time.Minute, 2 * time.Minute}, []float64{40, 20, 40})
	}
	// Judged from 5 s after each change: it must follow the limit down within seconds,
	// and back up.
	changing := []morePhase{
		{0, time.Minute, 40, 40},
		{time.Minute + 5*time.Second, 2 * time.Minute, 20, 0},
		{2*time.Minute + 5*time.Second, 3 * time.Minute, 40, 0},
	}
	minute := []morePhase{{0, time.Minute, 40, 40}}
	fixed := func(d time.Duration) func(*rand.Rand) time.Duration {
		return func(*rand.Rand) time.Duration { return d }
	}
	// A service that takes 10 ms plus 4 ms for each call in flight.
	slower := func(_ *rand.Rand, inFlight int) time.Duration {
		return 10*time.Millisecond + time.Duration(inFlight)*4*time.Millisecond
	}
	return []moreShape{
		{sh: simShape{name: "40/s falling to 20/s at 60 s, 40/s again at 120 s, 429", limit: 40, newLimit: steps, status: 429},
			total: 3 * time.Minute, phases: changing},
		{sh: simShape{name: "40/s falling to 20/s at 60 s, 40/s again at 120 s, 503 + Retry-After 1s", limit: 40, newLimit: steps,
			status: http.StatusServiceUnavailable, retryAfter: time.Second}, total: 3 * time.Minute, phases: changing},
		{sh: simShape{name: "3 clients, 60/s falling to 30/s at 60 s, 60/s again at 120 s, 429", limit: 60, clients: 3,
			newLimit: func() simLimit {
				return newSimSteps([]time.Duration{0, time.Minute, 2 * time.Minute}, []float64{60, 30, 60})
			}, status: 429}, total: 3 * time.Minute, phases: []morePhase{
			{0, time.Minute, 60, 60},
			{time.Minute + 5*time.Second, 2 * time.Minute, 30, 0},
			{2*time.Minute + 5*time.Second, 3 * time.Minute, 60, 0},
		}},
		{sh: simShape{name: "40/s bucket, bare 503 (no body)", limit: 40, newLimit: bucket(40), status: 503, code: "-"},
			total: time.Minute, phases: minute},
		{sh: simShape{name: "40/s bucket, bare 429 (no body)", limit: 40, newLimit: bucket(40), status: 429, code: "-"},
			total: time.Minute, phases: minute},
		{sh: simShape{name: "40/s sliding 1 s window, 503 QueueSaturated", limit: 40, newLimit: func() simLimit { return &simSliding{limit: 40} },
			status: 503, code: "QueueSaturated"}, total: time.Minute, phases: []morePhase{{0, time.Minute, 40, 0}}},
		{sh: simShape{name: "no throttles, 10 ms + 4 ms per call in flight, 8 workers", loaded: slower},
			total: time.Minute, phases: []morePhase{{0, time.Minute, 0, 0}}, unpaced: true},
		{sh: simShape{name: "3 clients, no throttles, 10 ms + 4 ms per call in flight, 8 workers each", clients: 3, loaded: slower},
			total: time.Minute, phases: []morePhase{{0, time.Minute, 0, 0}}, unpaced: true},
		{sh: simShape{name: "429 above 4 calls in flight, 40 ms each (200/s), 32 workers", limit: 200, inFlight: 4,
			latency: fixed(40 * time.Millisecond), status: 429, parallel: 32},
			total: time.Minute, phases: []morePhase{{0, time.Minute, 200, 0}}},
	}
}

// phase returns the calls let through per second and the share of calls throttled over
// [from, to) of o's run.
func (o simOutcome) phase(from, to time.Duration) (passed, throttled float64) {
	n, k := 0, 0
	for s := int(from / time.Second); s < int(to/time.Second) && s < len(o.secPassed); s++ {
		n += o.secPassed[s]
		k += o.secThrottled[s]
	}
	if n+k > 0 {
		throttled = float64(k) / float64(n+k)
	}
	return float64(n) / (to - from).Seconds(), throttled
}

// judgeMore runs m and returns its figures and whether every phase met the targets
// (>= 85% of its limit let through, <= 10% throttled; with several clients the slowest
// >= 70% of its share over the whole run).
func judgeMore(m moreShape, seed uint64) (string, bool) {
	o := simulateShape(m.sh, seed, 0, m.total)
	var ref simOutcome
	if m.unpaced {
		sh := m.sh
		sh.cfg = func(c *AdaptiveConfig) { c.Start, c.Ceiling = 1e9, 1e9 }
		ref = simulateShape(sh, seed, 0, m.total)
	}
	line := fmt.Sprintf("%-72s", m.sh.name)
	ok := true
	for _, p := range m.phases {
		got, thr := o.phase(p.from, p.to)
		got -= p.burst / (p.to - p.from).Seconds()
		limit := p.limit
		if m.unpaced {
			limit, _ = ref.phase(p.from, p.to)
		}
		share := got / limit
		line += fmt.Sprintf(" | %3.0f-%3.0fs: %5.1f/s = %4.0f%% of %.0f, %4.1f%% throttled", p.from.Seconds(), p.to.Seconds(), got, 100*share, limit, 100*thr)
		ok = ok && share >= 0.85 && thr <= 0.10
	}
	if n := len(o.allPassed); n > 1 {
		limit := m.sh.limit
		if m.unpaced {
			limit = ref.wholeAchieved(0)
		} else {
			limit = o.wholeAchieved(0)
		}
		fair := o.wholeSlowest() / (limit / float64(n))
		line += fmt.Sprintf("; slowest %3.0f%% of its share", 100*fair)
		ok = ok && fair >= 0.70
	}
	if m.unpaced {
		drops := 0
		for _, a := range o.paces {
			drops += a.Stats().Drops
		}
		line += fmt.Sprintf("; %d drops", drops)
		ok = ok && drops == 0
	}
	return line, ok
}
