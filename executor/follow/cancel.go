package follow

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
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
	"github.com/planrun/planrun/state/scratch"
)

// Outcomes of a CancelResult.
const (
	CancelDone     = "cancelled"        // the cancel was accepted
	CancelFinished = "already finished" // the job was Success, Failed or Cancel already
	CancelError    = "error"            // the cancel failed; see Err
)

// CancelResult is what Cancel did with one job of a plan.
type CancelResult struct {
	executor.JobStatus
	Outcome string // CancelDone, CancelFinished or CancelError
	Err     error
	// Duplicates is how many jobs on the service share this job's Name (1 when it is the
	// only one). Every one of them has its own CancelResult.
	Duplicates int
	// Outside marks a job whose Name the plan's current expansion no longer makes: an
	// earlier generation, or a job edited since (reached with executor.Options.AllGenerations).
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

// CancelSummary counts what CancelEach did.
type CancelSummary struct {
	Jobs      int // jobs reported
	Cancelled int // CancelDone
	Finished  int // CancelFinished
	Failed    int // CancelError
	// Duplicated counts the Names held by more than one job on the service.
	Duplicated int
}

// cancelExamples is how many of the jobs that could not be cancelled the error of Cancel
// names; the others are counted.
const cancelExamples = 5

// cancelPageSize is how many jobs cancel reads back from its scratch database at once (a
// variable for tests).
var cancelPageSize = 1000

// Cancel is CancelEach with every result collected in a slice (for small plans and tests).
func Cancel(ctx context.Context, api executor.API, store *state.Store, plans []*plan.Plan, opts executor.Options) ([]CancelResult, error) {
	var results []CancelResult
	_, err := CancelEach(ctx, api, store, plans, opts, func(r CancelResult) error {
		results = append(results, r)
		return nil
	})
	return results, err
}

// CancelEach cancels the jobs of plans that are not finished. It finds them on the service
// by sweeping the list (from the plan's first run minus an hour when the state knows it,
// else without a time bound) and keeping the jobs whose Name is one of the plan's requests
// (a compact set of digests, confirmed by Name), written to a scratch database, so memory
// stays flat at any plan size; jobs the state knows but the sweep missed are described.
// Every job of the plans is passed to fn, one at a time, as its outcome is known:
// cancelled, already finished, or the error. A Name that more than one job carries (a
// duplicate) has every one of its jobs cancelled and reported, each with Duplicates set.
// With opts.AllGenerations, the jobs of the plan's earlier generations and edited jobs are
// reached too (see outsideOf). Job states are written to the state file, unless store
// was opened read-only (another planrun holds it): then the state is left as it is, and a
// Wait of the holder sees the jobs cancelled on its next poll. The error counts the jobs
// that could not be cancelled and names a few.
//
// Before a page of cancels is sent, its batch jobs are recorded in store as the user's
// cancels (state.Store.PutUserCancels), which the loop of run --wait --max-attempts
// leaves alone; a store opened read-only records none (see CancelEachRecording).
func CancelEach(ctx context.Context, api executor.API, store *state.Store, plans []*plan.Plan, opts executor.Options,
	fn func(CancelResult) error) (CancelSummary, error) {
	return CancelEachRecording(ctx, api, store, store, plans, opts, fn)
}

// CancelEachRecording is CancelEach recording the user's cancels in rec rather than in
// store: planrun cancel beside another planrun that holds the state reads store (opened
// read-only, left to its holder) and records the cancels through rec, a store opened
// without the lock (nil records nothing).
func CancelEachRecording(ctx context.Context, api executor.API, store, rec *state.Store, plans []*plan.Plan, opts executor.Options,
	fn func(CancelResult) error) (CancelSummary, error) {
	e := newEngine(api, store, opts)
	c := &canceller{e: e, fn: fn, rec: rec}
	var errs *multierror.Error
	for _, p := range plans {
		err := c.plan(ctx, p)
		if c.stopped() {
			return c.sum, c.fnErr
		}
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("cancel plan %s: %w", p.Name, err))
		}
	}
	if c.sum.Failed > 0 {
		errs = multierror.Append(errs, c.failures())
	}
	if c.recErr != nil {
		errs = multierror.Append(errs, fmt.Errorf("record the cancels (a run --wait --max-attempts may send them again): %w", c.recErr))
	}
	if err := store.Flush(context.WithoutCancel(ctx)); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("save state: %w", err))
	}
	return c.sum, errs.ErrorOrNil()
}

