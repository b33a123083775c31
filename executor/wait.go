package executor

import (
	"context"
	"fmt"
	"iter"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// WaitSummary is the state of the jobs of some plans after Wait or Refresh.
type WaitSummary struct {
	// States counts the jobs per last known state.
	States map[string]int
	// Unfinished is how many jobs are not in a final state.
	Unfinished int
	// Failed lists, in plan order, the jobs that ended Failed or Cancel (or vanished), with
	// Code/Message: at most MaxKeptFailures of them (States counts them all). The summaries
	// that Options.OnWaitRound sees carry the counts only.
	Failed []JobStatus

	// jobs streams every followed job in plan order (see Jobs).
	jobs func(ctx context.Context) iter.Seq2[*JobStatus, error]
	// lookup returns the job of one request (see Job).
	lookup func(ctx context.Context, plan, name string) (*JobStatus, bool, error)
}

// NewWaitSummary summarizes jobs held in memory, as Wait would have followed them.
func NewWaitSummary(jobs []JobStatus) *WaitSummary {
	ws := &WaitSummary{States: map[string]int{}}
	byName := map[[2]string]*JobStatus{}
	for i := range jobs {
		ws.count(&jobs[i])
		byName[[2]string{jobs[i].Plan, jobs[i].Name}] = &jobs[i]
	}
	ws.jobs = func(context.Context) iter.Seq2[*JobStatus, error] {
		return func(yield func(*JobStatus, error) bool) {
			for i := range jobs {
				if !yield(&jobs[i], nil) {
					return
				}
			}
		}
	}
	ws.lookup = func(_ context.Context, plan, name string) (*JobStatus, bool, error) {
		j, ok := byName[[2]string{plan, name}]
		return j, ok, nil
	}
	return ws
}

// count adds j to the counts (and to Failed, up to MaxKeptFailures).
func (ws *WaitSummary) count(j *JobStatus) {
	ws.States[j.State]++
	if !j.Final() {
		ws.Unfinished++
	} else if j.State != ciapi.StateSuccess && len(ws.Failed) < MaxKeptFailures {
		ws.Failed = append(ws.Failed, *j)
	}
}

// FailedCount is how many jobs ended Failed or Cancel, or vanished (Failed keeps at most
// MaxKeptFailures of them).
func (ws *WaitSummary) FailedCount() int {
	return ws.States[ciapi.StateFailed] + ws.States[ciapi.StateCancel] + ws.States[StateNotFound]
}

// Jobs streams every followed job with its last known state, in plan order, read again
// from the state file (nothing of it is held in memory). It yields nothing for a summary
// of a round.
func (ws *WaitSummary) Jobs(ctx context.Context) iter.Seq2[*JobStatus, error] {
	if ws == nil || ws.jobs == nil {
		return func(func(*JobStatus, error) bool) {}
	}
	return ws.jobs(ctx)
}

// Job returns the last known state of the job of request name of plan, read from the
// state file; ok is false when the summary does not follow it.
func (ws *WaitSummary) Job(ctx context.Context, plan, name string) (*JobStatus, bool, error) {
	if ws == nil || ws.lookup == nil {
		return nil, false, nil
	}
	return ws.lookup(ctx, plan, name)
}

// summarize reads the final summary of t back from the state: counts and the first
// failures in plan order; Jobs and Job read the state again.
func (t *tracker) summarize(ctx context.Context) (*WaitSummary, error) {
	e, plans := t.e, t.plans
	ws := t.lazy()
	for j, err := range e.jobs(ctx, plans) {
		if err != nil {
			return t.round(), err
		}
		ws.count(j)
	}
	return ws, nil
}

// lazy is a summary of t with no counts whose Jobs and Job read the state when called.
func (t *tracker) lazy() *WaitSummary {
	e, plans := t.e, t.plans
	ws := &WaitSummary{States: map[string]int{}}
	ws.jobs = func(ctx context.Context) iter.Seq2[*JobStatus, error] { return e.jobs(ctx, plans) }
	ws.lookup = func(ctx context.Context, planName, name string) (*JobStatus, bool, error) {
		row, ok, err := e.store.Lookup(ctx, planName, name)
		if err != nil || !ok || row.JobID == "" || !e.covers(plans, &row) {
			return nil, false, err
		}
		return statusOf(&row), true, nil
	}
	return ws
}

// round is the summary of a round: the counts.
func (t *tracker) round() *WaitSummary {
	ws := &WaitSummary{States: make(map[string]int, len(t.states)), Unfinished: t.unfinished}
	for k, v := range t.states {
		ws.States[k] = v
	}
	return ws
}

// covers reports whether the request of row belongs to one of plans and is kept by the
// Filter.
func (e *engine) covers(plans []*plan.Plan, row *Record) bool {
	for _, p := range plans {
		if p.Name == row.Plan {
			return e.o.Filter == nil || e.o.Filter(&plan.Request{Plan: row.Plan, Job: row.Job, Name: row.Name,
				Seq: row.Seq, Bucket: row.Bucket, Region: row.Region, Type: string(row.Type)})
		}
	}
	return false
}

// Refresh updates, once, the state of every job of plans that the state file knows and
// that is not finished, and returns what is known.
func Refresh(ctx context.Context, api API, store *state.Store, plans []*plan.Plan, opts Options) (*WaitSummary, error) {
	e := newEngine(api, store, opts)
	t, err := e.track(ctx, plans)
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	defer t.close()
	if err := e.refresh(ctx, t); err != nil {
		return t.round(), fmt.Errorf("refresh: %w", err)
	}
	return t.finish(ctx)
}

// finish flushes the state and reads the summary of t back from it.
func (t *tracker) finish(ctx context.Context) (*WaitSummary, error) {
	if err := t.e.store.Flush(ctx); err != nil {
		return t.round(), err
	}
	return t.summarize(ctx)
}

// Wait follows every job of plans that the state file knows (triggered or found) until it
// is Success, Failed or Cancel, polling every opts.PollInterval. Each round costs about one
// list call per 100 unfinished jobs (see refresh). When ctx ends it returns what is known
// with an error matching ctx.Err().
func Wait(ctx context.Context, api API, store *state.Store, plans []*plan.Plan, opts Options) (*WaitSummary, error) {
	e := newEngine(api, store, opts)
	t, err := e.track(ctx, plans)
	if err != nil {
		return nil, fmt.Errorf("wait: %w", err)
	}
	defer t.close()
	for {
		if err := e.refresh(ctx, t); err != nil {
			return t.final(ctx), fmt.Errorf("wait: %w", err)
		}
		ws := t.round()
		if e.o.OnWaitRound != nil {
			e.o.OnWaitRound(ws)
		}
		if ws.Unfinished == 0 {
			return t.finish(ctx)
		}
		if err := e.pause(ctx, e.o.PollInterval); err != nil {
			return t.final(ctx), fmt.Errorf("wait: %w", err)
		}
	}
}

// final is the summary of a wait that ends with an error (interrupted, a failed call):
// read back from the state when it can be (the reports list every job's state), else the
// counts. An interrupted wait does not read the state back: that walks every request of
// the plans (seconds at a million), and Ctrl-C must end the wait at once. Its summary has
// the counts, which the tracker keeps exact, and Jobs and Job, which read the state only
// when called (the reports); Failed is left empty.
func (t *tracker) final(ctx context.Context) *WaitSummary {
	interrupted := ctx.Err() != nil
	ctx = context.WithoutCancel(ctx)
	if err := t.e.store.Flush(ctx); err != nil {
		return t.round()
	}
	if interrupted {
		ws := t.round()
		full := t.lazy()
		ws.jobs, ws.lookup = full.jobs, full.lookup
		return ws
	}
	ws, err := t.summarize(ctx)
	if err != nil {
		return t.round()
	}
	return ws
}
