package objects

import (
	"context"
	"errors"
	"fmt"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// ResultBatchJobs returns the batch jobs of the plans' requests (those the Filter keeps),
// in expansion order: the job id from the state when it has one (of the request's latest
// attempt, when run --rerun sent it again), else found on the service by Name (one lookup
// per such request, of the first attempt), so it works on a fresh machine too. store may be
// nil (no state file). Requests without a batch job are returned apart.
func ResultBatchJobs(ctx context.Context, api executor.API, store *state.Store, plans []*plan.Plan, opts executor.Options) ([]executor.BatchJob, []executor.Untriggered, error) {
	e := newEngine(api, store, opts)
	var jobs []executor.BatchJob
	var missing []executor.Untriggered
	for _, p := range plans {
		for req := range e.o.Requests(p) {
			bj := executor.BatchJob{Key: req.Key, Attempt: 1}
			if req.Type == ciapi.TypeJob && req.Node != nil {
				bj.Tag = req.Node.Tag
			}
			if store != nil {
				row, ok, err := store.Lookup(ctx, req.Plan, req.Name)
				if err != nil {
					return nil, nil, fmt.Errorf("read state: %w", err)
				}
				if ok && row.JobID != "" {
					bj.ID = row.JobID
					// A request sent again (run --rerun, the --max-attempts loop) is read at
					// its latest attempt, as status shows it: <name>-a2, -a3, ...
					for k := 2; ; k++ {
						name := plan.AttemptName(req.Name, k)
						arow, found, err := store.Lookup(ctx, req.Plan, name)
						if err != nil {
							return nil, nil, fmt.Errorf("read state: %w", err)
						}
						if !found || arow.JobID == "" {
							break
						}
						bj.ID, bj.Name = arow.JobID, name
					}
					jobs = append(jobs, bj)
					continue
				}
			}
			d, err := e.findByName(ctx, req.Bucket, req.Region, req.Type, req.Name)
			switch {
			case ctx.Err() != nil:
				return nil, nil, ctx.Err()
			case errors.Is(err, ciapi.ErrNotFound):
				missing = append(missing, executor.Untriggered{Plan: req.Plan, Job: req.Job, Name: req.Name})
			case err != nil:
				missing = append(missing, executor.Untriggered{Plan: req.Plan, Job: req.Job, Name: req.Name,
					Err: fmt.Errorf("find batch job %s: %w", req.Name, err)})
			default:
				bj.ID = d.JobId
				jobs = append(jobs, bj)
			}
		}
	}
	return jobs, missing, nil
}
