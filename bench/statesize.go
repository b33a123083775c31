package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// stateSizeTarget is the most the state file may cost per request.
const stateSizeTarget = 300

// benchStateSize measures what the state file costs per request, alone (the memory area
// measures it too, among slower steps): a fresh plan of b.stateSizeN hourly windows, run
// once against an emulator process into a fresh state; the file's size once the run has
// closed it (its write-ahead log checkpointed into it, and counted if one is left beside
// it) divided by the requests.
func benchStateSize(ctx context.Context, b *bench, t *table) error {
	const area = "12 state size"
	emu, err := startEmulator(ctx, b.bin, "--submitted-for", "0s", "--running-for", "0s")
	if err != nil {
		return err
	}
	defer emu.stop()
	n := b.stateSizeN
	p, err := writeWindowPlan(b.dir, "statesize", bucketFor("statesize"), n)
	if err != nil {
		return err
	}
	st := filepath.Join(b.dir, "state-size.db")
	defer func() {
		for _, f := range []string{st, st + "-wal", st + "-shm"} {
			os.Remove(f)
		}
	}()
	res, err := runProc(ctx, b.dir, nil, true, b.bin, "run", "--endpoint", emu.URL, "--state", st, "--quiet",
		"--max-requests", "0", "--parallel", "32", "--qps", "0", p)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	var size int64
	for _, f := range []string{st, st + "-wal"} {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	per := float64(size) / float64(n)
	t.add(area, fmt.Sprintf("state file after `run` of %s requests, bytes per request (%s in all; run took %s)",
		thousands(n), mib(size), res.Wall.Round(100*time.Millisecond)),
		fmt.Sprintf("%.0f B", per), fmt.Sprintf("<= %d B", stateSizeTarget), check(per <= stateSizeTarget))
	return nil
}
