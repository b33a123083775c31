package executor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

func TestRunWithoutStateSweepsWithFewListCalls(t *testing.T) {
	clock := &manualClock{t: time.Now()}
	emu, client := testenv.Start(t, emulator.Options{Clock: clock.now, MaxSkew: 48 * time.Hour})
	p := testenv.Hourly("big", 149, 1).Parse(t) // 150 requests: above the lookup threshold
	other := testenv.Hourly("other", 30, 1).Parse(t)
	path := t.TempDir() + "/state.db"
	store := openStore(t, path)
	if _, err := Run(background(t), client, store, []*plan.Plan{p, other}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	store.Close()
	clock.advance(time.Hour) // jobs older than the settle window: no wait, no second sweep
	removeState(t, path)

	store = openStore(t, path)
	before := emu.Server.Stats()
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("run without state: %v", err)
	}
	after := emu.Server.Stats()
	if sum.Total.Skipped != 150 || sum.Total.Triggered != 0 {
		t.Fatalf("summary %+v", sum.Total)
	}
	lists := after.Calls[emulator.OpList] - before.Calls[emulator.OpList]
	// 181 jobs in the bucket: 2 pages of Workflow jobs and 1 of Job jobs.
	if lists > 4 || after.Calls[emulator.OpCreate] != before.Calls[emulator.OpCreate] {
		t.Fatalf("%d list calls and %d creates without state", lists, after.Calls[emulator.OpCreate]-before.Calls[emulator.OpCreate])
	}
	// The found jobs are now in the state, with their job ids: no call next time.
	for r, err := range store.Records(background(t), "big") {
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.Skipped || r.JobID == "" {
			t.Fatalf("row %+v", r)
		}
	}
	before = emu.Server.Stats()
	if _, err := Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatal(err)
	}
	if calls(emu.Server.Stats()) != calls(before) {
		t.Fatal("API calls with a complete state")
	}
	sameNames(t, jobNames(t, emu), append(names(p), names(other)...))
}

func TestRunNewGenerationTriggersAgain(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{})
	store := openStore(t, "")
	g1, g2 := testenv.Hourly("gen", 3, 1).Parse(t), testenv.Hourly("gen", 3, 2).Parse(t)
	for _, p := range []*plan.Plan{g1, g2, g1, g2} {
		if _, err := Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
			t.Fatal(err)
		}
	}
	sameNames(t, jobNames(t, emu), append(names(g1), names(g2)...))
}

func TestLookupRunRecordsThePlanOnlyWhenEveryLookupWasDone(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{Latency: 20 * time.Millisecond}})
	p := testenv.Hourly("looked", 40, 1).Parse(t)
	store := openStore(t, "")
	ctx, cancel := context.WithCancel(background(t))
	defer cancel()
	opts := quick()
	opts.OnResult = func(r Result) {
		if r.Status == request.Triggered {
			cancel()
		}
	}
	if _, err := Run(ctx, client, store, []*plan.Plan{p}, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v", err)
	}
	if _, known, err := store.FirstRun(background(t), "looked", 1); err != nil || known {
		t.Fatalf("interrupted lookup run recorded the plan (known %v, err %v): a later run would bound its sweep", known, err)
	}
	if _, err := Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatal(err)
	}
	if _, known, err := store.FirstRun(background(t), "looked", 1); err != nil || !known {
		t.Fatalf("complete lookup run did not record the plan (known %v, err %v)", known, err)
	}
	sameNames(t, jobNames(t, emu), names(p))
}
