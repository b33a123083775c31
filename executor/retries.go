package executor

import (
	"context"
	"fmt"
	"iter"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// DefaultMaxAttempts is the most attempts of an object planrun retry makes, the first
// (the plan's own batch job) included.
const DefaultMaxAttempts = 3

// RetrySet is what planrun retry triggers: the objects whose latest attempt failed, as
// derived plans of single-object requests that Run sends like any plan's.
type RetrySet struct {
	// Plans are one derived plan per plan with something to retry (plan.Derived): its
	// requests trigger each object again alone (plan.RetryRequest), for its next attempt.
	Plans []*plan.Plan
	// Retry lists the latest (failed) attempt of each object that Plans trigger again.
	Retry []ObjectResult
	// Exhausted lists the objects that failed MaxAttempts times: not retried.
	Exhausted []ObjectResult
	// Counts are the per-object counts of every batch job read, latest attempts counted.
	Counts []ObjectCounts
	// Objects is how many objects (per workflow or tag) were read; Failed how many of
	// them failed at their latest attempt.
	Objects, Failed int
	// Unfinished is how many objects have a retry that has not ended yet.
	Unfinished int
}

// Retries reads the latest attempt of every object of the plans' batch jobs jobs (see
// ResultBatchJobs and Latest) and returns what to trigger again: every object whose
// latest attempt failed, unless it failed maxAttempts times (then it is Exhausted).
// A success is never retried, nor an object whose retry is still running. The requests
// are deterministic (named by plan.RetryName), so running them with Run triggers each
// retry exactly once whatever the number of runs, machines and crashes.
func Retries(ctx context.Context, api LatestAPI, store *state.Store, plans []*plan.Plan, jobs []BatchJob, maxAttempts int, opts Options) (*RetrySet, error) {
	if maxAttempts < 1 {
		maxAttempts = DefaultMaxAttempts
	}
	set := &RetrySet{}
	counts, err := Latest(ctx, api, store, jobs, opts, func(r ObjectResult) error {
		set.Objects++
		if r.Attempt > 1 && !ciapi.Terminal(r.State) {
			set.Unfinished++
		}
		if !r.Failed() {
			return nil
		}
		set.Failed++
		if r.Attempt >= maxAttempts {
			set.Exhausted = append(set.Exhausted, r)
		} else {
			set.Retry = append(set.Retry, r)
		}
		return nil
	})
	set.Counts = counts
	if err != nil {
		return set, err
	}
	byPlan := map[string][]int{}
	for i := range set.Retry {
		byPlan[set.Retry[i].Plan] = append(byPlan[set.Retry[i].Plan], i)
	}
	for _, p := range plans {
		idx := byPlan[p.Name]
		if len(idx) == 0 {
			continue
		}
		origins := map[string]*plan.Request{}
		for _, i := range idx {
			origins[set.Retry[i].Origin] = nil
		}
		for r := range p.Requests() {
			if _, ok := origins[r.Name]; ok {
				origins[r.Name] = &r
			}
		}
		for _, i := range idx {
			if origins[set.Retry[i].Origin] == nil {
				return set, fmt.Errorf("plan %s: no request named %s", p.Name, set.Retry[i].Origin)
			}
		}
		set.Plans = append(set.Plans, plan.Derived(p, retryRequests(set.Retry, idx, origins)))
	}
	return set, nil
}

// retryRequests yields the requests that trigger the objects rs[idx] again.
func retryRequests(rs []ObjectResult, idx []int, origins map[string]*plan.Request) iter.Seq[plan.Request] {
	return func(yield func(plan.Request) bool) {
		for seq, i := range idx {
			r := &rs[i]
			req := plan.RetryRequest(origins[r.Origin], r.Object, r.Attempt+1)
			req.Seq = seq
			if !yield(req) {
				return
			}
		}
	}
}
