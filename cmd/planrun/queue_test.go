package main

import (
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// A paused queue stops the run with exit 1 and a line saying so, not the credentials hint
// (exit 2); a full queue is waited out and the run succeeds.
func TestQueueAnswersAreNotConfigurationErrors(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Faults: emulator.Faults{QueuePaused: true}})
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "s.db")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet", path)
	if r.code != 1 || !strings.Contains(r.stderr, "the queue is paused") || !strings.Contains(r.stderr, "run again once it is resumed") ||
		strings.Contains(r.stderr, "TENCENTCLOUD_SECRET_ID") {
		t.Fatalf("paused queue: code %d, want 1 with the reason\n%s", r.code, r.stderr)
	}
	emu.Server.SetFaults(emulator.Faults{})
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet", path); r.code != 0 {
		t.Fatalf("after resuming: code %d\n%s", r.code, r.stderr)
	}

	// The queue drains only when the test moves the emulator's clock, a minute (past every
	// job's end) after each full-queue answer: it fills however slow the machine is (jobs of
	// 40 ms on the wall clock could end before a loaded machine sent the 9th create).
	var ahead atomic.Int64
	full, _ := testenv.Start(t, emulator.Options{QueueLimit: 8, SubmittedFor: 20 * time.Second, RunningFor: 20 * time.Second,
		Clock: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }, MaxSkew: 24 * time.Hour})
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for seen := 0; ; {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if n := full.Server.Stats().Faults[emulator.FaultQueueSaturated]; n > seen {
				seen = n
				ahead.Add(int64(time.Minute))
			}
		}
	}()
	r = runCLI(t, emulatorVars(), "run", "--endpoint", full.URL, "--state", filepath.Join(t.TempDir(), "s.db"), "--retries", "0",
		"--qps", "0", "--quiet", path)
	close(stop)
	<-stopped
	if r.code != 0 || full.Server.Stats().Faults[emulator.FaultQueueSaturated] == 0 {
		t.Fatalf("full queue: code %d, want 0 (waited out) after the queue was full\n%s", r.code, r.stderr)
	}
}
