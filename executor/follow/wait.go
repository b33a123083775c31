package follow

import (
	"context"
	"fmt"
	"iter"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// summarize reads the final summary of t back from the state: counts and the first
// failures in plan order; Jobs and Job read the state again.
func (t *tracker) summarize(ctx context.Context) (*executor.WaitSummary, error) {
	e, plans := t.e, t.plans
	ws := t.lazy()
	for j, err := range e.jobs(ctx, plans) {
		if err != nil {
			return t.round(), err
		}
		ws.Count(j)
	}
	return ws, nil
}

// lazy is a summary of t with no counts whose Jobs and Job read the state when called.
func (t *tracker) lazy() *executor.WaitSummary {
	e, plans := t.e, t.plans
	return executor.NewLazyWaitSummary(
		func(ctx context.Context) iter.Seq2[*executor.JobStatus, error] { return e.jobs(ctx, plans) },
		func(ctx context.Context, planName, name string) (*executor.JobStatus, bool, error) {
			row, ok, err := e.store.Lookup(ctx, planName, name)
			if err != nil || !ok || row.JobID == "" || !e.covers(plans, &row) {
				return nil, false, err
			}
			return statusOf(&row), true, nil
		})
}

// round is the summary of a round: the counts.
func (t *tracker) round() *executor.WaitSummary {
	ws := &executor.WaitSummary{States: make(map[string]int, len(t.states)), Unfinished: t.unfinished}
	for k, v := range t.states {
		ws.States[k] = v
	}
	return ws
}

// covers reports whether the request of row belongs to one of plans and is kept by the
// Filter.
func (e *engine) covers(plans []*plan.Plan, row *executor.Record) bool {
	for _, p := range plans {
		if p.Name == row.Plan {
			return e.o.Filter == nil || e.o.Filter(&plan.Request{Key: row.Key})
		}
	}
	return false
}

// Refresh updates, once, the state of every job of plans that the state file knows and
// that is not finished, and returns what is known.
func Refresh(ctx context.Context, api executor.API, store *state.Store, plans []*plan.Plan, opts executor.Options) (*executor.WaitSummary, error) {
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
func (t *tracker) finish(ctx context.Context) (*executor.WaitSummary, error) {
	if err := t.e.store.Flush(ctx); err != nil {
		return t.round(), err
	}
	return t.summarize(ctx)
}

// Wait follows every job of plans that the state file knows (triggered or found) until it
// is Success, Failed or Cancel, polling every opts.PollInterval. Each round costs about one
// list call per 100 unfinished jobs (see refresh). When ctx ends it returns what is known
// with an error matching ctx.Err().
func Wait(ctx context.Context, api executor.API, store *state.Store, plans []*plan.Plan, opts executor.Options) (*executor.WaitSummary, error) {
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
func (t *tracker) final(ctx context.Context) *executor.WaitSummary {
	interrupted := ctx.Err() != nil
	ctx = context.WithoutCancel(ctx)
	if err := t.e.store.Flush(ctx); err != nil {
		return t.round()
	}
	if interrupted {
		ws, full := t.round(), t.lazy()
		full.States, full.Unfinished = ws.States, ws.Unfinished
		return full
	}
	ws, err := t.summarize(ctx)
	if err != nil {
		return t.round()
	}
	return ws
}

// NewWaitSummary summarizes jobs held in memory, as Wait would have followed them.
func NewWaitSummary(jobs []executor.JobStatus) *executor.WaitSummary {
	byName := map[[2]string]*executor.JobStatus{}
	for i := range jobs {
		byName[[2]string{jobs[i].Plan, jobs[i].Name}] = &jobs[i]
	}
	ws := executor.NewLazyWaitSummary(func(context.Context) iter.Seq2[*executor.JobStatus, error] {
		return func(yield func(*executor.JobStatus, error) bool) {
			for i := range jobs {
				if !yield(&jobs[i], nil) {
					return
				}
			}
		}
	}, func(_ context.Context, plan, name string) (*executor.JobStatus, bool, error) {
		j, ok := byName[[2]string{plan, name}]
		return j, ok, nil
	})
	for i := range jobs {
		ws.Count(&jobs[i])
	}
	return ws
}
