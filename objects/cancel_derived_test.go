package objects

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/executor/follow"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// manualClock is an emulator clock that moves only when told.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// retriedPlan runs p on an emulator whose objects fail half the time, lets its batch jobs
// end, and runs planrun retry's batch jobs: they are left running (Submitted). It returns
// the Names of the retry batch jobs.
func retriedPlan(t *testing.T, p *plan.Plan) (*emulator.Running, *ciapi.Client, *state.Store, map[string]bool) {
	t.Helper()
	clock := &manualClock{t: time.Now()}
	emu, client := testenv.Start(t, emulator.Options{Clock: clock.now, SubmittedFor: time.Hour, MaxSkew: 48 * time.Hour,
		Objects: emulator.ObjectOptions{PerPrefix: 40000, FailRate: 0.5}})
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	clock.advance(2 * time.Hour) // every batch job of the plan ends
	jobs, _, err := ResultBatchJobs(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("results: %v", err)
	}
	set, err := Retries(background(t), client, store, []*plan.Plan{p}, jobs, DefaultMaxAttempts, quick())
	if err != nil || len(set.Retry) == 0 {
		t.Fatalf("retries: %d to retry, %v: the test needs failed objects", len(set.Retry), err)
	}
	sum, err := executor.Run(background(t), client, store, set.Plans, quick())
	if err != nil || sum.Total.Triggered != len(set.Retry) {
		t.Fatalf("retry run: %+v, %v", sum.Total, err)
	}
	retries := map[string]bool{}
	for _, j := range emu.Server.Jobs() {
		if strings.Contains(j.Name, "-retry2-") {
			if ciapi.Terminal(j.State) {
				t.Fatalf("retry job %s is %s before the cancel", j.Name, j.State)
			}
			retries[j.Name] = true
		}
	}
	if len(retries) != len(set.Retry) {
		t.Fatalf("%d retry batch jobs on the emulator, want %d", len(retries), len(set.Retry))
	}
	return emu, client, store, retries
}

// checkRetriesCancelled fails unless every retry batch job is cancelled on the service and
// reported so (under the plan that records retries).
func checkRetriesCancelled(t *testing.T, emu *emulator.Running, results []follow.CancelResult, retries map[string]bool, planName string) {
	t.Helper()
	for _, j := range emu.Server.Jobs() {
		if retries[j.Name] && j.State != ciapi.StateCancel {
			t.Errorf("retry batch job %s is %s after cancel, want follow.Cancel", j.Name, j.State)
		}
	}
	reported := 0
	for _, r := range results {
		if retries[r.Name] {
			reported++
			if r.Outcome != follow.CancelDone || r.Plan != plan.RetryPlan(planName) || r.Job == "" {
				t.Errorf("%s: outcome %q, plan %q, job %q", r.Name, r.Outcome, r.Plan, r.Job)
			}
		}
	}
	if reported != len(retries) {
		t.Errorf("%d retry batch jobs reported, want %d", reported, len(retries))
	}
}

// hiddenRetries is a real client whose list pages leave out the retry batch jobs (a list
// that lags behind, or a sweep bound that misses them).
type hiddenRetries struct{ *ciapi.Client }

func (h hiddenRetries) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	page, err := h.Client.List(ctx, bucket, region, opts)
	if page != nil {
		kept := page.JobsDetail[:0]
		for _, j := range page.JobsDetail {
			if !strings.Contains(j.Name, "-retry") {
				kept = append(kept, j)
			}
		}
		page.JobsDetail = kept
	}
	return page, err
}

// cancel reaches the batch jobs planrun retry made for the plan, from the machine that ran
// them (its state knows them, even those the list does not show) and from a fresh one
// (their Names say whose they are); the state records them cancelled, so a wait no longer
// follows them.
func TestCancelReachesRetryBatchJobs(t *testing.T) {
	for _, tc := range []struct {
		name          string
		fresh, hidden bool
	}{{"same machine", false, false}, {"fresh machine", true, false}, {"same machine, list misses them", false, true}} {
		p := testenv.Hourly("retried", 6, 1).Parse(t)
		emu, client, store, retries := retriedPlan(t, p)
		if tc.fresh {
			store = openStore(t, "")
		}
		var api executor.API = client
		if tc.hidden {
			api = hiddenRetries{client}
		}
		fresh := tc.fresh
		results, err := follow.Cancel(background(t), api, store, []*plan.Plan{p}, quick())
		if err != nil {
			t.Fatalf("%s: cancel: %v", tc.name, err)
		}
		checkRetriesCancelled(t, emu, results, retries, p.Name)
		if fresh {
			continue
		}
		for rec, err := range store.Records(background(t), plan.RetryPlan(p.Name)) {
			if err != nil {
				t.Fatal(err)
			}
			if rec.JobState != ciapi.StateCancel {
				t.Errorf("state: retry %s recorded %q, want follow.Cancel", rec.Name, rec.JobState)
			}
		}
	}
}

// cancel --all-generations reaches the retry batch jobs of an earlier generation of the
// plan (which cancel of the new generation's requests alone does not name).
func TestCancelAllGenerationsReachesRetryBatchJobs(t *testing.T) {
	p1 := testenv.Hourly("retriedgen", 6, 1).Parse(t)
	emu, client, _, retries := retriedPlan(t, p1)
	p2 := testenv.Hourly("retriedgen", 6, 2).Parse(t)
	opts := quick()
	opts.AllGenerations = true
	results, err := follow.Cancel(background(t), client, openStore(t, ""), []*plan.Plan{p2}, opts) // from a fresh machine
	if err != nil {
		t.Fatalf("cancel --all-generations: %v", err)
	}
	checkRetriesCancelled(t, emu, results, retries, p2.Name)
}
