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
	"github.com/planrun/planrun/internal/testenv"
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
		emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{CreateDelay: delay}})
		p := testenv.Hourly("crashed", 11, 1).Parse(t)
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
		send(reqs[3:8], delay/4) // gone before the answer: the creates go on at the service
		st := emu.Server.Stats()
		if n := len(emu.Server.Jobs()); n != 3 || st.InFlight == 0 {
			t.Fatalf("%d jobs made before the new run, %d creates in flight: want 3 and some", n, st.InFlight)
		}
		reached := st.Calls[emulator.OpCreate] // the dead run's creates the service received

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
		if sum.Total.Skipped != reached || sum.Total.Triggered != len(reqs)-reached {
			t.Errorf("lookup threshold %d: summary %+v: want the dead run's %d skipped, %d triggered",
				lookup, sum.Total, reached, len(reqs)-reached)
		}
		if !strings.Contains(logs.String(), "waiting for them to settle") {
			t.Errorf("lookup threshold %d: no settle wait in the log:\n%s", lookup, logs.String())
		}
	}
}

// A fresh state waits only when creates may be in flight: not when every request is found
// (nothing is left to decide), nor when the jobs of the plan found are older than the
// settle window on the service's clock.
func TestFreshStateWaitsOnlyWhenCreatesMayBeInFlight(t *testing.T) {
	for _, lookup := range []int{0, -1} {
		clock := &manualClock{t: time.Now()}
		emu, client := testenv.Start(t, emulator.Options{Clock: clock.now, MaxSkew: 48 * time.Hour})
		p3, p4 := testenv.Hourly("older", 3, 1).Parse(t), testenv.Hourly("older", 4, 1).Parse(t) // p4: p3 and one more window
		if _, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p3}, quick()); err != nil {
			t.Fatal(err)
		}
		run := func(what string, p *plan.Plan, skipped int) {
			t.Helper()
			opts := quick()
			opts.LookupThreshold = lookup
			opts.SettleWindow = time.Minute
			var logs lockedBuffer
			opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
			if err != nil || sum.Total.Skipped != skipped || sum.Total.Triggered != p.Count()-skipped {
				t.Fatalf("%s, lookup threshold %d: %+v, %v", what, lookup, sum.Total, err)
			}
			if strings.Contains(logs.String(), "waiting for them to settle") {
				t.Errorf("%s, lookup threshold %d: waited:\n%s", what, lookup, logs.String())
			}
		}
		run("every request found, made just now", p3, p3.Count())
		clock.advance(time.Hour)
		run("one request missing, the jobs found an hour old", p4, p3.Count())
		sameNames(t, jobNames(t, emu), names(p4))
	}
}
