package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// convergeObjects fail on their first attempt three times in ten; a third of those fail
// on every attempt.
// Their upload times fall in smallPlan's windows.
var convergeObjects = emulator.ObjectOptions{PerPrefix: 40, FailRate: 0.3, PermanentShare: 0.34,
	From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)), Until: time.Date(2024, 1, 16, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))}

// run --wait --max-attempts 3 retries the failed objects in bulk until the transient ones
// succeeded and the permanent ones were tried 3 times: never a success again, one URL-file
// batch job per request and round, exit 1 naming the failures by code; the same command
// again sends nothing. Without --wait, or with a list prefix under an input prefix, it
// refuses to start.
func TestRunWaitMaxAttemptsConverges(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: convergeObjects})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	args := []string{"run", "--endpoint", emu.URL, "--qps", "0", "--state", st, "--quiet", "--wait",
		"--poll-interval", "10ms", "--max-attempts", "3", path}
	for _, bad := range [][]string{{"--max-attempts", "2"}, {"--wait", "--max-attempts", "0"}, {"--wait", "--max-attempts", "2", "--list-prefix", "a/lists/"}} {
		if r := runCLI(t, emulatorVars(), append(append([]string{"run", "--endpoint", emu.URL, "--state", st}, bad...), path)...); r.code != 2 || len(emu.Server.Jobs()) != 0 {
			t.Fatalf("run %v: exit %d, %d jobs sent; want 2 and none\n%s", bad, r.code, len(emu.Server.Jobs()), r.stderr)
		}
	}
	r := runCLI(t, emulatorVars(), args...)
	if r.code != 1 || !strings.Contains(r.stdout, "failed for good") || !strings.Contains(r.stdout, "3 attempts used of 3") {
		t.Fatalf("exit %d, want 1 with the object summary\n%s%s", r.code, r.stdout, r.stderr)
	}

	permanent := checkConverged(t, emu.Server)
	if !strings.Contains(r.stdout, fmt.Sprintf("%d failed for good", permanent)) {
		t.Errorf("summary does not say %d failed for good:\n%s", permanent, r.stdout)
	}

	stats := emu.Server.Stats()
	again := runCLI(t, emulatorVars(), args...)
	after := emu.Server.Stats()
	if again.code != 1 || after.JobsCreated != stats.JobsCreated || after.Calls[emulator.OpPutObject] != stats.Calls[emulator.OpPutObject] {
		t.Fatalf("the same command again: exit %d, %d creates and %d PUTs more\n%s%s", again.code,
			after.JobsCreated-stats.JobsCreated, after.Calls[emulator.OpPutObject]-stats.Calls[emulator.OpPutObject], again.stdout, again.stderr)
	}

	// The grid folds the retry batch jobs into the requests they came from: 31 rows' worth
	// of requests, whose counts are the objects at their latest attempt, and says after how
	// many attempts they failed (a cell of the page: its request's).
	g := runCLI(t, map[string]string{"COLUMNS": "200"}, "status", "--state", st, "--grid")
	if g.code != 0 || strings.Contains(g.stdout, "small.retries/") || !strings.Contains(g.stdout, "31 requests") ||
		!strings.Contains(g.stdout, fmt.Sprintf("%d of 81 objects failed after up to 3 attempts", permanent)) {
		t.Errorf("status --grid: exit %d, want the retries folded into 31 requests, %d of 81 objects failed after up to 3 attempts:\n%s%s", g.code, permanent, g.stdout, g.stderr)
	}
	page := runCLI(t, nil, "status", "--state", st, "--format", "html")
	if page.code != 0 || !strings.Contains(page.stdout, " objects failed after 3 attempts\"") {
		t.Errorf("status --format html: exit %d, no cell says after 3 attempts:\n%s", page.code, page.stderr)
	}
}

// A run --wait of one attempt whose objects failed says how many and prints the retry
// command with the flags used; that command, run as printed, retries them.
func TestRunWaitNamesTheRetry(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: convergeObjects})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--qps", "0", "--state", st, "--quiet", "--wait",
		"--poll-interval", "10ms", "--list-prefix", "lists/retries/", path)
	if r.code != 0 {
		t.Fatalf("run --wait: exit %d (one attempt: the batch jobs succeeded)\n%s%s", r.code, r.stdout, r.stderr)
	}
	var next string
	for _, line := range strings.Split(r.stdout, "\n") {
		if _, cmd, ok := strings.Cut(line, "objects failed; to trigger them again: "); ok {
			next = cmd
		}
	}
	if next == "" || !strings.Contains(next, "--list-prefix lists/retries/") || !strings.Contains(next, "--endpoint") {
		t.Fatalf("no retry command with run's flags printed:\n%s", r.stdout)
	}
	words := strings.Fields(strings.ReplaceAll(next, "'", ""))
	if words[0] != "planrun" || words[1] != "retry" {
		t.Fatalf("next command %q", next)
	}
	before := len(emu.Server.Jobs())
	rr := runCLI(t, emulatorVars(), append(words[1:2], append([]string{"--quiet"}, words[2:]...)...)...)
	if rr.code != 0 || len(emu.Server.Jobs()) == before {
		t.Fatalf("%s: exit %d, %d batch jobs sent\n%s%s", next, rr.code, len(emu.Server.Jobs())-before, rr.stdout, rr.stderr)
	}
	for _, j := range emu.Server.Jobs()[before:] {
		if !strings.Contains(j.Input.UrlFile, "/lists/retries/") {
			t.Errorf("retry batch job %s reads %q, not a URL file under --list-prefix", j.Name, j.Input.UrlFile)
		}
	}
}

