package main

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// relUnknownWorkflow is well formed but not among the emulator's workflows: creates that
// use it fail with a permanent 400 InvalidArgument.
const relUnknownWorkflow = "w0000000000000000000000000000000a"

// relFaultCase is one row of the fault matrix.
type relFaultCase struct {
	name     string
	n        int    // requests of the plan
	workflow string // the plan's default workflow (relUnknownWorkflow: permanent failures)
	faults   emulator.Faults
	// slowCreates is the fraction of creates whose job is made but whose answer is held
	// back past the request timeout (the client gives up: an uncertain outcome).
	slowCreates float64
	args        []string // extra run flags
	wantFaults  []string // fault kinds that must have been injected
	wantCode    int      // exit status when known (-1: 0 if nothing failed, else 1)
	failCode    string   // the service Code every failure must carry ("" any)
	failMsg     string   // text every failure message must contain ("" any)
	noJobs      bool     // nothing can have been created
}

// relFaultCases is the fault matrix: throttling bursts (503 SlowDown, 429 with
// Retry-After), 5xx, connection resets, answers slower than the request timeout,
// permanent 4xx, retries running out, and everything mixed.
func relFaultCases() []relFaultCase {
	return []relFaultCase{
		{name: "slowdown-burst", n: 40, faults: emulator.Faults{QPS: 15},
			args: []string{"--parallel", "16"}, wantFaults: []string{emulator.FaultSlowDown}, wantCode: -1},
		{name: "429-retry-after", n: 40, faults: emulator.Faults{TooManyRate: 0.2, RetryAfter: "1"},
			wantFaults: []string{emulator.FaultTooMany}, wantCode: -1},
		{name: "5xx", n: 40, faults: emulator.Faults{ErrorRate: 0.15, UncertainRate: 0.3},
			wantFaults: []string{emulator.FaultError, emulator.FaultUncertain500}, wantCode: -1},
		// Half of the uncertain creates are dropped: at 0.15 (6 of 40) none was, now and
		// then, and the case failed for an uncertain reset never injected.
		{name: "connection-resets", n: 40, faults: emulator.Faults{ResetRate: 0.15, UncertainRate: 0.3},
			wantFaults: []string{emulator.FaultReset, emulator.FaultUncertainReset}, wantCode: -1},
		{name: "answers-slower-than-timeout", n: 24, faults: emulator.Faults{Latency: 3 * time.Second},
			args:    []string{"--timeout", "300ms", "--retries", "1", "--parallel", "24"},
			failMsg: "deadline exceeded", wantCode: exitFailed, noJobs: true},
		{name: "created-then-answer-too-late", n: 40, slowCreates: 0.3,
			args: []string{"--timeout", "500ms"}, wantCode: -1},
		{name: "permanent-4xx", n: 30, workflow: relUnknownWorkflow,
			wantCode: exitFailed, failCode: "InvalidArgument"},
		{name: "retries-exhausted", n: 16, faults: emulator.Faults{ErrorRate: 1},
			args: []string{"--retries", "1"}, wantFaults: []string{emulator.FaultError},
			wantCode: exitFailed, failCode: "InternalError", noJobs: true},
		{name: "all-mixed", n: 60, workflow: relUnknownWorkflow, slowCreates: 0.1,
			faults: emulator.Faults{QPS: 40, TooManyRate: 0.08, RetryAfter: "1", ErrorRate: 0.08,
				ResetRate: 0.08, UncertainRate: 0.1},
			args:       []string{"--timeout", "1s", "--parallel", "16"},
			wantFaults: []string{emulator.FaultTooMany, emulator.FaultError, emulator.FaultReset},
			wantCode:   exitFailed},
	}
}

// TestReliabilityFaultMatrix runs `planrun run --endpoint --report` (in-process, real
// client, real emulator over loopback) under each fault and checks: every request is
// triggered exactly once or reported failed with its reason, the exit status says which,
// nothing is left running, and a rerun on a healthy service completes the plan exactly once.
// The cases run in parallel (each on its own emulator and server: they mostly wait, on
// Retry-After, timeouts and settle windows); nothing of any of them is left running once
// they all ended.
func TestReliabilityFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the fault matrix runs a plan under every fault (creates with no answer wait a 2 s settle window)")
	}
	base := runtime.NumGoroutine()
	t.Run("cases", func(t *testing.T) {
		for _, tc := range relFaultCases() {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				relRunFaultCase(t, tc)
			})
		}
	})
	// Nothing of the runs or the emulators is left running (closing each server also ended
	// the client's keep-alive connections).
	relSettleGoroutines(t, base, 2)
}

