package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// TestRunRerunCancelled walks what a user does after `planrun cancel`: the preview lists
// every batch job as a rerun, `run --rerun cancelled` sends each once as attempt 2, status
// shows the attempts, the same command again sends nothing, and cancel reaches them.
func TestRunRerunCancelled(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		t.Helper()
		return runCLI(t, emulatorVars(), append(append([]string{args[0], "--endpoint", emu.URL, "--state", state, "--qps", "0"}, args[1:]...), path)...)
	}
	if r := cli("run", "--quiet"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	n := len(emu.Server.Jobs())
	if r := cli("cancel"); r.code != 0 {
		t.Fatalf("cancel: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := cli("run", "--quiet", "--rerun", "failed"); r.code != 0 || len(emu.Server.Jobs()) != n {
		t.Fatalf("run --rerun failed after a cancel: exit %d, %d jobs (want %d)\n%s%s", r.code, len(emu.Server.Jobs()), n, r.stdout, r.stderr)
	}

	d := cli("run", "--dry-run", "--format", "json", "--rerun", "cancelled")
	if d.code != 0 || strings.Count(d.stdout, `"action":"rerun"`) != n || strings.Count(d.stdout, `"attempt":2`) != n {
		t.Fatalf("dry run --rerun cancelled: exit %d, want %d reruns\n%s%s", d.code, n, d.stdout, d.stderr)
	}
	if d := cli("run", "--dry-run", "--rerun", "cancelled"); !strings.Contains(d.stdout, "-a2 (rerun)") {
		t.Errorf("the text preview does not mark the reruns:\n%s", d.stdout)
	}
	if d := cli("run", "--dry-run", "--rerun", "cancelled", "--max-requests", "3"); d.code != 1 || !strings.Contains(d.stderr, "--rerun would send") {
		t.Errorf("--max-requests does not count what --rerun sends: exit %d\n%s", d.code, d.stderr)
	}

	if r := cli("run", "--quiet", "--rerun", "cancelled", "--job", "one"); r.code != 0 || len(emu.Server.Jobs()) != n+1 {
		t.Fatalf("run --rerun cancelled --job one: exit %d, %d jobs (want %d)\n%s%s", r.code, len(emu.Server.Jobs()), n+1, r.stdout, r.stderr)
	}
	rep := filepath.Join(t.TempDir(), "r.json")
	r := cli("run", "--quiet", "--rerun", "cancelled", "--report", rep)
	if r.code != 0 {
		t.Fatalf("run --rerun cancelled: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The report lists every request at its attempt: n-1 sent now, the one of --job above skipped.
	if b, err := os.ReadFile(rep); err != nil || strings.Count(string(b), `"attempt":2`) != n ||
		strings.Count(string(b), `"status":"triggered"`) != n-1 {
		t.Errorf("the report of run --rerun cancelled: %v\n%s", err, b)
	}
	created := map[string]int{}
	for _, j := range emu.Server.Jobs() {
		created[j.Name]++
	}
	for name := range planNames(t, path) {
		if created[plan.AttemptName(name, 2)] != 1 {
			t.Errorf("attempt 2 of %s not created", name)
		}
	}
	if len(emu.Server.Jobs()) != 2*n {
		t.Fatalf("%d batch jobs after run --rerun cancelled, want %d", len(emu.Server.Jobs()), 2*n)
	}
	for name, c := range created {
		if c != 1 {
			t.Errorf("%s created %d times", name, c)
		}
	}
	s := runCLI(t, nil, "status", "--state", state, "--format", "json")
	if s.code != 0 || strings.Count(s.stdout, "\n") != n || strings.Count(s.stdout, `"attempt":2`) != n {
		t.Errorf("status after the rerun: exit %d, want %d lines at attempt 2\n%s%s", s.code, n, s.stdout, s.stderr)
	}
	if r := cli("run", "--quiet", "--rerun", "failed,cancelled"); r.code != 0 || len(emu.Server.Jobs()) != 2*n {
		t.Fatalf("run --rerun again: exit %d, %d jobs (want %d)\n%s%s", r.code, len(emu.Server.Jobs()), 2*n, r.stdout, r.stderr)
	}

	if r := cli("cancel"); r.code != 0 {
		t.Fatalf("cancel of the attempts: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, j := range emu.Server.Jobs() {
		if j.State != ciapi.StateCancel {
			t.Errorf("%s is %s after cancel", j.Name, j.State)
		}
	}
}

func TestRunRerunRefusesAnUnknownState(t *testing.T) {
	r := runCLI(t, nil, "run", "--dry-run", "--rerun", "failed,success", testenv.WritePlan(t, smallPlan))
	if r.code != 2 || !strings.Contains(r.stderr, "failed, cancelled") {
		t.Fatalf("run --rerun failed,success: exit %d, want 2 naming the states\n%s", r.code, r.stderr)
	}
}

// TestResultsReadTheLatestAttempt: after `run --rerun`, results name the objects of each
// request's latest attempt, not of the batch job it replaced.
func TestResultsReadTheLatestAttempt(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: 10 * time.Millisecond, RunningFor: 10 * time.Millisecond, FailRate: 1})
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		t.Helper()
		return runCLI(t, emulatorVars(), append(append([]string{args[0], "--endpoint", emu.URL, "--state", state, "--job", "one"}, args[1:]...), path)...)
	}
	cli("run", "--quiet", "--wait", "--poll-interval", "20ms")
	first := map[string]bool{}
	for _, j := range emu.Server.Jobs() {
		first[j.ID] = true
	}
	cli("run", "--quiet", "--wait", "--poll-interval", "20ms", "--rerun", "failed")
	if n := len(emu.Server.Jobs()); n != 2*len(first) || n == 0 {
		t.Fatalf("run --rerun failed: %d jobs, want %d", n, 2*len(first))
	}
	r := cli("results", "--format", "json")
	if strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("results printed nothing: exit %d\n%s", r.code, r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		for id := range first {
			if strings.Contains(line, `"`+id+`"`) {
				t.Errorf("results read the first attempt %s, which run --rerun replaced: %s", id, line)
			}
		}
	}
}
