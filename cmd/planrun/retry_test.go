package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// retryPlan has workflow jobs over windows and one object, and a node job.
const retryPlan = smallPlan + `  - name: nodes
    type: job
    prefix: c/
    window: {start: 2024-02-01, end: 2024-02-20, every: 1w}
    job:
      tag: MediaInfo
      template_id: t1460606b9752148c4ab182f55163ba7cd
`

// retryEmu is an emulator on a clock the test moves, where a batch job stays Submitted for
// a minute and Running for another.
type retryEmu struct {
	*emulator.Running
	now atomic.Int64
}

func startRetryEmulator(t *testing.T, objs emulator.ObjectOptions) *retryEmu {
	t.Helper()
	re := &retryEmu{}
	re.now.Store(time.Now().UnixNano())
	re.Running, _ = testenv.Start(t, emulator.Options{
		Clock:        func() time.Time { return time.Unix(0, re.now.Load()) },
		MaxSkew:      1000 * time.Hour, // the test moves the emulator's clock ahead of ours
		SubmittedFor: time.Minute, RunningFor: time.Minute, Objects: objs})
	return re
}

// advance moves the emulator's clock past the end of every batch job created so far.
func (re *retryEmu) advance() { re.now.Add(int64(time.Hour)) }

// pairKey names an object through a workflow or tag.
func pairKey(object, wf string) string { return wf + " " + object }

// execPair is the workflow or tag of an emulator execution.
func execPair(x emulator.Execution) string { return pairKey(x.Object, x.Workflow+x.Tag) }

// latestFailed returns the pairs whose latest execution failed, and the latest executions.
func latestExecutions(emu *emulator.Server) map[string]emulator.Execution {
	latest := map[string]emulator.Execution{}
	for _, x := range emu.Executions("") {
		if l, ok := latest[execPair(x)]; !ok || x.Attempt > l.Attempt {
			latest[execPair(x)] = x
		}
	}
	return latest
}

