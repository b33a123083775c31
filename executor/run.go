package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-multierror"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor/workers"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// maxIntentBatch bounds how many "sending" intents are committed in one transaction
// ahead of the sends they announce.
const maxIntentBatch = 256

// intentBatch is how many intents are committed together ahead of their sends.
func intentBatch(parallel int) int { return min(max(2*parallel, 16), maxIntentBatch) }

// intentsAhead is how many intents at most are committed ahead of the create of a request:
// its own batch, and the batch before it still being handed out (see feedPlan).
func intentsAhead(parallel int) int { return 2 * intentBatch(parallel) }

// errStopped is returned by a fail-fast worker to stop the group.
var errStopped = errors.New("stopped after a permanent failure")

// runner is the state of one Run.
type runner struct {
	*engine
	sum   *Summary
	meter *meter

	emitMu sync.Mutex // serialises OnResult and keeps it in step with the summary

	cancelStop context.CancelFunc // ends the run's stop context
	abortOnce  sync.Once
	configErr  error // the error that stopped the run (see stopsRun), if any

	asideMu sync.Mutex
	aside   []aside // requests set aside to settle (see settleAside)
	held    []held  // requests an earlier run left "sending", held until they settle

	lat     *latencies          // what this run observes of its creates
	prevLat state.CreateLatency // what the run before it recorded
	prev    earlier             // the run before it, as its heartbeat tells
}

// ConfigError is in the error of a Run that stopped because the service refused planrun's
// credentials, signature or permission (ciapi.IsConfigError), because the endpoint's
// certificate cannot be verified (ciapi.ErrCertificate), or because the endpoint cannot be
// reached at all (ciapi.ErrUnreachable): every further request would have failed the same
// way, so none was started.
type ConfigError struct{ Err error }

// Error says why the run stopped. For an endpoint that cannot be reached or verified, that
// is the one line that says so ("cannot reach <endpoint>: connection refused"), without
// the call that met it.
func (e *ConfigError) Error() string {
	if errors.Is(e.Err, ciapi.ErrUnreachable) || errors.Is(e.Err, ciapi.ErrCertificate) {
		if reason := ciapi.ReachReason(e.Err); reason != "" {
			return reason
		}
		return "stopped: " + e.Err.Error()
	}
	return "stopped: the service refused the configuration: " + e.Err.Error()
}

// Refused reports whether the service itself refused the configuration (credentials,
// signature, permission, a wrong route), as opposed to an endpoint that cannot be reached
// or verified.
func (e *ConfigError) Refused() bool {
	return !errors.Is(e.Err, ciapi.ErrUnreachable) && !errors.Is(e.Err, ciapi.ErrCertificate)
}

// Unwrap returns the API error.
func (e *ConfigError) Unwrap() error { return e.Err }

// abort stops the run after a configuration error (the first one is kept).
func (r *runner) abort(err error) {
	r.abortOnce.Do(func() {
		r.configErr = err
		r.cancelStop()
	})
}

// count is how many requests of p the run covers (all, or those Options.Filter keeps).
func (r *runner) count(p *plan.Plan) int {
	if r.o.Filter == nil {
		return p.Count()
	}
	n := 0
	for range r.o.requests(p) {
		n++
	}
	return n
}

// planRun tracks the lookups of one plan, see reconciliation.lookups.
type planRun struct {
	p       *plan.Plan
	rec     *reconciliation
	lookups atomic.Int64 // lookups still to do
}

