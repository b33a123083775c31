package executor

import (
	"context"
	"errors"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// This file is the one layer between the executor and the API (ciapi sends each call
// once): every call holds one of the Parallel slots, waits on the shared rate limiter and
// is bounded by the request timeout (once); idempotent calls are retried with backoff and
// jitter, honouring Retry-After (retry). Creates are not retried here: the worker decides,
// since an uncertain create must be looked up by Name before it is sent again. So
// --retries N means at most N+1 tries of any one call, as the service counts them.

// once makes one API call: it takes a slot, waits for the rate limiter (both on ctx) and
// runs call on ctx bounded by the request timeout.
func (e *engine) once(ctx context.Context, call func(ctx context.Context) error) error {
	return e.onceOn(ctx, ctx, call)
}

// onceOn is once with the call itself run on run instead of wait: a create in flight
// finishes even when the run is stopped (run is then context.WithoutCancel of wait).
func (e *engine) onceOn(wait, run context.Context, call func(ctx context.Context) error) error {
	if err := e.acquire(wait); err != nil {
		return err
	}
	defer e.release()
	if err := e.lim.Wait(wait); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(run, e.o.RequestTimeout)
	defer cancel()
	err := call(cctx)
	if answered(err) {
		e.reached.Store(true)
	}
	return err
}

// answered reports whether a call's outcome came from the service: success, or an error
// answer with a status.
func answered(err error) bool {
	var ae *ciapi.APIError
	return err == nil || errors.As(err, &ae) && ae.Status != 0
}

// stopsRun reports whether err means that every further call would fail the same way, so
// the run stops (exit 2) instead of failing each request: the service refused the
// configuration (ciapi.IsConfigError: credentials, permission, a route that is not the
// service's, the certificate), or the endpoint cannot be reached (refused, unknown host)
// before it answered anything in this run, or the service's queue is paused (exit 1: see
// QueuePausedError). A refusal after the service has answered is a
// passing outage, retried as usual.
func (e *engine) stopsRun(err error) bool {
	return ciapi.IsConfigError(err) || ciapi.IsQueuePaused(err) || errors.Is(err, ciapi.ErrUnreachable) && !e.reached.Load()
}

// retry runs an idempotent call (list, describe, cancel) with once, and tries it again
// after a retryable failure, waiting a backoff with full jitter but at least the
// Retry-After the service asked for, at most Retries more times. A not-found, a
// permanent failure or the end of ctx returns at once.
func (e *engine) retry(ctx context.Context, call func(ctx context.Context) error) error {
	for tries := 1; ; tries++ {
		err := e.once(ctx, call)
		if err == nil || errors.Is(err, ciapi.ErrNotFound) || ctx.Err() != nil || !retryable(err) || e.stopsRun(err) {
			return err
		}
		if tries > e.o.Retries {
			return err
		}
		e.o.Logger.Debug("retrying call", "tries", tries, "error", err)
		if serr := e.sleep(ctx, tries, ciapi.RetryAfterOf(err)); serr != nil {
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
