package executor

import (
	"context"
	"errors"
	"sync"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// Latest is Results with the retries joined in: jobs are the plans' own batch jobs
// (attempt 1, see ResultBatchJobs), and every object whose attempt failed is followed
// into the batch job that triggered it again (named plan.RetryName of its request, the
// object and the next attempt; found in store when it records one, else on the service
// by name), and so on while attempts fail. One result per object (and workflow or tag)
// is emitted and counted: its latest attempt. A retry batch job that has not run the
// object yet gives a result in its own state (Submitted, Running...) with no execution.
//
// Following costs, per failed attempt, one lookup by name (none when store records the
// retry), one list call, and one detail call when the retry failed too; the objects of a
// page are followed in parallel within opts.Parallel. Memory stays bounded as with
// Results. A retry that cannot be looked up or listed leaves the object at the last
// attempt read. store may be nil.
func Latest(ctx context.Context, api LatestAPI, store *state.Store, jobs []BatchJob, opts Options, emit func(ObjectResult) error) ([]ObjectCounts, error) {
	e := newEngine(api, store, opts)
	api = e.api
	hook := func(ctx context.Context, rs []ObjectResult) {
		var wg sync.WaitGroup
		for i := range rs {
			if !rs[i].Failed() {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.follow(ctx, api, &rs[i])
			}()
		}
		wg.Wait()
	}
	return e.results(ctx, api, jobs, hook, emit)
}

// RetryKey is what names a retry: the workflow of r, or its node tag.
func (r *ObjectResult) RetryKey() string {
	if r.Tag != "" {
		return r.Tag
	}
	return r.Workflow
}

// follow replaces the failed result r by the latest attempt of its object.
func (e *engine) follow(ctx context.Context, api LatestAPI, r *ObjectResult) {
	for r.Failed() && ctx.Err() == nil {
		next := r.Attempt + 1
		name := plan.RetryName(r.Origin, r.RetryKey(), r.Object, next)
		bj := BatchJob{Plan: r.Plan, Job: r.Job, Name: name, Origin: r.Origin, Bucket: r.Bucket,
			Region: r.Region, Type: ciapi.TypeWorkflow, Attempt: next}
		if r.Tag != "" {
			bj.Type, bj.Tag = ciapi.TypeJob, r.Tag
		} else {
			bj.Workflows = []string{r.Workflow}
		}
		jobState, ok := e.findRetry(ctx, api, &bj)
		if !ok {
			return
		}
		var got *ObjectResult
		c := ObjectCounts{BatchJob: bj, ByCode: map[string]int{}}
		err := e.jobResults(ctx, api, &c, nil, func(x ObjectResult) error {
			if got == nil && x.Object == r.Object {
				got = &x
			}
			return nil
		})
		if err != nil && got == nil {
			e.o.Logger.Warn("reading a retry failed", "name", name, "error", err)
			return
		}
		if got == nil { // the retry batch job has not run the object (yet)
			if jobState == "" {
				jobState = ciapi.StateSubmitted
			}
			*r = ObjectResult{Plan: r.Plan, Job: r.Job, Name: name, Origin: r.Origin, Bucket: r.Bucket,
				Region: r.Region, BatchJobID: bj.ID, Object: r.Object, Workflow: r.Workflow, Tag: r.Tag,
				State: jobState, Attempt: next}
			return
		}
		*r = *got
	}
}

// findRetry sets bj.ID to the retry batch job named bj.Name, from the state when it
// records one, else from the service; ok is false when there is none (or the lookup
// failed). jobState is the batch job's last known state.
func (e *engine) findRetry(ctx context.Context, api LatestAPI, bj *BatchJob) (jobState string, ok bool) {
	if e.store != nil {
		row, found, err := e.store.Lookup(ctx, plan.RetryPlan(bj.Plan), bj.Name)
		if err == nil && found && row.JobID != "" {
			bj.ID = row.JobID
			return row.JobState, true
		}
	}
	d, err := e.findByName(ctx, bj.Bucket, bj.Region, bj.Type, bj.Name)
	if err != nil {
		if !errors.Is(err, ciapi.ErrNotFound) {
			e.o.Logger.Warn("looking a retry up failed", "name", bj.Name, "error", err)
		}
		return "", false
	}
	bj.ID = d.JobId
	return d.State, true
}