func relRunFaultCase(t *testing.T, tc relFaultCase) {
	ctx := relCtx(t, 5*time.Minute)
	workflow := tc.workflow
	if workflow == "" {
		workflow = testenv.Workflow
	}
	dir := t.TempDir()
	gen := testenv.Sized("faulty", tc.n)
	gen.Workflow = workflow
	planPath := gen.Write(t, dir)
	want := relPlanNames(t, planPath)
	emu := emulator.New(emulator.Options{Seed: 42, Faults: tc.faults, Workflows: []string{testenv.Workflow}})
	srv := httptest.NewServer(&relSlowCreates{next: emu, rate: tc.slowCreates, hold: 2 * time.Second})
	closed := false
	closeSrv := func() {
		if !closed {
			closed = true
			srv.Close()
		}
	}
	t.Cleanup(closeSrv)

	state, rep := filepath.Join(dir, "state.db"), filepath.Join(dir, "report.json")
	healthy := []string{"run", "--endpoint", srv.URL, "--state", state, "--report", rep,
		"--qps", "0", "--retries", "8", "--timeout", "2s", "--settle-window", "2s", "--quiet", planPath}
	args := append(append(slices.Clone(healthy[:len(healthy)-1]), tc.args...), planPath)
	res := relRun(ctx, relEmulatorVars(), args...)
	r := relReadReport(t, rep)
	failed := relCheckReport(t, r, want, emu, tc)
	wantCode := tc.wantCode
	if wantCode < 0 {
		wantCode = exitOK
		if failed > 0 {
			wantCode = exitFailed
		}
	}
	if res.code != wantCode || (failed > 0) != (res.code == exitFailed) {
		t.Errorf("exit %d with %d failed requests, want %d\nstdout: %s\nstderr: %s", res.code, failed, wantCode, res.stdout, res.stderr)
	}
	st := emu.Stats()
	for _, kind := range tc.wantFaults {
		if st.Faults[kind] == 0 {
			t.Errorf("fault %s was never injected: %v", kind, st.Faults)
		}
	}
	if tc.noJobs && len(emu.Jobs()) > 0 {
		t.Errorf("%d jobs created although no create could succeed", len(emu.Jobs()))
	}
	t.Logf("%s: exit %d, %d triggered, %d failed; creates sent %d, faults %v", tc.name, res.code,
		r.Summary.Triggered, r.Summary.Failed, st.Calls[emulator.OpCreate], st.Faults)

	// A rerun on a healthy service completes the plan, still exactly once (the permanent
	// failures excepted: their workflow does not exist). It runs without the case's flags:
	// a timeout of 300 ms is part of a fault, and fails healthy calls on a loaded machine.
	emu.SetFaults(emulator.Faults{})
	srvSlow(srv).rateSet(0)
	before := relJobs(emu)
	res2 := relRun(ctx, relEmulatorVars(), healthy...)
	r2 := relReadReport(t, rep)
	expectOK := workflow == testenv.Workflow
	if expectOK && res2.code != exitOK {
		t.Errorf("rerun on a healthy service: exit %d\n%s\n%s", res2.code, res2.stdout, res2.stderr)
	}
	for _, q := range r2.Requests {
		if before[q.Name] > 0 && q.Status != "skipped" {
			t.Errorf("rerun: %s exists on the service but is %s", q.Name, q.Status)
		}
	}
	if expectOK {
		relCheckExactlyOnce(t, emu, want)
	} else if dup := relDuplicates(relJobs(emu)); len(dup) > 0 {
		t.Errorf("rerun: duplicates %v", dup)
	}

	closeSrv()
}

