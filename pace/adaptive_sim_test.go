package pace

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// This file is a discrete-time simulation of --qps auto: a fake clock advancing by the
// millisecond, simulated services of each throttle shape, and simulated clients whose
// workers go through the real Adaptive exactly as the pace layer does (Wait, call,
// Observe) and back off after a throttle as the retry layer does (full
// jitter, at least the Retry-After). It proves the figures of --qps auto fast and without
// the noise of a loaded machine; the loopback bench measures the same on a real socket.

// simLimit is a service's rate limit: allow reports whether a call arriving at t passes.
type simLimit interface {
	allow(t time.Time) bool
}

// simBucket is a token bucket: burst tokens, refilled at limit a second.
type simBucket struct {
	limit, burst, tokens float64
	last                 time.Time
}

func newSimBucket(limit, burst float64) *simBucket {
	return &simBucket{limit: limit, burst: burst, tokens: burst}
}

func (b *simBucket) allow(t time.Time) bool {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+t.Sub(b.last).Seconds()*b.limit)
	}
	b.last = t
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// simFixed lets limit calls through per calendar second.
type simFixed struct {
	limit int
	sec   int64
	n     int
}

func (f *simFixed) allow(t time.Time) bool {
	if s := t.Unix(); s != f.sec {
		f.sec, f.n = s, 0
	}
	if f.n >= f.limit {
		return false
	}
	f.n++
	return true
}

// simSliding lets a call through when fewer than limit calls passed within the second
// before it.
type simSliding struct {
	limit  int
	passed []time.Time
}

func (s *simSliding) allow(t time.Time) bool {
	cut := 0
	for cut < len(s.passed) && t.Sub(s.passed[cut]) >= time.Second {
		cut++
	}
	s.passed = s.passed[cut:]
	if len(s.passed) >= s.limit {
		return false
	}
	s.passed = append(s.passed, t)
	return true
}

// simSteps is a token bucket (burst = its rate) whose rate changes: rates[i] from
// at[i] after the first call on.
type simSteps struct {
	b     *simBucket
	at    []time.Duration
	rates []float64
	begin time.Time
}

func newSimSteps(at []time.Duration, rates []float64) *simSteps {
	return &simSteps{b: newSimBucket(rates[0], rates[0]), at: at, rates: rates}
}

func (s *simSteps) allow(t time.Time) bool {
	if s.begin.IsZero() {
		s.begin = t
	}
	for i, at := range s.at {
		if t.Sub(s.begin) >= at {
			s.b.limit, s.b.burst = s.rates[i], s.rates[i]
		}
	}
	return s.b.allow(t)
}

// simShape is one service the simulation runs against.
type simShape struct {
	name       string
	limit      float64                          // the sustained rate the service allows (0: none)
	newLimit   func() simLimit                  // nil: no limit
	noise      float64                          // share of calls throttled at random, whatever the rate
	status     int                              // the status of a throttle: 429 or 503
	retryAfter time.Duration                    // the Retry-After of a throttle; 0: none
	clients    int                              // processes sharing the limit (0: 1)
	stagger    time.Duration                    // between the starts of the clients
	parallel   int                              // workers per client (0: 8)
	cfg        func(*AdaptiveConfig)            // tweaks of the pace's configuration
	latency    func(*rand.Rand) time.Duration   // nil: 5 to 25 ms
	burst      float64                          // calls a full bucket lets through at once: not capacity
	trace      func(sec int, paces []*Adaptive) // called every simulated second, when set
	// code is the throttle's error code; "" means SlowDown (TooManyRequests for a 429),
	// "-" none at all (a bare status without a body).
	code string
	// inFlight, when positive, throttles a call that arrives while more than inFlight
	// calls (of every client) are between arrival and answer: a concurrency cap.
	inFlight int
	// loaded, when set, is the latency of a call sent while inFlight calls (of every
	// client) are on their way: a service that slows down under load.
	loaded func(r *rand.Rand, inFlight int) time.Duration
}

