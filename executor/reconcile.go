package executor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
	"github.com/planrun/planrun/state/scratch"
)

// bucketKey identifies where jobs live.
type bucketKey struct{ bucket, region string }

// pendingSet describes the requests of one bucket that the state does not record as done.
type pendingSet struct {
	count int
	types map[string]bool
	// fresh holds the types with a pending request that has no row in the state: no
	// reconciliation from this state ever covered it, so a job another machine created for
	// it may be older than the plan's recorded first run, and its sweep takes no time bound.
	fresh map[string]bool
}

// census is the first pass over a plan: which buckets have pending requests, of which
// types, and the longest prefix shared by every request Name (at least "<plan>-<job>-"
// for one job, "<plan>-" for several). It holds counts, never the requests.
type census struct {
	pending map[bucketKey]*pendingSet
	prefix  string
	seen    bool
	// lastUncertain is the newest update of a pending row whose create may still be in
	// flight at the service: "sending" (the run that wrote it died, was interrupted
	// mid-call, or gave up after an answer that was lost).
	lastUncertain time.Time
	// known is whether the state held any row of the plan when the census began. When it
	// did not, no request can be found in it (Names are unique within a plan, and the only
	// rows of the plan are those this run writes), so the census and the sends skip the
	// per-request lookups.
	known bool
	// partial is whether Options.Filter dropped some of the plan's requests: the run then
	// reconciles only part of the plan and must not record the plan's first run, which
	// later runs take as a bound for the sweeps of every request.
	partial bool
	// names holds the Names of the pending requests (8 bytes each): a sweep keeps only the
	// jobs whose Name may be one of them.
	names NameSet
}

// takeCensus streams p's requests once, checking each against the state; each is also
// passed to each (when not nil).
func (e *engine) takeCensus(ctx context.Context, p *plan.Plan, each func(*plan.Request)) (*census, error) {
	c := &census{pending: map[bucketKey]*pendingSet{}}
	known, err := e.store.HasPlan(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	c.known = known
	var cur plan.Request // what Filter and each are given: one on the heap, not one a request
	for r := range p.Requests() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cur = r
		if e.o.Filter != nil && !e.o.Filter(&cur) {
			c.partial = true
			continue
		}
		if each != nil {
			each(&cur)
		}
		if !c.seen {
			c.prefix, c.seen = r.Name, true
		} else {
			c.prefix = commonPrefix(c.prefix, r.Name)
		}
		var rec Record
		ok := false
		if known {
			if rec, ok, err = e.store.Lookup(ctx, r.Plan, r.Name); err != nil {
				return nil, err
			}
		}
		if ok && rec.Done() {
			continue
		}
		if ok && rec.Status == request.Sending && rec.UpdatedAt.After(c.lastUncertain) {
			c.lastUncertain = rec.UpdatedAt
		}
		c.names.Add(r.Name, p.Count())
		k := bucketKey{r.Bucket, r.Region}
		ps := c.pending[k]
		if ps == nil {
			ps = &pendingSet{types: map[string]bool{}, fresh: map[string]bool{}}
			c.pending[k] = ps
		}
		ps.count++
		ps.types[r.Type] = true
		if _, attempt := request.SplitAttempt(r.Name); !ok && attempt == 1 {
			// A re-run attempt is never fresh: Reruns derived it from a list of the bucket
			// since the plan first ran, so only a job made since can be missing from that.
			ps.fresh[r.Type] = true
		}
	}
	c.names.Seal()
	return c, nil
}

// commonPrefix returns the longest common prefix of a and b.
func commonPrefix(a, b string) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[:i]
		}
	}
	return a[:n]
}

// existing is what a reconciliation knows about a job found on the service.
type existing struct {
	id, state, created, code, message string
}

// found converts a listed or looked-up job.
func found(d *ciapi.JobDetail) existing {
	return existing{id: d.JobId, state: d.State, created: d.CreationTime, code: d.Code, message: d.Message}
}

// foundJobs is what the sweeps of one reconciliation found: the jobs whose Name is one of
// the plan's pending requests, kept in a scratch database (not on the heap), and the
// compact set of their Names, which spares a scratch lookup for every request not found.
type foundJobs struct {
	scratch *scratch.DB
	names   NameSet
	batch   []scratch.FoundJob
	expect  int // how many may be found: the pending requests
}