// canceller is one CancelEach: its counts, and a few of its failures.
type canceller struct {
	e        *engine
	fn       func(CancelResult) error
	mu       sync.Mutex
	sum      CancelSummary
	examples []error
	fnErr    error // the first error of fn: nothing more is cancelled
	rec      *state.Store
	recErr   error // the first error recording the user's cancels
}

// record writes, before their cancels are sent, the jobs of page that will be sent one
// (unfinished as far as known, or to be described first) as the user's cancels. A failure
// is kept for the end: the cancels the user asked for are sent anyway.
func (c *canceller) record(ctx context.Context, page []scratch.CancelJob) {
	if c.rec == nil {
		return
	}
	var ids []string
	for i := range page {
		j := &page[i]
		if j.JobID == "" || !j.Describe && (ciapi.Terminal(j.State) || j.State == executor.StateNotFound) {
			continue
		}
		ids = append(ids, j.JobID)
	}
	if err := c.rec.PutUserCancels(ctx, ids); err != nil && !errors.Is(err, state.ErrReadOnly) && c.recErr == nil {
		c.recErr = err
	}
}

// failures is the error that counts the jobs that could not be cancelled and names a few.
func (c *canceller) failures() error {
	msg := fmt.Sprintf("%d jobs could not be cancelled", c.sum.Failed)
	if c.sum.Failed == 1 {
		msg = "1 job could not be cancelled"
	}
	if extra := c.sum.Failed - len(c.examples); extra > 0 {
		msg += fmt.Sprintf(" (%d more not shown)", extra)
	}
	// Each example is wrapped, so the error matches what any of them matches.
	format, args := msg+":", make([]any, len(c.examples))
	for i, ex := range c.examples {
		if i > 0 {
			format += ";"
		}
		format += " %w"
		args[i] = ex
	}
	return fmt.Errorf(format, args...)
}

// report counts r and passes it to fn; it is safe for concurrent use.
func (c *canceller) report(r CancelResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fnErr != nil {
		return
	}
	c.sum.Jobs++
	switch r.Outcome {
	case CancelDone:
		c.sum.Cancelled++
	case CancelFinished:
		c.sum.Finished++
	case CancelError:
		c.sum.Failed++
		if len(c.examples) < cancelExamples {
			c.examples = append(c.examples, fmt.Errorf("cancel %s (job %s): %w", r.Name, r.JobID, r.Err))
		}
	}
	c.fnErr = c.fn(r)
}

// stopped reports whether fn failed.
func (c *canceller) stopped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fnErr != nil
}

