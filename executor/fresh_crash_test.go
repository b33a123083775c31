package executor

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

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

// createGate serves next, but holds the next creates it was told to (the service has
// them, and makes their jobs only once the gate opens), whether or not the client still
// waits: a slow service that finishes what it received. Other requests pass.
type createGate struct {
	next http.Handler

	mu       sync.Mutex
	toHold   int
	held     int
	released bool
	opened   chan struct{}
}

func newCreateGate(next http.Handler) *createGate {
	return &createGate{next: next, opened: make(chan struct{})}
}

func (g *createGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	hold := r.Method == http.MethodPost && g.held < g.toHold
	if hold {
		g.held++
	}
	g.mu.Unlock()
	if hold {
		<-g.opened
	}
	g.next.ServeHTTP(w, r)
}

// holdNext makes the gate hold the next n creates.
func (g *createGate) holdNext(n int) {
	g.mu.Lock()
	g.toHold = g.held + n
	g.mu.Unlock()
}

// heldNow is how many creates the gate held so far.
func (g *createGate) heldNow() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

// open lets the held creates through.
func (g *createGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.released {
		g.released = true
		close(g.opened)
	}
}

// A run dies (kill -9) while the service, slower than the request timeout, still makes
// some of its creates; another machine runs the plan at once with a new state. It finds
// jobs of the plan made moments ago, waits the settle window out, sweeps again, and sends
// only what is still missing: no Name is made twice, whether it looks each Name up or
// sweeps the list.
//
// The dead run's creates on their way are held at a gate until the new run says it waits
// for them, then made: the order is the test's, not the machine's (a service delay on
// the wall clock let a loaded machine check the emulator after the jobs were made, or
// before the creates arrived).
func TestFreshStateRightAfterACrashMakesNoDuplicate(t *testing.T) {
	for _, lookup := range []int{0, -1} {
		// The new run waits for jobs younger than the window, on the service's clock of
		// whole seconds: 3 s leave it 2 s at least to start on a loaded machine.
		const window = 3 * time.Second
		emu, _ := testenv.Start(t, emulator.Options{})
		gate := newCreateGate(emu.Server)
		srv := httptest.NewServer(gate)
		t.Cleanup(srv.Close)
		t.Cleanup(gate.open) // before the server closes: it waits for the held creates
		client := testenv.Client(t, srv.URL)
		p := testenv.Hourly("crashed", 11, 1).Parse(t)
		reqs := make([]plan.Request, 0, p.Count())
		for r := range p.Requests() {
			reqs = append(reqs, r)
		}
		// The dead run: 5 creates on their way when it died, 3 answered just before, the
		// rest never sent.
		send := func(ctx context.Context, rs []plan.Request) *sync.WaitGroup {
			var wg sync.WaitGroup
			for _, r := range rs {
				wg.Go(func() { _, _ = client.Create(ctx, r.Bucket, r.Region, CreateRequest(&r)) })
			}
			return &wg
		}
		gate.holdNext(5)
		died, die := context.WithCancel(background(t))
		onTheirWay := send(died, reqs[3:8])
		for deadline := time.Now().Add(10 * time.Second); gate.heldNow() < 5; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d of the dead run's 5 creates reached the service in 10 s", gate.heldNow())
			}
		}
		die()
		onTheirWay.Wait()
		send(background(t), reqs[:3]).Wait()
		if n := len(emu.Server.Jobs()); n != 3 {
			t.Fatalf("%d jobs made before the new run, want 3", n)
		}
		const reached = 8 // the dead run's creates the service received (and makes)

		opts := quick()
		opts.LookupThreshold = lookup
		opts.RequestTimeout, opts.SettleWindow = window*3/4, window
		var logs testenv.Buffer
		opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		// The held creates are made once the new run waits for them to settle.
		stop := make(chan struct{})
		go func() {
			for !strings.Contains(logs.String(), "waiting for them to settle") {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
			gate.open()
		}()
		sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
		close(stop)
		gate.open()
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
			var logs testenv.Buffer
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
