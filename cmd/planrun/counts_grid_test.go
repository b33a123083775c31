package main

import (
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/state"
)

// gridCellRE finds the cells of the grid page with a request: state, failed-objects mark, tooltip.
var gridCellRE = regexp.MustCompile(`<td class="c" data-state="(\w+)"(?: data-objects-failed="(\d+)")? title="([^"]*)"`)

// pageCell is what a cell of the page says of its request's batch job.
type pageCell struct {
	state, ring, counts string
}

// readGridPage runs status --format html on the state and returns its cells by batch job id.
func readGridPage(t *testing.T, statePath string) map[string]pageCell {
	t.Helper()
	r := runCLI(t, nil, "status", "--state", statePath, "--format", "html")
	if r.code != 0 {
		t.Fatalf("status --format html: %d\n%s", r.code, r.stderr)
	}
	cells := map[string]pageCell{}
	for _, m := range gridCellRE.FindAllStringSubmatch(r.stdout, -1) {
		title := html.UnescapeString(m[3])
		id := regexp.MustCompile(`job id: (\S+)`).FindStringSubmatch(title)
		if id == nil || id[1] == "-" {
			continue
		}
		counts := regexp.MustCompile(`(\d+) of (\d+) objects failed`).FindString(title)
		cells[id[1]] = pageCell{state: m[1], ring: m[2], counts: counts}
	}
	return cells
}

// wantCounts are the counts the page should show per batch job, from the emulator's
// executions: latest attempt of each object through each workflow or tag, attempt 1 batch
// jobs only (a retry's execution counts for the batch job of its origin, found by object).
func wantCounts(emu *emulator.Running, ids map[string]bool, failedAt func(emulator.Execution) bool) map[string]string {
	objects, failed := map[string]int{}, map[string]int{}
	for _, x := range emu.Server.Executions("") {
		if !ids[x.BatchJobID] {
			continue
		}
		objects[x.BatchJobID]++
		if failedAt(x) {
			failed[x.BatchJobID]++
		}
	}
	out := map[string]string{}
	for id, n := range objects {
		out[id] = fmt.Sprintf("%d of %d objects failed", failed[id], n)
	}
	return out
}

// TestGridShowsObjectCountsAfterRunAndRetry: after run --wait --results, status --format
// html shows each batch job's "N of M objects failed" as the emulator's executions have
// it, with a red ring on a success cell whose objects failed; results on a state a run
// holds does not touch it; after retry --wait the counts are those of the latest attempts.
func TestGridShowsObjectCountsAfterRunAndRetry(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{FailRate: 0.3, PermanentShare: 0.5, PageSize: 7}})
	path := testenv.WritePlan(t, retryPlan)
	dir := t.TempDir()
	statePath := filepath.Join(dir, "s.db")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--qps", "0", "--state", statePath,
		"--wait", "--poll-interval", "10ms", "--quiet", "--results", filepath.Join(dir, "r.jsonl"), path)
	if r.code != 0 {
		t.Fatalf("run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ids := map[string]bool{}
	for _, j := range emu.Server.Jobs() {
		ids[j.ID] = true
	}
	want := wantCounts(emu, ids, func(x emulator.Execution) bool { return x.State == "Failed" })
	cells := readGridPage(t, statePath)
	ringed := 0
	for id, w := range want {
		c, ok := cells[id]
		if !ok || c.counts != w {
			t.Errorf("batch job %s: the page shows %+v, want %q", id, c, w)
		}
		if c.state == "success" && !strings.HasPrefix(w, "0 of") {
			ringed++
			if c.ring == "" {
				t.Errorf("batch job %s: a success cell with %s has no red ring", id, w)
			}
		}
		if strings.HasPrefix(w, "0 of") && c.ring != "" {
			t.Errorf("batch job %s: ringed with %s", id, w)
		}
	}
	if len(want) < 30 || ringed == 0 {
		t.Fatalf("%d batch jobs with executions, %d ringed success cells: the test proves nothing", len(want), ringed)
	}

	// The terminal and Markdown grids say the total.
	total, failed := 0, 0
	for _, x := range emu.Server.Executions("") {
		total++
		if x.State == "Failed" {
			failed++
		}
	}
	line := fmt.Sprintf("%d of %d objects failed", failed, total)
	for _, args := range [][]string{{"--grid"}, {"--format", "markdown"}} {
		r = runCLI(t, map[string]string{"COLUMNS": "80"}, append([]string{"status", "--state", statePath}, args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, line) {
			t.Errorf("status %v: exit %d, lacks %q:\n%s%s", args, r.code, line, r.stdout, r.stderr)
		}
		// success with failed objects is marked ("!" or a yellow square)
		if mark := map[bool]string{true: "!", false: "🟨"}[args[0] == "--grid"]; strings.Count(r.stdout, mark) < 2 {
			t.Errorf("status %v: no cell marked %q:\n%s", args, mark, r.stdout)
		}
	}

	// results beside a run that holds the state reads, exits as always, and leaves the state alone.
	held, err := state.Open(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := held.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := held.PutObjectCounts(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, emulatorVars(), "results", "--endpoint", emu.URL, "--qps", "0", "--state", statePath, path)
	held.Close()
	if r.code != 1 || strings.Contains(r.stderr, "state") {
		t.Errorf("results beside a held state: exit %d (want 1: objects failed)\n%s", r.code, r.stderr)
	}

	// retry --wait: transient failures succeed at attempt 2, permanent ones still fail.
	r = runCLI(t, emulatorVars(), "retry", "--endpoint", emu.URL, "--qps", "0", "--state", statePath,
		"--wait", "--poll-interval", "10ms", "--quiet", path)
	if r.code != 0 {
		t.Fatalf("retry: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want = wantCounts(emu, ids, func(x emulator.Execution) bool { return x.State == "Failed" && x.Permanent })
	cells = readGridPage(t, statePath)
	for id, w := range want {
		if c := cells[id]; c.counts != w {
			t.Errorf("after retry, batch job %s: the page shows %+v, want %q", id, c, w)
		}
	}
}

// TestResultsReadsAReadOnlyState: results reads the batch jobs of a state it cannot write,
// and does not fail for not keeping the counts.
func TestResultsReadsAReadOnlyState(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes read-only files: run as another user to test this")
	}
	emu, _ := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{PerPrefix: 3}})
	path := testenv.WritePlan(t, smallPlan)
	dir := filepath.Join(t.TempDir(), "ro")
	st := filepath.Join(dir, "state.db")
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", path); r.code != 0 {
		t.Fatalf("run: code %d: %s", r.code, r.stderr)
	}
	if err := os.Chmod(st, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	r := runCLI(t, emulatorVars(), "results", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--format", "json", path)
	if r.code != 0 || strings.Count(r.stdout, "\n") != len(emu.Server.Executions("")) || r.stderr != "" {
		t.Errorf("results on a read-only state: code %d, %d lines for %d executions\n%s", r.code,
			strings.Count(r.stdout, "\n"), len(emu.Server.Executions("")), r.stderr)
	}
}
