package objects

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/pace"
)

// resultsPageSize is the page size of the execution and node-job lists (the service maximum).
const resultsPageSize = 100

// Results streams the outcome of every execution of every batch job to emit, batch jobs
// in the order given, at most one page (100 executions) in memory at a time. It costs one
// list call per 100 executions, one detail call per failed workflow execution (for the
// failure's Code and Message), and one describe of a batch job whose lists are empty (to
// tell an empty batch job from one the service no longer has). Calls share the slots,
// rate limit, timeout and retries of opts. emit is never called concurrently; an error
// from it stops Results and is returned. Problems of one batch job (a list that failed, a
// repeated token, a batch job gone, failed detail calls) are in its ObjectCounts, and the
// other batch jobs are still read. The error is ctx's when it ends, or emit's.
func Results(ctx context.Context, api executor.ResultsAPI, jobs []executor.BatchJob, opts executor.Options, emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error) {
	e := newEngine(api, nil, opts)
	return e.results(ctx, e.api, jobs, nil, emit)
}

// pageHook, when not nil, replaces results of a page before they are counted and emitted
// (see Latest); it is called once per page, never concurrently.
type pageHook func(ctx context.Context, rs []executor.ObjectResult)

// results is Results on an engine, with a hook on every page.
func (e *engine) results(ctx context.Context, api executor.ResultsAPI, jobs []executor.BatchJob, hook pageHook, emit func(executor.ObjectResult) error) ([]executor.ObjectCounts, error) {
	out := make([]executor.ObjectCounts, 0, len(jobs))
	for _, bj := range jobs {
		if bj.Attempt <= 0 {
			bj.Attempt = 1
		}
		if bj.Type == "" {
			bj.Type = ciapi.TypeWorkflow
		}
		c := executor.ObjectCounts{BatchJob: bj, ByCode: map[string]int{}}
		err := e.jobResults(ctx, api, &c, hook, emit)
		if ctx.Err() != nil {
			return append(out, c), ctx.Err()
		}
		var ee *emitError
		if errors.As(err, &ee) {
			return append(out, c), ee.err
		}
		if err == nil && c.Objects == 0 {
			err = e.checkExists(ctx, api, &bj)
		}
		c.Err = err
		out = append(out, c)
	}
	return out, nil
}

// emitError carries an error of the caller's emit through the page loop.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }

// checkExists describes a batch job that listed no execution: ErrBatchJobGone when the
// service does not know it.
func (e *engine) checkExists(ctx context.Context, api executor.ResultsAPI, bj *executor.BatchJob) error {
	_, err := api.Describe(ctx, bj.Bucket, bj.Region, bj.ID)
	if errors.Is(err, ciapi.ErrNotFound) {
		return fmt.Errorf("batch job %s: %w", bj.ID, executor.ErrBatchJobGone)
	}
	if err != nil {
		return fmt.Errorf("describe batch job %s: %w", bj.ID, err)
	}
	return nil
}

