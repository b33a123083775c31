package executor

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Shape of the adaptive pace (--qps auto). It follows the CUBIC curve that the AWS SDKs'
// adaptive retry mode uses for its client-side token bucket: after a throttle at rate W the
// allowance drops to beta*W, then grows along scale*(t-K)^3 + W, flat near W (where the
// service pushed back last time) and faster and faster beyond it, K seconds after the drop
// being the instant it is back at W.
const (
	// DefaultAutoStart is the rate an adaptive pace starts at: the fixed default of --qps.
	DefaultAutoStart = 10.0
	// autoFloor is the least allowance, however often the service throttles.
	autoFloor = 0.5
	autoBeta  = 0.8 // the multiplicative drop on a throttle
	autoScale = 0.4 // the cubic's scale, in calls/s per s^3
	// autoDoubling is how often the allowance doubles before the first throttle.
	autoDoubling = time.Second
	// autoLow: calls sent while the curve is below this share of the rate of the last drop
	// are "low": a limit that depends on the rate does not throttle them (the drop is taken
	// from the rate the service let through), so the throttles among them measure the noise
	// (throttles that come whatever the rate).
	autoLow = 0.9
	// noisePrior is how many low answers without a throttle the noise estimate starts
	// from; noiseMemory is how many it remembers (older ones weigh half, then a quarter...).
	noisePrior, noiseMemory = 10, 2000
	// noiseMax bounds the noise estimate: throttles more frequent than that are never
	// put down to chance.
	noiseMax = 0.2
	// noiseSettle: calls started within this time after the stale ones are not "low" yet
	// (a service's own bucket may still be empty after the overshoot).
	noiseSettle = 200 * time.Millisecond
)

// AdaptiveConfig configures NewAdaptive. The zero value is --qps auto.
type AdaptiveConfig struct {
	// Start is the first allowance in calls per second. Zero means DefaultAutoStart.
	Start float64
	// Ceiling, when positive, is an allowance the pace never passes (--qps auto:R).
	Ceiling float64
	// Now is the clock; nil means time.Now. Wait sleeps in real time whatever it says.
	Now func() time.Time
}

// Adaptive is a Pacer whose rate follows the service: it slows down multiplicatively when
// the service throttles (see IsThrottle) and probes upward again along a cubic curve.
//
// It tells a limit that depends on the rate from throttles that come whatever the rate
// (noise). The share of throttles among calls sent well below the rate of the last drop
// estimates the noise p (a rate limit does not throttle those; random throttles do). A
// throttle then slows the pace only when the throttles since the last drop are more than
// the noise explains: with n answers since the drop, at least 1 + p*n + 2*sqrt(p*n). With
// no noise seen, the first throttle counts, as in the SDKs. Throttles of calls started
// before the last drop (they answer for the old pace) are ignored. Failures of other kinds
// (500, resets, timeouts) do not change the pace at all: retrying them is the retry
// layer's business.
type Adaptive struct {
	mu      sync.Mutex
	now     func() time.Time
	lim     *rate.Limiter
	start   float64
	ceiling float64 // +Inf when none

	rate     float64   // the current allowance
	wMax     float64   // the rate of the last drop (Start before any)
	k        float64   // seconds from the last drop to the cubic being back at wMax
	lastDrop time.Time // the instant of the last drop (creation before any)
	// staleUntil is when the last call admitted before the last drop starts: workers
	// queued on the limiter hold reservations made at the old rate.
	staleUntil time.Time
	dropped    bool      // at least one drop happened
	answers    int       // answers to calls started since the last drop
	throttles  int       // throttles among them
	meter      sendMeter // calls started
	passed     sendMeter // answers that were not throttles

	lowAnswers, lowThrottles float64 // answers to low calls, and throttles among them

	drops, ignored int
}

// NewAdaptive returns an adaptive pace configured by c.
func NewAdaptive(c AdaptiveConfig) *Adaptive {
	a := &Adaptive{now: c.Now, start: c.Start, ceiling: c.Ceiling}
	if a.now == nil {
		a.now = time.Now
	}
	if a.start <= 0 {
		a.start = DefaultAutoStart
	}
	if a.ceiling <= 0 {
		a.ceiling = math.Inf(1)
	}
	a.start = min(a.start, a.ceiling)
	now := a.now()
	a.wMax, a.k, a.lastDrop = a.start, cubicK(a.start), now
	a.rate = a.start
	a.lim = rate.NewLimiter(rate.Limit(a.rate), 1)
	return a
}

// cubicK is how long the cubic takes to climb back from beta*w to w.
func cubicK(w float64) float64 { return math.Cbrt(w * (1 - autoBeta) / autoScale) }

// Wait blocks until the allowance lets one more call start.
func (a *Adaptive) Wait(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	now := a.now()
	at, res := a.admit(now)
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			res.CancelAt(a.now())
			return time.Time{}, ctx.Err()
		}
	}
	return at, nil
}

// admit takes one token at now and returns when it is available (now or later); the send
// is counted at that instant.
func (a *Adaptive) admit(now time.Time) (time.Time, *rate.Reservation) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh(now)
	res := a.lim.ReserveN(now, 1)
	at := now.Add(res.DelayFrom(now))
	a.meter.add(at)
	return at, res
}

// begin counts a call starting now (one that waited on the limiter itself) and returns
// the instant, for Observe.
func (a *Adaptive) begin() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	a.meter.add(now)
	a.refresh(now)
	return now
}

