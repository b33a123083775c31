package executor_test

import (
	"context"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

func init() {
	executor.SetFollow(follow.Wait, follow.Refresh,
		func(ctx context.Context, api executor.API, store *state.Store, plans []*plan.Plan, opts executor.Options) error {
			_, err := follow.Cancel(ctx, api, store, plans, opts)
			return err
		})
}
