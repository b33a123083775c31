package executor

import (
	"context"
	"fmt"

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
	// Failed lists the jobs that ended Failed or Cancel (or vanished), with Code/Message.
	Failed []JobStatus
	// Jobs lists every followed job with its last known state, in plan order.
	Jobs []JobStatus
}

// summarize counts the jobs of t.
func (t *tracker) summarize() *WaitSummary {
	ws := &WaitSummary{States: map[string]int{}}
	for _, j := range t.jobs {
		ws.States[j.State]++
		ws.Jobs = append(ws.Jobs, *j)
		if !j.Final() {
			ws.Unfinished++
		} else if j.State != ciapi.StateSuccess {
			ws.Failed = append(ws.Failed, *j)
		}
	}
	return ws
}

// Refresh updates, once, the state of every job of plans that the state file knows and
// that is not finished, and returns what is known.
func Refresh(ctx context.Context, api API, store *state.Store, plans []*plan.Plan, opts Options) (*WaitSummary, error) {
	e := newEngine(api, store, opts)
	t, err := e.track(ctx, plans)
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	if err := e.refresh(ctx, t); err != nil {
		return t.summarize(), fmt.Errorf("refresh: %w", err)
	}
	return t.summarize(), store.Flush(ctx)
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
	for {
		if err := e.refresh(ctx, t); err != nil {
			return t.summarize(), fmt.Errorf("wait: %w", err)
		}
		ws := t.summarize()
		if e.o.OnWaitRound != nil {
			e.o.OnWaitRound(ws)
		}
		if ws.Unfinished == 0 {
			return ws, store.Flush(ctx)
		}
		if err := e.pause(ctx, e.o.PollInterval); err != nil {
			return ws, fmt.Errorf("wait: %w", err)
		}
	}
}