// simShapes are the shapes --qps auto must find 85% of with at most 10% throttled.
func simShapes() []simShape {
	const L = 40
	bucket := func(burst float64) func() simLimit {
		return func() simLimit { return newSimBucket(L, burst) }
	}
	return []simShape{
		{name: "token bucket, burst = limit, 429", limit: L, newLimit: bucket(L), status: 429},
		{name: "token bucket, burst = limit, 503 + Retry-After 1", limit: L, newLimit: bucket(L), status: 503, retryAfter: time.Second},
		{name: "token bucket, burst = 10 x limit, 429", limit: L, newLimit: bucket(10 * L), status: 429},
		{name: "token bucket, burst = limit/10, 503", limit: L, newLimit: bucket(L / 10), status: 503},
		{name: "calendar-second windows, 429", limit: L, newLimit: func() simLimit { return &simFixed{limit: L} }, status: 429},
		{name: "calendar-second windows, 503 + Retry-After 1", limit: L, newLimit: func() simLimit { return &simFixed{limit: L} }, status: 503, retryAfter: time.Second},
		{name: "sliding 1 s window, 429", limit: L, newLimit: func() simLimit { return &simSliding{limit: L} }, status: 429},
		{name: "sliding 1 s window, 503 + Retry-After 1", limit: L, newLimit: func() simLimit { return &simSliding{limit: L} }, status: 503, retryAfter: time.Second},
		{name: "token bucket 150/s, burst = limit, 32 workers", limit: 150, newLimit: func() simLimit { return newSimBucket(150, 150) }, status: 429, parallel: 32},
		{name: "sliding window 150/s, Retry-After 1, 32 workers", limit: 150, newLimit: func() simLimit { return &simSliding{limit: 150} }, status: 503, retryAfter: time.Second, parallel: 32},
		{name: "token bucket + 5% random 429 (Retry-After 1)", limit: L, newLimit: bucket(L), noise: 0.05, status: 429, retryAfter: time.Second},
		{name: "token bucket + 2% random 429", limit: L, newLimit: bucket(L), noise: 0.02, status: 429},
		{name: "calendar-second windows + 5% random 503", limit: L, newLimit: func() simLimit { return &simFixed{limit: L} }, noise: 0.05, status: 503},
		{name: "3 clients at once, token bucket 60/s, burst 60", limit: 60, newLimit: func() simLimit { return newSimBucket(60, 60) }, status: 429, clients: 3},
		{name: "3 clients 3 s apart, token bucket 60/s, burst 60", limit: 60, newLimit: func() simLimit { return newSimBucket(60, 60) }, status: 429, clients: 3, stagger: 3 * time.Second},
		{name: "3 clients 1 s apart, sliding window 60/s, Retry-After 1", limit: 60, newLimit: func() simLimit { return &simSliding{limit: 60} }, status: 503, retryAfter: time.Second, clients: 3, stagger: time.Second},
		{name: "3 clients at once, token bucket 60/s, burst 6", limit: 60, newLimit: func() simLimit { return newSimBucket(60, 6) }, status: 429, clients: 3},
		{name: "3 clients at once, calendar-second windows 60/s", limit: 60, newLimit: func() simLimit { return &simFixed{limit: 60} }, status: 503, clients: 3},
	}
}

// simOutcome is what a simulated run measured after its warm-up.
type simOutcome struct {
	calls, throttled int
	passed           []int // per client
	seconds          float64
	paces            []*Adaptive
	// The whole run, its start included: calls, throttles, and calls let through per
	// client, over total.
	allCalls, allThrottled int
	allPassed              []int
	allThrottledOf         []int // throttles per client
	// Per second of the run: calls let through and calls throttled, every client.
	secPassed, secThrottled []int
	total                   float64
}

// achieved is the calls let through per second, all clients together.
func (o simOutcome) achieved() float64 {
	n := 0
	for _, p := range o.passed {
		n += p
	}
	return float64(n) / o.seconds
}

// slowest is the calls let through per second of the slowest client.
func (o simOutcome) slowest() float64 {
	m := o.passed[0]
	for _, p := range o.passed {
		m = min(m, p)
	}
	return float64(m) / o.seconds
}

// throttledShare is the share of calls answered with a throttle.
func (o simOutcome) throttledShare() float64 {
	if o.calls == 0 {
		return 0
	}
	return float64(o.throttled) / float64(o.calls)
}

// simWorker is one worker of a simulated client: it waits on the pace, sends one call,
// reads the answer after the latency and, after a throttle, backs off before it tries the
// same request again.
type simWorker struct {
	state    int // 0 ready to wait on the pace, 1 admitted, 5 on its way to the service, 2 answer on its way back, 3 backing off, 4 to ask the pace again
	at       time.Time
	back     time.Time // when the answer of the call on its way arrives
	start    time.Time
	answer   error
	failures int
}