// On a terminal, results, retry and the loop of --max-attempts show a progress line while
// they read the results, as run shows one while it sends.
func TestReadingResultsShowsProgressOnATerminal(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: convergeObjects})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, errTerminal: true, errWidth: func() int { return 120 },
			getenv: func(k string) string { return emulatorVars()[k] }}
		args = append([]string{args[0], "--endpoint", emu.URL, "--qps", "0", "--state", st}, args[1:]...)
		return result{run(context.Background(), args, e), out.String(), errb.String()}
	}
	for _, args := range [][]string{{"run", "--wait", "--poll-interval", "10ms", "--max-attempts", "2", path},
		{"results", path}, {"retry", "--wait", "--poll-interval", "10ms", path}} {
		r := cli(args...)
		if r.code == 2 || !strings.Contains(r.stderr, "reading the results: ") {
			t.Errorf("planrun %s: exit %d, no progress line on stderr:\n%s", strings.Join(args[:len(args)-1], " "), r.code, r.stderr)
		}
	}
}

// A loop stopped after a retry round was sent (here: a planrun retry without --wait, its
// batch jobs still running) continues where it stopped: the same run --wait
// --max-attempts 3 follows those retries, sends round 2 no second time, and sends round
// 3 for the objects that failed again (as their round 2 ends).
func TestRunWaitMaxAttemptsContinuesWhereItStopped(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Objects: convergeObjects, RunningFor: 300 * time.Millisecond})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	cli := func(args ...string) result {
		return runCLI(t, emulatorVars(), append([]string{args[0], "--endpoint", emu.URL, "--qps", "0", "--state", st, "--quiet",
			"--poll-interval", "20ms"}, args[1:]...)...)
	}
	if r := cli("run", "--wait", path); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	if r := cli("retry", path); r.code != 0 {
		t.Fatalf("retry: exit %d\n%s", r.code, r.stderr)
	}
	round2 := 0
	for _, j := range emu.Server.Jobs() {
		if strings.Contains(j.Name, "-retry2-") {
			round2++
		}
	}
	if r := cli("run", "--wait", "--max-attempts", "3", path); r.code != 1 || !strings.Contains(r.stdout, "3 attempts used of 3") {
		t.Fatalf("the loop after a retry: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	again := 0
	for _, j := range emu.Server.Jobs() {
		if strings.Contains(j.Name, "-retry2-") {
			again++
		}
		if strings.Contains(j.Name, "-p1-") {
			t.Errorf("a round of one request in two parts: %s", j.Name)
		}
	}
	if again != round2 {
		t.Errorf("round 2 had %d batch jobs, %d after the loop", round2, again)
	}
	for _, x := range emu.Server.Executions("") {
		if x.Permanent && (x.Attempt > 3 || x.Attempt < 3 && x.State != "Failed") {
			t.Errorf("%s: attempt %d %s", x.Object, x.Attempt, x.State)
		}
	}
}

// The loop re-runs, as run --rerun failed does, the batch jobs that ended Failed (a new
// attempt <name>-a2, once), and the same command again sends nothing.
func TestRunWaitMaxAttemptsRerunsFailedBatchJobs(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{FailRate: 0.3, Objects: emulator.ObjectOptions{PerPrefix: 5}})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "s.db")
	args := []string{"run", "--endpoint", emu.URL, "--qps", "0", "--state", st, "--quiet", "--wait",
		"--poll-interval", "10ms", "--max-attempts", "2", path}
	r := runCLI(t, emulatorVars(), args...)
	failed, reruns := map[string]bool{}, 0
	for _, j := range emu.Server.Jobs() {
		if j.State == "Failed" {
			failed[j.Name] = true
		}
	}
	for _, j := range emu.Server.Jobs() {
		if strings.HasSuffix(j.Name, "-a2") {
			reruns++
			if !failed[strings.TrimSuffix(j.Name, "-a2")] {
				t.Errorf("%s re-runs a batch job that did not fail", j.Name)
			}
		}
	}
	if len(failed) == 0 || reruns == 0 {
		t.Fatalf("%d failed batch jobs, %d re-run; exit %d\n%s%s", len(failed), reruns, r.code, r.stdout, r.stderr)
	}
	stillFailed := 0
	for name := range failed {
		if strings.HasSuffix(name, "-a2") {
			stillFailed++
		}
	}
	// Which attempts fail is random: when every second attempt succeeded, nothing failed
	// for good.
	summary, wantCode := fmt.Sprintf("Jobs after --wait: Success %d, Failed %d", 31-stillFailed, stillFailed), 1
	if stillFailed == 0 {
		summary, wantCode = "Jobs after --wait: Success 31\n", 0
	}
	if r.code != wantCode || !strings.Contains(r.stdout, summary) {
		t.Fatalf("exit %d, want %d and %q (each request at its latest attempt)\n%s%s", r.code, wantCode, summary, r.stdout, r.stderr)
	}
	created := emu.Server.Stats().JobsCreated
	if again := runCLI(t, emulatorVars(), args...); emu.Server.Stats().JobsCreated != created {
		t.Fatalf("the same command again sent %d batch jobs\n%s", emu.Server.Stats().JobsCreated-created, again.stdout)
	}
}

