package objects

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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
)

// arrivalLog records when each request reached the server.
type arrivalLog struct {
	mu sync.Mutex
	at []time.Time
}

func (a *arrivalLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.at = append(a.at, time.Now())
		a.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// count returns how many requests arrived since the last take.
func (a *arrivalLog) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.at)
}

// take returns how many requests arrived and the most of them within any one second,
// and forgets them.
func (a *arrivalLog) take() (total, peak int) {
	a.mu.Lock()
	at := a.at
	a.at = nil
	a.mu.Unlock()
	slices.SortFunc(at, func(x, y time.Time) int { return x.Compare(y) })
	j := 0
	for i := range at {
		for at[i].Sub(at[j]) >= time.Second {
			j++
		}
		peak = max(peak, i-j+1)
	}
	return len(at), peak
}

// spreadPlan is a plan of one single-object request in each of n buckets, so that every
// operation on it makes calls per bucket.
func spreadPlan(t *testing.T, n int) *plan.Plan {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: spread\ndefaults:\n  region: %s\n  workflow: %s\njobs:\n", testRegion, resWorkflow)
	for i := range n {
		fmt.Fprintf(&b, "  - name: j%d\n    bucket: b%d-1250000000\n    object: input/a.mp4\n", i, i)
	}
	p, err := plan.Parse("spread.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// --qps bounds every operation, not only run: status --refresh, results and cancel at
// --qps 20 never start more than 20 + burst calls in any one second, as the server counts
// them (the bound holds however slow the machine: a late call only lowers the count).
func TestQPSBoundsRefreshResultsAndCancel(t *testing.T) {
	const buckets, qps = 36, 20
	emu := emulator.New(emulator.Options{SubmittedFor: time.Hour})
	log := &arrivalLog{}
	srv := httptest.NewServer(log.wrap(emu))
	t.Cleanup(srv.Close)
	client := testenv.Client(t, srv.URL)
	ctx := background(t)
	store := openStore(t, "")
	plans := []*plan.Plan{spreadPlan(t, buckets)}
	if sum, err := executor.Run(ctx, client, store, plans, quick()); err != nil || sum.Total.Triggered != buckets {
		t.Fatalf("run: %v (%+v)", err, sum.Total)
	}
	log.take()

	opts := quick()
	opts.Parallel, opts.QPS = 8, qps
	limit := qps + min(opts.Parallel, qps) // the rate plus the burst
	check := func(name string, least int) {
		t.Helper()
		total, peak := log.take()
		t.Logf("%s: %d calls, at most %d within one second (limit %d)", name, total, peak, limit)
		if total < least || total <= limit {
			t.Errorf("%s sent %d calls, want at least %d (more than a second's worth)", name, total, max(least, limit+1))
		}
		if peak > limit {
			t.Errorf("%s at --qps %d: %d calls arrived within one second, more than %d", name, qps, peak, limit)
		}
	}

	if _, err := follow.Refresh(ctx, client, store, plans, opts); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	check("refresh", buckets)

	var jobs []executor.BatchJob
	for _, j := range emu.Jobs() {
		jobs = append(jobs, executor.BatchJob{Plan: "spread", Name: j.Name, Bucket: j.Bucket, Region: testRegion, ID: j.ID,
			Type: ciapi.TypeWorkflow, Workflows: []string{resWorkflow}})
	}
	if _, err := Results(ctx, client, jobs, opts, func(executor.ObjectResult) error { return nil }); err != nil {
		t.Fatalf("results: %v", err)
	}
	check("results", buckets)

	// One layer shared by a refresh and a results listing at once: one budget for both,
	// and its counts are every call the server saw.
	shared := executor.NewLayer(client, opts)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := follow.Refresh(ctx, shared, store, plans, opts); err != nil {
			t.Errorf("shared refresh: %v", err)
		}
	})
	wg.Go(func() {
		if _, err := Results(ctx, shared, jobs, opts, func(executor.ObjectResult) error { return nil }); err != nil {
			t.Errorf("shared results: %v", err)
		}
	})
	wg.Wait()
	if sent, total := shared.Counts().Sent(), log.count(); sent != int64(total) {
		t.Errorf("the shared layer counted %d calls, the server saw %d", sent, total)
	}
	check("refresh beside results", 3*buckets)

	counted := executor.CountCalls(client) // as the progress line counts: every call, cancels too
	res, err := follow.Cancel(ctx, counted, store, plans, opts)
	if err != nil || len(res) != buckets {
		t.Fatalf("cancel: %v (%d results)", err, len(res))
	}
	if sent, total := counted.Sent(), log.count(); sent != int64(total) || counted.InFlight() != 0 {
		t.Errorf("CountCalls saw %d calls (%d in flight), the server %d", sent, counted.InFlight(), total)
	}
	check("cancel", 2*buckets)
}
