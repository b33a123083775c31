package executor

import (
	"context"
	"errors"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/state"
	"golang.org/x/time/rate"
)

// engine is what Run, Wait, Refresh and Cancel share: the API, the state, the options and
// the rate limiter every API call waits on.
type engine struct {
	api   API
	store *state.Store
	o     Options
	lim   *rate.Limiter
	slots chan struct{}  // see acquire
	pace  func() float64 // the current allowance of --qps auto; nil for a fixed rate
}

// newEngine applies the option defaults and builds the shared limiter.
func newEngine(api API, store *state.Store, opts Options) *engine {
	o := opts.withDefaults()
	lim, api, pace := newPace(o, api)
	return &engine{api: api, store: store, o: o, lim: lim, pace: pace,
		slots: make(chan struct{}, o.Parallel)}
}

// acquire takes one of the Parallel slots that every API call holds while in flight (the
// workers' creates and lookups, and the sweeps and describes beside them), or returns
// ctx's error.
func (e *engine) acquire(ctx context.Context) error {
	select {
	case e.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives back a slot taken by acquire.
func (e *engine) release() { <-e.slots }

// read runs an idempotent call (list, describe, lookup, cancel): it waits on the limiter,
// bounds the call by the request timeout and retries retryable failures with backoff.
func (e *engine) read(ctx context.Context, call func(ctx context.Context) error) error {
	for failures := 0; ; {
		if err := e.acquire(ctx); err != nil {
			return err
		}
		if err := e.lim.Wait(ctx); err != nil {
			e.release()
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, e.o.RequestTimeout)
		err := call(cctx)
		cancel()
		e.release()
		if err == nil || errors.Is(err, ciapi.ErrNotFound) || ctx.Err() != nil {
			return err
		}
		if !retryable(err) {
			return err
		}
		failures++
		if failures > e.o.Retries {
			return err
		}
		if serr := e.sleep(ctx, failures, ciapi.RetryAfterOf(err)); serr != nil {
			return err
		}
	}
}

// retryable reports whether a call that failed with err is worth another attempt:
// ciapi.IsRetryable, or the call ran into its request timeout. ciapi counts a deadline of
// the caller's context as the caller stopping the call (not retryable); for the executor,
// whose contexts carry a deadline only to bound one call, that deadline is a timeout like
// any other (e.g. an answer slower than --timeout, or a Retry-After longer than it).
// Callers check their own context first.
func retryable(err error) bool {
	return ciapi.IsRetryable(err) || errors.Is(err, context.DeadlineExceeded)
}

// sleep waits the backoff before retry number failures, or until ctx ends.
func (e *engine) sleep(ctx context.Context, failures int, retryAfter time.Duration) error {
	return e.pause(ctx, backoff(failures, e.o.BackoffBase, e.o.BackoffCap, retryAfter, nil))
}

// pause waits d or until ctx ends.
func (e *engine) pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
