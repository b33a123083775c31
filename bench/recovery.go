package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
)

// Recovery after kill -9: a run of recoveryN requests against a service slower than the
// request timeout (every create takes recoveryDelay, the client gives up after 1 s) is
// killed once the service has made recoveryKillAt of the jobs, and run again at once.
const (
	recoveryN      = 2000
	recoveryKillAt = 1800
	recoveryDelay  = 1200 * time.Millisecond
	recoveryTarget = 60 * time.Second
)

// benchRecovery measures how long the rerun right after a kill -9 takes, and that the
// service ends with each job once.
func benchRecovery(ctx context.Context, b *bench, t *table) error {
	const area = "11 recovery"
	emu, err := emulator.Start(emulator.Options{Seed: 21, Faults: emulator.Faults{CreateDelay: recoveryDelay}})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer emu.Close()
	p, err := writeWindowPlan(b.dir, "recovery", bucketFor("recovery"), recoveryN)
	if err != nil {
		return err
	}
	args := []string{"run", "--endpoint", emu.URL, "--state", filepath.Join(b.dir, "state-recovery.db"), "--quiet",
		"--parallel", "100", "--qps", "0", "--timeout", "1s", p}
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = benchEnv()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start planrun: %w", err)
	}
	for emu.Server.Stats().JobsCreated < recoveryKillAt && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Kill() // SIGKILL, to the child this bench started
	_ = cmd.Wait()
	atKill := emu.Server.Stats().JobsCreated
	res, rerr := runProc(ctx, b.dir, nil, true, b.bin, args...)
	time.Sleep(recoveryDelay + 500*time.Millisecond) // any create still in the making lands
	seen, dups := map[string]bool{}, 0
	for _, j := range emu.Server.Jobs() {
		if seen[j.Name] {
			dups++
		}
		seen[j.Name] = true
	}
	exit := "0"
	if rerr != nil {
		exit = rerr.Error()
	}
	t.add(area, fmt.Sprintf("rerun right after a kill -9 of `run --parallel 100 --timeout 1s` (%s requests; killed with %s jobs made; every create takes %v, longer than --timeout): wall time",
		thousands(recoveryN), thousands(atKill), recoveryDelay), fmt.Sprintf("%.1f s", res.Wall.Seconds()),
		fmt.Sprintf("<= %.0f s", recoveryTarget.Seconds()), check(rerr == nil && res.Wall <= recoveryTarget))
	t.add(area, "the same: exit status, jobs at the server (each Name once)", fmt.Sprintf("exit %s, %d jobs (duplicates: %d)", exit, len(seen), dups),
		"exit 0, "+strconv.Itoa(recoveryN)+" jobs, 0 duplicates", check(rerr == nil && len(seen) == recoveryN && dups == 0))
	return nil
}