// Run triggers every request of plans that is not already done, at most once each
// (README, "How exactly-once works"). It streams each plan's requests twice (a census, then the sends), never
// holding them all in memory: requests recorded as done in store are skipped without an
// API call; the others are reconciled with the service by Name first (see reconcile), and
// those found are skipped and recorded. A "sending" intent is committed before each create.
//
// At most opts.Parallel requests are in flight, and every API call waits on one shared
// limiter of opts.QPS per second. Retryable failures are retried with backoff and jitter,
// honouring Retry-After; a create whose outcome is uncertain is looked up by Name before
// being sent again. With opts.FailFast the first permanent failure stops new requests.
// When ctx ends, no new call starts, calls in flight finish (each bounded by the request
// timeout), the state is flushed and the error matches context.Canceled.
//
// Plans must have distinct names (else nothing is sent and the error matches
// ErrDuplicatePlan). The Summary is returned in every case. The error aggregates (go-multierror) one
// *RequestError per failed request, reconciliation and state errors, and the interruption.
func Run(ctx context.Context, api API, store *state.Store, plans []*plan.Plan, opts Options) (*Summary, error) {
	if err := checkUniqueNames(plans); err != nil {
		return &Summary{}, err
	}
	lat := &latencies{timeout: opts.withDefaults().RequestTimeout}
	now := opts.withDefaults().Now
	inner, outside := observeUnder(api, lat, now)
	r := &runner{engine: newEngine(inner, store, opts), sum: &Summary{}, lat: lat}
	if outside {
		r.engine.api = observe(r.engine.api, lat, now)
	}
	// What the run before this one left: read before this run beats or records its own.
	if at, timeout, ok := state.LastBeat(store.Path()); ok {
		r.prev = earlier{beat: at, timeout: timeout}
	}
	if l, ok, err := store.CreateLatency(ctx); err != nil {
		return r.sum, err
	} else if ok {
		r.prevLat = l
	}
	r.meter = newMeter(r.o.Progress, r.o.Now, r.pace)
	for _, p := range plans {
		r.meter.planned.Add(int64(r.count(p)))
	}
	// stop ends when ctx does, when a configuration error makes every further request
	// pointless (see abort), and with FailFast at the first permanent failure.
	stop, cancelStop := context.WithCancel(ctx)
	defer cancelStop()
	r.cancelStop = cancelStop
	base := stop
	g := workers.New(r.o.Parallel)
	if r.o.FailFast {
		g, stop = workers.WithContext(stop, r.o.Parallel)
	}
	hb := state.StartHeartbeat(store.Path(), r.o.RequestTimeout, r.o.Now)
	defer hb.Stop()

	var errs *multierror.Error
	var runs []*planRun
	for _, p := range plans {
		if stop.Err() != nil {
			break
		}
		pr, err := r.feedPlan(stop, g, p)
		if err != nil {
			if r.stopsRun(err) {
				r.abort(err)
			} else {
				errs = multierror.Append(errs, err)
			}
			continue
		}
		runs = append(runs, pr)
	}
	// failures are in the summary; errStopped only stops the group
	r.settleAside(base, g.Wait() != nil)

	for _, pr := range runs {
		if pr.rec.lookups > 0 && pr.lookups.Load() == 0 && !pr.rec.partial {
			if err := r.markRun(ctx, pr.p, pr.rec); err != nil {
				errs = multierror.Append(errs, err)
			}
		}
	}
	// What this run saw of its creates, for the settle window of the next run. A run that
	// went to its end without error settled every create an earlier one left: its own
	// figures are enough. Otherwise the earlier run's are kept beside them.
	unfinished := ctx.Err() != nil || errs != nil || r.configErr != nil || len(r.sum.Failures) > 0
	if err := store.Sync(context.WithoutCancel(ctx), r.latencyWrite(unfinished)); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("save state: %w", err))
	}
	r.meter.close()
	for i := range r.sum.Failures {
		f := &r.sum.Failures[i]
		errs = multierror.Append(errs, &RequestError{Plan: f.Plan, Job: f.Job, Name: f.Name,
			Code: f.Code, Message: f.Message, RequestID: f.RequestID, Attempts: f.Attempts, Err: f.Err})
	}
	switch {
	case r.configErr != nil && ciapi.IsQueuePaused(r.configErr):
		errs = multierror.Append(errs, &QueuePausedError{Err: r.configErr})
	case r.configErr != nil:
		errs = multierror.Append(errs, &ConfigError{Err: r.configErr})
	}
	if err := ctx.Err(); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("run interrupted: %w", err))
	}
	if errs != nil {
		errs.ErrorFormat = listErrors
	}
	return r.sum, errs.ErrorOrNil()
}

// latencyWrite is a write of the create latencies observed (merged with those of the run
// before, while this one may still die and leave its creates to a next run).
func (r *runner) latencyWrite(merged bool) *state.Write {
	l := r.lat.snapshot()
	if merged {
		l = mergeLatency(l, r.prevLat)
	}
	return &state.Write{Latency: &l}
}

// listErrors renders at most ten errors, then how many more there are.
func listErrors(errs []error) string {
	const show = 10
	var b strings.Builder
	fmt.Fprintf(&b, "%d error(s):", len(errs))
	for i, err := range errs {
		if i == show {
			fmt.Fprintf(&b, "\n\t... and %d more", len(errs)-show)
			break
		}
		b.WriteString("\n\t* " + err.Error())
	}
	return b.String()
}

// emit reports a final (or, when interrupted, planned) result and records it in the state.
func (r *runner) emit(res Result, rec *Record) {
	if rec != nil {
		if err := r.store.SendRecord(rec); err != nil && res.Err == nil {
			res.Err = fmt.Errorf("save state: %w", err)
		}
	}
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	r.sum.add(res)
	r.meter.count(res.Status)
	if r.o.OnResult != nil {
		r.o.OnResult(res)
	}
}

