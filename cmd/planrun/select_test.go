package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// dryLines decodes the JSON Lines of a dry run.
func dryLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		rows = append(rows, m)
	}
	return rows
}

func TestJobNarrowsThePreview(t *testing.T) {
	path := testenv.WritePlan(t, smallPlan)
	r := runCLI(t, nil, "run", "--dry-run", "--format", "json", "--job", "one", path)
	if r.code != 0 {
		t.Fatalf("code %d\n%s", r.code, r.stderr)
	}
	rows := dryLines(t, r.stdout)
	if len(rows) != 1 || rows[0]["job"] != "one" {
		t.Errorf("--job one previews %d rows %v, want the one request of job one", len(rows), rows)
	}

	r = runCLI(t, nil, "run", "--dry-run", "--format", "json", "--job", "small/days", "--since", "2024-01-03", "--until", "2024-01-04", path)
	if r.code != 0 {
		t.Fatalf("code %d\n%s", r.code, r.stderr)
	}
	rows = dryLines(t, r.stdout)
	if len(rows) != 4 {
		t.Fatalf("two days of two prefixes: %d rows, want 4", len(rows))
	}
	for _, row := range rows {
		w, _ := row["window"].(map[string]any)
		if row["job"] != "days" || w == nil || !strings.HasPrefix(w["start"].(string), "2024-01-0") {
			t.Errorf("unexpected row %v", row)
		}
		if s := w["start"].(string); s != "2024-01-03T00:00:00+0800" && s != "2024-01-04T00:00:00+0800" {
			t.Errorf("window starting %s is outside --since 2024-01-03 --until 2024-01-04", s)
		}
	}

	r = runCLI(t, nil, "run", "--dry-run", "--job", "dayz", path)
	if r.code != 2 {
		t.Fatalf("--job dayz: code %d, want 2\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "dayz") || !strings.Contains(r.stderr, "days, one") {
		t.Errorf("the error does not name the unknown job and list the plan's jobs:\n%s", r.stderr)
	}
	r = runCLI(t, nil, "run", "--dry-run", "--since", "2030-01-01", path)
	if r.code != 2 || !strings.Contains(r.stderr, "keeps no request") {
		t.Errorf("--since after every window: code %d, want 2 and why\n%s", r.code, r.stderr)
	}
}

func TestJobNarrowsRunAndStatus(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "state.db")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", "--job", "one", path)
	if r.code != 0 {
		t.Fatalf("run --job one: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	jobs := emu.Server.Jobs()
	if len(jobs) != 1 || !strings.HasPrefix(jobs[0].Name, "small-one-") {
		var names []string
		for _, j := range jobs {
			names = append(names, j.Name)
		}
		t.Fatalf("run --job one created %v, want the one request of job one", names)
	}
	r = runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", path)
	if r.code != 0 || len(emu.Server.Jobs()) != 31 {
		t.Fatalf("full run after it: code %d, %d jobs, want 31\n%s", r.code, len(emu.Server.Jobs()), r.stderr)
	}
	r = runCLI(t, nil, "status", "--state", st, "--format", "json", "--job", "days", "--since", "2024-01-15", path)
	if r.code != 0 {
		t.Fatalf("status: code %d\n%s", r.code, r.stderr)
	}
	if rows := dryLines(t, r.stdout); len(rows) != 2 {
		t.Errorf("status --job days --since 2024-01-15: %d rows, want 2 (the last day of two prefixes)", len(rows))
	}
	if r := runCLI(t, nil, "status", "--state", st, "--job", "days"); r.code != 2 {
		t.Errorf("status --job without plans: code %d, want 2", r.code)
	}
}

// retry --job retries only the failed objects of that plan job.
func TestJobNarrowsRetry(t *testing.T) {
	re := startRetryEmulator(t, emulator.ObjectOptions{FailRate: 0.3})
	path := testenv.WritePlan(t, retryPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		return runCLI(t, emulatorVars(), append([]string{args[0], "--endpoint", re.URL, "--qps", "0", "--state", st}, args[1:]...)...)
	}
	if r := cli("run", "--quiet", path); r.code != 0 {
		t.Fatalf("run: %d\n%s", r.code, r.stderr)
	}
	re.advance()
	all, nodes := 0, 0
	for _, x := range latestExecutions(re.Server) {
		if x.State == "Failed" {
			all++
			if x.Tag != "" {
				nodes++
			}
		}
	}
	if nodes == 0 || nodes == all {
		t.Skipf("the emulator failed %d node objects of %d: nothing to tell apart", nodes, all)
	}
	r := cli("retry", "--dry-run", "--format", "json", "--job", "nodes", path)
	rows := dryLines(t, r.stdout)
	if r.code != 0 || len(rows) != nodes {
		t.Fatalf("retry --dry-run --job nodes: exit %d, %d lines, want the %d failed node objects (of %d)\n%s", r.code, len(rows), nodes, all, r.stderr)
	}
	for _, row := range rows {
		if row["tag"] != "MediaInfo" {
			t.Errorf("retry --job nodes would retry %v", row)
		}
	}
}

// --max-requests counts what a selection would send, not the whole plan: a narrow
// --job/--since/--until of a large plan passes a limit the plan itself exceeds.
func TestMaxRequestsCountsTheSelection(t *testing.T) {
	path := filepath.Join(examples, "video-backfill.yaml") // 364 requests
	sel := []string{"--job", "q1-videos", "--since", "2024-01-01", "--until", "2024-01-03"}
	if r := runCLI(t, nil, append(append([]string{"run", "--dry-run", "--max-requests", "20"}, sel...), path)...); r.code != 0 {
		t.Errorf("a selection of a few requests under --max-requests 20: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, nil, append(append([]string{"run", "--dry-run", "--max-requests", "3"}, sel...), path)...)
	if r.code != 1 || !strings.Contains(r.stderr, "the selection holds") {
		t.Errorf("a selection over --max-requests 3: exit %d, want 1 naming the selection\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "run", "--dry-run", "--max-requests", "20", path); r.code != 1 || !strings.Contains(r.stderr, "364") {
		t.Errorf("the whole plan over --max-requests 20: exit %d\n%s", r.code, r.stderr)
	}
}
