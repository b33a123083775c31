package executor

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// failingLookups is a real client whose lookups by name all fail with a 500.
type failingLookups struct{ *ciapi.Client }

func (f failingLookups) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	if opts.Name != "" {
		return nil, &ciapi.APIError{Op: "list", Status: http.StatusInternalServerError, Code: "InternalError"}
	}
	return f.Client.List(ctx, bucket, region, opts)
}

// With no retry allowed, a create whose answer is lost is still looked up (the lookup is
// not a second create): the job it made is found and counted as triggered, once.
func TestLostAnswerIsLookedUpWithoutRetries(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{UncertainRate: 1}})
	p := testenv.Hourly("lost", 5, 1).Parse(t)
	opts := quick()
	opts.Retries = -1
	sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Triggered != p.Count() {
		t.Fatalf("summary %+v, %v", sum.Total, err)
	}
	if st := emu.Server.Stats(); st.Calls[emulator.OpCreate] != p.Count() {
		t.Errorf("creates = %d, want one per request (%d)", st.Calls[emulator.OpCreate], p.Count())
	}
	sameNames(t, jobNames(t, emu), names(p))
}

// rowStatuses returns the state-file status of every request of p.
func rowStatuses(t *testing.T, store *state.Store, p *plan.Plan) map[request.Status]int {
	t.Helper()
	got := map[request.Status]int{}
	for rec, err := range store.Records(background(t), p.Name) {
		if err != nil {
			t.Fatal(err)
		}
		got[rec.Status]++
	}
	return got
}

// A request that gives up while one of its creates may have created the job stays
// "sending" (outcome unknown: the next run waits for it to settle and reconciles it); one
// refused for certain is "failed", so the next run has nothing to wait for.
func TestFailedRowsRecordWhetherTheOutcomeIsKnown(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{UncertainRate: 1}})
	p := testenv.Hourly("uncertain", 5, 1).Parse(t)
	n := p.Count()
	store := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	opts := quick()
	opts.Retries, opts.LookupThreshold = -1, -1
	// Every create's answer is lost and no lookup succeeds: the outcome stays unknown.
	sum, _ := Run(background(t), failingLookups{client}, store, []*plan.Plan{p}, opts)
	if sum.Total.Failed != n {
		t.Fatalf("summary %+v: every create's answer was lost and no lookup worked", sum.Total)
	}
	if got := rowStatuses(t, store, p); got[request.Sending] != n {
		t.Fatalf("rows %v: a give-up after a lost answer must stay %q", got, request.Sending)
	}
	// The next run, with the service healthy, finds the jobs the lost answers created.
	emu.Server.SetFaults(emulator.Faults{})
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil || sum.Total.Skipped != n || sum.Total.Triggered != 0 {
		t.Fatalf("rerun: %+v, %v", sum.Total, err)
	}
	sameNames(t, jobNames(t, emu), names(p))

	// A refusal (unknown workflow: 400) is certain: the row is "failed". (The plan's MediaInfo
	// node names no workflow and succeeds.)
	wf := 0
	for r := range p.Requests() {
		if r.Type == "Workflow" {
			wf++
		}
	}
	emu2, client2 := testenv.Start(t, emulator.Options{Workflows: []string{"w00000000000000000000000000000001"}})
	store2 := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	sum, _ = Run(background(t), client2, store2, []*plan.Plan{p}, quick())
	if sum.Total.Failed != wf || len(emu2.Server.Jobs()) != n-wf {
		t.Fatalf("summary %+v", sum.Total)
	}
	if got := rowStatuses(t, store2, p); got[request.Failed] != wf {
		t.Fatalf("rows %v: a 400 is a certain failure, want %q", got, request.Failed)
	}
}
