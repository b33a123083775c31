package executor

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// twoJobPlan returns plan "edited" with job a and, when withB, job b (same generation).
func twoJobPlan(t *testing.T, withB bool) *plan.Plan {
	t.Helper()
	y := fmt.Sprintf(`version: 1
name: edited
defaults:
  bucket: %s
  region: %s
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
jobs:
  - name: a
    object: input/a.mp4
`, testBucket, testRegion)
	if withB {
		y += "  - name: b\n    object: input/b.mp4\n"
	}
	p, err := plan.Parse("edited.yaml", []byte(y))
	if err != nil {
		t.Fatalf("parse plan: %v", err)
	}
	return p
}

// a request that the state has no row for was never reconciled from this
// state, so the plan's recorded first run says nothing about it. Here machine X ran the
// plan with job b three hours ago; machine Y then ran an older version without job b
// (recording its first run), then the current one: its sweep, bounded by that first run,
// missed X's job and triggered b again.
func TestSweepIsUnboundedForRequestsNeverReconciled(t *testing.T) {
	var skewed atomic.Bool
	skewed.Store(true)
	clock := func() time.Time {
		if skewed.Load() {
			return time.Now().Add(-3 * time.Hour)
		}
		return time.Now()
	}
	emu, client := testenv.Start(t, emulator.Options{Clock: clock, MaxSkew: 10 * time.Hour})
	current, older := twoJobPlan(t, true), twoJobPlan(t, false)

	storeX := openStore(t, filepath.Join(t.TempDir(), "x.db"))
	if sum, err := Run(background(t), client, storeX, []*plan.Plan{current}, quick()); err != nil || sum.Total.Triggered != 2 {
		t.Fatalf("machine X: %+v, %v", sum.Total, err)
	}
	skewed.Store(false)
	storeY := openStore(t, filepath.Join(t.TempDir(), "y.db"))
	if sum, err := Run(background(t), client, storeY, []*plan.Plan{older}, quick()); err != nil || sum.Total.Skipped != 1 {
		t.Fatalf("machine Y, older version: %+v, %v", sum.Total, err)
	}
	sum, err := Run(background(t), client, storeY, []*plan.Plan{current}, quick())
	if err != nil || sum.Total.Triggered != 0 || sum.Total.Skipped != 2 {
		t.Errorf("machine Y, current version: %+v, %v; want both skipped", sum.Total, err)
	}
	sameNames(t, jobNames(t, emu), names(current))
}