// simulateShape runs sh for total on a fake clock and counts from warmup on. Clients
// start sh.stagger apart.
func simulateShape(sh simShape, seed uint64, warmup, total time.Duration) simOutcome {
	clk := newFakeClock()
	rng := rand.New(rand.NewPCG(seed, 2))
	var limit simLimit
	if sh.newLimit != nil {
		limit = sh.newLimit()
	}
	nc, par := max(1, sh.clients), sh.parallel
	if par == 0 {
		par = 8
	}
	latency := sh.latency
	if latency == nil {
		latency = func(r *rand.Rand) time.Duration {
			return 5*time.Millisecond + time.Duration(r.Int64N(int64(20*time.Millisecond)))
		}
	}
	code := sh.code
	switch {
	case code == "-":
		code = ""
	case code == "" && sh.status == http.StatusTooManyRequests:
		code = "TooManyRequests"
	case code == "":
		code = "SlowDown"
	}
	throttle := &ciapi.APIError{Op: "create", Status: sh.status, Code: code, RetryAfter: sh.retryAfter}
	begin := clk.t
	out := simOutcome{passed: make([]int, nc), seconds: (total - warmup).Seconds(), allPassed: make([]int, nc), allThrottledOf: make([]int, nc), total: total.Seconds(),
		secPassed: make([]int, int(total.Seconds())+1), secThrottled: make([]int, int(total.Seconds())+1)}
	// sent counts the calls between their send and their answer; atService those between
	// their arrival and their answer (every client).
	sent, atService := 0, 0
	paces := make([]*Adaptive, nc)
	workers := make([][]simWorker, nc)
	for c := range nc {
		workers[c] = make([]simWorker, par)
	}
	const tick = time.Millisecond
	for ; clk.t.Sub(begin) < total; clk.advance(tick) {
		now := clk.t
		if sh.trace != nil && now.Sub(begin)%time.Second == 0 {
			sh.trace(int(now.Sub(begin)/time.Second), paces)
		}
		counting := now.Sub(begin) >= warmup
		// The clients take turns in a random order: the one served first in a tick would
		// otherwise take every token a bucket refills in it.
		for _, c := range rng.Perm(nc) {
			if paces[c] == nil {
				if now.Sub(begin) < time.Duration(c)*sh.stagger {
					continue
				}
				cfg := AdaptiveConfig{Now: clk.now}
				if sh.cfg != nil {
					sh.cfg(&cfg)
				}
				paces[c] = NewAdaptive(cfg)
			}
			a := paces[c]
			for i := range workers[c] {
				w := &workers[c][i]
				if w.state == 2 && !now.Before(w.at) {
					sent--
					atService--
					a.Observe(w.start, w.answer)
					if w.answer != nil {
						w.failures++
						w.state, w.at = 3, now.Add(Backoff(w.failures, DefaultBackoffBase, DefaultBackoffCap, ciapi.RetryAfterOf(w.answer), rng.Int64N))
					} else {
						w.failures, w.state = 0, 0
					}
				}
				if (w.state == 3 || w.state == 4) && !now.Before(w.at) {
					w.state = 0
				}
				if w.state == 0 {
					at, _, ok := a.admit(now)
					w.state, w.at, w.start = 4, at, at
					if ok {
						w.state = 1
					}
				}
				if w.state == 1 && !now.Before(w.at) {
					// The call reaches the service half its latency after it was sent: the
					// service sees the calls of a paced client a little jittered, as on a
					// network, not at the instants the pace chose.
					d := latency(rng)
					if sh.loaded != nil {
						d = sh.loaded(rng, sent)
					}
					sent++
					w.state, w.at, w.back = 5, now.Add(d/2), now.Add(d)
				}
				if w.state == 5 && !now.Before(w.at) {
					var err error
					switch {
					case sh.noise > 0 && rng.Float64() < sh.noise:
						err = throttle
					case sh.inFlight > 0 && atService >= sh.inFlight:
						err = throttle
					case limit != nil && !limit.allow(now):
						err = throttle
					}
					atService++
					sec := int(now.Sub(begin) / time.Second)
					w.state, w.at, w.answer = 2, w.back, err
					out.allCalls++
					if err != nil {
						out.allThrottled++
						out.allThrottledOf[c]++
						out.secThrottled[sec]++
					} else {
						out.allPassed[c]++
						out.secPassed[sec]++
					}
					if counting {
						out.calls++
						if err != nil {
							out.throttled++
						} else {
							out.passed[c]++
						}
					}
				}
			}
		}
	}
	out.paces = paces
	return out
}

// simReport formats an outcome as a row of the figures' table.
func simReport(sh simShape, o simOutcome) string {
	s := fmt.Sprintf("%-52s achieved %5.1f/s = %3.0f%% of %.0f, throttled %4.1f%%", sh.name, o.achieved(), 100*o.achieved()/sh.limit, sh.limit, 100*o.throttledShare())
	if len(o.passed) > 1 {
		s += fmt.Sprintf(", slowest client %3.0f%% of its share", 100*o.slowest()/(sh.limit/float64(len(o.passed))))
	}
	return s
}

// TestAdaptiveShapes holds --qps auto to its figures on every throttle shape: at least 85%
// of the limit let through and at most 10% of the calls throttled, counted over a minute
// after a 10 s warm-up; with several clients on one limit, the slowest gets at least 70%
// of its fair share.
func TestAdaptiveShapes(t *testing.T) {
	for _, sh := range simShapes() {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for seed := uint64(1); seed <= 3; seed++ {
				o := simulateShape(sh, seed, 10*time.Second, 70*time.Second)
				t.Log(simReport(sh, o))
				if got := o.achieved() / sh.limit; got < 0.85 {
					t.Errorf("seed %d: achieved %.0f%% of the limit, want >= 85%%", seed, 100*got)
				}
				if got := o.throttledShare(); got > 0.10 {
					t.Errorf("seed %d: %.1f%% of the calls throttled, want <= 10%%", seed, 100*got)
				}
				if n := len(o.passed); n > 1 {
					if got := o.slowest() / (sh.limit / float64(n)); got < 0.70 {
						t.Errorf("seed %d: slowest client got %.0f%% of its share, want >= 70%%", seed, 100*got)
					}
				}
			}
		})
	}
}
