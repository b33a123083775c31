package follow

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
	"github.com/planrun/planrun/state/scratch"
)

// groupKey is one list sweep: a bucket and a job type.
type groupKey struct{ bucket, region, typ string }

// followBatch is how many followed jobs that the sweep of a refresh did not see are held
// in memory at once, to be described.
var followBatch = 1000

// tracker follows the jobs of some plans that the state knows. The jobs still to follow
// are in a scratch database, not on the heap; the tracker itself holds counts only.
type tracker struct {
	e       *engine
	plans   []*plan.Plan
	scratch *scratch.DB
	// states counts the jobs per last known state; unfinished those not final.
	states     map[string]int
	unfinished int
	// batch is the page size of the describes of refresh (followBatch; tests make it
	// smaller).
	batch int
	// pass counts the refreshes: a followed job read in this one has Swept == pass.
	pass int64
}

// statusOf is the job of a state row.
func statusOf(row *executor.Record) *executor.JobStatus {
	j := &executor.JobStatus{Plan: row.Plan, Job: row.Job, Name: row.Name, Bucket: row.Bucket,
		Region: row.Region, Type: string(row.Type), JobID: row.JobID, State: row.JobState,
		Code: row.ErrorCode, Message: row.ErrorMessage}
	j.Recheck = j.State == ciapi.StateFailed && j.Code == "" && j.Message == ""
	if c, ok := executor.ParseServiceTime(row.JobCreated); ok {
		j.Created = c
	} else {
		j.Created = row.CreatedAt.Add(-executor.SweepSlack)
	}
	return j
}

// followedOf is j as the scratch keeps it.
func followedOf(j *executor.JobStatus) scratch.Followed {
	return scratch.Followed{Plan: j.Plan, Job: j.Job, Name: j.Name, Bucket: j.Bucket, Region: j.Region,
		Type: j.Type, JobID: j.JobID, State: j.State, Code: j.Code, Message: j.Message,
		Created: j.Created.UnixNano(), Recheck: j.Recheck}
}

// jobOfFollowed is the inverse of followedOf.
func jobOfFollowed(f *scratch.Followed) *executor.JobStatus {
	return &executor.JobStatus{Plan: f.Plan, Job: f.Job, Name: f.Name, Bucket: f.Bucket, Region: f.Region,
		Type: f.Type, JobID: f.JobID, State: f.State, Code: f.Code, Message: f.Message,
		Created: time.Unix(0, f.Created), Recheck: f.Recheck}
}

// jobs streams, in plan order, every request of the plans that the state records with a
// job id, as its job's last known state. Pending writes are flushed first.
func (e *engine) jobs(ctx context.Context, plans []*plan.Plan) iter.Seq2[*executor.JobStatus, error] {
	return func(yield func(*executor.JobStatus, error) bool) {
		for _, p := range plans {
			for row, err := range e.rows(ctx, p) {
				if err != nil {
					yield(nil, err)
					return
				}
				if row == nil || row.JobID == "" {
					continue
				}
				if !yield(statusOf(row), nil) {
					return
				}
			}
		}
	}
}

// rows streams, for each request of p that the Filter keeps, in plan order, its state row
// (nil when the state has none): the row of its latest attempt (run --rerun) at its
// position, when there is one. Pending writes are flushed first. The plan's rows are read
// in one pass in expansion order beside the requests (a merge by position): a lookup per
// request cost a search of the state's indexes each, and made a --wait over a million
// requests spend most of its time there. A request whose row is not at its position (the
// plan was edited since the row was written, or its requests are not in position order) is
// looked up by Name.
func (e *engine) rows(ctx context.Context, p *plan.Plan) iter.Seq2[*executor.Record, error] {
	return func(yield func(*executor.Record, error) bool) {
		next, stop := iter.Pull2(e.store.Records(ctx, p.Name))
		defer stop()
		var (
			here  []executor.Record // the rows at position seq
			ahead *executor.Record  // the next row after them
			ended bool
			seq   = -1
		)
		// advance moves to position to: here gets the rows there.
		advance := func(to int) error {
			here, seq = here[:0], to
			for {
				if ahead == nil {
					if ended {
						return nil
					}
					r, err, ok := next()
					if !ok {
						ended = true
						return nil
					}
					if err != nil {
						return err
					}
					ahead = &r
				}
				switch {
				case ahead.Seq < to:
					ahead = nil
				case ahead.Seq == to:
					here, ahead = append(here, *ahead), nil
				default:
					return nil
				}
			}
		}
		for req := range e.o.Requests(p) {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			var found *executor.Record
			if req.Seq > seq {
				if err := advance(req.Seq); err != nil {
					yield(nil, err)
					return
				}
				// The request's latest attempt at its position (run --rerun): the
				// request's own row when it has none.
				base, latest := request.SplitAttempt(req.Name)
				for i := range here {
					if b, a := request.SplitAttempt(here[i].Name); b == base && a >= latest {
						found, latest = &here[i], a
					}
				}
			}
			if found == nil {
				row, ok, err := e.store.Lookup(ctx, req.Plan, req.Name)
				if err != nil {
					yield(nil, err)
					return
				}
				if ok {
					found = &row
				}
			}
			if !yield(found, nil) {
				return
			}
		}
	}
}

