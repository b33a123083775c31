package follow

import (
	"context"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/state"
)

// engine is what Wait, Refresh and Cancel share: the state, the options, and the one layer
// every service call goes through, built by the batch jobs' executor.Engine (so that the
// calls share its slots, limiter, timeout and retries, and its sweeps and lookups).
type engine struct {
	api   executor.API
	store *state.Store
	o     executor.Options
	x     *executor.Engine
}

// newEngine applies the option defaults and puts api behind its layer (see
// executor.NewEngine); store may be nil.
func newEngine(api executor.API, store *state.Store, opts executor.Options) *engine {
	x := executor.NewEngine(api, store, opts)
	return &engine{api: x.API(), store: x.Store(), o: x.Options(), x: x}
}

// sweep is executor.Engine.SweepRange from since, with no upper bound, oldest first.
func (e *engine) sweep(ctx context.Context, bucket, region, typ string, since time.Time,
	fn func(*ciapi.JobDetail) error) error {
	return e.x.SweepRange(ctx, bucket, region, typ, since, time.Time{}, false, fn)
}

// sweepRange is executor.Engine.SweepRange.
func (e *engine) sweepRange(ctx context.Context, bucket, region, typ string, since, until time.Time,
	newestFirst bool, fn func(*ciapi.JobDetail) error) error {
	return e.x.SweepRange(ctx, bucket, region, typ, since, until, newestFirst, fn)
}

// findByName is executor.Engine.FindByName.
func (e *engine) findByName(ctx context.Context, bucket, region, typ, name string) (*ciapi.JobDetail, error) {
	return e.x.FindByName(ctx, bucket, region, typ, name)
}

// pause waits d or until ctx ends.
func (e *engine) pause(ctx context.Context, d time.Duration) error { return e.x.Pause(ctx, d) }
