package objects

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// roundKey names one retry round of a request through one workflow (or node tag): the
// URL-file batch jobs that trigger its objects for the attempt-th time.
type roundKey struct {
	plan, origin, wf string
	attempt          int
}

// round is what the service holds of a URL-file retry round: its parts (found by
// plan.ListRetryName, part 0, 1, ... up to the first that does not exist) and the latest
// execution of every object they ran.
type round struct {
	mu     sync.Mutex
	loaded bool
	parts  []executor.BatchJob // found, in part order
	states []string            // each part's batch-job state as last known
	byKey  map[string]executor.ObjectResult
	err    error // a lookup or a listing failed: what the round holds is unknown
}

// pending returns the state and batch job of the first part not finished yet, if any: an
// object of the round not run yet is in it (or in a later one).
func (r *round) pending() (string, *executor.BatchJob, bool) {
	for i, st := range r.states {
		if !ciapi.Terminal(st) {
			if st == "" {
				st = ciapi.StateSubmitted
			}
			return st, &r.parts[i], true
		}
	}
	return "", nil, false
}

// rounds caches the URL-file retry rounds of the requests being read. Results arrive
// request by request, so it keeps the rounds of the two latest requests only (the one
// being read and the one before, which the retry writer flushes when the next begins).
type rounds struct {
	mu      sync.Mutex
	m       map[roundKey]*round
	current [2]string // plan + "\x00" + origin of the latest two requests
}

func newRounds() *rounds { return &rounds{m: map[roundKey]*round{}} }

// get returns the round of k, loading it on first use (once, whoever asks).
func (rs *rounds) get(ctx context.Context, e *engine, api executor.LatestAPI, k roundKey, like *executor.ObjectResult) *round {
	rs.mu.Lock()
	id := k.plan + "\x00" + k.origin
	if rs.current[0] != id {
		rs.current = [2]string{id, rs.current[0]}
		for old := range rs.m {
			if o := old.plan + "\x00" + old.origin; o != rs.current[0] && o != rs.current[1] {
				delete(rs.m, old)
			}
		}
	}
	r := rs.m[k]
	if r == nil {
		r = &round{}
		rs.m[k] = r
	}
	rs.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.loaded {
		r.loaded = true
		r.err = e.loadRound(ctx, api, k, like, r)
	}
	return r
}

// peek returns the round of k when it was loaded, without loading it.
func (rs *rounds) peek(k roundKey) *round {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.m[k]
}

// maxParts bounds the parts of one round looked up (a guard against a loop).
const maxParts = 10000

// loadRound finds the parts of round k and reads their executions.
func (e *engine) loadRound(ctx context.Context, api executor.LatestAPI, k roundKey, like *executor.ObjectResult, r *round) error {
	r.byKey = map[string]executor.ObjectResult{}
	for part := 0; part < maxParts; part++ {
		name := plan.ListRetryName(k.origin, k.wf, k.attempt, part)
		bj := executor.BatchJob{Key: request.Key{Plan: like.Plan, Job: like.Job, Name: name, Bucket: like.Bucket,
			Region: like.Region, Type: ciapi.TypeWorkflow, Workflow: like.Workflow}, Origin: k.origin, Attempt: k.attempt}
		if like.Tag != "" {
			bj.Type, bj.Workflow, bj.Tag = ciapi.TypeJob, "", like.Tag
		}
		jobState, found, err := e.findRetry(ctx, api, &bj)
		if err != nil {
			return err
		}
		if !found {
			return nil
		}
		r.parts, r.states = append(r.parts, bj), append(r.states, jobState)
		c := executor.ObjectCounts{BatchJob: bj, ByCode: map[string]int{}}
		err = e.jobResults(ctx, api, &c, nil, func(x executor.ObjectResult) error {
			if prev, ok := r.byKey[x.Object]; !ok || (prev.State != ciapi.StateSuccess && x.State == ciapi.StateSuccess) {
				r.byKey[x.Object] = x
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read retry %s: %w", name, err)
		}
	}
	return errors.New("too many parts")
}