// retryJobsSince returns, per object and workflow or tag, how many batch jobs beyond the
// emulator's first skip jobs run it: single-object ones, and URL-file ones listing it.
func retryJobsSince(emu *emulator.Server, skip int) map[string]int {
	out := map[string]int{}
	for _, j := range emu.Jobs()[skip:] {
		if j.Input.UrlFile == "" {
			out[pairKey(j.Input.Object, j.WorkflowID+j.Tag)]++
			continue
		}
		key, _ := ciapi.KeyOfURL(j.Bucket, j.Region, j.Input.UrlFile)
		body, _ := emu.Object(j.Bucket, j.Region, key)
		for _, line := range strings.Fields(string(body)) {
			k, _ := ciapi.KeyOfURL(j.Bucket, j.Region, line)
			out[pairKey(k, j.WorkflowID+j.Tag)]++
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestRetryRoundsExactlyOnce runs a plan, then retry rounds: each failed object is retried
// exactly once per round and never a success; a second retry at once (from the same state
// or a fresh machine) sends nothing; the third round stops at --max-attempts 3 with the
// objects listed and exit 1; results then equal the emulator's latest executions.
func TestRetryRoundsExactlyOnce(t *testing.T) {
	re := startRetryEmulator(t, emulator.ObjectOptions{FailRate: 0.3, PermanentShare: 0.5, PageSize: 7, FullURLEvery: 3})
	emu := re.Server
	path := testenv.WritePlan(t, retryPlan)
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	cli := func(args ...string) result {
		return runCLI(t, emulatorVars(), append([]string{args[0], "--endpoint", re.URL, "--qps", "0"}, args[1:]...)...)
	}
	if r := cli("run", "--state", st, "--quiet", path); r.code != 0 {
		t.Fatalf("run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	planJobs := len(emu.Jobs())
	re.advance()

	for round := 1; round <= 2; round++ {
		want := map[string]bool{}
		for k, x := range latestExecutions(emu) {
			if x.State == "Failed" {
				want[k] = true
			}
		}
		if len(want) < 3 {
			t.Fatalf("round %d: only %d objects failed: the test proves nothing", round, len(want))
		}
		before := len(emu.Jobs())
		r := cli("retry", "--state", st, "--quiet", path)
		if r.code != 0 {
			t.Fatalf("retry round %d: %d\n%s%s", round, r.code, r.stdout, r.stderr)
		}
		got := retryJobsSince(emu, before)
		t.Logf("round %d: %d objects failed at their latest attempt, %d retried", round, len(want), len(got))
		for _, k := range sortedKeys(got) {
			if !want[k] || got[k] != 1 {
				t.Errorf("round %d: %q retried %d times (failed at its latest attempt: %v)", round, k, got[k], want[k])
			}
		}
		for _, k := range sortedKeys(want) {
			if got[k] == 0 {
				t.Errorf("round %d: %q failed and was not retried", round, k)
			}
		}
		// At once, while the retries are still Submitted: nothing more, from this state or
		// from a machine without one.
		n := len(emu.Jobs())
		for _, state := range []string{st, filepath.Join(dir, fmt.Sprintf("fresh%d.db", round))} {
			r := cli("retry", "--state", state, "--quiet", path)
			if r.code != 0 || len(emu.Jobs()) != n {
				t.Fatalf("round %d: a second retry at once (state %s): exit %d, %d new jobs\n%s%s",
					round, filepath.Base(state), r.code, len(emu.Jobs())-n, r.stdout, r.stderr)
			}
		}
		re.advance()
	}

	// Round 3: the objects that failed three times are listed, nothing is sent, exit 1.
	var exhausted []string
	for _, x := range latestExecutions(emu) {
		if x.State == "Failed" {
			if x.Attempt != 3 || !x.Permanent {
				t.Errorf("%s failed at attempt %d (permanent %v)", execPair(x), x.Attempt, x.Permanent)
			}
			exhausted = append(exhausted, x.Object)
		}
	}
	before := len(emu.Jobs())
	r := cli("retry", "--state", st, path)
	if r.code != 1 || len(emu.Jobs()) != before {
		t.Fatalf("round 3: exit %d (want 1), %d jobs sent\n%s%s", r.code, len(emu.Jobs())-before, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, fmt.Sprintf("%d objects failed 3 attempts", len(exhausted))) {
		t.Errorf("round 3 does not count the exhausted objects (%d):\n%s", len(exhausted), r.stdout)
	}
	for _, o := range exhausted {
		if !strings.Contains(r.stdout, o) {
			t.Errorf("round 3 does not list %s", o)
		}
	}
	if emu.Stats().JobsCreated <= planJobs {
		t.Fatal("no retry was sent")
	}

	// Results: one line per object and workflow or tag, its latest attempt, with the state
	// and from a machine without it.
	latest := latestExecutions(emu)
	t.Logf("round 3: %d objects exhausted; results compared on %d objects", len(exhausted), len(latest))
	for _, state := range []string{st, filepath.Join(dir, "fresh-results.db")} {
		r := cli("results", "--state", state, "--format", "json", path)
		if r.code != 1 {
			t.Fatalf("results: %d, want 1\n%s", r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != len(latest) {
			t.Fatalf("results (%s): %d lines, the emulator has %d objects", filepath.Base(state), len(lines), len(latest))
		}
		seen := map[string]bool{}
		for _, l := range lines {
			var rec struct {
				Object, Workflow, Tag, State, Code, Name, Origin string
				BatchJobID                                       string `json:"batch_job_id"`
				ExecutionID                                      string `json:"execution_id"`
				Attempt                                          int
			}
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatal(err)
			}
			k := pairKey(rec.Object, rec.Workflow+rec.Tag)
			w, ok := latest[k]
			if !ok || seen[k] || rec.State != w.State || rec.Code != w.Code || rec.Attempt != w.Attempt ||
				rec.ExecutionID != w.ID || rec.BatchJobID != w.BatchJobID {
				t.Errorf("results line %s\nlatest execution %+v (seen before: %v)", l, w, seen[k])
			}
			if rec.Attempt > 1 && (!strings.Contains(rec.Name, fmt.Sprintf("-retry%d-", rec.Attempt)) || rec.Origin == rec.Name) {
				t.Errorf("attempt %d named %s, origin %s", rec.Attempt, rec.Name, rec.Origin)
			}
			seen[k] = true
		}
	}
}

// TestRetryDryRunAndMaxRequestsSendNothing: --dry-run lists what would be retried (one JSON
// line per failed object, with its retry's name); --max-requests below that refuses.
func TestRetryDryRunAndMaxRequestsSendNothing(t *testing.T) {
	re := startRetryEmulator(t, emulator.ObjectOptions{FailRate: 0.3})
	emu := re.Server
	path := testenv.WritePlan(t, retryPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		return runCLI(t, emulatorVars(), append([]string{args[0], "--endpoint", re.URL, "--qps", "0", "--state", st}, args[1:]...)...)
	}
	if r := cli("run", "--quiet", path); r.code != 0 {
		t.Fatalf("run: %d\n%s", r.code, r.stderr)
	}
	re.advance()
	failed := map[string]bool{}
	for k, x := range latestExecutions(emu) {
		if x.State == "Failed" {
			failed[k] = true
		}
	}
	n := len(emu.Jobs())
	r := cli("retry", "--dry-run", "--format", "json", path)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != len(failed) || len(emu.Jobs()) != n {
		t.Fatalf("dry run: exit %d, %d lines for %d failed objects, %d jobs sent\n%s%s", r.code, len(lines), len(failed),
			len(emu.Jobs())-n, r.stdout, r.stderr)
	}
	for _, l := range lines {
		var rec struct {
			Name, Object, Workflow, Tag, Code string
			Attempt                           int
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if !failed[pairKey(rec.Object, rec.Workflow+rec.Tag)] || rec.Attempt != 2 || rec.Code == "" || !strings.Contains(rec.Name, "-retry2-") {
			t.Errorf("dry-run line %s", l)
		}
	}
	r = cli("retry", "--max-requests", "1", path)
	if r.code != 1 || len(emu.Jobs()) != n || !strings.Contains(r.stderr, "max-requests") {
		t.Errorf("--max-requests 1: exit %d, %d jobs sent\n%s", r.code, len(emu.Jobs())-n, r.stderr)
	}
}
