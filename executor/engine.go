package executor

import (
	"context"
	"sync/atomic"

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
	// reached is set once the service answered any call (see stopsRun).
	reached atomic.Bool
	queue   queueGate
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