// track loads, for every request of plans recorded with a job id, its last known state:
// the counts stay in memory, the jobs to follow go to a scratch database. Close the
// tracker when done.
func (e *engine) track(ctx context.Context, plans []*plan.Plan) (*tracker, error) {
	if err := e.store.Flush(ctx); err != nil {
		return nil, err
	}
	sc, err := scratch.Open()
	if err != nil {
		return nil, err
	}
	t := &tracker{e: e, plans: plans, scratch: sc, states: map[string]int{}, batch: followBatch}
	var add []scratch.Followed
	for _, p := range plans {
		for found, err := range e.rows(ctx, p) {
			if err != nil {
				t.close()
				return nil, err
			}
			var row executor.Record
			ok := found != nil
			if ok {
				row = *found
			}
			if ok && row.JobID == "" && row.Status == request.Triggered {
				// Created, but its answer named no id: find it by Name now.
				if row, ok, err = e.identify(ctx, row); err != nil {
					t.close()
					return nil, err
				}
			}
			if !ok || row.JobID == "" {
				continue
			}
			j := statusOf(&row)
			t.states[j.State]++
			if !j.Final() {
				t.unfinished++
			}
			if !j.Final() || j.Recheck {
				if add = append(add, followedOf(j)); len(add) == 1000 {
					if err := sc.AddFollowed(ctx, add); err != nil {
						t.close()
						return nil, err
					}
					add = add[:0]
				}
			}
		}
	}
	if err := sc.AddFollowed(ctx, add); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// close deletes the tracker's scratch database.
func (t *tracker) close() { t.scratch.Close() }

// identify looks up by Name the job of a triggered row whose id is unknown, and records
// the id when found; ok is false when the job is not found (yet).
func (e *engine) identify(ctx context.Context, row executor.Record) (executor.Record, bool, error) {
	d, err := e.findByName(ctx, row.Bucket, row.Region, string(row.Type), row.Name)
	switch {
	case errors.Is(err, ciapi.ErrNotFound):
		e.o.Logger.Warn("a job created with an unknown id is not listed yet", "name", row.Name)
		return row, false, nil
	case err != nil:
		return row, false, fmt.Errorf("find the job of %s: %w", row.Name, err)
	}
	row.JobID, row.JobState, row.JobCreated = d.JobId, d.State, d.CreationTime
	if err := e.store.Send(&state.Write{Records: []executor.Record{row}}); err != nil {
		return row, false, fmt.Errorf("save job id: %w", err)
	}
	return row, true, nil
}

// refresh updates every followed job: per bucket and type, one sweep of the list over the
// creation times of the followed jobs, newest first, that stops once every one was seen
// (about one call per 100 followed jobs); each page of the sweep is matched against the
// scratch by job id. Then a describe for each job the sweep did not see, read from the
// scratch in pages of at most t.batch jobs. New states, and the Code and Message of jobs
// that ended Failed, are written to the state file; finished jobs leave the scratch. A
// Failed job whose error the state lacks (recheck) is read once too.
//
// Newest first: jobs tend to finish in the order they were created, so the unfinished ones
// are the newest of the range. An oldest-first sweep would begin with the jobs that
// finished since the last round but share the creation second of the oldest unfinished
// one: after a fast run (thousands of creates per second) that is most of them.
func (e *engine) refresh(ctx context.Context, t *tracker) error {
	groups, err := t.scratch.FollowGroups(ctx)
	if err != nil {
		return err
	}
	t.pass++
	for _, g := range groups {
		k := groupKey{g.Bucket, g.Region, g.Type}
		if err := e.sweepFollowed(ctx, t, g); err != nil {
			return err
		}
		var cur scratch.FollowCursor
		for {
			page, next, err := t.scratch.FollowedPage(ctx, g, t.pass, cur, t.batch)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			cur = next
			if err := e.describePage(ctx, t, k, page); err != nil {
				return err
			}
		}
	}
	return nil
}

// apply records d as the state of j, a followed job, in the counts of t; it returns what
// the state file records of it.
func (t *tracker) apply(j *executor.JobStatus, d *ciapi.JobDetail) state.JobSeen {
	wasFinal := j.Final()
	t.states[j.State]--
	if t.states[j.State] <= 0 {
		delete(t.states, j.State)
	}
	j.Recheck = false
	j.State = d.State
	if d.State == ciapi.StateFailed {
		j.Code, j.Message = d.Code, d.Message
	}
	t.states[j.State]++
	if !wasFinal && j.Final() {
		t.unfinished--
	}
	js := state.JobSeen{Plan: j.Plan, Name: j.Name, State: j.State, Created: d.CreationTime}
	if d.State == ciapi.StateFailed {
		js.Code, js.Message = d.Code, d.Message
	}
	return js
}

// save writes the jobs read in this pass (changed: the scratch rows with their new state)
// to the scratch, and seen to the state file.
func (e *engine) save(ctx context.Context, t *tracker, changed []*executor.JobStatus, keys []int64, seen []state.JobSeen) error {
	upd := make([]scratch.Followed, len(changed))
	done := make([]bool, len(changed))
	for i, j := range changed {
		upd[i] = followedOf(j)
		upd[i].Key, upd[i].Swept = keys[i], t.pass
		done[i] = j.Final() && !j.Recheck
	}
	if err := t.scratch.UpdateFollowed(ctx, upd, done); err != nil {
		return err
	}
	if len(seen) > 0 {
		if err := e.store.Send(&state.Write{Jobs: seen}); err != nil {
			return fmt.Errorf("save job states: %w", err)
		}
	}
	return nil
}

// sweepFollowed lists the jobs of group g over the creation times of its followed jobs,
// newest first, and records the state of every followed job it sees; it stops once each
// was seen. What it lists is matched against the scratch one list page (executor.SweepPageSize
// jobs) at a time: memory holds one page, not the followed jobs.
func (e *engine) sweepFollowed(ctx context.Context, t *tracker, g scratch.FollowGroup) error {
	n, oldest, newest, err := t.scratch.FollowSpan(ctx, g)
	if err != nil || n == 0 {
		return err
	}
	left := n
	buf := make([]ciapi.JobDetail, 0, executor.SweepPageSize)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		ids := make([]string, len(buf))
		byID := make(map[string]*ciapi.JobDetail, len(buf))
		for i := range buf {
			ids[i] = buf[i].JobId
			byID[buf[i].JobId] = &buf[i]
		}
		rows, err := t.scratch.FollowedByID(ctx, g, ids)
		if err != nil {
			return err
		}
		var changed []*executor.JobStatus
		var keys []int64
		var seen []state.JobSeen
		for i := range rows {
			if rows[i].Swept == t.pass {
				continue // listed twice: already read in this pass
			}
			j := jobOfFollowed(&rows[i])
			seen = append(seen, t.apply(j, byID[j.JobID]))
			changed, keys = append(changed, j), append(keys, rows[i].Key)
			left--
		}
		buf = buf[:0]
		return e.save(ctx, t, changed, keys, seen)
	}
	err = e.sweepRange(ctx, g.Bucket, g.Region, g.Type, time.Unix(0, oldest), time.Unix(0, newest), true,
		func(d *ciapi.JobDetail) error {
			if err := ctx.Err(); err != nil {
				return err // interrupted mid-page: the page is not matched
			}
			if d.JobId == "" {
				return nil
			}
			if buf = append(buf, *d); len(buf) < executor.SweepPageSize {
				return nil
			}
			if err := flush(); err != nil {
				return err
			}
			if left <= 0 {
				return pace.StopPages // every followed job was seen
			}
			return nil
		})
	if err != nil {
		return err
	}
	return flush()
}

