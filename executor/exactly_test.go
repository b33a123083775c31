package executor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// A service slower than the request timeout finishes every create it received, after the
// client gave up. The run must not look the Name up before the service could have made the
// job, or it sends the create again and the Name exists twice.
func TestCreateSlowerThanTheTimeoutIsNotSentTwice(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{CreateDelay: 400 * time.Millisecond}})
	p := testenv.Hourly("slow", 3, 1).Parse(t)
	opts := quick()
	opts.RequestTimeout, opts.SettleDelay = 300*time.Millisecond, 0 // settle: the request timeout
	sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Triggered != p.Count() {
		t.Fatalf("summary %+v, %v", sum.Total, err)
	}
	// Let the service finish every create it received, then count the Names.
	for deadline := time.Now().Add(5 * time.Second); emu.Server.Stats().InFlight > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	sameNames(t, jobNames(t, emu), names(p)) // fails on a Name made twice
}

// A 2xx to a create with an empty body does not show the job: the run looks the Name up
// (after the settle delay) before any resend, and records the job only with the id it
// found. When the lookups fail, nothing is recorded as triggered: the rows stay
// "sending", and the next run finds every job by Name without sending any create again.
func TestEmptyCreateAnswerIsLookedUpNotTrusted(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{EmptyAnswerRate: 1}})
	p := testenv.Hourly("empty", 3, 1).Parse(t)
	var results []Result
	opts := quick()
	opts.OnResult = func(r Result) { results = append(results, r) }
	sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Triggered != p.Count() {
		t.Fatalf("summary %+v, %v", sum.Total, err)
	}
	for _, r := range results {
		if r.JobID == "" {
			t.Errorf("%s: job id not found by name", r.Name)
		}
	}
	sameNames(t, jobNames(t, emu), names(p))

	// Lookups failing: the outcome stays unknown (failed in the summary, "sending" in the
	// state), never triggered without an id, and never sent again.
	emu2, client2 := testenv.Start(t, emulator.Options{Faults: emulator.Faults{EmptyAnswerRate: 1}})
	store := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	opts = quick()
	opts.LookupThreshold = -1
	sum, err = Run(background(t), failingLookups{client2}, store, []*plan.Plan{p}, opts)
	if err == nil || sum.Total.Triggered != 0 || sum.Total.Failed != p.Count() {
		t.Fatalf("lookups failing: summary %+v, %v: want every request failed, none triggered", sum.Total, err)
	}
	if got := rowStatuses(t, store, p); got[request.Sending] != p.Count() {
		t.Fatalf("lookups failing: rows %v, want every one sending", got)
	}
	emu2.Server.SetFaults(emulator.Faults{})
	sum, err = Run(background(t), client2, store, []*plan.Plan{p}, quick())
	if err != nil || sum.Total.Skipped != p.Count() {
		t.Fatalf("rerun: summary %+v, %v", sum.Total, err)
	}
	sameNames(t, jobNames(t, emu2), names(p))
	ws, err := waitFn(background(t), client2, store, []*plan.Plan{p}, quick())
	if err != nil || countJobs(t, ws) != p.Count() {
		t.Fatalf("wait: %+v, %v: want every job found by name and followed", ws, err)
	}
}

// The local clock two hours ahead of the service: the sweep bound recorded for the next
// run must come from the service's clock, or the rerun misses the jobs the first run made
// (their answers lost) and sends them again.
func TestSweepBoundUsesTheServiceClock(t *testing.T) {
	for _, auto := range []bool{false, true} {
		t.Run(map[bool]string{false: "fixed", true: "auto"}[auto], func(t *testing.T) { testSweepBoundSkewed(t, auto) })
	}
}

func testSweepBoundSkewed(t *testing.T, auto bool) {
	ahead := func() time.Time { return time.Now().Add(2 * time.Hour) }
	emu, err := emulator.Start(emulator.Options{Faults: emulator.Faults{UncertainRate: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	client := testenv.Client(t, emu.URL, func(c *ciapi.Config) { c.Now = ahead })
	p := testenv.Hourly("skewed", 5, 1).Parse(t)
	store := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	opts := quick()
	opts.Now, opts.Retries, opts.LookupThreshold, opts.RequestTimeout = ahead, -1, -1, time.Second
	opts.QPSAuto = auto
	if sum, _ := Run(background(t), failingLookups{client}, store, []*plan.Plan{p}, opts); sum.Total.Failed != p.Count() {
		t.Fatalf("first run: %+v, want every outcome unknown", sum.Total)
	}
	emu.Server.SetFaults(emulator.Faults{})
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Skipped != p.Count() {
		t.Fatalf("rerun: %+v, %v: want every job found", sum.Total, err)
	}
	sameNames(t, jobNames(t, emu), names(p))
}