// jobResults lists the executions (or node jobs) of one batch job.
func (e *engine) jobResults(ctx context.Context, api executor.ResultsAPI, c *executor.ObjectCounts, hook pageHook, emit func(executor.ObjectResult) error) error {
	bj := &c.BatchJob
	origin := bj.Origin
	if origin == "" {
		origin = bj.Name
	}
	base := executor.ObjectResult{Key: bj.Key, Origin: origin, BatchJobID: bj.ID, Round: bj.Attempt}
	if bj.Type == ciapi.TypeJob {
		opt := ciapi.MediaJobListOptions{Tag: bj.Tag, InventoryTriggerJobId: bj.ID, Size: resultsPageSize}
		err := pageLoop(ctx, e.o.MaxPages, func(ctx context.Context, token string) (string, int, error) {
			opt.NextToken = token
			page, err := api.ListMediaJobs(ctx, bj.Bucket, bj.Region, opt)
			if err != nil {
				return "", 0, err
			}
			rs := make([]executor.ObjectResult, len(page.JobsDetail))
			for i := range page.JobsDetail {
				j := &page.JobsDetail[i]
				r := base
				r.Tag, r.Object, r.State, r.ExecutionID = bj.Tag, ciapi.ExactKey(bj.Bucket, bj.Region, j.Input.Object), j.State, j.JobId
				r.Code, r.Message = j.Failure()
				rs[i] = r
			}
			if hook != nil {
				hook(ctx, rs)
			}
			for i := range rs {
				if err := add(c, &rs[i], emit); err != nil {
					return "", 0, err
				}
			}
			return page.NextToken, len(page.JobsDetail), nil
		})
		if err != nil {
			return fmt.Errorf("list node jobs of %s (tag %s): %w", bj.ID, bj.Tag, err)
		}
		return nil
	}
	if wf := bj.Workflow; wf != "" {
		opt := ciapi.ExecutionListOptions{WorkflowId: wf, JobId: bj.ID, Size: resultsPageSize}
		err := pageLoop(ctx, e.o.MaxPages, func(ctx context.Context, token string) (string, int, error) {
			opt.NextToken = token
			page, err := api.ListExecutions(ctx, bj.Bucket, bj.Region, opt)
			if err != nil {
				return "", 0, err
			}
			rs := make([]executor.ObjectResult, len(page.Executions))
			for i := range page.Executions {
				x := &page.Executions[i]
				r := base
				r.Workflow, r.Object, r.State, r.ExecutionID = wf, ciapi.ExactKey(bj.Bucket, bj.Region, x.Object), x.State, x.RunId
				if x.WorkflowId != "" {
					r.Workflow = x.WorkflowId
				}
				rs[i] = r
			}
			e.details(ctx, api, bj, rs)
			if hook != nil {
				hook(ctx, rs)
			}
			for i := range rs {
				if err := add(c, &rs[i], emit); err != nil {
					return "", 0, err
				}
			}
			return page.NextToken, len(page.Executions), nil
		})
		if err != nil {
			return fmt.Errorf("list executions of %s (workflow %s): %w", bj.ID, wf, err)
		}
	}
	return nil
}

// details reads the Code and Message of every failed execution of a page, in parallel
// (bounded by the engine's slots).
func (e *engine) details(ctx context.Context, api executor.ResultsAPI, bj *executor.BatchJob, rs []executor.ObjectResult) {
	var wg sync.WaitGroup
	for i := range rs {
		r := &rs[i]
		if !r.Failed() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, err := api.DescribeExecution(ctx, bj.Bucket, bj.Region, r.ExecutionID)
			if err != nil {
				r.DetailErr = fmt.Errorf("describe execution %s: %w", r.ExecutionID, err)
				return
			}
			r.Code, r.Message = x.Failure()
		}()
	}
	wg.Wait()
}

// add counts r in c and emits it.
func add(c *executor.ObjectCounts, r *executor.ObjectResult, emit func(executor.ObjectResult) error) error {
	c.Objects++
	c.Attempts = max(c.Attempts, r.Round, 1)
	switch r.State {
	case ciapi.StateSuccess:
		c.Succeeded++
	case ciapi.StateFailed:
		c.Failed++
		c.ByCode[r.Code]++
		if r.DetailErr != nil {
			c.DetailErrors++
		}
	case ciapi.StateSubmitted, ciapi.StateRunning:
		c.Running++
	default:
		c.Other++
	}
	if err := emit(*r); err != nil {
		return &emitError{err}
	}
	return nil
}

// pageLoop follows a results list with Pages (the one pager, with its loop guard and
// page cap): fetch returns the next token and how many items its page had.
func pageLoop(ctx context.Context, maxPages int, fetch func(ctx context.Context, token string) (next string, n int, err error)) error {
	return pace.Pages(ctx, maxPages, func(ctx context.Context, token string) (struct{}, string, error) {
		next, _, err := fetch(ctx, token)
		return struct{}{}, next, err
	}, func(struct{}) error { return nil })
}
