package executor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// waitIdle waits until the emulator has finished every create it received.
func waitIdle(t *testing.T, emu *emulator.Running) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); emu.Server.Stats().InFlight > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// A service that makes each job 2.7 x --timeout after the create arrived: the lookup after
// the first timeout misses the job still in the making. The request is set aside and looked
// up again after the settle window, where the job is found: one create per Name, every
// request triggered, no error.
func TestCreateSlowerThanTwiceTheTimeoutIsNotSentTwice(t *testing.T) {
	const timeout = 300 * time.Millisecond
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{CreateDelay: timeout * 27 / 10}})
	p := testenv.Hourly("slower", 3, 1).Parse(t)
	opts := quick()
	opts.RequestTimeout, opts.SettleDelay, opts.SettleWindow = timeout, 0, 5*timeout
	var mu sync.Mutex
	most := 0
	opts.Progress = func(pr Progress) {
		mu.Lock()
		most = max(most, pr.Unsettled)
		mu.Unlock()
	}
	sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Triggered != p.Count() {
		t.Fatalf("summary %+v, %v", sum.Total, err)
	}
	waitIdle(t, emu)
	sameNames(t, jobNames(t, emu), names(p)) // fails on a Name made twice
	if st := emu.Server.Stats(); st.Calls[emulator.OpCreate] != p.Count() {
		t.Errorf("creates = %d, want one per request (%d)", st.Calls[emulator.OpCreate], p.Count())
	}
	if most == 0 {
		t.Errorf("the progress never showed the creates set aside to settle")
	}
}

// lostCreates is a real client whose first create of each Name never reaches the service
// (as a connection cut before the request arrived), but looks to planrun like a create
// whose answer was lost.
type lostCreates struct {
	*ciapi.Client
	mu   sync.Mutex
	seen map[string]bool
}

// Create loses the first create of each Name.
func (l *lostCreates) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	l.mu.Lock()
	first := !l.seen[req.Name]
	l.seen[req.Name] = true
	l.mu.Unlock()
	if first {
		return nil, &ciapi.APIError{Op: "create", Sent: true, Err: errors.New("connection reset by peer")}
	}
	return l.Client.Create(ctx, bucket, region, req)
}

// A create with no answer that never made a job is sent again after the settle window,
// counting as a retry: with --retries 1 every request ends triggered, with two creates
// each; with --retries 0 (no retry) it fails once the settled lookup does not find it.
func TestLostCreateIsSentAgainAfterTheSettleWindow(t *testing.T) {
	for _, retries := range []int{1, -1} {
		emu, client := testenv.Start(t, emulator.Options{})
		api := &lostCreates{Client: client, seen: map[string]bool{}}
		p := testenv.Hourly("lost", 3, 1).Parse(t)
		opts := quick()
		opts.Retries = retries
		var results []Result
		opts.OnResult = func(r Result) { results = append(results, r) }
		sum, err := Run(background(t), api, openStore(t, ""), []*plan.Plan{p}, opts)
		if retries < 0 {
			if sum.Total.Failed != p.Count() || len(emu.Server.Jobs()) != 0 {
				t.Fatalf("no retry: summary %+v, %d jobs, %v", sum.Total, len(emu.Server.Jobs()), err)
			}
			continue
		}
		if err != nil || sum.Total.Triggered != p.Count() {
			t.Fatalf("summary %+v, %v", sum.Total, err)
		}
		for _, r := range results {
			if r.Attempts != 2 {
				t.Errorf("%s: %d attempts, want 2 (the lost create and its retry)", r.Name, r.Attempts)
			}
		}
		sameNames(t, jobNames(t, emu), names(p))
	}
}

// A run stopped while requests are set aside leaves them "sending": the next run waits for
// them to settle, finds the jobs the slow service made, and sends nothing.
func TestInterruptedWhileSettlingLeavesRowsSending(t *testing.T) {
	const timeout = 300 * time.Millisecond
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{CreateDelay: timeout * 27 / 10}})
	p := testenv.Hourly("stopped", 3, 1).Parse(t)
	store := openStore(t, t.TempDir()+"/s.db")
	opts := quick()
	opts.RequestTimeout, opts.SettleDelay, opts.SettleWindow = timeout, 0, time.Minute
	ctx, cancel := context.WithCancel(background(t))
	opts.Progress = func(pr Progress) {
		if pr.Unsettled == p.Count() && pr.Settling > 0 {
			cancel()
		}
	}
	sum, err := Run(ctx, client, store, []*plan.Plan{p}, opts)
	if !errors.Is(err, context.Canceled) || sum.Total.Triggered != 0 {
		t.Fatalf("summary %+v, %v: want interrupted while settling", sum.Total, err)
	}
	if got := rowStatuses(t, store, p); got[request.Sending] != p.Count() {
		t.Fatalf("rows %v: want every request left %q", got, request.Sending)
	}
	waitIdle(t, emu)
	opts.Progress, opts.SettleWindow = nil, 0
	opts.SettleWindow = timeout
	sum, err = Run(background(t), client, store, []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Skipped != p.Count() {
		t.Fatalf("rerun: %+v, %v", sum.Total, err)
	}
	sameNames(t, jobNames(t, emu), names(p))
}
