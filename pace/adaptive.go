package pace

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Shape of the adaptive pace (--qps auto): additive increase, multiplicative decrease
// (AIMD, as TCP's congestion avoidance) after a slow start.
//
//   - Slow start: from Start, the allowance doubles every autoDoubling until the service
//     first pushes back.
//   - Congestion is a window of answers holding more throttles than chance explains (see
//     autoNoise); one throttle is not congestion. On congestion the allowance drops to
//     autoBeta times the rate the service let through, measured over the last second as
//     the AWS SDKs' adaptive mode measures its send rate (over the whole window for a
//     slow client, whose second holds too few answers): a burst allowance spent at the
//     start is not capacity. Slow start ends on fewer answers when most are throttles.
//   - Then it grows again by max(autoGain*sqrt(r), autoStep) calls/s every second: the
//     same absolute step for every client from 8/s to about 30/s, so that several
//     processes on one limit converge to equal shares (AIMD does; a purely multiplicative
//     scheme keeps whatever ratio they started with), and a square root above it, so that
//     a limit of 1000/s is found again within tens of seconds. Below autoStepFrom the
//     step shrinks with the square of the rate: a slow client learns of its overshoot
//     slowly (it takes autoMinAnswers answers), so it must overshoot slowly.
const (
	// DefaultAutoStart is the rate an adaptive pace starts at.
	DefaultAutoStart = 10.0
	// DefaultAutoCeiling is the ceiling proposed for --qps when auto is its default
	// (auto:100): a service that never throttles is not sent more than this.
	DefaultAutoCeiling = 100.0
	// autoFloor is the least allowance, however often the service throttles.
	autoFloor = 0.5
	// autoGain, autoStep and autoStepFrom shape the additive increase (see above).
	autoGain, autoStep, autoStepFrom = 0.35, 2.0, 8.0
	// Near the rate the service pushed back at (within autoPeakBand of it), when the
	// last two drops agreed on it (within autoPeakAgree), the step is at most
	// autoProbe*peak² calls/s a second: the limit is most likely there, and a slow client
	// (2 to 10 calls/s) that crossed it at the usual step would draw a throttle every few
	// calls for the 25 answers it takes to notice. Clients whose drops disagree (several
	// processes finding their shares) keep the usual step, so that none is held back,
	// except below autoAloneBelow: there the last drop alone marks where this process
	// is throttled (at a few calls a second, two drops rarely measure the same rate),
	// and the step near it is at most autoProbeAlone, the same for every process so
	// that processes sharing a limit still converge to equal shares. (Three processes
	// sharing 10 calls/s that climbed through their peaks at the usual step drew 21-25%
	// throttles in the matrix, 13-21% with this; a single run at 2 or 5 calls/s met the
	// targets on 12 and 24 of 36 shapes, 29 and 32 with this.)
	autoPeakBand, autoPeakAgree, autoProbe = 0.05, 0.1, 0.001
	autoAloneBelow, autoProbeAlone         = 6.0, 0.02
	// autoBeta is the multiplicative drop on congestion.
	autoBeta = 0.8
	// autoDoubling is how often the allowance doubles in slow start.
	autoDoubling = time.Second
	// autoInUse: the allowance grows only while the calls are sent at least this share of
	// it: an allowance the workers do not use (all backing off after a throttle, or too
	// few of them) proves nothing about the service and would only let a burst through
	// later (TCP's congestion window validation).
	autoInUse = 0.5
	// autoWindow is how far back the answers are counted to tell congestion from noise;
	// it restarts at each drop. When it holds fewer than autoWindowAnswers it reaches
	// further back, up to autoWindowMax, so that a slow client can still judge.
	autoWindow, autoWindowMax = 2 * time.Second, 30 * time.Second
	// autoMinAnswers is how many answers since the last drop it takes to drop again: the
	// service may still be throttling the overshoot (its bucket empty, or other clients
	// on the same limit not slowed down yet), and dropping on each of those answers would
	// starve this client.
	autoMinAnswers = 25
	// autoStartAnswers is how many answers it takes to end slow start on strong evidence
	// (see congested).
	autoStartAnswers = 8
	// autoWindowCap: the window reaches back no further than this many answers (a
	// second's worth at 300 calls/s), so that at a high rate it still follows the rate
	// of the last second or so. Above autoStrictFrom answers the congestion test grows
	// stricter (see autoNoise).
	autoWindowCap, autoStrictFrom = 300, 100
	// autoSendShare: after slow start, when the window holds at least autoStrictFrom
	// answers and at most this share of throttles, a drop is from the rate the calls
	// were sent at, not from the rate let through over the last second: that second may
	// hold the throttled tail of a calendar second or a burst of random throttles, and
	// the let-through rate would take more than the share the window found.
	autoSendShare = 0.15
	// autoWindowAnswers: see autoWindow.
	autoWindowAnswers = 25
	// autoNoise is the share of calls a service may throttle whatever the rate without
	// the pace slowing down: with n answers in the window and e = autoNoise*n, congestion
	// takes at least 1 + e + z*sqrt(e) throttles, z from 2 (up to autoStrictFrom answers)
	// to 4 (at autoWindowCap): a fast client runs the test on every one of many
	// throttles a second, so each test must be stricter for random throttles (5% where
	// 4% are tolerated, say) not to slow it down every few seconds. It is a fixed
	// tolerance, the same in every process, rather than an estimate: processes sharing a
	// limit see the others' overshoot as throttles that do not follow their own rate, and
	// estimates that differed would let the most tolerant one take the limit.
	autoNoise = 0.04
	// autoLookahead is how far ahead Wait reserves a call's start; a caller further back
	// asks again then, at the rate of that time.
	autoLookahead = 100 * time.Millisecond
	// dropMost bounds one drop: the rate it drops from is at least this share of the
	// allowance, however little was measured (the workers may all be backing off), or
	// the share of answers that were not throttles if that is less.
	dropMost = 0.5
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
// the service throttles (see IsThrottle) more than chance explains, and grows again
// additively (see the constants above). Throttles of calls started before the last drop
// (they answer for the old pace) are ignored, and so is Retry-After: the retry layer
// honours it for the call, but one throttle's wait says nothing about the rate. Failures
// of other kinds (500, resets, timeouts) do not change the pace at all: retrying them is
// the retry layer's business.
type Adaptive struct {
	mu      sync.Mutex
	now     func() time.Time
	lim     *rate.Limiter
	start   float64
	ceiling float64 // +Inf when none

	rate    float64   // the current allowance
	grown   float64   // the allowance before the ceiling: what it grew to
	last    time.Time // when the allowance was last brought up to date
	dropped bool      // at least one drop happened (slow start is over)
	// staleUntil is when the last call admitted before the last drop starts: workers
	// queued on the limiter hold reservations made at the old rate.
	staleUntil time.Time
	window     answerWindow // answers to calls started since the last drop, over autoWindow
	meter      sendMeter    // calls started
	passed     sendMeter    // answers that were not throttles

	drops, ignored int
	peak           float64 // the rate the last drop was from: where the service pushed back
	prevPeak       float64 // the one before
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
	a.grown, a.rate, a.last = a.start, a.start, a.now()
	a.lim = rate.NewLimiter(rate.Limit(a.rate), 1)
	return a
}

// Wait blocks until the allowance lets one more call start.
func (a *Adaptive) Wait(ctx context.Context) (time.Time, error) {
	for {
		if err := ctx.Err(); err != nil {
			return time.Time{}, err
		}
		now := a.now()
		at, res, ok := a.admit(now)
		if d := at.Sub(now); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				if ok {
					res.CancelAt(a.now())
				}
				return time.Time{}, ctx.Err()
			}
		}
		if ok {
			return at, nil
		}
	}
}

