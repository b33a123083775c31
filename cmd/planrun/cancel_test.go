package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
)

// TestCancelBesideARunThatWaits: `cancel` while a `run --wait` holds the state (the moment
// people need it) cancels through the service, leaves the state to the run, and the run
// then ends reporting every job cancelled: in its summary, its JSON report and its exit
// status (1: a job ended Cancel).
func TestCancelBesideARunThatWaits(t *testing.T) {
	// Jobs run for an hour on the emulator's clock: only the cancel ends them.
	emu := startEmulator(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	path := writePlan(t, smallPlan)
	dir := t.TempDir()
	state, rep := filepath.Join(dir, "s.db"), filepath.Join(dir, "r.json")
	done := make(chan result, 1)
	go func() {
		done <- runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0",
			"--quiet", "--wait", "--poll-interval", "20ms", "--report", rep, path)
	}()
	// The run holds the state from before its first create; once every job exists it
	// is following them.
	deadline := time.Now().Add(time.Minute)
	for len(emu.Server.Jobs()) < 31 {
		select {
		case r := <-done:
			t.Fatalf("run ended before its jobs were cancelled: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run made %d of 31 jobs in a minute", len(emu.Server.Jobs()))
		}
		time.Sleep(5 * time.Millisecond)
	}

	c := runCLI(t, emulatorVars(), "cancel", "--endpoint", emu.URL, "--state", state, "--format", "json", path)
	if c.code != 0 || strings.Count(c.stdout, `"outcome":"cancelled"`) != 31 {
		t.Fatalf("cancel beside the run: exit %d\n%s%s", c.code, c.stdout, c.stderr)
	}
	if !strings.Contains(c.stderr, "in use by another planrun") || !strings.Contains(c.stderr, "through the service only") {
		t.Errorf("cancel does not say it left the state to the run: %q", c.stderr)
	}

	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the run still waits a minute after its jobs were cancelled")
	}
	if r.code != 1 || !strings.Contains(r.stdout, "Jobs after --wait: Cancel 31") {
		t.Fatalf("run after the cancel: exit %d, want 1 and every job Cancel\n%s%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var js waitJSON
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	if js.Wait == nil || js.Wait.States["Cancel"] != 31 || len(js.Wait.Failed) != 31 || len(js.Requests) != 31 {
		t.Fatalf("report wait = %+v, %d rows; want 31 jobs Cancel", js.Wait, len(js.Requests))
	}
	for _, q := range js.Requests {
		if q.State != "Cancel" {
			t.Errorf("report row %s has state %q, want Cancel", q.Name, q.State)
		}
	}
	// The run recorded the jobs' final state: status shows them cancelled.
	s := runCLI(t, nil, "status", "--state", state, "--format", "json")
	if s.code != 0 || strings.Count(s.stdout, `"Cancel"`) != 31 {
		t.Errorf("status after the run: exit %d, %d rows Cancel, want 31\n%s%s", s.code, strings.Count(s.stdout, `"Cancel"`), s.stdout, s.stderr)
	}
}