// plan sweeps, matches and cancels the jobs of one plan. The sweep keeps, in a scratch
// database, the jobs whose Name may be one of the plan's requests (and, with
// AllGenerations, the jobs of the plan's jobs with other Names); a pass over the requests
// confirms them by Name and adds the unfinished jobs the state knows that the sweep
// missed; the cancels are then issued page by page from the scratch database.
func (c *canceller) plan(ctx context.Context, p *plan.Plan) error {
	e := c.e
	groups := map[groupKey]bool{}
	kept := map[string]bool{} // the plan jobs with a request kept
	var names executor.NameSet
	kn := newKin(&names) // the jobs planrun derived from the requests: retries (see derivedForms)
	prefix, first := "", true
	for req := range e.o.Requests(p) {
		groups[groupKey{req.Bucket, req.Region, req.Type}] = true
		kept[req.Job] = true
		names.Add(req.Name, p.Count())
		short := kn.addRequest(req.Name, p.Count()) // every Name derived from it starts so
		if first {
			prefix, first = short, false
		} else {
			prefix = executor.CommonPrefix(prefix, short)
		}
	}
	names.Seal()
	kn.seal()
	jobPrefixes := make([]string, len(p.Jobs))
	for i := range p.Jobs {
		jobPrefixes[i] = plan.NameHead(p.Name, p.Jobs[i].Name)
	}
	firstRun, known, err := e.store.FirstRun(ctx, p.Name, p.Generation)
	if err != nil {
		return err
	}
	var since time.Time
	if known {
		since = firstRun.Add(-executor.SweepSlack)
	}
	var out *outside
	if e.o.AllGenerations {
		// Earlier generations may have run from anywhere: the sweep has no time bound.
		since = time.Time{}
		if out, err = e.outsideOf(ctx, p, kept, groups); err != nil {
			return err
		}
		if out.prefix != "" {
			prefix = out.prefix
		}
	}
	sc, err := scratch.Open()
	if err != nil {
		return err
	}
	defer sc.Close()
	// Every job with a Name of the plan: a Name made twice (a duplicate) is cancelled twice.
	var batch []scratch.CancelJob
	flush := func() error {
		err := sc.AddCancel(ctx, batch)
		batch = batch[:0]
		return err
	}
	for k := range groups {
		err := e.sweep(ctx, k.bucket, k.region, k.typ, since, func(d *ciapi.JobDetail) error {
			if d.Name == "" || !strings.HasPrefix(d.Name, prefix) {
				return nil
			}
			mark, job := scratch.CancelUnmatched, ""
			if out != nil && !out.names.Has(d.Name) {
				if job = out.jobOf(d.Name); job != "" && !ciapi.Terminal(d.State) {
					mark = scratch.CancelOutside
				}
			}
			if job == "" && !names.Has(d.Name) {
				// A job planrun derived from a request (a retry): of this plan's requests,
				// or (AllGenerations) of a job reached, of any generation.
				if _, ok := kn.derived(p.Name, d.Name); ok {
					mark, job = scratch.CancelInPlan, executor.JobOfName(p, jobPrefixes, d.Name)
				} else if root, _, ok := derivedRoot(p.Name, d.Name); ok && out != nil {
					if job = out.jobOfHead(root); job != "" && !ciapi.Terminal(d.State) {
						mark = scratch.CancelOutside
					}
				}
				if job == "" {
					return nil
				}
			}
			batch = append(batch, scratch.CancelJob{Name: d.Name, Job: job, Bucket: k.bucket, Region: k.region,
				Type: k.typ, JobID: d.JobId, State: d.State, Code: d.Code, Message: d.Message,
				Created: d.CreationTime, Mark: mark})
			if len(batch) == cancelPageSize {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := c.match(ctx, p, sc, &names, out); err != nil {
		return err
	}
	if err := c.derivedInState(ctx, p, sc, &names, kn, kept, out); err != nil {
		return err
	}
	dups, err := sc.CancelDuplicated(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.sum.Duplicated += dups
	c.mu.Unlock()
	// The state records a derived job under its own plan name (a retry's under
	// "<plan>.retries"): its job state is written there.
	planOf := func(name string) string {
		if !names.Has(name) {
			if _, sp, ok := derivedRoot(p.Name, name); ok {
				return sp
			}
		}
		return p.Name
	}
	return c.cancelFrom(ctx, planOf, sc, out)
}

// derivedInState adds to the scratch the unfinished jobs the state records as derived
// from p's requests (retries, under their own plan name) that the sweep did not find, to
// be described and cancelled: those of the requests kept, and with AllGenerations those
// of every plan job reached.
func (c *canceller) derivedInState(ctx context.Context, p *plan.Plan, sc *scratch.DB, names *executor.NameSet, k *kin,
	kept map[string]bool, out *outside) error {
	var missed []scratch.CancelJob
	for _, sp := range derivedStatePlans(p.Name) {
		for rec, err := range c.e.store.Records(ctx, sp) {
			if err != nil {
				return err
			}
			if rec.JobID == "" || ciapi.Terminal(rec.JobState) || rec.JobState == executor.StateNotFound ||
				(c.e.o.Filter != nil && !kept[rec.Job]) || (sp == p.Name && names.Has(rec.Name)) {
				continue
			}
			mark := scratch.CancelInPlan
			if _, ok := k.derived(p.Name, rec.Name); !ok {
				if _, _, derived := derivedRoot(p.Name, rec.Name); out == nil || !derived {
					continue // not derived from a request reached (another generation's own are outsideOf's)
				}
				mark = scratch.CancelOutside
			}
			ds, err := sc.CancelByName(ctx, rec.Name)
			if err != nil {
				return err
			}
			if len(ds) == 0 {
				missed = append(missed, scratch.CancelJob{Name: rec.Name, Job: rec.Job, Bucket: rec.Bucket, Region: rec.Region,
					Type: string(rec.Type), JobID: rec.JobID, State: rec.JobState, Mark: mark, Describe: true})
			}
		}
	}
	return sc.AddCancel(ctx, missed)
}

// match confirms the jobs found by Name against the plan's requests (marking them in the
// scratch), writes what it learns to the state, and adds to the scratch the unfinished
// jobs the state knows that the sweep missed (to be described).
func (c *canceller) match(ctx context.Context, p *plan.Plan, sc *scratch.DB, names *executor.NameSet, out *outside) error {
	e := c.e
	var seen []state.JobSeen
	var found []executor.Record
	var marks, missed []scratch.CancelJob
	flush := func() error {
		if err := e.note(&state.Write{Records: found, Jobs: seen}); err != nil {
			return fmt.Errorf("save job states: %w", err)
		}
		if err := sc.MarkCancel(ctx, marks); err != nil {
			return err
		}
		if err := sc.AddCancel(ctx, missed); err != nil {
			return err
		}
		seen, found, marks, missed = nil, nil, marks[:0], missed[:0]
		return nil
	}
	for req := range e.o.Requests(p) {
		row, inState, err := e.store.Lookup(ctx, req.Plan, req.Name)
		if err != nil {
			return err
		}
		var ds []scratch.CancelJob
		if names.Has(req.Name) {
			if ds, err = sc.CancelByName(ctx, req.Name); err != nil {
				return err
			}
		}
		switch {
		case len(ds) > 0:
			// The state keeps one job per request: the one it knows, else the first found.
			keep := 0
			for i := range ds {
				if inState && row.JobID == ds[i].JobID {
					keep = i
				}
			}
			d := &ds[keep]
			if inState && row.JobID == d.JobID {
				seen = append(seen, state.JobSeen{Plan: req.Plan, Name: req.Name, State: d.State, Created: d.Created})
			} else {
				rec := state.RecordFor(&req, request.Skipped)
				rec.JobID, rec.JobState, rec.JobCreated = d.JobID, d.State, d.Created
				found = append(found, rec)
			}
			for i := range ds {
				ds[i].Job, ds[i].Mark = req.Job, scratch.CancelInPlan
			}
			marks = append(marks, ds...)
		case inState && row.JobID != "":
			missed = append(missed, scratch.CancelJob{Name: req.Name, Job: req.Job, Bucket: req.Bucket, Region: req.Region,
				Type: req.Type, JobID: row.JobID, State: row.JobState, Mark: scratch.CancelInPlan,
				Describe: !ciapi.Terminal(row.JobState)})
		}
		if len(marks)+len(missed) >= cancelPageSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if out != nil {
		for _, j := range out.inState {
			ds, err := sc.CancelByName(ctx, j.Name)
			if err != nil {
				return err
			}
			if len(ds) == 0 {
				missed = append(missed, scratch.CancelJob{Name: j.Name, Job: j.Job, Bucket: j.Bucket, Region: j.Region,
					Type: j.Type, JobID: j.JobID, State: j.State, Mark: scratch.CancelOutside, Describe: true})
			}
		}
	}
	return flush()
}

// cancelFrom reads the marked jobs back from the scratch, a page at a time, and cancels,
// Parallel at a time, every one that is not finished, reporting each.
func (c *canceller) cancelFrom(ctx context.Context, planOf func(name string) string, sc *scratch.DB, out *outside) error {
	e := c.e
	var mu sync.Mutex
	var seen []state.JobSeen
	var noteErr error
	note := func(s state.JobSeen, force bool) {
		mu.Lock()
		defer mu.Unlock()
		if s.Name != "" {
			seen = append(seen, s)
		}
		if (force || len(seen) >= cancelPageSize) && len(seen) > 0 {
			if err := e.note(&state.Write{Jobs: seen}); err != nil && noteErr == nil {
				noteErr = err
			}
			seen = nil
		}
	}
	var after int64
	for !c.stopped() {
		page, err := sc.CancelPage(ctx, after, cancelPageSize)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].Key
		if ctx.Err() == nil {
			c.record(ctx, page)
		}
		var g errgroup.Group
		g.SetLimit(e.o.Parallel)
		for i := range page {
			j := &page[i]
			r := CancelResult{JobStatus: executor.JobStatus{Plan: planOf(j.Name), Job: j.Job, Name: j.Name, Bucket: j.Bucket,
				Region: j.Region, Type: j.Type, JobID: j.JobID, State: j.State, Code: j.Code, Message: j.Message},
				Duplicates: max(j.Dups, 1), Outside: j.Mark == scratch.CancelOutside}
			if !j.Describe && (ciapi.Terminal(r.State) || r.State == executor.StateNotFound || ctx.Err() != nil) {
				c.finish(ctx, &r)
				continue
			}
			g.Go(func() error {
				if j.Describe {
					if err := e.describeJob(ctx, &r.JobStatus); err != nil {
						r.Outcome, r.Err = CancelError, err
						c.report(r)
						return nil
					}
					note(state.JobSeen{Plan: r.Plan, Name: r.Name, State: r.State}, false)
				}
				if c.cancelOne(ctx, &r) {
					note(state.JobSeen{Plan: r.Plan, Name: r.Name, State: r.State}, false)
				}
				c.report(r)
				return nil
			})
		}
		_ = g.Wait()
	}
	note(state.JobSeen{}, true)
	return noteErr
}

// finish reports r without a call: it is finished, or ctx is done.
func (c *canceller) finish(ctx context.Context, r *CancelResult) {
	if ciapi.Terminal(r.State) || r.State == executor.StateNotFound {
		r.Outcome = CancelFinished
	} else {
		r.Outcome, r.Err = CancelError, ctx.Err()
	}
	c.report(*r)
}

// cancelOne cancels r's job unless it is finished, and fills in the outcome; it reports
// whether it made a call (and so learnt a state to write).
func (c *canceller) cancelOne(ctx context.Context, r *CancelResult) bool {
	e := c.e
	if ciapi.Terminal(r.State) || r.State == executor.StateNotFound {
		r.Outcome = CancelFinished
		return false
	}
	if ctx.Err() != nil {
		r.Outcome, r.Err = CancelError, ctx.Err()
		return false
	}
	err := e.api.Cancel(ctx, r.Bucket, r.Region, r.JobID)
	if err == nil {
		r.Outcome, r.State = CancelDone, ciapi.StateCancel
	} else if d, derr := e.describeOne(ctx, r.Bucket, r.Region, r.JobID); derr == nil && ciapi.Terminal(d.State) {
		// It finished between the sweep and the cancel.
		r.Outcome, r.State = CancelFinished, d.State
	} else {
		r.Outcome, r.Err = CancelError, err
	}
	return true
}

// describeJob refreshes j with one describe call.
func (e *engine) describeJob(ctx context.Context, j *executor.JobStatus) error {
	resp, err := e.api.Describe(ctx, j.Bucket, j.Region, j.JobID)
	switch {
	case errors.Is(err, ciapi.ErrNotFound) || (err == nil && (resp == nil || resp.JobsDetail == nil)):
		j.State = executor.StateNotFound
	case err != nil:
		return fmt.Errorf("describe job %s: %w", j.JobID, err)
	default:
		j.State, j.Code, j.Message = resp.JobsDetail.State, resp.JobsDetail.Code, resp.JobsDetail.Message
	}
	return nil
}

// note queues w for the state; a store opened read-only (cancel beside a run that holds the
// state) is left as it is.
func (e *engine) note(w *state.Write) error {
	if err := e.store.Send(w); err != nil && !errors.Is(err, state.ErrReadOnly) {
		return err
	}
	return nil
}

// describeOne returns the current detail of one job.
func (e *engine) describeOne(ctx context.Context, bucket, region, id string) (*ciapi.JobDetail, error) {
	resp, err := e.api.Describe(ctx, bucket, region, id)
	if err != nil {
		return nil, err
	}
	if resp == nil || resp.JobsDetail == nil {
		return nil, fmt.Errorf("describe job %s: %w", id, ciapi.ErrNotFound)
	}
	return resp.JobsDetail, nil
}