// describePage reads, one describe per job id, the followed jobs of page (all of group k)
// that the sweep did not see.
func (e *engine) describePage(ctx context.Context, t *tracker, k groupKey, page []scratch.Followed) error {
	jobs := make([]*executor.JobStatus, len(page))
	want := make(map[string][]int, len(page))
	for i := range page {
		jobs[i] = jobOfFollowed(&page[i])
		want[jobs[i].JobID] = append(want[jobs[i].JobID], i)
	}
	var changed []*executor.JobStatus
	var keys []int64
	var seen []state.JobSeen
	var failed error // a describe that failed: what was seen until then is still recorded
	for id, idx := range want {
		if err := ctx.Err(); err != nil {
			failed = err
			break
		}
		resp, err := e.api.Describe(ctx, k.bucket, k.region, id)
		gone := errors.Is(err, ciapi.ErrNotFound) || (err == nil && (resp == nil || resp.JobsDetail == nil))
		if err != nil && !gone {
			failed = fmt.Errorf("describe job %s: %w", id, err)
			break
		}
		for _, i := range idx {
			j := jobs[i]
			switch {
			case gone && j.Recheck:
				j.Recheck = false // it ended Failed; that the service no longer has it changes nothing
			case gone:
				seen = append(seen, t.apply(j, &ciapi.JobDetail{JobId: id, State: executor.StateNotFound}))
			default:
				seen = append(seen, t.apply(j, resp.JobsDetail))
			}
			changed, keys = append(changed, j), append(keys, page[i].Key)
		}
	}
	if err := e.save(ctx, t, changed, keys, seen); err != nil {
		return err
	}
	return failed
}
