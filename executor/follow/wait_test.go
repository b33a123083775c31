package follow

import (
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

func TestWaitFollowsJobsToTheEnd(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Seed: 3, SubmittedFor: 100 * time.Millisecond,
		RunningFor: 150 * time.Millisecond, FailRate: 0.3})
	p := testenv.Hourly("follow", 40, 1).Parse(t)
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	before := emu.Server.Stats()
	opts := quick()
	opts.PollInterval = 50 * time.Millisecond
	ws, err := Wait(background(t), client, store, []*plan.Plan{p}, opts)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	after := emu.Server.Stats()
	if ws.Unfinished != 0 || ws.States[ciapi.StateSuccess]+ws.States[ciapi.StateFailed] != 41 || ws.States[ciapi.StateFailed] == 0 {
		t.Fatalf("wait summary %+v", ws.States)
	}
	if len(ws.Failed) != ws.States[ciapi.StateFailed] {
		t.Fatalf("%d failed listed, %d counted", len(ws.Failed), ws.States[ciapi.StateFailed])
	}
	for _, f := range ws.Failed {
		if f.Code == "" || f.Message == "" {
			t.Fatalf("failed job without Code/Message: %+v", f)
		}
	}
	// The emulator agrees, job by job.
	final := map[string]string{}
	for _, j := range emu.Server.Jobs() {
		final[j.ID] = j.State
	}
	for j, err := range ws.Jobs(background(t)) {
		if err != nil {
			t.Fatal(err)
		}
		if final[j.JobID] != j.State {
			t.Fatalf("job %s: wait says %s, emulator %s", j.JobID, j.State, final[j.JobID])
		}
	}
	// Cost: about one list call per 100 unfinished jobs per round (41 jobs in two types
	// is two calls per round), no describes when the sweep sees every job.
	lists := after.Calls[emulator.OpList] - before.Calls[emulator.OpList]
	if lists > 2*12 || after.Calls[emulator.OpDescribe] != before.Calls[emulator.OpDescribe] {
		t.Fatalf("%d list calls, %d describes", lists, after.Calls[emulator.OpDescribe]-before.Calls[emulator.OpDescribe])
	}
	// The state holds the final states.
	for r, err := range store.Records(background(t), "follow") {
		if err != nil {
			t.Fatal(err)
		}
		if r.JobState != final[r.JobID] {
			t.Fatalf("state row %s: %s, emulator %s", r.Name, r.JobState, final[r.JobID])
		}
	}
	// A refresh after the end costs nothing.
	before = emu.Server.Stats()
	if _, err := Refresh(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatal(err)
	}
	if calls(emu.Server.Stats()) != calls(before) {
		t.Fatal("refresh of finished jobs made API calls")
	}
}

func TestCancelStopsUnfinishedJobs(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour})
	p := testenv.Hourly("halt", 12, 1).Parse(t)
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	res, err := Cancel(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if len(res) != 13 {
		t.Fatalf("%d cancel results, want 13", len(res))
	}
	for _, r := range res {
		if r.Outcome != CancelDone || r.State != ciapi.StateCancel {
			t.Fatalf("result %+v", r)
		}
	}
	for _, j := range emu.Server.Jobs() {
		if j.State != ciapi.StateCancel {
			t.Fatalf("job %s is %s", j.Name, j.State)
		}
	}
	// Again, from a machine without state: everything is already finished.
	fresh := openStore(t, "")
	res, err = Cancel(background(t), client, fresh, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("second cancel: %v", err)
	}
	if len(res) != 13 {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		if r.Outcome != CancelFinished {
			t.Fatalf("result %+v", r)
		}
	}
	if n := emu.Server.Stats().Calls[emulator.OpCancel]; n != 13 {
		t.Fatalf("%d cancel calls, want 13", n)
	}
}

// A Name made twice on the service (a duplicate, e.g. from another tool or an older
// planrun): cancel cancels every job with the Name, and says so.
func TestCancelCancelsEveryDuplicate(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour})
	p := testenv.Hourly("dups", 2, 1).Parse(t)
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	for r := range p.Requests() { // the same creates again: every Name twice
		if _, err := client.Create(background(t), r.Bucket, r.Region, executor.CreateRequest(&r)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Cancel(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if len(res) != 2*p.Count() || Duplicated(res) != p.Count() {
		t.Fatalf("%d results, %d duplicated names; want %d and %d", len(res), Duplicated(res), 2*p.Count(), p.Count())
	}
	for _, j := range emu.Server.Jobs() {
		if j.State != ciapi.StateCancel {
			t.Errorf("job %s (%s) is %s", j.Name, j.ID, j.State)
		}
	}
}
