package executor

import (
	"context"
	"errors"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// settleFloor is the least settle window derived from observed latencies: a create with no
// answer counts as possibly still in the making for at least this long after it was sent.
const settleFloor = 5 * time.Second

// deriveWindow is the settle window when Options.SettleWindow is not set: how long after it
// was sent a create with no answer may still make its job, from what the runs observed:
//   - 3 × the 99th percentile of the answered creates, and 2 × the longest a job took to
//     appear after a create with no answer (both measured, see latencies);
//   - when some creates got no answer and no such job was ever seen (their latency is
//     unknown, at least the request timeout), 4 × the request timeout;
//
// never less than settleFloor nor more than maxSettleWindow.
func deriveWindow(l state.CreateLatency, timeout time.Duration) time.Duration {
	w := max(settleFloor, 3*l.P99, 2*l.Late)
	if l.Unresolved > 0 && l.Late == 0 {
		w = max(w, 4*max(l.Timeout, timeout))
	}
	return min(w, maxSettleWindow)
}

// mergeLatency is the more cautious of two observations: the larger of each figure.
func mergeLatency(a, b state.CreateLatency) state.CreateLatency {
	return state.CreateLatency{P99: max(a.P99, b.P99), Late: max(a.Late, b.Late),
		Unresolved: max(a.Unresolved, b.Unresolved), Timeout: max(a.Timeout, b.Timeout)}
}

// latencies observes the creates of one run: how long the answered ones took (a histogram
// of powers of two of microseconds), and, for those with no answer, when their job shows up
// in a list. Safe for concurrent use.
type latencies struct {
	buckets [32]atomic.Int64 // bucket i: answered in [2^i, 2^(i+1)) µs
	timeout time.Duration

	mu    sync.Mutex
	late  time.Duration
	open  map[string]time.Time // Name -> send time of a create with no answer, until its job is seen
	nopen atomic.Int64         // len(open), read without the lock
}

// answered records a create answered after d; an earlier create of the same Name with no
// answer is settled by it.
func (l *latencies) answered(name string, d time.Duration) {
	us := max(1, d.Microseconds())
	l.buckets[min(bits.Len64(uint64(us))-1, len(l.buckets)-1)].Add(1)
	if l.nopen.Load() > 0 {
		l.mu.Lock()
		if _, ok := l.open[name]; ok {
			delete(l.open, name)
			l.nopen.Add(-1)
		}
		l.mu.Unlock()
	}
}

// unanswered records a create of name sent at sent that got no answer.
func (l *latencies) unanswered(name string, sent time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open == nil {
		l.open = map[string]time.Time{}
	}
	if _, ok := l.open[name]; !ok {
		l.nopen.Add(1)
	}
	l.open[name] = sent
}

// seen records the jobs of a list: one whose Name had a create with no answer tells how
// long the service took to make it (its creation time, on the service's clock moved by
// offset to ours, less the send time; the service counts whole seconds, so one more).
func (l *latencies) seen(jobs []ciapi.JobDetail, offset time.Duration) {
	if l.nopen.Load() == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range jobs {
		sent, ok := l.open[jobs[i].Name]
		if !ok {
			continue
		}
		if created, ok := parseServiceTime(jobs[i].CreationTime); ok {
			l.late = max(l.late, created.Add(-offset).Sub(sent)+time.Second)
		}
		delete(l.open, jobs[i].Name)
		l.nopen.Add(-1)
	}
}

// snapshot is what l observed so far.
func (l *latencies) snapshot() state.CreateLatency {
	var counts [32]int64
	var n int64
	for i := range l.buckets {
		counts[i] = l.buckets[i].Load()
		n += counts[i]
	}
	out := state.CreateLatency{Timeout: l.timeout, Unresolved: int(l.nopen.Load())}
	if n > 0 {
		// The upper edge of the bucket that holds the 99th percentile: at most twice it.
		want, acc := n-n/100, int64(0)
		for i, c := range counts {
			if acc += c; acc >= want {
				out.P99 = time.Duration(int64(2)<<i) * time.Microsecond
				break
			}
		}
	}
	l.mu.Lock()
	out.Late = l.late
	l.mu.Unlock()
	return out
}

// observedAPI is an API whose creates and lists feed a latencies (see observeUnder).
type observedAPI struct {
	API
	l   *latencies
	now func() time.Time
	// offset is the service's clock minus ours, when the inner API measures it.
	offset func() time.Duration
}

// observedClockAPI is an observedAPI over an API that measures the service's clock: it
// keeps doing so (see serviceClock).
type observedClockAPI struct {
	*observedAPI
	clock serviceClock
}

// ServiceClockOffset is the inner API's.
func (o observedClockAPI) ServiceClockOffset() (time.Duration, bool) {
	return o.clock.ServiceClockOffset()
}

// observe wraps api so that its creates and lists feed l.
func observe(api API, l *latencies, now func() time.Time) API {
	o := &observedAPI{API: api, l: l, now: now, offset: func() time.Duration { return 0 }}
	sc, ok := api.(serviceClock)
	if !ok {
		return o
	}
	o.offset = func() time.Duration { off, _ := sc.ServiceClockOffset(); return off }
	return observedClockAPI{observedAPI: o, clock: sc}
}

// observeUnder wraps api so that its creates and lists feed l, under the layer that Run
// builds (the calls themselves are timed, not their wait for a slot or the rate): a
// *Counted keeps its counts with its service observed. An api that already is a layer
// cannot be observed under it: outside is then true, and the caller observes its engine's
// calls through the layer (their waits included: a longer, more cautious window).
func observeUnder(api API, l *latencies, now func() time.Time) (inner API, outside bool) {
	switch a := api.(type) {
	case *pace.Layer:
		return api, true
	case *Counted:
		return &Counted{Service: observe(a.Service, l, now), Counts: a.Counts}, false
	}
	return observe(api, l, now), false
}

// Create times the create.
func (o *observedAPI) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	start := o.now()
	resp, err := o.API.Create(ctx, bucket, region, req)
	if err != nil && ciapi.IsUncertain(err) && unanswered(err) || errors.Is(err, context.Canceled) {
		o.l.unanswered(req.Name, start)
	} else {
		o.l.answered(req.Name, o.now().Sub(start))
	}
	return resp, err
}

