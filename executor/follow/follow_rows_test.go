package follow

import (
	"fmt"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// windowPlan is a plan named name of one workflow job of hourly windows from the first
// hour after 2024-01-01 to the last.
func windowPlan(t *testing.T, name string, first, last int) *plan.Plan {
	t.Helper()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	y := fmt.Sprintf(`version: 1
name: %s
defaults:
  bucket: %s
  region: %s
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
jobs:
  - name: hourly
    prefix: input/video/
    window:
      start: %s
      end: %s
      every: 1h
`, name, testBucket, testRegion, start.Add(time.Duration(first)*time.Hour).Format(time.RFC3339),
		start.Add(time.Duration(last)*time.Hour).Format(time.RFC3339))
	p, err := plan.Parse(name+".yaml", []byte(y))
	if err != nil {
		t.Fatalf("parse plan: %v", err)
	}
	return p
}

// A wait reads the state in plan order beside the requests (by position); once the plan
// is edited so that every request moved (a window added in front), each request is still
// matched to its row by Name: every job the state knows is followed, none is lost.
func TestWaitFollowsJobsOfRequestsThatMoved(t *testing.T) {
	_, client := testenv.Start(t, emulator.Options{Seed: 3, SubmittedFor: time.Hour, RunningFor: time.Hour})
	store := openStore(t, "")
	before := windowPlan(t, "moved", 1, 21) // 20 requests
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{before}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	after := windowPlan(t, "moved", 0, 21) // the same 20, each one position later, and a new first one
	if names(after)[1] != names(before)[0] {
		t.Fatalf("the edit did not move the requests: %q, %q", names(after)[1], names(before)[0])
	}
	ws, err := Refresh(background(t), client, store, []*plan.Plan{after}, quick())
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if ws.Unfinished != before.Count() {
		t.Errorf("%d unfinished jobs followed, want the %d the state knows", ws.Unfinished, before.Count())
	}
	if n := countJobs(t, ws); n != before.Count() {
		t.Errorf("the summary lists %d jobs, want %d", n, before.Count())
	}
}
