package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// clockOf returns a clock that reads each of ts in turn, then the last one for ever.
func clockOf(ts ...time.Time) func() time.Time {
	var mu sync.Mutex
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := ts[0]
		if len(ts) > 1 {
			ts = ts[1:]
		}
		return t
	}
}

// TestTwoSignalsAtOnceAreOne: GNU timeout's TERM to planrun and to its group arrives as
// two signals at once: one clean stop (no "press Ctrl-C again"), never an exit at once;
// a second Ctrl-C a moment later still exits at once with 130.
func TestTwoSignalsAtOnceAreOne(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		sigs      []os.Signal
		clock     func() time.Time
		wantExit  bool
		wantWords string
	}{
		{"timeout's double TERM", []os.Signal{syscall.SIGTERM, syscall.SIGTERM}, clockOf(t0, t0.Add(50*time.Millisecond)), false, "terminated: stopping cleanly"},
		{"Ctrl-C twice, apart", []os.Signal{os.Interrupt, os.Interrupt}, clockOf(t0, t0.Add(2*time.Second)), true, "press Ctrl-C again"},
		{"TERM, then a late TERM", []os.Signal{syscall.SIGTERM, syscall.SIGTERM}, clockOf(t0, t0.Add(3*time.Second)), true, "terminated"},
	} {
		sigs := make(chan os.Signal, len(tc.sigs))
		for _, s := range tc.sigs {
			sigs <- s
		}
		close(sigs)
		cancels, exits := 0, []int{}
		var said []string
		handleSignals(sigs, func() { cancels++ }, func(s string) { said = append(said, s) }, func(c int) { exits = append(exits, c) }, tc.clock)
		if cancels != 1 || len(said) != 1 || !strings.Contains(said[0], tc.wantWords) {
			t.Errorf("%s: %d cancels, said %q", tc.name, cancels, said)
		}
		if tc.name == "timeout's double TERM" && strings.Contains(said[0], "Ctrl-C") {
			t.Errorf("%s: a TERM talks of Ctrl-C: %q", tc.name, said[0])
		}
		if got := len(exits) == 1 && exits[0] == exitInterrupted; got != tc.wantExit || len(exits) > 1 {
			t.Errorf("%s: exits %v, want an exit at once: %v", tc.name, exits, tc.wantExit)
		}
	}
}

// TestDoubleTermLeavesTheReport: two TERMs at once while run --wait follows its jobs end
// the run cleanly: exit 130, the JSON report written, marked interrupted.
func TestDoubleTermLeavesTheReport(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.json")
	sigs := make(chan os.Signal, 2)
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return emulatorVars()[k] }}
	done := make(chan int, 1)
	exited := make(chan int, 1)
	go func() {
		done <- runSignalled([]string{"run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "s.db"), "--qps", "0", "--quiet",
			"--wait", "--poll-interval", "20ms", "--report", rep, testenv.WritePlan(t, smallPlan)}, e, sigs, func(c int) { exited <- c })
	}()
	deadline := time.Now().Add(time.Minute)
	for len(emu.Server.Jobs()) < 31 {
		if time.Now().After(deadline) {
			t.Fatal("the run made no jobs in a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	sigs <- syscall.SIGTERM
	sigs <- syscall.SIGTERM
	defer close(sigs)
	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Fatalf("exit %d, want 130\n%s", code, errb.String())
		}
	case c := <-exited:
		t.Fatalf("exited at once (%d) on two signals at once", c)
	case <-time.After(time.Minute):
		t.Fatal("the run did not stop a minute after two TERMs")
	}
	if r := relReadReport(t, rep); len(r.Requests) != 31 || !r.Interrupted {
		t.Errorf("report: %d requests, interrupted %v; want 31, true", len(r.Requests), r.Interrupted)
	}
}

