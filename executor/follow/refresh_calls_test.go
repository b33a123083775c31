package follow

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// TestRefreshCostsOneListCallPerHundredUnfinished checks the cost of --wait rounds: each
// round lists about one page per 100 jobs still unfinished, even when the jobs were all
// created within a second or two and most of them have finished since the last round.
func TestRefreshCostsOneListCallPerHundredUnfinished(t *testing.T) {
	const n, life = 300, 20 * time.Minute
	var frozen atomic.Int64 // unix nanoseconds; 0: the real clock
	clock := func() time.Time {
		if ns := frozen.Load(); ns != 0 {
			return time.Unix(0, ns)
		}
		return time.Now()
	}
	emu, client := testenv.Start(t, emulator.Options{Clock: clock, SubmittedFor: life / 2, RunningFor: life / 2})
	// 300 creates and three sweeps can take over the 20 s of background under -race on
	// a loaded machine: the test counts calls, not time.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	store := openStore(t, t.TempDir()+"/state.db")
	plans := []*plan.Plan{testenv.Hourly("calls", n, 1).Parse(t)}
	opts := quick()
	opts.Parallel = 32
	opts.Filter = func(r *plan.Request) bool { return r.Type == ciapi.TypeWorkflow } // the n hourly requests
	sum, err := executor.Run(ctx, client, store, plans, opts)
	if err != nil || sum.Total.Triggered != n {
		t.Fatalf("run: %v (triggered %d, want %d)", err, sum.Total.Triggered, n)
	}
	jobs := emu.Server.Jobs()
	if len(jobs) != n {
		t.Fatalf("emulator holds %d jobs, want %d", len(jobs), n)
	}
	rounds := []struct {
		finished int // jobs (in creation order) finished when the round runs
	}{{0}, {2 * n / 3}, {n}}
	unfinished := n
	for i, r := range rounds {
		if r.finished > 0 {
			// Frozen just after the last of them ended: the next job is still running.
			frozen.Store(jobs[r.finished-1].CreationTime.Add(life).UnixNano())
		}
		before := emu.Server.Stats()
		ws, err := Refresh(ctx, client, store, plans, opts)
		if err != nil {
			t.Fatalf("round %d: %v", i+1, err)
		}
		after := emu.Server.Stats()
		lists := after.Calls["list"] - before.Calls["list"]
		describes := after.Calls["describe"] - before.Calls["describe"]
		if limit := (unfinished + 99) / 100; lists > limit || describes != 0 {
			t.Errorf("round %d with %d unfinished jobs: %d list and %d describe calls, want at most %d list calls and no describe",
				i+1, unfinished, lists, describes, limit)
		}
		// Jobs created in the same instant as the last finished one have finished too.
		want := n
		if r.finished > 0 {
			end := jobs[r.finished-1].CreationTime.Add(life)
			want = 0
			for _, j := range jobs {
				if j.CreationTime.Add(life).After(end) {
					want++
				}
			}
		}
		if ws.Unfinished != want {
			t.Errorf("round %d: %d unfinished after, want %d", i+1, ws.Unfinished, want)
		}
		unfinished = ws.Unfinished
	}
	ws, err := Refresh(ctx, client, store, plans, opts)
	if err != nil || ws.States[ciapi.StateSuccess] != n {
		t.Fatalf("final states %v, %v; want %d Success", ws.States, err, n)
	}
}
