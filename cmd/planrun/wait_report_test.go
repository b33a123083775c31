package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// The emulator's Code and Message of a failed job.
const (
	waitFailCode    = "ResourceDownloadFailed"
	waitFailMessage = "emulated failure: input resource download failed"
)

// waitJUnit is the part of a JUnit report the wait tests read.
type waitJUnit struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// waitJSON is the part of the JSON report the wait tests read.
type waitJSON struct {
	Requests []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		State  string `json:"state"`
	} `json:"requests"`
	Wait *struct {
		States     map[string]int `json:"states"`
		Unfinished int            `json:"unfinished"`
		Failed     []struct {
			Plan    string `json:"plan"`
			Job     string `json:"job"`
			Name    string `json:"name"`
			JobID   string `json:"job_id"`
			State   string `json:"state"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"failed"`
	} `json:"wait"`
}

// runWaitReports runs `run --wait` with both reports and checks that every one of the
// want jobs ended Failed and that both reports (and stdout) say so with the service's
// Code and Message.
func runWaitReports(t *testing.T, emu *emulator.Running, state, path string, want int, label string) {
	t.Helper()
	dir := t.TempDir()
	junit, rep := filepath.Join(dir, "j.xml"), filepath.Join(dir, "r.json")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet",
		"--wait", "--poll-interval", "20ms", "--junit", junit, "--report", rep, "--wide", path)
	if r.code != 1 {
		t.Fatalf("%s: exit %d, want 1 (jobs failed)\n%s%s", label, r.code, r.stdout, r.stderr)
	}
	// The summary groups the failed jobs by state and code: one line with the count and one
	// example carrying the Code and Message (the reports list every job).
	if n := strings.Count(r.stdout, waitFailCode+": "+waitFailMessage); n != 1 ||
		!strings.Contains(r.stdout, fmt.Sprintf("%d × Failed %s", want, waitFailCode)) {
		t.Errorf("%s: stdout names the job's Code and Message %d times, want one group of %d\n%s", label, n, want, r.stdout)
	}

	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc waitJUnit
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: junit: %v", label, err)
	}
	if doc.Tests != want || doc.Failures != want || doc.Skipped != 0 {
		t.Errorf("%s: junit tests=%d failures=%d skipped=%d, want %d failures of %d", label,
			doc.Tests, doc.Failures, doc.Skipped, want, want)
	}
	var tests, failures int
	for _, s := range doc.Suites {
		f := 0
		for _, c := range s.Cases {
			if c.Failure == nil {
				t.Errorf("%s: case %s passes although its job failed", label, c.Name)
				continue
			}
			f++
			if c.Failure.Type != waitFailCode || c.Failure.Message != waitFailMessage ||
				!strings.Contains(c.Failure.Body, "State: Failed") {
				t.Errorf("%s: case %s failure type=%q message=%q body=%q", label, c.Name,
					c.Failure.Type, c.Failure.Message, c.Failure.Body)
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f {
			t.Errorf("%s: suite counts tests=%d failures=%d, cases %d/%d", label, s.Tests, s.Failures, len(s.Cases), f)
		}
		tests, failures = tests+len(s.Cases), failures+f
	}
	if tests != doc.Tests || failures != doc.Failures {
		t.Errorf("%s: totals %d/%d, cases %d/%d", label, doc.Tests, doc.Failures, tests, failures)
	}

	b, err = os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var js waitJSON
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatalf("%s: json report: %v", label, err)
	}
	if js.Wait == nil || js.Wait.Unfinished != 0 || js.Wait.States["Failed"] != want || len(js.Wait.Failed) != want {
		t.Fatalf("%s: json wait = %+v, want %d failed", label, js.Wait, want)
	}
	// Each request's row carries its job's final state, not the state at the create.
	if len(js.Requests) != want {
		t.Errorf("%s: %d request rows, want %d", label, len(js.Requests), want)
	}
	for _, q := range js.Requests {
		if q.State != "Failed" {
			t.Errorf("%s: row %s has state %q, want its job's final Failed", label, q.Name, q.State)
		}
	}
	for _, f := range js.Wait.Failed {
		if f.Name == "" || f.Plan == "" || f.Job == "" || f.JobID == "" || f.State != "Failed" ||
			f.Code != waitFailCode || f.Message != waitFailMessage {
			t.Errorf("%s: wait.failed entry %+v lacks the job's name, id, state, code or message", label, f)
		}
	}
}

// TestWaitFailuresReachEveryReport: with --wait, jobs that end Failed fail their JUnit
// test cases and are listed with Code and Message in the JSON report, both right after
// triggering and on a fresh machine (no state file) where the jobs are found on the
// service: by looking each name up (a small plan) or by sweeping the list (a large one).
func TestWaitFailuresReachEveryReport(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan func(t *testing.T) string
		n    int
	}{
		{"lookup", func(t *testing.T) string { return testenv.WritePlan(t, smallPlan) }, 31},
		// 110 requests in one bucket: above the 100 a fresh machine looks up by name.
		{"sweep", func(t *testing.T) string { return testenv.Sized("wide", 110).Write(t, t.TempDir()) }, 110},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The reports are about batch jobs: a few objects per prefix (not the default
			// 1,000, which each node job's results would read) are enough.
			emu, _ := testenv.Start(t, emulator.Options{FailRate: 1, SubmittedFor: 10 * time.Millisecond,
				RunningFor: 20 * time.Millisecond, Seed: 7, Objects: emulator.ObjectOptions{PerPrefix: 20}})
			path := tc.plan(t)
			state := filepath.Join(t.TempDir(), "s.db")
			runWaitReports(t, emu, state, path, tc.n, "first run")
			if err := os.Remove(state); err != nil {
				t.Fatal(err)
			}
			runWaitReports(t, emu, state, path, tc.n, "fresh state")
			if got := len(emu.Server.Jobs()); got != tc.n {
				t.Errorf("%d jobs on the service, want %d (nothing sent twice)", got, tc.n)
			}
		})
	}
}

// TestWaitStoppedMarksUnfinishedCases: when waiting stops before the jobs end, their
// JUnit test cases pass (the run did its part) but say the job was still running.
func TestWaitStoppedMarksUnfinishedCases(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "s.db")
	junit := filepath.Join(t.TempDir(), "j.xml")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet", path)
	if r.code != 0 {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	// Every call fails from now on: Wait gives up on its first round, the jobs Submitted.
	emu.Server.SetFaults(emulator.Faults{ErrorRate: 1})
	r = runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet",
		"--retries", "0", "--wait", "--poll-interval", "20ms", "--junit", junit, path)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "still Submitted when waiting stopped"); n != 31 {
		t.Errorf("%d cases say the job is still Submitted, want 31\n%s", n, b)
	}
	if !strings.Contains(string(b), `failures="0"`) || !strings.Contains(string(b), `tests="`+strconv.Itoa(31)+`"`) {
		t.Errorf("unfinished jobs must not fail or add cases:\n%.600s", b)
	}
}
