package objects

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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
	"github.com/planrun/planrun/plan/request"
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

// take returns the arrival times since the last take and forgets them.
func (a *arrivalLog) take() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	at := a.at
	a.at = nil
	return at
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
// --qps 20 never start more than 20 calls a second after a burst, as the server sees them.
//
// Counted from each operation's start (testenv.CheckPaced): the k-th call reaches the
// server no sooner than (k-burst)/20 s after it, however slow the machine; counts within
// any one second of arrival times were not (a stall bunches the calls released before it
// with those released after).
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
	burst := min(opts.Parallel, qps)
	limit := qps + burst // a second's worth
	var start time.Time
	check := func(name string, least int) {
		t.Helper()
		at := log.take()
		t.Logf("%s: %d calls in %v", name, len(at), time.Since(start).Round(time.Millisecond))
		if len(at) < least || len(at) <= limit {
			t.Errorf("%s sent %d calls, want at least %d (more than a second's worth)", name, len(at), max(least, limit+1))
		}
		testenv.CheckPaced(t, name, start, at, qps, burst)
	}

	start = time.Now()
	if _, err := follow.Refresh(ctx, client, store, plans, opts); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	check("refresh", buckets)

	var jobs []executor.BatchJob
	for _, j := range emu.Jobs() {
		jobs = append(jobs, executor.BatchJob{Key: request.Key{Plan: "spread", Name: j.Name, Bucket: j.Bucket,
			Region: testRegion, Type: ciapi.TypeWorkflow, Workflow: resWorkflow}, ID: j.ID})
	}
	start = time.Now()
	if _, err := Results(ctx, client, jobs, opts, func(executor.ObjectResult) error { return nil }); err != nil {
		t.Fatalf("results: %v", err)
	}
	check("results", buckets)

	// One layer shared by a refresh and a results listing at once: one budget for both,
	// and its counts are every call the server saw.
	start = time.Now()
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
	start = time.Now()
	res, err := follow.Cancel(ctx, counted, store, plans, opts)
	if err != nil || len(res) != buckets {
		t.Fatalf("cancel: %v (%d results)", err, len(res))
	}
	if sent, total := counted.Sent(), log.count(); sent != int64(total) || counted.InFlight() != 0 {
		t.Errorf("CountCalls saw %d calls (%d in flight), the server %d", sent, counted.InFlight(), total)
	}
	check("cancel", 2*buckets)
}
