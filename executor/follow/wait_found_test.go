package follow

import (
	"database/sql"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// failedEverywhere runs p against an emulator where every job fails, waits until they
// have, and returns the emulator and client.
func failedEverywhere(t *testing.T, p *plan.Plan) (*emulator.Running, *ciapi.Client) {
	t.Helper()
	emu, client := testenv.Start(t, emulator.Options{Seed: 5, FailRate: 1,
		SubmittedFor: 10 * time.Millisecond, RunningFor: 10 * time.Millisecond})
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := Wait(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("wait: %v", err)
	}
	return emu, client
}

// checkFailedWithError fails unless every job of ws ended Failed with the emulator's error.
func checkFailedWithError(t *testing.T, ws *executor.WaitSummary, want int) {
	t.Helper()
	if ws.Unfinished != 0 || len(ws.Failed) != want || ws.States[ciapi.StateFailed] != want {
		t.Fatalf("wait: %d failed, states %v, want %d Failed", len(ws.Failed), ws.States, want)
	}
	for _, f := range ws.Failed {
		if f.Code != "ResourceDownloadFailed" || f.Message == "" {
			t.Fatalf("job %s ended %s without the service's error: code %q message %q", f.Name, f.State, f.Code, f.Message)
		}
	}
}

// TestWaitKeepsTheErrorOfJobsFoundOnTheService: on a fresh machine (no state) the jobs of
// a plan are found on the service, already Failed; --wait must report their Code and
// Message as it does with the state of the run that triggered them, whether they were
// found by looking each name up or by sweeping the list.
func TestWaitKeepsTheErrorOfJobsFoundOnTheService(t *testing.T) {
	for _, tc := range []struct {
		name      string
		threshold int
	}{{"lookup", 0}, {"sweep", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			p := testenv.Hourly("found-"+tc.name, 20, 1).Parse(t)
			_, client := failedEverywhere(t, p)
			fresh := openStore(t, "")
			opts := quick()
			opts.LookupThreshold = tc.threshold
			sum, err := executor.Run(background(t), client, fresh, []*plan.Plan{p}, opts)
			if err != nil || sum.Total.Skipped != 21 {
				t.Fatalf("run on a fresh state: %v, %+v", err, sum.Total)
			}
			ws, err := Wait(background(t), client, fresh, []*plan.Plan{p}, quick())
			if err != nil {
				t.Fatalf("wait: %v", err)
			}
			checkFailedWithError(t, ws, 21)
		})
	}
}

// TestWaitReadsTheMissingErrorOfAFailedJobOnce: a state file that records jobs as Failed
// without their error (written by an older planrun) gets it from the service on the next
// wait, once: the wait after that makes no call.
func TestWaitReadsTheMissingErrorOfAFailedJobOnce(t *testing.T) {
	p := testenv.Hourly("legacy", 20, 1).Parse(t)
	emu, client := failedEverywhere(t, p)
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	store = clearErrors(t, store)
	ws, err := Wait(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	checkFailedWithError(t, ws, 21)

	before := emu.Server.Stats()
	ws, err = Wait(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("second wait: %v", err)
	}
	checkFailedWithError(t, ws, 21)
	after := emu.Server.Stats()
	if n := after.Calls[emulator.OpList] + after.Calls[emulator.OpDescribe] -
		before.Calls[emulator.OpList] - before.Calls[emulator.OpDescribe]; n != 0 {
		t.Errorf("second wait made %d calls; the error was not kept", n)
	}
}

// clearErrors closes store, removes the error columns of every row as an older planrun
// left them, and opens the state again.
func clearErrors(t *testing.T, store *state.Store) *state.Store {
	t.Helper()
	path := store.Path()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE requests SET last_error_code='', last_error_message=''`); err != nil {
		t.Fatal(err)
	}
	return openStore(t, path)
}
