package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

func TestRunQPSAutoAgainstAThrottle(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: --qps auto takes seconds to meet the throttle")
	}
	t.Parallel() // it waits on the throttle and the pace
	emu, _ := testenv.Start(t, emulator.Options{Faults: emulator.Faults{ErrorRate: 0.1}})
	// A throttle of 20/s with a bucket of 2: the first creates at the starting pace of 10/s
	// pass, the doubling pace meets it within seconds.
	emu.Server.SetThrottle(emulator.Throttle{QPS: 20, Burst: 2})
	path := testenv.WritePlan(t, smallPlan)
	state := filepath.Join(t.TempDir(), "state.db")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", state, "--qps", "auto",
		"--retries", "20", "--quiet", path)
	if r.code != 0 {
		t.Fatalf("run --qps auto: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkExactlyOnce(t, emu, planNames(t, path))
}

func TestRunQPSUsage(t *testing.T) {
	for _, v := range []string{"fast", "-1", "auto:0", "auto:x"} {
		r := runCLI(t, emulatorVars(), "run", "--qps", v, "--dry-run", testenv.WritePlan(t, smallPlan))
		if r.code != 2 || !strings.Contains(r.stderr, "qps") {
			t.Errorf("--qps %s: code %d, stderr %q; want 2 naming qps", v, r.code, r.stderr)
		}
	}
}
