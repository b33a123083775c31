package executor

import (
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

func TestRunWithFaultsTriggersEachRequestExactlyOnce(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Seed: 7, Faults: emulator.Faults{
		ErrorRate: 0.1, ResetRate: 0.1, UncertainRate: 0.2, TooManyRate: 0.1, RetryAfter: "0",
	}})
	p := testenv.Hourly("faulty", 60, 1).Parse(t)
	store := openStore(t, "")
	opts := quick()
	opts.Retries = 12
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
	st := emu.Server.Stats()
	if st.Faults[emulator.FaultUncertain500]+st.Faults[emulator.FaultUncertainReset] == 0 || st.Faults[emulator.FaultReset] == 0 ||
		st.Faults[emulator.FaultTooMany] == 0 || st.Faults[emulator.FaultError] == 0 {
		t.Fatalf("faults not exercised: %v", st.Faults)
	}
	// Every request is triggered exactly once, or reported failed with its reason.
	got := jobNames(t, emu)
	if sum.Total.Triggered+sum.Total.Failed != 61 {
		t.Fatalf("summary %+v (err %v)", sum.Total, err)
	}
	for _, f := range sum.Failures {
		if f.Message == "" || f.Err == nil {
			t.Errorf("failure without a reason: %+v", f)
		}
	}
	if sum.Total.Failed == 0 {
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		sameNames(t, got, names(p))
	}
	// A second run settles whatever failed, still exactly once.
	emu.Server.SetFaults(emulator.Faults{})
	if _, err := Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("second run: %v", err)
	}
	sameNames(t, jobNames(t, emu), names(p))
}

func TestRunHonoursRetryAfter(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{TooManyRate: 1, RetryAfter: "1"}})
	p := testenv.Hourly("later", 1, 1).Parse(t)
	store := openStore(t, "")
	go func() {
		time.Sleep(300 * time.Millisecond)
		emu.Server.SetFaults(emulator.Faults{})
	}()
	start := time.Now()
	opts := quick()
	opts.LookupThreshold = -1 // sweep, so the only throttled call before the pause is the list
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("a 429 with Retry-After: 1 was retried after %v", el)
	}
	if sum.Total.Triggered != 2 {
		t.Fatalf("summary %+v", sum.Total)
	}
}

func TestRunReportsPermanentFailures(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Workflows: []string{"w0000000000000000000000000000000a"}})
	p := testenv.Hourly("denied", 5, 1).Parse(t) // its workflow does not exist: 400 for the hourly job
	store := openStore(t, "")
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, quick())
	if err == nil {
		t.Fatal("run succeeded, want failures")
	}
	var re *RequestError
	var ae *ciapi.APIError
	if !errors.As(err, &re) || !errors.As(err, &ae) {
		t.Fatalf("error %v: want a *RequestError wrapping a *ciapi.APIError", err)
	}
	if sum.Total.Failed != 5 || sum.Total.Triggered != 1 || len(sum.Failures) != 5 {
		t.Fatalf("summary %+v", sum.Total)
	}
	f := sum.Failures[0]
	if f.Code == "" || f.Message == "" || f.RequestID == "" || f.Attempts != 1 {
		t.Fatalf("failure %+v: want Code, Message, RequestId and a single attempt", f)
	}
	if n := emu.Server.Stats().Calls[emulator.OpCreate]; n != 6 {
		t.Fatalf("%d creates, want 6 (no retry of a 4xx)", n)
	}
	for r, err := range store.Records(background(t), "denied") {
		if err != nil {
			t.Fatal(err)
		}
		if r.Job == "hourly" && (r.Status != request.Failed || r.ErrorCode != f.Code) {
			t.Fatalf("state row %+v", r)
		}
	}
}

func TestRunFailFastStopsStartingRequests(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Workflows: []string{"w0000000000000000000000000000000a"}})
	p := testenv.Hourly("fast", 40, 1).Parse(t)
	store := openStore(t, "")
	opts := quick()
	opts.Parallel = 2
	opts.FailFast = true
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
	if err == nil {
		t.Fatal("run succeeded, want a failure")
	}
	if n := emu.Server.Stats().Calls[emulator.OpCreate]; n > 4 {
		t.Fatalf("%d creates after the first permanent failure with --parallel 2", n)
	}
	if sum.Total.Failed == 0 || sum.Total.NotDone() == 0 {
		t.Fatalf("summary %+v", sum.Total)
	}
}

// inFlight serves next and counts the requests it is handling, at most peak at once. A
// request leaves the count before its answer is written, so the count never exceeds what
// the client has in flight (the emulator's own count, left after the answer, can: the
// client may have its answer and send its next call before the handler leaves it).
type inFlight struct {
	next http.Handler

	mu        sync.Mutex
	now, peak int
}

func (c *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (c *inFlight) most() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peak
}

func TestRunBoundsParallelismAndRate(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Faults: emulator.Faults{Latency: 15 * time.Millisecond}})
	counted := &inFlight{next: emu.Server}
	srv := httptest.NewServer(counted)
	t.Cleanup(srv.Close)
	client := testenv.Client(t, srv.URL)
	p := testenv.Hourly("bounded", 59, 1).Parse(t)
	store := openStore(t, "")
	opts := quick()
	opts.Parallel = 3
	opts.QPS = 40
	opts.LookupThreshold = -1
	began := time.Now()
	if _, err := Run(background(t), client, store, []*plan.Plan{p}, opts); err != nil {
		t.Fatalf("run: %v", err)
	}
	st := emu.Server.Stats()
	if n := counted.most(); n > 3 {
		t.Fatalf("%d requests in flight, --parallel 3", n)
	}
	// Counted from the start, where the limiter is known to hold at most its burst of
	// min(3, 40) tokens (testenv.CheckPaced): the k-th create reaches the service no sooner
	// than (k-3)/40 s after the run began. A broken limiter breaks it at once: 3 workers at
	// 15 ms latency reach about 200 creates a second, and 60 creates must take 1.425 s.
	if len(st.CreateStarts) != len(names(p)) {
		t.Fatalf("%d creates for %d requests", len(st.CreateStarts), len(names(p)))
	}
	testenv.CheckPaced(t, "creates at --qps 40", began, st.CreateStarts, 40, 3)
	sameNames(t, jobNames(t, emu), names(p))
}
