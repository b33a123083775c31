package executor

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// Rerun says which ends of a batch job run --rerun sends again, as a new attempt.
type Rerun struct {
	Failed    bool // the batch job ended Failed
	Cancelled bool // the batch job ended Cancel (planrun cancel, the console, the service)
	// Spare, when set, leaves alone a batch job that ended Cancel for which it reports true
	// (the --max-attempts loop: a cancel of planrun cancel stands, see
	// state.Store.UserCancelled).
	Spare func(ctx context.Context, jobID string) (bool, error)
}

// RerunStates are the words of run --rerun, in the order usage names them.
var RerunStates = []string{"failed", "cancelled"}

// ParseRerun reads a comma-separated list of RerunStates ("failed", "cancelled" or
// both); ok is false for anything else, or for an empty list.
func ParseRerun(v string) (Rerun, bool) {
	var r Rerun
	for _, w := range strings.Split(v, ",") {
		switch strings.TrimSpace(w) {
		case "failed":
			r.Failed = true
		case "cancelled":
			r.Cancelled = true
		default:
			return Rerun{}, false
		}
	}
	return r, true
}

// Any reports whether some state is selected.
func (r Rerun) Any() bool { return r.Failed || r.Cancelled }

// Selects reports whether a batch job in jobState is sent again.
func (r Rerun) Selects(jobState string) bool {
	return r.Failed && jobState == ciapi.StateFailed || r.Cancelled && jobState == ciapi.StateCancel
}

// Reruns returns, for each of plans, the plan a run --rerun sends (plan.WithRequests):
// each request the Filter keeps is replaced by one of its attempts (plan.AttemptRequest).
// The latest attempt of a request is the highest one the state records at its position
// or the service holds by Name; when its batch job ended in a state sel selects, the
// request becomes attempt latest+1, which a run sends like any request (recorded before
// sending, reconciled by Name, exactly once); otherwise it stays the latest attempt, which
// a run skips when its batch job exists, or resolves as run always does (sent, or
// reconciled when an earlier run left it "sending"). A request with no attempt known is
// itself. The attempt number is derived, never counted: running it again while attempt
// N+1 runs or succeeded sends nothing.
//
// With api, every bucket of the plans' requests is listed (once per job type, since the
// plan first ran when the state knows it), which tells the latest attempts on the service
// and their current states; without, the state alone tells (a dry run without
// --refresh). With write, the states seen are recorded in store as a refresh records them;
// store may be nil (no state file).
func Reruns(ctx context.Context, api API, store *state.Store, plans []*plan.Plan, sel Rerun, write bool, opts Options) (*RerunSet, error) {
	var e *engine
	if api != nil {
		e = newEngine(api, store, opts)
	}
	o := opts.withDefaults()
	set := &RerunSet{Plans: make([]*plan.Plan, 0, len(plans))}
	for _, p := range plans {
		attempts, again, err := rerunPlan(ctx, e, store, p, plans, sel, write, &o)
		if err != nil {
			return nil, fmt.Errorf("rerun plan %s: %w", p.Name, err)
		}
		set.Again += again
		set.Plans = append(set.Plans, plan.WithRequests(p, func(yield func(plan.Request) bool) {
			for r := range p.Requests() {
				if a := attempts[r.Seq]; a > 1 {
					r = plan.AttemptRequest(&r, a)
				}
				if !yield(r) {
					return
				}
			}
		}))
	}
	return set, nil
}

// RerunSet is what run --rerun sends.
type RerunSet struct {
	// Plans are the plans with each request replaced by its attempt (see Reruns).
	Plans []*plan.Plan
	// Again is how many requests become a new attempt, to be sent again.
	Again int
}

// CheckLimit returns a *LimitError when more than max requests would be sent again. max
// <= 0 means no limit.
func (s *RerunSet) CheckLimit(max int) error {
	if max > 0 && s.Again > max {
		return &LimitError{Requests: s.Again, Max: max, Rerun: true}
	}
	return nil
}

