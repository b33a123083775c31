package executor

import (
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// the first-run time that bounds later sweeps is recorded per (plan,
// generation), yet a run only reconciles the requests its Filter (--shard) keeps. A job
// another machine created for a request outside the filter, before this state's first
// run, is then outside every later sweep of this state, and is triggered again.
func TestSweepBoundCoversRequestsOutsideTheFirstRunsFilter(t *testing.T) {
	var skewed atomic.Bool // the emulator's clock runs three hours behind while set
	skewed.Store(true)
	clock := func() time.Time {
		if skewed.Load() {
			return time.Now().Add(-3 * time.Hour)
		}
		return time.Now()
	}
	emu, client := testenv.Start(t, emulator.Options{Clock: clock, MaxSkew: 10 * time.Hour})
	p := testenv.Hourly("shards", 2, 1).Parse(t)
	var info string
	for r := range p.Requests() {
		if r.Job == "info" {
			info = r.Name
		}
	}
	onlyInfo := func(r *plan.Request) bool { return r.Name == info }
	allBut := func(r *plan.Request) bool { return r.Name != info }

	// Machine X, three hours ago, runs the part of the plan with the "info" request.
	optsX := quick()
	optsX.Filter = onlyInfo
	storeX := openStore(t, filepath.Join(t.TempDir(), "x.db"))
	if sum, err := Run(background(t), client, storeX, []*plan.Plan{p}, optsX); err != nil || sum.Total.Triggered != 1 {
		t.Fatalf("machine X: %+v, %v", sum.Total, err)
	}

	// Machine Y, now, runs the other part with its own state, then the whole plan.
	skewed.Store(false)
	storeY := openStore(t, filepath.Join(t.TempDir(), "y.db"))
	optsY := quick()
	optsY.Filter = allBut
	if sum, err := Run(background(t), client, storeY, []*plan.Plan{p}, optsY); err != nil || sum.Total.Triggered != p.Count()-1 {
		t.Fatalf("machine Y, its part: %+v, %v", sum.Total, err)
	}
	sum, err := Run(background(t), client, storeY, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("machine Y, whole plan: %v", err)
	}
	if sum.Total.Triggered != 0 || sum.Total.Skipped != p.Count() {
		t.Errorf("machine Y, whole plan: %+v; want every request skipped (X created %s)", sum.Total, info)
	}
	sameNames(t, jobNames(t, emu), names(p))
}
