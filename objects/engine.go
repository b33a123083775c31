package objects

import (
	"context"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/state"
)

// engine is what Results, Latest and Retries share: the state, the options, and the one
// layer every service call goes through, built by the batch jobs' executor.Engine.
type engine struct {
	// api is the layer (a pace.Service): every call on it holds a slot, waits on the
	// limiter, is bounded by the request timeout and retried.
	api   executor.API
	store *state.Store
	o     executor.Options
	x     *executor.Engine
}

// newEngine applies the option defaults and puts api behind its layer (see
// executor.NewEngine); store may be nil.
func newEngine(api executor.API, store *state.Store, opts executor.Options) *engine {
	x := executor.NewEngine(api, store, opts)
	return &engine{api: x.API(), store: store, o: x.Options(), x: x}
}

// findByName is executor.Engine.FindByName.
func (e *engine) findByName(ctx context.Context, bucket, region, typ, name string) (*ciapi.JobDetail, error) {
	return e.x.FindByName(ctx, bucket, region, typ, name)
}
