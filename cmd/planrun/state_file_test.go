package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/state"
)

// TestRunRefusesAStateInUseThroughAnotherPath: a symbolic link to a state file a run holds
// is the same state: the second run is refused with exit 2 and sends nothing (before, it
// ran, and every request was triggered twice). A hard link is refused too (exit 2).
func TestRunRefusesAStateInUseThroughAnotherPath(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	real := filepath.Join(dir, "real.db")
	holder, err := state.Open(real)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	link, hard := filepath.Join(dir, "link.db"), filepath.Join(dir, "hard.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", link, "--quiet", path)
	if r.code != 2 || !strings.Contains(r.stderr, "in use by another planrun") {
		t.Errorf("run --state %s while %s is held: code %d: %s", link, real, r.code, r.stderr)
	}
	// A file with two names is refused whoever holds it: SQLite would keep two write-ahead
	// logs for one database.
	if err := os.Link(real, hard); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, hard} {
		r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", p, "--quiet", path)
		if r.code != 2 || !strings.Contains(r.stderr, "in use by another planrun") && !strings.Contains(r.stderr, "hard links") {
			t.Errorf("run --state %s while %s is held: code %d: %s", p, real, r.code, r.stderr)
		}
	}
	if n := len(emu.Server.Jobs()); n != 0 {
		t.Errorf("%d jobs created by refused runs", n)
	}
}

// TestStatePathsThatKeepNothingExit2: --state :memory: would keep nothing for the next
// run, and an SQLite URI names the file under another name: both are bad usage.
func TestStatePathsThatKeepNothingExit2(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	t.Chdir(t.TempDir())
	for _, p := range []string{":memory:", "file:real.db"} {
		r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", p, "--quiet", path)
		if r.code != 2 || !strings.Contains(r.stderr, "not a state file path") {
			t.Errorf("run --state %s: code %d: %s", p, r.code, r.stderr)
		}
	}
	if n := len(emu.Server.Jobs()); n != 0 {
		t.Errorf("%d jobs created", n)
	}
}

// TestStateBelongsToItsEndpoint: a state written by runs against one endpoint refuses a
// run against another with exit 2, naming both, and sends nothing (before, the second run
// skipped every request as done and exited 0 without a call).
func TestStateBelongsToItsEndpoint(t *testing.T) {
	first, _ := testenv.Start(t, emulator.Options{})
	second, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	st := filepath.Join(t.TempDir(), "state.db")
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", first.URL, "--state", st, "--qps", "0", "--quiet", path); r.code != 0 {
		t.Fatalf("first run: code %d: %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"run", "--endpoint", second.URL, "--state", st, "--quiet", path},
		{"cancel", "--endpoint", second.URL, "--state", st, path},
		{"results", "--endpoint", second.URL, "--state", st, path},
	} {
		r := runCLI(t, emulatorVars(), args...)
		if r.code != 2 || !strings.Contains(r.stderr, first.URL) || !strings.Contains(r.stderr, second.URL) {
			t.Errorf("%s against another endpoint: code %d, want 2 and both endpoints named: %s", args[0], r.code, r.stderr)
		}
	}
	if n := len(second.Server.Jobs()); n != 0 {
		t.Errorf("%d jobs created at the second endpoint", n)
	}
	// The same endpoint again is fine (a trailing slash is the same endpoint).
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", first.URL+"/", "--state", st, "--quiet", path); r.code != 0 {
		t.Errorf("rerun against the first endpoint: code %d: %s", r.code, r.stderr)
	}
}

// TestStatusReadsAReadOnlyState: status reads a state file in a folder that cannot be
// written; run says the state is read-only (not "not a planrun state file"), exit 2.
func TestStatusReadsAReadOnlyState(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes read-only files: run as another user to test this")
	}
	emu, _ := testenv.Start(t, emulator.Options{})
	path := testenv.WritePlan(t, smallPlan)
	dir := filepath.Join(t.TempDir(), "ro")
	st := filepath.Join(dir, "state.db")
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--qps", "0", "--quiet", path); r.code != 0 {
		t.Fatalf("run: code %d: %s", r.code, r.stderr)
	}
	if err := os.Chmod(st, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	r := runCLI(t, nil, "status", "--state", st)
	if r.code != 0 || !strings.Contains(r.stdout, "31 triggered") {
		t.Errorf("status of a read-only state: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", st, "--quiet", path)
	if r.code != 2 || !strings.Contains(r.stderr, "read-only") || strings.Contains(r.stderr, "not a planrun state file") {
		t.Errorf("run on a read-only state: code %d: %s", r.code, r.stderr)
	}
}
