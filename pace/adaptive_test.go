package pace

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// fakeClock is a settable clock for the pace's arithmetic.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)} }

var (
	errSlowDown503 = &ciapi.APIError{Op: "create", Status: http.StatusServiceUnavailable, Code: ciapi.CodeSlowDown}
	errTooMany429  = &ciapi.APIError{Op: "create", Status: http.StatusTooManyRequests, Code: "TooManyRequests"}
	errInternal500 = &ciapi.APIError{Op: "create", Status: http.StatusInternalServerError, Code: "InternalError"}
	errQueueFull   = &ciapi.APIError{Op: "create", Status: http.StatusForbidden, Code: ciapi.CodeQueueSaturated}
)

// server models the service's answer to a call sent at t.
type server func(t time.Time) error

// bucketServer throttles above limit calls per second (a token bucket of burst tokens).
func bucketServer(limit, burst float64, throttle error) server {
	tokens := burst
	var last time.Time
	return func(t time.Time) error {
		if !last.IsZero() {
			tokens = min(burst, tokens+t.Sub(last).Seconds()*limit)
		}
		last = t
		if tokens < 1 {
			return throttle
		}
		tokens--
		return nil
	}
}

// randomServer answers err to a share p of the calls, whatever the rate.
func randomServer(p float64, err error, seed uint64) server {
	rng := rand.New(rand.NewPCG(seed, 1))
	return func(time.Time) error {
		if rng.Float64() < p {
			return err
		}
		return nil
	}
}

// both answers the first error of a and b.
func both(a, b server) server {
	return func(t time.Time) error {
		if err := a(t); err != nil {
			return err
		}
		return b(t)
	}
}

// simResult is what a simulated run saw after its warm-up.
type simResult struct {
	sent, throttled, maxPerSecond int
	seconds                       float64
	pace                          *Adaptive
}

func (r simResult) rate() float64           { return float64(r.sent-r.throttled) / r.seconds }
func (r simResult) throttledShare() float64 { return float64(r.throttled) / float64(r.sent) }

// simulate runs parallel workers on a fake clock, each waiting on the pace, sending one call
// that srv answers after latency, and reporting the answer. A throttled call is simply
// answered; the worker asks for its next call at once (harsher than the retry layer, which
// backs off). Counts start after warmup.
func simulate(t *testing.T, cfg AdaptiveConfig, srv server, parallel int, latency, warmup, total time.Duration) simResult {
	t.Helper()
	clk := newFakeClock()
	cfg.Now = clk.now
	a := NewAdaptive(cfg)
	type worker struct {
		busy        bool
		sendAt      time.Time
		sent        bool
		answerAt    time.Time
		answer      error
		startedTick time.Time
	}
	ws := make([]worker, parallel)
	begin := clk.t
	var res simResult
	var window []time.Time // sends of the last second, after warm-up
	const tick = time.Millisecond
	for clk.t.Sub(begin) < total {
		now := clk.t
		counting := now.Sub(begin) >= warmup
		for i := range ws {
			w := &ws[i]
			if w.busy && w.sent && !now.Before(w.answerAt) {
				a.Observe(w.sendAt, w.answer)
				w.busy = false
			}
			if !w.busy && !now.Before(w.sendAt) {
				if at, _, ok := a.admit(now); ok {
					*w = worker{busy: true, sendAt: at}
				} else {
					w.sendAt = at
				}
			}
			if w.busy && !w.sent && !now.Before(w.sendAt) {
				w.sent, w.answerAt, w.answer = true, now.Add(latency), srv(now)
				if counting {
					res.sent++
					if w.answer != nil && IsThrottle(w.answer) {
						res.throttled++
					}
					window = append(window, now)
					for len(window) > 0 && now.Sub(window[0]) >= time.Second {
						window = window[1:]
					}
					res.maxPerSecond = max(res.maxPerSecond, len(window))
				}
			}
		}
		clk.advance(tick)
	}
	res.seconds = (total - warmup).Seconds()
	res.pace = a
	return res
}

