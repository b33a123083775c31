package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// TestEmulatorKeepsItsJobsBetweenInvocations runs a plan twice on the in-process emulator:
// the second run finds every job the first one triggered (none NotFound), and results,
// status --refresh and cancel see the same service.
func TestEmulatorKeepsItsJobsBetweenInvocations(t *testing.T) {
	t.Parallel() // the in-process emulator's jobs take 3 s of the wall clock to end
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	vars := map[string]string{envEmulatorFailRate: "0"}
	args := []string{"run", "--emulator", "--state", st, "--wait", "--poll-interval", "200ms", "--quiet", path}
	r := runCLI(t, vars, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "Success 31") {
		t.Fatalf("first run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.emulator.json")); err != nil {
		t.Fatalf("the emulator kept nothing beside the state: %v", err)
	}
	r = runCLI(t, vars, args...)
	if r.code != 0 || strings.Contains(r.stdout, "NotFound") || !strings.Contains(r.stdout, "Success 31") {
		t.Fatalf("second run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Another state beside it sees another emulator: nothing of the first one's.
	other := filepath.Join(dir, "other.db")
	r = runCLI(t, vars, "results", "--emulator", "--state", other, path)
	if !strings.Contains(r.stderr, "31 requests of the plans have no batch job") {
		t.Errorf("results beside another state: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, vars, "results", "--emulator", "--state", st, path)
	if r.code != 0 || !strings.Contains(r.stdout, "small / days") {
		t.Fatalf("results: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, vars, "status", "--emulator", "--state", st, "--refresh", path)
	if r.code != 0 || !strings.Contains(r.stdout, "31 requests in the state, 31 triggered") || strings.Contains(r.stdout, "NotFound") {
		t.Fatalf("status --refresh: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, vars, "cancel", "--emulator", "--state", st, path)
	if r.code != 0 || strings.Contains(r.stdout, "NotFound") {
		t.Fatalf("cancel: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestEmulatorStateFileBesideTheState(t *testing.T) {
	for in, want := range map[string]string{
		".planrun/emulator.db": ".planrun/emulator.json",
		"x/s.db":               "x/s.emulator.json",
		"state":                "state.emulator.json",
	} {
		if got := emulator.StateFileFor(in); got != filepath.FromSlash(want) {
			t.Errorf("emulatorStateFile(%q) = %q, want %q", in, got, want)
		}
	}
	// The object rate's name, and its first name, still read.
	for _, name := range []string{envEmulatorFailRate, envEmulatorFailRateOld} {
		r := runCLI(t, map[string]string{name: "2"}, "run", "--emulator", "--state", filepath.Join(t.TempDir(), "s.db"), testenv.WritePlan(t, smallPlan))
		if r.code != 2 || !strings.Contains(r.stderr, name+`="2"`) {
			t.Errorf("%s=2: exit %d\n%s", name, r.code, r.stderr)
		}
	}
}

// TestEmulatorRefusesAHostileStateFileBeforeListening: `planrun emulator --state-file` on a
// file with a line far longer than any the emulator writes exits 2 at once, naming the
// file and the line, and never says it is listening.
func TestEmulatorRefusesAHostileStateFileBeforeListening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.json")
	long := `{"version":2,"objects":{"perPrefix":3}}` + "\n" + `{"job":"` + strings.Repeat("x", emulator.MaxLine+1) + `"}` + "\n"
	if err := os.WriteFile(path, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "emulator", "--addr", "127.0.0.1:0", "--state-file", path)
	if r.code != 2 || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "line 2") || strings.Contains(r.stderr, "listening") {
		t.Errorf("exit %d, stderr:\n%s\nwant 2, the file and line 2 named, no listening line", r.code, r.stderr)
	}
}
