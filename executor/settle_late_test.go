package executor

import (
	"context"
	"sync"
	"sync/atomic"
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

// heldCreates is a real client whose creates reach the service only after delay, and whose
// creates from the hold-th on also wait for release: the network or a loaded front end holds
// them, as a create in flight when a run dies.
type heldCreates struct {
	*ciapi.Client
	delay   time.Duration
	hold    int64
	n       *atomic.Int64
	release <-chan struct{}
}

// Create waits delay (and release, from the hold-th create on), then sends the create. A
// held create is already on the wire: it reaches the service even when the caller gave up.
func (s heldCreates) Create(ctx context.Context, bucket, region string, req *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	if s.n.Add(1) >= s.hold {
		<-s.release
		time.Sleep(s.delay)
		return s.Client.Create(context.WithoutCancel(ctx), bucket, region, req)
	}
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
// while such a create is in flight (the earlier run was killed) must not miss the job in its
// sweep and send the request again. Here the earlier run is still going (it stands for the
// killed one: its state is the same) when the next run starts; its 4th create is held until
// the next run starts, so it is in flight while that run decides what to send.
func TestSettleCoversCreatesSentLongAfterTheirIntent(t *testing.T) {
	emu, client := startEmulator(t, emulator.Options{})
	release := make(chan struct{})
	api := heldCreates{Client: client, delay: 700 * time.Millisecond, hold: 4, n: new(atomic.Int64), release: release}
	p := hourlyPlan(t, "settle", 3, 1) // 4 requests, one intent batch
	store := openStore(t, "")
	opts := quick()
	opts.Parallel, opts.RequestTimeout = 1, time.Second

	var wg sync.WaitGroup
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, firstErr = Run(background(t), api, store, []*plan.Plan{p}, opts)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for len(emu.Server.Jobs()) < 3 {
		if time.Now().After(deadline) {
			close(release)
			wg.Wait()
			t.Fatalf("the first run made %d jobs in 20s, want 3 before its held 4th create", len(emu.Server.Jobs()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(emu.Server.Jobs()); n != 3 {
		t.Fatalf("%d jobs while the 4th create is held, want 3", n)
	}
	// The 4th create of the first run goes out now and lands after its delay, while the
	// second run, started at once, decides what to send.
	close(release)
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatalf("first run: %v", firstErr)
	}
	if sum.Total.Triggered != 0 {
		t.Errorf("the second run triggered %d requests, want 0: every one was made by the first run", sum.Total.Triggered)
	}
	sameNames(t, jobNames(t, emu), names(p))
}
