package executor

import (
	"io"
	"iter"
	"log/slog"
	"time"

	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan"
)

// Defaults applied by Run, Wait and Cancel to zero Options fields.
const (
	DefaultParallel       = 8
	DefaultRetries        = 5
	DefaultRequestTimeout = 30 * time.Second
	DefaultPollInterval   = 10 * time.Second
	DefaultQueueWait      = time.Hour
	// DefaultLookupThreshold is the largest pending set per bucket that a run with no state
	// for the plan reconciles by looking names up one by one instead of sweeping the list.
	DefaultLookupThreshold = 100
	// progressEvery is the least time between two Progress calls.
	progressEvery = 200 * time.Millisecond
	// sweepPageSize is the list page size used by every sweep (the service maximum).
	sweepPageSize = 100
	// maxSettleWindow bounds the derived SettleWindow.
	maxSettleWindow = 10 * time.Minute
	// sweepSlack widens a time-bounded sweep, for clock skew between us and the service.
	sweepSlack = time.Hour
)

// Options tune Run, Wait, Refresh, Cancel, the lookups, and the per-object reads of
// package objects. The zero value works: defaults apply.
//
// Parallel, QPS, QPSAuto, Retries, RequestTimeout, BackoffBase and BackoffCap configure
// the one layer (pace.Layer, see NewLayer) that every service call of an entry point goes
// through. An entry point given a *pace.Layer as its api uses that layer as it is, so
// that operations of one process share one budget; Parallel and Retries then still bound
// a run's workers and its create retries.
type Options struct {
	// Parallel is the most API calls in flight at once (--parallel). Default 8.
	Parallel int
	// QPS is the most API calls started per second across all workers (--qps), after a
	// burst of min(Parallel, ceil(QPS)). 0 means unlimited.
	QPS float64
	// QPSAuto makes the rate adaptive (--qps auto, see Adaptive); QPS, when positive, is
	// then a ceiling it never passes.
	QPSAuto bool
	// Retries is how many times a retryable failure is retried (--retries): any one call
	// (a create, a page of a list, a describe, a cancel) is tried at most Retries+1 times,
	// as the service counts them. A full queue (QueueSaturated) is waited out without using
	// them (see QueueWait). 0 means the default of 5; a negative value means no retries.
	Retries int
	// RequestTimeout bounds each API call. Default 30s.
	RequestTimeout time.Duration
	// FailFast stops starting requests after the first permanent failure (--fail-fast).
	FailFast bool
	// MaxFailures, when positive, is the failure budget (--max-failures): once that many
	// requests have failed (permanently, or out of retries), no new request starts; those
	// in flight finish, and the Summary says the budget was spent.
	MaxFailures int
	// BackoffBase and BackoffCap shape the exponential backoff with full jitter between
	// retries. Defaults 500ms and 30s.
	BackoffBase, BackoffCap time.Duration
	// SettleDelay is how long a worker waits, after a create whose answer never came (a
	// timeout, a dropped connection, a gateway error), before looking its Name up: the
	// service may still be making the job. Default: RequestTimeout.
	SettleDelay time.Duration
	// SettleWindow is how long after it was sent a create with no answer counts as still
	// possibly in the making at the service. A create of this run with no answer that the
	// lookup after SettleDelay did not find is set aside (its row stays "sending") and
	// looked up again at the end of the send phase, once SettleWindow has passed since it
	// was sent; only then, if still not found, is it sent again. A run that finds creates
	// of an earlier (dead) run with no known outcome holds those requests (and only those)
	// until the same window has passed since each create can have left. Zero: derived from
	// the create latencies observed by this run and recorded by the one before it, at least
	// 5s and at most 10 minutes (see deriveWindow).
	SettleWindow time.Duration
	// QueueWait is how long one request keeps waiting while the service answers that its
	// queue is full (QueueSaturated) before it fails. Default DefaultQueueWait.
	QueueWait time.Duration
	// MaxPages caps the pages one listing follows (see pace.Pages). Default pace.DefaultMaxPages.
	MaxPages int
	// LookupThreshold: see DefaultLookupThreshold. Negative means always sweep.
	LookupThreshold int
	// PollInterval is the time between two polling rounds of Wait. Default 10s.
	PollInterval time.Duration
	// OnResult, when set, is called once per request with its outcome, from any goroutine
	// but never concurrently.
	OnResult func(Result)
	// Progress, when set, is called at most every 200ms (and once at the end) with counters.
	Progress func(Progress)
	// OnWaitRound, when set, is called by Wait after every polling round with what is known.
	OnWaitRound func(*WaitSummary)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives debug lines about retries and reconciliation, and a warning when a
	// run waits for creates an earlier run left in flight. Nil discards. Never a secret.
	Logger *slog.Logger
	// Filter, when set, restricts every operation to the requests it keeps (--shard). It
	// must be deterministic: the same request is kept on every call. It must not keep the
	// pointer it is given.
	Filter func(*plan.Request) bool
	// AllGenerations makes Cancel also reach the unfinished jobs of each plan that its
	// current expansion no longer names: those of earlier generations, and of jobs edited
	// (or, without a Filter, removed) since (cancel --all-generations).
	AllGenerations bool
}

// Requests streams the requests of p that the Filter keeps (for package objects).
func (o *Options) Requests(p *plan.Plan) iter.Seq[plan.Request] { return o.requests(p) }

// requests streams the requests of p that the Filter keeps.
func (o *Options) requests(p *plan.Plan) iter.Seq[plan.Request] {
	if o.Filter == nil {
		return p.Requests()
	}
	return func(yield func(plan.Request) bool) {
		var cur plan.Request // the Filter's argument: one on the heap, not one a request
		for r := range p.Requests() {
			cur = r
			if o.Filter(&cur) && !yield(r) {
				return
			}
		}
	}
}

// withDefaults returns o with zero fields replaced by defaults.
func (o Options) withDefaults() Options {
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.SettleDelay <= 0 {
		o.SettleDelay = o.RequestTimeout
	}
	if o.QueueWait <= 0 {
		o.QueueWait = DefaultQueueWait
	}
	if o.MaxPages <= 0 {
		o.MaxPages = pace.DefaultMaxPages
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = pace.DefaultBackoffBase
	}
	if o.BackoffCap <= 0 {
		o.BackoffCap = pace.DefaultBackoffCap
	}
	if o.LookupThreshold == 0 {
		o.LookupThreshold = DefaultLookupThreshold
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
