package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// TestRunWaitResultsWritesEveryObject runs a plan with --wait --results: the file holds one
// JSON line per execution of the emulator (as results --format json has them), and the
// summary counts the objects, failed ones by code.
func TestRunWaitResultsWritesEveryObject(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: emulator.ObjectOptions{FailRate: 0.3, PermanentShare: 0.5, PageSize: 5}})
	path := testenv.WritePlan(t, retryPlan)
	dir := t.TempDir()
	out := filepath.Join(dir, "results.jsonl")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--qps", "0", "--state", filepath.Join(dir, "s.db"),
		"--wait", "--poll-interval", "10ms", "--quiet", "--results", out, path)
	if r.code != 0 {
		t.Fatalf("run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := map[string]emulator.Execution{}
	failed, byCode := 0, map[string]int{}
	for _, x := range emu.Server.Executions("") {
		want[x.ID] = x
		if x.State == "Failed" {
			failed++
			byCode[x.Code]++
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != len(want) || failed == 0 {
		t.Fatalf("%d lines, the emulator has %d executions (%d failed)", len(lines), len(want), failed)
	}
	for _, l := range lines {
		var rec struct {
			Object, State, Code string
			ExecutionID         string `json:"execution_id"`
			Attempt             int
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		w := want[rec.ExecutionID]
		if rec.Object != w.Object || rec.State != w.State || rec.Code != w.Code || rec.Attempt != 1 {
			t.Errorf("line %s\nemulator %+v", l, w)
		}
	}
	head := fmt.Sprintf("Objects after --wait: %d processed, %d succeeded, %d failed (", len(want), len(want)-failed, failed)
	if !strings.Contains(r.stdout, head) {
		t.Errorf("the summary does not count the objects (want %q):\n%s", head, r.stdout)
	}
	for code, n := range byCode {
		if !strings.Contains(r.stdout, fmt.Sprintf("%s %d", code, n)) {
			t.Errorf("the summary does not count %d %s:\n%s", n, code, r.stdout)
		}
	}
}

// TestRunResultsPathCheckedBeforeSending: a --results path that cannot be written stops
// the run before anything is sent; --results without --wait is a usage error.
func TestRunResultsPathCheckedBeforeSending(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "s.db"), "--wait",
		"--results", filepath.Join(blocker, "results.jsonl"), path)
	if r.code != 2 || len(emu.Server.Jobs()) != 0 || !strings.Contains(r.stderr, "--results") {
		t.Errorf("unwritable --results: exit %d, %d jobs sent\n%s", r.code, len(emu.Server.Jobs()), r.stderr)
	}
	r = runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "s.db"),
		"--results", filepath.Join(dir, "r.jsonl"), path)
	if r.code != 2 || len(emu.Server.Jobs()) != 0 {
		t.Errorf("--results without --wait: exit %d, %d jobs sent\n%s", r.code, len(emu.Server.Jobs()), r.stderr)
	}
}
