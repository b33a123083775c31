package follow

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// recordedFirst is the service, whose Cancel checks that the batch job is already
// recorded as the user's cancel.
type recordedFirst struct {
	*ciapi.Client
	t       *testing.T
	store   *state.Store
	nameOf  map[string]string
	checked atomic.Int32
}

func (r *recordedFirst) Cancel(ctx context.Context, bucket, region, id string) error {
	if ok, err := r.store.UserCancelled(ctx, id); err != nil || !ok {
		r.t.Errorf("cancel of %s (%s) sent before it was recorded: %v %v", id, r.nameOf[id], ok, err)
	}
	r.checked.Add(1)
	return r.Client.Cancel(ctx, bucket, region, id)
}

// CancelEach records each batch job it sends a cancel for as the user's cancel, before
// the cancel is sent; a batch job that ended before (here: cancelled from the console)
// is not recorded.
func TestCancelRecordsTheUsersCancelsFirst(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour})
	p := testenv.Hourly("record", 6, 1).Parse(t)
	store := openStore(t, "")
	if _, err := executor.Run(background(t), client, store, []*plan.Plan{p}, quick()); err != nil {
		t.Fatalf("run: %v", err)
	}
	jobs := emu.Server.Jobs()
	nameOf := map[string]string{}
	for _, j := range jobs {
		nameOf[j.ID] = j.Name
	}
	console := jobs[2]
	if err := client.Cancel(background(t), testBucket, testRegion, console.ID); err != nil {
		t.Fatal(err)
	}
	api := &recordedFirst{Client: client, t: t, store: store, nameOf: nameOf}
	sum, err := CancelEach(background(t), api, store, []*plan.Plan{p}, quick(), func(CancelResult) error { return nil })
	if err != nil || sum.Cancelled != len(jobs)-1 || int(api.checked.Load()) != len(jobs)-1 {
		t.Fatalf("cancel: %+v, %v; %d cancels sent, want %d", sum, err, api.checked.Load(), len(jobs)-1)
	}
	for _, j := range jobs {
		ok, err := store.UserCancelled(background(t), j.ID)
		if err != nil || ok != (j.ID != console.ID) {
			t.Errorf("%s recorded as the user's cancel: %v (%v)", j.Name, ok, err)
		}
	}
}
