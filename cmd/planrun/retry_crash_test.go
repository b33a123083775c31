package main

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// TestCrashDuringRetryRetriesEachObjectExactlyOnce kills `planrun retry` with SIGKILL
// among its creates, reruns it until it completes, and checks that the service ends with
// exactly one retry batch job per failed object: a crash during retry is a crash during run.
func TestCrashDuringRetryRetriesEachObjectExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	ctx := relCtx(t, 10*time.Minute)
	bin := relBuild(t)
	dir := t.TempDir()
	path := testenv.WriteFile(t, filepath.Join(dir, "plan.yaml"), retryPlan)
	for trial := range 3 {
		re := startRetryEmulator(t, emulator.ObjectOptions{PerPrefix: 8000, FailRate: 0.4, PermanentShare: 0.5})
		emu := re.Server
		emu.SetFaults(emulator.Faults{UncertainRate: 0.05})
		st := filepath.Join(dir, "trial"+itoa(trial)+".db")
		// A rerun holds the creates the killed one left without an outcome for the settle
		// window (5 s at least when derived): the emulator makes a job before it answers,
		// so 2 s are plenty.
		args := func(cmd string) []string {
			return []string{cmd, "--endpoint", re.URL, "--state", st, "--parallel", "8", "--qps", "0", "--quiet", "--timeout", "1s",
				"--settle-window", "2s", path}
		}
		if r := crashStart(t, ctx, bin, dir, 0, args("run")...); r.code != 0 {
			t.Fatalf("run: exit %d\n%s%s", r.code, r.out, r.err)
		}
		re.advance()
		planJobs := len(emu.Jobs())
		want := map[string]bool{}
		rounds := map[string]bool{} // one URL-file retry batch job each (fewer than 10,000 objects)
		for k, x := range latestExecutions(emu) {
			if x.State == "Failed" {
				want[k] = true
				rounds[x.BatchJobID+" "+x.Workflow+x.Tag] = true
			}
		}
		k := 1 + rng.IntN(max(1, len(rounds)-1))
		r := crashStartWhen(t, ctx, bin, dir, time.Minute, func() bool { return len(emu.Jobs()) >= planJobs+k }, args("retry")...)
		atKill := len(emu.Jobs()) - planJobs
		var final crashRun
		for range 3 {
			if final = crashStart(t, ctx, bin, dir, 0, args("retry")...); final.code == 0 {
				break
			}
			t.Logf("trial %d: a rerun exited %d\n%s", trial, final.code, final.err)
		}
		if final.code != 0 {
			t.Fatalf("trial %d: no retry completed: %d\n%s%s", trial, final.code, final.out, final.err)
		}
		got := retryJobsSince(emu, planJobs)
		for _, key := range sortedKeys(got) {
			if !want[key] || got[key] != 1 {
				t.Errorf("trial %d: %q retried %d times (failed: %v)", trial, key, got[key], want[key])
			}
		}
		if len(got) != len(want) {
			t.Errorf("trial %d: %d objects retried, %d failed", trial, len(got), len(want))
		}
		t.Logf("trial %d (seed %d): killed=%v with %d of %d retries sent; in the end %d retry jobs for %d failed objects",
			trial, seed, r.killed, atKill, len(want), len(got), len(want))
	}
}
