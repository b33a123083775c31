package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// With --max-failures 5, a plan whose every create the service refuses (400
// InvalidArgument: the workflow does not exist) reaches the server with at most
// 5 + --parallel creates, ends with exit 1, and says the budget was spent.
func TestMaxFailuresBoundsTheCreates(t *testing.T) {
	const parallel = 3
	emu, _ := testenv.Start(t, emulator.Options{Workflows: []string{"w0000000000000000000000000000000a"}})
	path := testenv.WritePlan(t, smallPlan) // 31 requests, none of whose workflow exists
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "report.json")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "s.db"), "--qps", "0",
		"--quiet", "--parallel", strconv.Itoa(parallel), "--max-failures", "5", "--report", reportPath, path)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	creates := len(emu.Server.Stats().CreateStarts)
	if creates > 5+parallel || creates < 5 {
		t.Errorf("the server saw %d creates, want 5 to %d", creates, 5+parallel)
	}
	flat := strings.Join(strings.Fields(r.stdout), " ") // prose wraps at the terminal width
	for _, want := range []string{"failure budget was spent (--max-failures 5)", "InvalidArgument"} {
		if !strings.Contains(flat, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Stopped string
		Summary struct {
			Failed       int
			NotDone      int  `json:"not_done"`
			BudgetSpent  bool `json:"budget_spent"`
			FailureCodes []struct {
				Code  string
				Count int
			} `json:"failure_codes"`
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	s := rep.Summary
	if !s.BudgetSpent || rep.Stopped == "" || s.Failed != creates || s.NotDone != 31-creates {
		t.Errorf("report: %+v, stopped %q; want the budget spent, %d failed, %d not done", s, rep.Stopped, creates, 31-creates)
	}
	if len(s.FailureCodes) != 1 || s.FailureCodes[0].Code != "InvalidArgument" || s.FailureCodes[0].Count != s.Failed {
		t.Errorf("failure codes %+v, want one group InvalidArgument of %d", s.FailureCodes, s.Failed)
	}

	if r := runCLI(t, nil, "run", "--dry-run", "--max-failures", "-1", path); r.code != 2 {
		t.Errorf("--max-failures -1: exit %d, want 2", r.code)
	}
}
