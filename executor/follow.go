package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// StateNotFound is the job state recorded when a job id the state knows no longer exists
// on the service; Wait treats it as final.
const StateNotFound = "NotFound"

// JobStatus is the last known state of one job of a plan.
type JobStatus struct {
	Plan, Job, Name string
	Bucket, Region  string
	Type            string
	JobID           string
	State           string // Submitted, Running, Success, Failed, Pause, Cancel or StateNotFound
	Code, Message   string // the job's error, when Failed
	created         time.Time
	// recheck marks a Failed job whose error the state does not hold (a state file written
	// before planrun kept the error of jobs found on the service): refresh reads it once.
	recheck bool
}

// Final reports whether the job will not change any more: Success, Failed, Cancel or
// StateNotFound.
func (j *JobStatus) Final() bool { return ciapi.Terminal(j.State) || j.State == StateNotFound }

// groupKey is one list sweep: a bucket and a job type.
type groupKey struct{ bucket, region, typ string }

// tracker holds the jobs of some plans that the state knows (bounded by the jobs created).
type tracker struct {
	jobs []*JobStatus
}

// track loads, for every request of plans recorded with a job id, its last known state.
func (e *engine) track(ctx context.Context, plans []*plan.Plan) (*tracker, error) {
	if err := e.store.Flush(ctx); err != nil {
		return nil, err
	}
	t := &tracker{}
	for _, p := range plans {
		for req := range e.o.requests(p) {
			row, ok, err := e.store.Lookup(ctx, req.Plan, req.Name)
			if err != nil {
				return nil, err
			}
			if ok && row.JobID == "" && row.Status == RowTriggered {
				// Created, but its answer named no id: find it by Name now.
				if row, ok, err = e.identify(ctx, row); err != nil {
					return nil, err
				}
			}
			if !ok || row.JobID == "" {
				continue
			}
			j := &JobStatus{Plan: row.Plan, Job: row.Job, Name: row.Name, Bucket: row.Bucket,
				Region: row.Region, Type: string(row.Type), JobID: row.JobID, State: row.JobState,
				Code: row.ErrorCode, Message: row.ErrorMessage}
			j.recheck = j.State == ciapi.StateFailed && j.Code == "" && j.Message == ""
			if c, ok := parseServiceTime(row.JobCreated); ok {
				j.created = c
			} else {
				j.created = row.CreatedAt.Add(-sweepSlack)
			}
			t.jobs = append(t.jobs, j)
		}
	}
	return t, nil
}

// identify looks up by Name the job of a triggered row whose id is unknown, and records
// the id when found; ok is false when the job is not found (yet).
func (e *engine) identify(ctx context.Context, row Record) (Record, bool, error) {
	d, err := e.findByName(ctx, row.Bucket, row.Region, string(row.Type), row.Name)
	switch {
	case errors.Is(err, ciapi.ErrNotFound):
		e.o.Logger.Warn("a job created with an unknown id is not listed yet", "name", row.Name)
		return row, false, nil
	case err != nil:
		return row, false, fmt.Errorf("find the job of %s: %w", row.Name, err)
	}
	row.JobID, row.JobState, row.JobCreated = d.JobId, d.State, d.CreationTime
	if err := e.store.Send(&state.Write{Records: []Record{row}}); err != nil {
		return row, false, fmt.Errorf("save job id: %w", err)
	}
	return row, true, nil
}

// refresh updates every unfinished job: per bucket and type, one sweep of the list over
// the creation times of the unfinished jobs, newest first, that stops once every one was
// seen (about one call per 100 unfinished jobs), then a describe for each job the sweep
// did not see. New states, and the Code and Message of jobs that ended Failed, are written
// to the state file. A Failed job whose error the state lacks (recheck) is read once too.
//
// Newest first: jobs tend to finish in the order they were created, so the unfinished ones
// are the newest of the range. An oldest-first sweep would begin with the jobs that
// finished since the last round but share the creation second of the oldest unfinished
// one: after a fast run (thousands of creates per second) that is most of them.
func (e *engine) refresh(ctx context.Context, t *tracker) error {
	groups := map[groupKey]map[string]*JobStatus{}
	since, until := map[groupKey]time.Time{}, map[groupKey]time.Time{}
	for _, j := range t.jobs {
		if j.Final() && !j.recheck {
			continue
		}
		k := groupKey{j.Bucket, j.Region, j.Type}
		if groups[k] == nil {
			groups[k] = map[string]*JobStatus{}
			since[k], until[k] = j.created, j.created
		}
		groups[k][j.JobID] = j
		if j.created.Before(since[k]) {
			since[k] = j.created
		}
		if j.created.After(until[k]) {
			until[k] = j.created
		}
	}
	var seen []state.JobSeen
	update := func(j *JobStatus, d *ciapi.JobDetail) {
		j.recheck = false
		j.State = d.State
		if d.State == ciapi.StateFailed {
			j.Code, j.Message = d.Code, d.Message
		}
		js := state.JobSeen{Plan: j.Plan, Name: j.Name, State: j.State, Created: d.CreationTime}
		if d.State == ciapi.StateFailed {
			js.Code, js.Message = d.Code, d.Message
		}
		seen = append(seen, js)
	}
	for k, want := range groups {
		left := len(want)
		err := e.sweepRange(ctx, k.bucket, k.region, k.typ, since[k], until[k], true, func(d *ciapi.JobDetail) error {
			j, ok := want[d.JobId]
			if !ok {
				return nil
			}
			update(j, d)
			delete(want, d.JobId)
			if left--; left == 0 {
				return StopPages // every job looked for was seen
			}
			return nil
		})
		if err != nil {
			return err
		}
		for id, j := range want {
			var resp *ciapi.DescribeResponse
			err := e.retry(ctx, func(ctx context.Context) error {
				var err error
				resp, err = e.api.Describe(ctx, k.bucket, k.region, id)
				return err
			})
			gone := errors.Is(err, ciapi.ErrNotFound) || (err == nil && (resp == nil || resp.JobsDetail == nil))
			switch {
			case gone && j.recheck:
				j.recheck = false // it ended Failed; that the service no longer has it changes nothing
			case gone:
				update(j, &ciapi.JobDetail{JobId: id, State: StateNotFound})
			case err != nil:
				return fmt.Errorf("describe job %s: %w", id, err)
			default:
				update(j, resp.JobsDetail)
			}
		}
	}
	if len(seen) > 0 {
		if err := e.store.Send(&state.Write{Jobs: seen}); err != nil {
			return fmt.Errorf("save job states: %w", err)
		}
	}
	return nil
}
