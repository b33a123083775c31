package executor

import (
	"context"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/state"
)

// engine is what Run, Wait, Refresh, Cancel and the lookups share (and, through Engine,
// the per-object work of package objects): the state, the options, and the one layer
// every service call goes through.
type engine struct {
	// api is the layer (a pace.Service): every call on it holds a slot, waits on the
	// limiter, is bounded by the request timeout and, but for creates, retried.
	api   API
	layer *pace.Layer
	store *state.Store
	o     Options
	pace  func() float64 // the current allowance of an adaptive pace; nil for a fixed rate
	queue queueGate
}

// newEngine applies the option defaults and puts api behind its layer: api itself when it
// is a *pace.Layer already (shared with other operations), else one built from the
// options (see NewLayer).
func newEngine(api API, store *state.Store, opts Options) *engine {
	o := opts.withDefaults()
	l := layerOf(api, o)
	e := &engine{api: l, layer: l, store: store, o: o}
	if p := l.Pacer(); p != nil {
		if _, fixed := p.(*pace.Fixed); !fixed {
			e.pace = l.Rate
		}
	}
	return e
}

// stopsRun reports whether err means that every further call would fail the same way, so
// the run stops (exit 2) instead of failing each request: see pace.Layer.Futile (a
// configuration the service refused, an endpoint that could not be reached before it
// answered anything, or a paused queue: exit 1, see QueuePausedError).
func (e *engine) stopsRun(err error) bool { return e.layer.Futile(err) }

// retryable reports whether a create that failed with err is worth another try (see
// pace.Retryable).
func retryable(err error) bool { return pace.Retryable(err) }

// sleep waits the backoff before create retry number failures, or until ctx ends.
func (e *engine) sleep(ctx context.Context, failures int, retryAfter time.Duration) error {
	return e.pause(ctx, backoff(failures, e.o.BackoffBase, e.o.BackoffCap, retryAfter, nil))
}

// backoff is pace.Backoff: exponential with full jitter, at least the Retry-After.
func backoff(attempt int, base, limit, retryAfter time.Duration, rnd func(n int64) int64) time.Duration {
	return pace.Backoff(attempt, base, limit, retryAfter, rnd)
}

// pause waits d or until ctx ends.
func (e *engine) pause(ctx context.Context, d time.Duration) error { return pace.Sleep(ctx, d) }

// Engine is the handle package objects (per-object work: results, latest attempts, retry
// sets) builds its engine on: the same defaults, the same one layer and the same lookups
// as the batch jobs, so that its calls share their slots, limiter, timeout and retries.
type Engine struct{ e *engine }

// NewEngine applies the option defaults to opts and puts api behind its layer, as Run
// does (see NewLayer); store may be nil.
func NewEngine(api API, store *state.Store, opts Options) *Engine {
	return &Engine{e: newEngine(api, store, opts)}
}

// API is the layer every service call of the engine goes through.
func (x *Engine) API() API { return x.e.api }

// Options are the engine's options, defaults applied.
func (x *Engine) Options() Options { return x.e.o }

// FindByName returns the job of type typ (empty: the service's default type) whose Name
// is exactly name in bucket and region: the error matches ciapi.ErrNotFound when there is
// none, pace.ErrPaging when the pages did not end or the name filter was not applied.
func (x *Engine) FindByName(ctx context.Context, bucket, region, typ, name string) (*ciapi.JobDetail, error) {
	return x.e.findByName(ctx, bucket, region, typ, name)
}
