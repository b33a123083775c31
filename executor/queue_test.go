package executor

import (
	"errors"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// A full queue (403 QueueSaturated) is back-pressure: the run waits for room and completes,
// every job exactly once, without using up its retries (here none are allowed).
func TestSaturatedQueueIsWaitedOut(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{QueueLimit: 2, SubmittedFor: 30 * time.Millisecond, RunningFor: 30 * time.Millisecond})
	p := testenv.Hourly("queue", 8, 1).Parse(t)
	opts := quick()
	opts.Retries = -1
	sum, err := Run(background(t), client, openStore(t, ""), []*plan.Plan{p}, opts)
	if err != nil || sum.Total.Triggered != p.Count() {
		t.Fatalf("summary %+v, %v", sum.Total, err)
	}
	if n := emu.Server.Stats().Faults[emulator.FaultQueueSaturated]; n == 0 {
		t.Error("the queue was never full: the test proves nothing")
	}
	sameNames(t, jobNames(t, emu), names(p))
}

// A paused queue (403 QueuePaused) stops the run: not a configuration error, no request
// failed, the state keeps them pending, and a run after the queue is resumed sends them.
func TestPausedQueueStopsTheRun(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{QueuePaused: true}})
	p := testenv.Hourly("paused", 4, 1).Parse(t)
	store := openStore(t, "")
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, quick())
	var qp *QueuePausedError
	var ce *ConfigError
	if !errors.As(err, &qp) || errors.As(err, &ce) || sum.Total.Failed != 0 || sum.Total.Triggered != 0 {
		t.Fatalf("summary %+v, %v: want the run stopped on the paused queue", sum.Total, err)
	}
	emu.Server.SetFaults(emulator.Faults{})
	sum, err = Run(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil || sum.Total.Triggered != p.Count() {
		t.Fatalf("after resuming: %+v, %v", sum.Total, err)
	}
	sameNames(t, jobNames(t, emu), names(p))
}
