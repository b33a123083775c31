package executor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/plan"
)

// slowCreates is a real client whose creates reach the service only after delay: the
// network or a loaded front end holds them, as a create in flight when a run dies.
type slowCreates struct {
	*ciapi.Client
	delay time.Duration
}

// Create waits delay, then sends the create.
func (s slowCreates) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Client.Create(ctx, bucket, region, req)
}

// Settle once waited (fixed by the heartbeat) from the time a "sending" intent was committed,
// but a create goes out long after its intent when the workers ahead of it are slow (an
// intent batch is 2x--parallel, committed at once) or when it is a retry. A run started
// while such a create is in flight (the earlier run was killed) does not wait, misses the
// job in its sweep and sends the request again. Here the earlier run is still going (it
// stands for the killed one: its state is the same) when the next run starts.
func TestSettleCoversCreatesSentLongAfterTheirIntent(t *testing.T) {
	emu, client := startEmulator(t, emulator.Options{})
	api := slowCreates{Client: client, delay: 700 * time.Millisecond}
	p := hourlyPlan(t, "settle", 3, 1) // 4 requests, one intent batch
	store := openStore(t, "")
	opts := quick()
	opts.Parallel, opts.RequestTimeout = 1, time.Second

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = Run(background(t), api, store, []*plan.Plan{p}, opts)
	}()
	// The 4th create leaves about 2.1s after the intents were committed, more than the
	// request timeout: wait until it is in flight, then start the next run.
	deadline := time.Now().Add(10 * time.Second)
	for len(emu.Server.Jobs()) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	_, _ = Run(background(t), api, store, []*plan.Plan{p}, opts)
	wg.Wait()
	sameNames(t, jobNames(t, emu), names(p))
}
