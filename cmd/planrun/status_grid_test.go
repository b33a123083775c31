package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// TestStatusGrid runs a plan with --wait, then draws its state as a grid: in the terminal
// (80 columns), as a page and as Markdown, and in the step summaries of run and status.
func TestStatusGrid(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	state := filepath.Join(dir, "s.db")
	summary := filepath.Join(dir, "summary.md")
	vars := emulatorVars()
	vars["GITHUB_STEP_SUMMARY"] = summary
	r := runCLI(t, vars, "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet", "--wait", "--poll-interval", "10ms", path)
	if r.code != 0 {
		t.Fatalf("run: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "### Windows") || !strings.Contains(string(md), "| days | a/ | w7476ff3… | ·"+strings.Repeat("🟩", 15)+" | 15/15 | 0 |") {
		t.Errorf("the run's step summary lacks the grid:\n%s", md)
	}

	r = runCLI(t, map[string]string{"COLUMNS": "80"}, "status", "--grid", "--state", state)
	if r.code != 0 {
		t.Fatalf("status --grid: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if utf8.RuneCountInString(line) > 80 {
			t.Errorf("line wider than 80 columns: %q", line)
		}
	}
	if !strings.Contains(r.stdout, "days a/ w7476ff3…      "+strings.Repeat("#", 15)+" 15/15 ok") || !strings.Contains(r.stdout, "one x/y.mp4 w7476ff3… #") {
		t.Errorf("status --grid:\n%s", r.stdout)
	}

	r = runCLI(t, nil, "status", "--format", "html", "--state", state)
	if r.code != 0 || strings.Count(r.stdout, `data-state="success"`) != 31+1 || !strings.Contains(r.stdout, "<h1>planrun · small</h1>") {
		t.Errorf("status --format html: code %d, %d success cells (want 31 and the legend's)\n%s", r.code,
			strings.Count(r.stdout, `data-state="success"`), r.stderr)
	}

	r = runCLI(t, vars, "status", "--format", "markdown", "--state", state)
	if r.code != 0 || !strings.Contains(r.stdout, "| one | x/y.mp4 | w7476ff3… | 🟩"+strings.Repeat("·", 15)+" | 1/1 | 0 |") {
		t.Errorf("status --format markdown: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	md, _ = os.ReadFile(summary)
	if n := strings.Count(string(md), "### Windows"); n != 2 {
		t.Errorf("step summary holds %d grids after run and status, want 2", n)
	}

	if r := runCLI(t, nil, "status", "--grid", "--format", "json", "--state", state); r.code != 2 {
		t.Errorf("status --grid --format json: code %d, want 2", r.code)
	}
}

// TestRunAndResultsWriteTheGridPage: run --html writes the page after the run, results --html
// with each batch job's object counts ("2 of 5 objects failed").
func TestRunAndResultsWriteTheGridPage(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{FailRate: 0.3, PageSize: 2}})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	runPage, resPage := filepath.Join(dir, "run.html"), filepath.Join(dir, "results.html")
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", "--html", runPage, path); r.code != 0 {
		t.Fatalf("run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	page, err := os.ReadFile(runPage)
	if err != nil || strings.Count(string(page), `<td class="c" data-state=`) != 31 {
		t.Fatalf("run --html: %v, %d cells", err, strings.Count(string(page), `<td class="c" data-state=`))
	}
	r := runCLI(t, emulatorVars(), "results", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--html", resPage, path)
	if r.code != 1 {
		t.Fatalf("results: %d, want 1 (some objects failed)\n%s", r.code, r.stderr)
	}
	page, err = os.ReadFile(resPage)
	if err != nil {
		t.Fatal(err)
	}
	objects, failed := 0, 0
	for _, x := range emu.Server.Executions("") {
		objects++
		if x.State == "Failed" {
			failed++
		}
	}
	if want := fmt.Sprintf("; %d of %d objects failed", failed, objects); failed == 0 || !strings.Contains(string(page), want) {
		t.Errorf("results --html lacks %q", want)
	}
	if n := strings.Count(string(page), " objects failed\n") + strings.Count(string(page), " objects failed\""); n < 31 {
		t.Errorf("%d cells carry object counts, want every one of the 31", n)
	}
	if r := runCLI(t, emulatorVars(), "run", "--dry-run", "--html", runPage, path); r.code != 2 {
		t.Errorf("run --dry-run --html: code %d, want 2", r.code)
	}
}
