package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// The loop of run --wait --max-attempts re-runs a batch job cancelled by the service (or
// the console), not one the user cancelled with planrun cancel; run --rerun cancelled
// sends the user's again, once; the loop run again sends nothing.
func TestLoopLeavesTheUsersCancels(t *testing.T) {
	re := startRetryEmulator(t, emulator.ObjectOptions{PerPrefix: 2})
	client := testenv.Client(t, re.URL)
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		t.Helper()
		head := []string{args[0], "--endpoint", re.URL, "--state", st, "--qps", "0"}
		if args[0] == "run" {
			head = append(head, "--quiet")
		}
		return runCLI(t, emulatorVars(), append(append(head, args[1:]...), path)...)
	}
	// loop runs the loop, moving the emulator's clock until it ends (every batch job it
	// sends then ends at once).
	loop := func() result {
		t.Helper()
		done := make(chan result, 1)
		go func() { done <- cli("run", "--wait", "--poll-interval", "10ms", "--max-attempts", "2") }()
		return untilDone(re, done)
	}

	if r := cli("run"); r.code != 0 || len(re.Server.Jobs()) != 31 {
		t.Fatalf("run: exit %d, %d batch jobs\n%s%s", r.code, len(re.Server.Jobs()), r.stdout, r.stderr)
	}
	if r := cli("cancel", "--job", "days"); r.code != 0 || strings.Count(r.stdout, "cancelled") < 30 {
		t.Fatalf("cancel --job days: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var one string // the request of job "one", cancelled from the console
	for _, j := range re.Server.Jobs() {
		if strings.Contains(j.Name, "-one-") {
			one = j.Name
			if err := client.Cancel(context.Background(), j.Bucket, j.Region, j.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	re.advance()

	r := loop()
	jobs := re.Server.Jobs()
	if r.code == 2 || len(jobs) != 32 || jobs[31].Name != plan.AttemptName(one, 2) {
		names := []string{}
		for _, j := range jobs[31:] {
			names = append(names, j.Name)
		}
		t.Fatalf("the loop: exit %d, sent %v; want only %s\n%s%s", r.code, names, plan.AttemptName(one, 2), r.stdout, r.stderr)
	}

	if r := cli("run", "--rerun", "cancelled"); r.code != 0 || len(re.Server.Jobs()) != 62 {
		t.Fatalf("run --rerun cancelled: exit %d, %d batch jobs, want 62\n%s%s", r.code, len(re.Server.Jobs()), r.stdout, r.stderr)
	}
	for _, j := range re.Server.Jobs()[32:] {
		if base, a := request.SplitAttempt(j.Name); a != 2 || !strings.Contains(base, "-days-") {
			t.Errorf("run --rerun cancelled sent %s", j.Name)
		}
	}
	if r := loop(); r.code == 2 || len(re.Server.Jobs()) != 62 {
		t.Fatalf("the loop again: exit %d, %d batch jobs, want 62\n%s%s", r.code, len(re.Server.Jobs()), r.stdout, r.stderr)
	}
}

// planrun cancel beside a run --wait --max-attempts that holds the state records the
// user's cancels anyway: the loop ends with the batch jobs cancelled, none sent again.
func TestCancelBesideTheLoop(t *testing.T) {
	re := startRetryEmulator(t, emulator.ObjectOptions{PerPrefix: 2})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	done := make(chan result, 1)
	go func() {
		done <- runCLI(t, emulatorVars(), "run", "--endpoint", re.URL, "--state", st, "--qps", "0", "--quiet", "--wait",
			"--poll-interval", "10ms", "--max-attempts", "3", path)
	}()
	// The jobs stay Submitted on the emulator's clock until the test moves it.
	for len(re.Server.Jobs()) < 31 {
		select {
		case r := <-done:
			t.Fatalf("the loop ended before the cancel: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
	c := runCLI(t, emulatorVars(), "cancel", "--endpoint", re.URL, "--state", st, "--format", "json", path)
	if c.code != 0 || strings.Count(c.stdout, `"outcome":"cancelled"`) != 31 || !strings.Contains(c.stderr, "in use by another planrun") {
		t.Fatalf("cancel beside the loop: exit %d\n%s%s", c.code, c.stdout, c.stderr)
	}
	r := untilDone(re, done)
	for _, j := range re.Server.Jobs() {
		if j.State != ciapi.StateCancel {
			t.Errorf("%s: %s; the loop sent a cancelled batch job again", j.Name, j.State)
		}
	}
	if r.code != 1 || len(re.Server.Jobs()) != 31 || !strings.Contains(r.stdout, "Jobs after --wait: Cancel 31") {
		t.Fatalf("the loop after the cancel: exit %d, %d batch jobs, want 1 and 31 cancelled\n%s%s", r.code, len(re.Server.Jobs()), r.stdout, r.stderr)
	}
}

// untilDone moves the emulator's clock (every batch job sent so far ends) until done
// yields, and returns what it yields.
func untilDone(re *retryEmu, done <-chan result) result {
	for {
		select {
		case r := <-done:
			return r
		case <-time.After(10 * time.Millisecond):
			re.advance()
		}
	}
}