// relCheckReport checks the JSON report of a run against the plan and the service and
// returns how many requests failed.
func relCheckReport(t *testing.T, r *relReport, want []string, emu *emulator.Server, tc relFaultCase) int {
	t.Helper()
	jobs := relJobs(emu)
	if dup := relDuplicates(jobs); len(dup) > 0 {
		t.Errorf("names created more than once: %v", dup)
	}
	ids := map[string]string{}
	for _, j := range emu.Jobs() {
		ids[j.Name] = j.ID
	}
	var names []string
	failed := 0
	for _, q := range r.Requests {
		names = append(names, q.Name)
		switch q.Status {
		case "triggered", "skipped":
			if q.JobID == "" || ids[q.Name] != q.JobID {
				t.Errorf("%s: %s with job id %q, the service has %q", q.Name, q.Status, q.JobID, ids[q.Name])
			}
		case "failed":
			failed++
			if q.Error == nil || q.Error.Message == "" {
				t.Errorf("%s failed without a reason: %+v", q.Name, q.Error)
				continue
			}
			if tc.failCode != "" && q.Error.Code != tc.failCode {
				t.Errorf("%s failed with code %q (%s), want %s", q.Name, q.Error.Code, q.Error.Message, tc.failCode)
			}
			if !strings.Contains(q.Error.Message, tc.failMsg) {
				t.Errorf("%s failed with %q, want a message about %q", q.Name, q.Error.Message, tc.failMsg)
			}
			if q.Error.Code != "InvalidArgument" {
				t.Logf("%s failed: %+v after %d creates", q.Name, *q.Error, q.Attempts)
			}
			if q.Error.Code == "InvalidArgument" && (q.Error.RequestID == "" || (q.Attempts != 1 && tc.faults == (emulator.Faults{}) && tc.slowCreates == 0)) {
				t.Errorf("%s: a permanent failure needs its RequestId and no retry: %+v, %d attempts", q.Name, *q.Error, q.Attempts)
			}
		default:
			t.Errorf("%s: status %q", q.Name, q.Status)
		}
	}
	slices.Sort(names)
	w := slices.Sorted(slices.Values(want))
	if !slices.Equal(names, w) {
		t.Errorf("the report holds %d requests, the plan %d", len(names), len(w))
	}
	s := r.Summary
	if s.Planned != len(want) || s.Triggered+s.Failed+s.Skipped != len(want) || s.Failed != failed ||
		len(s.Failures) != failed || r.Interrupted {
		t.Errorf("summary %+v does not match %d requests, %d failed", s, len(want), failed)
	}
	if failed > 0 && tc.failCode == "" && tc.workflow == relUnknownWorkflow {
		codes := map[string]int{}
		for _, f := range s.Failures {
			codes[f.Error.Code]++
		}
		if codes["InvalidArgument"] == 0 {
			t.Errorf("no InvalidArgument failure among %v", slices.Collect(maps.Keys(codes)))
		}
	}
	return failed
}

// relSlowCreates serves the emulator; a fraction of the creates are handled (the job is
// made) but their answer is held back for hold, or until the client gives up.
type relSlowCreates struct {
	next http.Handler
	hold time.Duration

	mu   sync.Mutex
	rate float64
	rng  *rand.Rand
}

func (h *relSlowCreates) rateSet(r float64) {
	h.mu.Lock()
	h.rate = r
	h.mu.Unlock()
}

func (h *relSlowCreates) slow(r *http.Request) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rng == nil {
		h.rng = rand.New(rand.NewPCG(7, 7))
	}
	return r.Method == http.MethodPost && h.rate > 0 && h.rng.Float64() < h.rate
}

func (h *relSlowCreates) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.slow(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	rec := &relRecorder{header: http.Header{}}
	h.next.ServeHTTP(rec, r)
	t := time.NewTimer(h.hold)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		panic(http.ErrAbortHandler) // the client gave up: drop the connection
	}
	maps.Copy(w.Header(), rec.header)
	w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// relRecorder records an answer (it cannot hijack: a dropped connection panics with
// http.ErrAbortHandler, which drops it all the same).
type relRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *relRecorder) Header() http.Header { return r.header }
func (r *relRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *relRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// srvSlow returns the handler of a test server started by relRunFaultCase.
func srvSlow(s *httptest.Server) *relSlowCreates { return s.Config.Handler.(*relSlowCreates) }