func TestAdaptiveFindsARateLimit(t *testing.T) {
	const limit = 40.0
	r := simulate(t, AdaptiveConfig{}, bucketServer(limit, 4, errSlowDown503), 8, 20*time.Millisecond, 20*time.Second, 120*time.Second)
	t.Logf("accepted %.1f/s of %.0f, %d of %d throttled (%.1f%%), stats %+v", r.rate(), limit, r.throttled, r.sent, 100*r.throttledShare(), r.pace.Stats())
	if r.rate() < 0.8*limit {
		t.Errorf("accepted %.1f calls/s against a limit of %.0f, want >= 80%%", r.rate(), limit)
	}
	if r.throttledShare() > 0.15 {
		t.Errorf("%.1f%% of the calls throttled, want <= 15%%", 100*r.throttledShare())
	}
}

func TestAdaptiveRandomFailuresDoNotSlowIt(t *testing.T) {
	// 20% of the calls fail with 500, whatever the rate: the pace keeps growing.
	r := simulate(t, AdaptiveConfig{}, randomServer(0.2, errInternal500, 7), 8, 20*time.Millisecond, 10*time.Second, 30*time.Second)
	st := r.pace.Stats()
	t.Logf("sent %.1f/s, stats %+v", float64(r.sent)/r.seconds, st)
	if st.Drops != 0 {
		t.Errorf("%d drops on 500 answers, want none", st.Drops)
	}
	if float64(r.sent)/r.seconds < 4*DefaultAutoStart {
		t.Errorf("sent %.1f calls/s with no limit, want it to grow well above the start %.0f", float64(r.sent)/r.seconds, DefaultAutoStart)
	}
}

func TestAdaptiveRandomThrottlesDoNotCollapseIt(t *testing.T) {
	// 5% of the calls get 429, whatever the rate: a pace that halved on each would sit at
	// its floor; this one must stay well above its start.
	r := simulate(t, AdaptiveConfig{}, randomServer(0.05, errTooMany429, 11), 8, 20*time.Millisecond, 20*time.Second, 80*time.Second)
	st := r.pace.Stats()
	t.Logf("sent %.1f/s, stats %+v", float64(r.sent)/r.seconds, st)
	if got := float64(r.sent) / r.seconds; got < 2*DefaultAutoStart {
		t.Errorf("sent %.1f calls/s against random throttles, want >= %.0f", got, 2*DefaultAutoStart)
	}
}

func TestAdaptiveLimitWithRandomThrottles(t *testing.T) {
	const limit = 40.0
	srv := both(randomServer(0.05, errTooMany429, 3), bucketServer(limit, 4, errSlowDown503))
	r := simulate(t, AdaptiveConfig{}, srv, 8, 20*time.Millisecond, 20*time.Second, 120*time.Second)
	t.Logf("accepted %.1f/s of %.0f, %.1f%% throttled, stats %+v", r.rate(), limit, 100*r.throttledShare(), r.pace.Stats())
	if r.rate() < 0.6*limit {
		t.Errorf("accepted %.1f calls/s against a limit of %.0f with 5%% random 429, want >= 60%%", r.rate(), limit)
	}
}

func TestAdaptiveCeiling(t *testing.T) {
	r := simulate(t, AdaptiveConfig{Ceiling: 25}, func(time.Time) error { return nil }, 8, 5*time.Millisecond, 0, 30*time.Second)
	if r.maxPerSecond > 26 {
		t.Errorf("%d calls in one second with auto:25, want <= 26", r.maxPerSecond)
	}
	if got := r.pace.Rate(); got != 25 {
		t.Errorf("rate %v after 30s without throttles, want the ceiling 25", got)
	}
}

func TestAdaptiveQueueSaturatedSlowsDown(t *testing.T) {
	// A full queue that drains 5 jobs a second answers QueueSaturated beyond that.
	r := simulate(t, AdaptiveConfig{}, bucketServer(5, 2, errQueueFull), 8, 20*time.Millisecond, 20*time.Second, 60*time.Second)
	t.Logf("accepted %.1f/s, %.1f%% saturated, stats %+v", r.rate(), 100*r.throttledShare(), r.pace.Stats())
	if r.throttledShare() > 0.5 {
		t.Errorf("%.1f%% of the calls answered QueueSaturated, want the pace to follow the drain", 100*r.throttledShare())
	}
}