// List passes the jobs listed to the latencies.
func (o *observedAPI) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	resp, err := o.API.List(ctx, bucket, region, opts)
	if err == nil && resp != nil {
		o.l.seen(resp.JobsDetail, o.offset())
	}
	return resp, err
}

// settleWindow is the settle window of this run's creates: Options.SettleWindow when set,
// else derived from what this run and the one before it on the state observed.
func (r *runner) settleWindow() time.Duration {
	if r.o.SettleWindow > 0 {
		return r.o.SettleWindow
	}
	return deriveWindow(mergeLatency(r.lat.snapshot(), r.prevLat), r.o.RequestTimeout)
}

// earlier is what the run knows, when it starts, of the run before it on the same state:
// the last heartbeat (read before this run beats) and the create latencies it recorded.
type earlier struct {
	beat    time.Time // zero: none
	timeout time.Duration
}

// dueAt is when the create of a "sending" row that an earlier run left may no longer make
// its job: the latest instant its create can have left (the row's intent, plus the time the
// intents committed ahead of a create (intentsAhead) take at the rate, or, later still, the
// last heartbeat of the run that wrote it: every create of a run leaves before its last
// beat plus HeartbeatEvery), plus the settle window (at least that run's request timeout,
// during which a create may still be on its way).
func (r *runner) dueAt(row *Record) time.Time {
	lead := time.Duration(0)
	if r.o.QPS > 0 {
		lead = time.Duration(float64(intentsAhead(r.o.Parallel)) / r.o.QPS * float64(time.Second))
	}
	sent := row.UpdatedAt.Add(lead)
	if !r.prev.beat.IsZero() {
		sent = latest(sent, r.prev.beat.Add(state.HeartbeatEvery))
	}
	window := r.o.SettleWindow
	if window <= 0 {
		window = deriveWindow(r.prevLat, r.o.RequestTimeout)
	}
	return sent.Add(max(window, r.prev.timeout, r.o.RequestTimeout))
}

// held is a request an earlier run left "sending" whose create may still make its job: it
// is not sent before due, and then only if a lookup does not find its job.
type held struct {
	pr  *planRun
	t   *task
	due time.Time
}

// hold keeps t until due (see settleHeld); the other requests go on meanwhile.
func (r *runner) hold(pr *planRun, t *task, due time.Time) {
	r.asideMu.Lock()
	r.held = append(r.held, held{pr: pr, t: t, due: due})
	r.asideMu.Unlock()
	r.meter.unsettled.Add(1)
	r.o.Logger.Debug("a create an earlier run left without an outcome may still make its job: held until it settles",
		"name", t.req.Name, "until", due)
}

// resumeHeld looks h up once its create has settled: a job found is recorded (skipped:
// an earlier run made it), else the request is worked as any other (sent).
func (r *runner) resumeHeld(stop context.Context, h held) error {
	t := h.t
	d, err := r.findByName(stop, t.req.Bucket, t.req.Region, t.req.Type, t.req.Name)
	if t.lookup {
		t.lookup = false
		h.pr.lookups.Add(-1)
	}
	switch {
	case err == nil:
		res := resultFor(&t.req, request.Skipped)
		res.JobID, res.JobState, res.Reason = d.JobId, d.State, "service"
		row := recordFor(&t.req, request.Skipped)
		row.JobID, row.JobState, row.JobCreated = d.JobId, d.State, d.CreationTime
		if d.State == ciapi.StateFailed {
			row.ErrorCode, row.ErrorMessage = d.Code, d.Message
		}
		r.emit(res, &row)
		return nil
	case errors.Is(err, ciapi.ErrNotFound):
		return r.work(stop, h.pr, t)
	case stop.Err() != nil:
		r.abandon(t, false)
		return nil
	default:
		return r.fail(t, resultFor(&t.req, request.Failed), recordFor(&t.req, request.Failed), err, true)
	}
}
