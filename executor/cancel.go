package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"
	"golang.org/x/sync/errgroup"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// Outcomes of a CancelResult.
const (
	CancelDone     = "cancelled"        // the cancel was accepted
	CancelFinished = "already finished" // the job was Success, Failed or Cancel already
	CancelError    = "error"            // the cancel failed; see Err
)

// CancelResult is what Cancel did with one job of a plan.
type CancelResult struct {
	JobStatus
	Outcome string // CancelDone, CancelFinished or CancelError
	Err     error
	// Duplicates is how many jobs on the service share this job's Name (1 when it is the
	// only one). Every one of them has its own CancelResult.
	Duplicates int
	// Outside marks a job whose Name the plan's current expansion no longer makes: an
	// earlier generation, or a job edited since (reached with Options.AllGenerations).
	Outside bool
}

// Duplicated counts the Names of results held by more than one job on the service.
func Duplicated(results []CancelResult) int {
	names := map[[2]string]bool{}
	for _, r := range results {
		if r.Duplicates > 1 {
			names[[2]string{r.Plan, r.Name}] = true
		}
	}
	return len(names)
}

// Cancel cancels the jobs of plans that are not finished. It finds them on the service by
// sweeping the list (from the plan's first run minus an hour when the state knows it, else
// without a time bound) and keeping the Names of the plans' expansion, so it also works on
// a machine without state; jobs the state knows but the sweep missed are described. Every
// job of the plans is reported: cancelled, already finished, or the error. A Name that
// more than one job carries (a duplicate) has every one of its jobs cancelled and reported,
// each with Duplicates set (see Duplicated). With opts.AllGenerations, the jobs of the
// plan's earlier generations and edited jobs are reached too (see cancelOutside). Job
// states are written to the state file,
// unless store was opened read-only (another planrun holds it): then the state is left as it
// is, and a Wait of the holder sees the jobs cancelled on its next poll.
func Cancel(ctx context.Context, api API, store *state.Store, plans []*plan.Plan, opts Options) ([]CancelResult, error) {
	e := newEngine(api, store, opts)
	var results []CancelResult
	var errs *multierror.Error
	for _, p := range plans {
		res, err := e.cancelPlan(ctx, p)
		results = append(results, res...)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("cancel plan %s: %w", p.Name, err))
		}
	}
	for i := range results {
		if results[i].Err != nil {
			errs = multierror.Append(errs, fmt.Errorf("cancel %s (job %s): %w", results[i].Name, results[i].JobID, results[i].Err))
		}
	}
	if err := store.Flush(context.WithoutCancel(ctx)); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("save state: %w", err))
	}
	return results, errs.ErrorOrNil()
}

