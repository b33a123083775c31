package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// arrivals records when each call reaches a loopback emulator.
type arrivals struct {
	mu sync.Mutex
	at []time.Time
}

func (a *arrivals) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.at = append(a.at, time.Now())
		a.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// reset forgets the arrivals and returns them.
func (a *arrivals) reset() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	at := a.at
	a.at = nil
	return at
}

// manyBuckets is a plan of 40 one-object jobs, each in its own bucket: every command
// that reaches the service makes calls per bucket, so even status --refresh (one list
// per bucket) sends more than a second's worth at --qps 20.
func manyBuckets(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nname: buckets\ndefaults:\n  region: ap-beijing\n  workflow: w7476ff3564ee45b7b490d64bccaba6cc\njobs:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: j%d\n    bucket: b%d-1250000000\n    object: in/x.mp4\n", i, i)
	}
	return b.String()
}

// TestServiceCommandsHonourQPS: results, status --refresh and cancel at --qps 20 never
// start more than 20 calls a second plus the burst (--parallel 8), counted by the server;
// each sends more than that in all, so without pacing the bound would break.
//
// Counted from the command's start (testenv.CheckPaced): the k-th call reaches the server
// no sooner than (k-8)/20 s after it, which delays cannot break, as they could break
// counts per second of the server's clock (arrivals bunch).
func TestServiceCommandsHonourQPS(t *testing.T) {
	t.Parallel() // it waits on the limiter, seconds of the wall clock
	seen := &arrivals{}
	emu := emulator.New(emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	srv := httptest.NewServer(seen.wrap(emu))
	t.Cleanup(srv.Close)
	path := testenv.WritePlan(t, manyBuckets(40))
	state := filepath.Join(t.TempDir(), "s.db")
	common := []string{"--endpoint", srv.URL, "--state", state}
	if r := runCLI(t, emulatorVars(), append(append([]string{"run", "--qps", "0", "--quiet"}, common...), path)...); r.code != 0 {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	seen.reset()
	const qps, burst = 20, 8
	for _, args := range [][]string{{"results"}, {"status", "--refresh"}, {"cancel"}} {
		full := append(append(append(args, "--qps", fmt.Sprint(qps), "--parallel", fmt.Sprint(burst)), common...), path)
		start := time.Now()
		r := runCLI(t, emulatorVars(), full...)
		if r.code == exitUsage {
			t.Fatalf("%v: exit 2\n%s", args, r.stderr)
		}
		at := seen.reset()
		testenv.CheckPaced(t, strings.Join(args, " "), start, at, qps, burst)
		if len(at) <= qps+burst {
			t.Errorf("%v: %d calls in all: too few to prove the pacing", args, len(at))
		}
		t.Logf("%v: %d calls in %v", args, len(at), time.Since(start).Round(time.Millisecond))
	}
}

// splitShell splits a command line that report.ShellJoin wrote.
func splitShell(line string) []string {
	var out []string
	var cur strings.Builder
	in, word := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			in, word = !in, true
		case c == '\\' && !in && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case c == ' ' && !in:
			if word {
				out = append(out, cur.String())
				cur.Reset()
			}
			word = false
			continue
		default:
			cur.WriteByte(c)
		}
		word = true
	}
	if word {
		out = append(out, cur.String())
	}
	return out
}

// hints are the "planrun ..." lines of a summary's next steps.
func hints(stdout string) [][]string {
	var out [][]string
	_, next, _ := strings.Cut(stdout, "\nNext:\n")
	next = strings.ReplaceAll(next, " \\\n", " ") // a long command is continued on the next line, as a shell reads it
	for _, line := range strings.Split(next, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "planrun ") {
			out = append(out, splitShell(l)[1:])
		}
	}
	return out
}