// Observe adjusts the allowance to the answer of a call started at start.
func (a *Adaptive) Observe(start time.Time, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !start.After(a.staleUntil) {
		return // sent at the pace before the last drop: it says nothing about the new one
	}
	throttled := IsThrottle(err)
	a.answers++
	if throttled {
		a.throttles++
	}
	if a.dropped && start.Sub(a.staleUntil) >= noiseSettle && a.curve(start) < autoLow*a.wMax {
		a.lowAnswers++
		if throttled {
			a.lowThrottles++
		}
		if a.lowAnswers >= noiseMemory {
			a.lowAnswers, a.lowThrottles = a.lowAnswers/2, a.lowThrottles/2
		}
	}
	if !throttled {
		a.passed.add(a.now())
		return
	}
	expected := a.noise() * float64(a.answers)
	if float64(a.throttles) < 1+expected+2*math.Sqrt(expected) {
		a.ignored++
		return
	}
	now := a.now()
	a.refresh(now)
	// The rate to drop from: the allowance, or less if the calls were sent or let through
	// more slowly (the rate the service let through is the best guess of its limit).
	w := a.rate
	if m, ok := a.meter.rate(now); ok {
		w = min(w, m)
	}
	if m, ok := a.passed.rate(now); ok {
		w = min(w, m)
	}
	a.drop(now, w)
}

// noise is the estimated share of throttles that come whatever the rate.
func (a *Adaptive) noise() float64 {
	return min(noiseMax, a.lowThrottles/(a.lowAnswers+noisePrior))
}

// curve is the cubic at t.
func (a *Adaptive) curve(t time.Time) float64 {
	return autoScale*math.Pow(t.Sub(a.lastDrop).Seconds()-a.k, 3) + a.wMax
}

// drop slows down after a throttle at rate w.
func (a *Adaptive) drop(now time.Time, w float64) {
	w = max(w, autoFloor)
	a.wMax, a.k, a.lastDrop, a.dropped = w, cubicK(w), now, true
	a.answers, a.throttles = 0, 0
	a.drops++
	a.staleUntil = now
	if debt := -a.lim.TokensAt(now); debt > 0 {
		a.staleUntil = now.Add(time.Duration(debt / a.rate * float64(time.Second)))
	}
	a.set(now, autoBeta*w)
}

// refresh moves the allowance along the cubic to now. Before the first throttle it starts
// at Start and doubles every autoDoubling (a slow start, as TCP's). It never exceeds twice the measured send rate (or Start, while little
// is sent): an allowance the workers do not use proves nothing and would only let a burst
// through later.
func (a *Adaptive) refresh(now time.Time) {
	r := a.curve(now)
	if !a.dropped {
		r = a.start * math.Exp2(now.Sub(a.lastDrop).Seconds()/autoDoubling.Seconds())
	}
	if m, ok := a.meter.rate(now); ok {
		r = min(r, max(2*m, a.start))
	}
	a.set(now, r)
}

// set changes the allowance to r, within the floor and the ceiling.
func (a *Adaptive) set(now time.Time, r float64) {
	r = min(max(r, autoFloor), a.ceiling)
	if r != a.rate {
		a.rate = r
		a.lim.SetLimitAt(now, rate.Limit(r))
	}
}

// Rate is the current allowance in calls per second.
func (a *Adaptive) Rate() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh(a.now())
	return a.rate
}

// AdaptiveStats describe what an adaptive pace did.
type AdaptiveStats struct {
	Rate     float64 // the current allowance
	Measured float64 // the send rate over the last second
	Drops    int     // throttles that slowed it down
	Ignored  int     // throttles put down to noise
	Noise    float64 // the estimated share of throttles that come whatever the rate
}

// Stats returns what the pace did so far.
func (a *Adaptive) Stats() AdaptiveStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	a.refresh(now)
	m, _ := a.meter.rate(now)
	return AdaptiveStats{Rate: a.rate, Measured: m, Drops: a.drops, Ignored: a.ignored, Noise: a.noise()}
}

// sendMeter counts sends in slots of meterSlot, to measure the send rate over the last
// meterWindow. It keeps twice the window so that sends admitted ahead (a reservation in
// the near future) do not overwrite slots still counted.
type sendMeter struct {
	first time.Time
	slots [2 * meterSlots]struct {
		idx int64
		n   int
	}
}

const (
	meterSlot  = 100 * time.Millisecond
	meterSlots = 10 // the window is meterSlots slots
)

// add counts one send at t.
func (m *sendMeter) add(t time.Time) {
	if m.first.IsZero() || t.Before(m.first) {
		m.first = t
	}
	idx := t.UnixNano() / int64(meterSlot)
	s := &m.slots[idx%int64(len(m.slots))]
	if s.idx != idx {
		s.idx, s.n = idx, 0
	}
	s.n++
}

// rate returns the sends per second over the last window up to now; false while less
// than half a window has passed since the first send.
func (m *sendMeter) rate(now time.Time) (float64, bool) {
	if m.first.IsZero() {
		return 0, false
	}
	idx := now.UnixNano() / int64(meterSlot)
	lo := idx - meterSlots + 1
	from := time.Unix(0, lo*int64(meterSlot))
	if m.first.After(from) {
		from = m.first
	}
	span := now.Sub(from)
	if span < meterSlots*meterSlot/2 {
		return 0, false
	}
	n := 0
	for _, s := range m.slots {
		if s.idx >= lo && s.idx <= idx {
			n += s.n
		}
	}
	return float64(n) / span.Seconds(), true
}
