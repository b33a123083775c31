package executor

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

func TestRunInterruptedFinishesInFlightAndResumesExactlyOnce(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{Latency: 30 * time.Millisecond}})
		p := testenv.Hourly("stop", 80, 1).Parse(t)
		store := openStore(t, "")
		ctx, cancel := context.WithCancel(background(t))
		defer cancel()
		var n atomic.Int32
		opts := quick()
		opts.OnResult = func(r Result) {
			if r.Status == request.Triggered && n.Add(1) == 10 {
				cancel()
			}
		}
		var progress []Progress
		opts.Progress = func(p Progress) { progress = append(progress, p) }
		sum, err := Run(ctx, client, store, []*plan.Plan{p}, opts)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("run error %v, want context.Canceled", err)
		}
		if sum.Total.Triggered < 10 || sum.Total.NotDone() == 0 || sum.Total.Failed != 0 {
			t.Fatalf("summary %+v", sum.Total)
		}
		// Calls in flight finished: every job the emulator holds is recorded as triggered.
		if got := len(jobNames(t, emu)); got != sum.Total.Triggered {
			t.Fatalf("emulator holds %d jobs, the run reports %d triggered", got, sum.Total.Triggered)
		}
		if len(progress) == 0 || progress[len(progress)-1].Triggered != sum.Total.Triggered ||
			progress[len(progress)-1].Planned != 81 {
			t.Fatalf("last progress %+v", progress)
		}
		sum, err = Run(background(t), client, store, []*plan.Plan{p}, quick())
		if err != nil {
			t.Fatalf("resumed run: %v", err)
		}
		sameNames(t, jobNames(t, emu), names(p))
		if sum.Total.Skipped+sum.Total.Triggered != 81 {
			t.Fatalf("resumed summary %+v", sum.Total)
		}
		store.Close()
		emu.Close()
	}()
	checkNoLeak(t, base)
}

// TestKillNine runs a child process that triggers a plan and is killed with SIGKILL
// mid-run; the next run, from the same state, must end with every request triggered once.
func TestKillNine(t *testing.T) {
	if os.Getenv("PLANRUN_KILL_CHILD") != "" {
		t.Skip("child")
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	emu, client := testenv.Start(t, emulator.Options{Faults: emulator.Faults{Latency: 10 * time.Millisecond, UncertainRate: 0.1}})
	dir := t.TempDir()
	state := dir + "/state.db"
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillNineChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PLANRUN_KILL_CHILD="+emu.URL, "PLANRUN_KILL_STATE="+state)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for emu.Server.Stats().JobsCreated < 25 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	created := emu.Server.Stats().JobsCreated
	if created < 25 || created >= 121 {
		t.Fatalf("child created %d jobs: not killed mid-run", created)
	}
	p := testenv.Hourly("killed", 120, 1).Parse(t)
	emu.Server.SetFaults(emulator.Faults{})
	store := openStore(t, state)
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil {
		t.Fatalf("run after kill -9: %v", err)
	}
	sameNames(t, jobNames(t, emu), names(p))
	if sum.Total.Triggered == 121 || sum.Total.Skipped == 0 {
		t.Fatalf("summary %+v: the killed run's jobs should have been skipped", sum.Total)
	}
}

// TestKillNineChild is the process TestKillNine kills.
func TestKillNineChild(t *testing.T) {
	url := os.Getenv("PLANRUN_KILL_CHILD")
	if url == "" {
		t.Skip("only run by TestKillNine")
	}
	client := testenv.Client(t, url)
	p := testenv.Hourly("killed", 120, 1).Parse(t)
	store := openStore(t, os.Getenv("PLANRUN_KILL_STATE"))
	opts := quick()
	opts.Parallel = 8
	Run(context.Background(), client, store, []*plan.Plan{p}, opts)
	t.Fatal("the child should have been killed")
}
