package pace

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// Config configures a Layer. The zero value sends every call once, at once, with no
// timeout of its own: each field adds one duty.
type Config struct {
	// Parallel is the most calls in flight at once (--parallel); 0 means no bound.
	Parallel int
	// Pacer decides when each try may start (--qps); nil means no rate limit.
	Pacer Pacer
	// Retries is how many more tries a call gets after a retryable failure (--retries):
	// a call other than a create is tried at most Retries+1 times. Negative means 0.
	Retries int
	// Timeout bounds each try (--timeout); 0 means only ctx bounds it.
	Timeout time.Duration
	// BackoffBase and BackoffCap shape the backoff between tries (see Backoff); zero
	// means the defaults.
	BackoffBase, BackoffCap time.Duration
	// Counts receives the counts of the calls sent; nil means counts of the layer's own.
	// Give several layers one Counts to see them together.
	Counts *Counts
	// Sleep waits d or until ctx ends (returning its error); nil means a timer. Tests set
	// it to a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, n) for the jitter; nil means math/rand/v2.
	Rand func(n int64) int64
	// Logger receives a debug line per retry; nil discards.
	Logger *slog.Logger
}

// Layer is a Service that sends every call of the Service it wraps through one set of
// slots, one pacer, one timeout and one retry policy (see Config). It is safe for
// concurrent use; one Layer shared by several operations of a process shares their
// budget.
type Layer struct {
	svc    Service
	cfg    Config
	slots  chan struct{} // nil: no bound
	counts *Counts
	log    *slog.Logger
	// reached is set once the service answered any call (see Futile).
	reached atomic.Bool
}

// New returns the layer over svc configured by cfg.
func New(svc Service, cfg Config) *Layer {
	l := &Layer{svc: svc, cfg: cfg, counts: cfg.Counts, log: cfg.Logger}
	if cfg.Parallel > 0 {
		l.slots = make(chan struct{}, cfg.Parallel)
	}
	if l.counts == nil {
		l.counts = &Counts{}
	}
	if l.log == nil {
		l.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l.cfg.Retries = max(l.cfg.Retries, 0)
	return l
}

// Counts returns the counts of the calls the layer sent.
func (l *Layer) Counts() *Counts { return l.counts }

// Pacer returns the pacer of the layer (nil when unlimited).
func (l *Layer) Pacer() Pacer { return l.cfg.Pacer }

// Rate returns the current allowance in calls per second (+Inf when unlimited).
func (l *Layer) Rate() float64 {
	if l.cfg.Pacer == nil {
		return math.Inf(1)
	}
	return l.cfg.Pacer.Rate()
}

// Unwrap returns the Service the layer wraps.
func (l *Layer) Unwrap() Service { return l.svc }

// ServiceClockOffset forwards the service's clock offset that the wrapped Service
// measures (ciapi.Client does, from every answer's Date). A Service that does not measure
// it shares the local clock: (0, true).
func (l *Layer) ServiceClockOffset() (time.Duration, bool) {
	if sc, ok := l.svc.(interface{ ServiceClockOffset() (time.Duration, bool) }); ok {
		return sc.ServiceClockOffset()
	}
	return 0, true
}

// ErrNotSent is matched (errors.Is) by the error of a call the layer never sent: ctx
// ended while it waited for a slot or for the pacer. The error matches ctx's error too.
var ErrNotSent = errors.New("call not sent")

// notSent is the error of a call stopped before it was sent.
type notSent struct{ err error }

func (e *notSent) Error() string        { return "call not sent: " + e.err.Error() }
func (e *notSent) Unwrap() error        { return e.err }
func (e *notSent) Is(target error) bool { return target == ErrNotSent }

// once sends one try of call: it takes a slot and waits for the pacer (both on wait),
// then runs call on run bounded by the timeout, counting it and reporting its answer to
// the pacer.
func once[T any](l *Layer, wait, run context.Context, call func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if err := wait.Err(); err != nil {
		return zero, &notSent{err}
	}
	if l.slots != nil {
		select {
		case l.slots <- struct{}{}:
		case <-wait.Done():
			return zero, &notSent{wait.Err()}
		}
		defer func() { <-l.slots }()
	}
	var start time.Time
	if p := l.cfg.Pacer; p != nil {
		var err error
		if start, err = p.Wait(wait); err != nil {
			return zero, &notSent{err}
		}
	}
	cctx := run
	if l.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(run, l.cfg.Timeout)
		defer cancel()
	}
	done := l.counts.start()
	v, err := call(cctx)
	done()
	if p := l.cfg.Pacer; p != nil {
		p.Observe(start, err)
	}
	if answered(err) {
		l.reached.Store(true)
	}
	return v, err
}

// retry runs call with once, and tries it again after a retryable failure (see
// Retryable), waiting a backoff with full jitter but at least the Retry-After the service
// asked for, at most Retries more times. A not-found, a futile failure (see Futile), a
// permanent one or the end of ctx returns at once.
func retry[T any](l *Layer, ctx context.Context, op string, call func(ctx context.Context) (T, error)) (T, error) {
	for tries := 1; ; tries++ {
		v, err := once(l, ctx, ctx, call)
		if err == nil || errors.Is(err, ciapi.ErrNotFound) || ctx.Err() != nil || !Retryable(err) || l.Futile(err) ||
			tries > l.cfg.Retries {
			return v, err
		}
		l.log.Debug("retrying call", "op", op, "tries", tries, "error", err)
		d := Backoff(tries, l.cfg.BackoffBase, l.cfg.BackoffCap, ciapi.RetryAfterOf(err), l.cfg.Rand)
		if l.sleep(ctx, d) != nil {
			return v, err
		}
	}
}

// sleep waits d or until ctx ends.
func (l *Layer) sleep(ctx context.Context, d time.Duration) error {
	if l.cfg.Sleep != nil {
		return l.cfg.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

// Sleep waits d on the wall clock, or until ctx ends (then its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// answered reports whether a call's outcome came from the service: success, or an error
// answer with a status.
func answered(err error) bool {
	if err == nil {
		return true
	}
	ae, ok := errors.AsType[*ciapi.APIError](err)
	return ok && ae.Status != 0
}

// Retryable reports whether a call that failed with err is worth another try:
// ciapi.IsRetryable, or the try ran into its timeout. ciapi counts a deadline of the
// caller's context as the caller stopping the call (not retryable); here, where a
// deadline bounds one try, it is a timeout like any other (an answer slower than
// --timeout, or a Retry-After longer than it). Callers check their own context first.
func Retryable(err error) bool {
	return ciapi.IsRetryable(err) || errors.Is(err, context.DeadlineExceeded)
}

// Futile reports whether err means that every further call would fail the same way, so
// that retrying is pointless: the service refused the configuration (ciapi.IsConfigError:
// credentials, permission, a route that is not the service's, the certificate), its queue
// is paused (ciapi.IsQueuePaused), or the endpoint cannot be reached (refused, unknown
// host) before it answered any call of this layer. A refusal after the service has
// answered is a passing outage, retried as usual.
func (l *Layer) Futile(err error) bool {
	return ciapi.IsConfigError(err) || ciapi.IsQueuePaused(err) ||
		errors.Is(err, ciapi.ErrUnreachable) && !l.reached.Load()
}
