package objects

import (
	"context"
	"errors"
	"sync"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
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
func Latest(ctx context.Context, api executor.LatestAPI, store *state.Store, jobs []executor.BatchJob, opts executor.Options, emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error) {
	e := newEngine(api, store, opts)
	return e.latest(ctx, e.api, jobs, newRounds(), emit)
}

// latest is Latest on an engine, with the URL-file retry rounds cached in rs.
func (e *engine) latest(ctx context.Context, api executor.LatestAPI, jobs []executor.BatchJob, rs *rounds, emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error) {
	hook := func(ctx context.Context, page []executor.ObjectResult) {
		var wg sync.WaitGroup
		for i := range page {
			if !page[i].Failed() {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.follow(ctx, api, rs, &page[i])
			}()
		}
		wg.Wait()
	}
	return e.results(ctx, api, jobs, hook, emit)
}

// follow replaces the failed result r by the latest attempt of its object: into the
// URL-file retry round of its request and next attempt when there is one (see rounds),
// else into the batch job that retried it alone (plan.RetryName, --via object).
func (e *engine) follow(ctx context.Context, api executor.LatestAPI, rs *rounds, r *executor.ObjectResult) {
	for r.Failed() && ctx.Err() == nil {
		next := r.Round + 1
		rd := rs.get(ctx, e, api, roundKey{plan: r.Plan, origin: r.Origin, wf: r.RetryKey(), attempt: next}, r)
		if rd.err != nil {
			e.o.Logger.Warn("reading a retry round failed", "origin", r.Origin, "attempt", next, "error", rd.err)
			return
		}
		if got, ok := rd.byKey[r.Object]; ok {
			*r = got
			continue
		}
		if st, bj, ok := rd.pending(); ok { // listed in a part that has not run it yet
			*r = executor.ObjectResult{Key: bj.Key, Origin: r.Origin, BatchJobID: bj.ID, Object: r.Object, Tag: r.Tag,
				State: st, Round: next}
			return
		}
		if !e.followObject(ctx, api, r) {
			return
		}
	}
}

// followObject replaces the failed result r by the attempt of the batch job that retried
// its object alone (plan.RetryName); false when there is none.
func (e *engine) followObject(ctx context.Context, api executor.LatestAPI, r *executor.ObjectResult) bool {
	next := r.Round + 1
	name := plan.RetryName(r.Origin, r.RetryKey(), r.Object, next)
	bj := executor.BatchJob{Key: request.Key{Plan: r.Plan, Job: r.Job, Name: name, Bucket: r.Bucket, Region: r.Region,
		Type: ciapi.TypeWorkflow, Workflow: r.Workflow}, Origin: r.Origin, Attempt: next}
	if r.Tag != "" {
		bj.Type, bj.Workflow, bj.Tag = ciapi.TypeJob, "", r.Tag
	}
	jobState, found, err := e.findRetry(ctx, api, &bj)
	if err != nil {
		e.o.Logger.Warn("looking a retry up failed", "name", name, "error", err)
		return false
	}
	if !found {
		return false
	}
	var got *executor.ObjectResult
	c := executor.ObjectCounts{BatchJob: bj, ByCode: map[string]int{}}
	err = e.jobResults(ctx, api, &c, nil, func(x executor.ObjectResult) error {
		if got == nil && x.Object == r.Object {
			got = &x
		}
		return nil
	})
	if err != nil && got == nil {
		e.o.Logger.Warn("reading a retry failed", "name", name, "error", err)
		return false
	}
	if got == nil { // the retry batch job has not run the object (yet)
		if jobState == "" {
			jobState = ciapi.StateSubmitted
		}
		*r = executor.ObjectResult{Key: bj.Key, Origin: r.Origin, BatchJobID: bj.ID, Object: r.Object, Tag: r.Tag,
			State: jobState, Round: next}
		return false
	}
	*r = *got
	return true
}

// findRetry sets bj.ID to the retry batch job named bj.Name, from the state when it
// records one, else from the service; found is false when there is none, err set when
// the lookup failed. jobState is the batch job's last known state.
func (e *engine) findRetry(ctx context.Context, api executor.LatestAPI, bj *executor.BatchJob) (jobState string, found bool, err error) {
	if e.store != nil {
		row, ok, err := e.store.Lookup(ctx, plan.RetryPlan(bj.Plan), bj.Name)
		if err == nil && ok && row.JobID != "" {
			bj.ID = row.JobID
			return row.JobState, true, nil
		}
	}
	d, err := e.findByName(ctx, bj.Bucket, bj.Region, bj.Type, bj.Name)
	switch {
	case errors.Is(err, ciapi.ErrNotFound):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	bj.ID = d.JobId
	return d.State, true, nil
}