// add keeps d, written to the scratch in batches.
func (f *foundJobs) add(ctx context.Context, d *ciapi.JobDetail) error {
	if f.scratch == nil {
		sc, err := scratch.Open()
		if err != nil {
			return err
		}
		f.scratch = sc
	}
	f.names.Add(d.Name, f.expect)
	f.batch = append(f.batch, scratch.FoundJob{Name: d.Name, JobID: d.JobId, State: d.State,
		Created: d.CreationTime, Code: d.Code, Message: d.Message})
	if len(f.batch) == 1000 {
		return f.flush(ctx)
	}
	return nil
}

// flush writes the batch to the scratch.
func (f *foundJobs) flush(ctx context.Context) error {
	if f.scratch == nil {
		return nil
	}
	err := f.scratch.AddFound(ctx, f.batch)
	f.batch = f.batch[:0]
	return err
}

// seal ends the sweeps: every job found is written, the set of Names sorted.
func (f *foundJobs) seal(ctx context.Context) error {
	f.names.Seal()
	return f.flush(ctx)
}

// lookup returns the job found with Name name (the first one found, when several share it).
func (f *foundJobs) lookup(ctx context.Context, name string) (existing, bool, error) {
	if f.scratch == nil || !f.names.Has(name) {
		return existing{}, false, nil
	}
	j, ok, err := f.scratch.Found(ctx, name)
	if err != nil || !ok {
		return existing{}, false, err
	}
	return existing{id: j.JobID, state: j.State, created: j.Created, code: j.Code, message: j.Message}, true, nil
}

// distinct is how many distinct Names were found so far (by digest; before seal).
func (f *foundJobs) distinct() int {
	d := slices.Clone(f.names.d)
	slices.Sort(d)
	return len(slices.Compact(d))
}

// close deletes the scratch database.
func (f *foundJobs) close() { f.scratch.Close() }

// reconciliation is the outcome of reconciling one plan with the service before sending.
type reconciliation struct {
	exist  foundJobs          // jobs of this plan (by Name) that exist on the service
	lookup map[bucketKey]bool // buckets whose pending requests are looked up one by one
	// lookups is how many pending requests are reconciled by lookup; when there are any,
	// the plan row (first run time) is only written once every one of them was looked up.
	lookups int
	// startedAt is the local time the reconciliation began; the plan's first run is
	// recorded as that instant on the service's clock (see firstRun), or as the creation
	// time of the oldest job of the plan found, whichever is earlier.
	startedAt time.Time
	oldest    time.Time // CreationTime of the oldest job found; zero when none
	// partial: see census.partial; the plan row is then never written.
	partial bool
}

