package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/session"
)

// TestEnvironmentStandsInForFlags: each PLANRUN_* variable gives the default of its flag;
// a bad value is a usage error that names the variable; the flag given on the command
// line wins over the variable.
func TestEnvironmentStandsInForFlags(t *testing.T) {
	state := filepath.Join(t.TempDir(), "s.db")
	for _, tc := range []struct {
		env, bad string
		args     []string // a command that reads the variable
		flag     []string // the same flag with a good value: it wins over the bad variable
	}{
		{"PLANRUN_STATE", "", []string{"status"}, nil},
		{"PLANRUN_ENDPOINT", "ftp://x", []string{"run", "--state", state, "--quiet", examples}, []string{"--emulator"}},
		{"PLANRUN_QPS", "fast", []string{"run", "--dry-run", examples}, []string{"--qps", "5"}},
		{"PLANRUN_PARALLEL", "0", []string{"run", "--dry-run", examples}, []string{"--parallel", "2"}},
		{"PLANRUN_RETRIES", "-1", []string{"run", "--dry-run", examples}, []string{"--retries", "1"}},
		{"PLANRUN_TIMEOUT", "soon", []string{"run", "--dry-run", examples}, []string{"--timeout", "5s"}},
		{"PLANRUN_MAX_REQUESTS", "-1", []string{"run", "--dry-run", examples}, []string{"--max-requests", "0"}},
		{"PLANRUN_POLL_INTERVAL", "0s", []string{"run", "--dry-run", examples}, []string{"--poll-interval", "1s"}},
		{"PLANRUN_LOG_FORMAT", "xml", []string{"run", "--dry-run", examples}, []string{"--log-format", "json"}},
	} {
		if tc.bad == "" {
			continue
		}
		vars := emulatorVars()
		vars[tc.env] = tc.bad
		r := runCLI(t, vars, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.env) {
			t.Errorf("%s=%s %v: exit %d, want 2 naming the variable\n%s", tc.env, tc.bad, tc.args, r.code, r.stderr)
		}
		if tc.env == "PLANRUN_ENDPOINT" {
			// --emulator and an endpoint from the environment: the message says where it came from.
			continue
		}
		args := append(append([]string{tc.args[0]}, tc.flag...), tc.args[1:]...)
		if r := runCLI(t, vars, args...); r.code != exitOK {
			t.Errorf("%s=%s %v: exit %d, want 0: the flag wins\n%s", tc.env, tc.bad, args, r.code, r.stderr)
		}
	}
	// Every variable of the table is covered above.
	if n := len(session.EnvVars); n != 9 {
		t.Errorf("%d variables in session.EnvVars, 9 tested: test the new ones", n)
	}
}

// TestStateAndEndpointFromTheEnvironment: with PLANRUN_STATE and PLANRUN_ENDPOINT set once,
// run, status and results need neither flag; --state given wins.
func TestStateAndEndpointFromTheEnvironment(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	vars := emulatorVars()
	vars["PLANRUN_STATE"] = filepath.Join(dir, "env.db")
	vars["PLANRUN_ENDPOINT"] = emu.URL
	if r := runCLI(t, vars, "run", "--quiet", "--qps", "0", path); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(emu.Server.Jobs()); n != 31 {
		t.Fatalf("the emulator at PLANRUN_ENDPOINT holds %d jobs, want 31", n)
	}
	r := runCLI(t, vars, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "31 triggered") {
		t.Errorf("status with PLANRUN_STATE: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, vars, "results", "--qps", "0", path); r.code == exitUsage {
		t.Errorf("results with PLANRUN_STATE and PLANRUN_ENDPOINT: exit 2\n%s", r.stderr)
	}
	other := filepath.Join(dir, "flag.db")
	r = runCLI(t, vars, "status", "--state", other)
	if r.code != exitUsage || !strings.Contains(r.stderr, other) {
		t.Errorf("status --state beside PLANRUN_STATE: exit %d, want the flag's file\n%s", r.code, r.stderr)
	}
	// --emulator on the command line wins over the real service's endpoint and state.
	t.Chdir(dir)
	r = runCLI(t, vars, "run", "--emulator", "--quiet", path)
	if r.code != 0 || len(emu.Server.Jobs()) != 31 {
		t.Errorf("--emulator beside PLANRUN_ENDPOINT and PLANRUN_STATE: exit %d, %d jobs on the endpoint's emulator\n%s", r.code, len(emu.Server.Jobs()), r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".planrun", "emulator.db")); err != nil {
		t.Errorf("--emulator did not use its own state: %v", err)
	}
}

// TestNumberAndDurationProblemsSayWhatIsWanted: a value the flag package refuses with its
// bare "parse error" (a duration without a unit, a word for a number) says what the flag
// wants, on the command line and from the environment.
func TestNumberAndDurationProblemsSayWhatIsWanted(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		args []string
		want string
	}{
		{nil, []string{"status", "--timeout", "1"}, "want a duration such as 30s"},
		{map[string]string{"PLANRUN_TIMEOUT": "1"}, []string{"status"}, "want a duration such as 30s"},
		{nil, []string{"status", "--parallel", "many"}, "want a whole number"},
		{map[string]string{"PLANRUN_PARALLEL": "many"}, []string{"status"}, "want a whole number"},
		{nil, []string{"emulator", "--fail-rate", "half"}, "want a number"},
	} {
		r := runCLI(t, c.vars, c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v %v: exit %d, want 2 and %q\n%s", c.vars, c.args, r.code, c.want, r.stderr)
		}
	}
}
