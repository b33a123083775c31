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

// Wait follows more jobs than one page of its scratch holds: every job is followed to its
// end, page after page, each seen by a sweep (no describe), and the state and the summary
// agree with the service.
func TestWaitFollowsMoreJobsThanFitInOnePage(t *testing.T) {
	defer func(n int) { followBatch = n }(followBatch)
	followBatch = 16
	emu, client := testenv.Start(t, emulator.Options{Seed: 5, SubmittedFor: 100 * time.Millisecond,
		RunningFor: 150 * time.Millisecond, FailRate: 0.2})
	p := testenv.Hourly("pages", 119, 1).Parse(t) // 120 requests: 8 pages of 16
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	opts := quick()
	opts.PollInterval = 50 * time.Millisecond
	rounds := 0
	opts.OnWaitRound = func(ws *executor.WaitSummary) {
		rounds++
		total := 0
		for _, n := range ws.States {
			total += n
		}
		if total != p.Count() {
			t.Errorf("round %d: %d jobs counted, want %d", rounds, total, p.Count())
		}
	}
	before := emu.Server.Stats()
	ws, err := Wait(background(t), client, store, []*plan.Plan{p}, opts)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	after := emu.Server.Stats()
	if d := after.Calls[emulator.OpDescribe] - before.Calls[emulator.OpDescribe]; d != 0 {
		t.Errorf("%d describes: every job of a page is in the sweep of its range", d)
	}
	final := map[string]string{}
	for _, j := range emu.Server.Jobs() {
		final[j.ID] = j.State
	}
	if ws.Unfinished != 0 || ws.States[ciapi.StateSuccess]+ws.States[ciapi.StateFailed] != p.Count() ||
		len(ws.Failed) != ws.States[ciapi.StateFailed] || ws.States[ciapi.StateFailed] == 0 {
		t.Fatalf("summary %+v, %d failed listed", ws.States, len(ws.Failed))
	}
	n := 0
	for j, err := range ws.Jobs(background(t)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if final[j.JobID] != j.State {
			t.Fatalf("job %s: wait says %s, the emulator %s", j.JobID, j.State, final[j.JobID])
		}
		got, ok, err := ws.Job(background(t), j.Plan, j.Name)
		if err != nil || !ok || got.State != j.State || got.JobID != j.JobID {
			t.Fatalf("Job(%s) = %+v, %v, %v; want %+v", j.Name, got, ok, err, j)
		}
	}
	if n != p.Count() {
		t.Fatalf("%d jobs followed, want %d", n, p.Count())
	}
	if _, ok, _ := ws.Job(background(t), "other-plan", "x"); ok {
		t.Fatal("Job answers for a plan it does not follow")
	}
	for r, err := range store.Records(background(t), "pages") {
		if err != nil {
			t.Fatal(err)
		}
		if r.JobState != final[r.JobID] {
			t.Fatalf("state row %s: %s, emulator %s", r.Name, r.JobState, final[r.JobID])
		}
	}
}

// A refresh costs one list sweep per bucket and type, not one per page of the scratch:
// 250 unfinished jobs (249 workflow jobs and one MediaInfo job: two sweeps), in pages of
// 16, are read with at most 3 + 1 list calls (1 per 100 of each type) and no describe, and
// a second refresh costs the same.
func TestRefreshSweepsOncePerGroupNotPerPage(t *testing.T) {
	defer func(n int) { followBatch = n }(followBatch)
	followBatch = 16
	emu, client := testenv.Start(t, emulator.Options{Seed: 6, SubmittedFor: time.Hour, RunningFor: time.Hour})
	p := testenv.Hourly("sweep-once", 249, 1).Parse(t) // 250 requests
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	for round := 1; round <= 2; round++ {
		before := emu.Server.Stats()
		ws, err := Refresh(background(t), client, store, []*plan.Plan{p}, quick())
		if err != nil {
			t.Fatalf("refresh %d: %v", round, err)
		}
		after := emu.Server.Stats()
		lists := after.Calls[emulator.OpList] - before.Calls[emulator.OpList]
		describes := after.Calls[emulator.OpDescribe] - before.Calls[emulator.OpDescribe]
		if lists > 4 || describes != 0 {
			t.Errorf("refresh %d: %d list and %d describe calls for 250 unfinished jobs, want at most 4 lists and no describe",
				round, lists, describes)
		}
		if ws.Unfinished != p.Count() {
			t.Errorf("refresh %d: %d unfinished, want %d", round, ws.Unfinished, p.Count())
		}
	}
}
