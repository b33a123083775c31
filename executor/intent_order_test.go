package executor

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// intentChecked is a service whose creates first read the request's row from the state
// file, as another connection sees it: only what is committed.
type intentChecked struct {
	*ciapi.Client
	store *state.Store
	plan  string

	mu     sync.Mutex
	missed []string
}

// Create checks that the row of req is committed as "sending", then creates.
func (c *intentChecked) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	row, ok, err := c.store.Lookup(ctx, c.plan, req.Name)
	if err != nil || !ok || row.Status != request.Sending {
		c.mu.Lock()
		c.missed = append(c.missed, fmt.Sprintf("%s: %+v, %v, %v", req.Name, row.Status, ok, err))
		c.mu.Unlock()
	}
	return c.Client.Create(ctx, bucket, region, req)
}

// Every create leaves after its intent is committed, although the intents of a batch are
// committed while the batch before it is being sent (many small batches, so that every
// create of a batch but the first waits on the pipeline).
func TestEveryCreateFollowsItsCommittedIntent(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{})
	p := testenv.Hourly("intents", 600, 1).Parse(t)
	store := openStore(t, "")
	api := &intentChecked{Client: client, store: store, plan: p.Name}
	opts := quick()
	opts.Parallel = 4 // batches of 16
	sum, err := Run(background(t), api, store, []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Triggered != p.Count() {
		t.Fatalf("summary %+v, %v", sum.Total, err)
	}
	if len(api.missed) > 0 {
		t.Errorf("%d creates left before their intent was committed, e.g. %s", len(api.missed), api.missed[0])
	}
	sameNames(t, jobNames(t, emu), names(p))
}
