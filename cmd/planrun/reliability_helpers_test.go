package main

// Helpers shared by the reliability and secrets tests (reliability_*_test.go,
// secrets_test.go). Names start with "rel" so they do not collide with other tests of
// package main.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// relBuild returns the planrun binary, built once for the package's tests (see TestMain).
func relBuild(t *testing.T) string {
	t.Helper()
	return testenv.Build(t, ".")
}

// relPlanNames loads the plan at path and returns its request names in expansion order.
func relPlanNames(t *testing.T, path string) []string {
	t.Helper()
	p, err := plan.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	var names []string
	for r := range p.Requests() {
		names = append(names, r.Name)
	}
	return names
}

// relJobs returns how many jobs the emulator holds per Name.
func relJobs(emu *emulator.Server) map[string]int {
	count := map[string]int{}
	for _, j := range emu.Jobs() {
		count[j.Name]++
	}
	return count
}

// relDuplicates returns the Names the emulator holds more than once, sorted.
func relDuplicates(jobs map[string]int) []string {
	var dup []string
	for name, n := range jobs {
		if n > 1 {
			dup = append(dup, fmt.Sprintf("%s x%d", name, n))
		}
	}
	slices.Sort(dup)
	return dup
}

// relCheckExactlyOnce fails unless the emulator holds exactly one job per name in want and
// no other job.
func relCheckExactlyOnce(t *testing.T, emu *emulator.Server, want []string) {
	t.Helper()
	jobs := relJobs(emu)
	if dup := relDuplicates(jobs); len(dup) > 0 {
		t.Errorf("%d job names created more than once: %v", len(dup), dup)
	}
	var missing []string
	for _, name := range want {
		if jobs[name] == 0 {
			missing = append(missing, name)
		}
		delete(jobs, name)
	}
	if len(missing) > 0 {
		t.Errorf("%d requests never triggered, e.g. %v", len(missing), missing[:min(5, len(missing))])
	}
	if len(jobs) > 0 {
		t.Errorf("%d jobs that are not in the plan: %v", len(jobs), jobs)
	}
}

// relResult is the outcome of one planrun invocation.
type relResult struct {
	code           int
	stdout, stderr string
}

// relRun runs planrun in-process (the same run function main uses) with the environment
// vars (nothing else of the process environment is visible to it).
func relRun(ctx context.Context, vars map[string]string, args ...string) relResult {
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
	code := run(ctx, args, e)
	return relResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// relEmulatorVars are the credentials the emulator accepts by default.
func relEmulatorVars() map[string]string {
	return map[string]string{
		"TENCENTCLOUD_SECRET_ID":  emulator.DefaultSecretID,
		"TENCENTCLOUD_SECRET_KEY": emulator.DefaultSecretKey,
	}
}

// relCtx is a generous context for one test.
func relCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// relReport is the part of the JSON report (--report) the tests read.
type relReport struct {
	Requests []relReportRequest `json:"requests"`
	Summary  struct {
		Planned   int                `json:"planned"`
		Skipped   int                `json:"skipped"`
		Triggered int                `json:"triggered"`
		Failed    int                `json:"failed"`
		NotDone   int                `json:"not_done"`
		Failures  []relReportRequest `json:"failures"`
	} `json:"summary"`
	Interrupted bool `json:"interrupted"`
}

// relReportRequest is one request of the JSON report.
type relReportRequest struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
	JobID    string `json:"job_id"`
	Attempts int    `json:"attempts"`
	Error    *struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

// relReadReport decodes the JSON report at path.
func relReadReport(t *testing.T, path string) *relReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read report: %v", err)
	}
	var r relReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode report %s: %v\n%.2000s", path, err, b)
	}
	return &r
}

// relSettleGoroutines waits (up to 15s) for the goroutine count to come back to at most
// base+slack and fails with a dump of every goroutine otherwise.
func relSettleGoroutines(t *testing.T, base, slack int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base+slack {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines left running: %d now, %d before:\n%s", n, base, buf)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
