package executor

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/pace"
	"github.com/planrun/planrun/plan"
)

// TestIsThrottleOnRealAnswers checks the classification on the errors the real client
// returns for the emulator's answers.
func TestIsThrottleOnRealAnswers(t *testing.T) {
	emu, client := startEmulator(t, emulator.Options{Seed: 9})
	p := hourlyPlan(t, "classify", 1, 1)
	var req plan.Request
	for r := range p.Requests() {
		req = r
		break
	}
	for _, tc := range []struct {
		name     string
		faults   emulator.Faults
		throttle emulator.Throttle
		want     bool
	}{
		{name: "500", faults: emulator.Faults{ErrorRate: 1}},
		{name: "reset", faults: emulator.Faults{ResetRate: 1}},
		{name: "429", faults: emulator.Faults{TooManyRate: 1, RetryAfter: "0"}, want: true},
		{name: "throttle 503", throttle: emulator.Throttle{QPS: 0.001, Burst: 1}, want: true},
		{name: "throttle 429", throttle: emulator.Throttle{QPS: 0.001, Burst: 1, Status: 429}, want: true},
	} {
		emu.Server.SetFaults(tc.faults)
		emu.Server.SetThrottle(tc.throttle)
		var err error
		for range 2 { // the throttle's bucket holds one token: the second create meets it
			_, err = client.Create(background(t), testBucket, testRegion, CreateRequest(&req))
		}
		if err == nil {
			t.Fatalf("%s: create succeeded", tc.name)
		}
		if got := pace.IsThrottle(err); got != tc.want {
			t.Errorf("%s: pace.IsThrottle(%v) = %v, want %v", tc.name, err, got, tc.want)
		}
	}
}

// paceRun creates every request of p through pace with parallel workers, each retrying
// its create until it succeeds (every failure injected before anything is created), and
// returns how many answers were throttles.
func paceRun(t *testing.T, client *ciapi.Client, pc pace.Pacer, p *plan.Plan, parallel int) (throttled int64) {
	t.Helper()
	ctx := background(t)
	reqs := make(chan plan.Request)
	var wg sync.WaitGroup
	var n atomic.Int64
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for req := range reqs {
				for ctx.Err() == nil {
					start, err := pc.Wait(ctx)
					if err != nil {
						return
					}
					_, err = client.Create(ctx, testBucket, testRegion, CreateRequest(&req))
					pc.Observe(start, err)
					if err == nil {
						break
					}
					if pace.IsThrottle(err) {
						n.Add(1)
					} else if !ciapi.IsRetryable(err) {
						t.Errorf("create %s: %v", req.Name, err)
						break
					}
				}
			}
		}()
	}
	for r := range p.Requests() {
		reqs <- r
	}
	close(reqs)
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("paced run did not finish: %v", ctx.Err())
	}
	return n.Load()
}

// TestAdaptiveAgainstEmulatorThrottle runs creates through the pace against the
// emulator's throttle on a real socket. It checks what holds on any machine: every job
// exactly once and the throttles seen by the pace; the figures (share of the limit, share
// throttled) depend on the machine's load and are held by TestAdaptiveShapes on a fake
// clock and measured by the bench.
func TestAdaptiveAgainstEmulatorThrottle(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 400 creates at about 40/s")
	}
	const limit = 40
	emu, client := startEmulator(t, emulator.Options{Seed: 4})
	emu.Server.SetThrottle(emulator.Throttle{QPS: limit})
	p := hourlyPlan(t, "throttled", 399, 1) // 399 windows and one node job
	pc := pace.NewAdaptive(pace.AdaptiveConfig{})
	throttled := paceRun(t, client, pc, p, 8)
	t.Logf("%d throttled for 400 creates, stats %+v", throttled, pc.Stats())
	sameNames(t, jobNames(t, emu), names(p))
	if n := emu.Server.Stats().Faults[emulator.FaultThrottle]; int64(n) != throttled {
		t.Errorf("the emulator throttled %d calls, the pace's callers saw %d", n, throttled)
	}
}

func TestAdaptiveAgainstEmulatorRandomFaults(t *testing.T) {
	emu, client := startEmulator(t, emulator.Options{Seed: 6,
		Faults: emulator.Faults{ErrorRate: 0.2, ResetRate: 0.05}})
	p := hourlyPlan(t, "faulty", 199, 1)
	pc := pace.NewAdaptive(pace.AdaptiveConfig{Start: 100})
	if throttled := paceRun(t, client, pc, p, 8); throttled != 0 {
		t.Fatalf("%d throttles from an emulator without throttling", throttled)
	}
	sameNames(t, jobNames(t, emu), names(p))
	st := emu.Server.Stats()
	if st.Faults[emulator.FaultError] == 0 || st.Faults[emulator.FaultReset] == 0 {
		t.Fatalf("no faults injected: %v", st.Faults)
	}
	if ps := pc.Stats(); ps.Drops != 0 || ps.Rate < 100 {
		t.Errorf("random 500s and resets moved the pace: %+v, want no drop and the rate >= its start 100", ps)
	}
}

// TestIsThrottleOnBareAnswers checks the classification on what a service (or a gateway
// before it) may answer to a throttled call besides the emulator's documents: a bare 503
// or 429 without a body, an HTML page, SlowDown and QueueSaturated documents under other
// statuses; and that bare 500 and 502 are not throttles.
func TestIsThrottleOnBareAnswers(t *testing.T) {
	p := hourlyPlan(t, "bare", 1, 1)
	var req plan.Request
	for r := range p.Requests() {
		req = r
		break
	}
	for _, tc := range []struct {
		name, ctype, body string
		status            int
		want              bool
	}{
		{name: "bare 503", status: 503, want: true},
		{name: "bare 429", status: 429, want: true},
		{name: "503 HTML page", status: 503, ctype: "text/html", body: "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", want: true},
		{name: "503 SlowDown", status: 503, ctype: "application/xml", body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", want: true},
		{name: "403 QueueSaturated", status: 403, ctype: "application/xml", body: "<Error><Code>QueueSaturated</Code><Message>queue is full</Message></Error>", want: true},
		{name: "400 SlowDown", status: 400, ctype: "application/xml", body: "<Error><Code>SlowDown</Code><Message>slow down</Message></Error>", want: true},
		{name: "bare 500", status: 500},
		{name: "bare 502", status: 502},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if tc.ctype != "" {
				w.Header().Set("Content-Type", tc.ctype)
			}
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		client := clientFor(t, srv.URL)
		_, err := client.Create(background(t), testBucket, testRegion, CreateRequest(&req))
		srv.Close()
		if err == nil {
			t.Fatalf("%s: create succeeded", tc.name)
		}
		if got := pace.IsThrottle(err); got != tc.want {
			t.Errorf("%s: pace.IsThrottle(%v) = %v, want %v", tc.name, err, got, tc.want)
		}
	}
}