// feedPlan reconciles plan p and hands its pending requests to the group, committing
// their intents in batches just ahead of the sends.
func (r *runner) feedPlan(stop context.Context, g *workers.Group, p *plan.Plan) (*planRun, error) {
	c, err := r.takeCensus(stop, p, func(req *plan.Request) { r.sum.plan(req.Plan, req.Job) })
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", p.Name, err)
	}
	rec, err := r.reconcile(stop, p, c)
	c.names = NameSet{} // the sweeps are done: 8 bytes a pending request, not kept for the sends
	if err != nil {
		return nil, err
	}
	defer rec.exist.close()
	pr := &planRun{p: p, rec: rec}
	pr.lookups.Store(int64(rec.lookups))

	// The intents of a batch are committed while the batch before it is handed to the
	// workers (one batch ahead): a worker never waits for a commit while the requests
	// last, and the feeder never waits for one it could overlap. A batch is handed out
	// only once its own commit has returned.
	batchSize := intentBatch(r.o.Parallel)
	batch := make([]*task, 0, batchSize)
	var rows, spareRows []Record // the intents of a batch (see flush)
	var ahead []*task            // the batch whose intents are being committed
	var aheadDone <-chan error   // its commit's result
	// handOut waits for the commit of the batch ahead, then gives its tasks to the group
	// (or, once stop has ended, gives them back as never sent).
	handOut := func() error {
		if aheadDone == nil {
			return nil
		}
		err := <-aheadDone
		tasks := ahead
		ahead, aheadDone = nil, nil
		if err != nil {
			for _, t := range tasks {
				r.abandon(t, false)
			}
			return fmt.Errorf("record intents: %w", err)
		}
		for i, t := range tasks {
			if stop.Err() != nil {
				for _, t := range tasks[i:] {
					r.abandon(t, false)
				}
				break
			}
			g.Go(func() error { return r.work(stop, pr, t) })
		}
		return nil
	}
	// flush starts the commit of batch's intents, and hands out the batch before it.
	flush := func() error {
		if len(batch) == 0 {
			return handOut()
		}
		if stop.Err() != nil {
			for _, t := range batch {
				r.abandon(t, false)
			}
			batch = batch[:0]
			return handOut()
		}
		op := r.latencyWrite(true)
		// Two buffers of rows take turns: the one of the batch before this is the
		// batch ahead's, still being committed; the other's commit has returned.
		rows = rows[:0]
		for _, t := range batch {
			rows = append(rows, recordFor(&t.req, request.Sending))
		}
		op.Records = rows
		rows, spareRows = spareRows, rows
		done := r.store.Commit(op)
		if err := handOut(); err != nil {
			<-done // the intents committed or not, none of them is sent
			for _, t := range batch {
				r.abandon(t, false)
			}
			batch = batch[:0]
			return err
		}
		ahead, aheadDone = batch, done
		batch = make([]*task, 0, batchSize)
		return nil
	}
	// last hands out what remains: the batch being gathered, then the one ahead of it.
	last := func() error {
		if err := flush(); err != nil {
			return err
		}
		return handOut()
	}
	for req := range r.o.requests(p) {
		if stop.Err() != nil {
			break
		}
		var prev Record
		ok := false
		if c.known {
			if prev, ok, err = r.store.Lookup(stop, req.Plan, req.Name); err != nil {
				return pr, errors.Join(err, last())
			}
		}
		if ok && prev.Done() {
			res := resultFor(&req, request.Skipped)
			res.JobID, res.JobState, res.Reason = prev.JobID, prev.JobState, "state"
			r.emit(res, nil)
			continue
		}
		ex, onService, err := rec.exist.lookup(stop, req.Name)
		if err != nil {
			return pr, errors.Join(fmt.Errorf("plan %s: jobs found: %w", p.Name, err), last())
		}
		if onService {
			res := resultFor(&req, request.Skipped)
			res.JobID, res.JobState, res.Reason = ex.id, ex.state, "service"
			row := recordFor(&req, request.Skipped)
			row.JobID, row.JobState, row.JobCreated = ex.id, ex.state, ex.created
			if ex.state == ciapi.StateFailed { // the job's error, as refresh records it
				row.ErrorCode, row.ErrorMessage = ex.code, ex.message
			}
			r.emit(res, &row)
			continue
		}
		t := &task{req: req, lookup: rec.lookup[bucketKey{req.Bucket, req.Region}], prevStatus: request.Planned}
		if ok {
			t.prevStatus = prev.Status
		}
		if ok && prev.Status == request.Sending {
			// An earlier run's create with no known outcome, not found: it may still make
			// its job. Held until its own settle time; every other request goes on.
			if due := r.dueAt(&prev); due.After(r.o.Now()) {
				r.hold(pr, t, due)
				continue
			}
		}
		batch = append(batch, t)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return pr, err
			}
		}
	}
	if err := last(); err != nil {
		return pr, err
	}
	return pr, nil
}
