package main

import (
	"path/filepath"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// run --rerun failed re-sends exactly the batch jobs whose latest attempt ended Failed,
// each once (as the next attempt), and sends nothing once none did.
func TestRunRerunFailedSendsExactlyTheFailed(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{FailRate: 0.3, Seed: 3, Objects: emulator.ObjectOptions{PerPrefix: 2}})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		t.Helper()
		return runCLI(t, emulatorVars(), append(append([]string{"run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet"}, args...), path)...)
	}
	if r := cli("--wait", "--poll-interval", "10ms"); r.code != 1 {
		t.Fatalf("run --wait: exit %d, want 1 (batch jobs failed)\n%s%s", r.code, r.stdout, r.stderr)
	}
	failed := map[string]bool{}
	for _, j := range emu.Server.Jobs() {
		if j.State == ciapi.StateFailed {
			failed[j.Name] = true
		}
	}
	if len(failed) == 0 || len(failed) == 31 {
		t.Fatalf("%d of 31 batch jobs failed: the test needs some of each", len(failed))
	}
	// Each time, exactly the latest attempts that ended Failed are sent again, once: the
	// emulator's batch jobs end at once, and some attempts 2 fail again.
	for attempt := 2; len(failed) > 0; attempt++ {
		n := len(emu.Server.Jobs())
		if r := cli("--rerun", "failed"); r.code != 0 {
			t.Fatalf("run --rerun failed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		sent := emu.Server.Jobs()[n:]
		if len(sent) != len(failed) {
			t.Errorf("run --rerun failed sent %d batch jobs, want %d", len(sent), len(failed))
		}
		next := map[string]bool{}
		for _, j := range sent {
			base, a := request.SplitAttempt(j.Name)
			if prev := plan.AttemptName(base, a-1); a != attempt || !failed[prev] {
				t.Errorf("run --rerun failed sent %s", j.Name)
			}
			delete(failed, plan.AttemptName(base, a-1))
			if j.State == ciapi.StateFailed {
				next[j.Name] = true
			}
		}
		if len(failed) != 0 {
			t.Fatalf("not sent again: %v", failed)
		}
		failed = next
	}
	n := len(emu.Server.Jobs())
	if r := cli("--rerun", "failed"); r.code != 0 || len(emu.Server.Jobs()) != n {
		t.Errorf("run --rerun failed once nothing failed: exit %d, %d more batch jobs\n%s%s", r.code, len(emu.Server.Jobs())-n, r.stdout, r.stderr)
	}
}