// checkConverged checks, at the emulator, what run --wait --max-attempts 3 must leave:
// every transient failure succeeded, every permanent one tried exactly 3 times, no
// success tried again, and the retries as URL-file batch jobs, one per batch job with
// failures and round. It returns how many objects failed for good.
func checkConverged(t *testing.T, emu *emulator.Server) (permanent int) {
	t.Helper()
	type pair struct{ object, wf string }
	tries := map[pair][]emulator.Execution{}
	for _, x := range emu.Executions("") {
		k := pair{x.Object, x.Workflow}
		tries[k] = append(tries[k], x)
	}
	permanent, transient := 0, 0
	for k, xs := range tries {
		for i, x := range xs {
			if x.State == "Success" && i != len(xs)-1 {
				t.Errorf("%v succeeded at attempt %d, then was tried again", k, i+1)
			}
		}
		last := xs[len(xs)-1]
		switch {
		case last.Permanent:
			permanent++
			if len(xs) != 3 || last.State != "Failed" {
				t.Errorf("permanent failure %v: %d attempts, last %s; want 3, Failed", k, len(xs), last.State)
			}
		case len(xs) > 1:
			transient++
			if last.State != "Success" {
				t.Errorf("transient failure %v ended %s after %d attempts", k, last.State, len(xs))
			}
		}
	}
	if permanent == 0 || transient == 0 {
		t.Fatalf("the emulator injected %d permanent and %d transient failures; want some of each", permanent, transient)
	}

	// One URL-file batch job per batch job with failures and round: attempt k's failures,
	// grouped by the batch job they ran in, each make one batch job of round k+1.
	failedIn := map[int]map[string]bool{}
	for _, xs := range tries {
		for _, x := range xs {
			if x.State == "Failed" && x.Attempt < 3 {
				if failedIn[x.Attempt+1] == nil {
					failedIn[x.Attempt+1] = map[string]bool{}
				}
				failedIn[x.Attempt+1][x.BatchJobID] = true
			}
		}
	}
	retries := map[int]int{}
	for _, j := range emu.Jobs() {
		for _, k := range []int{2, 3} {
			if strings.Contains(j.Name, fmt.Sprintf("-retry%d-", k)) {
				retries[k]++
				if j.Input.UrlFile == "" {
					t.Errorf("retry batch job %s is not a URL-file batch job: %+v", j.Name, j.Input)
				}
			}
		}
	}
	for _, k := range []int{2, 3} {
		if retries[k] != len(failedIn[k]) {
			t.Errorf("round %d: %d retry batch jobs, want %d (one per batch job with failures)", k, retries[k], len(failedIn[k]))
		}
	}

	return permanent
}

// TestCrashDuringTheLoopIsACrashDuringRun kills run --wait --max-attempts 3 with SIGKILL
// among its retry creates, runs it again until it ends, and checks that the service ends
// as after a loop never stopped.
func TestCrashDuringTheLoopIsACrashDuringRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	ctx := relCtx(t, 5*time.Minute)
	bin := relBuild(t)
	dir := t.TempDir()
	path := testenv.WriteFile(t, filepath.Join(dir, "plan.yaml"), smallPlan)
	for _, k := range []int{1, 7, 14} { // the k-th retry batch job created
		emu, _ := testenv.Start(t, emulator.Options{Objects: convergeObjects})
		st := filepath.Join(dir, "k"+itoa(k)+".db")
		// A rerun holds the creates the killed run left without an outcome for the
		// settle window (at least --timeout, 30 s by default): the emulator makes a job
		// before it answers, so two seconds are plenty here.
		args := []string{"run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", "--wait",
			"--poll-interval", "10ms", "--max-attempts", "3", "--timeout", "2s", "--settle-window", "2s", path}
		r := crashStartWhen(t, ctx, bin, dir, time.Minute, func() bool { return len(emu.Server.Jobs()) >= 31+k }, args...)
		if !r.killed {
			t.Fatalf("k=%d: not killed: exit %d\n%s", k, r.code, r.err)
		}
		if final := crashStart(t, ctx, bin, dir, 0, args...); final.code != 1 {
			t.Fatalf("k=%d: the rerun: exit %d, want 1\n%s%s", k, final.code, final.out, final.err)
		}
		checkConverged(t, emu.Server)
	}
}