// TestNextCommandsRunAsPrinted: every command a summary suggests (after run, run --wait
// with failed jobs, and retry; against an endpoint and with --emulator) runs as printed:
// not a usage error, on the same plans, state, endpoint and selection.
func TestNextCommandsRunAsPrinted(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: 10 * time.Millisecond, RunningFor: 10 * time.Millisecond, FailRate: 1})
	dir := t.TempDir()
	plans := filepath.Join(dir, "plans")
	if err := os.MkdirAll(plans, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"small.yaml": smallPlan, "values.yaml": "replicas: 2\n"} {
		if err := os.WriteFile(filepath.Join(plans, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	state := filepath.Join(dir, "state db") // a space: the hints must quote it
	sel := []string{"--job", "days", "--since", "2024-01-10", "--exclude", "values.yaml", "--parallel", "4", "--qps", "0"}
	for _, tc := range []struct {
		name string
		args []string
		want []string // commands that must be suggested
	}{
		{"run", append([]string{"run", "--endpoint", emu.URL, "--state", state, "--quiet"}, sel...), []string{"status", "results"}},
		{"run --wait", append([]string{"run", "--endpoint", emu.URL, "--state", state, "--quiet", "--wait", "--poll-interval", "20ms"}, sel...), []string{"results", "retry", "run --rerun"}},
		{"emulator", append([]string{"run", "--emulator", "--state", filepath.Join(dir, "emu.db"), "--quiet"}, sel...), []string{"status", "results"}},
	} {
		r := runCLI(t, emulatorVars(), append(tc.args, plans)...)
		if r.code == exitUsage {
			t.Fatalf("%s: exit 2\n%s", tc.name, r.stderr)
		}
		got := hints(r.stdout)
		seen := map[string]bool{}
		for _, h := range got {
			rerun := h[0] == "run" && len(h) > 2 && h[1] == "--rerun"
			if rerun {
				seen["run --rerun"] = true
			} else {
				seen[h[0]] = true
			}
			if h[0] == "run" && h[len(h)-1] != plans {
				t.Errorf("%s: the rerun hint lost the plans: %q", tc.name, h)
			}
			if h[0] == "run" && !rerun {
				continue // the same command again
			}
			line := strings.Join(h, " ")
			for _, want := range []string{"--job days", "--since 2024-01-10", "--exclude values.yaml", "--state " + state} {
				if tc.name != "emulator" && !strings.Contains(line, want) {
					t.Errorf("%s: hint %q lost %s", tc.name, h, want)
				}
			}
			if h[len(h)-1] != plans {
				t.Errorf("%s: hint %q lost the plans", tc.name, h)
			}
			if tc.name == "emulator" && !strings.Contains(strings.Join(h, " "), "--emulator") {
				t.Errorf("%s: hint %q dropped --emulator", tc.name, h)
			}
			hr := runCLI(t, emulatorVars(), h...)
			if hr.code == exitUsage || hr.code == exitInterrupted {
				t.Errorf("%s: hint planrun %s: exit %d\n%s", tc.name, strings.Join(h, " "), hr.code, hr.stderr)
			}
		}
		for _, w := range tc.want {
			if !seen[w] {
				t.Errorf("%s: no %s hint in\n%s", tc.name, w, r.stdout)
			}
		}
	}
}

// TestShardOnEveryServiceCommand: --shard K/N, from the selection group, narrows cancel,
// results and status as it narrows run: the two halves of a plan are disjoint and whole.
func TestShardOnEveryServiceCommand(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "s.db")
	common := []string{"--endpoint", emu.URL, "--state", state, "--qps", "0"}
	if r := runCLI(t, emulatorVars(), append(append([]string{"run", "--quiet"}, common...), path)...); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	rows := func(args ...string) int {
		r := runCLI(t, emulatorVars(), append(append(args, common...), "--format", "json", path)...)
		if r.code == exitUsage {
			t.Fatalf("%v: exit 2\n%s", args, r.stderr)
		}
		return strings.Count(r.stdout, "\n")
	}
	for _, cmd := range [][]string{{"status"}, {"cancel"}} {
		a, b := rows(append(cmd, "--shard", "1/2")...), rows(append(cmd, "--shard", "2/2")...)
		if a == 0 || b == 0 || a+b != 31 {
			t.Errorf("%v --shard 1/2 and 2/2: %d and %d rows, want two parts of 31", cmd, a, b)
		}
	}
}
