package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// planNames returns the Names of a plan's expansion.
func planNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	p, err := plan.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for r := range p.Requests() {
		names[r.Name] = true
	}
	return names
}

// checkExactlyOnce fails unless the emulator holds exactly one job per expected name.
func checkExactlyOnce(t *testing.T, emu *emulator.Running, want map[string]bool) {
	t.Helper()
	seen := map[string]int{}
	for _, j := range emu.Server.Jobs() {
		seen[j.Name]++
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("job %s created %d times", name, n)
		}
		if !want[name] {
			t.Errorf("job %s is not in the plan", name)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("emulator holds %d distinct jobs, plan has %d requests", len(seen), len(want))
	}
}

func TestRunIsExactlyOnceAcrossRerunsAndFreshState(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	reportPath := filepath.Join(dir, "report.json")
	args := []string{"run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet", "--report", reportPath, path}

	r := runCLI(t, emulatorVars(), args...)
	if r.code != 0 {
		t.Fatalf("first run: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := planNames(t, path)
	checkExactlyOnce(t, emu, want)
	if !strings.Contains(r.stdout, "TOTAL") || !strings.Contains(r.stdout, "31") {
		t.Errorf("summary lacks the totals:\n%s", r.stdout)
	}
	var rep struct {
		Requests []struct {
			Name, Status string
			JobID        string `json:"job_id"`
		}
		Summary struct{ Planned, Triggered, Skipped, Failed int }
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, data)
	}
	if len(rep.Requests) != 31 || rep.Summary.Triggered != 31 {
		t.Fatalf("report: %d requests, summary %+v", len(rep.Requests), rep.Summary)
	}
	for _, q := range rep.Requests {
		if !want[q.Name] || q.Status != "triggered" || q.JobID == "" {
			t.Errorf("report entry %+v", q)
		}
	}

	// Again with the same state: nothing is sent.
	before := emu.Server.Stats().Calls["create"]
	r = runCLI(t, emulatorVars(), args...)
	if r.code != 0 || emu.Server.Stats().Calls["create"] != before {
		t.Fatalf("second run: code %d, creates %d -> %d", r.code, before, emu.Server.Stats().Calls["create"])
	}
	// From a fresh machine: no state file. Still nothing is sent.
	fresh := append([]string{}, args...)
	fresh[4] = filepath.Join(dir, "fresh.db")
	r = runCLI(t, emulatorVars(), fresh...)
	if r.code != 0 || emu.Server.Stats().Calls["create"] != before {
		t.Fatalf("fresh-state run: code %d, creates %d -> %d\n%s", r.code, before, emu.Server.Stats().Calls["create"], r.stderr)
	}
	checkExactlyOnce(t, emu, want)

	// status shows every request with its job id.
	r = runCLI(t, nil, "status", "--state", state, "--format", "json")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 31 || !strings.Contains(r.stdout, `"job_id":"b`) {
		t.Fatalf("status: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestShardsPartitionTheRun(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	const n = 3
	total := 0
	for k := 1; k <= n; k++ {
		state := filepath.Join(t.TempDir(), "state.db") // each shard on its own machine
		r := runCLI(t, emulatorVars(), "run", "--shard", strings.Join([]string{itoa(k), itoa(n)}, "/"), "--endpoint", emu.URL,
			"--state", state, "--qps", "0", "--quiet", "--format", "json", path)
		if r.code != 0 {
			t.Fatalf("shard %d: code %d\n%s", k, r.code, r.stderr)
		}
		var rep struct {
			Summary struct{ Planned, Triggered int }
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Summary.Planned == 0 || rep.Summary.Triggered != rep.Summary.Planned {
			t.Errorf("shard %d: %+v", k, rep.Summary)
		}
		total += rep.Summary.Planned
	}
	if total != 31 {
		t.Errorf("shards planned %d requests in all, want 31", total)
	}
	checkExactlyOnce(t, emu, planNames(t, path))
	// The dry runs of the shards add up to the whole plan, without overlap.
	seen := map[string]bool{}
	for k := 1; k <= n; k++ {
		r := runCLI(t, nil, "run", "--dry-run", "--format", "json", "--shard", itoa(k)+"/"+itoa(n), path)
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var rec struct{ Name string }
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Name == "" {
				t.Fatalf("shard %d/%d: dry-run line %q: %v", k, n, line, err)
			}
			if seen[rec.Name] {
				t.Errorf("%s is in two shards", rec.Name)
			}
			seen[rec.Name] = true
		}
	}
	if len(seen) != 31 {
		t.Errorf("dry-run shards hold %d requests, want 31", len(seen))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestRunReportsFailuresWithTheServiceCode(t *testing.T) {
	// Only one workflow exists: every request of the plan names another one, so each create is a
	// permanent 400 InvalidArgument, reported with Code, Message and RequestId and exit 1.
	emu, _ := testenv.Start(t, emulator.Options{Workflows: []string{"w00000000000000000000000000000001"}})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	junitPath := filepath.Join(dir, "junit.xml")
	stepSummary := filepath.Join(dir, "summary.md")
	vars := emulatorVars()
	vars["GITHUB_STEP_SUMMARY"] = stepSummary
	r := runCLI(t, vars, "run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "s.db"), "--qps", "0", "--quiet",
		"--format", "github", "--junit", junitPath, path)
	if r.code != 1 {
		t.Fatalf("code %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "::error ") || !strings.Contains(r.stdout, "InvalidArgument") || !strings.Contains(r.stdout, "RequestId") {
		t.Errorf("github annotations lack the failure:\n%s", r.stdout)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	data, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Tests != 31 || suites.Failures != 31 {
		t.Errorf("junit: %v %+v", err, suites)
	}
	md, err := os.ReadFile(stepSummary)
	if err != nil || !strings.Contains(string(md), "|") {
		t.Errorf("step summary not written: %v\n%s", err, md)
	}
	if n := len(emu.Server.Jobs()); n != 0 {
		t.Errorf("%d jobs exist although every create was refused", n)
	}
}

func TestWaitAndCancel(t *testing.T) {
	// Jobs run for a long time on the emulator's clock, so they can be cancelled.
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "s.db")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet", path)
	if r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, emulatorVars(), "cancel", "--endpoint", emu.URL, "--state", state, "--format", "json", path)
	if r.code != 0 || strings.Count(r.stdout, `"outcome":"cancelled"`) != 31 {
		t.Fatalf("cancel: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, j := range emu.Server.Jobs() {
		if j.State != "Cancel" {
			t.Errorf("job %s is %s after cancel", j.Name, j.State)
		}
	}
	// --wait on cancelled jobs ends at once and fails the run (exit 1).
	r = runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet", "--wait", "--poll-interval", "10ms", path)
	if r.code != 1 || !strings.Contains(r.stdout, "Cancel") {
		t.Fatalf("wait on cancelled jobs: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRunWaitSucceeds(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: 20 * time.Millisecond, RunningFor: 30 * time.Millisecond})
	path := testenv.WritePlan(t, smallPlan)
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", filepath.Join(t.TempDir(), "s.db"), "--qps", "0",
		"--quiet", "--wait", "--poll-interval", "20ms", path)
	if r.code != 0 || !strings.Contains(r.stdout, "Success 31") {
		t.Fatalf("code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRunEmulatorInProcess(t *testing.T) {
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "s.db")
	r := runCLI(t, nil, "run", "--emulator", "--state", state, "--format", "json", path)
	if r.code != 0 {
		t.Fatalf("code %d\n%s", r.code, r.stderr)
	}
	var rep struct {
		Summary struct{ Planned, Triggered int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Summary.Triggered != 31 {
		t.Fatalf("%v %+v\n%s", err, rep.Summary, r.stdout)
	}
}

func TestRunRefusesAStateInUse(t *testing.T) {
	path := testenv.WritePlan(t, smallPlan)
	statePath := filepath.Join(t.TempDir(), "s.db")
	holder, err := state.Open(statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "run", "--emulator", "--state", statePath, path)
	if r.code != 2 || !strings.Contains(r.stderr, "in use by another planrun") {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	// Reading the state while a run holds it is fine.
	if r := runCLI(t, nil, "status", "--state", statePath); r.code != 0 {
		t.Fatalf("status during a run: code %d: %s", r.code, r.stderr)
	}
}

func TestWrongCredentialsStopTheRunWithExit2(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := filepath.Join(examples, "video-backfill.yaml")
	vars := emulatorVars()
	vars["TENCENTCLOUD_SECRET_KEY"] = "not-the-key"
	r := runCLI(t, vars, "run", "--endpoint", emu.URL, "--state", filepath.Join(t.TempDir(), "s.db"), "--qps", "0", "--quiet", path)
	if r.code != 2 || !strings.Contains(r.stderr, "refused the configuration") || !strings.Contains(r.stderr, "SignatureDoesNotMatch") {
		t.Fatalf("code %d, want 2\n%s", r.code, r.stderr)
	}
	if calls := emu.Server.Stats().Calls; calls["create"] != 0 || calls["list"] > 2 {
		t.Errorf("calls after the first refusal: %v (the run must stop at once)", calls)
	}
}

// An endpoint that is not the service (a 404 to the list route) stops the run with exit 2
// before any create: a 404 there does not mean "no such job".
func TestWrongEndpointStopsBeforeAnyCreate(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	path := testenv.WritePlan(t, smallPlan)
	r := runCLI(t, emulatorVars(), "run", "--endpoint", srv.URL+"/wrong", "--state", filepath.Join(t.TempDir(), "s.db"), "--qps", "0", "--quiet", path)
	if r.code != 2 || !strings.Contains(r.stderr, "refused the configuration") {
		t.Fatalf("code %d, want 2\n%s", r.code, r.stderr)
	}
	if n := posts.Load(); n != 0 {
		t.Errorf("%d creates sent to an endpoint whose list route answers 404", n)
	}
}