// rerunPlan decides the attempt of each request of p that o keeps: the map holds those
// other than 1, by position.
func rerunPlan(ctx context.Context, e *engine, store *state.Store, p *plan.Plan, plans []*plan.Plan,
	sel Rerun, write bool, o *Options) (attempts map[int]int, again int, err error) {
	var found foundJobs
	defer found.close()
	if e != nil {
		if err := rerunSweep(ctx, e, store, p, plans, &found, o); err != nil {
			return nil, 0, err
		}
	}
	if err := found.seal(ctx); err != nil {
		return nil, 0, err
	}
	rows := stateAt(ctx, store, p.Name)
	defer rows.stop()
	attempts = map[int]int{}
	var w state.Write
	for r := range o.requests(p) {
		at, err := rows.at(r.Seq)
		if err != nil {
			return nil, 0, err
		}
		latest, row := 0, (*Record)(nil)
		for i := range at {
			if base, k := request.SplitAttempt(at[i].Name); base == r.Name && k > latest {
				latest, row = k, &at[i]
			}
		}
		var ex existing
		onService := false
		for k := 1; ; k++ {
			j, ok, err := found.lookup(ctx, plan.AttemptName(r.Name, k))
			if err != nil {
				return nil, 0, err
			}
			if ok && k >= latest {
				latest, ex, onService = k, j, true
			} else if !ok && k > max(latest, 1) {
				break
			}
		}
		if row != nil && plan.AttemptName(r.Name, latest) != row.Name {
			row = nil // the service knows a later attempt than the state
		}
		jobState, jobID := "", ""
		switch {
		case onService:
			jobState, jobID = ex.state, ex.id
			if row != nil && (!row.Done() || row.JobState != ex.state) {
				// What the service shows is recorded, as a refresh records it (a row an
				// earlier run left "sending" whose job was made is found).
				seen := *row
				if !seen.Done() {
					seen.Status = request.Skipped
				}
				seen.JobID, seen.JobState, seen.JobCreated = ex.id, ex.state, ex.created
				if ex.state == ciapi.StateFailed {
					seen.ErrorCode, seen.ErrorMessage = ex.code, ex.message
				}
				w.Records = append(w.Records, seen)
			}
		case row != nil && row.Done():
			jobState, jobID = row.JobState, row.JobID
		}
		selected := latest > 0 && sel.Selects(jobState)
		if selected && jobState == ciapi.StateCancel && sel.Spare != nil {
			spare, err := sel.Spare(ctx, jobID)
			if err != nil {
				return nil, 0, err
			}
			selected = !spare // the latest attempt stays
		}
		next := max(latest, 1)
		switch {
		case selected:
			next, again = latest+1, again+1
		case next > 1 && jobState == "":
			again++ // an attempt an earlier run left unsent (or unanswered): sent unless found
		}
		if next > 1 {
			attempts[r.Seq] = next
		}
		if write && len(w.Records) >= 1000 {
			if err := store.Send(&w); err != nil {
				return nil, 0, err
			}
			w = state.Write{}
		}
	}
	if write && store != nil && len(w.Records) > 0 {
		if err := store.Sync(ctx, &w); err != nil {
			return nil, 0, fmt.Errorf("record job states: %w", err)
		}
	} else if write && store != nil {
		if err := store.Flush(ctx); err != nil {
			return nil, 0, err
		}
	}
	return attempts, again, nil
}

// rerunSweep lists the buckets of p's kept requests, each job type once, and keeps in
// found the jobs whose Name is a request's of p or one of its attempts. The list starts
// an hour before the plan's first run when the state knows it (every attempt is made
// after it), else at the beginning.
func rerunSweep(ctx context.Context, e *engine, store *state.Store, p *plan.Plan, plans []*plan.Plan, found *foundJobs, o *Options) error {
	names := plan.NewNameSet(p)
	where := map[bucketKey]map[string]bool{}
	n := 0
	for r := range o.requests(p) {
		k := bucketKey{r.Bucket, r.Region}
		if where[k] == nil {
			where[k] = map[string]bool{}
		}
		where[k][r.Type] = true
		n++
	}
	found.expect = n
	var since time.Time
	if store != nil {
		first, known, err := store.FirstRun(ctx, p.Name, p.Generation)
		if err != nil {
			return err
		}
		if known {
			since = first.Add(-sweepSlack)
		}
	}
	return e.sweepPlanJobs(ctx, p, plans, where, since, func(_ bucketKey, d *ciapi.JobDetail) error {
		if names.Has(d.Name) {
			return found.add(ctx, d)
		}
		return nil
	})
}

// positions walks the state's rows of one plan in position order beside its requests.
type positions struct {
	next  func() (Record, error, bool)
	stop  func()
	ahead *Record
	done  bool
	here  []Record
}

// stateAt starts a walk of the rows of plan planName (none when store is nil).
func stateAt(ctx context.Context, store *state.Store, planName string) *positions {
	if store == nil {
		return &positions{done: true, stop: func() {}}
	}
	next, stop := iter.Pull2(store.Records(ctx, planName))
	return &positions{next: next, stop: stop}
}

// at returns the rows at position seq; positions must be asked in increasing order.
func (w *positions) at(seq int) ([]Record, error) {
	w.here = w.here[:0]
	for {
		if w.ahead == nil {
			if w.done {
				return w.here, nil
			}
			r, err, ok := w.next()
			if !ok {
				w.done = true
				return w.here, nil
			}
			if err != nil {
				return nil, err
			}
			w.ahead = &r
		}
		switch {
		case w.ahead.Seq < seq:
			w.ahead = nil
		case w.ahead.Seq == seq:
			w.here, w.ahead = append(w.here, *w.ahead), nil
		default:
			return w.here, nil
		}
	}
}