// admit takes one token at now if one is there within autoLookahead, and returns when
// (now or later; the send is counted at that instant) and true. Otherwise it takes
// nothing and returns when to ask again: a token reserved further ahead would be spent at
// the old rate however the rate changes meanwhile.
func (a *Adaptive) admit(now time.Time) (time.Time, *rate.Reservation, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh(now)
	res := a.lim.ReserveN(now, 1)
	d := res.DelayFrom(now)
	if d > autoLookahead {
		res.CancelAt(now)
		return now.Add(min(d, autoLookahead)), nil, false
	}
	at := now.Add(d)
	a.meter.add(at)
	return at, res, true
}

// Observe adjusts the allowance to the answer of a call started at start.
func (a *Adaptive) Observe(start time.Time, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !start.After(a.staleUntil) {
		return // sent at the pace before the last drop: it says nothing about the new one
	}
	now := a.now()
	a.refresh(now)
	throttled := IsThrottle(err)
	a.window.add(now, throttled)
	if !throttled {
		a.passed.add(now)
		return
	}
	n, k, span := a.window.counts(now)
	if !a.congested(n, k) {
		a.ignored++
		return
	}
	// The rate to drop from: the allowance, or less if the calls were sent more slowly
	// (workers backing off, or fewer of them than the allowance needs), or if less got
	// through: what the service let through (noise aside) is the best measure of its
	// limit, and a burst allowance spent in slow start is not capacity.
	w := a.rate
	if span > autoWindow {
		// A slow client: a second holds too few answers to measure a rate, the window
		// holds at least autoWindowAnswers. (Its span counts from the start of its
		// oldest slot, so these rates are a little low, never high.)
		w = min(w, float64(n)/span.Seconds(), float64(n-k)/span.Seconds()/(1-autoNoise))
	} else {
		if m, ok := a.meter.rate(now); ok {
			w = min(w, m)
		}
		// A full window with few throttles: the calls sent, not the last second's
		// let-through (see autoSendShare).
		sent := a.dropped && n >= autoStrictFrom && float64(k) <= autoSendShare*float64(n)
		if g, ok := a.passed.rate(now); ok && !sent {
			w = min(w, g/(1-autoNoise))
		}
	}
	// However little was measured, one drop takes at most half the allowance (the
	// workers may all be backing off), unless most answers were throttles: a service that
	// refuses most calls lets through at most the share it answers.
	a.drop(now, max(w, min(dropMost, float64(n-k)/float64(n))*a.rate))
}

