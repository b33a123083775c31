package executor

import (
	"runtime"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

func TestRunTriggersExactlyTheExpansionOnce(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		emu, client := testenv.Start(t, emulator.Options{})
		p := testenv.Hourly("exact", 30, 1).Parse(t)
		path := t.TempDir() + "/st/state.db"
		store := openStore(t, path)

		var results []Result
		opts := quick()
		opts.OnResult = func(r Result) { results = append(results, r) }
		sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		sameNames(t, jobNames(t, emu), names(p))
		if sum.Total.Planned != 31 || sum.Total.Triggered != 31 || sum.Total.Skipped != 0 || sum.Total.Failed != 0 {
			t.Fatalf("summary %+v", sum.Total)
		}
		if len(sum.Jobs) != 2 || sum.Jobs[0].Job != "hourly" || sum.Jobs[0].Triggered != 30 || sum.Jobs[1].Triggered != 1 {
			t.Fatalf("per job %+v", sum.Jobs)
		}
		if len(results) != 31 {
			t.Fatalf("%d results, want 31", len(results))
		}
		for r, err := range store.Records(background(t), "exact") {
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != request.Triggered || r.JobID == "" {
				t.Fatalf("state row %+v", r)
			}
		}

		// Second run: everything is in the state, no API call at all.
		before := emu.Server.Stats()
		sum, err = Run(background(t), client, store, []*plan.Plan{p}, quick())
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		after := emu.Server.Stats()
		if sum.Total.Skipped != 31 || sum.Total.Triggered != 0 {
			t.Fatalf("second run summary %+v", sum.Total)
		}
		if calls(after) != calls(before) {
			t.Fatalf("second run made %d API calls", calls(after)-calls(before))
		}

		// Third run with the state deleted (a fresh machine): nothing triggered.
		store.Close()
		removeState(t, path)
		store = openStore(t, path)
		sum, err = Run(background(t), client, store, []*plan.Plan{p}, quick())
		if err != nil {
			t.Fatalf("run without state: %v", err)
		}
		if sum.Total.Skipped != 31 || sum.Total.Triggered != 0 {
			t.Fatalf("run without state summary %+v", sum.Total)
		}
		sameNames(t, jobNames(t, emu), names(p))
		store.Close()
		emu.Close()
	}()
	checkNoLeak(t, base)
}

// calls counts the API calls the emulator received.
func calls(s emulator.Stats) int {
	n := 0
	for _, c := range s.Calls {
		n += c
	}
	return n
}
