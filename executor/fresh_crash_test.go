package executor

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/plan"
)

// lockedBuffer is a log sink safe for the run's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitSettled waits until the emulator handles no request (every delayed create made).
func waitSettled(t *testing.T, emu *emulator.Running) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); emu.Server.Stats().InFlight > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the emulator never settled")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A run dies (kill -9) while the service, slower than the request timeout, still makes
// some of its creates; another machine runs the plan at once with a new state. It finds
// jobs of the plan made moments ago, waits the settle window out, sweeps again, and sends
// only what is still missing: no Name is made twice, whether it looks each Name up or
// sweeps the list.
func TestFreshStateRightAfterACrashMakesNoDuplicate(t *testing.T) {
	for _, lookup := range []int{0, -1} {
		const delay = 400 * time.Millisecond
		emu, client := startEmulator(t, emulator.Options{Faults: emulator.Faults{CreateDelay: delay}})
		p := hourlyPlan(t, "crashed", 11, 1)
		reqs := make([]plan.Request, 0, p.Count())
		for r := range p.Requests() {
			reqs = append(reqs, r)
		}
		// The dead run: 3 creates answered, 5 on their way when it died, the rest never sent.
		send := func(rs []plan.Request, timeout time.Duration) {
			var wg sync.WaitGroup
			for _, r := range rs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(context.Background(), timeout)
					defer cancel()
					_, _ = client.Create(ctx, r.Bucket, r.Region, CreateRequest(&r))
				}()
			}
			wg.Wait()
		}
		send(reqs[:3], 5*time.Second)
		send(reqs[3:8], delay/8) // gone before the answer: the creates go on at the service
		if n := len(emu.Server.Jobs()); n != 3 || emu.Server.Stats().InFlight == 0 {
			t.Fatalf("%d jobs made before the new run, %d creates in flight: want 3 and some", n, emu.Server.Stats().InFlight)
		}

		opts := quick()
		opts.LookupThreshold = lookup
		opts.RequestTimeout, opts.SettleWindow = 3*delay, 4*delay
		var logs lockedBuffer
		opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
		if err != nil {
			t.Fatalf("lookup threshold %d: run: %v", lookup, err)
		}
		waitSettled(t, emu)
		sameNames(t, jobNames(t, emu), names(p)) // fails on a Name made twice
		if sum.Total.Skipped != 8 || sum.Total.Triggered != len(reqs)-8 {
			t.Errorf("lookup threshold %d: summary %+v: want the dead run's 8 skipped, %d triggered", lookup, sum.Total, len(reqs)-8)
		}
		if !strings.Contains(logs.String(), "waiting for them to settle") {
			t.Errorf("lookup threshold %d: no settle wait in the log:\n%s", lookup, logs.String())
		}
	}
}

// Jobs of the plan older than the settle window (on the service's clock) say nothing
// about creates in flight: a fresh state does not wait for them.
func TestFreshStateDoesNotWaitForOldJobs(t *testing.T) {
	clock := &manualClock{t: time.Now()}
	emu, client := startEmulator(t, emulator.Options{Clock: clock.now, MaxSkew: 48 * time.Hour})
	p := hourlyPlan(t, "older", 3, 1)
	if _, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, quick()); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Hour)
	for _, lookup := range []int{0, -1} {
		opts := quick()
		opts.LookupThreshold = lookup
		opts.SettleWindow = time.Minute
		var logs lockedBuffer
		opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
		if err != nil || sum.Total.Skipped != p.Count() {
			t.Fatalf("lookup threshold %d: %+v, %v", lookup, sum.Total, err)
		}
		if strings.Contains(logs.String(), "waiting for them to settle") {
			t.Errorf("lookup threshold %d: waited for jobs an hour old:\n%s", lookup, logs.String())
		}
	}
	sameNames(t, jobNames(t, emu), names(p))
}
