package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/state"
)

// resultsFailRate is the share of objects whose (first) attempt fails in the results figures.
const resultsFailRate = 0.01

// benchResults measures `planrun results` over one batch job of many objects: an emulator
// (a process) whose prefix holds b.resultsN objects, 1% of which fail; `planrun run --wait`
// triggers the plan's one request (a prefix without a window: every object), then
// `planrun results --format json` reads every execution. Figures: the peak RSS of the
// results process (and against a tenth of the objects: memory must not follow them), its
// list and detail calls at the emulator against the documented cost (one list per 100
// objects, one detail per failed workflow execution), that the lines equal the emulator's
// executions, and that the state kept the batch job's counts.
func benchResults(ctx context.Context, b *bench, t *table) error {
	const area = "7 results"
	small, err := measureResults(ctx, b, b.resultsN/10)
	if err != nil {
		return err
	}
	m, err := measureResults(ctx, b, b.resultsN)
	if err != nil {
		return err
	}
	fig := fmt.Sprintf("`planrun results --format json`, one batch job of %s objects (%s failed, emulator fail rate %s): peak RSS",
		thousands(m.objects), thousands(m.failed), pct(resultsFailRate))
	t.add(area, fig, mib(m.rss), "<= 128 MiB", check(m.rss <= 128<<20))
	ratio := float64(m.rss) / float64(max(small.rss, 1))
	t.add(area, fmt.Sprintf("the same at %s objects: peak RSS; %s / %s", thousands(small.objects), thousands(m.objects), thousands(small.objects)),
		fmt.Sprintf("%s; %.2f", mib(small.rss), ratio), "ratio <= 1.5", check(ratio <= 1.5))
	t.add(area, "the same: wall time", fmt.Sprintf("%.2f s (%s objects/s)", m.wall, thousands(int(float64(m.objects)/max(m.wall, 1e-9)))), "", nil)
	allowedLists := (m.objects + 99) / 100
	t.add(area, "the same: list calls", strconv.Itoa(m.lists), fmt.Sprintf("<= %d (1 per 100 objects, + 1)", allowedLists+1), check(m.lists <= allowedLists+1))
	t.add(area, "the same: detail calls", strconv.Itoa(m.details), fmt.Sprintf("= %d (1 per failed execution)", m.failed), check(m.details == m.failed))
	t.add(area, "the same: JSON lines (failed) / the emulator's executions (failed)",
		fmt.Sprintf("%s (%s) / %s (%s)", thousands(m.lines), thousands(m.linesFailed), thousands(m.objects), thousands(m.failed)),
		"equal", check(m.lines == m.objects && m.linesFailed == m.failed))
	t.add(area, "the same: counts the state keeps for the grid (status --format html)", m.kept,
		fmt.Sprintf("%s of %s objects failed", thousands(m.failed), thousands(m.objects)), check(m.keptOK))
	return nil
}

// resultsMeasure is what one results measurement gave.
type resultsMeasure struct {
	objects, failed    int // the emulator's executions, and those that failed
	rss                int64
	wall               float64
	lists, details     int
	lines, linesFailed int
	kept               string // the counts the state kept
	keptOK             bool
}

// measureResults runs an emulator of n objects per prefix, `planrun run --wait` of the
// one-request plan, then `planrun results --format json`.
func measureResults(ctx context.Context, b *bench, n int) (resultsMeasure, error) {
	var m resultsMeasure
	// The emulator runs as a process of its own, so the bench stays small (see rssLauncherArg).
	emu, err := startEmulator(ctx, b.bin, "--submitted-for", "0", "--running-for", "0",
		"--objects-per-prefix", strconv.Itoa(n), "--object-fail-rate", fmt.Sprint(resultsFailRate), "--permanent-share", "0.5")
	if err != nil {
		return m, err
	}
	defer emu.stop()
	tag := "results" + strconv.Itoa(n)
	p, err := writeFile(b.dir, tag+".yaml", fmt.Sprintf(`version: 1
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
		return m, err
	}
	statePath := filepath.Join(b.dir, "state-"+tag+".db")
	if _, err := runProc(ctx, b.dir, nil, true, b.bin, "run", "--endpoint", emu.URL, "--state", statePath,
		"--quiet", "--wait", "--poll-interval", "200ms", p); err != nil {
		return m, fmt.Errorf("run --wait: %w", err)
	}
	before, err := emu.stats(ctx)
	if err != nil {
		return m, err
	}
	res, err := runProc(ctx, b.dir, nil, false, b.bin, "results", "--endpoint", emu.URL, "--state", statePath,
		"--qps", "0", "--format", "json", p)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: objects failed, as they should
		return m, fmt.Errorf("results: %w", err)
	}
	after, err := emu.stats(ctx)
	if err != nil {
		return m, err
	}
	execs, err := emu.executions(ctx)
	if err != nil {
		return m, err
	}
	m.objects = len(execs)
	for _, x := range execs {
		if x.State == "Failed" {
			m.failed++
		}
	}
	m.rss, m.wall = res.MaxRSS, res.Wall.Seconds()
	m.lists = after.Calls[emulator.OpListExecutions] - before.Calls[emulator.OpListExecutions]
	m.details = after.Calls[emulator.OpDescribeExecution] - before.Calls[emulator.OpDescribeExecution]
	m.lines = bytes.Count(res.Stdout, []byte("\n"))
	m.linesFailed = bytes.Count(res.Stdout, []byte(`"state":"Failed"`))

	store, err := state.OpenReadOnly(statePath)
	if err != nil {
		return m, err
	}
	defer store.Close()
	m.kept = "none"
	for c, err := range store.ObjectCountsOf(ctx) {
		if err != nil {
			return m, err
		}
		m.kept = fmt.Sprintf("%s of %s objects failed", thousands(c.Failed), thousands(c.Objects))
		m.keptOK = c.Objects == m.objects && c.Failed == m.failed
	}
	return m, nil
}
