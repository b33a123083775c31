package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// TestCancelBesideARunThatWaits: `cancel` while a `run --wait` holds the state (the moment
// people need it) cancels through the service, leaves the state to the run, and the run
// then ends reporting every job cancelled: in its summary, its JSON report and its exit
// status (1: a job ended Cancel).
func TestCancelBesideARunThatWaits(t *testing.T) {
	// Jobs run for an hour on the emulator's clock: only the cancel ends them.
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	path := testenv.WritePlan(t, smallPlan)
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

	c := runCLI(t, emulatorVars(), "cancel", "--endpoint", emu.URL, "--qps", "0", "--state", state, "--format", "json", path)
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

// TestGenerationsStayReachable: after `generation` is bumped or a job edited, status marks
// the requests the plan no longer makes, cancel reaches only the plan as it is now, and
// cancel --all-generations reaches the unfinished jobs of earlier generations and edited
// jobs too: from the state, and on a fresh machine by their names on the service. Another
// plan's jobs are never touched.
func TestGenerationsStayReachable(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gen2 := strings.Replace(smallPlan, "name: small\n", "name: small\ngeneration: 2\n", 1)
	v1, v2 := write("v1.yaml", smallPlan), write("v2.yaml", gen2)
	other := write("other.yaml", strings.Replace(smallPlan, "name: small\n", "name: smallish\n", 1))
	st := filepath.Join(dir, "s.db")
	run := func(path string) {
		t.Helper()
		if r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", path); r.code != 0 {
			t.Fatalf("run %s: exit %d\n%s%s", path, r.code, r.stdout, r.stderr)
		}
	}
	run(v1)
	run(v2)
	run(other)
	states := func() map[string]int {
		n := map[string]int{}
		for _, j := range emu.Server.Jobs() {
			if strings.HasPrefix(j.Name, "smallish-") {
				n["other "+j.State]++
			} else {
				n[j.State]++
			}
		}
		return n
	}
	if s := states(); s["Submitted"] != 62 || s["other Submitted"] != 31 {
		t.Fatalf("jobs on the service: %v", s)
	}

	// status marks the 31 requests of generation 1.
	r := runCLI(t, nil, "status", "--state", st, v2)
	if r.code != 0 || !strings.Contains(r.stdout, "IN PLAN") || !strings.Contains(r.stdout, "62 requests in the state") ||
		!strings.Contains(r.stdout, "31 no longer in the plan") || !strings.Contains(r.stdout, "--all-generations") {
		t.Fatalf("status v2: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "status", "--state", st, "--format", "json", v2)
	if n, m := strings.Count(r.stdout, `"in_plan":false`), strings.Count(r.stdout, `"in_plan":true`); r.code != 0 || n != 31 || m != 31 {
		t.Fatalf("status --format json v2: exit %d, %d rows out of the plan and %d in, want 31 and 31\n%s", r.code, n, m, r.stderr)
	}
	dry := runCLI(t, nil, "run", "--dry-run", "--format", "json", v2).stdout
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var row struct {
			Name   string `json:"name"`
			InPlan *bool  `json:"in_plan"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil || row.InPlan == nil {
			t.Fatalf("status row %q: %v", line, err)
		}
		if in := strings.Contains(dry, `"name":"`+row.Name+`"`); *row.InPlan != in {
			t.Errorf("row %s: in_plan %v, the dry run says %v", row.Name, *row.InPlan, in)
		}
	}
	// Without plans, status cannot tell: no column, no field.
	if r := runCLI(t, nil, "status", "--state", st, "--format", "json"); strings.Contains(r.stdout, "in_plan") {
		t.Errorf("status without plans marks rows:\n%s", r.stdout)
	}

	// cancel without the flag, from a fresh machine: generation 2 only.
	r = runCLI(t, emulatorVars(), "cancel", "--endpoint", emu.URL, "--qps", "0", "--state", filepath.Join(dir, "f1.db"), "--format", "json", v2)
	if r.code != 0 || strings.Count(r.stdout, `"outcome":"cancelled"`) != 31 || strings.Contains(r.stdout, "in_plan") {
		t.Fatalf("cancel v2: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if s := states(); s["Submitted"] != 31 || s["Cancel"] != 31 || s["other Submitted"] != 31 {
		t.Fatalf("after cancel v2: %v, want generation 1 still Submitted", s)
	}

	// --all-generations from another fresh machine: generation 1 found by its names.
	r = runCLI(t, emulatorVars(), "cancel", "--endpoint", emu.URL, "--qps", "0", "--state", filepath.Join(dir, "f2.db"), "--format", "json", "--all-generations", v2)
	if r.code != 0 || strings.Count(r.stdout, `"in_plan":false`) != 31 || strings.Count(r.stdout, `"outcome":"cancelled"`) != 31 ||
		strings.Count(r.stdout, `"outcome":"already finished"`) != 31 {
		t.Fatalf("cancel --all-generations v2: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if s := states(); s["Cancel"] != 62 || s["other Submitted"] != 31 {
		t.Fatalf("after cancel --all-generations: %v, want every job of plan small Cancel, smallish untouched", s)
	}

	// An edited job, with the state: run v3, edit job "one" (v4) and run it; the job v3
	// made for "one" is no longer in the plan, and --all-generations cancels it.
	gen3 := strings.Replace(gen2, "generation: 2", "generation: 3", 1)
	v3 := write("v3.yaml", gen3)
	v4 := write("v4.yaml", strings.Replace(gen3, "object: x/y.mp4", "object: x/z.mp4", 1))
	run(v3)
	run(v4)
	r = runCLI(t, emulatorVars(), "cancel", "--endpoint", emu.URL, "--qps", "0", "--state", st, "--all-generations", v4)
	if r.code != 0 || strings.Count(r.stdout, "cancelled (not in the plan") != 1 || !strings.Contains(r.stdout, "32 jobs: 32 cancelled") {
		t.Fatalf("cancel --all-generations v4: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if s := states(); s["Cancel"] != 62+32 || s["other Submitted"] != 31 {
		t.Fatalf("after cancel --all-generations v4: %v", s)
	}
}
