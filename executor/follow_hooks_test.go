package executor

import (
	"context"

	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// Wait, Refresh and Cancel live in package follow, which imports executor: the tests of
// Run that follow or cancel its jobs reach them through these, set by follow_test.go.
var (
	waitFn, refreshFn func(context.Context, API, *state.Store, []*plan.Plan, Options) (*WaitSummary, error)
	cancelFn          func(context.Context, API, *state.Store, []*plan.Plan, Options) error
)

// SetFollow sets the functions of package follow that the tests call.
func SetFollow(wait, refresh func(context.Context, API, *state.Store, []*plan.Plan, Options) (*WaitSummary, error),
	cancel func(context.Context, API, *state.Store, []*plan.Plan, Options) error) {
	waitFn, refreshFn, cancelFn = wait, refresh, cancel
}