// cancelPlan sweeps, matches and cancels the jobs of one plan.
func (e *engine) cancelPlan(ctx context.Context, p *plan.Plan) ([]CancelResult, error) {
	groups := map[groupKey]bool{}
	kept := map[string]bool{} // the plan jobs with a request kept
	prefix, first := "", true
	for req := range e.o.requests(p) {
		groups[groupKey{req.Bucket, req.Region, req.Type}] = true
		kept[req.Job] = true
		if first {
			prefix, first = req.Name, false
		} else {
			prefix = commonPrefix(prefix, req.Name)
		}
	}
	firstRun, known, err := e.store.FirstRun(ctx, p.Name, p.Generation)
	if err != nil {
		return nil, err
	}
	var since time.Time
	if known {
		since = firstRun.Add(-sweepSlack)
	}
	var out *outside
	if e.o.AllGenerations {
		// Earlier generations may have run from anywhere: the sweep has no time bound.
		since = time.Time{}
		if out, err = e.outsideOf(ctx, p, kept, groups); err != nil {
			return nil, err
		}
		if out.prefix != "" {
			prefix = out.prefix
		}
	}
	// Every job with a Name of the plan: a Name made twice (a duplicate) is cancelled twice.
	onService := map[string][]foundJob{}
	for k := range groups {
		err := e.sweep(ctx, k.bucket, k.region, k.typ, since, func(d *ciapi.JobDetail) error {
			if d.Name != "" && strings.HasPrefix(d.Name, prefix) {
				onService[d.Name] = append(onService[d.Name], foundJob{*d, k})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Match the plan's expansion against what the sweep found and what the state knows.
	var results []CancelResult
	var seen []state.JobSeen
	var found []Record
	var missed []*JobStatus
	for req := range e.o.requests(p) {
		row, inState, err := e.store.Lookup(ctx, req.Plan, req.Name)
		if err != nil {
			return nil, err
		}
		js := JobStatus{Plan: req.Plan, Job: req.Job, Name: req.Name, Bucket: req.Bucket,
			Region: req.Region, Type: req.Type}
		if fs, ok := onService[req.Name]; ok {
			delete(onService, req.Name) // what is left is not in the expansion
			ds := make([]ciapi.JobDetail, len(fs))
			for i := range fs {
				ds[i] = fs[i].JobDetail
			}
			// The state keeps one job per request: the one it knows, else the first found.
			keep := 0
			for i := range ds {
				if inState && row.JobID == ds[i].JobId {
					keep = i
				}
			}
			d := ds[keep]
			if inState && row.JobID == d.JobId {
				seen = append(seen, state.JobSeen{Plan: req.Plan, Name: req.Name, State: d.State, Created: d.CreationTime})
			} else {
				rec := recordFor(&req, RowSkipped)
				rec.JobID, rec.JobState, rec.JobCreated = d.JobId, d.State, d.CreationTime
				found = append(found, rec)
			}
			for i := range ds {
				js := js
				js.JobID, js.State, js.Code, js.Message = ds[i].JobId, ds[i].State, ds[i].Code, ds[i].Message
				results = append(results, CancelResult{JobStatus: js, Duplicates: len(ds)})
			}
			continue
		} else if inState && row.JobID != "" {
			js.JobID, js.State = row.JobID, row.JobState
			if !ciapi.Terminal(row.JobState) {
				missed = append(missed, &js)
				continue
			}
		} else {
			continue
		}
		results = append(results, CancelResult{JobStatus: js, Duplicates: 1})
	}
	if err := e.note(&state.Write{Records: found, Jobs: seen}); err != nil {
		return nil, fmt.Errorf("save job states: %w", err)
	}
	if out != nil {
		results = append(results, out.found(onService)...)
		for _, j := range out.inState {
			if _, ok := onService[j.Name]; !ok {
				missed = append(missed, j)
			}
		}
	}
	if len(missed) > 0 {
		if err := e.describeAll(ctx, missed); err != nil {
			return nil, err
		}
		for _, j := range missed {
			results = append(results, CancelResult{JobStatus: *j, Duplicates: 1, Outside: out != nil && out.stale[j.Name]})
		}
	}
	return results, e.cancelAll(ctx, results)
}

// describeAll refreshes each of jobs with one describe call.
func (e *engine) describeAll(ctx context.Context, jobs []*JobStatus) error {
	var seen []state.JobSeen
	for _, j := range jobs {
		var resp *ciapi.DescribeResponse
		err := e.retry(ctx, func(ctx context.Context) error {
			var err error
			resp, err = e.api.Describe(ctx, j.Bucket, j.Region, j.JobID)
			return err
		})
		switch {
		case errors.Is(err, ciapi.ErrNotFound) || (err == nil && (resp == nil || resp.JobsDetail == nil)):
			j.State = StateNotFound
		case err != nil:
			return fmt.Errorf("describe job %s: %w", j.JobID, err)
		default:
			j.State, j.Code, j.Message = resp.JobsDetail.State, resp.JobsDetail.Code, resp.JobsDetail.Message
		}
		seen = append(seen, state.JobSeen{Plan: j.Plan, Name: j.Name, State: j.State})
	}
	return e.note(&state.Write{Jobs: seen})
}

// note queues w for the state; a store opened read-only (cancel beside a run that holds the
// state) is left as it is.
func (e *engine) note(w *state.Write) error {
	if err := e.store.Send(w); err != nil && !errors.Is(err, state.ErrReadOnly) {
		return err
	}
	return nil
}

// cancelAll cancels, Parallel at a time, every job of results that is not finished, and
// fills in the outcomes.
func (e *engine) cancelAll(ctx context.Context, results []CancelResult) error {
	var g errgroup.Group
	g.SetLimit(e.o.Parallel)
	var mu sync.Mutex
	var seen []state.JobSeen
	for i := range results {
		r := &results[i]
		if ciapi.Terminal(r.State) || r.State == StateNotFound {
			r.Outcome = CancelFinished
			continue
		}
		if ctx.Err() != nil {
			r.Outcome, r.Err = CancelError, ctx.Err()
			continue
		}
		g.Go(func() error {
			err := e.retry(ctx, func(ctx context.Context) error {
				return e.api.Cancel(ctx, r.Bucket, r.Region, r.JobID)
			})
			if err == nil {
				r.Outcome, r.State = CancelDone, ciapi.StateCancel
			} else if d, derr := e.describeOne(ctx, r.Bucket, r.Region, r.JobID); derr == nil && ciapi.Terminal(d.State) {
				// It finished between the sweep and the cancel.
				r.Outcome, r.State = CancelFinished, d.State
			} else {
				r.Outcome, r.Err = CancelError, err
			}
			mu.Lock()
			seen = append(seen, state.JobSeen{Plan: r.Plan, Name: r.Name, State: r.State})
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	return e.note(&state.Write{Jobs: seen})
}

// describeOne returns the current detail of one job.
func (e *engine) describeOne(ctx context.Context, bucket, region, id string) (*ciapi.JobDetail, error) {
	var resp *ciapi.DescribeResponse
	err := e.retry(ctx, func(ctx context.Context) error {
		var err error
		resp, err = e.api.Describe(ctx, bucket, region, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if resp == nil || resp.JobsDetail == nil {
		return nil, fmt.Errorf("describe job %s: %w", id, ciapi.ErrNotFound)
	}
	return resp.JobsDetail, nil
}
