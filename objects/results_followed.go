package objects

import (
	"context"
	"errors"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// LatestFollowed is Latest over the batch jobs that a run's --wait followed: it emits the
// latest attempt of every object of those batch jobs. For a retry (origins set), the batch
// jobs read are the original plans' and the objects emitted are those whose latest attempt
// is one of the followed retries. api must be a LatestAPI.
func LatestFollowed(ctx context.Context, api executor.API, store *state.Store, plans, origins []*plan.Plan, wait *executor.WaitSummary,
	opts executor.Options, emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error) {
	api = executor.NewLayer(api, opts) // one budget for the lookups and the lists below
	la, ok := api.(executor.LatestAPI)
	if !ok {
		return nil, errors.New("the client cannot read results")
	}
	followed := map[string]bool{}
	for j, err := range wait.Jobs(ctx) {
		if err != nil {
			return nil, err
		}
		if j.JobID != "" {
			followed[j.JobID] = true
		}
	}
	keep := func(executor.ObjectResult) bool { return true }
	if origins != nil {
		plans = origins
		keep = func(r executor.ObjectResult) bool { return followed[r.BatchJobID] }
	}
	jobs, _, err := ResultBatchJobs(ctx, api, store, plans, opts)
	if err != nil {
		return nil, err
	}
	if origins == nil {
		kept := jobs[:0]
		for _, j := range jobs {
			if followed[j.ID] {
				kept = append(kept, j)
			}
		}
		jobs = kept
	}
	return Latest(ctx, la, store, jobs, opts, func(r executor.ObjectResult) error {
		if !keep(r) {
			return nil
		}
		return emit(r)
	})
}

// Recount reads again, once a retry's batch jobs were followed, the counts of the batch
// jobs among jobs whose objects were retried (the Origin of the results in retried): the
// retried objects then count at their new attempt. It costs what Latest costs for those
// batch jobs; none (nil) when there are none, or when api cannot read results.
func Recount(ctx context.Context, api executor.API, store *state.Store, jobs []executor.BatchJob, retried []executor.ObjectResult, opts executor.Options) ([]executor.ObjectCounts, error) {
	la, ok := api.(executor.LatestAPI)
	if !ok {
		return nil, nil
	}
	origins := map[[2]string]bool{}
	for _, r := range retried {
		origins[[2]string{r.Plan, r.Origin}] = true
	}
	var again []executor.BatchJob
	for _, j := range jobs {
		if origins[[2]string{j.Plan, j.Name}] {
			again = append(again, j)
		}
	}
	if len(again) == 0 {
		return nil, nil
	}
	return Latest(ctx, la, store, again, opts, func(executor.ObjectResult) error { return nil })
}
