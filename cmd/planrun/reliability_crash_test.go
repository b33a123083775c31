package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/state"
)

// The crash test is short by default (600 requests, 4 kills). The long version:
//
//	go test ./cmd/planrun -run Crash -v -timeout 30m -crash.kills=20 -crash.requests=5000
//
// (or scripts/crashtest.sh). -crash.seed replays the kill instants of a logged run.
var (
	crashKills    = flag.Int("crash.kills", 4, "crash test: how many runs are killed with SIGKILL")
	crashRequests = flag.Int("crash.requests", 600, "crash test: how many requests the plan expands to (>= 12)")
	crashSeed     = flag.Uint64("crash.seed", 0, "crash test: seed of the kill instants (0: random, logged)")
	crashParallel = flag.Int("crash.parallel", 32, "crash test: --parallel of the runs (the intent batches are 2x it, 16 to 256)")
)

// crashRun is one planrun process of the crash test.
type crashRun struct {
	killed   bool // the process was still running when SIGKILL arrived
	code     int  // exit status when not killed
	elapsed  time.Duration
	out, err string
}

// crashStart runs bin with args against the emulator; when killAfter > 0 it sends SIGKILL
// after that long (if the process is still running).
func crashStart(t *testing.T, ctx context.Context, bin, dir string, killAfter time.Duration, args ...string) crashRun {
	return crashStartWhen(t, ctx, bin, dir, killAfter, nil, args...)
}

// crashStartWhen is crashStart that also kills as soon as killWhen (polled every
// millisecond, when not nil) returns true.
func crashStartWhen(t *testing.T, ctx context.Context, bin, dir string, killAfter time.Duration, killWhen func() bool, args ...string) crashRun {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = relProcessEnv(map[string]string{
		"TENCENTCLOUD_SECRET_ID":  emulator.DefaultSecretID,
		"TENCENTCLOUD_SECRET_KEY": emulator.DefaultSecretKey,
	})
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start planrun: %v", err)
	}
	var timer *time.Timer
	if killAfter > 0 {
		timer = time.AfterFunc(killAfter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	}
	done := make(chan struct{})
	if killWhen != nil {
		go func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
					if killWhen() {
						_ = cmd.Process.Signal(syscall.SIGKILL)
						return
					}
				}
			}
		}()
	}
	err := cmd.Wait()
	close(done)
	if timer != nil {
		timer.Stop()
	}
	r := crashRun{elapsed: time.Since(start), out: out.String(), err: errOut.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		} else {
			r.code = ee.ExitCode()
		}
	default:
		t.Fatalf("wait for planrun: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("planrun did not finish in time: %v\nstderr: %s", ctx.Err(), r.err)
	}
	return r
}