// congested reports whether k throttles among n answers are more than chance explains.
// Slow start ends sooner, on fewer answers with stronger evidence: at a low limit the
// doublings overshoot it many times over, and most of the calls are throttles.
func (a *Adaptive) congested(n, k int) bool {
	e := autoNoise * float64(n)
	if !a.dropped && n >= autoStartAnswers && n < autoMinAnswers {
		return float64(k) >= 1+e+3*math.Sqrt(e)
	}
	z := 2 + 2*max(0, float64(n-autoStrictFrom))/float64(autoWindowCap-autoStrictFrom)
	return n >= autoMinAnswers && float64(k) >= 1+e+z*math.Sqrt(e)
}

// drop slows down after congestion at rate w.
func (a *Adaptive) drop(now time.Time, w float64) {
	w = max(w, autoFloor)
	a.dropped = true
	a.window = answerWindow{}
	a.drops++
	a.staleUntil = now
	if debt := -a.lim.TokensAt(now); debt > 0 {
		a.staleUntil = now.Add(time.Duration(debt / a.rate * float64(time.Second)))
	}
	a.prevPeak, a.peak = a.peak, w
	a.grown = max(autoFloor, autoBeta*w)
	a.set(now, a.grown)
}

// nearPeak reports whether the allowance is within autoPeakBand of the rate the last two
// drops agreed on (within autoPeakAgree), or of the last drop's rate below
// autoAloneBelow (alone): where this service pushes back.
func (a *Adaptive) nearPeak() (near, alone bool) {
	if math.Abs(a.grown-a.peak) >= autoPeakBand*a.peak {
		return false, false
	}
	if math.Abs(a.peak-a.prevPeak) <= autoPeakAgree*a.peak {
		return true, false
	}
	return a.peak < autoAloneBelow, true
}

// refresh grows the allowance up to now, while the calls use it: in slow start it
// doubles every autoDoubling, after it grows additively (see the constants).
func (a *Adaptive) refresh(now time.Time) {
	dt := now.Sub(a.last).Seconds()
	if dt <= 0 {
		return
	}
	a.last = now
	if m, ok := a.meter.rate(now); ok && m < autoInUse*a.rate {
		return
	}
	if !a.dropped {
		a.grown *= math.Exp2(dt / autoDoubling.Seconds())
	} else {
		step := max(autoGain*math.Sqrt(a.grown), autoStep)
		if a.grown < autoStepFrom {
			step = autoStep * (a.grown / autoStepFrom) * (a.grown / autoStepFrom)
		}
		switch near, alone := a.nearPeak(); {
		case near && alone:
			step = min(step, autoProbeAlone)
		case near:
			step = min(step, autoProbe*a.peak*a.peak)
		}
		a.grown += step * dt
	}
	a.grown = min(a.grown, a.ceiling)
	a.set(now, a.grown)
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
	Ignored  int     // throttles put down to chance
}

// Stats returns what the pace did so far.
func (a *Adaptive) Stats() AdaptiveStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	a.refresh(now)
	m, _ := a.meter.rate(now)
	return AdaptiveStats{Rate: a.rate, Measured: m, Drops: a.drops, Ignored: a.ignored}
}

// answerWindow counts answers and throttles among them in slots of meterSlot: over the
// last autoWindow, or longer (up to autoWindowMax) until it holds autoWindowAnswers, so
// that a client that sends little judges congestion on as many answers as one that
// sends a lot (several clients on one limit then slow down alike).
type answerWindow struct {
	slots [int(autoWindowMax / meterSlot)]struct {
		idx  int64
		n, k int
	}
}

// add counts one answer at t.
func (w *answerWindow) add(t time.Time, throttled bool) {
	idx := t.UnixNano() / int64(meterSlot)
	s := &w.slots[idx%int64(len(w.slots))]
	if s.idx != idx {
		s.idx, s.n, s.k = idx, 0, 0
	}
	s.n++
	if throttled {
		s.k++
	}
}

// counts returns the answers and the throttles among them within the window up to now,
// and the span they were counted over.
func (w *answerWindow) counts(now time.Time) (n, k int, span time.Duration) {
	idx := now.UnixNano() / int64(meterSlot)
	short := int64(autoWindow / meterSlot)
	back := int64(0)
	for ; back < int64(len(w.slots)); back++ {
		if back >= short && n >= autoWindowAnswers || n >= autoWindowCap {
			break
		}
		s := w.slots[(idx-back)%int64(len(w.slots))]
		if s.idx == idx-back {
			n, k = n+s.n, k+s.k
		}
	}
	return n, k, time.Duration(back) * meterSlot
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
