package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// TestResultsEqualTheEmulatorObjectForObject runs a plan, then reads its results with the
// state and from a fresh machine: every execution the emulator holds is one JSON line with
// its object, state and code.
func TestResultsEqualTheEmulatorObjectForObject(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{
		FailRate: 0.3, PermanentShare: 0.5, PageSize: 2, FullURLEvery: 2}})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", path); r.code != 0 {
		t.Fatalf("run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := map[string]emulator.Execution{}
	failed := 0
	for _, x := range emu.Server.Executions("") {
		want[x.ID] = x
		if x.State == "Failed" {
			failed++
		}
	}
	if len(want) < 20 || failed == 0 {
		t.Fatalf("the emulator made %d executions, %d failed", len(want), failed)
	}
	for _, state := range []string{st, filepath.Join(dir, "fresh.db")} {
		r := runCLI(t, emulatorVars(), "results", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--format", "json", path)
		if r.code != 1 {
			t.Fatalf("results: %d, want 1 (some failed)\n%s", r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != len(want) {
			t.Fatalf("%d lines, the emulator holds %d executions\n%s", len(lines), len(want), r.stderr)
		}
		for _, l := range lines {
			var rec struct {
				Object, Workflow, State, Code, Message string
				BatchJobID                             string `json:"batch_job_id"`
				ExecutionID                            string `json:"execution_id"`
				Attempt                                int
			}
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatal(err)
			}
			w := want[rec.ExecutionID]
			if rec.Object != w.Object || rec.State != w.State || rec.Code != w.Code || rec.Message != w.Message ||
				rec.BatchJobID != w.BatchJobID || rec.Workflow != w.Workflow || rec.Attempt != 1 {
				t.Errorf("line %s\nemulator %+v", l, w)
			}
		}
	}
	r := runCLI(t, emulatorVars(), "results", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--failed", "--format", "csv", path)
	if rows := strings.Count(strings.TrimSpace(r.stdout), "\n"); r.code != 1 || rows != failed {
		t.Errorf("--failed csv: exit %d, %d rows, want %d\n%s", r.code, rows, failed, r.stdout)
	}
	r = runCLI(t, emulatorVars(), "results", "--endpoint", emu.URL, "--state", st, "--qps", "0", path)
	if r.code != 1 || !strings.Contains(r.stdout, "small / days") || !strings.Contains(r.stdout, "failures by code:") {
		t.Errorf("text: exit %d\n%s", r.code, r.stdout)
	}
}

func TestResultsExitZeroWhenNothingFailed(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", path); r.code != 0 {
		t.Fatalf("run: %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, emulatorVars(), "results", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--format", "markdown", path)
	if r.code != 0 || !strings.Contains(r.stdout, "| Workflow / tag |") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, emulatorVars(), "results", "--help")
	help := strings.Join(strings.Fields(r.stderr+r.stdout), " ") // help wraps at 80 columns
	if r.code != 0 || !strings.Contains(help, "one list call per 100 objects") ||
		!strings.Contains(help, "one detail call per failed workflow execution") {
		t.Errorf("--help does not state the cost: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