// reconcile finds which pending requests of p already exist on the service, per bucket:
//   - the state knows when this plan (and generation) first ran: sweep the list from that
//     time minus an hour, which covers every create any run from this state made; but a
//     type with a pending request the state has no row for (added to the plan since, or
//     left out by the Filter of earlier runs) is swept without a time bound;
//   - the state knows nothing and at most LookupThreshold requests are pending in the
//     bucket: look each up by Name just before sending it (no sweep);
//   - otherwise sweep the whole list of the bucket.
//
// Sweeps keep only the jobs whose Name is one of the plan's pending requests (the compact
// set of the census); what they find goes to a scratch database, so memory stays flat
// whatever the number of jobs; the caller closes rec.exist. When every pending request
// was covered by a sweep and the Filter kept every request of the plan, it records (durably, before anything is sent) when the plan
// first ran, so later runs can bound their sweeps by that time. With lookups, that record
// waits until every lookup was done (markRun): an interrupted run must not let the next one
// bound its sweep and miss older jobs.
func (e *engine) reconcile(ctx context.Context, p *plan.Plan, c *census) (*reconciliation, error) {
	rec := &reconciliation{lookup: map[bucketKey]bool{}, partial: c.partial}
	rec.exist.expect = c.names.Len()
	if len(c.pending) == 0 {
		rec.exist.names.Seal()
		return rec, nil
	}
	first, known, err := e.store.FirstRun(ctx, p.Name, p.Generation)
	if err != nil {
		return nil, err
	}
	var since time.Time
	if known {
		since = first.Add(-sweepSlack)
	}
	rec.startedAt = e.o.Now()
	// A run with no state for the plan cannot know whether another run (its state on
	// another machine, or lost with it) has creates in flight: when it finds jobs of the
	// plan made within the settle window and some request is missing, it waits the window
	// out, then sweeps again. (When every request is found, there is nothing to decide.)
	recent := &recentJobs{}
	keep := func(d *ciapi.JobDetail) error {
		if d.Name == "" || !strings.HasPrefix(d.Name, c.prefix) || !c.names.Has(d.Name) {
			return nil
		}
		if err := rec.exist.add(ctx, d); err != nil {
			return err
		}
		if t, ok := parseServiceTime(d.CreationTime); ok {
			if rec.oldest.IsZero() || t.Before(rec.oldest) {
				rec.oldest = t
			}
			recent.see(t)
		}
		return nil
	}
	sweepAll := func(since func(ps *pendingSet, typ string) time.Time) error {
		for k, ps := range c.pending {
			if rec.lookup[k] {
				continue
			}
			for typ := range ps.types {
				if err := e.sweep(ctx, k.bucket, k.region, typ, since(ps, typ), keep); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for k, ps := range c.pending {
		if !known && e.o.LookupThreshold > 0 && ps.count <= e.o.LookupThreshold {
			rec.lookup[k] = true
			rec.lookups += ps.count
			e.o.Logger.Debug("reconcile by looking each name up", "plan", p.Name, "bucket", k.bucket, "region", k.region, "pending", ps.count)
			continue
		}
		e.o.Logger.Debug("reconcile by sweeping the list", "plan", p.Name, "bucket", k.bucket, "region", k.region,
			"pending", ps.count, "since", sinceText(since))
	}
	err = sweepAll(func(ps *pendingSet, typ string) time.Time {
		if ps.fresh[typ] {
			return time.Time{}
		}
		return since
	})
	if err == nil && !c.known {
		// The probe only sharpens a fresh machine's guard against a run that died a moment
		// ago; when the service will not list (an outage, a throttle past the retries), the
		// lookups by name that follow decide each request as they always did, and fail it
		// with the service's answer when they cannot.
		if perr := e.probeRecent(ctx, c, rec, keep); perr != nil {
			if ctx.Err() != nil || ciapi.IsConfigError(perr) || ciapi.IsQueuePaused(perr) {
				err = perr
			} else {
				e.o.Logger.Warn("could not list the jobs of this plan made in the last settle window; "+
					"deciding each request by looking its name up", "plan", p.Name, "error", perr)
			}
		}
	}
	if err == nil && !c.known && rec.exist.distinct() < c.names.Len() { // some request is missing
		if d := e.recentWait(recent.newest); d > 0 {
			e.o.Logger.Warn("jobs of this plan were created moments ago, maybe by a run that died with creates in flight: "+
				"waiting for them to settle before deciding which requests are missing",
				"plan", p.Name, "wait", d.Round(time.Millisecond).String())
			if err = e.pause(ctx, d); err == nil {
				// Everything older than the first sweep's start (less the window) was seen.
				again := rec.startedAt.Add(-e.freshWindow() - sweepSlack)
				if t, ok := e.serviceTime(again); ok {
					again = t
				} else {
					again = time.Time{}
				}
				err = sweepAll(func(*pendingSet, string) time.Time { return again })
			}
		}
	}
	if err != nil {
		rec.exist.close()
		return nil, fmt.Errorf("reconcile plan %s: %w", p.Name, err)
	}
	if err := rec.exist.seal(ctx); err != nil {
		rec.exist.close()
		return nil, fmt.Errorf("reconcile plan %s: %w", p.Name, err)
	}
	if rec.lookups == 0 && !rec.partial {
		if err := e.markRun(ctx, p, rec); err != nil {
			rec.exist.close()
			return nil, err
		}
	}
	return rec, nil
}

// firstRun returns when the plan's run began on the service's clock: every later sweep
// takes it (less sweepSlack) as its lower bound, which the service compares with its own
// creation times. It is the start of the reconciliation moved by the clock offset the
// client measured (see serviceTime), or the oldest job found if earlier. ok is false when
// neither is known: then no bound is recorded, and later sweeps take none.
func (rec *reconciliation) firstRun(e *engine) (time.Time, bool) {
	t, ok := e.serviceTime(rec.startedAt)
	if !rec.oldest.IsZero() && (!ok || rec.oldest.Before(t)) {
		return rec.oldest, true
	}
	return t, ok
}

// serviceClock is implemented by an API that measures the service's clock (the
// *ciapi.Client does, from every answer's Date).
type serviceClock interface {
	ServiceClockOffset() (time.Duration, bool)
}

// serviceTime converts a local instant to the service's clock: local plus the offset the
// client measured; ok is false when none was measured yet. An API that does not measure
// it (a test double) shares the local clock.
func (e *engine) serviceTime(local time.Time) (time.Time, bool) {
	sc, ok := e.api.(serviceClock)
	if !ok {
		return local, true
	}
	off, known := sc.ServiceClockOffset()
	if !known {
		return time.Time{}, false
	}
	return local.Add(off), true
}

// markRun durably records when plan p first ran (the earliest time is kept; see firstRun),
// unless that time is unknown.
func (e *engine) markRun(ctx context.Context, p *plan.Plan, rec *reconciliation) error {
	t, ok := rec.firstRun(e)
	if !ok {
		e.o.Logger.Debug("the service's clock is unknown: no sweep bound recorded", "plan", p.Name)
		return nil
	}
	op := &state.Write{Plan: &state.PlanRun{Plan: p.Name, Generation: p.Generation, FirstRunAt: t}}
	if err := e.store.Sync(context.WithoutCancel(ctx), op); err != nil {
		return fmt.Errorf("record plan %s: %w", p.Name, err)
	}
	return nil
}

// sinceText renders a sweep's lower bound for the log.
func sinceText(t time.Time) string {
	if t.IsZero() {
		return "the beginning"
	}
	return t.UTC().Format(time.RFC3339)
}

// latest returns the later of a and b.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// recentJobs tracks the newest CreationTime among the jobs of a plan found.
type recentJobs struct{ newest time.Time }

func (r *recentJobs) see(t time.Time) {
	if t.After(r.newest) {
		r.newest = t
	}
}

// probeRecent lists, in each bucket whose requests are looked up one by one (a fresh
// state, few requests), the jobs created within the last settle window, keeping those of
// the plan: the lookups alone would not tell a run that died a moment ago.
func (e *engine) probeRecent(ctx context.Context, c *census, rec *reconciliation, keep func(*ciapi.JobDetail) error) error {
	window := e.freshWindow()
	since, ok := e.serviceTime(e.o.Now())
	slack := time.Minute // the service compares whole seconds
	if !ok {
		since, slack = e.o.Now(), sweepSlack // the service's clock is not measured yet
	}
	since = since.Add(-window - slack)
	for k, ps := range c.pending {
		if !rec.lookup[k] {
			continue
		}
		for typ := range ps.types {
			// Newest first: the probe ends at the first job older than the window (or
			// whose age cannot be read), usually on its first page.
			err := e.sweepRange(ctx, k.bucket, k.region, typ, since, time.Time{}, true, func(d *ciapi.JobDetail) error {
				if t, ok := parseServiceTime(d.CreationTime); !ok || t.Before(since) {
					return pace.StopPages
				}
				return keep(d)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// recentWait is how long to wait until a job of the plan created at newest (on the
// service's clock) is a settle window old: every create sent with it (by a run that may
// have died) has then had the window to reach the service and be processed. It is zero
// when newest is zero or older than the window.
func (e *engine) recentWait(newest time.Time) time.Duration {
	if newest.IsZero() {
		return 0
	}
	window := e.freshWindow()
	now, ok := e.serviceTime(e.o.Now())
	if !ok {
		now = e.o.Now()
	}
	return max(0, min(newest.Add(window).Sub(now), window))
}

// freshWindow is the settle window of a run that has no state for the plan: it cannot know
// the create latencies a dead run observed, so unless --settle-window sets it, it takes the
// cautious figure for creates that got no answer and whose jobs were never seen (see
// deriveWindow): 4 x the request timeout, within the same bounds.
func (e *engine) freshWindow() time.Duration {
	if e.o.SettleWindow > 0 {
		return max(e.o.SettleWindow, e.o.RequestTimeout)
	}
	return deriveWindow(state.CreateLatency{Unresolved: 1}, e.o.RequestTimeout)
}
