package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/state"
)

// resultsFailRate is the share of objects whose (first) attempt fails in the results figures.
const resultsFailRate = 0.01

// benchResults measures `planrun results` over one batch job of many objects: an in-process
// emulator whose prefix holds b.resultsN objects, 1% of which fail; `planrun run --wait`
// triggers the plan's one request (a prefix without a window: every object), then
// `planrun results --format json` reads every execution. Figures: the peak RSS of the
// results process, its list and detail calls at the emulator against the documented cost
// (one list per 100 objects, one detail per failed workflow execution), that the lines equal
// the emulator's executions, and that the state kept the batch job's counts.
func benchResults(ctx context.Context, b *bench, t *table) error {
	const area = "7 results"
	n := b.resultsN
	emu, err := emulator.Start(emulator.Options{Seed: 7,
		Objects: emulator.ObjectOptions{PerPrefix: n, FailRate: resultsFailRate, PermanentShare: 0.5}})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer emu.Close()
	p, err := writeFile(b.dir, "results.yaml", fmt.Sprintf(`version: 1
name: results
defaults:
  bucket: %s
  region: %s
  workflow: %s
jobs:
  - name: everything
    prefix: input/video/
`, bucketFor("results"), benchRegion, benchWorkflow))
	if err != nil {
		return err
	}
	statePath := filepath.Join(b.dir, "state-results.db")
	if _, err := runProc(ctx, b.dir, nil, true, b.bin, "run", "--endpoint", emu.URL, "--state", statePath,
		"--quiet", "--wait", "--poll-interval", "200ms", p); err != nil {
		return fmt.Errorf("run --wait: %w", err)
	}
	want, failed := 0, 0
	for _, x := range emu.Server.Executions("") {
		want++
		if x.State == "Failed" {
			failed++
		}
	}
	before := emu.Server.Stats()
	res, err := runProc(ctx, b.dir, nil, false, b.bin, "results", "--endpoint", emu.URL, "--state", statePath,
		"--qps", "0", "--format", "json", p)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: objects failed, as they should
		return fmt.Errorf("results: %w", err)
	}
	after := emu.Server.Stats()
	lists := after.Calls[emulator.OpListExecutions] - before.Calls[emulator.OpListExecutions]
	details := after.Calls[emulator.OpDescribeExecution] - before.Calls[emulator.OpDescribeExecution]
	lines := bytes.Count(res.Stdout, []byte("\n"))
	linesFailed := bytes.Count(res.Stdout, []byte(`"state":"Failed"`))

	fig := fmt.Sprintf("`planrun results --format json`, one batch job of %s objects (%s failed, emulator fail rate %s): peak RSS",
		thousands(want), thousands(failed), pct(resultsFailRate))
	t.add(area, fig, mib(res.MaxRSS), "<= 128 MiB", check(res.MaxRSS <= 128<<20))
	t.add(area, "the same: wall time", fmt.Sprintf("%.2f s (%s objects/s)", res.Wall.Seconds(), thousands(int(float64(want)/max(res.Wall.Seconds(), 1e-9)))), "", nil)
	allowedLists := (want + 99) / 100
	t.add(area, "the same: list calls", fmt.Sprintf("%d", lists), fmt.Sprintf("<= %d (1 per 100 objects, + 1)", allowedLists+1), check(lists <= allowedLists+1))
	t.add(area, "the same: detail calls", fmt.Sprintf("%d", details), fmt.Sprintf("= %d (1 per failed execution)", failed), check(details == failed))
	t.add(area, "the same: JSON lines (failed) / the emulator's executions (failed)",
		fmt.Sprintf("%s (%s) / %s (%s)", thousands(lines), thousands(linesFailed), thousands(want), thousands(failed)), "equal", check(lines == want && linesFailed == failed))

	store, err := state.OpenReadOnly(statePath)
	if err != nil {
		return err
	}
	defer store.Close()
	got := "none"
	ok := false
	for c, err := range store.ObjectCountsOf(ctx) {
		if err != nil {
			return err
		}
		got = fmt.Sprintf("%s of %s objects failed", thousands(c.Failed), thousands(c.Objects))
		ok = c.Objects == want && c.Failed == failed
	}
	t.add(area, "the same: counts the state keeps for the grid (status --format html)", got,
		fmt.Sprintf("%s of %s objects failed", thousands(failed), thousands(want)), check(ok))
	return nil
}