// relProcessEnv is the environment of a planrun subprocess: the test's, without any
// TENCENTCLOUD_* or PLANRUN_* variable, plus vars.
func relProcessEnv(vars map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TENCENTCLOUD_") || strings.HasPrefix(kv, "PLANRUN_") {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// TestCrashKill9ThenRerunTriggersEachRequestExactlyOnce kills `planrun run` with SIGKILL
// at random instants, reruns it, and checks that the service ends with exactly one job per
// request of the plan: the README's first guarantee, "every request triggered exactly once
// across reruns, fresh machines and kill -9".
func TestCrashKill9ThenRerunTriggersEachRequestExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the crash test builds the binary and kills it repeatedly")
	}
	if *crashRequests < 12 || *crashKills < 0 {
		t.Fatalf("-crash.requests must be >= 12 and -crash.kills >= 0")
	}
	n, kills := *crashRequests, *crashKills
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	ctx := relCtx(t, 30*time.Minute)
	bin := relBuild(t)
	dir := t.TempDir()
	planPath := testenv.Sized("crash", n).Write(t, dir)
	want := relPlanNames(t, planPath)
	if len(want) != n {
		t.Fatalf("the plan expands to %d requests, want %d", len(want), n)
	}
	faults := emulator.Faults{UncertainRate: 0.05}
	// A run that finds creates of a killed run younger than the settle window first waits
	// for them to land (executor settle): a short timeout and window (the emulator makes a
	// job before it answers; a derived window is 5 s at least) keep the reruns short.
	const timeout = time.Second
	runArgs := func(emu *emulator.Running, state string) []string {
		return []string{"run", "--endpoint", emu.URL, "--state", state, "--parallel", itoa(*crashParallel), "--qps", "0", "--quiet",
			"--timeout", timeout.String(), "--settle-window", (2 * timeout).String(), planPath}
	}

	// Measure how long an uninterrupted run takes, on an emulator of its own.
	cal, _ := testenv.Start(t, emulator.Options{Faults: faults})
	calRun := crashStart(t, ctx, bin, dir, 0, runArgs(cal, filepath.Join(dir, "calibration.db"))...)
	if calRun.code != 0 {
		t.Fatalf("calibration run: exit %d\n%s\n%s", calRun.code, calRun.out, calRun.err)
	}
	relCheckExactlyOnce(t, cal.Server, want)
	// And a run with nothing left to do: the fixed cost (start, state, reconcile).
	idleRun := crashStart(t, ctx, bin, dir, 0, runArgs(cal, filepath.Join(dir, "calibration.db"))...)
	if idleRun.code != 0 {
		t.Fatalf("calibration rerun: exit %d\n%s\n%s", idleRun.code, idleRun.out, idleRun.err)
	}
	relCheckExactlyOnce(t, cal.Server, want)
	cal.Close()
	full, idle := calRun.elapsed, min(idleRun.elapsed, calRun.elapsed)
	t.Logf("crash: seed %d, --parallel %d; an uninterrupted run of %d requests takes %v, a run with nothing to do %v",
		seed, *crashParallel, n, full.Round(time.Millisecond), idle.Round(time.Millisecond))

	// Each trial is a fresh service and a fresh state: one run killed at a random instant of
	// an uninterrupted run's duration, then runs to completion, then the check.
	landed, finished, runs, dupsFound, creates, uncertain := 0, 0, 0, 0, 0, 0
	var midRun []int // jobs on the service when a kill landed
	for i := range kills {
		emu, _ := testenv.Start(t, emulator.Options{Faults: faults})
		state := filepath.Join(dir, "state", "trial"+itoa(i+1)+".db")
		// Odd trials kill at a random instant of an uninterrupted run's duration (start-up,
		// reconciliation, sends, the last state writes); even ones as soon as the service
		// has created a random number of the jobs, so that the kill lands among the creates.
		at := time.Duration(rng.Int64N(int64(full)) + 1)
		how := "after " + at.Round(time.Millisecond).String()
		var when func() bool
		if i%2 == 1 {
			k := 1 + rng.IntN(n-1)
			at = 2 * full // a fallback, should the count never be reached
			when = func() bool { return emu.Server.Stats().JobsCreated >= k }
			how = "once the service had created " + itoa(k) + " jobs"
		}
		r := crashStartWhen(t, ctx, bin, dir, at, when, runArgs(emu, state)...)
		runs++
		at0 := len(emu.Server.Jobs())
		switch {
		case r.killed:
			landed++
			midRun = append(midRun, at0)
		case r.code == 0 || r.code == exitFailed:
			finished++
		default:
			t.Fatalf("trial %d: exit %d\nstdout: %s\nstderr: %s", i+1, r.code, r.out, r.err)
		}
		// Then runs to completion (the first should do; a few more are allowed for requests
		// that ran out of retries under the injected faults).
		var final crashRun
		for attempt := 0; attempt < 3; attempt++ {
			runs++
			final = crashStart(t, ctx, bin, dir, 0, runArgs(emu, state)...)
			if final.code == 0 {
				break
			}
			t.Logf("crash: trial %d, final run %d: exit %d\n%s", i+1, attempt+1, final.code, final.out)
		}
		if final.code != 0 {
			t.Fatalf("trial %d: no run completed: exit %d\nstdout: %s\nstderr: %s", i+1, final.code, final.out, final.err)
		}
		jobs := relJobs(emu.Server)
		dupsFound += len(relDuplicates(jobs))
		relCheckExactlyOnce(t, emu.Server, want)
		st := emu.Server.Stats()
		if st.JobsCreated != n {
			t.Errorf("trial %d: the emulator created %d jobs, want %d", i+1, st.JobsCreated, n)
		}
		relCheckStateDone(t, state, want)
		creates += st.Calls[emulator.OpCreate]
		uncertain += st.Faults[emulator.FaultUncertain500] + st.Faults[emulator.FaultUncertainReset]
		t.Logf("crash: trial %d: killed=%v (%s) with %d of %d jobs on the service; after the rerun %d jobs, %d distinct names",
			i+1, r.killed, how, at0, n, len(emu.Server.Jobs()), len(jobs))
		emu.Close()
	}
	t.Logf("crash: %d trials of %d requests: %d kills landed mid-run (jobs on the service at the kill: %v), %d runs ended "+
		"before their kill, %d runs in all (+2 calibration); every trial ended with exactly %d jobs, %d duplicates; "+
		"%d creates sent, %d uncertain answers injected", kills, n, landed, midRun, finished, runs, n, dupsFound, creates, uncertain)
}

// relCheckStateDone fails unless the state file records every name as done.
func relCheckStateDone(t *testing.T, path string, want []string) {
	t.Helper()
	store, err := state.Open(path)
	if err != nil {
		t.Fatalf("open state after the runs: %v", err)
	}
	defer store.Close()
	done := map[string]bool{}
	for rec, err := range store.Records(context.Background()) {
		if err != nil {
			t.Fatalf("read state: %v", err)
		}
		if rec.Done() {
			done[rec.Name] = true
		}
	}
	for _, name := range want {
		if !done[name] {
			t.Errorf("the state does not record %s as done", name)
		}
	}
}