// TestTimeoutCommandLeavesTheReport runs a built planrun under GNU timeout, which sends
// TERM to planrun and to its process group: the report is written and the exit is 124
// (timeout's own status for a command it stopped), every time.
func TestTimeoutCommandLeavesTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	timeout, err := exec.LookPath("timeout")
	if err != nil {
		t.Skip("no GNU timeout")
	}
	t.Parallel() // each round waits for timeout's 2 s
	dir := t.TempDir()
	bin := relBuild(t)
	emu, _ := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour, RunningFor: time.Hour})
	path := testenv.WritePlan(t, smallPlan)
	for i := range 4 {
		rep := filepath.Join(dir, "r.json")
		os.Remove(rep)
		cmd := exec.Command(timeout, "2", bin, "run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "s.db"), "--qps", "0",
			"--quiet", "--wait", "--poll-interval", "50ms", "--report", rep, path)
		cmd.Env = append(os.Environ(), "TENCENTCLOUD_SECRET_ID="+emulator.DefaultSecretID, "TENCENTCLOUD_SECRET_KEY="+emulator.DefaultSecretKey)
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 124 {
			t.Errorf("round %d: exit %d, want 124\n%s", i, code, out)
		}
		if r := relReadReport(t, rep); len(r.Requests) != 31 {
			t.Errorf("round %d: report with %d requests, want 31", i, len(r.Requests))
		}
	}
}

// TestTermWordsFitTheCommand: at a TERM, the commands that keep no state and write no
// report (the emulator of the README's walk, validate) do not claim to save them.
func TestTermWordsFitTheCommand(t *testing.T) {
	for args, want := range map[string]string{
		"emulator --addr 127.0.0.1:9000": "planrun: terminated: stopping",
		"validate plans":                 "planrun: terminated: stopping",
		"run --wait plan.yaml":           "planrun: terminated: stopping cleanly, saving the state and the report",
		"cancel plan.yaml":               "planrun: terminated: stopping cleanly, saving the state and the report",
	} {
		sigs := make(chan os.Signal, 1)
		sigs <- syscall.SIGTERM
		close(sigs)
		var said []string
		handleSignalsSaying(termWordsFor(strings.Fields(args)), sigs, func() {}, func(s string) { said = append(said, s) }, func(int) {})
		if len(said) != 1 || said[0] != want {
			t.Errorf("planrun %s, TERM: said %q, want %q", args, said, want)
		}
	}
}

// TestOutputFIFOWithoutReaderHonoursOneSignal is issue 23's FIFO hole: an output that is a
// FIFO nobody reads blocked its open, and the first TERM was not honoured. Now one TERM
// ends the run with 130, whichever output it is, never the exit at once of a second
// signal, and without sending anything when the output is opened before the run.
func TestOutputFIFOWithoutReaderHonoursOneSignal(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	for _, flag := range []string{"--report", "--junit", "--results", "--html"} {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "out")
		if err := mkfifo(fifo); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		sigs := make(chan os.Signal, 1)
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return emulatorVars()[k] }}
		done, exited := make(chan int, 1), make(chan int, 1)
		before := len(emu.Server.Jobs())
		go func() {
			done <- runSignalled([]string{"run", "--endpoint", emu.URL, "--state", filepath.Join(dir, "s.db"), "--qps", "0", "--quiet",
				"--wait", "--poll-interval", "20ms", flag, fifo, path}, e, sigs, func(c int) { exited <- c })
		}()
		time.Sleep(100 * time.Millisecond) // most likely waiting for a reader by now; either order must end alike
		sigs <- syscall.SIGTERM
		select {
		case code := <-done:
			if code != exitInterrupted {
				t.Errorf("%s FIFO: exit %d, want 130\n%s", flag, code, errb.String())
			}
		case c := <-exited:
			t.Errorf("%s FIFO: exited at once (%d) on one signal", flag, c)
		case <-time.After(time.Minute):
			t.Fatalf("%s FIFO: still running a minute after the TERM", flag)
		}
		close(sigs)
		if sent := len(emu.Server.Jobs()) - before; flag != "--html" && sent != 0 {
			t.Errorf("%s FIFO: %d batch jobs made while the output waited for its reader", flag, sent)
		}
	}
}