func TestAdaptiveShape(t *testing.T) {
	clk := newFakeClock()
	a := NewAdaptive(AdaptiveConfig{Now: clk.now})
	if got := a.Rate(); got != DefaultAutoStart {
		t.Fatalf("first rate %v, want %v", got, DefaultAutoStart)
	}
	// Before any throttle it doubles every second (slow start).
	clk.advance(3 * time.Second)
	if got, want := a.Rate(), 8*DefaultAutoStart; math.Abs(got-want) > 1e-9 {
		t.Fatalf("rate after 3s %v, want %v", got, want)
	}
	// Throttles among the first answers, or few of them, may be chance; four among 25
	// answers are congestion: it drops to beta times the allowance (nothing measured).
	w := a.Rate()
	for range 21 {
		a.Observe(clk.t, nil)
	}
	for i := range 4 {
		if st := a.Stats(); st.Drops != 0 || st.Ignored != i {
			t.Fatalf("after %d throttles: %+v, want them put down to chance", i, st)
		}
		a.Observe(clk.t, errSlowDown503)
	}
	if got := a.Rate(); math.Abs(got-autoBeta*w) > 1e-9 {
		t.Fatalf("rate after a throttle %v, want %v", got, autoBeta*w)
	}
	// Then it grows additively: by autoGain*sqrt(rate) a second at this rate.
	r0 := a.Rate()
	clk.advance(100 * time.Millisecond)
	if got, want := a.Rate()-r0, 0.1*autoGain*math.Sqrt(r0); math.Abs(got-want) > 0.01*want {
		t.Fatalf("growth in 100 ms %v, want about %v", got, want)
	}
	// A throttle of a call started before the drop is ignored; a 500 never counts.
	a.Observe(clk.t.Add(-time.Hour), errSlowDown503)
	a.Observe(clk.t, errInternal500)
	if st := a.Stats(); st.Drops != 1 {
		t.Fatalf("drops %d, want 1", st.Drops)
	}
}

func TestAdaptiveWaitHonoursContext(t *testing.T) {
	a := NewAdaptive(AdaptiveConfig{Start: 1})
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := a.Wait(ctx); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	cancel()
	if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait after cancel: %v, want context.Canceled", err)
	}
}

func TestIsThrottle(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{errSlowDown503, true},
		{errTooMany429, true},
		{errQueueFull, true},
		{&ciapi.APIError{Status: http.StatusBadRequest, Code: ciapi.CodeSlowDown}, true},
		{&ciapi.APIError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"}, true},
		{errInternal500, false},
		{&ciapi.APIError{Status: http.StatusForbidden, Code: "AccessDenied"}, false},
		{&ciapi.APIError{Err: errors.New("connection reset")}, false},
		{nil, false},
	} {
		if got := IsThrottle(tc.err); got != tc.want {
			t.Errorf("IsThrottle(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestParseRateSpec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RateSpec
		bad  bool
	}{
		{in: "10", want: RateSpec{QPS: 10}},
		{in: "0", want: RateSpec{}},
		{in: "2.5", want: RateSpec{QPS: 2.5}},
		{in: "auto", want: RateSpec{Auto: true}},
		{in: "AUTO", want: RateSpec{Auto: true}},
		{in: "auto:40", want: RateSpec{Auto: true, QPS: 40}},
		{in: "auto:0", bad: true},
		{in: "auto:", bad: true},
		{in: "auto:x", bad: true},
		{in: "-1", bad: true},
		{in: "fast", bad: true},
		{in: "1e-300", bad: true}, // a slip: nothing would ever be sent
		{in: "auto:0.001", bad: true},
		{in: "0.01", want: RateSpec{QPS: 0.01}},
	} {
		got, err := ParseRateSpec(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseRateSpec(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseRateSpec(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if back, err := ParseRateSpec(got.String()); err != nil || back != got {
			t.Errorf("ParseRateSpec(%q.String() = %q) = %+v, %v", tc.in, got.String(), back, err)
		}
	}
}
