package executor

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// countCalls is a real client that records the most API calls in flight at once.
type countCalls struct {
	slowCreates
	now, peak atomic.Int32
}

func (c *countCalls) enter() func() {
	n := c.now.Add(1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return func() { c.now.Add(-1) }
}

func (c *countCalls) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	defer c.enter()()
	return c.slowCreates.Create(ctx, bucket, region, req)
}

func (c *countCalls) List(ctx context.Context, bucket, region string, opts ciapi.ListOptions) (*ciapi.ListResponse, error) {
	defer c.enter()()
	time.Sleep(50 * time.Millisecond)
	return c.slowCreates.List(ctx, bucket, region, opts)
}

// Options.Parallel promises "the most API calls in flight
// at once", but the next plan's reconciliation sweep runs beside the previous plan's
// workers, so a run of several plans has up to Parallel+1 calls in flight.
func TestParallelBoundsEveryAPICall(t *testing.T) {
	_, client := testenv.Start(t, emulator.Options{})
	api := &countCalls{slowCreates: slowCreates{Client: client, delay: 300 * time.Millisecond}}
	opts := quick()
	opts.Parallel, opts.LookupThreshold = 2, -1
	plans := []*plan.Plan{testenv.Hourly("one", 3, 1).Parse(t), testenv.Hourly("two", 3, 1).Parse(t)}
	if _, err := Run(background(t), api, openStore(t, ""), plans, opts); err != nil {
		t.Fatal(err)
	}
	if p := api.peak.Load(); p > int32(opts.Parallel) {
		t.Errorf("%d API calls in flight at once, more than Parallel=%d", p, opts.Parallel)
	}
}
