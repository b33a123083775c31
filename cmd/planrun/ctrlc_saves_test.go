package main

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// TestCtrlCMidRunSavesEveryOutcome interrupts `planrun run` with one SIGINT once the
// service has made a random number of the jobs, with intents committed one batch ahead
// of the sends (CONTRACT §4: Ctrl-C stops starting new requests, lets those in flight
// finish, saves the state, exits 130). With no faults every create is answered, so the
// state must then record every job on the service as triggered, with its id, and leave
// no row "sending"; the rerun triggers the rest, each exactly once.
func TestCtrlCMidRunSavesEveryOutcome(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary and interrupts it")
	}
	const n, trials = 1200, 6
	ctx := relCtx(t, 10*time.Minute)
	bin := relBuild(t)
	dir := t.TempDir()
	planPath := testenv.Sized("ctrlc", n).Write(t, dir)
	want := relPlanNames(t, planPath)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	for i := range trials {
		emu, _ := testenv.Start(t, emulator.Options{Faults: emulator.Faults{Latency: time.Millisecond}})
		statePath := filepath.Join(dir, "s"+itoa(i)+".db")
		args := []string{"run", "--endpoint", emu.URL, "--state", statePath, "--parallel", []string{"1", "8", "32", "100"}[i%4],
			"--qps", "0", "--quiet", planPath}
		cmd, out, errOut := relStart(t, ctx, bin, dir, args)
		k := 1 + rng.IntN(n-1)
		go func() {
			deadline := time.Now().Add(time.Minute)
			for emu.Server.Stats().JobsCreated < k && time.Now().Before(deadline) {
				time.Sleep(200 * time.Microsecond)
			}
			_ = cmd.Process.Signal(syscall.SIGINT)
		}()
		err := cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != exitInterrupted && code != 0 {
			t.Fatalf("trial %d: exit %d\n%s\n%s", i, code, out.String(), errOut.String())
		}
		jobs := emu.Server.Jobs()
		store, err := state.Open(statePath)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]state.Record{}
		for r, err := range store.Records(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			rows[r.Name] = r
		}
		store.Close()
		sending := 0
		for _, r := range rows {
			if r.Status == request.Sending {
				sending++
			}
		}
		unsaved := 0
		for _, j := range jobs {
			if r, ok := rows[j.Name]; !ok || r.Status != request.Triggered || r.JobID != j.ID {
				unsaved++
				if unsaved <= 3 {
					t.Errorf("trial %d: job %s (%s) on the service, state row %+v", i, j.Name, j.ID, r)
				}
			}
		}
		if unsaved > 0 || sending > 0 {
			t.Errorf("trial %d (exit %d, SIGINT at %d jobs): %d of %d jobs not saved as triggered, %d rows left sending",
				i, code, k, unsaved, len(jobs), sending)
		}
		rerun := crashStart(t, ctx, bin, dir, 0, args...)
		if rerun.code != 0 {
			t.Fatalf("trial %d: rerun exit %d\n%s\n%s", i, rerun.code, rerun.out, rerun.err)
		}
		relCheckExactlyOnce(t, emu.Server, want)
		t.Logf("trial %d: --parallel %s, SIGINT at %d jobs: exit %d with %d jobs, all saved; rerun made %d", i, args[6], k, code,
			len(jobs), len(emu.Server.Jobs())-len(jobs))
		emu.Close()
	}
}

// TestSecondCtrlCExitsAtOnceAndRerunIsExactlyOnce: a second SIGINT more than a second
// after the first, while slow creates are still in flight, exits at once with 130 (CONTRACT
// §4); the state it leaves is consistent: a rerun makes every request exactly once.
func TestSecondCtrlCExitsAtOnceAndRerunIsExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary and interrupts it")
	}
	const n = 200
	ctx := relCtx(t, 5*time.Minute)
	bin := relBuild(t)
	dir := t.TempDir()
	planPath := testenv.Sized("ctrlc2", n).Write(t, dir)
	want := relPlanNames(t, planPath)
	emu, _ := testenv.Start(t, emulator.Options{Faults: emulator.Faults{Latency: 3 * time.Second}})
	statePath := filepath.Join(dir, "s.db")
	args := []string{"run", "--endpoint", emu.URL, "--state", statePath, "--parallel", "16", "--qps", "0", "--quiet",
		"--timeout", "4s", "--settle-window", "4s", planPath}
	cmd, out, errOut := relStart(t, ctx, bin, dir, args)
	var second time.Time
	go func() {
		deadline := time.Now().Add(time.Minute)
		for emu.Server.Stats().JobsCreated < 20 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGINT)
		time.Sleep(1200 * time.Millisecond) // past the grace in which two signals are one
		second = time.Now()
		_ = cmd.Process.Signal(syscall.SIGINT)
	}()
	err := cmd.Wait()
	exited := time.Now()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want 130\n%s\n%s", err, out.String(), errOut.String())
	}
	if second.IsZero() || exited.Sub(second) > time.Second {
		t.Errorf("exited %v after the second SIGINT (sent: %v), want at once", exited.Sub(second), !second.IsZero())
	}
	at := len(emu.Server.Jobs())
	emu.Server.SetFaults(emulator.Faults{}) // the rerun at full speed
	rerun := crashStart(t, ctx, bin, dir, 0, args...)
	if rerun.code != 0 {
		t.Fatalf("rerun exit %d\n%s\n%s", rerun.code, rerun.out, rerun.err)
	}
	relCheckExactlyOnce(t, emu.Server, want)
	t.Logf("exited %v after the second SIGINT with %d jobs made; the rerun ended with exactly %d",
		exited.Sub(second).Round(time.Millisecond), at, n)
}

// relStart starts the built planrun bin in dir with args, against the emulator's
// variables, its stdout and stderr gathered.
func relStart(t *testing.T, ctx context.Context, bin, dir string, args []string) (cmd *exec.Cmd, out, errOut *bytes.Buffer) {
	t.Helper()
	cmd = exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = relProcessEnv(relEmulatorVars())
	out, errOut = &bytes.Buffer{}, &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out, errOut
}
